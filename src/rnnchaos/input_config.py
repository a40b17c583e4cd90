"""The ``input`` config section (a network driven by a deterministic input, :mod:`rnnchaos.input_study`): its
drives, its result files, and the checks a schema cannot express.

Files (under the results root of the nonlinearity):

* ``driven/<model>/g~<g>/sigma_b~<sigma_b>/<drive>/amplitude~<A>/N~<N>/seed~<seed>.nc``: one network along one
  signal, ``<drive>`` = ``frequency~<f>`` (sinusoid) or ``file``;
* ``driven/<model>/g~<g>/sigma_b~<sigma_b>.nc``: the networks of one (model, g, sigma_b) pooled;
* ``driven/<model>/g~<g>/sigma_b~<sigma_b>/constant_input/N~<N>/seed~<seed>.nc``: fixed points under the constant
  inputs ``input.fixed_point_inputs`` (none if the list is empty).

:func:`check_input` raises :class:`rnnchaos.grid.ConfigError` naming the key: times that are no whole multiple of
the step, ``t_sim`` shorter than ``n_batches`` QR intervals, ``k`` above the smallest ``N``, values equal once
formatted for paths, and for ``signal: file`` a missing file, one of the wrong shape or with non-finite entries
(loaded here, at parse time), a ``file_dt`` that is no whole multiple of the step, or a file shorter than the run.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path

from rnnchaos.grid import ConfigError, config_root, format_value
from rnnchaos.periodic_input import hold_ratio, load_samples

#: the signals of the section (key ``input.signal``)
SIGNALS = ("sinusoid", "file")


def drive_name(signal: str, frequency: float | None = None) -> str:
    """The path segment of one drive: ``frequency~<f>`` (sinusoid; ``f`` as formatted for paths) or ``file``."""
    if signal not in SIGNALS:
        raise ValueError(f"input.signal must be one of {SIGNALS}, got {signal!r}")
    return "file" if signal == "file" else f"frequency~{format_value(frequency)}"


def drives(section: Mapping) -> list[tuple[str, float | None]]:
    """(path segment, frequency or None) of every drive of the section: one per frequency, or the file."""
    if section["signal"] == "file":
        return [("file", None)]
    return [(drive_name("sinusoid", f), float(f)) for f in section["frequency"]]


def time_step(section: Mapping, model: str) -> float:
    """The step of ``model``: ``input.dt`` (rate), 1 (map)."""
    return float(section["dt"]) if model == "rate" else 1.0


def pooled_paths(config: Mapping, model: str) -> list[str]:
    """The pooled file of every (g, sigma_b) of the section for ``model`` (none unless enabled and ``model`` is
    one of its models)."""
    s = config["input"]
    if not s["enabled"] or model not in s["model"]:
        return []
    return [f"{config_root(config)}/driven/{model}/g~{format_value(g)}/sigma_b~{format_value(b)}.nc"
            for g, b in itertools.product(s["g"], s["sigma_b"])]


def constant_input_paths(config: Mapping) -> list[str]:
    """The constant-input fixed-point file of every network of the section (none unless enabled and
    ``fixed_point_inputs`` is non-empty)."""
    s = config["input"]
    if not (s["enabled"] and s["fixed_point_inputs"]):
        return []
    return [f"{config_root(config)}/driven/{m}/g~{format_value(g)}/sigma_b~{format_value(b)}/constant_input/"
            f"N~{n}/seed~{k}.nc"
            for m, g, b, n, k in itertools.product(s["model"], s["g"], s["sigma_b"], s["N"], range(s["seeds"]))]


def wanted(config: Mapping) -> list[str]:
    """The models whose ``periodic_suppression`` figure is drawn: the section's, where it is enabled."""
    s = config["input"]
    return list(s["model"]) if s["enabled"] else []


def _multiple(value: float, step: float, key: str, unit: str) -> int:
    n = value / step
    if not (math.isfinite(n) and n >= 0 and abs(n - round(n)) <= 1e-9 * max(1.0, n)):
        raise ConfigError(f"input.{key} = {value!r} must be a whole multiple >= 0 of the step {step:g} ({unit})")
    return round(n)


def check_input(config: Mapping) -> None:
    """The section's cross-key constraints (module docstring), checked whether or not it is enabled (the file
    only where ``signal: file`` and enabled)."""
    s = config.get("input")
    if not s:
        return
    for key in ("g", "sigma_b", "amplitude", "frequency"):
        texts = [format_value(v, f"input.{key}") for v in s[key]]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"input.{key}: values must be distinct to 10 significant digits, got {list(s[key])}")
    if s["k"] > min(s["N"]):
        raise ConfigError(f"input.k = {s['k']} must be in [1, min(input.N) = {min(s['N'])}]")
    for model in s["model"]:
        h = time_step(s, model)
        unit = "input.dt for the rate network" if model == "rate" else "1 for the map"
        steps = {key: _multiple(s[key], h, key, unit) for key in ("t_transient", "t_transient_tangent", "t_sim",
                                                                  "t_ons")}
        if steps["t_ons"] < 1:
            raise ConfigError(f"input.t_ons = {s['t_ons']!r} must be >= the step {h:g} ({unit})")
        if steps["t_sim"] < s["n_batches"] * steps["t_ons"]:
            raise ConfigError(f"input.t_sim = {s['t_sim']!r} must be >= n_batches * t_ons = "
                              f"{s['n_batches'] * s['t_ons']:g} (one QR interval per batch at least)")
        if s["signal"] == "file":
            try:
                m = hold_ratio(s["file_dt"], h)
            except ValueError as err:
                raise ConfigError(str(err)) from None
            if s["enabled"]:
                samples = load_file(s)
                total = sum(steps[key] for key in ("t_transient", "t_transient_tangent", "t_sim"))
                if samples.shape[0] * m < total:
                    raise ConfigError(
                        f"input.file = {s['file']!r}: {samples.shape[0]} samples at input.file_dt = {s['file_dt']:g} "
                        f"cover {samples.shape[0] * s['file_dt']:g} time units of the {model} network; the run needs "
                        f"{total * h:g} (input.t_transient + t_transient_tangent + t_sim)")


def load_file(section: Mapping):
    """The samples (T x channels) of ``input.file``; :class:`ConfigError` naming the key for a missing path, a
    file that does not exist, the wrong shape or non-finite entries."""
    path = section.get("file")
    if not path:
        raise ConfigError("input.file: missing; signal: file needs the path of a .npy file (T, input.channels)")
    if not Path(path).is_file():
        raise ConfigError(f"input.file = {path!r}: no such file")
    try:
        return load_samples(path, channels=section["channels"])
    except ValueError as err:
        raise ConfigError(str(err)) from None
