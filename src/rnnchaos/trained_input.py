"""The FORCE-trained flip-flop network with its input on: its Lyapunov spectrum along the test trial.

During the test trial the trained network of :mod:`rnnchaos.training` is driven by the trial's pulses ``u(t)``;
with the readout ``z = W_out phi(x)`` fed back through ``W_fb`` it is the input-driven rate network

    tau dx/dt = -x + J_eff phi(x) + W_in u(t),    J_eff = J + W_fb W_out    (no bias),

which in ``s = t / tau`` is a :class:`rnnchaos.driven_network.DrivenNetwork` (``dx/ds = -x + J_eff phi(x) + W_in u``)
integrated by forward Euler at training's step ``h = dt / tau``: step for step the update of
:func:`rnnchaos.training.run_network` with ``W_out`` frozen. Its Lyapunov spectrum is that of a random (here:
input-driven, non-autonomous) dynamical system (Arnold 1998; Engelken, Wolf & Abbott 2020):
:func:`rnnchaos.lyapunov_driven.driven_lyapunov_spectrum` along the trial's input sequence, from the trial's first
state ``test_states[0]`` (already on the driven attractor: the trial continues the training run), the frame aligned
over ``t_transient_tangent`` (QRs discarded) and the exponents accumulated over the rest of the trial, per ``tau``,
with the standard error of ``n_batches`` batch means.

Input: the training file keeps the trial every ``record_every`` steps; :func:`trial_inputs` holds each stored
sample for ``record_every`` steps, which reproduces every pulse with its width (a multiple of ``record_every dt``
by default: 10 = 2 x 5) and its sign, its onset moved to the next stored sample (at most ``(record_every - 1) dt``
later). ``replay_error`` states how closely the driven trajectory follows the stored trial states.

Checks: the input enters additively, so the step's Jacobian ``I + h DF(x)``, ``DF = -I + J_eff diag(phi'(x))``, is
the autonomous network's, evaluated along the driven trajectory; with ``k = N`` the exponents sum to the time
average of ``log|det(I + h DF)|`` / h, which tends to the time-averaged trace ``<tr DF>`` as ``h -> 0``
(``jacobian_trace_mean``, per unit). With ``u = 0`` the spectrum is the input-off one
(:func:`rnnchaos.lyapunov.lyapunov_spectrum` on :func:`closed_loop_model` with the same steps and frame).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import lyapunov_driven
from rnnchaos.driven_network import DrivenNetwork
from rnnchaos.models import RateModel
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.training import TrainedNetwork


def closed_loop_model(net: TrainedNetwork, *, dt: float | None = None,
                      input_on: bool = False) -> RateModel | DrivenNetwork:
    """The trained network in ``s = t / tau`` with its readout fed back (``J_eff``, no bias, forward Euler): input
    off, a :class:`~rnnchaos.models.RateModel`; input on, that model driven through ``W_in``
    (:class:`~rnnchaos.driven_network.DrivenNetwork`, ``n_inputs = n_bits``). ``dt``: the step in units of ``tau``
    (default training's ``dt / tau``)."""
    phi = get_nonlinearity(net.params.get("nonlinearity", "tanh"))
    h = float(net.params["dt"]) / float(net.params["tau"]) if dt is None else dt
    model = RateModel(net.J_eff, np.zeros(net.J.shape[0]), phi, dt=h)
    return DrivenNetwork(model, net.W_in) if input_on else model


def trial_inputs(net: TrainedNetwork) -> np.ndarray:
    """The test trial's input ``(T, n_bits)`` at training's step: each stored sample (every ``record_every``
    steps) held for ``record_every`` steps, ``T = round(test_time / dt)`` (module docstring)."""
    r = int(net.params.get("record_every", 1))
    T = max(1, int(round(float(net.params["test_time"]) / float(net.params["dt"]))))
    U = np.repeat(np.asarray(net.test_inputs, dtype=float), r, axis=0)
    if U.shape[0] < T:
        raise ValueError(f"test_inputs has {net.test_inputs.shape[0]} samples every {r} steps: fewer than the "
                         f"{T} steps of test_time")
    return U[:T]


@dataclass(frozen=True)
class InputOnSpectrum:
    """The input-on spectrum: ``result`` (per ``tau``; ``result.batch_sem[0]`` its error bars),
    ``jacobian_trace_mean`` (``<tr DF> / N`` per ``tau`` over the accumulated steps of the driven trajectory),
    ``replay_error`` (rms of ``x - x_test`` over the stored trial times and units, over the rms of ``x_test``: how
    closely the driven run follows the stored trial; rounding level for exact inputs) and ``tau``."""

    result: lyapunov_driven.DrivenLyapunov
    jacobian_trace_mean: float
    replay_error: float
    tau: float

    @property
    def exponents(self) -> np.ndarray:
        return self.result.exponents

    @property
    def sem(self) -> np.ndarray:
        """Standard errors from the batch means within the trial (one sequence: no spread over sequences)."""
        return self.result.batch_sem[0]


def input_on_spectrum(net: TrainedNetwork, *, rng: np.random.Generator, k: int = 20,
                      t_transient_tangent: float = 20.0, t_ons: float = 1.0, n_batches: int = 10,
                      inputs: np.ndarray | None = None, exact_log_det: bool = False) -> InputOnSpectrum:
    """The first ``k`` Lyapunov exponents (per ``tau``) of ``net`` driven by its test trial (module docstring).

    ``t_transient_tangent`` (units of ``tau``, rounded up to whole QR intervals) aligns the frame; ``t_ons``
    (units of ``tau``, a whole number of steps ``dt / tau``) between QRs; the rest of the trial is accumulated in
    ``n_batches`` batches. ``inputs``: ``(T, n_bits)`` at training's step instead of :func:`trial_inputs`
    (e.g. zeros); ``exact_log_det``: also the time-averaged ``log|det DS|`` (``O(N^3)`` per step). ``rng`` draws
    the frame. Raises ``ValueError`` for bad arguments, :class:`rnnchaos.status.NumericalFailure` as the driven
    spectrum.
    """
    model = closed_loop_model(net, input_on=True)
    h, tau = model.time_step, float(net.params["tau"])
    U = trial_inputs(net) if inputs is None else np.asarray(inputs, dtype=float)
    m = int(round(t_ons / h))
    if not (m >= 1 and abs(t_ons / h - m) <= 1e-6 * max(1.0, t_ons / h)):
        raise ValueError(f"t_ons must be a whole multiple >= 1 of the step dt / tau = {h:g}, got {t_ons!r}")
    if not (np.isfinite(t_transient_tangent) and t_transient_tangent >= 0):
        raise ValueError(f"t_transient_tangent must be a finite number >= 0, got {t_transient_tangent!r}")
    n_tt = int(np.ceil(t_transient_tangent / (m * h) - 1e-9)) * m
    x0 = np.asarray(net.test_states[0], dtype=float)
    res = lyapunov_driven.driven_lyapunov_spectrum(
        model, U[None], k=min(k, model.n), rng=rng, warmup=0, warmup_tangent=n_tt, t_ons=m, n_batches=n_batches,
        x0=x0, exact_log_det=exact_log_det)
    trace, error = _replay(model, U, x0, net, n_tt)
    return InputOnSpectrum(result=res, jacobian_trace_mean=trace, replay_error=error, tau=tau)


def _replay(model: DrivenNetwork, U: np.ndarray, x0: np.ndarray, net: TrainedNetwork, start: int):
    """Along the driven trajectory from ``x0``: ``<tr DF> / N`` over steps ``start ..`` (before each step, as the
    frame sees it) and the rms deviation from the stored trial states over their rms."""
    r = int(net.params.get("record_every", 1))
    stored = np.asarray(net.test_states, dtype=float)
    diag = np.diag(model.J).copy()
    x, trace, dev2, sq, n_cmp = x0.copy(), 0.0, 0.0, 0.0, 0
    for t, u in enumerate(U):
        if t % r == 0 and t // r < stored.shape[0]:
            dev2 += float(np.sum((x - stored[t // r]) ** 2))
            sq += float(np.sum(stored[t // r] ** 2))
            n_cmp += 1
        if t >= start:
            trace += float(diag @ model.phi.dphi(x)) - model.n
        x = model.step(x, u)
    error = float(np.sqrt(dev2 / sq)) if sq > 0 else float("nan")
    return trace / ((U.shape[0] - start) * model.n), error


def to_dataset(spec: InputOnSpectrum) -> xr.Dataset:
    """The ``input_on_*`` variables (dims ``exponent_index``, ``input_on_batch``): exponents per ``tau`` and per
    time unit of ``dt``, their batch-means standard errors, the batches, diagnostics; no grid coordinates."""
    r = spec.result
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    per_tau = "1/tau"
    nb = r.batch_exponents.shape[1]
    return xr.Dataset({
        "input_on_exponent": (("exponent_index",), r.exponents,
                              a("Lyapunov exponent of the trained network, input on (test trial's pulses), per tau",
                                per_tau)),
        "input_on_exponent_sem": (("exponent_index",), spec.sem,
                                  a(f"standard error from {nb} batch means along the test trial", per_tau)),
        "input_on_exponent_per_time": (("exponent_index",), r.exponents / spec.tau,
                                       a("Lyapunov exponent, input on, per time unit of dt", "1/(time unit of dt)")),
        "input_on_batch_exponent": (("input_on_batch", "exponent_index"), r.batch_exponents[0],
                                    a("exponents of consecutive blocks of QR intervals along the trial", per_tau)),
        "input_on_jacobian_trace_mean": ((), spec.jacobian_trace_mean,
                                         a("<tr DF>/N along the driven trajectory, DF = -I + J_eff diag(phi'(x))",
                                           per_tau)),
        "input_on_log_det_mean": ((), r.log_det_mean[0],
                                  a("time-averaged log|det DS| / h (sum of all exponents); NaN if not computed",
                                    per_tau)),
        "input_on_replay_error": ((), spec.replay_error,
                                  a("rms of x - x_test at the stored trial times over the rms of x_test")),
        "input_on_n_steps": ((), np.int64(r.n_steps), a("accumulated steps (dt / tau each)")),
        "input_on_n_qr": ((), np.int64(r.n_qr), a("accumulated QR re-orthonormalisations")),
        "input_on_t_ons": ((), r.t_ons * r.time_step, a("time between QRs", "tau")),
        "input_on_t_transient_tangent": ((), r.warmup_tangent * r.time_step,
                                         a("frame alignment at the start of the trial (QRs discarded)", "tau")),
    })
