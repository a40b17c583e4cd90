"""Rule kac_rice: Kac-Rice theory of the fixed points at one (g, sigma_b)."""
from rnnchaos import io, kac_rice

with io.job_log(snakemake.log[0]):
    point = snakemake.params.point
    settings = {**snakemake.params.settings, "nonlinearity": snakemake.config.get("nonlinearity", "tanh")}

    def compute():
        return kac_rice.to_dataset(kac_rice.kac_rice_solution(point["g"], point["sigma_b"], **settings))

    io.save_stage(snakemake.output[0], compute, stage="kac_rice", point=point, params={**point, **settings})
