"""Rule trained_rnn: one trained RNN (a state-dict file, or a FORCE family member) analysed along its inputs."""
import numpy as np

from rnnchaos import force_family, io, trained_rnn

with io.job_log(snakemake.log[0]):
    network, settings = snakemake.params.network, snakemake.params.settings

    def compute():
        if "training" in snakemake.input.keys():  # a family member: weights and test MSE from its training file
            weights, performance = force_family.from_dataset(
                io.read_dataset(snakemake.input.training, stage="trained_rnn_force_family"))
        else:
            weights, performance = snakemake.input.weights, network["performance"]
        return trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(settings["seed"]),
                                               performance=np.nan if performance is None else performance,
                                               **{k: v for k, v in network.items() if k != "performance"},
                                               **{k: v for k, v in settings.items() if k != "seed"})

    io.save_stage(snakemake.output[0], compute, stage="trained_rnn", params={**network, **settings}, point={})
