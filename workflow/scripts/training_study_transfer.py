"""Rule training_study_transfer: an n_bits network started from the (n_bits-1)-bit source and retrained."""
from rnnchaos import io, network, training_study

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    source = io.read_dataset(snakemake.input.source, stage="training_study_train", required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "training_study_transfer")

    def compute():
        net = training_study.from_dataset(source).net  # raises NumericalFailure where the source's training failed
        return training_study.to_dataset(training_study.transfer(net, rng=rng, **settings))

    io.save_stage(snakemake.output[0], compute, stage="training_study_transfer", point=point,
                  params={**point, **settings})
