"""The ``fixed_point_pooled`` figure: fixed-point coordinates pooled over many networks of one size against mu*.

Drawn from the pooled files (:func:`rnnchaos.fixed_point_pool.pool_networks`), one row per (g, sigma_b): the pooled
density on a linear and on a logarithmic scale (the tails, where mu* and a Gaussian of the same variance differ
most) beside the Kac-Rice mu* and that Gaussian, and the difference density - mu* with the bin's counting error.
The agreement states, per row, the number of points and networks, the KS distances to mu* and to the Gaussian
with their jackknife errors, and <x*^2> over points and over networks against Kac-Rice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import MODEL_TITLE, Drawing, listed


def _f(ds: xr.Dataset, name: str) -> float:
    return float(ds[name].values.ravel()[0])


def _curve(ds: xr.Dataset, name: str) -> np.ndarray:
    return ds[name].values.reshape(-1, ds.sizes["y"])[0]


def _point(ds: xr.Dataset) -> tuple[float, float, int]:
    return float(ds.g.values[0]), float(ds.sigma_b.values[0]), int(ds.N.values[0])


def fixed_point_pooled(*, model: str, pooled: Sequence[xr.Dataset]) -> Drawing:
    """Per (g, sigma_b): the pooled coordinate density (linear, log) and its difference from mu*."""
    rows = sorted(pooled, key=lambda ds: (_point(ds)[1], _point(ds)[0]))
    fig = Figure(figsize=(12.0, 2.8 * max(len(rows), 1) + 1.2), layout="constrained")
    axes = fig.subplots(max(len(rows), 1), 3, squeeze=False)
    for row, ds in zip(axes, rows, strict=False):
        _row(row, ds)
    handles = {h.get_label(): h for ax in axes.ravel() for h in ax.get_legend_handles_labels()[0]}
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=5, fontsize=7)
    fig.suptitle(f"{MODEL_TITLE[model]}\nfixed-point coordinates pooled over networks against Kac-Rice μ*",
                 fontsize=9)
    if not rows:
        return Drawing(fig, "No pooled fixed points to state.", f"Pooled fixed points of the {model} model: no file.")
    return Drawing(fig, " | ".join(agreement(ds) for ds in rows) + ".", _caption(model, rows))


def _row(row, ds: xr.Dataset) -> None:
    g, sb, N = _point(ds)
    y, width = ds.y.values, float(ds.attrs.get("bin_width", np.diff(ds.y.values[:2])[0]))
    dens, mu, gauss = (_curve(ds, k) for k in ("density", "density_kac_rice", "density_gaussian"))
    n_coords = _f(ds, "n_points") * N
    err = np.sqrt(np.maximum(dens, 0) / max(n_coords * width, 1.0))
    top = np.nan_to_num(np.fmax(dens, mu))
    big = np.flatnonzero(top > 1e-4 * np.nanmax(top)) if np.isfinite(top).any() else np.array([], int)
    for ax, log in zip(row[:2], (False, True), strict=True):
        ax.step(y, dens, where="mid", color="black", lw=0.9, label="pooled coordinates")
        ax.plot(y, mu, color="red", lw=1.0, label="Kac-Rice μ*")
        ax.plot(y, gauss, color="tab:blue", lw=0.9, ls="--", label="Gaussian, same variance")
        if log:
            ax.set_yscale("log")
            ax.set_ylim(max(1e-5, 0.3 / max(n_coords * width, 1.0)), None)
        if big.size:
            ax.set_xlim(y[big[0]], y[big[-1]])
        ax.set_xlabel(r"coordinate $x^*_i$ [1]", fontsize=8)
        ax.set_ylabel("density [1]", fontsize=8)
    row[0].set_title(rf"g = {g:g}, $\sigma_b$ = {sb:g}, N = {N}: {int(_f(ds, 'n_points'))} points, "
                     f"{int(_f(ds, 'n_coordinate_networks'))} networks", fontsize=7)
    row[1].set_title(f"KS to μ* {_pm(ds, 'ks_kac_rice')}, to Gaussian {_pm(ds, 'ks_gaussian')}", fontsize=7)
    ax = row[2]
    ax.fill_between(y, -err, err, step="mid", color="0.8", lw=0, label="+- counting error")
    ax.step(y, dens - mu, where="mid", color="black", lw=0.9, label="pooled - μ*")
    ax.step(y, gauss - mu, where="mid", color="tab:blue", lw=0.8, ls="--", label="Gaussian - μ*")
    ax.axhline(0, color="red", lw=0.8)
    if big.size:
        ax.set_xlim(y[big[0]], y[big[-1]])
    ax.set_xlabel(r"coordinate $x^*_i$ [1]", fontsize=8)
    ax.set_ylabel("density - μ* [1]", fontsize=8)
    ax.set_title(rf"$\langle x^{{*2}}\rangle$ {_pm(ds, 'mean_sq_radius_points')} (points) vs "
                 f"{_f(ds, 'mean_sq_radius_kac_rice'):.4g}", fontsize=7)


def _pm(ds: xr.Dataset, name: str) -> str:
    value, err = _f(ds, name), _f(ds, f"{name}_err")
    return f"{value:.3g} +- {err:.2g}" if np.isfinite(value) else "none"


def agreement(ds: xr.Dataset) -> str:
    """One pooled (g, sigma_b, N) in words: points, KS distances with errors, <x*^2> two ways against Kac-Rice."""
    g, sb, N = _point(ds)
    kr = _f(ds, "mean_sq_radius_kac_rice")
    msq, msq_err = _f(ds, "mean_sq_radius_points"), _f(ds, "mean_sq_radius_points_err")
    q, q_sem = _f(ds, "mean_sq_radius_networks"), _f(ds, "mean_sq_radius_networks_sem")
    z = (msq - kr) / msq_err if msq_err > 0 else float("nan")
    failed = int(_f(ds, "n_failed"))
    return (f"g = {g:g}, sigma_b = {sb:g}, N = {N}: {int(_f(ds, 'n_points'))} points from "
            f"{int(_f(ds, 'n_coordinate_networks'))} networks; KS distance to mu* {_pm(ds, 'ks_kac_rice')} against "
            f"{_pm(ds, 'ks_gaussian')} to a Gaussian of the same variance; <x*^2> = {msq:.4g} +- {msq_err:.2g} over "
            f"points (z = {z:.1f} against Kac-Rice {kr:.4g}), {q:.4g} +- {q_sem:.2g} over networks; near-0 fraction "
            f"{_pm(ds, 'near_zero_fraction')} vs {_f(ds, 'near_zero_fraction_kac_rice'):.3g}"
            + (f"; {failed} failed searches left out" if failed else ""))


def _caption(model: str, rows: Sequence[xr.Dataset]) -> str:
    params = json.loads(rows[0].attrs.get("parameters", "{}"))
    n_init = params.get("n_init")
    sizes = sorted({_point(ds)[2] for ds in rows})
    return (f"Fixed points of the {model} model pooled over networks at N = {listed(sizes)} "
            + (f"({n_init} Newton solves per network, half from Gaussian starts, half deflated) " if n_init else "")
            + "at (g, sigma_b) = " + ", ".join(f"({_point(ds)[0]:g}, {_point(ds)[1]:g})" for ds in rows)
            + "; x* = 0 left out. Columns: the density of all coordinates pooled (linear, log) against the Kac-Rice "
            "mu* and the Gaussian of the pooled variance; the difference from mu* with the counting error of each "
            f"bin ({float(rows[0].attrs.get('bin_width', 0.05)):g} wide). Errors of the KS distances and <x*^2>: "
            f"delete-a-group jackknife over networks ({rows[0].attrs.get('jackknife_groups', '')} groups), since the "
            "coordinates of one network are correlated.")
