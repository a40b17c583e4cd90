"""Rule input_study_constant: one network's fixed points under each constant input of the section."""
from rnnchaos import input_study, io

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    model = snakemake.wildcards.model
    disorder = io.read_network(snakemake.input.network)

    def compute():
        return input_study.constant_input_dataset(model, disorder, g=point["g"], sigma_b=point["sigma_b"], **settings)

    io.save_stage(snakemake.output[0], compute, stage="input_study_constant", point=point,
                  params={"model": model, **point, **settings})
