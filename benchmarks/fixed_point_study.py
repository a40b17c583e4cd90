"""Fixed-point statistics against Kac-Rice across N (issue 22) in one process, without Snakemake.

    .venv/bin/python benchmarks/fixed_point_study.py config/fixed_point_study.yaml OUTDIR

Reads the ``fixed_point_study`` section of config.yaml overlaid with the given file (merged as Snakemake merges
--configfile files, validated as the pipeline validates it), computes every network as the rule
fixed_point_study_network does (rnnchaos.fixed_point_study.network_dataset through rnnchaos.io.save_stage: a failed
search becomes a status) into OUTDIR/<model>/g~<g>/sigma_b~<sigma_b>/N~<N>/seed~<seed>.nc, pools each
(model, g, sigma_b) as the rule fixed_point_study does into OUTDIR/<model>/g~<g>/sigma_b~<sigma_b>.nc, and prints
the figure's agreement statement (rnnchaos.plotting_fixed_point_study.agreement) and the CPU time per network at
each N. The networks are the pipeline's (rnnchaos.network.draw_disorder(N, seed), its results/network files); the
search starts from Gaussian draws only (no trajectory states), the unbiased sample of the population.
"""
import itertools
import sys
import time
from functools import partial
from pathlib import Path

from rnnchaos import fixed_point_study, io, network
from rnnchaos.config import check_config
from rnnchaos.config_schema import load_yaml, validate
from rnnchaos.grid import format_value
from rnnchaos.plotting_fixed_point_study import agreement

ROOT = Path(__file__).resolve().parents[1]


def merged(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``, nested mappings merged (as Snakemake merges --configfile files)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


config = merged(load_yaml(ROOT / "config.yaml"), load_yaml(sys.argv[1]))
validate(config, ROOT / "workflow/schemas/config.schema.yaml")
check_config(config)
section, phi = config["fixed_point_study"], config["nonlinearity"]
options = {"n_init": section["n_init"], "near_zero": section["near_zero"], "nonlinearity": phi}
out = Path(sys.argv[2])
disorders = {}
for model, g, sigma_b in itertools.product(section["model"], section["g"], section["sigma_b"]):
    folder = out / model / f"g~{format_value(g)}" / f"sigma_b~{format_value(sigma_b)}"
    networks, seconds = [], {}
    for N, seed in itertools.product(section["N"], range(section["seeds"])):
        disorder = disorders.setdefault((N, seed), network.draw_disorder(N, seed))
        point = {"g": float(g), "sigma_b": float(sigma_b), "N": N, "seed": seed}
        start = time.process_time()
        io.save_stage(folder / f"N~{N}" / f"seed~{seed}.nc",
                      partial(fixed_point_study.network_dataset, model, disorder, g=g, sigma_b=sigma_b, **options),
                      stage="fixed_point_study_network", point=point, params={"model": model, **point, **options})
        seconds[N] = seconds.get(N, 0.0) + time.process_time() - start
        networks.append(io.read_dataset(folder / f"N~{N}" / f"seed~{seed}.nc", stage="fixed_point_study_network"))
    ds = fixed_point_study.study(networks, model=model, g=g, sigma_b=sigma_b, near_zero=section["near_zero"],
                                 min_completeness=section["min_completeness"], nonlinearity=phi)
    io.write_dataset(ds, f"{folder}.nc", stage="fixed_point_study",
                     params={"model": model, "g": g, "sigma_b": sigma_b, **options,
                             **{k: section[k] for k in ("N", "seeds", "min_completeness")}})
    print(f"{model}: {agreement(ds)}")
    print("  CPU seconds per network: " + ", ".join(f"N = {N}: {s / section['seeds']:.3g}"
                                                    for N, s in seconds.items()))
