"""What a schema cannot express: the cross-key constraints of a schema-validated pipeline configuration.

:func:`check_config` checks ``k <= min(N)``, ``tau_max < t_sim / n_blocks``, times on the step grid, the stages'
own grids, the noise amplitudes, the nonlinearity, the trained sections and the fixed-point study's sizes, after
:func:`rnnchaos.config_schema.validate` (YAML, types, ranges, unknown keys, defaults, figure names). Both run when
the Snakefile is parsed, before any job, and every message names the key and its allowed range or values.
:func:`lyapunov_backend` and :func:`exponent_count` resolve the Lyapunov stage's settings per network size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from rnnchaos import nonlinearity as nl
from rnnchaos.gaussian import SIGMA_B_MAX
from rnnchaos.grid import (
    FINITE_SIZE_MIN_SIZES,
    GRID_STAGES,
    ConfigError,
    format_value,
    qr_intervals,
    stage_seeds,
    stage_sizes,
)
from rnnchaos.input_config import check_input
from rnnchaos.lyapunov_schedule import max_fixed_t_ons
from rnnchaos.trained_rnn_config import check_trained_rnn


# --- cross-key checks ---------------------------------------------------------------------------------------------
def _multiple(key: str, value: float, step: float, step_name: str) -> None:
    """Raise unless ``value`` is a whole multiple of ``step`` (no silent rounding to the step grid)."""
    n = value / step
    if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
        lo, hi = math.floor(n) * step, math.ceil(n) * step
        raise ConfigError(f"{key} = {value:g} must be a whole multiple of {step_name} = {step:g} (it would be "
                          f"rounded); nearest allowed values: {lo:.10g}, {hi:.10g}")


def check_t_ons_bound(config: Mapping) -> None:
    """A fixed lyapunov.t_ons of the rate network within the longest interval whose worst-case R-diagonal spread
    stays below the precision's bound (:func:`rnnchaos.lyapunov_schedule.max_fixed_t_ons` at the largest g,
    smallest N); the map has no such bound (checked at run time only). With t_ons 'auto', t_sim holds a step per
    batch."""
    lyap = config["lyapunov"]
    t_ons = _number_or_none(lyap["t_ons"])
    if t_ons is None:  # auto: whole steps, at least one per batch
        for model in config["model"]:
            h, h_name = (lyap["dt"], "lyapunov.dt") if model == "rate" else (1.0, "the map's step")
            _multiple("lyapunov.t_sim", lyap["t_sim"], h, h_name)
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], h, h_name)
            if "spectra_collapse" in config["figures"]:
                _multiple("paper.spectra_t_sim", config["paper"]["spectra_t_sim"], h, h_name)
            if lyap["t_sim"] < lyap["n_batches"] * h * (1 - 1e-9):
                raise ConfigError(f"lyapunov.t_sim = {lyap['t_sim']:g} must be >= n_batches * t_ons >= n_batches "
                                  f"* {h_name} = {lyap['n_batches'] * h:g} (t_ons: auto)")
        return
    if "rate" not in config["model"]:
        return
    bound = max_fixed_t_ons(max(config["g"]), min(stage_sizes(config, "lyapunov")), lyap["dtype"])
    if t_ons > bound:
        raise ConfigError(
            f"lyapunov.t_ons = {t_ons:g} must be <= {bound:.3g} for the rate network at g = {max(config['g']):g} "
            f"in {lyap['dtype']} (worst-case frame spread 4 g (1 + N^-1/2) per time unit against the bound "
            f"ln(1/eps) - ln(10)); or use lyapunov.t_ons: auto")


def _number_or_none(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def check_steps(config: Mapping) -> None:
    """Every configured time the stages turn into a number of steps or samples is on its step grid: simulate's
    (step: simulate.dt for the rate network, 1 for the map; sampling: sample_dt), lyapunov's (step lyapunov.dt or
    1; QR interval t_ons), the QR intervals and full-spectrum time of the paper studies, the map's dmft.tau_max,
    and the trained network's (step trained.dt, Lyapunov step dt / tau)."""
    sim, lyap, paper, figures = config["simulate"], config["lyapunov"], config["paper"], config["figures"]
    t_ons = _number_or_none(lyap["t_ons"])
    for model in config["model"]:
        step, step_name = (sim["dt"], "simulate.dt") if model == "rate" else (1.0, "the map's step")
        _multiple("simulate.t_transient", sim["t_transient"], step, step_name)
        h, h_name = (lyap["dt"], "lyapunov.dt") if model == "rate" else (1.0, "the map's step")
        if t_ons is not None and t_ons < h * (1 - 1e-9):
            raise ConfigError(f"lyapunov.t_ons = {t_ons:g} must be >= {h_name} = {h:g}")
        if t_ons is not None:
            _multiple("lyapunov.t_ons", t_ons, h, h_name)
        _multiple("lyapunov.t_transient", lyap["t_transient"], h, h_name)
        if t_ons is None:  # the job chooses whole steps: the durations it divides are at least whole steps
            _multiple("lyapunov.t_sim", lyap["t_sim"], h, h_name)
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], h, h_name)
        studies = qr_intervals(paper["t_ons"], model, lyap["dt"]) if "qr_convergence" in figures else []
        for t_ons in studies:
            _multiple("paper.t_ons value", t_ons, h, h_name)
            _multiple("lyapunov.t_sim", lyap["t_sim"], t_ons, "the paper.t_ons value")
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], t_ons, "the paper.t_ons value")
            if lyap["t_sim"] < lyap["n_batches"] * t_ons:
                raise ConfigError(f"lyapunov.t_sim = {lyap['t_sim']:g} must be >= n_batches * paper.t_ons value = "
                                  f"{lyap['n_batches'] * t_ons:g}")
        if model == "map":
            _multiple("dmft.tau_max", config["dmft"]["tau_max"], 1.0, "the map's step")
    _multiple("simulate.t_sim", sim["t_sim"], sim["sample_dt"], "simulate.sample_dt")
    _multiple("simulate.tau_max", sim["tau_max"], sim["sample_dt"], "simulate.sample_dt")
    if t_ons is not None:  # (a t_ons chosen by the job itself, such as 'auto', is checked there)
        _multiple("lyapunov.t_sim", lyap["t_sim"], t_ons, "lyapunov.t_ons")
        _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], t_ons, "lyapunov.t_ons")
        if "spectra_collapse" in figures:
            _multiple("paper.spectra_t_sim", paper["spectra_t_sim"], t_ons, "lyapunov.t_ons")
    t = config["trained"]
    if t["enabled"]:
        a, h = t["analysis"], t["dt"] / t["tau"]
        _multiple("trained.pulse_width", t["pulse_width"], t["dt"], "trained.dt")
        for key in ("t_ons", "t_transient"):
            _multiple(f"trained.analysis.{key}", a[key], h, "trained.dt / trained.tau")
        for key in ("t_sim", "t_transient_tangent"):
            _multiple(f"trained.analysis.{key}", a[key], a["t_ons"], "trained.analysis.t_ons")


def check_nonlinearity(config: Mapping) -> None:
    """``nonlinearity`` names a :class:`rnnchaos.nonlinearity.Nonlinearity`; the GPU backend runs tanh only."""
    name = config.get("nonlinearity", "tanh")
    try:
        nl.get(name)
    except ValueError:
        raise ConfigError(f"nonlinearity must be one of {sorted(nl.NONLINEARITIES)}, got {name!r}") from None
    backend = config.get("lyapunov", {}).get("backend", "numpy")
    if name != "tanh" and backend != "numpy":
        raise ConfigError(f"lyapunov.backend = {backend} runs tanh networks only; set lyapunov.backend: numpy for "
                          f"nonlinearity {name}")


def check_config(config: Mapping) -> None:
    """Raise :class:`ConfigError` on the first cross-key inconsistency of a schema-validated config."""
    check_nonlinearity(config)
    check_noise(config)
    for key in ("g", "sigma_b", "sigma_xi"):
        texts = [format_value(v, key) for v in config.get(key, [0.0])]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"{key}: values must be distinct to 10 significant digits, got {config[key]}")
    check_stage_grids(config)
    sim, lyap = config["simulate"], config["lyapunov"]
    n_min = min(stage_sizes(config, "lyapunov"))
    if isinstance(lyap["k"], int) and lyap["k"] > n_min:
        raise ConfigError(f"lyapunov.k = {lyap['k']} must be in [1, min(N) = {n_min}] (or 'all'; N of the lyapunov "
                          f"stage)")
    if lyap.get("coupling_dtype") == "float32" and lyap["dtype"] != "float32":
        raise ConfigError(f"lyapunov.coupling_dtype = 'float32' needs lyapunov.dtype: float32 (float32 products "
                          f"resolve the frame only to float32 precision), got lyapunov.dtype = {lyap['dtype']!r}")
    n_min = min(stage_sizes(config, "simulate"))
    if sim["n_units_stored"] > n_min:
        raise ConfigError(f"simulate.n_units_stored = {sim['n_units_stored']} must be in [0, min(N) = {n_min}] (N of "
                          f"the simulate stage)")
    if not sim["tau_max"] < sim["t_sim"] / sim["n_blocks"]:
        raise ConfigError(
            f"simulate.tau_max = {sim['tau_max']} must be in [0, t_sim / n_blocks = "
            f"{sim['t_sim'] / sim['n_blocks']:g})")
    steps = [sim["dt"]] if "rate" in config["model"] else []
    steps += [1.0] if "map" in config["model"] else []
    for step in steps:
        ratio = sim["sample_dt"] / step
        if ratio < 1 - 1e-9 or abs(ratio - round(ratio)) > 1e-9:
            raise ConfigError(
                f"simulate.sample_dt = {sim['sample_dt']} must be a positive multiple of the step {step:g} "
                f"(simulate.dt for the rate network, 1 for the map)")
    if sim["n_snapshots"] > sim["t_sim"] / sim["sample_dt"]:
        raise ConfigError(
            f"simulate.n_snapshots = {sim['n_snapshots']} must be in [0, t_sim / sample_dt = "
            f"{sim['t_sim'] / sim['sample_dt']:g}]")
    _check_trained(config)
    check_trained_rnn(config, ConfigError)
    check_fixed_point_study(config)
    check_input(config)
    for model in config["model"]:
        if not qr_intervals(config["paper"]["t_ons"], model, lyap["dt"]):
            raise ConfigError(
                f"paper.t_ons = {config['paper']['t_ons']} has no interval usable by the {model} model "
                f"(>= lyapunov.dt for the rate network, whole numbers >= 1 for the map)")
    if _number_or_none(lyap["t_ons"]) is not None and lyap["t_sim"] < lyap["n_batches"] * lyap["t_ons"]:
        raise ConfigError(
            f"lyapunov.t_sim = {lyap['t_sim']} must be >= n_batches * t_ons = {lyap['n_batches'] * lyap['t_ons']:g}")
    check_t_ons_bound(config)
    check_steps(config)


def check_noise(config: Mapping) -> None:
    """The grid's noise amplitudes ``sigma_xi``: each finite and ``>= 0`` (also without the schema); with noise,
    the rate network's integrators Euler-Maruyama (``simulate.method``, ``lyapunov.method``: rk4 is no stochastic
    scheme) and ``sigma_b^2 + sigma_xi^2`` within the mean-field solver's range
    (:data:`rnnchaos.dmft_noise.SIGMA_XI_MAX`). (That figures drawn from the noise-free networks need 0 among
    them is checked with the figure names, :func:`rnnchaos.config_schema.figure_problems`.)"""
    values = list(config.get("sigma_xi", [0.0]))
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ConfigError(f"sigma_xi: each value must be a finite number >= 0, got {v!r} in {values}")
    noisy = [v for v in values if v > 0]
    if not noisy:
        return
    if "rate" in config["model"]:
        for stage in ("simulate", "lyapunov"):
            if config[stage].get("method") == "rk4":
                raise ConfigError(f"{stage}.method = rk4 cannot integrate the noise sigma_xi = {noisy} (rk4 is no "
                                  f"stochastic scheme): use {stage}.method: euler (Euler-Maruyama) or sigma_xi: [0]")
    top = math.hypot(max(config["sigma_b"]), max(noisy))
    if top > SIGMA_B_MAX:
        raise ConfigError(f"sigma_xi = {max(noisy):g} with sigma_b = {max(config['sigma_b']):g}: sigma_b^2 + "
                          f"sigma_xi^2 must be <= {SIGMA_B_MAX ** 2:g} (the range of the mean-field solver)")


def check_stage_grids(config: Mapping) -> None:
    """Each stage's ``N`` within the grid's ``N`` and its ``seeds`` at most the grid's; the fixed-point stage's
    points within the simulate stage's (its search starts from the simulation's states); at least
    :data:`FINITE_SIZE_MIN_SIZES` sizes in simulate and lyapunov where the finite_size figure is asked for."""
    grid = [int(n) for n in config["N"]]
    for stage in GRID_STAGES:
        own, seeds = config[stage].get("N"), config[stage].get("seeds")
        if own is not None:
            outside = [n for n in own if n not in grid]
            if outside:
                raise ConfigError(f"{stage}.N = {list(own)}: {outside} not in the grid's N = {grid}; give a subset of "
                                  f"N (or null for all of them)")
        if seeds is not None and seeds > config["seeds"]:
            raise ConfigError(f"{stage}.seeds = {seeds} must be in [1, seeds = {config['seeds']}] (the grid's; or "
                              f"null for all of them)")
    sim, fp = stage_sizes(config, "simulate"), stage_sizes(config, "fixed_points")
    if set(fp) - set(sim):
        raise ConfigError(f"fixed_points.N = {fp} must be within simulate.N = {sim} (the fixed-point search starts "
                          f"from the simulation's states): add {sorted(set(fp) - set(sim))} to simulate.N or remove "
                          f"them from fixed_points.N")
    if stage_seeds(config, "fixed_points") > stage_seeds(config, "simulate"):
        raise ConfigError(f"fixed_points.seeds = {stage_seeds(config, 'fixed_points')} must be in [1, simulate.seeds "
                          f"= {stage_seeds(config, 'simulate')}] (the search starts from the simulation's states)")
    if "finite_size" in config["figures"]:
        for stage in ("simulate", "lyapunov"):
            sizes = stage_sizes(config, stage)
            if len(sizes) < FINITE_SIZE_MIN_SIZES:
                key = f"{stage}.N" if config[stage].get("N") is not None else "N"
                raise ConfigError(f"figures: finite_size needs at least {FINITE_SIZE_MIN_SIZES} sizes in {key}, got "
                                  f"{sizes} (add sizes, or leave finite_size out of figures)")


def check_fixed_point_study(config: Mapping) -> None:
    """The ``fixed_point_study`` section (enabled or not): at least :data:`FINITE_SIZE_MIN_SIZES` sizes (the fit
    ``A_inf + a/N`` with a degree of freedom), and gains and bias spreads distinct in their paths."""
    section = config.get("fixed_point_study")
    if not section:
        return
    sizes = list(section["N"])
    if len(sizes) < FINITE_SIZE_MIN_SIZES:
        raise ConfigError(f"fixed_point_study.N = {sizes}: needs at least {FINITE_SIZE_MIN_SIZES} sizes (the "
                          f"extrapolation A_inf + a/N to N -> infinity with a degree of freedom)")
    for key in ("g", "sigma_b"):
        texts = [format_value(v) for v in section[key]]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"fixed_point_study.{key}: values must be distinct to 10 significant digits, got "
                              f"{list(section[key])}")
    points = [(format_value(g), format_value(s)) for g, s in section.get("pooled", {}).get("points", [])]
    if len(set(points)) != len(points):
        raise ConfigError(f"fixed_point_study.pooled.points: [g, sigma_b] pairs must be distinct to 10 significant "
                          f"digits, got {section['pooled']['points']}")


def _check_trained(config: Mapping) -> None:
    t, e = config["trained"], config["external"]
    if t["enabled"]:
        if t["dt"] > t["tau"]:
            raise ConfigError(f"trained.dt = {t['dt']} must be in (0, trained.tau = {t['tau']}]")
        if not t["pulse_width"] <= t["min_interval"] <= t["pulse_interval"]:
            raise ConfigError(
                f"trained: need pulse_width ({t['pulse_width']}) <= min_interval ({t['min_interval']}) <= "
                f"pulse_interval ({t['pulse_interval']})")
        if t["analysis"]["k"] > t["N"]:
            raise ConfigError(f"trained.analysis.k = {t['analysis']['k']} must be in [1, trained.N = {t['N']}]")
    if e["enabled"] and not e["path"]:
        raise ConfigError("external.path must name a weights file (.npy, .npz or .nc) when external.enabled is true")


#: array backends of the Lyapunov stage that run on a GPU (their jobs request one: workflow/rules/resources.smk)
GPU_BACKENDS = ("cupy",)


def lyapunov_backend(backend: str, N: int, gpu_from_N: int) -> str:
    """Array backend of one Lyapunov job: ``backend`` itself, or for ``"auto"`` ``"cupy"`` from ``N >= gpu_from_N``
    on and ``"numpy"`` below. Decided from the config alone (not from the machine), so that the job's GPU request
    and its backend agree; a job given ``"cupy"`` fails with a clear error where CuPy or a GPU is missing.
    """
    if backend not in ("numpy", "cupy", "auto"):
        raise ConfigError(f"lyapunov.backend must be one of numpy, cupy, auto, got {backend!r}")
    if backend == "auto":
        return "cupy" if int(N) >= int(gpu_from_N) else "numpy"
    return backend


def exponent_count(k: int | str, N: int) -> int:
    """Number of Lyapunov exponents for a network of size ``N``: ``k`` capped at N, or N for ``'all'``."""
    return N if k == "all" else min(int(k), int(N))
