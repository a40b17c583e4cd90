"""Rule dmft: mean-field theory at one (g, sigma_b) of one model."""
from rnnchaos import dmft, io

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    model = snakemake.wildcards.model

    def compute():
        return dmft.to_dataset(dmft.dmft_point(model, point["g"], point["sigma_b"], **settings))

    io.save_stage(snakemake.output[0], compute, stage="dmft", point=point,
                  params={"model": model, **point, **settings})
