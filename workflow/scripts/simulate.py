"""Rule simulate: integrate one grid point and store Delta0, Delta(tau) and a few trajectories."""
from rnnchaos import io, network, simulate
from rnnchaos.progress import ProgressLog

with io.job_log(snakemake.log[0]):
    point, settings = snakemake.params.point, snakemake.params.settings
    disorder = io.read_network(snakemake.input.network)
    rng = network.rng_for(point["N"], point["seed"], "simulate")

    def compute():
        result = simulate.simulate(snakemake.wildcards.model, disorder.couplings(point["g"]),
                                   disorder.biases(point["sigma_b"]), rng=rng,
                                   x0=network.initial_state(point["N"], point["seed"]),
                                   progress=ProgressLog("simulate", unit="samples"), **settings)
        return simulate.to_dataset(result)

    io.save_stage(snakemake.output[0], compute, stage="simulate", point=point,
                  params={"model": snakemake.wildcards.model, **point, **settings})
