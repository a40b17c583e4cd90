"""Rule trained_analysis: fixed points, PCA and Lyapunov spectra of a trained network with its input off (and its
Lyapunov spectrum with the input on, along the test trial)."""
from rnnchaos import io, network, trained_analysis, training

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    trained = io.read_dataset(snakemake.input.trained, stage="train", required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "trained_analysis")

    def compute():
        net = training.from_dataset(trained)  # raises NumericalFailure where the training failed
        return trained_analysis.to_dataset(trained_analysis.analyse_trained(net, rng=rng, **settings))

    io.save_stage(snakemake.output[0], compute, stage="trained_analysis", point=point,
                  params={**point, **settings})
