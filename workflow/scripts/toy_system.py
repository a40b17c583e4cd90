"""Rule toy_system: the phase portrait of seed 003's 2-D system (rnnchaos.toy_system.phase_portrait)."""
import numpy as np

from rnnchaos import io, toy_system

with io.job_log(snakemake.log[0]):
    settings = dict(snakemake.params.settings)
    rng = np.random.default_rng(settings.pop("seed"))
    io.save_stage(snakemake.output[0], lambda: toy_system.phase_portrait(rng=rng, **settings), stage="toy_system",
                  params=snakemake.params.settings, point={})
