"""Rule dmft_g_sweep: dense mean-field curves lambda_max(g), Delta0(g) at one sigma_b."""
from rnnchaos import dmft, io

with io.job_log(snakemake.log[0]):
    sigma_b, model = snakemake.params.sigma_b, snakemake.wildcards.model
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}
    ds = dmft.g_sweep(model, sigma_b, **settings)
    io.write_dataset(io.with_grid_coords(ds, sigma_b=sigma_b), snakemake.output[0], stage="dmft_g_sweep",
                     params={"model": model, "sigma_b": sigma_b, **settings})
