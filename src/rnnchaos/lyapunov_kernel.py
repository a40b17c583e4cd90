"""What the tangent workspaces share, the generic workspace of any model, and the strict kernel that drives them.

A workspace (:class:`rnnchaos.lyapunov_blas.BlasWorkspace` for the networks' numpy Euler and map,
:class:`rnnchaos.lyapunov_backends.ArrayWorkspace` for their RK4 and CuPy, :class:`ModelWorkspace` for any other
:class:`rnnchaos.model.Model`) holds the state ``x``, the ``N x k`` frame
``Q`` and the diagnostic sums, and offers ``advance(n)``, ``state()``, ``reorthonormalize()``, ``reset_sums()`` and
the attributes ``h`` (time per step), ``steps_total``, ``n_steps``, ``log_col_max`` (after a QR). This module holds
the check of each QR's R diagonal (:func:`check_r`), the QR of the array-module workspaces
(:func:`householder_qr`), the generic workspace, the tanh map's ``sum_i log phi'(a_i)`` (:func:`sum_log_dphi`), and
:func:`qr_step`, one interval and its QR on any workspace (the strict layer under
:func:`rnnchaos.lyapunov.lyapunov_spectrum`).
"""

from __future__ import annotations

import math

import numpy as np

from rnnchaos import dynamics
from rnnchaos.noise import noise_scale
from rnnchaos.status import NumericalFailure


def check_r(r: np.ndarray, info: int, n_steps: int) -> None:
    """Raise ``NumericalFailure("qr_breakdown")`` unless LAPACK's ``info`` is 0 and every ``R_ii`` in ``r`` (the
    diagonal of the R factor, on the host) is finite and non-zero; ``n_steps`` (steps since the sums were reset)
    goes into the message."""
    if info != 0 or not (np.isfinite(r).all() and r.all()):
        bad = np.flatnonzero(~np.isfinite(r) | (r == 0))
        raise NumericalFailure("qr_breakdown", f"R_ii zero or non-finite at columns {bad[:5].tolist()} after "
                                               f"{n_steps} steps (LAPACK info = {info})")


def sum_log_dphi(a, xp=np):
    """``sum_i log phi'(a_i) = sum_i log sech^2(a_i) = 2 sum_i (log 2 - |a_i| - log(1 + exp(-2 |a_i|)))`` over
    every entry of ``a`` (array module ``xp``: numpy or CuPy), stable for large ``|a|``; an ``xp`` scalar."""
    m = xp.abs(a)
    return 2.0 * (a.size * math.log(2.0) - m.sum() - xp.log1p(xp.exp(-2.0 * m)).sum())


def householder_qr(Q, n_steps: int, xp=np):
    """Householder QR of the frame ``Q`` (array module ``xp``) with the diagonal of R made positive: returns
    ``(Q', log|R_ii|, log_col_max)``, ``log|R_ii|`` float64 on the host and ``log_col_max`` the log of the largest
    column norm of ``Q`` before the QR (:func:`rnnchaos.lyapunov_schedule.frame_spread`). Raises
    ``NumericalFailure("qr_breakdown")`` (:func:`check_r`)."""
    norm = float(_to_host(xp.linalg.norm(Q, axis=0).max()))
    log_col_max = math.log(norm) if norm > 0 else (-math.inf if norm == 0 else math.inf)
    Qn, R = xp.linalg.qr(Q)
    r = _to_host(xp.diagonal(R)).astype(np.float64)
    check_r(r, 0, n_steps)
    return Qn * xp.asarray(np.sign(r), dtype=Qn.dtype), np.log(np.abs(r)), log_col_max


def _to_host(a) -> np.ndarray:
    return a.get() if hasattr(a, "get") else np.asarray(a)


class ModelWorkspace:
    """The generic workspace: state and ``n x k`` frame of any model, advanced by ``model.step`` and
    ``model.tangent`` (``Q <- DS(x) Q`` at the state before the step), in float64 numpy.

    ``trace_sum`` and ``logphi_sum`` stay 0 (no structure known); with ``exact_log_det`` the step's
    ``log|det DS(x)|`` (from ``model.jacobian``, ``O(n^3)``) is summed in ``log_det_sum``. ``noise`` (a
    :class:`rnnchaos.noise.NoiseStream`, used when the model's ``noise_scale`` is > 0): the state steps as
    ``model.step(x, xi=noise.next())``; the frame's
    ``model.tangent(x, Q)`` needs no noise (additive noise leaves the Jacobian at the noisy state unchanged).
    """

    def __init__(self, model, x, Q, *, exact_log_det: bool = False, noise=None):
        self.model, self.h, self.exact_log_det = model, float(model.time_step), exact_log_det
        self.noise = noise if noise_scale(model) > 0 else None
        self.x, self.Q = np.array(x, dtype=np.float64), np.array(Q, dtype=np.float64)
        self.steps_total = 0
        self.reset_sums()

    def reset_sums(self) -> None:
        """Zero the step counter and the diagnostic sums."""
        self.n_steps, self.trace_sum, self.logphi_sum, self.log_det_sum = 0, 0.0, 0.0, 0.0

    def state(self) -> np.ndarray:
        """The current state."""
        return self.x

    def advance(self, n_steps: int) -> None:
        """Advance state and frame by ``n_steps`` steps (no re-orthonormalisation)."""
        model = self.model
        for _ in range(n_steps):
            if self.exact_log_det:
                self.log_det_sum += np.linalg.slogdet(model.jacobian(self.x))[1]
            self.Q = np.asarray(model.tangent(self.x, self.Q), dtype=np.float64)
            x = model.step(self.x) if self.noise is None else model.step(self.x, xi=self.noise.next())
            self.x = np.asarray(x, dtype=np.float64)
        self.n_steps += n_steps
        self.steps_total += n_steps

    def reorthonormalize(self) -> np.ndarray:
        """:func:`householder_qr` of the frame; returns ``log|R_ii|`` and sets ``log_col_max``."""
        self.Q, log_r, self.log_col_max = householder_qr(self.Q, self.n_steps)
        return log_r


def qr_step(ws, n_steps: int) -> np.ndarray:
    """Strict kernel: advance ``ws`` by ``n_steps`` steps, check the state, re-orthonormalise ``ws.Q`` in place.

    Returns ``log|R_ii|`` (float64, length k). Raises ``NumericalFailure`` ("diverged", "qr_breakdown").
    No argument checking: for loops and benchmarks.
    """
    ws.advance(n_steps)
    dynamics.check_finite(ws.state(), t=ws.steps_total * ws.h)
    return ws.reorthonormalize()
