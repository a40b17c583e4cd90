"""Rule external: validated import of an external network, then its fixed points and Lyapunov spectrum."""
import numpy as np

from rnnchaos import external, io

with io.job_log(snakemake.log[0]):
    settings = dict(snakemake.params.settings)
    rng = np.random.default_rng(settings.pop("seed"))

    def compute():
        return external.analyse_external(snakemake.input.weights, rng=rng, **settings)

    io.save_stage(snakemake.output[0], compute, stage="external", point={},
                  params={"path": snakemake.input.weights, "seed": snakemake.params.settings["seed"], **settings})
