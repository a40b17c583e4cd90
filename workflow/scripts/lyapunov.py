"""Rule lyapunov: the first k Lyapunov exponents of one grid point by the QR method."""
from rnnchaos import io, lyapunov, models, network
from rnnchaos.progress import ProgressLog

with io.job_log(snakemake.log[0]):
    point = snakemake.params.point
    disorder = io.read_network(snakemake.input.network)
    model, settings = models.from_settings(snakemake.wildcards.model, disorder.couplings(point["g"]),
                                           disorder.biases(point["sigma_b"]), snakemake.params.settings,
                                           sigma_xi=point["sigma_xi"])
    rng = network.rng_for(point["N"], point["seed"], "lyapunov")
    noise_rng = network.rng_for(point["N"], point["seed"], "noise")

    def compute():
        progress = ProgressLog(snakemake.rule, unit=lyapunov.progress_unit(settings))
        result = lyapunov.lyapunov_spectrum(model, rng=rng, progress=progress, noise_rng=noise_rng,
                                            x0=network.initial_state(point["N"], point["seed"]), **settings)
        return lyapunov.to_dataset(result)

    io.save_stage(snakemake.output[0], compute, stage="lyapunov", point=point,
                  params={"model": model.name, **point, **snakemake.params.settings, "nonlinearity": model.phi.name})
