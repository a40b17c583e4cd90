"""Rule dmft: mean-field theory at one (g, sigma_b) of one model."""
from rnnchaos import dmft, io

with io.job_log(snakemake.log[0]):
    point, model = snakemake.params.point, snakemake.wildcards.model
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}

    def compute():
        return dmft.to_dataset(dmft.dmft_point(model, point["g"], point["sigma_b"], **settings))

    io.save_stage(snakemake.output[0], compute, stage="dmft", point=point,
                  params={"model": model, **point, **settings})
