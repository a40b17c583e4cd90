"""Figures of the paper studies (config section ``paper``): each states a published claim with theory and
simulation side by side, and writes the agreement into its legend.

* ``scs_autocorrelation`` — Sompolinsky, Crisanti & Sommers 1988: Delta(tau)/Delta0 for several g vs DMFT.
* ``spectra_collapse`` — Engelken, Wolf & Abbott 2020: full spectra vs i/N collapse; D_KY/N, entropy rate vs g.
* ``radial_separation`` — Stubenrauch et al. 2022: <x*^2> of fixed points vs Kac-Rice, and Delta0 of the dynamics.
* ``jacobian_spectrum`` — eigenvalues of the Jacobians at fixed points vs the predicted disc.
* ``fixed_point_count`` — number of fixed points vs N against the Kac-Rice complexity exp(N Sigma).
* ``qr_convergence`` — running exponent estimates vs time and independence of the QR interval t_ons.

The three fixed-point figures are drawn in :mod:`rnnchaos.plotting_kac_rice`; all six are registered in
:data:`rnnchaos.figures.FIGURES`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from rnnchaos.finite_size import comparison_seeds
from rnnchaos.io import point_values
from rnnchaos.plotting_base import (
    MODEL_TITLE,
    RATE_UNIT,
    TIME_UNIT,
    Drawing,
    curve_colours,
    delta0_agreement,
    listed,
    selected_stats,
)


def scs_autocorrelation(summary: xr.Dataset, *, model: str) -> Drawing:
    """Normalised autocorrelation Delta(tau)/Delta0 at the largest N for the chaotic g, one panel per sigma_b."""
    s = summary.sel(N=summary.N.max())
    sigmas = s.sigma_b.values[:2]
    fig = Figure(figsize=(4.4 * len(sigmas), 3.8), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    drawn, used = set(), []
    select = comparison_seeds(summary).sel(N=s.N)  # the chaotic networks, where DMFT is chaotic
    for ax, sb in zip(axes, sigmas, strict=True):
        p = s.sel(sigma_b=sb)
        gs = [g for g in p.g.values if float(p["dmft_chaotic"].sel(g=g)) == 1] or list(p.g.values)
        drawn.update(gs)
        for c, g in zip(curve_colours(len(gs)), gs, strict=True):
            q, keep = p.sel(g=g), select.sel(sigma_b=sb, g=g)
            mean, sem, _ = selected_stats(q["sim_delta"] / q["sim_delta0"], q["sim_status"], keep)
            d0, d0_sem, n_used = selected_stats(q["sim_delta0"], q["sim_status"], keep)
            used.append(int(n_used))
            label = rf"g={g:g}: $\Delta_0$ {float(d0):.3g}$\pm${float(d0_sem):.2g} (DMFT {float(q['dmft_delta0']):.3g})"
            ax.errorbar(q.tau.values, mean.values, yerr=sem.values, fmt="o", ms=2.5, color=c, label=label)
            if int(q["dmft_status"]) == 0:
                ax.plot(q.tau_dmft.values, (q["dmft_delta"] / q["dmft_delta0"]).values, color=c, lw=1.2)
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.set_xlim(0, float(s.tau.max()))
        ax.set_xlabel(rf"lag $\tau$ [{TIME_UNIT[model]}]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}; dots: N = {int(s.N)}, lines: DMFT", fontsize=9)
        ax.legend(fontsize=6.5)
    axes[0].set_ylabel(r"$\Delta(\tau)/\Delta_0$ [1]")
    fig.suptitle(f"{MODEL_TITLE[model]}\nnormalised autocorrelation (SCS 1988)", fontsize=9)
    caption = (f"Normalised autocorrelation Delta(tau)/Delta0 of the chaotic state of the {model} model "
               f"(Sompolinsky, Crisanti & Sommers 1988): simulation at N = {int(s.N)} (dots, mean +- SEM over "
               f"the networks whose attractor is chaotic: {min(used, default=0)}-{max(used, default=0)} of "
               f"{s.sizes['seed']} seed(s) per curve) against dynamical mean-field theory (lines) for g = "
               f"{listed(sorted(drawn))} (the gains mean-field theory calls chaotic), one panel per sigma_b in "
               f"{listed(sigmas)}.")
    return Drawing(fig, delta0_agreement(s.sel(sigma_b=sigmas)), caption)


def spectra_collapse(full: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """Full spectra lambda_i vs i/N for each N at one g; D_KY/N and entropy rate vs g at the largest N."""
    rows = [(float(ds.g.item()), float(ds.sigma_b.item()), int(ds.N.item()), ds) for ds in full
            if int(point_values(ds, "status")) == 0]
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    ax_s, ax_d = fig.subplots(1, 2)
    gs = sorted({r[0] for r in rows})
    n_max = max(r[2] for r in rows)
    g_ref = max(gs, key=lambda g: sum(1 for r in rows if r[0] == g))  # the g with the N series
    for n in sorted({r[2] for r in rows if r[0] == g_ref}):
        spectra = np.array([point_values(r[3], "exponent") for r in rows if r[0] == g_ref and r[2] == n])
        dky = np.mean([float(point_values(r[3], "d_ky")) for r in rows if r[0] == g_ref and r[2] == n]) / n
        ax_s.plot(np.arange(1, n + 1) / n, spectra.mean(0), lw=1.2, label=f"N = {n}: $D_{{KY}}/N$ = {dky:.3f}")
    ax_s.axhline(0, color="grey", lw=0.6, ls=":")
    ax_s.set_xlabel(r"$i/N$ [1]")
    ax_s.set_ylabel(rf"$\lambda_i$ [{RATE_UNIT[model]}]")
    ax_s.set_title(rf"g = {g_ref:g}, $\sigma_b$ = {rows[0][1]:g} (mean over seeds)", fontsize=9)
    ax_s.legend(fontsize=7)
    at_n = [r for r in rows if r[2] == n_max]
    g_vals = sorted({r[0] for r in at_n})
    dky = [np.mean([float(point_values(r[3], "d_ky")) / n_max for r in at_n if r[0] == g]) for g in g_vals]
    ent = [np.mean([float(point_values(r[3], "entropy_rate")) / n_max for r in at_n if r[0] == g]) for g in g_vals]
    ax_d.plot(g_vals, dky, "o-", color="C0", label=r"$D_{KY}/N$")
    ax_d.set_xlabel(r"gain $g$ [1]")
    ax_d.set_ylabel(r"$D_{KY}/N$ [1]", color="C0")
    ax_e = ax_d.twinx()
    ax_e.plot(g_vals, ent, "s--", color="C3", label=r"$H/N$")
    ax_e.set_ylabel(rf"entropy rate / N [{RATE_UNIT[model]}]", color="C3")
    ax_d.set_title(f"N = {n_max}", fontsize=9)
    fig.suptitle(f"{MODEL_TITLE[model]}\nextensive chaos: full Lyapunov spectra (Engelken, Wolf & Abbott 2020)",
                 fontsize=9)
    per_n = {n: np.mean([float(point_values(r[3], "d_ky")) / n for r in rows if r[0] == g_ref and r[2] == n])
             for n in sorted({r[2] for r in rows if r[0] == g_ref})}
    vals = np.array(list(per_n.values()))
    spread = (vals.max() - vals.min()) / vals.mean() if vals.mean() > 0 else np.nan
    text = (f"At g = {g_ref:g}, D_KY/N = " + ", ".join(f"{v:.3f} (N = {n})" for n, v in per_n.items())
            + f": relative spread {100 * spread:.1f}% across N (extensive chaos if small).")
    n_seeds = len({int(r[3].seed.item()) for r in rows if "seed" in r[3].coords})
    caption = (f"Full Lyapunov spectra (k = N, QR method) of the {model} model (Engelken, Wolf & Abbott 2020): "
               f"lambda_i against i/N for N = {listed(list(per_n))} at g = {g_ref:g}, sigma_b = {rows[0][1]:g} "
               f"(left, mean over {n_seeds} seed(s); the curves collapse if chaos is extensive), and the "
               f"Kaplan-Yorke dimension D_KY/N and entropy rate H/N against g = {listed(g_vals)} at N = {n_max} "
               f"(right).")
    return Drawing(fig, text, caption)


def qr_convergence(t_ons: Sequence[xr.Dataset], *, model: str) -> Drawing:
    """Running estimates of the first exponents vs time, and the spectrum for each QR interval t_ons."""
    ok = [ds for ds in t_ons if int(point_values(ds, "status")) == 0]
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    ax_t, ax_s = fig.subplots(1, 2)
    ref = ok[len(ok) // 2] if ok else None
    if ref is not None:
        run = point_values(ref, "running")
        for j in range(run.shape[1]):
            ax_t.plot(ref.t_running.values, run[:, j], lw=1, label=rf"$\lambda_{{{j + 1}}}$")
        ax_t.set_title(f"t_ons = {float(point_values(ref, 't_ons')):g}", fontsize=9)
    ax_t.set_xscale("log")
    ax_t.xaxis.set_minor_formatter(NullFormatter())
    ax_t.set_xlabel(rf"averaging time [{TIME_UNIT[model]}]")
    ax_t.set_ylabel(rf"running estimate [{RATE_UNIT[model]}]")
    ax_t.legend(fontsize=7, ncols=2)
    for c, ds in zip(curve_colours(len(ok)), ok, strict=True):
        lam, sem = point_values(ds, "exponent"), point_values(ds, "exponent_sem")
        label = rf"t_ons = {float(point_values(ds, 't_ons')):g}: $\lambda_1$ = {lam[0]:.4f}$\pm${sem[0]:.4f}"
        ax_s.errorbar(ds.i.values, lam, yerr=sem, fmt="o-", ms=3, lw=0.8, color=c, capsize=2, label=label)
    ax_s.set_xlabel(r"index $i$ [1]")
    ax_s.set_ylabel(rf"$\lambda_i$ [{RATE_UNIT[model]}]")
    ax_s.legend(fontsize=7)
    p = ok[0] if ok else t_ons[0]
    fig.suptitle(rf"{MODEL_TITLE[model]}" "\n" rf"QR method, g = {float(p.g.item()):g}, "
                 rf"$\sigma_b$ = {float(p.sigma_b.item()):g}, N = {int(p.N.item())}", fontsize=9)
    lam1 = np.array([point_values(ds, "exponent")[0] for ds in ok])
    sem1 = np.array([point_values(ds, "exponent_sem")[0] for ds in ok])
    spread = (lam1.max() - lam1.min()) / np.sqrt(np.mean(sem1**2)) if lam1.size > 1 else 0.0
    intervals = ", ".join(f"{float(point_values(ds, 't_ons')):g}" for ds in ok)
    text = (f"lambda_1 over t_ons = {intervals}: {lam1.min():.6f} to {lam1.max():.6f}, "
            f"a spread of {spread:.2g} standard errors (the QR interval changes only rounding).")
    caption = (f"Convergence of the QR (Benettin) method for the {model} model at g = {float(p.g.item()):g}, "
               f"sigma_b = {float(p.sigma_b.item()):g}, N = {int(p.N.item())}: running estimates of the first "
               f"exponents against averaging time"
               + (f" at t_ons = {float(point_values(ref, 't_ons')):g}" if ref is not None else "")
               + f" (left), and the exponents lambda_i computed with QR intervals t_ons = {intervals} (right).")
    return Drawing(fig, text, caption)

