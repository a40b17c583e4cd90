"""Rule training_study_evolution: fixed points of the source network at each readout snapshot of its training."""
from rnnchaos import io, network, training_evolution, training_study

with io.job_log(snakemake.log[0]) as log:
    point, settings = snakemake.params.point, snakemake.params.settings
    trained = io.read_dataset(snakemake.input.network, required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "training_study_evolution")

    def compute():
        st = training_study.from_dataset(trained)  # raises NumericalFailure where the training failed
        ds = training_evolution.to_dataset(training_evolution.training_evolution(st, rng=rng, **settings))
        for line in training_evolution.bifurcation_sequence(ds):
            log.info(line)
        return ds

    io.save_stage(snakemake.output[0], compute, stage="training_study_evolution", point=point,
                  params={**point, **settings})
