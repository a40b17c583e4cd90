"""Figure ``input_phase_diagram``: the largest Lyapunov exponent over the (g, sigma_xi) plane of networks driven by
white noise, with the mean-field critical line g_c(sigma_b, sigma_xi).

Noise moves the onset of chaos to larger g (map: Molgedey, Schuchhardt & Schuster, PRL 69, 3717 (1992), ``g_c =
g_c^(0)(sqrt(sigma_b^2 + sigma_xi^2))``; rate network: Schuecker, Goedeke & Helias, PRX 8, 041029 (2018), the root of
``V(Delta_inf) - V(D_fp) = sigma_xi^4 / 8``), both from :func:`rnnchaos.dmft_noise.noisy_critical_gain`, evaluated
here on a dense sigma_xi grid with the nonlinearity of the pipeline's mean-field files. Simulation: the seed mean of
lambda_max at the largest N of the Lyapunov stage (every network that succeeded); grid points whose mean is not
positive are marked as non-chaotic, failed ones with a red cross. Registered in :data:`rnnchaos.figures.FIGURES`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from rnnchaos.dmft_noise import noisy_critical_gain
from rnnchaos.plotting_base import MODEL_TITLE, RATE_UNIT, Drawing, largest_computed, listed, seed_stats
from rnnchaos.status import NumericalFailure

#: points of the dense sigma_xi grid of the theory's line
N_LINE = 41


def cell_edges(v: np.ndarray) -> np.ndarray:
    """Edges of cells centred on the sorted values ``v`` (midpoints; the outer cells as wide as their neighbour's
    half-distance, clipped at 0 below a non-negative first value)."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    lo, hi = v[0] - (mid[0] - v[0]), v[-1] + (v[-1] - mid[-1])
    return np.concatenate([[max(lo, 0.0) if v[0] >= 0 else lo], mid, [hi]])


def critical_line(model: str, sigma_b: float, sigma_xi: np.ndarray, nonlinearity: str = "tanh") -> np.ndarray:
    """``g_c(sigma_b, sigma_xi)`` at each ``sigma_xi`` (NaN where the theory has no root in its validated range)."""
    out = np.full(len(sigma_xi), np.nan)
    for j, xi in enumerate(sigma_xi):
        try:
            out[j] = noisy_critical_gain(float(sigma_b), float(xi), model, nonlinearity=nonlinearity)
        except NumericalFailure:
            pass
    return out


def sign_change(g: np.ndarray, lam: np.ndarray) -> tuple[float, float]:
    """The largest ``g`` with ``lam < 0`` and the smallest with ``lam > 0`` (NaN where there is none)."""
    neg, pos = g[np.isfinite(lam) & (lam < 0)], g[np.isfinite(lam) & (lam > 0)]
    return (float(neg.max()) if neg.size else np.nan), (float(pos.min()) if pos.size else np.nan)


def input_phase_diagram(summary: xr.Dataset, g_sweep: Sequence[xr.Dataset] = (), *, model: str) -> Drawing:
    """lambda_max (seed mean, largest N) over (g, sigma_xi), one panel per sigma_b, a diverging colour map centred
    on 0, open circles on the non-chaotic points, and the theory's g_c(sigma_b, sigma_xi) on a dense sigma_xi grid.
    The agreement compares, for each sigma_xi, the simulated sign change of lambda_max in g with g_c."""
    if "sigma_xi" not in summary.dims:  # a summary of noise-free files only
        summary = summary.expand_dims(sigma_xi=[0.0])
    n_big = largest_computed(summary, "lyap_status")
    s = summary.sel(N=n_big)
    mean, _, failed = seed_stats(s["lyap_lambda_max"], s["lyap_status"])
    gs, sigmas, noise = s.g.values, s.sigma_b.values, s.sigma_xi.values
    phi = next((ds.attrs["nonlinearity"] for ds in g_sweep if "nonlinearity" in ds.attrs), "tanh")
    dense = np.linspace(0.0, float(noise.max()), N_LINE)
    finite = mean.values[np.isfinite(mean.values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(lo, -1e-3), vmax=max(hi, 1e-3))
    fig = Figure(figsize=(4.6 * len(sigmas) + 1.0, 4.0), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    rows = []
    for ax, sb in zip(axes, sigmas, strict=True):
        lam = mean.sel(sigma_b=sb).transpose("sigma_xi", "g").values
        mesh = ax.pcolormesh(cell_edges(gs), cell_edges(noise), lam, cmap="RdBu_r", norm=norm, shading="flat")
        G, X = np.meshgrid(gs, noise)
        calm = np.isfinite(lam) & (lam <= 0)
        ax.plot(G[calm], X[calm], "o", mfc="none", mec="black", ms=7, mew=1.0, ls="none",
                label=r"not chaotic ($\lambda_{\max} \leq 0$)")
        bad = failed.sel(sigma_b=sb).transpose("sigma_xi", "g").values > 0
        if bad.any():
            ax.plot(G[bad], X[bad], "x", color="red", ms=8, mew=1.5, ls="none", label="a seed failed")
        line = critical_line(model, sb, dense, phi)
        ax.plot(line, dense, color="white", lw=3.2)
        ax.plot(line, dense, color="black", lw=1.5, label=r"DMFT $g_c(\sigma_b, \sigma_\xi)$")
        at_grid = critical_line(model, sb, noise, phi)
        rows += [(float(sb), float(xi), *sign_change(gs, lam[j]), float(at_grid[j])) for j, xi in enumerate(noise)]
        ax.set_xlim(cell_edges(gs)[0], cell_edges(gs)[-1])
        ax.set_ylim(cell_edges(noise)[0], cell_edges(noise)[-1])
        ax.set_xlabel(r"gain $g$ [1]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}", fontsize=9)
        ax.legend(loc="upper left", fontsize=6.5)
    axes[0].set_ylabel(r"noise amplitude $\sigma_\xi$ [1]")
    fig.colorbar(mesh, ax=list(axes), label=rf"$\lambda_{{\max}}$ (simulation) [{RATE_UNIT[model]}]")
    fig.suptitle(f"{MODEL_TITLE[model]}\nlargest Lyapunov exponent with white noise, N = {n_big}, "
                 f"{s.sizes['seed']} seed(s) per point", fontsize=9)
    caption = (f"Largest Lyapunov exponent lambda_max of the {model} model ({phi}) driven by white noise, over g = "
               f"{listed(gs)} and sigma_xi = {listed(noise)} at sigma_b = {listed(sigmas)}: QR-method simulation "
               f"along the noise path (colour, red positive, blue negative; mean over the {s.sizes['seed']} seed(s) "
               f"that succeeded at N = {n_big}); open circles: grid points whose mean lambda_max <= 0; red crosses: "
               f"a seed's Lyapunov stage failed. Black line: the mean-field critical gain g_c(sigma_b, sigma_xi) "
               f"(dmft_noise) on {N_LINE} values of sigma_xi in [0, {float(noise.max()):g}]; chaos lies right of it "
               f"as N -> infinity.")
    return Drawing(fig, _agreement(rows, n_big), caption)


def _agreement(rows: list[tuple[float, float, float, float, float]], n_big: int) -> str:
    """Per (sigma_b, sigma_xi): the simulated sign change of lambda_max in g against g_c, and how many rows have
    g_c between the largest g with lambda_max < 0 and the smallest with lambda_max > 0."""
    parts, n_in, n_test = [], 0, 0
    for sb, xi, g_neg, g_pos, g_c in rows:
        inside = (np.isnan(g_neg) or g_neg < g_c) and (np.isnan(g_pos) or g_c < g_pos)
        if np.isfinite(g_c) and (np.isfinite(g_neg) or np.isfinite(g_pos)):
            n_test += 1
            n_in += bool(inside)
        neg = f"{g_neg:g}" if np.isfinite(g_neg) else "none"
        pos = f"{g_pos:g}" if np.isfinite(g_pos) else "none"
        gc = f"{g_c:.3g}" if np.isfinite(g_c) else "n/a"
        parts.append(f"sigma_b = {sb:g}, sigma_xi = {xi:g}: largest g with lambda_max < 0 {neg}, smallest with "
                     f"lambda_max > 0 {pos}, g_c = {gc}" + ("" if inside else " (outside)"))
    return (f"At N = {n_big} the simulated sign change of lambda_max brackets the mean-field g_c(sigma_b, sigma_xi) "
            f"at {n_in} of {n_test} noise amplitudes: " + "; ".join(parts) + ".")
