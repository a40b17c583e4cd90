"""When the Lyapunov frame is re-orthonormalised: the QR schedule and the bounds it keeps.

In exact arithmetic the exponents do not depend on the QR schedule (the ``log R_ii`` telescope); in floating
point a frame propagated too long collapses onto its leading directions, which the R-diagonal spread of each
interval measures (:func:`frame_spread`; beyond :func:`spread_bound`, ``ln(1/eps) - ln(10)`` e-folds, a run stops
with ``qr_breakdown``). :class:`QRSchedule` runs the intervals, fixed (``t_ons`` a number) or adaptive
(``t_ons="auto"``: as rarely as that conditioning allows, aiming at :func:`spread_target` and
:func:`range_bound`; von Bremen, Udwadia & Proskurowski 1997: the QR is the cost to economise).
:func:`max_fixed_t_ons` is the longest fixed interval of the rate network that cannot exceed the bound, checked
when a configuration is read.
"""

from __future__ import annotations

import math

import numpy as np

from rnnchaos.lyapunov_kernel import qr_step
from rnnchaos.status import NumericalFailure

#: e-folds below the precision's ``ln(1 / eps)`` kept by :func:`spread_bound`: every ``R_jj`` keeps >= 1 digit
SPREAD_MARGIN = math.log(10.0)
#: ``t_ons="auto"`` lengthens the interval by at most this factor per QR
GROWTH_MAX = 2.0
#: ``t_ons="auto"`` plans with the largest recent spread rate, each older one discounted by this factor per QR
#: (finite-time rates fluctuate: per-step spread rates of 15-25-step intervals span 0.66-1.31 on the map at g = 6)
RATE_MEMORY = 0.98


def spread_bound(dtype: str) -> float:
    """Largest R-diagonal spread one QR interval may reach, ``ln(1 / eps) - ln(10)`` e-folds (33.7 for float64,
    13.6 for float32).

    A column ``z_j`` of the propagated frame carries rounding errors of relative size ``eps`` (each step's GEMM),
    while the part that QR keeps, ``R_jj``, is smaller than the largest column by ``exp(spread)``, with
    ``spread = log max_j |z_j| - log min_j R_jj``. Each ``R_jj`` is then resolved to about ``eps exp(spread)``
    relative: at ``ln(1 / eps)`` (36.0 for float64, 15.9 for float32) the smallest column is pure rounding and the
    frame has collapsed onto the leading directions (its ``log R_jj`` clip at about ``log(eps)`` below the
    largest). Within the bound each ``log R_jj`` is off by at most 0.1 per QR (one digit left), below the
    statistical error of the exponents wherever a spread near the bound can be met (the map's full spectrum,
    whose lowest ``log R_jj`` are large and negative, in one step); beyond it a run stops with ``qr_breakdown``.
    """
    return -math.log(float(np.finfo(dtype).eps)) - SPREAD_MARGIN


def spread_target(dtype: str) -> float:
    """Spread that ``t_ons="auto"`` aims at, ``ln(1 / eps) / 2`` (18.0 for float64, 8.0 for float32): half the
    precision's digits of every ``R_jj`` survive each QR (relative rounding ``sqrt(eps)`` per interval, below the
    rounding of the steps themselves), with 15.7 (float64) or 5.6 (float32) e-folds of headroom to
    :func:`spread_bound` for an interval that spreads faster than the one before."""
    return -math.log(float(np.finfo(dtype).eps)) / 2.0


def range_bound(dtype: str) -> float:
    """Largest ``|log|`` of a frame column's norm at the end of an ``"auto"`` interval: a quarter of the
    exponent range, ``ln(max) / 4`` (177 for float64, 22 for float32), far from overflow and underflow."""
    return math.log(float(np.finfo(dtype).max)) / 4.0


def max_fixed_t_ons(g: float, N: int, dtype: str = "float64") -> float:
    """Longest fixed QR interval of the rate network that cannot exceed :func:`spread_bound` (time units).

    The tangent flow ``dv/dt = (-I + J diag(phi'))v`` with ``0 < phi' <= 1`` grows or shrinks any vector at a rate
    within ``-1 +- ||J||``, so the spread of one interval is at most ``2 ||J|| t_ons``; for ``J_ij ~ N(0, g^2/N)``
    ``||J|| = 2g (1 + O(N^(-1/2)))`` (bounded here by ``2g (1 + N^(-1/2))``). This worst case is reached only near
    special states (typical spreads are 3 to 7 times smaller: 2.4 per time unit at g = 2, 3.3 at g = 6 for
    ``k = N``); the map has no such bound (its lowest exponents are unbounded as ``phi' -> 0``).
    """
    rate = 4.0 * g * (1.0 + 1.0 / math.sqrt(N))
    return math.inf if rate == 0.0 else spread_bound(dtype) / rate



def frame_spread(ws, log_r: np.ndarray) -> float:
    """R-diagonal spread of the last QR of ``ws``, ``log max_j |z_j| - log min_j R_jj`` in e-folds (``z_j`` the
    propagated columns): at least ``log R_11 - log R_kk`` and at least every column's ``log(|z_j| / R_jj)``, the
    e-folds it lost to cancellation (:func:`spread_bound`)."""
    return float(ws.log_col_max - log_r.min())


class QRSchedule:
    """Steps between QRs, fixed (``m`` steps) or adaptive (``m=None``, ``t_ons="auto"``), and the check of each.

    :meth:`step` runs one interval (:func:`~rnnchaos.lyapunov_kernel.qr_step`) of the current length, cut to
    ``limit`` steps if given, and raises ``NumericalFailure("qr_breakdown")`` when its :func:`frame_spread`
    exceeds :func:`spread_bound`.
    Adaptive: the QR is the cost to economise and conditioning limits its interval (von Bremen, Udwadia &
    Proskurowski 1997), so the next interval is the largest whole number of steps whose spread and column range,
    extrapolated at the largest recent rates per step (:data:`RATE_MEMORY`), stay within :func:`spread_target` and
    :func:`range_bound`; at most ``GROWTH_MAX`` times the current one, at least one step; the first is one step.
    The exponents do not depend on the schedule (the ``log R_ii`` telescope) beyond rounding of ``sqrt(eps)``
    per QR. ``n_qr``, ``steps``, ``m_min``, ``m_max`` (steps per interval) and ``spread_max`` count from
    :meth:`reset`.
    """

    def __init__(self, m: int | None, *, dtype: str, t_ons_text: str):
        self.auto = m is None
        self.m = 1 if self.auto else int(m)
        self.bound, self.target, self.range = spread_bound(dtype), spread_target(dtype), range_bound(dtype)
        self.dtype, self.t_ons_text = dtype, t_ons_text
        self.rate = 0.0  # planning rate: fraction of the spread or range limit used per step
        self.reset()

    def reset(self) -> None:
        """Zero the interval statistics (after the tangent transient)."""
        self.n_qr, self.steps, self.m_min, self.m_max, self.spread_max = 0, 0, 0, 0, 0.0

    def step(self, ws, limit: int | None = None) -> np.ndarray:
        """One interval of ``min(m, limit)`` steps and its QR; returns ``log|R_ii|`` (see :func:`qr_step`)."""
        n = self.m if limit is None else min(self.m, limit)
        log_r = qr_step(ws, n)
        spread = frame_spread(ws, log_r)
        if not spread <= self.bound:
            how = ("even one step per QR spreads beyond it: use fewer exponents (k) or dtype float64" if n == 1
                   else "use t_ons: auto or a shorter t_ons" if not self.auto
                   else "the interval was chosen from the previous one's spread; rerun with a fixed short t_ons")
            raise NumericalFailure("qr_breakdown", (
                f"t_ons = {self.t_ons_text}: the R-diagonal spread over {n} steps is {spread:.1f} e-folds "
                f"(log max|z_j| - log min R_jj), beyond the {self.dtype} bound {self.bound:.1f} = ln(1/eps) - "
                f"ln(10): the lowest columns of the frame collapsed onto the leading directions after "
                f"{ws.steps_total} steps; {how}"))
        self.n_qr, self.steps = self.n_qr + 1, self.steps + n
        self.m_min = n if self.n_qr == 1 else min(self.m_min, n)
        self.m_max, self.spread_max = max(self.m_max, n), max(self.spread_max, spread)
        if self.auto:
            extent = max(abs(ws.log_col_max), abs(float(log_r.min())))
            per_step = max(max(spread, 0.0) / self.target, extent / self.range) / n  # fraction of the limits
            self.rate = max(per_step, RATE_MEMORY * self.rate)
            fit = int(1.0 / self.rate) if self.rate > 0 else 2 * self.m
            self.m = max(1, min(fit, int(GROWTH_MAX * self.m)))
        return log_r

