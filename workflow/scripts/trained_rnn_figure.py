"""Rule trained_rnn_figure: the networks' spectra, or their features against performance (PNG, PDF, caption)."""
import matplotlib

matplotlib.use("Agg")

from rnnchaos import io, plotting, plotting_trained_rnn  # noqa: E402

with io.job_log(snakemake.log[0]):
    if snakemake.wildcards.figure == "trained_rnn_spectra":
        networks = [io.read_dataset(p, stage="trained_rnn") for p in snakemake.input.networks]
        drawing = plotting_trained_rnn.spectra(networks, snakemake.params.names)
    else:
        drawing = plotting_trained_rnn.features_vs_performance(
            io.read_dataset(snakemake.input.features, stage="trained_rnn_features"))
    plotting.save(drawing, png=snakemake.output.png, pdf=snakemake.output.pdf, caption=snakemake.output.caption)
