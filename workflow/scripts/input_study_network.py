"""Rule input_study_network: one network driven by one signal (a diverging run or a QR breakdown: its status)."""
from rnnchaos import input_study, io
from rnnchaos.periodic_input import load_samples

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, dict(snakemake.params.settings)
    model = snakemake.wildcards.model
    disorder = io.read_network(snakemake.input.network)
    samples = load_samples(snakemake.input.signal[0], channels=settings["channels"]) if snakemake.input.signal else None

    def compute():
        return input_study.network_dataset(model, disorder, g=point["g"], sigma_b=point["sigma_b"], samples=samples,
                                           **settings)

    io.save_stage(snakemake.output[0], compute, stage="input_study_network", point=point,
                  params={"model": model, **point, **settings})
