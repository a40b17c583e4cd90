"""The ``toy_phase_portrait`` figure: seed 003's 2-D system (its Fig. 2) with the fixed points found and the true ones.

Drawn from :func:`rnnchaos.toy_system.phase_portrait`: contours of ``q = |F|^2 / 2`` on a log scale, the
nullclines (zero sets of ``dx/dt`` and ``dy/dt``), trajectories from seeded starts, the fixed points found by the
library's search marked by type (saddle, stable node, ...), the analytic points (rings), the point the seed's
text misplaces (grey cross) and the slow points, if any (open diamonds). The agreement states the largest
distance of a found point and of its eigenvalues from the analytic ones.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from rnnchaos.plotting_base import Drawing
from rnnchaos.toy_system import TYPES

#: marker style of a fixed point by planar type
TYPE_STYLE = {
    "saddle": dict(marker="X", color="tab:red", s=90),
    "stable node": dict(marker="o", color="tab:blue", s=80),
    "unstable node": dict(marker="o", color="tab:orange", s=80),
    "stable focus": dict(marker="s", color="tab:blue", s=70),
    "unstable focus": dict(marker="s", color="tab:orange", s=70),
    "center": dict(marker="P", color="tab:purple", s=80),
    "degenerate": dict(marker="*", color="k", s=90),
}


def toy_phase_portrait(toy: xr.Dataset) -> Drawing:
    """The phase portrait of the toy system with its fixed and slow points (see the module docstring)."""
    fig = Figure(figsize=(6.4, 5.0), layout="constrained")
    ax = fig.add_subplot()
    x, y, q = toy["x"].values, toy["y"].values, toy["q"].values
    floor = max(float(np.min(q[q > 0])), float(q.max()) * 1e-8)
    levels = np.logspace(np.log10(floor), np.log10(float(q.max())), 18)
    cs = ax.contourf(x, y, np.maximum(q, floor), levels=levels, norm=LogNorm(), cmap="Greys", alpha=0.55)
    fig.colorbar(cs, ax=ax, label=r"$q=\frac{1}{2}|F|^2$ [1]", format="%.0e")
    ax.contour(x, y, toy["dxdt"].values, levels=[0.0], colors="tab:green", linewidths=1.4)
    ax.contour(x, y, toy["dydt"].values, levels=[0.0], colors="tab:purple", linewidths=1.4)
    ax.plot([], [], color="tab:green", lw=1.4, label=r"$\dot x=0$: $y=0$, $x=\pm1$")
    ax.plot([], [], color="tab:purple", lw=1.4, label=r"$\dot y=0$: $y=x/2$")
    for k, (tx, ty) in enumerate(zip(toy["trajectory_x"].values, toy["trajectory_y"].values, strict=True)):
        ax.plot(tx, ty, color="tab:cyan", lw=0.8, alpha=0.9, label="trajectories" if k == 0 else None)
        ax.plot(tx[0], ty[0], ".", color="tab:cyan", ms=4)
    fp, kind = toy["fp_x"].values, toy["fp_type"].values
    for code in np.unique(kind):
        sel = kind == code
        ax.scatter(fp[sel, 0], fp[sel, 1], zorder=4, label=f"found: {TYPES[code]}", **TYPE_STYLE[TYPES[code]])
    an = toy["analytic_x"].values
    ax.scatter(an[:, 0], an[:, 1], s=260, facecolors="none", edgecolors="k", linewidths=1.0, zorder=5,
               label="analytic fixed points")
    stated, sq = toy["seed_stated_x"].values, toy["seed_stated_q"].values
    wrong = sq > 0
    if wrong.any():
        ax.scatter(stated[wrong, 0], stated[wrong, 1], marker="x", s=70, color="0.35", zorder=5,
                   label="seed's text: " + ", ".join(f"({a:g}, {b:g})" for a, b in stated[wrong]) + " (no fixed point)")
    if toy.sizes.get("slow", 0):
        sp = toy["slow_x"].values
        ax.scatter(sp[:, 0], sp[:, 1], marker="D", s=60, facecolors="none", edgecolors="tab:olive", zorder=5,
                   label="slow points")
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel("x [1]")
    ax.set_ylabel("y [1]")
    ax.set_title(r"$\dot x=(1-x^2)\,y,\ \dot y=x/2-y$: $q$, nullclines, fixed points", fontsize=9)
    ax.legend(fontsize=6.5, loc="lower right", framealpha=0.85)
    return Drawing(fig, agreement(toy), caption(toy))


def agreement(toy: xr.Dataset) -> str:
    """Found vs analytic fixed points, in numbers; the seed's misplaced point; the slow points."""
    n_found, d, e = toy.sizes["fp"], float(toy["fp_max_distance"]), float(toy["fp_max_eig_error"])
    types = [TYPES[int(k)] for k in toy["fp_type"].values]
    ev = toy["fp_eig_real"].values + 1j * toy["fp_eig_imag"].values
    found = "; ".join(f"({x:.6g}, {y:.6g}) {t}, eigenvalues {_eigs(v)}"
                      for (x, y), t, v in zip(toy["fp_x"].values, types, ev, strict=True))
    if np.isfinite(d):
        head = (f"The search found {n_found} fixed points, equal to the analytic ones (0, 0), (1, 1/2), (-1, -1/2) "
                f"to {d:.1e} (largest distance), their eigenvalues to {e:.1e} (saddle (-1 +- sqrt 3)/2 = 0.366, "
                f"-1.366; nodes -1, -1): {found}.")
    else:
        head = f"The search found {n_found} fixed point(s), not the three analytic ones: {found}."
    stated = toy["seed_stated_x"].values[toy["seed_stated_q"].values > 0]
    seed = "".join(f" The seed's text lists ({a:g}, {b:g}), where q = {float(q):.3g}: no fixed point; the third "
                   "point is (-1, -1/2)." for (a, b), q in zip(stated, toy["seed_stated_q"].values[
                       toy["seed_stated_q"].values > 0], strict=True))
    counts = dict(zip(toy["outcome"].values.tolist(), toy["slow_outcome_count"].values.tolist(), strict=True))
    n_min = sum(counts.values())
    slow = (f" Slow points (local minima of q with 0 < q <= {float(toy['slow_q_tol']):g}): {toy.sizes['slow']}"
            f"; of {n_min} q-minimisations from trajectory states {counts.get('fixed', 0)} ended on a fixed point.")
    return head + seed + slow


def caption(toy: xr.Dataset) -> str:
    """What the figure shows, with the parameters of the data drawn."""
    x, y = toy["x"].values, toy["y"].values
    return (f"Seed 003's two-dimensional system dx/dt = (1 - x^2) y, dy/dt = x/2 - y on [{x[0]:g}, {x[-1]:g}] x "
            f"[{y[0]:g}, {y[-1]:g}] ({x.size} x {y.size} grid): grey, q = |F|^2/2 on a log scale; green and purple "
            f"lines, the nullclines; cyan, {toy.sizes['trajectory']} trajectories of "
            f"{float(toy['time'].values[-1]):g} time units (forward Euler, dt = {toy.attrs.get('dt')}) from seeded "
            f"starts (dots); markers, the fixed points found from {int(toy['fp_n_solves'])} seeded starts (|F| < "
            f"{toy.attrs.get('fp_tol')}) by type; rings, the analytic fixed points; grey cross, the point the seed's "
            "text misplaces; open diamonds, slow points (if any).")


def _eigs(v) -> str:
    return "(" + ", ".join(f"{z.real:.6g}" if abs(z.imag) < 1e-12 else f"{z:.4g}" for z in v) + ")"
