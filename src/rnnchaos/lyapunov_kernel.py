"""What the two tangent workspaces share, and the strict kernel that drives either.

A workspace (:class:`rnnchaos.lyapunov_blas.BlasWorkspace` for numpy Euler and the map,
:class:`rnnchaos.lyapunov_backends.ArrayWorkspace` for RK4 and CuPy) holds the state ``x``, the ``N x k`` frame
``Q`` and the diagnostic sums, and offers ``advance(n)``, ``state()``, ``reorthonormalize()``, ``reset_sums()`` and
the attributes ``h`` (time per step), ``steps_total``, ``n_steps``, ``log_col_max`` (after a QR). This module holds
the check of each QR's R diagonal (:func:`check_r`), the map's ``sum_i log phi'(a_i)`` (:func:`sum_log_dphi`), and
:func:`qr_step`, one interval and its QR on any workspace (the strict layer under
:func:`rnnchaos.lyapunov.lyapunov_spectrum`).
"""

from __future__ import annotations

import math

import numpy as np

from rnnchaos import dynamics
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


def qr_step(ws, n_steps: int) -> np.ndarray:
    """Strict kernel: advance ``ws`` by ``n_steps`` steps, check the state, re-orthonormalise ``ws.Q`` in place.

    Returns ``log|R_ii|`` (float64, length k). Raises ``NumericalFailure`` ("diverged", "qr_breakdown").
    No argument checking: for loops and benchmarks.
    """
    ws.advance(n_steps)
    dynamics.check_finite(ws.state(), t=ws.steps_total * ws.h)
    return ws.reorthonormalize()
