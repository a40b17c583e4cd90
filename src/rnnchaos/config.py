"""Checks of a pipeline configuration that a JSON schema cannot express, and the grid's value formatting.

The schema (``workflow/schemas/config.schema.yaml``) types and ranges every key; :func:`check_config` adds the
cross-key constraints (``k <= min(N)``, ``tau_max < t_sim / n_blocks``, ...). Both run when the Snakefile is parsed,
before any job, and both name the offending key and its allowed range.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class ConfigError(ValueError):
    """An invalid configuration; the message names the key and the allowed range."""


def format_value(x: float) -> str:
    """Canonical text of a grid value for paths and wildcards: ``1``, ``1.0`` and ``1.00`` all give ``"1"``.

    Ten significant digits, positional notation, no trailing zeros (``0.5``, ``2``, ``0.001``).
    """
    x = float(x)
    if not np.isfinite(x):
        raise ConfigError(f"grid value must be finite, got {x!r}")
    return np.format_float_positional(float(f"{x:.10g}"), trim="-")


def check_config(config: Mapping) -> None:
    """Raise :class:`ConfigError` on the first cross-key inconsistency of a schema-validated config."""
    for key in ("g", "sigma_b"):
        texts = [format_value(v) for v in config[key]]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"{key}: values must be distinct to 10 significant digits, got {config[key]}")
    n_min = min(config["N"])
    sim, lyap = config["simulate"], config["lyapunov"]
    if isinstance(lyap["k"], int) and lyap["k"] > n_min:
        raise ConfigError(f"lyapunov.k = {lyap['k']} must be in [1, min(N) = {n_min}] (or 'all')")
    if sim["n_units_stored"] > n_min:
        raise ConfigError(f"simulate.n_units_stored = {sim['n_units_stored']} must be in [0, min(N) = {n_min}]")
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
    if lyap["t_ons"] < lyap["dt"] and "rate" in config["model"]:
        raise ConfigError(f"lyapunov.t_ons = {lyap['t_ons']} must be >= lyapunov.dt = {lyap['dt']}")
    if "map" in config["model"] and abs(lyap["t_ons"] - round(lyap["t_ons"])) > 1e-9:
        raise ConfigError(f"lyapunov.t_ons = {lyap['t_ons']} must be a whole number of steps (>= 1) for the map")
    _check_trained(config)
    for model in config["model"]:
        if not qr_intervals(config["paper"]["t_ons"], model, lyap["dt"]):
            raise ConfigError(
                f"paper.t_ons = {config['paper']['t_ons']} has no interval usable by the {model} model "
                f"(>= lyapunov.dt for the rate network, whole numbers >= 1 for the map)")
    if lyap["t_sim"] < lyap["n_batches"] * lyap["t_ons"]:
        raise ConfigError(
            f"lyapunov.t_sim = {lyap['t_sim']} must be >= n_batches * t_ons = {lyap['n_batches'] * lyap['t_ons']:g}")


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


def qr_intervals(values, model: str, dt: float) -> list[float]:
    """QR intervals of the t_ons study usable by the model: >= dt (rate network), whole steps (map)."""
    if model == "map":
        return [v for v in values if v >= 1 and abs(v - round(v)) < 1e-9]
    return [v for v in values if v >= dt - 1e-12]


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
