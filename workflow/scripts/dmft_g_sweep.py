"""Rule dmft_g_sweep: dense mean-field curves lambda_max(g), Delta0(g) at one (sigma_b, sigma_xi)."""
from rnnchaos import dmft_noise, io

with io.job_log(snakemake.log[0]):
    sigma_b, sigma_xi, model = snakemake.params.sigma_b, snakemake.params.sigma_xi, snakemake.wildcards.model
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}
    ds = dmft_noise.noisy_g_sweep(model, sigma_b, sigma_xi, **settings)
    params = {"model": model, "sigma_b": sigma_b, "sigma_xi": sigma_xi, **settings}
    io.write_dataset(io.with_grid_coords(ds, sigma_b=sigma_b, sigma_xi=sigma_xi), snakemake.output[0],
                     stage="dmft_g_sweep", params=params)
