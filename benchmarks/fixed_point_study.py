"""Fixed-point statistics against Kac-Rice across N (issue 22), one NetCDF per (g, sigma_b).

    .venv/bin/python benchmarks/fixed_point_study.py config/fixed_point_study.yaml OUTDIR

Writes OUTDIR/<model>/g~<g>/sigma_b~<sigma_b>.nc (rnnchaos.fixed_point_pooling.study_dataset) and prints the
extrapolated values, their z-scores and the count's growth rate. Networks are those of the pipeline
(rnnchaos.network.draw_disorder(N, seed)); the search starts from Gaussian draws only (no trajectory states),
the unbiased sample of the population (rnnchaos.fixed_point_result.UNBIASED_ROOTS).
"""
import sys
from pathlib import Path

import yaml

from rnnchaos import fixed_points, io, models, network
from rnnchaos.fixed_point_pooling import compare, kac_rice_prediction, pool, study_dataset
from rnnchaos.fixed_point_statistics import fixed_point_statistics
from rnnchaos.kac_rice import kac_rice_solution

cfg = yaml.safe_load(Path(sys.argv[1]).read_text())
out = Path(sys.argv[2])
for g in cfg["g"]:
    for sigma_b in cfg["sigma_b"]:
        prediction = kac_rice_prediction(kac_rice_solution(g, sigma_b), model=cfg["model"],
                                         near_zero=cfg["near_zero"])
        pooled = []
        for N in cfg["N"]:
            stats = []
            for seed in range(cfg["seeds"]):
                d = network.draw_disorder(N, seed)
                model = models.make(cfg["model"], d.couplings(g), d.biases(sigma_b))
                fp = fixed_points.network_fixed_points(
                    model, n_init=cfg["n_init"], rng=network.rng_for(N, seed, "fixed_point_study"),
                    expected_points=fixed_points.theory_count(g, sigma_b, N))
                stats.append(fixed_point_statistics(fp, cdf=prediction.cdf, near_zero=cfg["near_zero"]))
            pooled.append(pool(stats, cdf=prediction.cdf, min_completeness=cfg["min_completeness"]))
        c = compare(pooled, prediction)
        io.write_dataset(study_dataset(pooled, c, prediction, g=g, sigma_b=sigma_b),
                         out / cfg["model"] / f"g~{g:g}" / f"sigma_b~{sigma_b:g}.nc", stage="fixed_point_study",
                         params={**cfg, "g": g, "sigma_b": sigma_b})
        print(f"g = {g:g}, sigma_b = {sigma_b:g}: " + "; ".join(
            f"{o} {c.fits[o].value:.4g} +- {c.fits[o].value_sem:.2g} (Kac-Rice {c.theory[o]:.4g}, z {c.z[o]:.2g})"
            for o in c.fits) + f"; d ln E[#]/dN {c.growth_rate:.4g} +- {c.growth_rate_sem:.2g} over N "
              f"{c.growth_sizes.tolist()} (Sigma {c.complexity:.4g}, z {c.growth_z:.2g})")
