"""Progress of long loops, reported to a log: steps done, rate and estimated time left.

Library loops (simulation samples, QR intervals, fixed-point solves and homotopy paths) take an optional
``progress`` callback, called as ``progress(done, total)`` after each unit of work; they never print. A job
passes a :class:`ProgressLog`, which turns those calls into a log line at every ``fraction`` of the total and
at least every ``interval`` seconds, so a job's log shows how far it got and when it should end::

    simulate: 40/400 samples (10 %), 85.2 samples/s, elapsed 0.5 s, ETA 4.2 s
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

log = logging.getLogger("rnnchaos.progress")


class ProgressLog:
    """Callable ``progress(done, total)`` that logs ``what: done/total unit (percent), rate, ETA``.

    A line is logged when ``done`` enters a new ``fraction`` of ``total`` (10 % steps by default: about
    ``1 / fraction`` lines over a loop), when ``interval`` seconds (30) have passed since the last line, and at
    ``done == total``. ``clock`` (default :func:`time.monotonic`) gives seconds; the rate is measured from the
    reporter's creation. ``logger`` defaults to ``rnnchaos.progress``.
    """

    def __init__(self, what: str, *, unit: str = "steps", fraction: float = 0.1, interval: float = 30.0,
                 logger: logging.Logger | None = None, clock: Callable[[], float] = time.monotonic):
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
        if not interval > 0:
            raise ValueError(f"interval must be > 0 seconds, got {interval!r}")
        self.what, self.unit, self.fraction, self.interval = what, unit, fraction, interval
        self.log, self.clock = logger or log, clock
        self.start = self.last_time = clock()
        self.last_step = 0
        self.finished = False
        self.lines = 0

    def __call__(self, done: int, total: int) -> None:
        if self.finished:
            return
        now = self.clock()
        step = math.floor(done / total / self.fraction + 1e-9) if total > 0 else 0
        if done >= total or step > self.last_step or now - self.last_time >= self.interval:
            self.finished = done >= total
            self.last_step, self.last_time = max(step, self.last_step), now
            self.lines += 1
            self.log.info("%s", self.line(done, total, now - self.start))

    def line(self, done: int, total: int, elapsed: float) -> str:
        """The text of one progress line after ``elapsed`` seconds."""
        rate = done / elapsed if elapsed > 0 else math.nan
        eta = (total - done) / rate if rate > 0 else math.nan
        pct = 100.0 * done / total if total > 0 else 100.0
        return (f"{self.what}: {done}/{total} {self.unit} ({pct:.0f} %), {rate:.3g} {self.unit}/s, "
                f"elapsed {duration(elapsed)}, ETA {duration(eta)}")


def duration(seconds: float) -> str:
    """``seconds`` as ``"4.2 s"``, ``"3 min 05 s"`` or ``"2 h 07 min"``; ``"?"`` when not finite."""
    if not math.isfinite(seconds):
        return "?"
    if seconds < 60:
        return f"{seconds:.1f} s"
    s = round(seconds)
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
