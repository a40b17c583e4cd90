# Config validation, grid construction, and the path and params helpers used by every rule.
import itertools
from types import SimpleNamespace
import sys
from pathlib import Path

from rnnchaos.config import GPU_BACKENDS, check_config, exponent_count, lyapunov_backend
from rnnchaos.config_schema import validate
from rnnchaos.figures import FIGURES
from rnnchaos.figures import instances as figure_instances
from rnnchaos.figures import parse_stem as parse_figure_stem
from rnnchaos.figures import stem as figure_stem
from rnnchaos.figures import stem_pattern as figure_stem_pattern
from rnnchaos.grid import (
    GRID_STAGES,
    G_SWEEP,
    POINT as GRID_POINT,
    THEORY_POINT,
    format_value,
    finite_size_paths as grid_finite_size_paths,
    grid_values,
    point_files as grid_point_files,
    theory_files,
    results_root,
    stage_seeds,
    stage_settings,
    stage_sizes,
)
from rnnchaos.atomic_files import quarantine_damaged
from rnnchaos.resources import check_local_memory, machine_memory_bytes, plan_run

# schema (defaults filled in; NaN/inf, unknown keys, types, ranges) and cross-key checks: one line per problem
validate(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
check_config(config)
RUN_PLAN = plan_run(config)
if workflow.is_main_process:  # once per run, not in every job's process
    print(RUN_PLAN.summary(), file=sys.stderr)
    # damaged outputs (not HDF5, truncated: a 64-byte superblock check per file) are moved aside to *.corrupt,
    # so this run recomputes them; checksums and the completeness marker are checked by the jobs reading them
    for message in quarantine_damaged("results"):
        print(message, file=sys.stderr)


onstart:
    # a local run (not a dry run, not a cluster executor) whose largest job would exhaust this machine's memory
    if workflow.local_exec:
        check_local_memory(RUN_PLAN, machine_memory_bytes())


FLOAT = r"[0-9]+(\.[0-9]+)?"


wildcard_constraints:
    model="rate|map",
    g=FLOAT,
    sigma_b=FLOAT,
    sigma_xi=FLOAT,
    N=r"[0-9]+",
    seed=r"[0-9]+",
    figure=figure_stem_pattern(),
    t_ons=FLOAT,


MODELS = config["model"]
NONLINEARITY = config["nonlinearity"]
# every result that depends on the nonlinearity: results/ for tanh (the default: today's tree), results/phi~<name>/
# for any other, so that the nonlinearities never overwrite each other (results/network/ is shared: disorder only)
RESULTS = results_root(NONLINEARITY)


def result_path(relative):
    """``relative`` (a pattern such as "simulate/{model}/...") under this nonlinearity's results folder."""
    return f"{RESULTS}/{relative}"

G = grid_values(config, "g")
SIGMA_B = grid_values(config, "sigma_b")
SIGMA_XI = grid_values(config, "sigma_xi")  # the noise amplitudes: a path segment after sigma_b (0: noise-free)
# the sizes and seeds each stage computes (<stage>.N, <stage>.seeds; the whole grid by default)
STAGE_SIZES = {stage: stage_sizes(config, stage) for stage in GRID_STAGES}
STAGE_SEEDS = {stage: list(range(stage_seeds(config, stage))) for stage in GRID_STAGES}
POINT_WILDCARDS = {k: f"{{{k}}}" for k in ("model", "g", "sigma_b", "sigma_xi", "N", "seed")}


def point_pattern(stage, folder=None, ext="nc", model="{model}"):
    """The wildcard pattern of a per-point file of `stage` (rnnchaos.grid.POINT: g, sigma_b, sigma_xi, N, seed),
    under RESULTS, or RESULTS/<folder> (logs, benchmarks) with suffix `ext`; `model` may carry more of the path
    (the t_ons study's "{model}/t_ons~{t_ons}")."""
    root = RESULTS if folder is None else f"{RESULTS}/{folder}"
    path = GRID_POINT.format(root=root, stage=stage, **{**POINT_WILDCARDS, "model": model})
    return f"{path.removesuffix('.nc')}.{ext}"


def theory_pattern(stage, folder=None, ext="nc"):
    """The wildcard pattern of a per-(g, sigma_b, sigma_xi) file of `stage` (dmft; rnnchaos.grid.THEORY_POINT),
    under RESULTS or RESULTS/<folder>, with suffix `ext`."""
    root = RESULTS if folder is None else f"{RESULTS}/{folder}"
    path = THEORY_POINT.format(root=root, stage=stage, model="{model}", g="{g}", sigma_b="{sigma_b}",
                               sigma_xi="{sigma_xi}")
    return f"{path.removesuffix('.nc')}.{ext}"


def g_sweep_pattern(folder=None, ext="nc"):
    """The wildcard pattern of a dense mean-field sweep in g (rnnchaos.grid.G_SWEEP), under RESULTS or
    RESULTS/<folder>, with suffix `ext`."""
    root = RESULTS if folder is None else f"{RESULTS}/{folder}"
    path = G_SWEEP.format(root=root, model="{model}", sigma_b="{sigma_b}", sigma_xi="{sigma_xi}")
    return f"{path.removesuffix('.nc')}.{ext}"


def network_path(wildcards):
    """The disorder file of the network of a grid point."""
    return f"results/network/N~{wildcards.N}/seed~{wildcards.seed}.nc"


def simulate_path(wildcards):
    """The simulation of a grid point (its states seed the fixed-point search)."""
    return point_pattern("simulate").format(**wildcards)


def grid_paths(stage, model):
    """Every per-grid-point file of one stage and model: the stage's own sizes and seeds, every g, sigma_b and
    sigma_xi."""
    return grid_point_files(config, stage, model, G, SIGMA_B, SIGMA_XI, STAGE_SIZES[stage], STAGE_SEEDS[stage])


def finite_size_outputs():
    """The outputs of one finite_size job (every (g, sigma_b, sigma_xi) of its model, whose wildcard stays)."""
    return theory_files(config, "finite_size", "{model}")


def finite_size_points():
    """The (g, sigma_b, sigma_xi) of each output of a finite_size job, as numbers, in the order of
    finite_size_outputs."""
    return [(float(g), float(s), float(x)) for g, s, x in itertools.product(G, SIGMA_B, SIGMA_XI)]


def finite_size_settings(wildcards):
    """Keyword arguments of rnnchaos.finite_size.finite_size_datasets (the finite_size section); for the rate
    network integrated by forward Euler, its step (the theory of the discretised flow is compared as well)."""
    sim, lyap = config["simulate"], config["lyapunov"]
    euler = (wildcards.model == "rate" and sim["method"] == lyap["method"] == "euler"
             and float(sim["dt"]) == float(lyap["dt"]))  # one integrated map for Delta0 and lambda_max
    return {"attractor": config["finite_size"]["attractor"], "euler_dt": float(lyap["dt"]) if euler else None,
            "nonlinearity": NONLINEARITY}


def dmft_point_paths(model):
    """The mean-field file of every (g, sigma_b, sigma_xi) of the grid."""
    return theory_files(config, "dmft", model)


def summary_paths():
    return [f"{RESULTS}/summary/{model}.nc" for model in MODELS]


def all_finite_size_paths():
    """The finite-size files of every model (rule all)."""
    return [p for model in MODELS for p in grid_finite_size_paths(config, model)]


def figure_paths():
    """Every figure the config asks for (rnnchaos.figures.instances): the grid's, the trained networks', the
    trained_rnn section's."""
    return [f"{RESULTS}/figures/{figure_stem(name, key)}.{ext}" for name, key in figure_instances(config)
            for ext in ("png", "pdf")]


def grid_point(wildcards):
    """The grid point of a job as numbers (g, sigma_b, sigma_xi, N, seed), from its wildcards (sigma_xi where its
    path has one: not the noise-free fixed-point study's networks)."""
    point = {"g": float(wildcards.g), "sigma_b": float(wildcards.sigma_b)}
    if "sigma_xi" in wildcards.keys():
        point["sigma_xi"] = float(wildcards.sigma_xi)
    return {**point, "N": int(wildcards.N), "seed": int(wildcards.seed)}


def theory_point(wildcards):
    """The (g, sigma_b) of a theory job, and its sigma_xi where the theory depends on it (dmft, not kac_rice)."""
    point = {"g": float(wildcards.g), "sigma_b": float(wildcards.sigma_b)}
    return {**point, "sigma_xi": float(wildcards.sigma_xi)} if "sigma_xi" in wildcards.keys() else point


def with_nonlinearity(settings):
    """``settings`` with the key ``nonlinearity`` when it is not tanh, the default (so tanh jobs keep their params);
    rnnchaos.models.from_settings takes it out again."""
    return settings if NONLINEARITY == "tanh" else {**settings, "nonlinearity": NONLINEARITY}


def simulate_settings(wildcards):
    return with_nonlinearity(stage_settings(config, "simulate"))


def _lyapunov_job(N):
    """The lyapunov section as arguments of lyapunov_spectrum for a network of size N: backend resolved
    (lyapunov.backend, gpu_from_N) and left out when it is numpy, the default (so CPU jobs keep their params), as is
    coupling_dtype when float64."""
    settings = stage_settings(config, "lyapunov")
    if settings.get("coupling_dtype") == "float64":
        del settings["coupling_dtype"]
    backend = lyapunov_backend(settings.pop("backend", "numpy"), N, settings.pop("gpu_from_N", 2000))
    return with_nonlinearity(settings if backend == "numpy" else {**settings, "backend": backend})


def lyapunov_settings(wildcards):
    settings = _lyapunov_job(int(wildcards.N))
    settings["k"] = exponent_count(settings["k"], int(wildcards.N))
    return settings


def fixed_points_settings(wildcards):
    return with_nonlinearity(stage_settings(config, "fixed_points"))


def dmft_settings(wildcards):
    return {k: config["dmft"][k] for k in ("tol", "tau_max", "n_tau")}


def dmft_sweep_settings(wildcards):
    return {k: config["dmft"][k] for k in ("tol", "n_dense", "g_max")}


def dmft_line_settings(wildcards):
    return {k: config["dmft"][k] for k in ("tol", "n_dense", "sigma_b_max")}


def network_point(wildcards):
    """The (N, seed) of a network job."""
    return {"N": int(wildcards.N), "seed": int(wildcards.seed)}


def theory_sigma_b(wildcards):
    """The sigma_b of a dense theory sweep."""
    return float(wildcards.sigma_b)


def theory_sigma_xi(wildcards):
    """The sigma_xi of a dense theory sweep."""
    return float(wildcards.sigma_xi)


def kac_rice_settings(wildcards):
    return {"tol": config["dmft"]["tol"]}


def summary_inputs(wildcards):
    """All per-point files of one model that the summary combines."""
    m = wildcards.model
    return {
        "simulate": grid_paths("simulate", m),
        "lyapunov": grid_paths("lyapunov", m),
        "fixed_points": grid_paths("fixed_points", m),
        "dmft": dmft_point_paths(m),
    }


def figure_inputs(wildcards):
    """The files a figure is drawn from (the paper studies' single points included): rnnchaos.figures.FIGURES."""
    name, key = parse_figure_stem(wildcards.figure)
    return FIGURES[name].files(config, key)


def stored_paths():
    """Every file the summaries and figures read, as targets of the workflow's final rule, so that a file moved
    aside as damaged (to <name>.corrupt, by io.read_dataset or the check at the top) is recomputed by the next run
    even where the files made from it are up to date (Snakemake reruns no job for a missing intermediate file)."""
    files = set()
    for m in MODELS:
        needs = [*summary_inputs(SimpleNamespace(model=m)).values(),
                 *(v for name, key in figure_instances(config) if key == m
                   for v in FIGURES[name].files(config, key).values())]
        for v in needs:
            files.update([v] if isinstance(v, str) else v)
    return sorted(files)


PAPER = config["paper"]


def lyapunov_full_settings(wildcards):
    """Lyapunov settings of a full spectrum (k = N, the paper's averaging time)."""
    return {**_lyapunov_job(int(wildcards.N)), "k": int(wildcards.N), "t_sim": PAPER["spectra_t_sim"]}


def lyapunov_t_ons_settings(wildcards):
    """Lyapunov settings with the QR interval of the wildcard."""
    return {**lyapunov_settings(wildcards), "t_ons": float(wildcards.t_ons)}


def figure_instance(wildcards):
    """The figure's registry name and its key (model, seed or None), from the file stem."""
    name, key = parse_figure_stem(wildcards.figure)
    return {"name": name, "key": key}


# --- trained networks and external weights (rules/trained.smk, rules/external.smk) ---------------------------
def trained_paths():
    """Analyses and figures of the trained flip-flop networks (none unless trained.enabled)."""
    t = config["trained"]
    seeds = range(t["seeds"]) if t["enabled"] else []
    return [
        *[f"{RESULTS}/trained/flipflop/analysis_seed~{s}.nc" for s in seeds],
    ]


def trained_point(wildcards):
    """The (g, N, seed) of a trained network: its files' grid coordinates."""
    t = config["trained"]
    return {"g": float(t["g"]), "N": int(t["N"]), "seed": int(wildcards.seed)}


def training_settings(wildcards):
    """Keyword arguments of rnnchaos.training.train_flipflop: network, task and FORCE settings."""
    return with_nonlinearity({k: v for k, v in config["trained"].items() if k not in ("enabled", "seeds", "analysis")})


def toy_settings(wildcards):
    """The seed of the toy system's random starts (rnnchaos.toy_system.phase_portrait: its defaults otherwise)."""
    return {"seed": 0}


def trained_analysis_settings(wildcards):
    """Keyword arguments of rnnchaos.trained_analysis.analyse_trained."""
    return dict(config["trained"]["analysis"])


def external_paths():
    """The analysis of the external network (none unless external.enabled)."""
    e = config["external"]
    return [f"{RESULTS}/external/{e['name']}.nc"] if e["enabled"] else []


def external_weights(wildcards):
    """The external weights file."""
    return config["external"]["path"]


def external_settings(wildcards):
    """Keyword arguments of rnnchaos.external.analyse_external (and the seed of its random stream)."""
    return with_nonlinearity({k: v for k, v in config["external"].items() if k not in ("enabled", "path", "name")})
