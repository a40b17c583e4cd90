"""Outcome codes of a numerical stage, stored in every output as the variable ``status``.

A stage that fails numerically (a diverging trajectory, a QR breakdown, a solve that does not converge) does not
write NaNs as if they were results: it raises :class:`NumericalFailure`, and the stage's script records the code
below (CF ``flag_values``/``flag_meanings``) so that the summary and the figures show the point as failed.

``trivial_only``: a fixed-point search at ``sigma_b = 0`` that found no point but ``x* = 0`` (which always
exists there) where more points must exist (beyond the mean-field ``g_c``, or an index argument at finite N);
the sigma_b = 0 counterpart of ``stalled``, whose search found no point at all.

The summary (:mod:`rnnchaos.summary`) has one more flag, :data:`NOT_COMPUTED`: the grid point has no file of
that stage at all, which is not a failure and not ``ok``.
"""

from __future__ import annotations

STATUS_CODES: dict[str, int] = {
    "ok": 0,
    "diverged": 1,
    "not_converged": 2,
    "qr_breakdown": 3,
    "stalled": 4,
    "trivial_only": 5,
}
#: Summary-only flag: no file of the stage exists for the grid point (its values are NaN, it did not fail).
NOT_COMPUTED = -1
#: The flags of a ``<prefix>status`` variable in the summary.
SUMMARY_STATUS_CODES: dict[str, int] = {"not_computed": NOT_COMPUTED, **STATUS_CODES}


class NumericalFailure(RuntimeError):
    """A computation that could not produce a trustworthy number.

    ``status`` is a key of :data:`STATUS_CODES`; ``detail`` says where and why (step, time, value).
    """

    def __init__(self, status: str, detail: str):
        if status not in STATUS_CODES or status == "ok":
            raise ValueError(f"status must be one of {sorted(set(STATUS_CODES) - {'ok'})}, got {status!r}")
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
