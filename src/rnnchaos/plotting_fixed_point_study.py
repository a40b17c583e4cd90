"""The ``fixed_point_study`` figure: fixed-point statistics across N against Kac-Rice, one row per (g, sigma_b).

Drawn from the study's files (:func:`rnnchaos.fixed_point_study.study`): ``<x*^2>``, the index fraction and the rms
Jacobian eigenvalue modulus against ``1/N`` (every network, mean +- SEM over networks, the fit ``A_inf + a/N`` with
``A_inf +- SEM`` and the Kac-Rice value at ``1/N = 0``), ``ln E[#]`` against ``N`` with the growth rate fitted over
the saturated sizes beside a line of slope ``Sigma``, and the pooled coordinate density at the largest N against
``mu*``. Sizes whose searches are not saturated are drawn open. The agreement states, per (g, sigma_b), every
extrapolated value with its SEM, Kac-Rice value and z-score, the growth rate against Sigma, the saturation and the
failed searches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import MODEL_TITLE, Drawing, listed

#: Observables drawn against 1/N (columns), with their axis labels.
DRAWN = {"mean_sq_radius": r"$\langle x^{*2}\rangle$", "index_fraction": "index / N",
         "rms_modulus": r"rms $|\mu|$ of $J\,\mathrm{diag}(\phi')$"}
#: Observables stated in the agreement, with their names in text.
STATED = {"mean_sq_radius": "<x*^2>", "near_zero_fraction": "near-0 fraction", "rms_modulus": "rms |mu|",
          "index_fraction": "index fraction"}


def _v(ds: xr.Dataset, name: str) -> np.ndarray:
    """A variable of a study file without its length-1 g and sigma_b dimensions, as an array."""
    return ds[name].squeeze(("g", "sigma_b"), drop=True).values


def _f(ds: xr.Dataset, name: str) -> float:
    return float(_v(ds, name))


def _point(ds: xr.Dataset) -> tuple[float, float]:
    return float(ds.g.values[0]), float(ds.sigma_b.values[0])


def fixed_point_study(*, model: str, study: Sequence[xr.Dataset]) -> Drawing:
    """Per (g, sigma_b): three observables against 1/N with fit and Kac-Rice, ln E[#] against N, the density."""
    rows = sorted(study, key=lambda ds: (_point(ds)[1], _point(ds)[0]))
    fig = Figure(figsize=(14.0, 2.6 * max(len(rows), 1) + 1.3), layout="constrained")
    axes = fig.subplots(max(len(rows), 1), len(DRAWN) + 2, squeeze=False)
    for row, ds in zip(axes, rows, strict=False):
        g, sb = _point(ds)
        for ax, (o, label) in zip(row, DRAWN.items(), strict=False):
            _observable(ax, ds, o)
            ax.set_ylabel(f"{label} [1]", fontsize=8)
            ax.set_xlabel(r"$1/N$ [1]", fontsize=8)
            ax.set_title(rf"g = {g:g}, $\sigma_b$ = {sb:g}: " + _fit_text(ds, o), fontsize=7)
        _count(row[-2], ds)
        _density(row[-1], ds)
    handles = {h.get_label(): h for ax in axes.ravel() for h in ax.get_legend_handles_labels()[0]}
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=6, fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]}\nfixed points across N against Kac-Rice (networks as samples)", fontsize=9)
    if not rows:
        return Drawing(fig, "No fixed-point study to state.", f"Fixed-point study of the {model} model: no file.")
    return Drawing(fig, " | ".join(agreement(ds) for ds in rows) + ".", _caption(model, rows))


def _flags(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """1/N and the mask of the saturated sizes."""
    return 1.0 / ds.N.values.astype(float), _v(ds, "saturated").astype(bool)


def _means(ax, x: np.ndarray, mean: np.ndarray, sem: np.ndarray, saturated: np.ndarray, label: str) -> None:
    """Means +- SEM, filled at saturated sizes, open at the others."""
    for keep, fill, text in ((saturated, "black", label), (~saturated, "white", "unsaturated size")):
        if keep.any():
            ax.errorbar(x[keep], mean[keep], yerr=np.nan_to_num(sem[keep]), fmt="o", color="black", mfc=fill, ms=4,
                        capsize=2, label=text)


def _observable(ax, ds: xr.Dataset, o: str) -> None:
    inv, saturated = _flags(ds)
    samples = _v(ds, f"{o}_sample")
    ax.plot(np.broadcast_to(inv[:, None], samples.shape).ravel(), samples.ravel(), ".", color="0.6", ms=3,
            label="network")
    _means(ax, inv, _v(ds, f"{o}_mean"), _v(ds, f"{o}_sem"), saturated, "mean +- SEM over networks")
    a, b, a_sem = _f(ds, f"{o}_inf"), _f(ds, f"{o}_slope"), _f(ds, f"{o}_inf_sem")
    if np.isfinite(a):
        xs = np.linspace(0.0, inv.max() * 1.05, 50)
        ax.plot(xs, a + b * xs, color="C0", lw=1.2, label="fit A_inf + a/N")
        ax.errorbar([0.0], [a], yerr=[a_sem], fmt="s", color="C0", ms=4, capsize=3, label="A_inf +- SEM")
    theory = _f(ds, f"{o}_kac_rice")
    if np.isfinite(theory):
        ax.plot([0.0], [theory], "*", color="red", ms=10, label="Kac-Rice (N -> infinity)")
    ax.set_xlim(left=-0.04 * inv.max())


def _growth_line(ds: xr.Dataset) -> tuple[np.ndarray, float, float]:
    """The sizes the growth rate was fitted over (saturated, finite ln E[#] and error) and the weighted centroid
    (N, ln E[#]) the weighted least-squares line passes through."""
    N = ds.N.values.astype(float)
    y, e = _v(ds, "log_mean_count"), _v(ds, "log_mean_count_sem")
    use = _v(ds, "saturated").astype(bool) & np.isfinite(y) & np.isfinite(e) & (e > 0)
    sel, w = (use, 1.0 / e[use] ** 2) if use.any() else (np.isfinite(y), np.ones(int(np.isfinite(y).sum())))
    if not sel.any():
        return N[use], float("nan"), float("nan")
    return N[use], float(np.average(N[sel], weights=w)), float(np.average(y[sel], weights=w))


def _count(ax, ds: xr.Dataset) -> None:
    N, (_, saturated) = ds.N.values.astype(float), _flags(ds)
    _means(ax, N, _v(ds, "log_mean_count"), _v(ds, "log_mean_count_sem"), saturated, "ln E[#] (annealed) +- SEM")
    ax.plot(N, _v(ds, "mean_log_count"), "x", color="C2", ms=5, label="<ln #> (quenched)")
    used, nc, yc = _growth_line(ds)
    rate, sigma = _f(ds, "growth_rate"), _f(ds, "complexity")
    xs = np.array([N.min(), N.max()])
    if np.isfinite(rate):
        ax.plot(xs, yc + rate * (xs - nc), color="C0", lw=1.2, label="fitted growth rate (saturated sizes)")
    if np.isfinite(yc):
        ax.plot(xs, yc + sigma * (xs - nc), "--", color="red", lw=1.0, label=r"slope $\Sigma$ (Kac-Rice)")
    ax.set_xlabel(r"$N$ [1]", fontsize=8)
    ax.set_ylabel(r"$\ln E[\#]$ [1]", fontsize=8)
    ax.set_title(f"d ln E[#]/dN = {_pm(rate, _f(ds, 'growth_rate_sem'))} vs Σ = {sigma:.3g}", fontsize=7)


def _density(ax, ds: xr.Dataset) -> None:
    dens = _v(ds, "density_mean")
    have = np.flatnonzero(np.isfinite(dens).all(axis=1))
    y, theory = ds.y.values, _v(ds, "density_kac_rice")
    if have.size:
        k = have[-1]
        mean, sem = dens[k], np.nan_to_num(_v(ds, "density_sem")[k])
        ax.step(y, mean, where="mid", color="black", lw=1.0, label="density, mean over networks")
        ax.fill_between(y, mean - sem, mean + sem, step="mid", color="0.7", lw=0, label="+- SEM")
        ax.set_title(f"N = {int(ds.N.values[k])}: KS distance to μ* {float(_v(ds, 'ks_pooled')[k]):.3f} "
                     "(pooled)", fontsize=7)
    else:
        ax.set_title("no point other than x* = 0", fontsize=7)
    if np.isfinite(theory).any():
        ax.plot(y, theory, color="red", lw=1.0, label="Kac-Rice μ*")
    curves = [c for c in (dens[have[-1]] if have.size else None, theory) if c is not None and np.isfinite(c).any()]
    if curves:
        top = np.nan_to_num(np.nanmax(np.vstack(curves), axis=0))
        big = np.flatnonzero(top > 1e-3 * top.max())
        if big.size:
            ax.set_xlim(y[big[0]], y[big[-1]])
    ax.set_xlabel(r"coordinate $x^*_i$ [1]", fontsize=8)
    ax.set_ylabel("density [1]", fontsize=8)


def _pm(value: float, sem: float) -> str:
    return f"{value:.4g} +- {sem:.2g}" if np.isfinite(value) else "not fitted"


def _fit_text(ds: xr.Dataset, o: str) -> str:
    a = _f(ds, f"{o}_inf")
    if not np.isfinite(a):
        return "not extrapolated"
    return f"{_pm(a, _f(ds, f'{o}_inf_sem'))} vs {_f(ds, f'{o}_kac_rice'):.4g}, z = {_f(ds, f'{o}_z'):.1f}"


def _statement(ds: xr.Dataset, o: str) -> str:
    a, theory = _f(ds, f"{o}_inf"), _f(ds, f"{o}_kac_rice")
    if not np.isfinite(a):
        return f"{STATED[o]}: not extrapolated (fewer than 3 sizes with 2 networks holding a value)"
    text = f"{STATED[o]}(N -> inf) = {_pm(a, _f(ds, f'{o}_inf_sem'))} vs Kac-Rice {theory:.4g}"
    z = _f(ds, f"{o}_z")
    return text + (f" (z = {z:.1f}, chi2/dof {_f(ds, f'{o}_chi2_dof'):.2g})" if np.isfinite(z) else " (no z-score)")


def agreement(ds: xr.Dataset) -> str:
    """One (g, sigma_b) of the study in words: extrapolations against Kac-Rice, the growth rate against Sigma,
    the saturation and the failed searches."""
    g, sb = _point(ds)
    N, saturated = ds.N.values, _v(ds, "saturated").astype(bool)
    used, _, _ = _growth_line(ds)
    rate, sigma, gz = _f(ds, "growth_rate"), _f(ds, "complexity"), _f(ds, "growth_z")
    growth = (f"d ln E[#]/dN = {_pm(rate, _f(ds, 'growth_rate_sem'))} over N = {listed(used)} vs Sigma = "
              f"{sigma:.4g}" + (f" (z = {gz:.1f})" if np.isfinite(gz) else "")
              if np.isfinite(rate) else f"no growth rate (fewer than 2 saturated sizes; Sigma = {sigma:.4g})")
    sat = (f"searches saturated at N = {listed(N[saturated])}" if saturated.any() else "no size saturated") + (
        f", not at N = {listed(N[~saturated])}" if (~saturated).any() else "")
    failed = _v(ds, "n_failed") if "n_failed" in ds else np.zeros(N.size)
    n_net = ds.sizes["seed"]
    fails = ("; failed searches (NaN, left out): " + ", ".join(
        f"{int(f)} of {n_net} at N = {int(n)}" for f, n in zip(failed, N, strict=True) if f > 0)
             if np.any(failed > 0) else "")
    return (f"g = {g:g}, sigma_b = {sb:g}: " + "; ".join(_statement(ds, o) for o in STATED) + f"; {growth}; {sat}"
            + _missed(ds) + fails)


def _missed(ds: xr.Dataset) -> str:
    """Where ln E[#] grows from one size to the next by less than ``Sigma`` per unit, by more than 2 SEM: the searches
    miss points from there on, whatever capture-recapture says (a lower bound where points differ in how easily
    they are found), and the statistics there are those of the points found. (The count's prefactor is O(1) in N,
    so the growth between two sizes tends to Sigma; at small N it may differ, which is why this is a warning, not a
    failure.)"""
    sigma = _f(ds, "complexity")
    if not sigma > 0:
        return ""
    N, ln, sem = ds.N.values, _v(ds, "log_mean_count"), _v(ds, "log_mean_count_sem")
    short = []
    for i in range(N.size - 1):
        dN = float(N[i + 1] - N[i])
        rate, err = (ln[i + 1] - ln[i]) / dN, np.hypot(sem[i], sem[i + 1]) / dN
        if np.isfinite(rate) and rate + 2 * err < sigma:
            short.append(f"{rate:.4f} +- {err:.4f} per unit from N = {int(N[i])} to {int(N[i + 1])}")
    if not short:
        return ""
    return (f"; the count grows by less than Sigma = {sigma:.4g} ({'; '.join(short)}): the searches miss points "
            "there, so those sizes describe the points found, not all points")


def _caption(model: str, rows: Sequence[xr.Dataset]) -> str:
    params = json.loads(rows[0].attrs.get("parameters", "{}"))
    n_init = params.get("n_init")
    solves = f"{n_init} Newton solves per network" if n_init is not None else "Newton solves per network"
    sizes = sorted({int(n) for ds in rows for n in ds.N.values})
    return (f"Fixed-point study of the {model} model: N = {listed(sizes)}, {rows[0].sizes['seed']} networks per "
            f"size, {solves} (half from Gaussian starts, half deflated), at (g, sigma_b) = "
            + ", ".join(f"({_point(ds)[0]:g}, {_point(ds)[1]:g})" for ds in rows)
            + f"; a search is saturated where it found at least {params.get('min_completeness', 0.9):g} of its "
            "capture-recapture count. Columns: <x*^2>, index fraction and rms Jacobian eigenvalue modulus against "
            "1/N (grey: networks; black: mean +- SEM over networks, open where a size is not saturated; blue: fit "
            "A_inf + a/N and A_inf +- SEM; red star: Kac-Rice); ln E[#] (log of the mean capture-recapture count) "
            "against N with the growth rate fitted over the saturated sizes and a line of slope Sigma (crosses: "
            "quenched <ln #>); the pooled coordinate density at the largest N against the Kac-Rice mu*.")
