"""Rule trained_figure: the four-panel figure of one trained flip-flop network (PNG and PDF)."""
import matplotlib

matplotlib.use("Agg")

from rnnchaos import io, plotting_trained  # noqa: E402

with io.job_log(snakemake.log[0]):
    fig = plotting_trained.flipflop_figure(io.read_dataset(snakemake.input.trained, stage="train"),
                                           io.read_dataset(snakemake.input.analysis, stage="trained_analysis"))
    plotting_trained.save(fig, png=snakemake.output.png, pdf=snakemake.output.pdf)
