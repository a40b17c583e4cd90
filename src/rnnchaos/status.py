"""Outcome codes of a numerical stage, stored in every output as the variable ``status``.

A stage that fails numerically (a diverging trajectory, a QR breakdown, a solve that does not converge) does not
write NaNs as if they were results: it raises :class:`NumericalFailure`, and the stage's script records the code
below (CF ``flag_values``/``flag_meanings``) so that the summary and the figures show the point as failed.
"""

from __future__ import annotations

STATUS_CODES: dict[str, int] = {
    "ok": 0,
    "diverged": 1,
    "not_converged": 2,
    "qr_breakdown": 3,
    "stalled": 4,
}


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
