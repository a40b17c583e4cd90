"""FORCE training with readout snapshots, and transfer from a network trained on fewer bits (seed 003, secs. 6.1, 7.1).

:func:`train_readout` FORCE-trains the readout of given weights ``(J, W_fb, W_in)`` from a given ``W_out`` on the
flip-flop task (:mod:`rnnchaos.training`: same task, same update, same test trial) and keeps ``W_out`` at
``n_snapshots`` times, spaced geometrically from ``first_snapshot`` to the end of training (the last snapshot is the
final ``W_out``). Training is split at the snapshot times by :func:`rnnchaos.training.run_network` with the RLS
matrix ``P`` carried across the pieces (pieces start on update steps), so it is the very training of
:func:`rnnchaos.training.train_flipflop`: :func:`train_scratch` with the same generator returns the same network.

:func:`transfer` starts an ``n_bits``-bit network from a trained ``n_src``-bit one (``n_src < n_bits``): ``J`` and
the source's input and feedback columns are copied, the new bits' columns drawn as in
:func:`rnnchaos.training.echo_state_weights`, the source's ``W_out`` rows copied and the new rows set to 0; then the
readout is retrained (fresh ``P = I / alpha``) for ``train_time``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import training
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.status import NumericalFailure

#: The task settings (keywords of :func:`rnnchaos.training.flipflop_task`) a network's ``params`` carry.
TASK_KEYS = ("dt", "pulse_width", "pulse_interval", "min_interval")


@dataclass(frozen=True)
class SnapshotTraining:
    """A trained network and its readout during training: ``snapshot_t`` (S,) times (time units of ``dt``) after
    which ``snapshot_W_out[s]`` (S, n_bits, N) was the readout; ``snapshot_W_out[-1]`` is ``net.W_out``."""

    net: training.TrainedNetwork
    snapshot_t: np.ndarray
    snapshot_W_out: np.ndarray


def snapshot_steps(n_snapshots: int, n_steps: int, *, update_every: int, first: int) -> np.ndarray:
    """Training steps after which ``W_out`` is kept: ``n_snapshots`` steps spaced geometrically from ``first`` to
    ``n_steps``, rounded to multiples of ``update_every`` (so a piece of training starts on an update), repeats
    dropped (at most ``n_snapshots``); the last is ``n_steps``."""
    if int(n_snapshots) != n_snapshots or n_snapshots < 1:
        raise ValueError(f"n_snapshots must be an integer >= 1, got {n_snapshots!r}")
    if n_snapshots == 1:
        return np.array([n_steps])
    first = min(max(int(first), 1), n_steps)
    t = np.geomspace(first, n_steps, int(n_snapshots))
    steps = np.clip(np.round(t / update_every).astype(np.int64) * update_every, update_every, n_steps)
    steps[-1] = n_steps
    return np.unique(steps)


def train_readout(J: np.ndarray, W_fb: np.ndarray, W_in: np.ndarray, W_out: np.ndarray, *, rng: np.random.Generator,
                  n_snapshots: int = 1, first_snapshot: float = 10.0, tau: float = 10.0, dt: float = 1.0,
                  alpha: float = 1.0, update_every: int = 2, train_time: float = 30000.0, test_time: float = 5000.0,
                  pulse_width: float = 10.0, pulse_interval: float = 200.0, min_interval: float = 50.0,
                  record_every: int = 5, nonlinearity: str = "tanh", params: dict | None = None) -> SnapshotTraining:
    """FORCE-train the readout ``W_out`` (copied, not changed) of the network ``(J, W_fb, W_in)``, keeping it at
    :func:`snapshot_steps` (``first_snapshot`` in time units), and test it as :func:`rnnchaos.training.train_flipflop`
    does. Random numbers, in order: initial state ``x ~ N(0, 0.25)``, training pulses, test pulses. ``params``: the
    network's settings recorded with it (the training settings are added)."""
    phi = get_nonlinearity(nonlinearity)
    n_bits, N = W_out.shape
    if J.shape != (N, N) or W_fb.shape != (N, n_bits) or W_in.shape != (N, n_bits):
        raise ValueError(f"J, W_fb, W_in must be ({N}, {N}), ({N}, {n_bits}), ({N}, {n_bits}) for W_out of shape "
                         f"{W_out.shape}, got {J.shape}, {W_fb.shape}, {W_in.shape}")
    for name, v in (("tau", tau), ("dt", dt), ("alpha", alpha), ("train_time", train_time), ("test_time", test_time)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if not (np.isfinite(first_snapshot) and first_snapshot > 0):
        raise ValueError(f"first_snapshot must be a finite number > 0, got {first_snapshot!r}")
    task_kw = dict(n_bits=n_bits, dt=dt, pulse_width=pulse_width, pulse_interval=pulse_interval,
                   min_interval=min_interval)
    x = 0.5 * rng.standard_normal(N)
    train = training.flipflop_task(max(1, int(round(train_time / dt))), rng=rng, **task_kw)
    test = training.flipflop_task(max(1, int(round(test_time / dt))), rng=rng, **task_kw)
    n_steps = train.inputs.shape[0]
    steps = snapshot_steps(n_snapshots, n_steps, update_every=update_every,
                           first=int(round(first_snapshot / dt)))
    W_out = np.array(W_out, dtype=float)
    P = np.eye(N) / alpha
    kept, curve, start = [], [], 0
    t0 = time.process_time()
    for stop in steps:
        x, _, _, (upd_n, err, w_norm) = training.run_network(
            J, W_fb, W_in, W_out, train.inputs[start:stop], x, tau=tau, dt=dt, targets=train.targets[start:stop],
            alpha=alpha, update_every=update_every, phi=phi.phi, P=P)
        kept.append(W_out.copy())
        curve.append((upd_n + start, err, w_norm))
        start = stop
    _, z, states, _ = training.run_network(J, W_fb, W_in, W_out, test.inputs, x, tau=tau, dt=dt,
                                           record_every=record_every, phi=phi.phi)
    cpu = time.process_time() - t0
    if not (np.all(np.isfinite(W_out)) and np.all(np.isfinite(z))):
        raise NumericalFailure("diverged", "FORCE training produced non-finite readout weights or outputs")
    upd_n, err, w_norm = (np.concatenate(c) for c in zip(*curve, strict=True))
    keep = slice(None, None, record_every)
    settings = dict(N=N, tau=tau, dt=dt, alpha=alpha, update_every=update_every, train_time=train_time,
                    test_time=test_time, n_bits=n_bits, pulse_width=pulse_width, pulse_interval=pulse_interval,
                    min_interval=min_interval, record_every=record_every, nonlinearity=phi.name)
    net = training.TrainedNetwork(
        J=J, W_in=W_in, W_fb=W_fb, W_out=W_out, curve_t=upd_n * dt, curve_error=err, curve_w_norm=w_norm,
        test_t=np.arange(test.inputs.shape[0])[keep] * dt, test_inputs=test.inputs[keep],
        test_targets=test.targets[keep], test_outputs=z[keep], test_states=states,
        test_mse=float(np.mean((z - test.targets) ** 2)),
        test_sign_error=float(np.mean(np.sign(z) != test.targets)),
        train_mse_final=float(np.mean(err[int(0.9 * err.size):])), n_updates=int(err.size), cpu_time=cpu,
        params={**(params or {}), **settings})
    return SnapshotTraining(net=net, snapshot_t=steps * dt, snapshot_W_out=np.stack(kept))


def train_scratch(*, rng: np.random.Generator, N: int = 1000, g: float = 1.5, n_bits: int = 3,
                  fb_scale: float = 1.0, input_scale: float = 4.0, **settings) -> SnapshotTraining:
    """Draw an echo-state network (:func:`rnnchaos.training.echo_state_weights`) and train it from ``W_out = 0``
    with :func:`train_readout` (``settings``: its keywords); the same network as
    :func:`rnnchaos.training.train_flipflop` with the same generator and settings."""
    J, W_fb, W_in = training.echo_state_weights(N, n_bits=n_bits, g=g, fb_scale=fb_scale, input_scale=input_scale,
                                                rng=rng)
    params = dict(g=g, fb_scale=fb_scale, input_scale=input_scale, origin="scratch")
    return train_readout(J, W_fb, W_in, np.zeros((n_bits, N)), rng=rng, params=params, **settings)


def transfer_weights(source: training.TrainedNetwork, *, n_bits: int, rng: np.random.Generator,
                     fb_scale: float = 1.0, input_scale: float = 4.0) -> tuple[np.ndarray, ...]:
    """``(J, W_fb, W_in, W_out)`` of an ``n_bits`` network started from ``source`` (fewer bits, see the module
    docstring); random numbers: the new feedback columns, then the new input columns."""
    n_src, N = source.W_out.shape
    if source.J.shape != (N, N) or source.W_fb.shape != (N, n_src) or source.W_in.shape != (N, n_src):
        raise ValueError(f"source: J, W_fb, W_in of shapes {source.J.shape}, {source.W_fb.shape}, "
                         f"{source.W_in.shape} do not fit W_out {source.W_out.shape}")
    if not n_src < n_bits:
        raise ValueError(f"source must have fewer bits than n_bits = {n_bits}, got a W_out of shape "
                         f"{source.W_out.shape} ({n_src} bits)")
    W_fb = np.concatenate([source.W_fb, rng.uniform(-fb_scale, fb_scale, (N, n_bits - n_src))], axis=1)
    W_in = np.concatenate([source.W_in, rng.uniform(-input_scale, input_scale, (N, n_bits - n_src))], axis=1)
    W_out = np.concatenate([source.W_out, np.zeros((n_bits - n_src, N))])
    return source.J.copy(), W_fb, W_in, W_out


def transfer(source: training.TrainedNetwork, *, rng: np.random.Generator, N: int, n_bits: int = 4,
             g: float | None = None, fb_scale: float = 1.0, input_scale: float = 4.0, **settings) -> SnapshotTraining:
    """Retrain, on the ``n_bits`` task, a network started from ``source`` (:func:`transfer_weights`).

    ``N`` (and ``g`` if given) must be the source's, and its nonlinearity ``settings["nonlinearity"]``."""
    if source.J.shape[0] != N:
        raise ValueError(f"source has N = {source.J.shape[0]} units, N = {N} expected (the study's N)")
    if g is not None and float(source.params.get("g", g)) != float(g):
        raise ValueError(f"source has g = {source.params['g']!r}, g = {g!r} expected")
    phi = settings.get("nonlinearity", "tanh")
    if source.params.get("nonlinearity", "tanh") != get_nonlinearity(phi).name:
        raise ValueError(f"source has nonlinearity {source.params.get('nonlinearity')!r}, {phi!r} expected")
    J, W_fb, W_in, W_out = transfer_weights(source, n_bits=n_bits, rng=rng, fb_scale=fb_scale,
                                            input_scale=input_scale)
    params = dict(g=source.params.get("g"), fb_scale=fb_scale, input_scale=input_scale, origin="transfer",
                  source_bits=source.W_out.shape[0])
    return train_readout(J, W_fb, W_in, W_out, rng=rng, params=params, **settings)


def to_dataset(st: SnapshotTraining) -> xr.Dataset:
    """:func:`rnnchaos.training.to_dataset` of the network with ``snapshot_t`` and ``snapshot_W_out``."""
    ds = training.to_dataset(st.net)
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    return ds.assign(
        snapshot_W_out=(("snapshot", "bit", "j"), st.snapshot_W_out, a("readout W_out at the snapshot")),
    ).assign_coords(snapshot_t=("snapshot", st.snapshot_t, a("training time of the snapshot", "time unit of dt")))


def from_dataset(ds: xr.Dataset) -> SnapshotTraining:
    """Rebuild :func:`to_dataset`'s :class:`SnapshotTraining` (a failed training raises, as
    :func:`rnnchaos.training.from_dataset`)."""
    net = training.from_dataset(ds)
    W = ds["snapshot_W_out"]
    W = W.squeeze([d for d in ("g", "sigma_b", "N", "seed") if d in W.dims], drop=True)
    return SnapshotTraining(net=net, snapshot_t=ds["snapshot_t"].values, snapshot_W_out=W.values)


def task_settings(net: training.TrainedNetwork) -> dict:
    """The flip-flop task of a trained network (keywords of :func:`rnnchaos.training.flipflop_task`)."""
    return {k: float(net.params[k]) for k in TASK_KEYS} | {"n_bits": int(net.W_out.shape[0])}

