"""Fixed points of a FORCE-trained network over its training (seed 003, sec. 6.1 and its Fig. 7).

At each readout snapshot ``W_out(t)`` of :mod:`rnnchaos.training_study`, the network with its input off,

    tau dx/dt = -x + (J + W_fb W_out(t)) phi(x),

has its fixed points found from ONE fixed set of initial states (drawn once, by
:func:`rnnchaos.trained_analysis.initial_states`, from the final network's test trial) with the trained-analysis
machinery (:func:`rnnchaos.trained_analysis.autonomous_system` and :func:`rnnchaos.fixed_points.find_fixed_points`:
verified ``|F|_inf < tol``, Jacobian eigenvalues, index = eigenvalues with positive real part) and classified: stable
points (index 0), saddles by index, memories held (a stable point whose readout lies within ``corner_tol`` of a
corner of ``{-1, 1}^n_bits``), the index of the origin (a fixed point when ``phi`` is odd). All are projected on
one PCA basis, the top components of the final network's test trial, with a few input-off trajectories from the
first initial states. The bifurcation sequence is then read off the counts against training time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import fixed_points, trained_analysis, training
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.training_study import SnapshotTraining


@dataclass(frozen=True)
class TrainingEvolution:
    """Per snapshot ``s`` (times ``t``): ``points[s]`` (:class:`~rnnchaos.fixed_points.FixedPoints`), their
    readouts, nearest corners and distances to them, projections ``pc[s]`` on the fixed basis ``components``
    (around ``mean``); ``origin_index`` (NaN where 0 is no fixed point), ``trajectory_pc`` (S, n_traj, n_t, n_pc)."""

    t: np.ndarray
    points: list
    readout: list
    corner: list
    corner_distance: list
    pc: list
    components: np.ndarray
    mean: np.ndarray
    explained: np.ndarray
    origin_index: np.ndarray
    trajectory_pc: np.ndarray
    corner_tol: float

    def n_memories(self, s: int) -> int:
        """Corners held by a stable fixed point of snapshot ``s``."""
        ok = (self.points[s].n_unstable == 0) & (self.corner_distance[s] < self.corner_tol)
        return int(np.unique(self.corner[s][ok]).size)


def fixed_points_at(net: training.TrainedNetwork, W_out: np.ndarray, x0s: np.ndarray, *, rng=None,
                    tol: float = 1e-9, max_iter: int = 50, n_extra: int = 0) -> fixed_points.FixedPoints:
    """Verified fixed points of ``net`` with its input off and readout ``W_out`` (the analysis's solver)."""
    phi = get_nonlinearity(net.params.get("nonlinearity", "tanh"))
    F, jac = trained_analysis.autonomous_system(net.J + net.W_fb @ W_out, float(net.params["tau"]), phi)
    return fixed_points.find_fixed_points(F, jac, x0s, tol=tol, max_iter=max_iter, symmetric=phi.odd,
                                          n_extra=n_extra, rng=rng)


def classify(fp: fixed_points.FixedPoints, W_out: np.ndarray, nonlinearity: str) -> tuple[np.ndarray, ...]:
    """Readouts ``W_out phi(x*)``, the nearest corner (row of :func:`rnnchaos.trained_analysis.corners`) and the
    max-norm distance to it."""
    readout = get_nonlinearity(nonlinearity).phi(fp.x) @ W_out.T
    c = trained_analysis.corners(W_out.shape[0])
    dist = np.abs(readout[:, None, :] - c[None, :, :]).max(axis=2)
    if not dist.size:
        return readout, np.empty(0, dtype=int), np.empty(0)
    return readout, dist.argmin(axis=1), dist.min(axis=1)


def training_evolution(st: SnapshotTraining, *, rng: np.random.Generator, n_init: int = 64, n_extra: int = 16,
                       tol: float = 1e-9, max_iter: int = 50, state_fraction: float = 0.5,
                       midpoint_fraction: float = 0.25, corner_tol: float = 0.2, n_pc: int = 3,
                       n_trajectories: int = 6, trajectory_time: float = 300.0) -> TrainingEvolution:
    """Fixed points of every snapshot of ``st`` from one set of ``n_init`` initial states (and ``n_extra`` deflated
    solves per snapshot), classified and projected (see the module docstring). Trajectories: ``n_trajectories``
    of the initial states run for ``trajectory_time`` (time units) with the input off.

    Random numbers, in order: the initial states, then each snapshot's deflated solves (a generator spawned per
    snapshot), so with ``n_extra = 0`` the last snapshot's points are those of
    :func:`rnnchaos.trained_analysis.analyse_trained` with the same generator."""
    net = st.net
    if int(n_init) != n_init or n_init < 1:
        raise ValueError(f"n_init must be an integer >= 1, got {n_init!r}")
    if not 0 < corner_tol <= 1:
        raise ValueError(f"corner_tol must be in (0, 1], got {corner_tol!r}")
    if int(n_trajectories) != n_trajectories or not 0 <= n_trajectories <= n_init:
        raise ValueError(f"n_trajectories must be an integer in [0, n_init = {n_init}], got {n_trajectories!r}")
    phi = get_nonlinearity(net.params.get("nonlinearity", "tanh"))
    x0s = trained_analysis.initial_states(net.test_states, n_init, rng=rng, state_fraction=state_fraction,
                                          midpoint_fraction=midpoint_fraction)
    comps, mean, explained = trained_analysis.pca(net.test_states, n_pc)
    tau, dt = float(net.params["tau"]), float(net.params["dt"])
    n_t = max(1, int(round(trajectory_time / dt)))
    every = max(1, n_t // 100)
    out = {k: [] for k in ("points", "readout", "corner", "corner_distance", "pc")}
    origin, traj = [], np.empty((len(st.snapshot_t), n_trajectories, -(-n_t // every), comps.shape[0]))
    for s, (W_out, sub) in enumerate(zip(st.snapshot_W_out, rng.spawn(len(st.snapshot_t)), strict=True)):
        fp = fixed_points_at(net, W_out, x0s, rng=sub, tol=tol, max_iter=max_iter, n_extra=n_extra)
        readout, corner, dist = classify(fp, W_out, phi.name)
        for k, v in zip(out, (fp, readout, corner, dist, (fp.x - mean) @ comps.T), strict=True):
            out[k].append(v)
        J_eff = net.J + net.W_fb @ W_out
        origin.append(float(np.sum(np.linalg.eigvals(J_eff * phi.dphi(0.0) - np.eye(J_eff.shape[0])).real > 0))
                      if phi.odd else np.nan)
        zeros = np.zeros((n_t, W_out.shape[0]))
        for i in range(n_trajectories):
            _, _, rec, _ = training.run_network(net.J, net.W_fb, net.W_in, W_out, zeros, x0s[i], tau=tau, dt=dt,
                                                record_every=every, phi=phi.phi)
            traj[s, i] = (rec - mean) @ comps.T
    return TrainingEvolution(t=st.snapshot_t, components=comps, mean=mean, explained=explained,
                             origin_index=np.array(origin), trajectory_pc=traj, corner_tol=corner_tol, **out)


def index_counts(ev: TrainingEvolution, max_index: int = 4) -> np.ndarray:
    """(S, max_index + 1): per snapshot, fixed points of index 0 (stable), 1, ..., and ``>= max_index`` last."""
    return np.array([np.bincount(np.minimum(p.n_unstable, max_index), minlength=max_index + 1) for p in ev.points])


def to_dataset(ev: TrainingEvolution, *, max_index: int = 4) -> xr.Dataset:
    """Per snapshot: counts by index (``n_index``, last bin ``>= max_index``), memories, origin index; per fixed
    point (dim ``point``, flattened over snapshots, ``point_snapshot`` says whose): index, readout, corner,
    projection, residual; the PCA basis's explained variance; the trajectories' projections."""
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    snap = np.concatenate([np.full(p.x.shape[0], s) for s, p in enumerate(ev.points)]).astype(np.int32)
    cat = lambda xs, shape: np.concatenate(xs) if xs and sum(len(x) for x in xs) else np.empty(shape)  # noqa: E731
    n_bits = ev.readout[0].shape[1] if ev.readout else 0
    return xr.Dataset(
        {
            "n_index": (("snapshot", "index"), index_counts(ev, max_index),
                        a(f"fixed points of each index (eigenvalues with Re > 0; the last bin: >= {max_index})")),
            "n_points": (("snapshot",), np.array([p.x.shape[0] for p in ev.points]), a("verified fixed points")),
            "n_memories": (("snapshot",), np.array([ev.n_memories(s) for s in range(len(ev.points))]),
                           a(f"corners held by a stable fixed point within {ev.corner_tol:g}")),
            "origin_index": (("snapshot",), ev.origin_index, a("index of the fixed point x = 0 (NaN: none)")),
            "point_snapshot": (("point",), snap, a("snapshot of the fixed point")),
            "point_index": (("point",), cat([p.n_unstable for p in ev.points], (0,)).astype(np.int32),
                            a("index: Jacobian eigenvalues with positive real part")),
            "point_readout": (("point", "bit"), cat(ev.readout, (0, n_bits)), a("readout W_out(t) phi(x*)")),
            "point_corner": (("point",), cat(ev.corner, (0,)).astype(np.int16), a("nearest corner of {-1,1}^n_bits")),
            "point_corner_distance": (("point",), cat(ev.corner_distance, (0,)),
                                      a("max-norm distance of the readout to the nearest corner")),
            "point_pc": (("point", "pc"), cat(ev.pc, (0, ev.components.shape[0])),
                         a("fixed point on the final network's principal components")),
            "point_residual": (("point",), cat([p.residual for p in ev.points], (0,)),
                               a("|F(x*)|_inf", "1/(time unit of dt)")),
            "point_max_real_eig": (("point",), cat([p.max_real_eig for p in ev.points], (0,)),
                                   a("largest real part of the Jacobian's eigenvalues", "1/(time unit of dt)")),
            "pca_explained": (("pc",), ev.explained, a("fraction of the final test trial's variance")),
            "trajectory_pc": (("snapshot", "trajectory", "step", "pc"), ev.trajectory_pc,
                              a("input-off trajectory from a fixed initial state, on the principal components")),
        },
        coords={"snapshot_t": ("snapshot", ev.t, a("training time of the snapshot", "time unit of dt"))},
        attrs={"corner_tol": ev.corner_tol, "max_index": max_index},
    )


def bifurcation_sequence(ds: xr.Dataset) -> list[str]:
    """The changes in the fixed-point structure between snapshots, one line each: stable points, saddles of index
    1 to 3, memories and the origin's index at the first snapshot and wherever one of them changes."""
    lines, last = [], None
    for s, t in enumerate(ds["snapshot_t"].values):
        n = ds["n_index"].values[s]
        state = (int(n[0]), *(int(v) for v in n[1:4]), int(ds["n_memories"].values[s]),
                 float(ds["origin_index"].values[s]))
        if state != last:
            origin = "none" if np.isnan(state[5]) else f"{state[5]:.0f}"
            lines.append(f"t = {t:g}: {state[0]} stable, saddles of index 1/2/3: {state[1]}/{state[2]}/{state[3]}, "
                         f"{state[4]} memories, origin index {origin}")
        last = state
    return lines
