"""Rule dmft: mean-field theory at one (g, sigma_b, sigma_xi) of one model (sigma_xi = 0: rnnchaos.dmft.dmft_point)."""
from rnnchaos import dmft, dmft_noise, io

with io.job_log(snakemake.log[0]):
    point, model = snakemake.params.point, snakemake.wildcards.model
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}

    def compute():
        return dmft.to_dataset(dmft_noise.noisy_dmft_point(model, point["g"], point["sigma_b"], point["sigma_xi"],
                                                           **settings))

    io.save_stage(snakemake.output[0], compute, stage="dmft", point=point,
                  params={"model": model, **point, **settings})
