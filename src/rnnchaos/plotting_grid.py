"""Figures of the grid (config key ``figures``), drawn from the summary Dataset and the theory files:
Delta(tau) against DMFT, Lyapunov spectra, fixed-point coordinates against Kac-Rice (``phase_diagram`` and
``lambda_max_vs_g`` are in :mod:`rnnchaos.plotting_phase`); registered in :data:`rnnchaos.figures.FIGURES`.

Each ``<name>(summary, ..., model=)`` returns a :class:`rnnchaos.plotting_base.Drawing` (matplotlib, no pyplot
state). Simulation values are means over seeds with their standard error (SEM, ``ddof=1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import (
    MODEL_TITLE,
    RATE_UNIT,
    TIME_UNIT,
    Drawing,
    curve_colours,
    delta0_agreement,
    listed,
    seed_stats,
)
from rnnchaos.status import NOT_COMPUTED


def autocorrelation(summary: xr.Dataset, *, model: str) -> Drawing:
    """Delta(tau): simulation at the largest N (mean +- SEM over seeds) against DMFT, one colour per g."""
    s = summary.sel(N=summary.N.max())
    sigmas = s.sigma_b.values
    fig = Figure(figsize=(3.6 * len(sigmas) + 0.6, 3.6), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    colours = curve_colours(len(s.g))
    for ax, sb in zip(axes, sigmas, strict=True):
        for c, g in zip(colours, s.g.values, strict=True):
            p = s.sel(sigma_b=sb, g=g)
            mean, sem, _ = seed_stats(p["sim_delta"], p["sim_status"])
            if np.isfinite(mean.values).any():
                ax.errorbar(p.tau.values, mean.values, yerr=sem.values, fmt="o", ms=2.5, color=c, capsize=0,
                            label=f"g = {g:g}")
            if "dmft_delta" in p and int(p["dmft_status"]) == 0:
                ax.plot(p.tau_dmft.values, p["dmft_delta"].values, color=c, lw=1.2)
        ax.set_xlabel(rf"lag $\tau$ [{TIME_UNIT[model]}]")
        ax.set_title(rf"$\sigma_b$ = {sb:g} (lines: DMFT)", fontsize=9)
    axes[0].set_ylabel(r"$\Delta(\tau)$ [1]")
    axes[0].legend(fontsize=7, ncols=2)
    fig.suptitle(f"{MODEL_TITLE[model]}\nautocorrelation, N = {int(s.N)}", fontsize=9)
    caption = (f"Population autocorrelation Delta(tau) of the {model} model at N = {int(s.N)}: simulation (dots, "
               f"mean +- SEM over {s.sizes['seed']} seed(s)) and dynamical mean-field theory (lines) for "
               f"g = {listed(s.g.values)}, one panel per sigma_b in {listed(sigmas)}.")
    return Drawing(fig, delta0_agreement(s), caption)


def lyapunov_spectrum(summary: xr.Dataset, *, model: str) -> Drawing:
    """Lyapunov spectra: lambda_i vs i/N for each N at the largest g, and vs i for each g at the largest N."""
    sb = summary.sigma_b.values[0]
    s = summary.sel(sigma_b=sb)
    fig = Figure(figsize=(8.2, 3.6), layout="constrained")
    ax_n, ax_g = fig.subplots(1, 2)
    gmax = s.g.values.max()
    for n in s.N.values:
        p = s.sel(g=gmax, N=n)
        mean, sem, _ = seed_stats(p["lyap_exponent"], p["lyap_status"])
        i = p.i.values
        ax_n.errorbar(i / n, mean.values, yerr=sem.values, fmt="-", lw=1, label=f"N = {int(n)}")
    ax_n.set_xlabel(r"$i/N$ [1]")
    ax_n.set_title(rf"g = {gmax:g}, $\sigma_b$ = {sb:g}", fontsize=9)
    for c, g in zip(curve_colours(len(s.g)), s.g.values, strict=True):
        p = s.sel(g=g, N=s.N.max())
        mean, _, _ = seed_stats(p["lyap_exponent"], p["lyap_status"])
        ax_g.plot(p.i.values, mean.values, "-", color=c, lw=1, label=f"g = {g:g}")
    ax_g.set_xlabel(r"index $i$ [1]")
    ax_g.set_title(rf"N = {int(s.N.max())}, $\sigma_b$ = {sb:g}", fontsize=9)
    for ax in (ax_n, ax_g):
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.set_ylabel(rf"$\lambda_i$ [{RATE_UNIT[model]}]")
        ax.legend(fontsize=7)
    fig.suptitle(f"{MODEL_TITLE[model]}\nLyapunov spectrum (QR method, mean over seeds)", fontsize=9)
    lam, sem, _ = seed_stats(s["lyap_lambda_max"].sel(g=gmax), s["lyap_status"].sel(g=gmax))
    text = "At g = {:g}: lambda_1 = {} for N = {}.".format(
        gmax, ", ".join(f"{float(m):.4f} +- {float(e):.4f}" for m, e in zip(lam.values, sem.values, strict=True)),
        ", ".join(str(int(n)) for n in s.N.values))
    caption = (f"Lyapunov spectra of the {model} model (first {s.sizes['i']} exponents, QR method, mean over "
               f"{s.sizes['seed']} seed(s), sigma_b = {sb:g}): lambda_i against i/N for N = {listed(s.N.values)} "
               f"at g = {gmax:g} (left), and against i for g = {listed(s.g.values)} at N = {int(s.N.max())} "
               f"(right).")
    return Drawing(fig, text, caption)


def fixed_point_coordinates(summary: xr.Dataset, kac_rice: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """Density of fixed-point coordinates (pooled over seeds, largest N) against the Kac-Rice density mu*(y)."""
    s = summary.sel(N=summary.N.max(), sigma_b=summary.sigma_b.values[0])
    gs = s.g.values
    fig = Figure(figsize=(2.9 * len(gs) + 0.6, 3.2), layout="constrained")
    axes = fig.subplots(1, len(gs), squeeze=False)[0]
    theory = {(round(float(ds.g.values.ravel()[0]), 12), round(float(ds.sigma_b.values.ravel()[0]), 12)): ds
              for ds in kac_rice}
    width = float(np.diff(s.y.values[:2])[0])
    parts = []
    for ax, g in zip(axes, gs, strict=True):
        p = s.sel(g=g)
        ok = p["fp_status"] == 0
        n_ok, n_failed = int(ok.sum()), int((~ok & (p["fp_status"] != NOT_COMPUTED)).sum())
        counts = p["fp_coordinate_counts"].where(ok).sum("seed")  # points other than x* = 0 (rnnchaos.summary)
        total = float(counts.sum())
        n_other = int(p["fp_n_nontrivial"].where(ok).sum())
        th = theory.get((round(float(g), 12), round(float(p.sigma_b), 12)))
        th = th if th is not None and int(th["status"].values.ravel()[0]) == 0 else None
        th_radius = float(th["mean_sq_radius"].values.ravel()[0]) if th is not None else np.nan
        unique = th_radius == 0.0  # Kac-Rice trivial branch (g <= g_c at sigma_b = 0): x* = 0 is the only point
        if total > 0:
            ax.bar(p.y.values, counts.values / (total * width), width=width, color="0.7",
                   label=f"{n_other} fixed points other than $x^*=0$")
        note = ("only $x^*=0$ (unique)" if unique else "only $x^*=0$ found") if n_ok and total == 0 else (
            "" if n_ok else "no successful search")
        if n_failed:
            note += f"\n{n_failed} of {n_ok + n_failed} searches failed"
        if note:
            ax.text(0.5, 0.6, note.strip(), transform=ax.transAxes, ha="center", va="center", fontsize=8)
        if th is not None and "mu" in th and not unique:  # the trivial branch's mu* is the point mass at 0
            mu = th["mu"].squeeze(drop=True)
            ax.plot(mu["y"].values, mu.values, color="black", lw=1.2, label=r"Kac-Rice $\mu_*(y)$")
        ax.set_xlim(-4, 4)
        ax.set_xlabel(r"coordinate $x^*_i$ [1]")
        ax.set_title(f"g = {g:g}", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        found, _, _ = seed_stats(p["fp_mean_sq_radius"].where(p["fp_n_nontrivial"] > 0), p["fp_status"])
        if total > 0 and th is not None and np.isfinite(float(found)):
            parts.append(f"g = {g:g}: {float(found):.3f} vs {th_radius:.3f}")
        elif n_ok and total == 0:
            parts.append(f"g = {g:g}: only x* = 0, " + ("unique as Kac-Rice predicts" if unique else "found"))
        if n_failed:
            parts.append(f"g = {g:g}: {n_failed} of {n_ok + n_failed} searches failed")
    axes[0].set_ylabel("density [1]")
    fig.suptitle(rf"{MODEL_TITLE[model]}" "\n" r"coordinates of the fixed points $x^*\neq 0$" "\n"
                 rf"N = {int(s.N)}, $\sigma_b$ = {float(s.sigma_b):g}", fontsize=9)
    text = ("Mean squared coordinate <x*^2> of the fixed points other than x* = 0 (left out of the histograms, "
            "as of mu* and its <x*^2>) vs Kac-Rice: " + "; ".join(parts) + "."
            if parts else "No fixed points with a Kac-Rice solution to compare.")
    caption = (f"Histogram of the coordinates x*_i of the fixed points other than x* = 0 found in the {model} model "
               f"(Newton solves and homotopy paths, pooled over {s.sizes['seed']} seed(s)) at N = {int(s.N)}, "
               f"sigma_b = {float(s.sigma_b):g}, one panel per g in {listed(gs)}, against the Kac-Rice density "
               f"mu*(y) of fixed-point coordinates (line), which leaves x* = 0 out too; where x* = 0 is the only "
               f"point (g <= g_c), the panel says so.")
    return Drawing(fig, text, caption)

