"""Fixed points of random networks by bias homotopy: pseudo-arclength continuation of ``R(x) + lambda c = 0``.

Newton from random starts converges less and less often as N grows (at g = 2 none of hundreds of solves
converge for N >= 800), because the fixed points of a random network are isolated in a landscape where
Newton's basins shrink. Continuation does not need a basin. For the network residual
``R(x) = -x + J tanh(x) + theta`` add a constant drive ``lambda c`` (``c``: random signs): for large
``|lambda|`` every unit is saturated, ``J diag(phi'(x))`` is a contraction and the solution is unique. The
solution set ``{(x, lambda): R(x) + lambda c = 0}`` is, for almost every ``c``, a smooth curve; the branch
through the unique solution at ``lambda = +lambda_0`` is bounded in ``x`` (``|x| <= |J| sqrt(N) + |theta| +
|lambda c|``) and cannot come back to ``+lambda_0`` (uniqueness there), so it reaches ``-lambda_0`` and crosses
``lambda = 0`` an odd number of times, each crossing a fixed point of the network (a homotopy in the sense of
Allgower & Georg, *Introduction to Numerical Continuation Methods*, 2003).

Tracking (:func:`track_path`): Euler predictor along the unit tangent of the augmented Jacobian ``[DR | c]``,
Newton corrector on ``R(z) + lambda c = 0``, ``t . (z - z_pred) = 0``; a step is accepted if the corrector
converges within 8 iterations and moves less than 0.3 step lengths, and the step grows 1.5-fold after easy
corrections (halved after a failure). At g = 2 the branch folds back and forth many times near ``lambda = 0``
(the folds are saddle-node pairs of the driven network), and steps of this size let the corrector land on a
neighbouring piece of the solution set now and then. That voids the guarantee of an odd number of crossings
but not the result: every sign change of ``lambda`` is refined by Newton on ``R(x) = 0`` and kept only if it
verifies ``|R|_inf < tol``. Measured by ``benchmarks/fixed_points.py`` (g = 2, sigma_b = 0, N = 500): one path
of 30000 solves gives 46 verified points where none of 32 Newton solves from random starts converges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from rnnchaos.nonlinearity import TANH, Nonlinearity
from rnnchaos.status import NumericalFailure

ENDS = ("completed", "budget", "returned")


@dataclass(frozen=True)
class Path:
    """One tracked branch: verified crossings ``x`` (n, N) and how the tracking ended.

    ``end``: one of :data:`ENDS`: "completed" (reached ``-lambda_0``), "budget" (``max_steps`` corrector solves
    used up; the crossings found so far are still valid fixed points) or "returned" (``lambda`` rose above
    ``lambda_0`` again: after a jump onto another piece of the solution set the tracker would follow it to
    ``lambda -> +inf``).
    ``n_crossings``: sign changes of ``lambda`` seen (some may fail verification); ``arclength`` of the branch.
    """

    x: np.ndarray
    n_crossings: int
    n_steps: int
    n_rejected: int
    arclength: float
    end: str


def network_start(J: np.ndarray, theta: np.ndarray, c: np.ndarray, *, tol: float = 1e-12,
                  nonlinearity: Nonlinearity = TANH) -> tuple[np.ndarray, float]:
    """A point ``(x_0, lambda_0)`` on the branch: ``lambda_0`` large enough that ``J diag(phi'(x))`` contracts.

    Returns the solution of ``-x + J phi(x) + theta + lambda_0 c = 0`` (``phi``: ``nonlinearity``) found by
    Newton from ``lambda_0 c``.
    """
    phi, dphi = nonlinearity.phi, nonlinearity.dphi
    N = J.shape[0]
    g2 = float(np.sum(J * J)) / N
    lam = 3.0 + 2.0 * np.sqrt(g2) + float(np.max(np.abs(theta), initial=0.0))
    DR = lambda x: J * dphi(x)[None, :] - np.eye(N)  # noqa: E731
    for _ in range(30):
        drive = theta + lam * c
        x = _newton(lambda x: -x + J @ phi(x) + drive, DR, drive, tol, 60)  # noqa: B023
        if x is not None and g2 * np.mean(dphi(x) ** 2) < 0.25:
            return x, lam
        lam *= 1.5
    raise NumericalFailure("not_converged", "no start point on the homotopy branch (Newton at large drive failed)")


def track_path(R, DR, c: np.ndarray, x0: np.ndarray, lam0: float, *, tol: float = 1e-10, max_steps: int = 20000,
               h_max: float = 0.25) -> Path:
    """Follow the solutions of ``R(x) + lambda c = 0`` from ``(x0, lam0)`` (``lam0 > 0``) towards ``lambda < 0``.

    ``R(x)`` (N,) -> (N,), ``DR(x)`` -> (N, N). Stops at ``lambda <= -lam0`` ("completed"), at ``lambda > lam0``
    ("returned") or after ``max_steps`` corrector solves ("budget"). ``h_max``: largest step in units of
    ``sqrt(N + 1)``.
    """
    if not lam0 > 0:
        raise ValueError(f"lam0 must be > 0, got {lam0!r}")
    N = x0.size
    unit = np.sqrt(N + 1.0)
    h, h_max, h_min = 0.02 * unit, h_max * unit, 1e-9 * unit
    y = np.append(np.asarray(x0, dtype=float), float(lam0))
    t = np.zeros(N + 1)
    t[N] = -1.0  # start by decreasing lambda
    t = _tangent(DR, c, y, t)
    found, n_cross, n_rej, solves, length, end = [], 0, 0, 0, 0.0, "budget"
    while solves < max_steps:
        z, lu, k = _corrector(R, DR, c, y + h * t, t)
        solves += k
        if lu is None or np.linalg.norm(z - y - h * t) > 0.3 * h:
            n_rej += 1
            h *= 0.5
            if h < h_min:
                raise NumericalFailure("stalled", f"homotopy step size fell below {h_min:.2g} at lambda = {y[N]:.3g}")
            continue
        length += float(np.linalg.norm(z - y))
        if y[N] * z[N] <= 0 and y[N] != 0:
            n_cross += 1
            s = y[N] / (y[N] - z[N])  # Newton on R(x) = 0 from the step's linear interpolation at lambda = 0
            x = _newton(R, DR, y[:N] + s * (z[:N] - y[:N]), tol, 30)
            if x is not None:
                found.append(x)
        t = _unit(sla.lu_solve(lu, _e_last(N), check_finite=False))
        y = z
        if k <= 3:
            h = min(1.5 * h, h_max)
        if y[N] <= -lam0:
            end = "completed"
            break
        if y[N] > lam0:
            end = "returned"
            break
    return Path(x=np.reshape(found, (-1, N)), n_crossings=n_cross, n_steps=solves, n_rejected=n_rej,
                arclength=length, end=end)


def _corrector(R, DR, c, z, t, n_iter=8):
    """Newton on ``R(x) + lambda c = 0``, ``t . (z - z_pred) = 0``; returns the point, the last LU (None: failed)
    and the solves used."""
    N = z.size - 1
    zp = z.copy()
    A = np.empty((N + 1, N + 1))
    A[:N, N], A[N] = c, t
    for k in range(1, n_iter + 1):
        A[:N, :N] = DR(z[:N])
        lu = sla.lu_factor(A, check_finite=False)
        dz = sla.lu_solve(lu, np.append(R(z[:N]) + z[N] * c, t @ (z - zp)), check_finite=False)
        z = z - dz
        if not np.all(np.isfinite(z)):
            return z, None, k
        if np.linalg.norm(dz) < 1e-8 * (1.0 + np.linalg.norm(z)):
            return z, lu, k
    return z, None, n_iter


def _tangent(DR, c, y, t):
    N = y.size - 1
    A = np.empty((N + 1, N + 1))
    A[:N, :N], A[:N, N], A[N] = DR(y[:N]), c, t
    lu = sla.lu_factor(A, check_finite=False)
    return _unit(sla.lu_solve(lu, _e_last(N), check_finite=False))


def _e_last(N):
    e = np.zeros(N + 1)
    e[N] = 1.0
    return e


def _unit(v):
    return v / np.linalg.norm(v)


def _newton(R, DR, x, tol, n_iter):
    """Plain Newton on ``R(x) = 0`` from ``x``; the root if ``|R|_inf < tol`` within ``n_iter`` steps, else None."""
    for _ in range(n_iter):
        f = R(x)
        if np.abs(f).max() < tol:
            return x
        x = x - np.linalg.solve(DR(x), f)
        if not np.all(np.isfinite(x)):
            return None
    return x if np.abs(R(x)).max() < tol else None
