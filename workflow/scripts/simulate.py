"""Rule simulate: integrate one grid point and store Delta0, Delta(tau) and a few trajectories."""
from rnnchaos import io, models, network, simulate
from rnnchaos.progress import ProgressLog

with io.job_log(snakemake.log[0]):
    point = snakemake.params.point
    disorder = io.read_network(snakemake.input.network)
    model, settings = models.from_settings(snakemake.wildcards.model, disorder.couplings(point["g"]),
                                           disorder.biases(point["sigma_b"]), snakemake.params.settings,
                                           sigma_xi=point["sigma_xi"])
    rng = network.rng_for(point["N"], point["seed"], "simulate")
    noise_rng = network.rng_for(point["N"], point["seed"], "noise")

    def compute():
        result = simulate.simulate(model, rng=rng, x0=network.initial_state(point["N"], point["seed"]),
                                   noise_rng=noise_rng, progress=ProgressLog("simulate", unit="samples"), **settings)
        return simulate.to_dataset(result)

    io.save_stage(snakemake.output[0], compute, stage="simulate", point=point,
                  params={"model": model.name, **point, **snakemake.params.settings, "nonlinearity": model.phi.name})
