"""An echo-state network trained by FORCE on the n-bit flip-flop task (seed 003; Sussillo & Abbott 2009).

Network (rate units, ``phi = tanh`` unless ``nonlinearity`` says otherwise, time in the task's units, e.g. ms):

    tau dx/dt = -x + J phi(x) + W_fb z + W_in u,    z = W_out phi(x),

with ``J_ij ~ N(0, g^2/N)`` (dense), feedback ``W_fb`` and input ``W_in`` uniform in ``[-fb_scale, fb_scale]`` and
``[-input_scale, input_scale]``, integrated by forward Euler at step ``dt``. Only the readout ``W_out`` (n_out x N)
is trained, by FORCE (first-order reduced and controlled error; Sussillo & Abbott, Neuron 63, 544, 2009): every
``update_every`` steps, with ``r = phi(x)`` and the error ``e = z - f`` *before* the update,

    k = P r,   c = 1 / (1 + r.k),   P <- P - c k k^T,   W_out <- W_out - c e k^T,

recursive least squares with ``P(0) = I / alpha`` (``P`` is the running inverse of the rate correlation matrix
plus ``alpha I``). The actual output ``z``, not the target, is fed back throughout.

Task (:func:`flipflop_task`): each of ``n_bits`` input channels carries pulses of height +-1 (random sign) and
width ``pulse_width``, one at t = 0 on every channel and then separated by ``min_interval`` plus an exponential
time of mean ``pulse_interval - min_interval``; the target of output ``b`` is the sign of the last pulse on
channel ``b`` (it switches at the pulse's onset).

Seed 003's Table 1: N = 1000, g = 1.5, alpha = 1, tau = 10, an update every 2 steps, 30000 training and 5000 test
time units (dt = 1, so dt/tau = 0.1). The seed does not state the input and feedback weights; feedback follows
Sussillo & Abbott (uniform in [-1, 1]) and the input default ``input_scale = 4`` was chosen because with
``input_scale = 1`` or 2 pulses often failed to flip a memory (test MSE 0.1-0.3 against 0.02-0.03 with 4 at
N = 1000, measured here on two seeds).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from rnnchaos.nonlinearity import TANH, Nonlinearity
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.status import NumericalFailure


@dataclass(frozen=True)
class FlipFlopTask:
    """Inputs ``u`` (n_steps, n_bits), targets ``f`` (n_steps, n_bits), and the step ``dt`` they are sampled at."""

    inputs: np.ndarray
    targets: np.ndarray
    dt: float


@dataclass(frozen=True)
class TrainedNetwork:
    """A FORCE-trained echo-state network with its training curve and test trial.

    Weights: ``J`` (N, N), ``W_in`` (N, n_bits), ``W_fb`` (N, n_bits), ``W_out`` (n_bits, N). Training curve,
    one entry per update: ``curve_t`` (time), ``curve_error`` (|e|^2 / n_bits before the update), ``curve_w_norm``
    (|W_out|_F after it). Test trial (``W_out`` frozen, fresh pulses): ``test_t``, ``test_inputs``,
    ``test_targets``, ``test_outputs`` sampled every ``record_every`` steps, ``test_states`` the states ``x``
    there; ``test_mse`` is the mean over all test steps and bits of ``(z - f)^2`` (transitions included: the
    output needs about ``tau`` to follow a flip) and ``test_sign_error`` the fraction with ``sign z != f``;
    ``train_mse_final`` is the mean of ``curve_error`` over the last 10% of updates.
    """

    J: np.ndarray
    W_in: np.ndarray
    W_fb: np.ndarray
    W_out: np.ndarray
    curve_t: np.ndarray
    curve_error: np.ndarray
    curve_w_norm: np.ndarray
    test_t: np.ndarray
    test_inputs: np.ndarray
    test_targets: np.ndarray
    test_outputs: np.ndarray
    test_states: np.ndarray
    test_mse: float
    test_sign_error: float
    train_mse_final: float
    n_updates: int
    cpu_time: float
    params: dict = field(default_factory=dict)

    @property
    def J_eff(self) -> np.ndarray:
        """Couplings of the closed-loop network with the input off: ``J + W_fb W_out``."""
        return self.J + self.W_fb @ self.W_out


def flipflop_task(n_steps: int, *, rng: np.random.Generator, n_bits: int = 3, dt: float = 1.0,
                  pulse_width: float = 10.0, pulse_interval: float = 200.0,
                  min_interval: float = 50.0) -> FlipFlopTask:
    """The n-bit flip-flop task over ``n_steps`` steps of ``dt`` (see the module docstring for the pulses)."""
    _check_int("n_steps", n_steps, 1)
    _check_int("n_bits", n_bits, 1)
    _check_pos("dt", dt)
    _check_pos("pulse_width", pulse_width)
    if not (np.isfinite(min_interval) and min_interval >= pulse_width):
        raise ValueError(f"min_interval must be >= pulse_width = {pulse_width:g}, got {min_interval!r}")
    if not (np.isfinite(pulse_interval) and pulse_interval >= min_interval):
        raise ValueError(f"pulse_interval must be >= min_interval = {min_interval:g}, got {pulse_interval!r}")
    u, f = np.zeros((n_steps, n_bits)), np.empty((n_steps, n_bits))
    width = max(1, int(round(pulse_width / dt)))
    for b in range(n_bits):
        t = 0.0
        while True:
            n0 = int(round(t / dt))
            if n0 >= n_steps:
                break
            s = rng.choice((-1.0, 1.0))
            u[n0:n0 + width, b] = s
            f[n0:, b] = s
            t += min_interval + rng.exponential(pulse_interval - min_interval) if pulse_interval > min_interval \
                else min_interval
    return FlipFlopTask(inputs=u, targets=f, dt=float(dt))


def echo_state_weights(N: int, *, n_bits: int, g: float, fb_scale: float, input_scale: float,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reservoir ``J`` (N(0, g^2/N)), feedback ``W_fb`` and input ``W_in`` (uniform, +-scale), in that order."""
    _check_int("N", N, 1)
    if not (np.isfinite(g) and g >= 0):
        raise ValueError(f"g must be a finite number >= 0, got {g!r}")
    J = (g / np.sqrt(N)) * rng.standard_normal((N, N))
    W_fb = rng.uniform(-fb_scale, fb_scale, (N, n_bits))
    W_in = rng.uniform(-input_scale, input_scale, (N, n_bits))
    return J, W_fb, W_in


def run_network(J, W_fb, W_in, W_out, inputs, x0, *, tau: float, dt: float, targets=None, alpha: float = 1.0,
                update_every: int = 0, record_every: int = 0, phi=np.tanh, P=None):
    """Euler-integrate the closed loop over ``inputs``; FORCE-train ``W_out`` in place if ``update_every > 0``.

    Strict kernel (no checks; ``phi``: the transfer function). Returns the final state, the per-step outputs
    ``z`` (n_steps, n_out), the states every ``record_every`` steps (or None) and, when training, the update
    steps, errors and ``|W_out|_F``. ``P``: the RLS matrix to continue from, updated in place (default
    ``I / alpha``), so that training split into pieces is the same training.
    """
    n_steps, n_out = inputs.shape[0], W_out.shape[0]
    x = np.array(x0, dtype=float)
    a = dt / tau
    z_all = np.empty((n_steps, n_out))
    rec = np.empty((-(-n_steps // record_every), x.size)) if record_every else None
    n_upd = -(-n_steps // update_every) if update_every else 0
    upd_n, upd_err, upd_w = np.empty(n_upd, dtype=np.int64), np.empty(n_upd), np.empty(n_upd)
    if update_every:
        P = np.eye(x.size) / alpha if P is None else P
        kk = np.empty_like(P)
    j = 0
    for n in range(n_steps):
        r = phi(x)
        z = W_out @ r
        if update_every and n % update_every == 0:
            e = z - targets[n]
            k = P @ r
            c = 1.0 / (1.0 + r @ k)
            np.multiply.outer(k, c * k, out=kk)
            P -= kk
            W_out -= c * np.outer(e, k)
            upd_n[j], upd_err[j], upd_w[j] = n, e @ e / n_out, np.linalg.norm(W_out)
            j += 1
        z_all[n] = z
        if record_every and n % record_every == 0:
            rec[n // record_every] = x
        x += a * (J @ r + W_fb @ z + W_in @ inputs[n] - x)
    return x, z_all, rec, (upd_n, upd_err, upd_w)


def train_flipflop(*, rng: np.random.Generator, N: int = 1000, g: float = 1.5, tau: float = 10.0, dt: float = 1.0,
                   alpha: float = 1.0, update_every: int = 2, train_time: float = 30000.0,
                   test_time: float = 5000.0, n_bits: int = 3, pulse_width: float = 10.0,
                   pulse_interval: float = 200.0, min_interval: float = 50.0, fb_scale: float = 1.0,
                   input_scale: float = 4.0, record_every: int = 5,
                   nonlinearity: str | Nonlinearity = TANH) -> TrainedNetwork:
    """Draw an echo-state network, FORCE-train its readout on the flip-flop task, and test it.

    Defaults are seed 003's Table 1 (``N = 1000, g = 1.5, alpha = 1, tau = 10, update_every = 2,
    train_time = 30000, test_time = 5000``, times in units of ``dt = 1``). The network starts at
    ``x ~ N(0, 0.25)`` with ``W_out = 0``; the test trial continues from the last training state with
    fresh pulses and ``W_out`` frozen. Random numbers, in order: weights, initial state, training pulses, test
    pulses, all from ``rng``. ``nonlinearity``: ``phi`` of the units (:mod:`rnnchaos.nonlinearity`; tanh, seed
    003's, by default), recorded in ``params``.
    """
    phi = get_nonlinearity(nonlinearity)
    _check_pos("tau", tau)
    _check_pos("dt", dt)
    if dt / tau > 1:
        raise ValueError(f"dt / tau must be <= 1 for a stable Euler step, got dt = {dt!r}, tau = {tau!r}")
    _check_pos("alpha", alpha)
    _check_int("update_every", update_every, 1)
    _check_int("record_every", record_every, 1)
    _check_pos("train_time", train_time)
    _check_pos("test_time", test_time)
    for name, v in (("fb_scale", fb_scale), ("input_scale", input_scale)):
        if not (np.isfinite(v) and v >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {v!r}")
    params = dict(N=N, g=g, tau=tau, dt=dt, alpha=alpha, update_every=update_every, train_time=train_time,
                  test_time=test_time, n_bits=n_bits, pulse_width=pulse_width, pulse_interval=pulse_interval,
                  min_interval=min_interval, fb_scale=fb_scale, input_scale=input_scale, record_every=record_every,
                  nonlinearity=phi.name)
    J, W_fb, W_in = echo_state_weights(N, n_bits=n_bits, g=g, fb_scale=fb_scale, input_scale=input_scale, rng=rng)
    x0 = 0.5 * rng.standard_normal(N)
    task_kw = dict(n_bits=n_bits, dt=dt, pulse_width=pulse_width, pulse_interval=pulse_interval,
                   min_interval=min_interval)
    train = flipflop_task(_steps(train_time, dt), rng=rng, **task_kw)
    test = flipflop_task(_steps(test_time, dt), rng=rng, **task_kw)
    W_out = np.zeros((n_bits, N))
    t0 = time.process_time()
    x, _, _, (upd_n, err, w_norm) = run_network(J, W_fb, W_in, W_out, train.inputs, x0, tau=tau, dt=dt,
                                                targets=train.targets, alpha=alpha, update_every=update_every,
                                                phi=phi.phi)
    _, z, states, _ = run_network(J, W_fb, W_in, W_out, test.inputs, x, tau=tau, dt=dt, record_every=record_every,
                                  phi=phi.phi)
    cpu = time.process_time() - t0
    if not (np.all(np.isfinite(W_out)) and np.all(np.isfinite(z))):
        raise NumericalFailure("diverged", "FORCE training produced non-finite readout weights or outputs")
    tail = err[int(0.9 * err.size):]
    keep = slice(None, None, record_every)
    return TrainedNetwork(
        J=J, W_in=W_in, W_fb=W_fb, W_out=W_out, curve_t=upd_n * dt, curve_error=err, curve_w_norm=w_norm,
        test_t=np.arange(test.inputs.shape[0])[keep] * dt, test_inputs=test.inputs[keep],
        test_targets=test.targets[keep], test_outputs=z[keep], test_states=states,
        test_mse=float(np.mean((z - test.targets) ** 2)),
        test_sign_error=float(np.mean(np.sign(z) != test.targets)), train_mse_final=float(np.mean(tail)),
        n_updates=int(err.size), cpu_time=cpu, params=params)


def to_dataset(net: TrainedNetwork) -> xr.Dataset:
    """The network as a Dataset (dims ``i``, ``j`` units, ``bit``, ``update``, ``t``); no grid coordinates."""
    tu = "time unit of dt"

    def a(long_name, units="1"):
        return {"units": units, "long_name": long_name}

    ds = xr.Dataset(
        {
            "J": (("i", "j"), net.J, a("reservoir couplings J_ij ~ N(0, g^2/N)")),
            "W_in": (("i", "bit"), net.W_in, a("input weights")),
            "W_fb": (("i", "bit"), net.W_fb, a("readout feedback weights")),
            "W_out": (("bit", "j"), net.W_out, a("trained readout weights (z = W_out tanh(x))")),
            "curve_error": ("update", net.curve_error, a("squared readout error |z - f|^2 / n_bits before update")),
            "curve_w_norm": ("update", net.curve_w_norm, a("Frobenius norm of W_out after the update")),
            "test_inputs": (("t", "bit"), net.test_inputs, a("test input pulses u")),
            "test_targets": (("t", "bit"), net.test_targets, a("test targets f (sign of the last pulse)")),
            "test_outputs": (("t", "bit"), net.test_outputs, a("test readout z = W_out tanh(x)")),
            "test_states": (("t", "i"), net.test_states, a("test states x")),
            "test_mse": ((), net.test_mse, a("test mean squared error <(z - f)^2> over all steps and bits")),
            "test_sign_error": ((), net.test_sign_error, a("fraction of test steps and bits with sign(z) != f")),
            "train_mse_final": ((), net.train_mse_final, a("mean squared error over the last 10% of updates")),
            "n_updates": ((), np.int64(net.n_updates), a("number of FORCE updates")),
            "cpu_time": ((), net.cpu_time, a("CPU time of training and test", "s")),
        },
        coords={
            "update": ("update", np.arange(net.n_updates), a("FORCE update index")),
            "curve_t": ("update", net.curve_t, a("time of the update", tu)),
            "t": ("t", net.test_t, a("test time", tu)),
            "bit": ("bit", np.arange(net.W_out.shape[0]), a("flip-flop channel")),
        },
        attrs={"training_parameters": json.dumps(net.params, sort_keys=True),
               "nonlinearity": net.params.get("nonlinearity", "tanh")},
    )
    return ds


def from_dataset(ds: xr.Dataset) -> TrainedNetwork:
    """Rebuild a :class:`TrainedNetwork` from :func:`to_dataset`'s Dataset (grid dimensions, if any, dropped).

    A training file whose ``status`` is not 0 (the training failed, so the file holds no network) raises
    :class:`NumericalFailure` ``stalled`` with the training's detail, which :func:`rnnchaos.io.save_stage` of the
    analysis records as the analysis's status."""
    def v(name):
        da = ds[name]
        return da.squeeze([d for d in ("g", "sigma_b", "N", "seed") if d in da.dims], drop=True).values

    if "status" in ds and int(v("status")) != 0:
        raise NumericalFailure("stalled", f"training failed: {ds['status'].attrs.get('detail', '')}")
    params = json.loads(ds.attrs["training_parameters"])
    return TrainedNetwork(
        J=v("J"), W_in=v("W_in"), W_fb=v("W_fb"), W_out=v("W_out"), curve_t=ds["curve_t"].values,
        curve_error=v("curve_error"), curve_w_norm=v("curve_w_norm"), test_t=ds["t"].values,
        test_inputs=v("test_inputs"), test_targets=v("test_targets"), test_outputs=v("test_outputs"),
        test_states=v("test_states"), test_mse=float(v("test_mse")),
        test_sign_error=float(v("test_sign_error")), train_mse_final=float(v("train_mse_final")),
        n_updates=int(v("n_updates")), cpu_time=float(v("cpu_time")),
        params=params)


def _steps(duration: float, dt: float) -> int:
    return max(1, int(round(duration / dt)))


def _check_pos(name, v):
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {v!r}")


def _check_int(name, v, lo):
    if int(v) != v or v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
