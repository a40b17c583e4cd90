"""Rule fixed_points: verified fixed points of one grid point, started from trajectory states and random draws (the
noise-free network's points; with sigma_xi > 0 the states come from the noisy simulation)."""
from rnnchaos import fixed_points, io, models, network
from rnnchaos.progress import ProgressLog

with io.job_log(snakemake.log[0]):
    point = snakemake.params.point
    disorder = io.read_network(snakemake.input.network)
    model, settings = models.from_settings(snakemake.wildcards.model, disorder.couplings(point["g"]),
                                           disorder.biases(point["sigma_b"]), snakemake.params.settings)
    states = io.read_dataset(snakemake.input.simulation, stage="simulate", required=("status",))
    rng = network.rng_for(point["N"], point["seed"], "fixed_points")

    def compute():
        result = fixed_points.network_fixed_points(
            model, rng=rng, init_states=io.snapshot_states(states),
            expected_points=fixed_points.theory_count(point["g"], point["sigma_b"], point["N"], model.phi),
            progress=ProgressLog("fixed_points", unit="solves/paths"),
            **settings)
        return fixed_points.to_dataset(result)

    io.save_stage(snakemake.output[0], compute, stage="fixed_points", point=point,
                  params={"model": model.name, **point, **snakemake.params.settings, "nonlinearity": model.phi.name})
