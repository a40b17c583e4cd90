"""Figures of the training_study section (matplotlib, no pyplot state): how FORCE training shapes the state space.

* :func:`training_evolution` (one source network): (a) fixed points by index against training time (the seed's
  bifurcation sequence, its Fig. 7), with the memories held and the origin's index; (b)-(e) the fixed points and
  input-off trajectories on the final network's top two principal components at four snapshots;
* :func:`flipflop_geometry` (every n_bits network): (a) distances between memories against their Hamming distance,
  scratch and transferred; (b) the mean edge length along each bit; (c), (d) the memories of seed 0 on their own
  top principal components (PC1-PC2, PC1-PC3), edges drawn;
* :func:`noise_robustness` (every n_bits network): test MSE against eta, mean over seeds with its SEM, one curve per
  nonlinearity and origin (seed 003's Fig. 9).

A file whose stage failed (non-zero ``status``) is left out and counted in the caption.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import Drawing

GRID_DIMS = ("g", "sigma_b", "N", "seed")
INDEX_STYLE = ("tab:blue", "tab:orange", "tab:red", "tab:purple", "tab:gray")
ORIGIN_STYLE = {"scratch": dict(color="tab:blue", marker="o"), "transfer": dict(color="tab:red", marker="s")}
LINES = {"tanh": "-", "logistic": "--", "erf": ":"}


def _squeeze(ds: xr.Dataset) -> xr.Dataset:
    return ds.squeeze([d for d in GRID_DIMS if d in ds.dims], drop=True)


def _seed(ds: xr.Dataset) -> int:
    return int(np.ravel(ds["seed"].values)[0]) if "seed" in ds.coords else -1


def _ok(ds: xr.Dataset) -> bool:
    return "status" not in ds or int(np.ravel(ds["status"].values)[0]) == 0


def _failed(fig: Figure, what: str) -> Drawing:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"{what} failed", ha="center", va="center")
    return Drawing(fig, f"No result: {what} failed (see its log).")


def training_evolution(evolution: xr.Dataset) -> Drawing:
    """The registry's figure ``training_evolution`` for one source network (module docstring)."""
    fig = Figure(figsize=(13.0, 7.0), layout="constrained")
    seed, ev = _seed(evolution), _squeeze(evolution)
    if not _ok(ev):
        return _failed(fig, "the fixed-point search over training")
    grid = fig.add_gridspec(2, 4)
    ax = fig.add_subplot(grid[0, :])
    t, n = ev["snapshot_t"].values, ev["n_index"].values
    top = n.shape[1] - 1
    for k in range(n.shape[1]):
        label = "stable (index 0)" if k == 0 else f"index {k}" if k < top else f"index >= {top}"
        ax.plot(t, n[:, k], marker="o", color=INDEX_STYLE[min(k, len(INDEX_STYLE) - 1)], label=label)
    ax.plot(t, ev["n_memories"].values, "k--", marker="*", label="memories held")
    if np.isfinite(ev["origin_index"].values).any():
        ax.plot(t, ev["origin_index"].values, ":", color="tab:green", label="index of x = 0")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("training time (time units of dt)")
    ax.set_ylabel("fixed points found")
    ax.legend(fontsize=8, ncols=4)
    moments = np.unique(np.linspace(0, t.size - 1, min(4, t.size)).round().astype(int))
    pc, idx, snap = ev["point_pc"].values, ev["point_index"].values, ev["point_snapshot"].values
    for j, s in enumerate(moments):
        ax2 = fig.add_subplot(grid[1, j])
        for traj in ev["trajectory_pc"].values[s]:
            ax2.plot(traj[:, 0], traj[:, 1], color="0.7", lw=0.8)
        here = snap == s
        for k in range(top + 1):
            sel = here & (np.minimum(idx, top) == k)
            ax2.scatter(pc[sel, 0], pc[sel, 1], s=30 if k == 0 else 16, color=INDEX_STYLE[min(k, 4)],
                        marker="o" if k == 0 else "x")
        ax2.set_title(f"t = {t[s]:g}: {int(ev['n_memories'].values[s])} memories", fontsize=9)
        ax2.set_xlabel("PC1")
        ax2.set_ylabel("PC2")
    p = json.loads(ev.attrs.get("parameters", "{}"))
    stable, mem = n[:, 0], ev["n_memories"].values
    first = t[np.argmax(mem == mem.max())]
    caption = (f"Source network, seed {seed}: fixed points (|F| < {p.get('tol', 'tol')}) of the input-off network "
               f"at {t.size} readout snapshots from one set of {p.get('n_init', '?')} initial states "
               f"(+{p.get('n_extra', '?')} deflated solves per snapshot); the principal axes are the final test "
               "trial's; grey: input-off trajectories from fixed initial states.")
    agreement = (f"Stable points {int(stable[0])} -> {int(stable[-1])}, memories held {int(mem[0])} -> "
                 f"{int(mem[-1])} (all {int(mem.max())} first at t = {first:g}); index of x = 0: "
                 f"{_fmt(ev['origin_index'].values[0])} -> {_fmt(ev['origin_index'].values[-1])}.")
    return Drawing(fig, agreement, caption)


def _fmt(v: float) -> str:
    return "none" if not np.isfinite(v) else f"{v:.0f}"


def flipflop_geometry(geometry: list[xr.Dataset]) -> Drawing:
    """The registry's figure ``flipflop_geometry`` over every n_bits network (module docstring)."""
    fig = Figure(figsize=(12.0, 8.0), layout="constrained")
    ok = [(_seed(ds), _squeeze(ds)) for ds in geometry if _ok(ds)]
    if not ok:
        return _failed(fig, "every geometry study")
    axes = fig.subplots(2, 2)
    rows = []
    for seed, ds in ok:
        origin, phi = ds.attrs.get("origin", "?"), ds.attrs.get("nonlinearity", "tanh")
        h, d = ds["hamming"].values, ds["distance"].values
        iu = np.triu_indices_from(h, 1)
        jitter = 0.08 * (1 if origin == "transfer" else -1) + (0.03 if phi != "tanh" else 0)
        axes[0, 0].scatter(h[iu] + jitter, d[iu], s=6, alpha=0.5, **ORIGIN_STYLE.get(origin, {}))
        axes[0, 1].plot(np.arange(ds.sizes["bit"]) + 1, ds["bit_edge"].values, LINES.get(phi, "-"), alpha=0.7,
                        **ORIGIN_STYLE.get(origin, {}))
        rows.append((origin, phi, seed, int(ds["n_memories"]), float(ds["edge_mean"]), float(ds["edge_sd"])))
    for origin, style in ORIGIN_STYLE.items():
        axes[0, 0].scatter([], [], label=origin, **style)
    axes[0, 0].set(xlabel="Hamming distance between memories", ylabel="distance |x*_c - x*_c'|")
    axes[0, 0].legend(fontsize=8)
    axes[0, 1].set(xlabel="bit", ylabel="mean edge length along the bit")
    for j, origin in enumerate(("scratch", "transfer")):
        ax = axes[1, j]
        pick = [ds for seed, ds in ok if ds.attrs.get("origin") == origin]
        if not pick:
            ax.set_axis_off()
            continue
        ds = pick[0]
        xy, h = ds["memory_pc"].values, ds["hamming"].values
        for a, b in zip(*np.nonzero(np.triu(h == 1)), strict=True):
            ax.plot(xy[[a, b], 0], xy[[a, b], 2], color="0.6", lw=0.8)
        ax.scatter(xy[:, 0], xy[:, 2], **ORIGIN_STYLE[origin])
        ex = ds["explained"].values
        ax.set(xlabel=f"PC1 ({ex[0]:.0%})", ylabel=f"PC3 ({ex[2]:.0%})",
               title=f"{origin}, {ds.attrs.get('nonlinearity')}: memories on their PC1-PC3")
    n_bits = int(np.log2(ok[0][1].sizes["corner"]))
    caption = (f"{len(ok)} networks of the {n_bits}-bit flip-flop ({len(geometry) - len(ok)} failed); memories: the "
               "stable fixed points whose readout is nearest each corner; edges: pairs one bit apart.")
    parts = []
    for origin in ("scratch", "transfer"):
        sel = [r for r in rows if r[0] == origin]
        if sel:
            full = sum(r[3] == 2**n_bits for r in sel)
            parts.append(f"{origin}: {full} of {len(sel)} networks hold all {2 ** n_bits} memories, edge length "
                         f"{np.nanmean([r[4] for r in sel]):.3g} (mean over networks), spread (s.d./mean) "
                         f"{np.nanmean([r[5] / r[4] for r in sel]):.2f}")
    return Drawing(fig, "; ".join(parts) + ".", caption)


def noise_robustness(noise: list[xr.Dataset]) -> Drawing:
    """The registry's figure ``noise_robustness`` over every n_bits network (module docstring)."""
    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    ok = [_squeeze(ds) for ds in noise if _ok(ds)]
    if not ok:
        return _failed(fig, "every noise study")
    ax = fig.add_subplot()
    groups: dict[tuple[str, str], list] = {}
    for ds in ok:
        groups.setdefault((ds.attrs.get("nonlinearity", "tanh"), ds.attrs.get("origin", "?")), []).append(ds)
    parts = []
    for (phi, origin), dss in sorted(groups.items()):
        eta = dss[0]["eta"].values
        per_net = np.array([ds["mse"].values.mean(axis=1) for ds in dss])  # (networks, eta)
        mean = per_net.mean(axis=0)
        sem = per_net.std(axis=0, ddof=1) / np.sqrt(len(dss)) if len(dss) > 1 else \
            dss[0]["mse_sem"].values
        ax.errorbar(eta, mean, yerr=sem, ls=LINES.get(phi, "-"), capsize=3, label=f"{phi}, {origin}",
                    **ORIGIN_STYLE.get(origin, {}))
        parts.append(f"{phi} {origin}: MSE {mean[0]:.3g} at eta = {eta[0]:g}, {mean[-1]:.3g} +- {sem[-1]:.2g} at "
                     f"eta = {eta[-1]:g}")
    ax.set(xlabel="eta (s.d. of the noise on each recurrent weight)", ylabel="test MSE", yscale="log")
    eta_all = np.concatenate([ds["eta"].values for ds in ok])
    if np.any(eta_all > 0) and eta_all.max() / eta_all[eta_all > 0].min() > 20:  # a log grid (the seed's): symlog
        ax.set_xscale("symlog", linthresh=float(eta_all[eta_all > 0].min()))
        ax.set_xlim(left=0.0)
    ax.legend(fontsize=8)
    p = json.loads(ok[0].attrs.get("parameters", "{}"))
    caption = (f"{len(ok)} networks ({len(noise) - len(ok)} failed), {p.get('n_draws', '?')} noise draws per eta "
               f"each, test trials of {p.get('test_time', '?')} time units; points: mean over networks of the mean "
               "over draws, error bars the SEM over networks (one network: over draws).")
    return Drawing(fig, "; ".join(parts) + ".", caption)
