"""Rule fixed_point_study_network: one network's fixed points reduced to its statistics (a failed search: status)."""
from rnnchaos import fixed_point_study, io

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    model = snakemake.wildcards.model
    disorder = io.read_network(snakemake.input.network)

    def compute():
        return fixed_point_study.network_dataset(model, disorder, g=point["g"], sigma_b=point["sigma_b"],
                                                 **settings)

    io.save_stage(snakemake.output[0], compute, stage="fixed_point_study_network", point=point,
                  params={"model": model, **point, **settings})
