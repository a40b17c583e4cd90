"""Figures of networks driven by noise (grid key ``sigma_xi``): ``noise_suppression``, lambda_max against g for each
noise amplitude, simulated and from the mean-field theory with white noise.

Noise suppresses chaos: in the map (Molgedey, Schuchhardt & Schuster, PRL 69, 3717 (1992)) and in the rate network
(Schuecker, Goedeke & Helias, PRX 8, 041029 (2018)) the largest Lyapunov exponent of the random dynamical system falls
with sigma_xi and the onset of chaos moves to larger g. Simulation values are means +- SEM (``ddof=1``) over the
seeds whose Lyapunov stage succeeded, at the largest N it computed: every network, not only the chaotic ones (with
noise the attractor class follows the sign of lambda_max itself, :mod:`rnnchaos.attractor`, so selecting by it would
bias the mean). The theory is the dmft stage at each grid point (:mod:`rnnchaos.dmft_noise`) and the dense g-sweep
per (sigma_b, sigma_xi). Registered in :data:`rnnchaos.figures.FIGURES`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import (
    MODEL_TITLE,
    RATE_UNIT,
    Drawing,
    curve_colours,
    largest_computed,
    listed,
    seed_stats,
)

#: |z| up to which a simulated point counts as agreeing with the theory in the agreement sentence.
Z_AGREE = 2.0


def _key(ds: xr.Dataset, name: str) -> float:
    """The value of the length-1 coordinate ``name`` of a theory or extrapolation file (0 for a sigma_xi that a file
    written before the noise axis lacks), rounded for use as a key."""
    return round(float(ds[name].values.ravel()[0]), 12) if name in ds.coords else 0.0


def _extrapolations(finite_size: Sequence[xr.Dataset]) -> dict[tuple[float, float, float], tuple[float, float]]:
    """(g, sigma_b, sigma_xi) -> (lambda_inf, its sem) of the finite-size files whose lambda_max fit succeeded."""
    out = {}
    for ds in finite_size:
        if int(ds["lambda_max_status"].values.ravel()[0]) == 0:
            out[(_key(ds, "g"), _key(ds, "sigma_b"), _key(ds, "sigma_xi"))] = (
                float(ds["lambda_max_inf"].values.ravel()[0]), float(ds["lambda_max_inf_sem"].values.ravel()[0]))
    return out


def z_scores(mean: xr.DataArray, sem: xr.DataArray, theory: xr.DataArray) -> xr.DataArray:
    """``(mean - theory) / sem`` where all three are finite and ``sem > 0``, NaN elsewhere."""
    ok = np.isfinite(mean) & np.isfinite(theory) & np.isfinite(sem) & (sem > 0)
    return ((mean - theory) / sem).where(ok)


def noise_suppression(summary: xr.Dataset, g_sweep: Sequence[xr.Dataset] = (), *, model: str,
                      finite_size: Sequence[xr.Dataset] = ()) -> Drawing:
    """lambda_max against g, one panel per sigma_b and one colour per sigma_xi: simulation means +- SEM over the seeds
    at the largest N of the Lyapunov stage (circles), the extrapolation to N -> infinity where the finite_size stage
    made one (plus), the dense mean-field curve of each (sigma_b, sigma_xi) (line) and its critical gain (tick on the
    zero line). The agreement states the z-score ``(mean - DMFT) / SEM`` of every grid point against the dmft stage."""
    if "sigma_xi" not in summary.dims:  # a summary of noise-free files only
        summary = summary.expand_dims(sigma_xi=[0.0])
    n_big = largest_computed(summary, "lyap_status")
    s = summary.sel(N=n_big)
    gs, sigmas, noise = s.g.values, s.sigma_b.values, s.sigma_xi.values
    mean, sem, failed = seed_stats(s["lyap_lambda_max"], s["lyap_status"])
    n_ok = (s["lyap_status"] == 0).sum("seed")
    theory = s["dmft_lambda_max"].where(s["dmft_status"] == 0) if "dmft_lambda_max" in s else xr.full_like(mean,
                                                                                                          np.nan)
    z = z_scores(mean, sem, theory)
    sweeps = {(_key(ds, "sigma_b"), _key(ds, "sigma_xi")): ds for ds in g_sweep}
    inf = _extrapolations(finite_size)
    colours = curve_colours(len(noise))
    fig = Figure(figsize=(max(3.5 * len(sigmas) + 0.6, 5.6), 3.9), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    for ax, sb in zip(axes, sigmas, strict=True):
        for colour, xi in zip(colours, noise, strict=True):
            at = dict(sigma_b=sb, sigma_xi=xi)
            ax.errorbar(gs, mean.sel(at).values, yerr=sem.sel(at).values, fmt="o", ms=4, capsize=2, color=colour,
                        label=rf"$\sigma_\xi$ = {xi:g} (N = {n_big})")
            sweep = sweeps.get((round(float(sb), 12), round(float(xi), 12)))
            if sweep is not None:
                lam = sweep["lambda_max"].squeeze(drop=True).where(sweep["status"].squeeze(drop=True) == 0)
                ax.plot(lam["g"].values, lam.values, "-", color=colour, lw=1.3)
                g_c = float(sweep["g_c"].values.ravel()[0])
                if np.isfinite(g_c):
                    ax.plot([g_c], [0.0], "|", color=colour, ms=12, mew=2)
            ext = np.array([inf.get((round(float(g), 12), round(float(sb), 12), round(float(xi), 12)),
                                    (np.nan, np.nan)) for g in gs])
            if np.isfinite(ext[:, 0]).any():
                ax.errorbar(gs, ext[:, 0], yerr=ext[:, 1], fmt="P", ms=6, mfc="none", color=colour, capsize=2)
            bad = failed.sel(at).values > 0
            if bad.any():
                ax.plot(gs[bad], np.zeros(int(bad.sum())), "x", color="red", ms=7, mew=1.5)
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(r"gain $g$ [1]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}", fontsize=9)
    axes[0].set_ylabel(rf"$\lambda_{{\max}}$ [{RATE_UNIT[model]}]")
    axes[0].plot([], [], "-", color="black", label="DMFT with noise (tick: $g_c$)")
    if inf:
        axes[0].plot([], [], "P", mfc="none", color="black", label=r"$N\to\infty$ (fit)")
    axes[0].legend(fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]}\nnoise suppresses chaos: largest Lyapunov exponent against g per "
                 r"$\sigma_\xi$", fontsize=9)
    caption = (f"Largest Lyapunov exponent lambda_max of the {model} model driven by white noise sigma_xi = "
               f"{listed(noise)} against the gain g = {listed(gs)}, one panel per sigma_b in {listed(sigmas)}: "
               f"QR-method simulation along the noise path (circles: mean +- SEM over the {summary.sizes['seed']} "
               f"seed(s) that succeeded, N = {n_big}), "
               + ("the extrapolation to N -> infinity (plus, finite_size stage), " if inf else "")
               + "the mean-field exponent with noise (lines; ticks on the zero line: the critical gain "
               "g_c(sigma_b, sigma_xi)). Red crosses: grid points where a seed's Lyapunov stage failed.")
    return Drawing(fig, _agreement(z, theory, n_ok, n_big, sweeps, inf), caption)


def _theory_at(theory: xr.DataArray, g: float, sigma_b: float, sigma_xi: float) -> float:
    """The mean-field lambda_max of the grid point (g, sigma_b, sigma_xi), NaN where the grid has no such point."""
    at = dict(g=g, sigma_b=sigma_b, sigma_xi=sigma_xi)
    near = theory.sel(at, method="nearest")
    return float(near) if all(np.isclose(float(near[k]), v) for k, v in at.items()) else float("nan")


def _agreement(z: xr.DataArray, theory: xr.DataArray, n_ok: xr.DataArray, n_big: int, sweeps: dict,
               inf: dict) -> str:
    """The z-score of every grid point, per (sigma_b, sigma_xi), with the counts within :data:`Z_AGREE`, the
    theory's critical gains and the simulated onset (the first g whose mean exceeds 2 SEM above 0)."""
    if not np.isfinite(z.values).any():
        return (f"No grid point has both a simulated lambda_max with a standard error (N = {n_big}, >= 2 seeds) and "
                "a mean-field value with noise to compare with.")
    groups = []
    for sb in z.sigma_b.values:
        for xi in z.sigma_xi.values:
            zz = z.sel(sigma_b=sb, sigma_xi=xi)
            if not np.isfinite(zz.values).any():
                continue
            points = ", ".join(f"{v:+.1f}" if np.isfinite(v) else "n/a" for v in zz.values)
            sweep = sweeps.get((round(float(sb), 12), round(float(xi), 12)))
            g_c = float(sweep["g_c"].values.ravel()[0]) if sweep is not None else float("nan")
            groups.append(f"sigma_b = {sb:g}, sigma_xi = {xi:g}: z = {points} at g = {listed(zz.g.values)}"
                          + (f" (theory g_c = {g_c:.3g})" if np.isfinite(g_c) else ""))
    finite = z.values[np.isfinite(z.values)]
    worst = z.where(np.abs(z) == np.nanmax(np.abs(z.values)), drop=True)
    text = (f"At N = {n_big}, {int((np.abs(finite) <= Z_AGREE).sum())} of {finite.size} grid points have |z| = "
            f"|lambda_max - DMFT| / SEM <= {Z_AGREE:g} (seeds per point {int(n_ok.min())}-{int(n_ok.max())}; "
            f"largest |z| = {float(np.nanmax(np.abs(finite))):.1f} at g = {float(worst.g.values[0]):g}, sigma_b = "
            f"{float(worst.sigma_b.values[0]):g}, sigma_xi = {float(worst.sigma_xi.values[0]):g}, finite-size "
            f"effects included). " + "; ".join(groups) + ".")
    if inf:
        zs = [(v[0] - _theory_at(theory, *key)) / v[1] for key, v in inf.items() if v[1] > 0]
        zs = [v for v in zs if np.isfinite(v)]
        if zs:
            text += (f" Extrapolated to N -> infinity: |z| <= {Z_AGREE:g} at {int(np.sum(np.abs(zs) <= Z_AGREE))} of "
                     f"{len(zs)} points (largest |z| {float(np.max(np.abs(zs))):.1f}).")
    return text
