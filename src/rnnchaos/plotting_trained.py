"""Figure of a FORCE-trained flip-flop network (matplotlib, no pyplot state).

:func:`flipflop_figure` draws, from the files of rules ``train`` and ``trained_analysis``
(:func:`rnnchaos.training.to_dataset`, :func:`rnnchaos.trained_analysis.to_dataset`, with or without grid
coordinates): (a) fixed points and the test trial on the top three principal components, points coloured by
stability, with the slow points (open markers) where the analysis file has them; (b) the test trial's readout
against its target; (c) the FORCE training curve; (d) the Lyapunov spectra of the trained network with its input off
and, where the analysis file has it, with its input on (driven by the test trial's pulses), and of its untrained
reservoir. A failed stage (non-zero ``status``) is stated on the figure instead of drawn.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import Drawing

GRID_DIMS = ("g", "sigma_b", "N", "seed")
#: marker style of a fixed point by index (number of unstable directions): 0, 1, >= 2
FP_STYLE = {
    "stable": dict(color="tab:blue", marker="o", s=46, label="stable (index 0)"),
    "index 1": dict(color="tab:orange", marker="^", s=34, label="saddle, index 1"),
    "index >= 2": dict(color="tab:red", marker="x", s=30, label="saddle/repeller, index >= 2"),
}


def flipflop_figure(trained: xr.Dataset, analysis: xr.Dataset) -> Figure:
    """The four-panel figure of one trained network (see the module docstring)."""
    trained, analysis = _squeeze(trained), _squeeze(analysis)
    fig = Figure(figsize=(11.0, 8.4), layout="constrained")
    failed = [name for name, ds in (("training", trained), ("analysis", analysis))
              if "status" in ds and int(ds["status"]) != 0]
    if failed:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"{' and '.join(failed)} failed: " + "; ".join(
            str(ds["status"].attrs.get("detail", "")) for ds in (trained, analysis) if "status" in ds),
            ha="center", va="center", wrap=True)
        return fig
    grid = fig.add_gridspec(2, 2, width_ratios=(1.15, 1.0))
    pca_panel(fig.add_subplot(grid[:, 0], projection="3d"), analysis)
    test_panel(fig.add_subplot(grid[0, 1]), trained)
    sub = grid[1, 1].subgridspec(1, 2)
    curve_panel(fig.add_subplot(sub[0]), trained)
    lyapunov_panel(fig.add_subplot(sub[1]), analysis)
    N = int(trained.sizes.get("i", 0))
    fig.suptitle(f"FORCE-trained {trained.sizes['bit']}-bit flip-flop, N = {N}: test MSE "
                 f"{float(trained['test_mse']):.3g}, {int(analysis['fp_n_stable'])} stable fixed points, "
                 f"{int(analysis['n_saddles'])} saddles, {int(analysis['n_memories'])} of "
                 f"{2 ** trained.sizes['bit']} memories held", fontsize=10)
    return fig


def trained_flipflop(trained: xr.Dataset, analysis: xr.Dataset) -> Drawing:
    """The registry's figure ``trained_flipflop``: :func:`flipflop_figure`, with the training and analysis
    parameters read from the files (caption) and what the network holds (agreement)."""
    fig = flipflop_figure(trained, analysis)
    seed = int(np.ravel(trained["seed"].values)[0]) if "seed" in trained.coords else "?"
    trained, analysis = _squeeze(trained), _squeeze(analysis)
    if any("status" in ds and int(ds["status"]) != 0 for ds in (trained, analysis)):
        return Drawing(fig, "The network was not trained or not analysed: see the figure for the failure.")
    p = json.loads(trained.attrs.get("training_parameters", "{}"))
    tol = json.loads(analysis.attrs.get("parameters", "{}")).get("tol", "tol")
    bits = trained.sizes["bit"]
    caption = (f"Echo-state network of N = {trained.sizes['i']} {p.get('nonlinearity', 'tanh')} units (g = "
               f"{p.get('g')}, tau = {p.get('tau')}, dt = {p.get('dt')}) FORCE-trained (alpha = {p.get('alpha')}, "
               f"{int(trained['n_updates'])} updates over {p.get('train_time')} time units) on the {bits}-bit "
               f"flip-flop, seed {seed}; fixed points with the input off (|F| < {tol}); Lyapunov exponents per tau, "
               "error bars their SEM over batches." + (
                   f" Input on: the exponents along the test trial, driven by its pulses (tau dx/dt = -x + J_eff "
                   f"phi(x) + W_in u, from the trial's first state, frame aligned over "
                   f"{float(analysis['input_on_t_transient_tangent']):g} tau, averaged over the remaining "
                   f"{int(analysis['input_on_n_steps']) * float(p.get('dt', 1)) / float(p.get('tau', 1)):g} tau)."
                   if "input_on_exponent" in analysis else ""))
    lam_t, lam_r = (analysis[f"{n}_exponent"].values[0] for n in ("trained", "reservoir"))
    agreement = (f"{int(analysis['n_memories'])} of {2 ** bits} memories held by a stable fixed point; test MSE "
                 f"{float(trained['test_mse']):.3g}; {int(analysis['fp_n_stable'])} stable fixed points and "
                 f"{int(analysis['n_saddles'])} saddles; lambda_max {lam_t:.3g} per tau trained (input off) against "
                 f"{lam_r:.3g} for the untrained reservoir.")
    if "input_on_exponent" in analysis:  # files before the input-on spectrum lack it
        on, off = (analysis[f"{n}_exponent"].values for n in ("input_on", "trained"))
        on_e, off_e = (analysis[f"{n}_exponent_sem"].values for n in ("input_on", "trained"))
        n = min(4, on.size)
        agreement += (" Input on (test trial) against input off, per tau: " + "; ".join(
            f"lambda_{i + 1} {on[i]:.3g} +- {on_e[i]:.2g} vs {off[i]:.3g} +- {off_e[i]:.2g}" for i in range(n))
            + ".")
    if "slow_n_points" in analysis:  # files before the slow-point search lack it
        agreement += (f" {int(analysis['slow_n_points'])} slow points (local minima of q = |F|^2/2 that are no fixed "
                      f"point, q <= {float(analysis['slow_q_tol']):.0e}) from the test trial's states.")
    return Drawing(fig, agreement, caption)


def pca_panel(ax, analysis: xr.Dataset) -> None:
    """Test trial (grey), fixed points (by index) and slow points (open green diamonds, where the file has them) on
    the top three principal components (3-D axes)."""
    tr = analysis["trial_pc"].values
    ax.plot(tr[:, 0], tr[:, 1], tr[:, 2], color="0.55", lw=0.5, alpha=0.8, label="test trial")
    pc, idx = analysis["fp_pc"].values, analysis["fp_n_unstable"].values
    for key, sel in (("stable", idx == 0), ("index 1", idx == 1), ("index >= 2", idx >= 2)):
        if sel.any():
            ax.scatter(pc[sel, 0], pc[sel, 1], pc[sel, 2], depthshade=False, **FP_STYLE[key])
    slow = "slow_pc" in analysis and analysis.sizes.get("slow_point", 0) > 0  # older files have no slow points
    if slow:
        sp = analysis["slow_pc"].values
        ax.scatter(sp[:, 0], sp[:, 1], sp[:, 2], depthshade=False, facecolors="none", edgecolors="tab:green",
                   marker="D", s=40, linewidths=1.2,
                   label=f"slow point (0 < q <= {float(analysis['slow_q_tol']):.0e})")
    ev = analysis["pca_explained"].values
    ax.set_xlabel(f"PC1 ({100 * ev[0]:.0f}% var.)")
    ax.set_ylabel(f"PC2 ({100 * ev[1]:.0f}% var.)")
    ax.set_zlabel(f"PC3 ({100 * ev[2]:.0f}% var.)")
    ax.set_title(f"(a) fixed {'and slow ' if slow else ''}points of the trained network (input off)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")


def test_panel(ax, trained: xr.Dataset) -> None:
    """Readout ``z_b`` (colour) and target (black dashed) of the test trial, channel ``b`` shifted by ``3b``."""
    t = trained["t"].values
    for b in range(trained.sizes["bit"]):
        off = 3.0 * b
        ax.plot(t, trained["test_inputs"].values[:, b] * 0.5 + off, color="0.7", lw=0.6,
                label="input pulse (x 0.5)" if b == 0 else None)
        ax.plot(t, trained["test_targets"].values[:, b] + off, "k--", lw=0.9, label="target" if b == 0 else None)
        ax.plot(t, trained["test_outputs"].values[:, b] + off, lw=1.0, label=f"output bit {b}")
    ax.set_xlabel("time [time unit of dt]")
    ax.set_ylabel("readout z_b + 3b [1]")
    ax.set_title(f"(b) test trial (W_out frozen), MSE {float(trained['test_mse']):.3g}", fontsize=9)
    ax.legend(fontsize=7, ncols=3, loc="upper right")


def curve_panel(ax, trained: xr.Dataset) -> None:
    """FORCE training curve: squared error before each update and its running mean."""
    t, err = trained["curve_t"].values, trained["curve_error"].values
    ax.semilogy(t, np.maximum(err, 1e-12), color="0.7", lw=0.4, label="per update")
    w = max(1, err.size // 100)
    ax.semilogy(t[w - 1:], np.convolve(err, np.ones(w) / w, mode="valid"), color="k", lw=1.2,
                label=f"mean of {w}")
    ax.set_xlabel("training time [time unit of dt]")
    ax.set_ylabel("|z - f|^2 / n_bits [1]")
    ax.set_title("(c) FORCE training error", fontsize=9)
    ax.legend(fontsize=7)


def lyapunov_panel(ax, analysis: xr.Dataset) -> None:
    """Lyapunov spectra (per tau) of the trained network with input off, with input on (where the file has it) and of
    its untrained reservoir."""
    i = analysis["exponent_index"].values
    curves = (("trained", "trained, input off", "o-"), ("input_on", "trained, input on (test trial)", "D-"),
              ("reservoir", "untrained reservoir", "s-"))
    for name, label, fmt in curves:
        if f"{name}_exponent" not in analysis:
            continue
        ax.errorbar(i, analysis[f"{name}_exponent"].values, yerr=analysis[f"{name}_exponent_sem"].values,
                    fmt=fmt, ms=3, lw=1, capsize=1.5, label=label)
    ax.axhline(0.0, color="grey", lw=0.6, ls=":")
    ax.set_xlabel("index i [1]")
    ax.set_ylabel(r"$\lambda_i$ [1/$\tau$]")
    ax.set_title("(d) Lyapunov spectra", fontsize=9)
    ax.legend(fontsize=7)


def _squeeze(ds: xr.Dataset) -> xr.Dataset:
    return ds.squeeze([d for d in GRID_DIMS if d in ds.dims], drop=True)
