"""Rule trained_analysis: fixed points, PCA and Lyapunov spectra of a trained network with its input off."""
from rnnchaos import io, network, trained_analysis, training
from rnnchaos.status import NumericalFailure

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    trained = io.read_dataset(snakemake.input.trained, stage="train", required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "trained_analysis")

    def compute():
        if int(io.point_values(trained, "status")) != 0:
            raise NumericalFailure("stalled", f"training failed: {trained['status'].attrs.get('detail', '')}")
        net = training.from_dataset(trained)
        return trained_analysis.to_dataset(trained_analysis.analyse_trained(net, rng=rng, **settings))

    io.save_stage(snakemake.output[0], compute, stage="trained_analysis", point=point,
                  params={**point, **settings})
