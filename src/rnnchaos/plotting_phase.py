"""lambda_max over the grid: the phase diagram over (g, sigma_b) and lambda_max against g, with the mean-field theory,
the attractor class of every network and the extrapolation to N -> infinity where the finite_size stage made one.

Simulation values are means over seeds with their standard error (SEM, ``ddof=1``); points whose stage failed
(non-zero status) are drawn as red crosses and never as values. Registered in :data:`rnnchaos.figures.FIGURES`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from rnnchaos.attractor import ATTRACTOR_CLASSES
from rnnchaos.finite_size import comparison_seeds
from rnnchaos.plotting_base import (
    CLASS_MARKERS,
    MODEL_TITLE,
    RATE_UNIT,
    Drawing,
    largest_computed,
    listed,
    seed_stats,
    selected_stats,
)
from rnnchaos.status import NOT_COMPUTED


def _class_counts(classes: xr.DataArray, where: xr.DataArray) -> dict[str, int]:
    """Networks of each attractor class among ``where`` (a boolean of the same grid)."""
    return {name: int(((classes == code) & where).sum()) for name, code in ATTRACTOR_CLASSES.items()}


def _mark_classes(ax, classes: np.ndarray, x: np.ndarray, y: np.ndarray, *, dx: float, colour="white",
                  labelled: set | None = None) -> None:
    """Open markers, one per non-chaotic network, side by side around (x, y): classes is (len(y), len(x), seeds)."""
    names = {v: k for k, v in ATTRACTOR_CLASSES.items()}
    n_seeds = classes.shape[-1]
    for (r, c, k), code in np.ndenumerate(classes):
        name = names.get(int(code))
        if name not in CLASS_MARKERS:
            continue
        label = None
        if labelled is not None and name not in labelled:
            labelled.add(name)
            label = f"network: {name.replace('_', ' ')}"
        ax.plot(x[c] + (k - (n_seeds - 1) / 2) * dx, y[r], CLASS_MARKERS[name], mfc="none", mec=colour, ms=5,
                mew=1.2, label=label)


def phase_diagram(summary: xr.Dataset, critical_line: xr.Dataset, *, model: str,
                  finite_size: Sequence[xr.Dataset] = ()) -> Drawing:
    """lambda_max over (g, sigma_b) at the largest N of the Lyapunov stage (mean over every network that ran),
    with the mean-field critical line g_c(sigma_b) and an open marker for every network that is not chaotic; a
    second panel shows the extrapolation to N -> infinity where the finite_size stage made one."""
    n_big = largest_computed(summary, "lyap_status")
    s = summary.sel(N=n_big)
    mean, _, failed = seed_stats(s["lyap_lambda_max"], s["lyap_status"])
    inf = _extrapolated(finite_size, "lambda_max", s.g.values, s.sigma_b.values)
    panels = [("N = %d" % n_big, mean.transpose("sigma_b", "g").values)]
    if np.isfinite(inf).any():
        panels.append(("N -> infinity (fit A + a/N; chaotic networks where DMFT is chaotic)", inf))
    fig = Figure(figsize=(5.6 * len(panels) + 0.6, 4.4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    g, sb = s.g.values, s.sigma_b.values
    finite = np.concatenate([p[1][np.isfinite(p[1])] for p in panels])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    # zero in the middle of the colour map whatever the range, so weak chaos is as visible as strong decay
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(lo, -1e-3), vmax=max(hi, 1e-3))
    line = critical_line["g_c"]
    classes = s["attractor"] if "attractor" in s else None
    for j, (ax, (title, values)) in enumerate(zip(axes, panels, strict=True)):
        mesh = ax.pcolormesh(_edges(g), _edges(sb), values, cmap="cividis", norm=norm, shading="flat")
        ax.plot(line.values, line["sigma_b"].values, color="white", lw=3)
        ax.plot(line.values, line["sigma_b"].values, color="black", lw=1.5, label=r"DMFT $g_c(\sigma_b)$")
        if j == 0:
            _mark_failed(ax, failed.transpose("sigma_b", "g").values, g, sb)
            if classes is not None:
                dx = 0.5 * float(np.min(np.diff(_edges(g)))) / max(s.sizes["seed"], 1)
                mid = 0.5 * (_edges(sb)[1:] + _edges(sb)[:-1])  # the cells' centres (sigma_b = 0 sits on the edge)
                _mark_classes(ax, classes.transpose("sigma_b", "g", "seed").values, g, mid, dx=dx, labelled=set())
        ax.set_xlim(_edges(g)[0], _edges(g)[-1])
        ax.set_ylim(_edges(sb)[0], _edges(sb)[-1])
        ax.set_xlabel(r"gain $g$ [1]")
        ax.set_title(title, fontsize=8)
        ax.legend(loc="upper left", fontsize=7)
    axes[0].set_ylabel(r"bias spread $\sigma_b$ [1]")
    fig.colorbar(mesh, ax=list(axes), label=rf"$\lambda_{{\max}}$ (simulation) [{RATE_UNIT[model]}]")
    fig.suptitle(f"{MODEL_TITLE[model]}\nlargest Lyapunov exponent, {s.sizes['seed']} seed(s) per point", fontsize=9)
    chaotic_sim = (mean > 0).where(mean.notnull())
    chaotic_dmft = s["dmft_chaotic"] == 1
    valid = chaotic_sim.notnull()
    agree = int((chaotic_sim == chaotic_dmft).where(valid).sum())
    text = (f"The sign of the simulated lambda_max (N = {n_big}, mean over every network whose Lyapunov stage "
            f"succeeded, of any attractor) agrees with the mean-field phase (chaotic iff g > g_c(sigma_b)) at "
            f"{agree} of {int(valid.sum())} grid points.")
    if classes is not None:
        ran = classes != NOT_COMPUTED
        inside = _class_counts(classes, ran & chaotic_dmft)
        outside = _class_counts(classes, ran & ~chaotic_dmft & s["dmft_chaotic"].notnull())
        text += (f" Attractors at N = {n_big}: where DMFT is chaotic, {inside['chaotic']} of {sum(inside.values())} "
                 f"networks are chaotic ({_others(inside)})" + (
                     f"; where it is not, {outside['chaotic']} of {sum(outside.values())} are." if sum(outside.values())
                     else "."))
    if len(panels) > 1:
        sign = np.sign(inf) == np.where(chaotic_dmft.transpose("sigma_b", "g").values, 1, -1)
        text += (f" Extrapolated to N -> infinity, lambda_max has the mean-field sign at {int(sign.sum())} of "
                 f"{int(np.isfinite(inf).sum())} points with a fit.")
    caption = (f"Phase diagram of the {model} model: largest Lyapunov exponent lambda_max from the QR method "
               f"(colour, mean over the {s.sizes['seed']} seed(s) at N = {n_big}, every attractor) over g = "
               f"{listed(g)} and sigma_b = {listed(sb)}, with the mean-field critical line g_c(sigma_b) (black); "
               f"chaos (lambda_max > 0) lies right of the line as N -> infinity. Open symbols: networks that are not "
               f"chaotic (square fixed point, triangle limit cycle, diamond undecided); red crosses: failed points."
               + (" Right: lambda_max extrapolated to N -> infinity (finite_size stage; only chaotic networks where "
                  "DMFT is chaotic; blank where there is no fit)." if len(panels) > 1 else ""))
    return Drawing(fig, text, caption)


def lambda_max_vs_g(summary: xr.Dataset, g_sweep: Sequence[xr.Dataset], *, model: str,
                    finite_size: Sequence[xr.Dataset] = ()) -> Drawing:
    """lambda_max vs g per sigma_b: simulation means +- SEM for each N over the networks compared with DMFT
    (the chaotic ones where DMFT is chaotic, all elsewhere), open markers for the networks left out, the
    extrapolation to N -> infinity where the finite_size stage made one, and the DMFT curve."""
    sigmas = summary.sigma_b.values
    select = comparison_seeds(summary)
    classes = summary["attractor"] if "attractor" in summary else xr.full_like(select, NOT_COMPUTED, dtype=np.int8)
    sizes = [n for n in summary.N.values if bool((summary["lyap_status"].sel(N=n) != NOT_COMPUTED).any())]
    fig = Figure(figsize=(3.6 * len(sigmas) + 0.6, 3.8), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    theory = {round(float(ds["sigma_b"].values.ravel()[0]), 12): ds for ds in g_sweep}
    inf = _extrapolated(finite_size, "lambda_max", summary.g.values, sigmas)
    inf_sem = _extrapolated(finite_size, "lambda_max", summary.g.values, sigmas, key="inf_sem")
    labelled: set = set()
    for col, (ax, sb) in enumerate(zip(axes, sigmas, strict=True)):
        th = theory.get(round(float(sb), 12))
        if th is not None:
            lam = th["lambda_max"].squeeze(drop=True)
            ax.plot(lam["g"].values, lam.values, color="black", lw=1.5, label="DMFT")
        for j, n in enumerate(sizes):
            s = summary.sel(sigma_b=sb, N=n)
            mean, sem, _ = selected_stats(s["lyap_lambda_max"], s["lyap_status"], select.sel(sigma_b=sb, N=n))
            _, _, failed = seed_stats(s["lyap_lambda_max"], s["lyap_status"])
            colour = f"C{j % 10}"
            ax.errorbar(s.g.values, mean.values, yerr=sem.values, fmt="o", ms=4, capsize=2, color=colour,
                        label=f"N = {int(n)}")
            left_out = ~select.sel(sigma_b=sb, N=n) & (s["lyap_status"] == 0)
            cl = classes.sel(sigma_b=sb, N=n).where(left_out, NOT_COMPUTED)
            lam_n = s["lyap_lambda_max"]
            for name, marker in CLASS_MARKERS.items():
                hit = cl == ATTRACTOR_CLASSES[name]
                if bool(hit.any()):
                    gg, _ = xr.broadcast(s.g, hit)
                    label = None if name in labelled else f"left out: {name.replace('_', ' ')}"
                    labelled.add(name)
                    ax.plot(gg.values[hit.values], lam_n.values[hit.values], marker, mfc="none", mec=colour, ms=5,
                            label=label)
            _mark_failed(ax, failed.values[None, :], s.g.values, [0.0])
        if np.isfinite(inf[col]).any():
            ax.errorbar(summary.g.values, inf[col], yerr=inf_sem[col], fmt="P", ms=6, color="black", capsize=2,
                        label=r"$N\to\infty$ (fit)")
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(r"gain $g$ [1]")
        ax.set_title(rf"$\sigma_b$ = {sb:g}", fontsize=9)
    axes[0].set_ylabel(rf"$\lambda_{{\max}}$ [{RATE_UNIT[model]}]")
    handles = {h.get_label(): h for ax in axes for h in ax.get_legend_handles_labels()[0]}
    axes[0].legend(handles.values(), handles.keys(), fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]}\nlargest Lyapunov exponent (means: chaotic networks where DMFT is chaotic)",
                 fontsize=9)
    n_big = max(sizes) if sizes else int(summary.N.max())
    big = summary.sel(N=n_big)
    mean, sem, n_used = selected_stats(big["lyap_lambda_max"], big["lyap_status"], select.sel(N=n_big))
    ran = (big["lyap_status"] == 0).sum("seed")
    diff = (mean - big["dmft_lambda_max"]).where(np.isfinite(big["dmft_lambda_max"]))
    if np.isfinite(diff.values).any():
        worst = diff.where(np.abs(diff) == np.abs(diff).max(), drop=True)
        g_w, sb_w = float(worst.g.values[0]), float(worst.sigma_b.values[0])
        text = (f"At N = {n_big} the simulated lambda_max (mean over {int(n_used.sum())} of {int(ran.sum())} "
                f"networks: the chaotic ones where DMFT is chaotic, all elsewhere) deviates from mean-field theory "
                f"by at most {float(np.abs(diff).max()):.3f} (at g = {g_w:g}, sigma_b = {sb_w:g}; mean |deviation| "
                f"{float(np.abs(diff).mean()):.3f}, typical SEM {float(sem.median()):.3f}).")
    else:
        text = "No grid point has both a simulated and a mean-field lambda_max."
    z = _extrapolated(finite_size, "lambda_max", summary.g.values, sigmas, key="z")
    if np.isfinite(z).any():
        r, c = np.unravel_index(np.nanargmax(np.abs(z)), z.shape)
        text += (f" Extrapolated to N -> infinity: |z| = |lambda_inf - DMFT| / sem <= 2 at "
                 f"{int((np.abs(z) <= 2).sum())} of {int(np.isfinite(z).sum())} points; largest |z| = "
                 f"{abs(z[r, c]):.1f} at g = {summary.g.values[c]:g}, sigma_b = {sigmas[r]:g} "
                 f"(lambda_inf = {inf[r, c]:.4f} +- {inf_sem[r, c]:.4f}).")
    caption = (f"Largest Lyapunov exponent lambda_max vs gain g = {listed(summary.g.values)} of the {model} model: "
               f"QR-method simulation (filled markers: mean +- SEM over the networks compared with DMFT, i.e. the "
               f"chaotic ones of {summary.sizes['seed']} seed(s) where DMFT is chaotic and all elsewhere, N = "
               f"{listed(sizes)}; open markers: networks left out, by attractor), "
               + ("the extrapolation to N -> infinity (black plus, finite_size stage), " if np.isfinite(inf).any()
                  else "") + f"and the mean-field exponent (line), one panel per sigma_b in {listed(sigmas)}.")
    return Drawing(fig, text, caption)


def _others(counts: dict[str, int]) -> str:
    parts = [f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if k != "chaotic" and v]
    return ", ".join(parts) if parts else "no other attractor"


def _extrapolated(finite_size: Sequence[xr.Dataset], name: str, gs, sigmas, *, key: str = "inf") -> np.ndarray:
    """``<name>_<key>`` of the finite-size files as a (sigma_b, g) array, NaN where no file or no fit."""
    out = np.full((len(sigmas), len(gs)), np.nan)
    for ds in finite_size:
        g, sb = float(ds.g.values.ravel()[0]), float(ds.sigma_b.values.ravel()[0])
        r = np.flatnonzero(np.isclose(sigmas, sb))
        c = np.flatnonzero(np.isclose(gs, g))
        if r.size and c.size and int(ds[f"{name}_status"].values.ravel()[0]) == 0:
            out[r[0], c[0]] = float(ds[f"{name}_{key}"].values.ravel()[0])
    return out


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges around grid values (midpoints), never below 0 (g and sigma_b are non-negative)."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        edges = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        mid = 0.5 * (v[1:] + v[:-1])
        edges = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return np.maximum(edges, 0.0)


def _mark_failed(ax, failed: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    rows, cols = np.nonzero(np.asarray(failed) > 0)
    if rows.size:
        ax.plot(np.asarray(x)[cols], np.asarray(y)[rows], "x", color="red", ms=8, mew=2, label="failed")
