"""Rule train: FORCE-train an echo-state network on the flip-flop task and store weights, curve and test trial."""
from rnnchaos import io, network, training

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    rng = network.rng_for(point["N"], point["seed"], "trained")

    def compute():
        return training.to_dataset(training.train_flipflop(rng=rng, **settings))

    io.save_stage(snakemake.output[0], compute, stage="train", point=point, params={**point, **settings})
