"""Rule training_study_train: an echo-state network FORCE-trained from W_out = 0, with its readout snapshots."""
from rnnchaos import io, network, training_study

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    rng = network.rng_for(point["N"], point["seed"], f"training_study_{snakemake.wildcards.origin}")

    def compute():
        return training_study.to_dataset(training_study.train_scratch(rng=rng, **settings))

    io.save_stage(snakemake.output[0], compute, stage="training_study_train", point=point,
                  params={**point, **settings})
