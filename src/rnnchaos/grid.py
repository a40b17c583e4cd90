"""The grid of a configuration: canonical values for paths, per-stage sizes, seeds and settings, and the paths of
the results tree.

:func:`format_value` names grid values in paths and wildcards; :func:`stage_sizes`, :func:`stage_seeds` and
:func:`stage_settings` read a stage's own grid; :func:`results_root`, :func:`point_files`, :func:`theory_files`,
:func:`g_sweep_paths`, :func:`kac_rice_paths`, :func:`finite_size_paths`, :func:`fixed_point_study_paths` and
:func:`fixed_point_pool_paths` are the
result files the workflow's rules and the figure registry (:mod:`rnnchaos.figures`) name: the noise amplitude
``sigma_xi~<value>`` follows ``sigma_b~<value>`` in every path whose result depends on it (simulate, lyapunov,
fixed_points, dmft, finite_size), never in the network's or the Kac-Rice theory's (the noise-free fixed points).
Below :mod:`rnnchaos.config` (which checks configs) and :mod:`rnnchaos.figures`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import numpy as np


class ConfigError(ValueError):
    """An invalid configuration; the message names the key and the allowed range."""


def format_value(x: float, key: str = "grid value") -> str:
    """Canonical text of a grid value for paths and wildcards: ``1``, ``1.0`` and ``1.00`` all give ``"1"``.

    Ten significant digits, positional notation, no trailing zeros (``0.5``, ``2``, ``0.001``). ``key`` names the
    value in the error raised for NaN or +-inf.
    """
    x = float(x)
    if not np.isfinite(x):
        raise ConfigError(f"{key} must be a finite number, got {x!r}")
    return np.format_float_positional(float(f"{x:.10g}"), trim="-")


# --- per-stage sizes and seeds ------------------------------------------------------------------------------------
#: Stages with their own optional ``N`` (a subset of the grid's) and ``seeds`` (at most the grid's).
GRID_STAGES = ("simulate", "lyapunov", "fixed_points")
#: Fewest sizes of a finite-size extrapolation (the finite_size stage and figure; rnnchaos.finite_size.MIN_SIZES).
FINITE_SIZE_MIN_SIZES = 3


def stage_sizes(config: Mapping, stage: str) -> list[int]:
    """The sizes a stage computes, in the grid's order: ``<stage>.N`` where given, else the grid's ``N``."""
    own = config[stage].get("N")
    return [int(n) for n in config["N"] if own is None or n in own]


def stage_seeds(config: Mapping, stage: str) -> int:
    """The number of seeds a stage computes (seeds 0 .. n-1): ``<stage>.seeds`` where given, else the grid's."""
    own = config[stage].get("seeds")
    return int(config["seeds"] if own is None else own)


def stage_settings(config: Mapping, stage: str) -> dict:
    """A stage's section without its grid keys ``N`` and ``seeds``: the settings its library call takes."""
    return {k: v for k, v in config[stage].items() if k not in ("N", "seeds")}


def finite_size_stages(config: Mapping) -> list[str]:
    """The stages with at least :data:`FINITE_SIZE_MIN_SIZES` sizes (lambda_max: lyapunov; Delta0, Delta_inf:
    simulate); the finite_size stage runs when one of them has."""
    return [s for s in ("simulate", "lyapunov") if len(stage_sizes(config, s)) >= FINITE_SIZE_MIN_SIZES]


def qr_intervals(values, model: str, dt: float) -> list[float]:
    """QR intervals of the t_ons study usable by the model: >= dt (rate network), whole steps (map)."""
    if model == "map":
        return [v for v in values if v >= 1 and abs(v - round(v)) < 1e-9]
    return [v for v in values if v >= dt - 1e-12]


def results_root(nonlinearity: str = "tanh") -> str:
    """The folder of every result that depends on the nonlinearity: ``results`` for tanh (the default, today's
    tree) and ``results/phi~<name>`` for any other, so that results of different nonlinearities never overwrite
    each other (the network disorder, which does not depend on it, stays in ``results/network``)."""
    return "results" if nonlinearity == "tanh" else f"results/phi~{nonlinearity}"


# --- paths of the results tree ------------------------------------------------------------------------------------
#: A per-grid-point file of a stage, under the results folder ``root``.
POINT = "{root}/{stage}/{model}/g~{g}/sigma_b~{sigma_b}/sigma_xi~{sigma_xi}/N~{N}/seed~{seed}.nc"
#: A per-(g, sigma_b, sigma_xi) file of a theory or N -> infinity stage (dmft, finite_size), under ``root``.
THEORY_POINT = "{root}/{stage}/{model}/g~{g}/sigma_b~{sigma_b}/sigma_xi~{sigma_xi}.nc"
#: A dense mean-field sweep in g at one (sigma_b, sigma_xi), under ``root``.
G_SWEEP = "{root}/dmft/{model}/g_sweep/sigma_b~{sigma_b}/sigma_xi~{sigma_xi}.nc"
#: The grid keys of the per-point paths, in path order (the noise amplitude follows the bias spread).
PATH_KEYS = ("g", "sigma_b", "sigma_xi")


def config_root(config: Mapping) -> str:
    """The results folder of a config's nonlinearity (:func:`results_root`)."""
    return results_root(config.get("nonlinearity", "tanh"))


def grid_values(config: Mapping, key: str) -> list[str]:
    """The formatted values of a grid key (``g``, ``sigma_b`` or ``sigma_xi``; a config without ``sigma_xi`` is
    noise-free: ``["0"]``), in the config's order."""
    values = config.get("sigma_xi", [0.0]) if key == "sigma_xi" else config[key]
    return [format_value(v, key) for v in values]


def point_files(config: Mapping, stage: str, model: str, gs: Iterable[str], sigma_bs: Iterable[str],
                sigma_xis: Iterable[str], sizes: Iterable[int], seeds: Iterable[int]) -> list[str]:
    """The per-point files of one stage and model on the product of the given values (formatted g, sigma_b,
    sigma_xi)."""
    root = config_root(config)
    return [POINT.format(root=root, stage=stage, model=model, g=g, sigma_b=s, sigma_xi=x, N=n, seed=k)
            for g, s, x, n, k in itertools.product(gs, sigma_bs, sigma_xis, sizes, seeds)]


def theory_files(config: Mapping, stage: str, model: str, gs: Iterable[str] | None = None,
                 sigma_xis: Iterable[str] | None = None) -> list[str]:
    """The per-(g, sigma_b, sigma_xi) files of a theory or extrapolation stage (dmft, finite_size) of one model:
    every sigma_b of the grid, and the given formatted g and sigma_xi (default: the grid's)."""
    root = config_root(config)
    gs = grid_values(config, "g") if gs is None else gs
    sigma_xis = grid_values(config, "sigma_xi") if sigma_xis is None else sigma_xis
    return [THEORY_POINT.format(root=root, stage=stage, model=model, g=g, sigma_b=s, sigma_xi=x)
            for g, s, x in itertools.product(gs, grid_values(config, "sigma_b"), sigma_xis)]


def g_sweep_paths(config: Mapping, model: str, sigma_xis: Iterable[str] | None = None) -> list[str]:
    """The dense mean-field sweeps in g of one model (rule dmft_g_sweep), one per sigma_b of the grid and per
    given formatted sigma_xi (default: the grid's)."""
    root = config_root(config)
    sigma_xis = grid_values(config, "sigma_xi") if sigma_xis is None else sigma_xis
    return [G_SWEEP.format(root=root, model=model, sigma_b=s, sigma_xi=x)
            for s, x in itertools.product(grid_values(config, "sigma_b"), sigma_xis)]


def kac_rice_paths(config: Mapping) -> list[str]:
    """Kac-Rice theory for every (g, sigma_b) of the grid (model independent: same fixed points)."""
    root = config_root(config)
    return [f"{root}/kac_rice/g~{g}/sigma_b~{s}.nc"
            for g, s in itertools.product(grid_values(config, "g"), grid_values(config, "sigma_b"))]


def finite_size_paths(config: Mapping, model: str, sigma_xis: Iterable[str] | None = None) -> list[str]:
    """The extrapolations to N -> infinity of one model, one file per (g, sigma_b, sigma_xi) (the given formatted
    sigma_xi, default the grid's); none unless simulate or lyapunov computes at least
    :data:`FINITE_SIZE_MIN_SIZES` sizes (:func:`finite_size_stages`)."""
    if not finite_size_stages(config):
        return []
    return theory_files(config, "finite_size", model, sigma_xis=sigma_xis)


def fixed_point_study_paths(config: Mapping, model: str) -> list[str]:
    """The fixed-point study's file of every (g, sigma_b) of its section, for one model; none unless the section
    is enabled (``fixed_point_study.enabled``)."""
    section = config["fixed_point_study"]
    if not section["enabled"]:
        return []
    root = config_root(config)
    return [f"{root}/fixed_point_study/{model}/g~{format_value(g)}/sigma_b~{format_value(s)}.nc"
            for g, s in itertools.product(section["g"], section["sigma_b"])]


def fixed_point_pool_paths(config: Mapping, model: str) -> list[str]:
    """The pooled fixed points of every ``[g, sigma_b]`` of ``fixed_point_study.pooled.points``, for one model; none
    unless the section is enabled."""
    section = config["fixed_point_study"]
    if not section["enabled"]:
        return []
    pooled, root = section["pooled"], config_root(config)
    return [f"{root}/fixed_point_study/{model}/g~{format_value(g)}/sigma_b~{format_value(s)}/pooled_N~{pooled['N']}.nc"
            for g, s in pooled["points"]]
