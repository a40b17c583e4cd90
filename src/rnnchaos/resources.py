"""Planned memory and CPU time of the pipeline's jobs, from N, k and the stage settings (one copy of the formulas).

``workflow/rules/resources.smk`` turns these into each job's ``mem_mb``, ``runtime`` and ``group``;
:func:`plan_run` adds them up over a whole configuration so that a run too large for the machine is refused before
it starts (:func:`check_local_memory`) and its total cost is printed. The cost models are counted from the
algorithms; their constants are checked against ``benchmarks/scaling.py`` (``docs/cluster.md`` has the table).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rnnchaos.config import exponent_count
from rnnchaos.figures import FIGURES
from rnnchaos.grid import (
    GRID_STAGES,
    ConfigError,
    stage_seeds,
    stage_settings,
    stage_sizes,
)

#: resident memory of one job before its arrays: the job's Snakemake process (about 130 MB) plus the script's
#: Python with numpy, scipy, xarray and netCDF4 imported (about 100 MB, benchmarks/scaling.py), doubled
JOB_BASE_MB = 500
#: float64 GEMM rate assumed for one core: benchmarks/scaling.py measured 30-43e9 in the lyapunov loop (1 thread,
#: AMD EPYC, OpenBLAS 0.3.31); half of that covers slower and shared cluster cores
GEMM_FLOPS = 20e9
#: bytes of J streamed per second by one core in the Lyapunov steps at small k, where each step reads J once
#: (benchmarks/lyapunov.py: 16-18e9 for a plain read on the AMD EPYC, the row-blocked step at 0.5-0.9 of that);
#: a third covers slower and shared cluster cores
MEMORY_BANDWIDTH = 6e9
#: matrix-vector rate assumed for one core (memory bound once J, 8 N^2 bytes, leaves the cache; measured 15e9 at
#: N = 800, 5e9 at N = 1600)
GEMV_FLOPS = 1e9
#: Python cost of one time step (numpy calls); measured 5e-6 s at N = 100
STEP_OVERHEAD_S = 2e-5
#: estimated wall time is multiplied by this and floored at MIN_RUNTIME minutes (schedulers round up anyway)
RUNTIME_SAFETY = 2.0
MIN_RUNTIME = 10
#: memory requested per job: JOB_BASE_MB plus this factor times the arrays
ARRAY_FACTOR = 1.5
STAGES = ("network", "simulate", "lyapunov", "fixed_points")


def _steps(settings: Mapping, model: str, *keys: str) -> float:
    """Integration steps over the durations `keys` of a stage's settings (dt for the rate network, 1 for the map)."""
    h = settings["dt"] if model == "rate" else 1.0
    return sum(settings[k] for k in keys) / h


def array_bytes(stage: str, N: int, settings: Mapping) -> float:
    """Peak bytes of the arrays of one job of `stage` for a network of size N (z_J, J and its copies; work arrays).
    ``settings``: the job's stage settings (lyapunov: with ``k`` resolved to a number)."""
    s = settings
    if stage == "network":
        return 8 * 5 * N**2  # draw, NetCDF encoding and write buffers
    if stage == "simulate":
        return 8 * (4 * N**2 + N * s["t_sim"] / s["sample_dt"])  # disorder, J; the recorded states
    if stage == "lyapunov":
        # disorder, J and at most one more (the Fortran copy of a J below 32 MiB, a float32 copy, or the map's
        # log|det J|), with a read buffer's margin; [x|Q], buffers, QR work
        return 8 * (4 * N**2 + 6 * N * (s["k"] + 1))
    if stage == "fixed_points":
        # disorder, J; batches of Jacobians (B, N, N) with B = clip(4e6 / N^2, 1, 256), and their temporaries
        return 8 * (4 * N**2 + 6 * max(4e6, N**2) + s["n_init"] * N)
    raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")


def cpu_seconds(stage: str, N: int, model: str, settings: Mapping) -> float:
    """Estimated single-core run time of one job of `stage` (network of size N, `model`), in seconds."""
    s = settings
    if stage == "network":
        return 1e-7 * N**2
    if stage == "simulate":
        steps = _steps(s, model, "t_transient", "t_sim") * (4 if s["method"] == "rk4" and model == "rate" else 1)
        return steps * (2 * N**2 / GEMV_FLOPS + STEP_OVERHEAD_S)
    if stage == "lyapunov":
        k, rk4 = s["k"], 4 if s["method"] == "rk4" and model == "rate" else 1
        tangent = _steps(s, model, "t_transient_tangent", "t_sim") * rk4
        t_ons = 1.0 if s["t_ons"] == "auto" else s["t_ons"]  # auto: QRs no more often than at t_ons = 1 (measured)
        n_qr = (s["t_transient_tangent"] + s["t_sim"]) / t_ons
        # each tangent step: one product J [x | Q], flop-bound, or at small k bound by streaming J (float32
        # couplings: 4 bytes per entry; a float32 frame with float64 couplings reads both copies: 12)
        j_bytes = 4 if s.get("coupling_dtype") == "float32" else 12 if s.get("dtype") == "float32" else 8
        step = max(2 * N**2 * (k + 1) / GEMM_FLOPS, j_bytes * N**2 / MEMORY_BANDWIDTH)
        transient = _steps(s, model, "t_transient") * rk4 * 2 * N**2 / GEMV_FLOPS
        return tangent * (step + STEP_OVERHEAD_S) + n_qr * 4 * N * k**2 / GEMM_FLOPS + transient
    if stage == "fixed_points":
        # per solve: up to max_iter Newton (LU, 2/3 N^3) plus 30 fallback iterations, one eigendecomposition
        per_solve = ((s["max_iter"] + 30) * 2 / 3 + 10) * N**3 / GEMM_FLOPS + 0.05
        per_path_solve = 2 / 3 * (N + 1) ** 3 / GEMM_FLOPS + 1e-4  # one LU of the augmented Jacobian
        return s["n_init"] * per_solve + s["n_paths"] * s["path_solves"] * per_path_solve
    raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")


def mem_mb(stage: str, N: int, settings: Mapping, attempt: int = 1) -> int:
    """The ``mem_mb`` resource of a job: JOB_BASE_MB plus ARRAY_FACTOR x its arrays, times the attempt."""
    return int((JOB_BASE_MB + ARRAY_FACTOR * array_bytes(stage, N, settings) / 1e6) * attempt)


def runtime_minutes(stage: str, N: int, model: str, settings: Mapping, attempt: int = 1) -> int:
    """The ``runtime`` resource of a job in minutes: RUNTIME_SAFETY x estimate, floored, times the attempt."""
    return int(max(MIN_RUNTIME, RUNTIME_SAFETY * cpu_seconds(stage, N, model, settings) / 60 + 1) * attempt)


@dataclass(frozen=True)
class PlannedJob:
    """One job of a planned run: its stage, model, network size, settings (k resolved), memory and CPU time."""

    stage: str
    model: str
    N: int
    k: int | None
    mem_mb: int
    cpu_seconds: float


@dataclass(frozen=True)
class RunPlan:
    """The N-dependent jobs of a configuration (grid and paper studies; the theory jobs are cheap and left out)."""

    jobs: tuple[PlannedJob, ...]

    @property
    def core_hours(self) -> float:
        return sum(j.cpu_seconds for j in self.jobs) / 3600

    @property
    def largest(self) -> PlannedJob:
        return max(self.jobs, key=lambda j: j.mem_mb)

    def summary(self) -> str:
        """One line: number of jobs, planned core-hours and the largest job's memory."""
        big = self.largest
        k = f", k = {big.k}" if big.k is not None else ""
        return (f"rnnchaos: the configuration plans {len(self.jobs)} network/simulate/lyapunov/fixed_points jobs, "
                f"about {self.core_hours:.3g} core-hours in total (jobs already done are skipped); the largest "
                f"needs {big.mem_mb / 1000:.3g} GB ({big.stage}, N = {big.N}{k})")


#: A per-point file of a paper study that a figure reads (rnnchaos.figures): stage, model, QR interval, point.
STUDY_FILE = re.compile(r"/(?P<stage>lyapunov_full|lyapunov_t_ons|fixed_points)/(?P<model>[a-z]+)/"
                        r"(?:t_ons~(?P<t_ons>[0-9.]+)/)?g~(?P<g>[0-9.]+)/sigma_b~(?P<sigma_b>[0-9.]+)/"
                        r"sigma_xi~(?P<sigma_xi>[0-9.]+)/N~(?P<N>[0-9]+)/seed~(?P<seed>[0-9]+)\.nc$")


def plan_run(config: Mapping) -> RunPlan:
    """Planned jobs of a schema-validated, checked config: the grid's network, simulate, lyapunov and fixed_points
    jobs of every model, plus the paper studies its figures read (their inputs in :data:`rnnchaos.figures.FIGURES`:
    full spectra k = N, the t_ons study, fixed points at the paper's point). Jobs that write the same file are
    counted once."""
    lyap, paper = stage_settings(config, "lyapunov"), config["paper"]
    fixed_points = stage_settings(config, "fixed_points")
    keys: dict[tuple, PlannedJob] = {}

    def add(stage, model, N, settings, *point):
        key = (stage, model, N, *point, tuple(sorted(settings.items())))
        if key not in keys:
            keys[key] = PlannedJob(stage, model, N, settings.get("k") if stage == "lyapunov" else None,
                                   mem_mb(stage, N, settings), cpu_seconds(stage, N, model, settings))

    def lyapunov_settings(N, **changes):
        settings = {**lyap, **changes}
        return {**settings, "k": exponent_count(settings["k"], N)}

    stages = {s: (stage_sizes(config, s), range(stage_seeds(config, s))) for s in GRID_STAGES}
    for N, seed in sorted({(N, seed) for s_sizes, s_seeds in stages.values()
                           for N, seed in itertools.product(s_sizes, s_seeds)}):
        add("network", "", N, {}, seed)
    for stage, (s_sizes, s_seeds) in stages.items():
        for model, g, sigma_b, sigma_xi, N, seed in itertools.product(
                config["model"], config["g"], config["sigma_b"], config.get("sigma_xi", [0.0]), s_sizes, s_seeds):
            settings = lyapunov_settings(N) if stage == "lyapunov" else stage_settings(config, stage)
            add(stage, model, N, settings, g, sigma_b, sigma_xi, seed)
    for model, name in itertools.product(config["model"], config["figures"]):
        for files in FIGURES[name].files(config, model).values():
            for path in [files] if isinstance(files, str) else files:
                study = STUDY_FILE.search(path)
                if study is None:
                    continue
                N, seed, g, sigma_b = int(study["N"]), int(study["seed"]), float(study["g"]), float(study["sigma_b"])
                if study["stage"] == "lyapunov_full":
                    add("lyapunov", model, N, lyapunov_settings(N, k=N, t_sim=paper["spectra_t_sim"]), g, seed, "full")
                elif study["stage"] == "lyapunov_t_ons":
                    add("lyapunov", model, N, lyapunov_settings(N, t_ons=float(study["t_ons"])), g, seed, "t_ons")
                else:
                    add("fixed_points", model, N, fixed_points, g, sigma_b, float(study["sigma_xi"]), seed)
    return RunPlan(tuple(keys.values()))


def machine_memory_bytes() -> int:
    """Physical memory of this machine in bytes (os.sysconf; /proc/meminfo's MemTotal where sysconf has none)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        with open("/proc/meminfo") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemTotal:"))


def check_local_memory(plan: RunPlan, memory_bytes: int) -> None:
    """Raise :class:`ConfigError` when the plan's largest job needs more memory than ``memory_bytes``, naming the
    job's N and k and the keys to change (or run on a cluster: ``--workflow-profile profiles/slurm``)."""
    big = plan.largest
    if big.mem_mb * 1e6 > memory_bytes:
        k = f" and lyapunov.k = {big.k}" if big.k is not None else ""
        raise ConfigError(
            f"the largest job ({big.stage}, N = {big.N}{k}) plans {big.mem_mb / 1000:.3g} GB of memory, more than "
            f"this machine's {memory_bytes / 1e9:.3g} GB: lower N{' or lyapunov.k' if k else ''}, or run it on a "
            f"cluster (--workflow-profile profiles/slurm)")
