"""The ``finite_size`` figure: lambda_max and Delta_inf against 1/N with the extrapolation to N -> infinity.

Drawn from the finite-size stage's files (:mod:`rnnchaos.finite_size`), one row per (g, sigma_b): every network's
value (grey dots; open symbols for networks left out, by attractor class), the means +- SEM over the included
networks, the fit ``A_inf + a/N`` with its one-standard-error band, and the mean-field value at ``1/N = 0``.
The agreement states each z-score and, where ``|z| > Z_TREND``, the per-N means that show the trend; where the
linear form's chi-square rejects it (p < P_REJECT), the quadratic form's value and z-score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from scipy import stats

from rnnchaos.finite_size import SEED_USE
from rnnchaos.plotting_base import CLASS_MARKERS, MODEL_TITLE, RATE_UNIT, Drawing, listed

#: |z| above which the agreement lists the per-N means of an observable.
Z_TREND = 2.0
#: p-value of the linear fit's chi-square below which the agreement calls the form A + a/N rejected and states
#: the form A + a/N + b/N^2 with its z-score (the stage writes both; the linear one stays ``<o>_inf``).
P_REJECT = 0.01
#: Observables drawn (columns) and their axis labels.
DRAWN = {"lambda_max": r"$\lambda_{\max}$", "delta_inf": r"$\Delta_\infty$ (replica overlap)"}
#: Observables stated in the agreement, with their names in text.
STATED = {"lambda_max": "lambda_max", "delta0": "Delta0", "delta_inf": "Delta_inf"}


def _v(ds: xr.Dataset, name: str):
    """A variable of a finite-size file without its length-1 g, sigma_b (and sigma_xi) dimensions."""
    return ds[name].squeeze([d for d in ("g", "sigma_b", "sigma_xi") if d in ds[name].dims], drop=True)


def finite_size(finite_size: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """lambda_max and Delta_inf against 1/N at every (g, sigma_b) with the fit, its band and DMFT at 1/N = 0."""
    rows = sorted(finite_size, key=lambda ds: (float(ds.sigma_b.values[0]), float(ds.g.values[0])))
    fig = Figure(figsize=(7.6, 2.4 * len(rows) + 0.9), layout="constrained")
    axes = fig.subplots(len(rows), len(DRAWN), squeeze=False)
    parts, sizes, seeds = [], set(), 0
    for row, ds in zip(axes, rows, strict=True):
        g, sb = float(ds.g.values[0]), float(ds.sigma_b.values[0])
        sizes.update(int(n) for n in ds.N.values)
        seeds = max(seeds, ds.sizes["seed"])
        for ax, (o, label) in zip(row, DRAWN.items(), strict=True):
            _panel(ax, ds, o, model)
            ax.set_ylabel(f"{label} [{RATE_UNIT[model] if o == 'lambda_max' else '1'}]", fontsize=8)
            ax.set_title(rf"g = {g:g}, $\sigma_b$ = {sb:g}: " + _fit_text(ds, o), fontsize=7.5)
        parts.append(f"g = {g:g}, sigma_b = {sb:g}: " + "; ".join(_statement(ds, o) for o in STATED))
    for ax in axes[-1]:
        ax.set_xlabel(r"$1/N$ [1]")
    for ax in axes.ravel():
        if not ax.get_xlabel():
            ax.set_xlabel(r"$1/N$ [1]", fontsize=7)
    handles = {h.get_label(): h for ax in axes.ravel() for h in ax.get_legend_handles_labels()[0]}
    axes[0, 0].legend(handles.values(), handles.keys(), fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]}\nfinite-size extrapolation to N -> infinity (fit A + a/N)", fontsize=9)
    selection = rows[0].attrs.get("selection", "") if rows else ""
    text = ("Extrapolated A_inf vs mean-field theory, z = (A_inf - DMFT)/sem (networks: "
            f"{selection}): " + " | ".join(parts) + ".") if rows else "No finite-size extrapolation to state."
    caption = (f"Finite-size study of the {model} model: lambda_max (QR method) and the frozen variance Delta_inf "
               f"(overlap of two replicas of each network) against 1/N for N = {listed(sorted(sizes))}, up to {seeds} "
               f"seed(s) per size, at (g, sigma_b) = "
               + ", ".join(f"({float(ds.g.values[0]):g}, {float(ds.sigma_b.values[0]):g})" for ds in rows)
               + ". Grey dots: networks in the fit; open symbols: networks left out (square fixed point, triangle "
               "limit cycle, diamond undecided; where DMFT calls the point chaotic only chaotic networks enter); "
               "black: mean +- SEM over the included networks; line and band: weighted fit A_inf + a/N +- one "
               "standard error; red star: mean-field value at 1/N = 0.")
    return Drawing(fig, text, caption)


def _panel(ax, ds: xr.Dataset, o: str, model: str) -> None:
    inv = 1.0 / ds.N.values.astype(float)
    samples, use = _v(ds, f"{o}_sample"), _v(ds, f"{o}_seed_use")
    x = np.broadcast_to(inv[:, None], samples.shape)
    included = use.values == SEED_USE["included"]
    ax.plot(x[included], samples.values[included], ".", color="0.6", ms=4, label="network (in fit)")
    for name, marker in CLASS_MARKERS.items():
        hit = use.values == SEED_USE[name]
        if hit.any():
            ax.plot(x[hit], samples.values[hit], marker, mfc="none", mec="C1", ms=5,
                    label=f"left out: {name.replace('_', ' ')}")
    mean, sem = _v(ds, f"{o}_mean").values, _v(ds, f"{o}_sem").values
    ax.errorbar(inv, mean, yerr=sem, fmt="o", color="black", ms=4, capsize=2, label="mean +- SEM")
    if int(_v(ds, f"{o}_status")) == 0:
        a, b = float(_v(ds, f"{o}_inf")), float(_v(ds, f"{o}_slope"))
        va, vb = float(_v(ds, f"{o}_inf_sem")) ** 2, float(_v(ds, f"{o}_slope_sem")) ** 2
        cov = float(_v(ds, f"{o}_inf_slope_cov"))
        xs = np.linspace(0.0, inv.max() * 1.05, 50)
        band = np.sqrt(np.maximum(va + 2 * xs * cov + xs**2 * vb, 0.0))
        ax.plot(xs, a + b * xs, color="C0", lw=1.2, label="fit A + a/N")
        ax.fill_between(xs, a + b * xs - band, a + b * xs + band, color="C0", alpha=0.25, lw=0)
    theory = float(_v(ds, f"{o}_dmft"))
    if np.isfinite(theory):
        ax.plot([0.0], [theory], "*", color="red", ms=10, label="DMFT (N -> infinity)")
    ax.set_xlim(left=-0.02 * inv.max())


def _fit_text(ds: xr.Dataset, o: str) -> str:
    if int(_v(ds, f"{o}_status")) != 0:
        return "no fit (" + _status_name(ds, o) + ")"
    return (f"{float(_v(ds, f'{o}_inf')):.4g} ± {float(_v(ds, f'{o}_inf_sem')):.2g}, "
            f"z = {float(_v(ds, f'{o}_z')):.1f}")


def _status_name(ds: xr.Dataset, o: str) -> str:
    attrs = ds[f"{o}_status"].attrs
    names = dict(zip(np.ravel(attrs["flag_values"]).tolist(), attrs["flag_meanings"].split(), strict=True))
    return names[int(_v(ds, f"{o}_status"))]


def _linear_form_rejected(ds: xr.Dataset, o: str) -> str:
    """``"chi2/dof 16 over 3 degrees of freedom, p = 2e-10"`` where the linear fit's chi-square has a p-value below
    P_REJECT (its degrees of freedom: the sizes with >= 2 networks in the fit, less 2), else ``""``."""
    chi2_dof = float(_v(ds, f"{o}_chi2_dof"))
    dof = int(np.sum(_v(ds, f"{o}_n_included").values >= 2)) - 2
    if not (np.isfinite(chi2_dof) and dof > 0):
        return ""
    p = float(stats.chi2.sf(chi2_dof * dof, dof))
    return f"chi2/dof {chi2_dof:.2g} over {dof} degrees of freedom, p = {p:.1g}" if p < P_REJECT else ""


def _statement(ds: xr.Dataset, o: str) -> str:
    """``lambda_max_inf = 0.110 +- 0.001 vs DMFT 0.1125 (z = -1.3, chi2/dof 0.8; networks 4, 4, 3 of 4)``."""
    name = STATED[o]
    n_in = _v(ds, f"{o}_n_included").values
    n_all = n_in + _v(ds, f"{o}_n_excluded").values
    counts = ", ".join(f"{int(a)}/{int(b)}" for a, b in zip(n_in, n_all, strict=True))
    if int(_v(ds, f"{o}_status")) != 0:
        return f"{name}: no fit ({_status_name(ds, o)}; networks in fit {counts} at N = {listed(ds.N.values)})"
    z = float(_v(ds, f"{o}_z"))
    text = (f"{name}(N -> inf) = {float(_v(ds, f'{o}_inf')):.4g} +- {float(_v(ds, f'{o}_inf_sem')):.2g} vs DMFT "
            f"{float(_v(ds, f'{o}_dmft')):.4g} (z = {z:.1f}, chi2/dof {float(_v(ds, f'{o}_chi2_dof')):.2g}; "
            f"networks in fit {counts} at N = {listed(ds.N.values)})")
    quad, quad_sem = float(_v(ds, f"{o}_inf_quad")), float(_v(ds, f"{o}_inf_quad_sem"))
    rejected = _linear_form_rejected(ds, o)
    if np.isfinite(z) and abs(z) > Z_TREND:
        means = _v(ds, f"{o}_mean").values
        text += (", per-N means " + ", ".join(f"{m:.4g}" for m in means) + " against DMFT "
                 f"{float(_v(ds, f'{o}_dmft')):.4g}")
        if np.isfinite(quad) and not rejected:
            text += f", quadratic fit {quad:.4g} +- {quad_sem:.2g}"
    if rejected and np.isfinite(quad):
        text += (f"; the form A + a/N is rejected ({rejected}), and A + a/N + b/N^2 gives {quad:.4g} +- "
                 f"{quad_sem:.2g} (z = {(quad - float(_v(ds, f'{o}_dmft'))) / quad_sem:.1f}")
        if f"{o}_dmft_euler" in ds:
            text += f"; {(quad - float(_v(ds, f'{o}_dmft_euler'))) / quad_sem:.1f} against the Euler map"
        text += ")"
    if f"{o}_dmft_euler" in ds:
        text += (f"; against the mean field of the integrated Euler map {float(_v(ds, f'{o}_dmft_euler')):.4g}: "
                 f"z = {float(_v(ds, f'{o}_z_euler')):.1f}")
    return text

