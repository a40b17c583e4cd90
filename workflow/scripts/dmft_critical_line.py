"""Rule dmft_critical_line: the mean-field critical gain g_c(sigma_b) on a dense sigma_b grid."""
from rnnchaos import dmft, io

with io.job_log(snakemake.log[0]):
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}
    model = snakemake.wildcards.model
    io.write_dataset(dmft.critical_line(model, **settings), snakemake.output[0], stage="dmft_critical_line",
                     params={"model": model, **settings})
