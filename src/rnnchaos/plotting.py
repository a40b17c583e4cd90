"""Figures of the pipeline, drawn from the summary Dataset and the theory files (matplotlib, no pyplot state).

Each ``<name>(summary, ..., model=)`` returns a :class:`matplotlib.figure.Figure`; :func:`draw` dispatches by
name. Simulation values are means over seeds with their standard error (SEM, ``ddof=1``); points whose stage
failed (non-zero status) are drawn as red crosses and never as values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import xarray as xr
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from rnnchaos.attractor import ATTRACTOR_CLASSES
from rnnchaos.io import write_figure, write_text
from rnnchaos.status import NOT_COMPUTED

TIME_UNIT = {"rate": r"$\tau_m$", "map": "step"}
RATE_UNIT = {"rate": r"1/$\tau_m$", "map": "1/step"}
MODEL_TITLE = {"rate": r"rate network $\dot x=-x+J\tanh(x)+\theta$",
               "map": r"map $a_{t+1}=J\tanh(a_t)+\theta$"}


class Drawing(NamedTuple):
    """A figure, one or two sentences stating, with numbers, how simulation and theory agree in it, and its
    caption: what the figure shows, with the parameters of the data drawn (the report's only caption source)."""

    figure: Figure
    agreement: str
    caption: str = ""


def seed_stats(da: xr.DataArray, status: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Mean and SEM over seeds of the successful points, and the number of failed seeds (a seed without a file
    of the stage, status ``not_computed``, is neither)."""
    ok = status == 0
    vals = da.where(ok)
    n = ok.sum("seed")
    mean = vals.mean("seed")
    sem = vals.std("seed", ddof=1) / np.sqrt(n) if da.sizes["seed"] > 1 else xr.zeros_like(mean)
    return mean, sem, (~ok & (status != NOT_COMPUTED)).sum("seed")


#: Open markers of the networks that are not chaotic (rnnchaos.attractor classes), drawn beside the averages.
CLASS_MARKERS = {"fixed_point": "s", "limit_cycle": "^", "undecided": "D"}


def largest_computed(summary: xr.Dataset, status: str) -> int:
    """The largest N at which the stage of ``status`` (e.g. ``lyap_status``) has a file at some grid point."""
    have = (summary[status] != NOT_COMPUTED).any([d for d in summary[status].dims if d != "N"])
    sizes = summary.N.values[have.values]
    return int(sizes.max() if sizes.size else summary.N.max())


def selected_stats(da: xr.DataArray, status: xr.DataArray, select: xr.DataArray):
    """Mean and SEM over the seeds that succeeded and are selected (:func:`rnnchaos.finite_size.comparison_seeds`),
    and how many seeds that is."""
    keep = (status == 0) & select & np.isfinite(da)
    vals = da.where(keep)
    n = keep.sum("seed")
    sem = vals.std("seed", ddof=1) / np.sqrt(n)
    return vals.mean("seed"), sem.where(n > 1), n


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
    from rnnchaos.finite_size import comparison_seeds

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


def autocorrelation(summary: xr.Dataset, *, model: str) -> Drawing:
    """Delta(tau): simulation at the largest N (mean +- SEM over seeds) against DMFT, one colour per g."""
    s = summary.sel(N=summary.N.max())
    sigmas = s.sigma_b.values
    fig = Figure(figsize=(3.6 * len(sigmas) + 0.6, 3.6), layout="constrained")
    axes = fig.subplots(1, len(sigmas), sharey=True, squeeze=False)[0]
    colours = _colours(len(s.g))
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
    for c, g in zip(_colours(len(s.g)), s.g.values, strict=True):
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


FIGURES = {
    "phase_diagram": phase_diagram,
    "lambda_max_vs_g": lambda_max_vs_g,
    "autocorrelation": autocorrelation,
    "lyapunov_spectrum": lyapunov_spectrum,
    "fixed_point_coordinates": fixed_point_coordinates,
}


def draw(name: str, *, model: str, **data) -> Drawing:
    """Draw figure ``name`` (of :data:`FIGURES` or the paper studies' figures) from the datasets it needs."""
    from rnnchaos import plotting_finite_size, plotting_paper

    figures = {**FIGURES, **plotting_paper.FIGURES, **plotting_finite_size.FIGURES}
    if name not in figures:
        raise ValueError(f"figure must be one of {sorted(figures)}, got {name!r}")
    return figures[name](model=model, **data)


def save(drawing: Drawing, *, png: str, pdf: str, caption: str | None = None) -> None:
    """Write a figure as PNG (150 dpi) and PDF, and its agreement statement as reStructuredText (each file
    atomically: a killed job leaves no partial file)."""
    write_figure(drawing.figure, png, dpi=150)
    write_figure(drawing.figure, pdf)
    if caption is not None:
        write_text(caption, "\n\n".join(rst_escape(t) for t in (drawing.caption, drawing.agreement) if t) + "\n")


#: Characters that start inline markup in reStructuredText (and the escape character itself).
RST_SPECIAL = ("\\", "|", "*", "`", "_")


def rst_escape(text: str) -> str:
    """``text`` as reStructuredText that renders literally: ``\\``, ``|``, ``*``, backquote and ``_`` escaped
    (so ``|difference|`` is no substitution, ``x*_i`` no emphasis or reference)."""
    for ch in RST_SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text


def listed(values) -> str:
    """Numbers as ``"0.5, 1, 2"`` for captions."""
    return ", ".join(f"{float(v):g}" for v in np.ravel(values))


def delta0_agreement(s: xr.Dataset) -> str:
    """Relative difference of the simulated Delta0 (seed mean) from the mean-field Delta0 at the chaotic points."""
    d0, _, _ = seed_stats(s["sim_delta0"], s["sim_status"])
    rel = ((d0 - s["dmft_delta0"]) / s["dmft_delta0"]).where((s["dmft_chaotic"] == 1) & (s["dmft_status"] == 0))
    if not np.isfinite(rel.values).any():
        return "No chaotic grid point to compare the simulated Delta0 with mean-field theory."
    return (f"Over the {int(np.isfinite(rel.values).sum())} chaotic grid points, the simulated Delta0 (N = "
            f"{int(s.N)}) differs from mean-field theory by {100 * float(np.nanmin(rel.values)):+.1f}% to "
            f"{100 * float(np.nanmax(rel.values)):+.1f}% (median |difference| "
            f"{100 * float(np.nanmedian(np.abs(rel.values))):.1f}%).")


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


def _colours(n: int):
    from matplotlib import colormaps

    return colormaps["viridis"](np.linspace(0.0, 0.9, max(n, 1)))
