"""Progress reports of long loops (rnnchaos.progress) and the job log (rnnchaos.io.job_log)."""

import logging
import warnings

import numpy as np
import pytest

from rnnchaos import fixed_points, io, lyapunov, simulate
from rnnchaos.progress import ProgressLog, duration


class FakeClock:
    """A clock that advances only when told to."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def lines_of(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "rnnchaos.progress"]


def test_ten_lines_over_a_fast_loop_with_rate_and_eta(caplog):
    clock = FakeClock()
    report = ProgressLog("simulate", unit="samples", clock=clock)
    with caplog.at_level(logging.INFO, logger="rnnchaos.progress"):
        for done in range(1, 1001):
            clock.t += 0.01  # 100 samples/s, 10 s in all: the 30 s clock never fires
            report(done, 1000)
    lines = lines_of(caplog)
    assert len(lines) == 10 and report.lines == 10
    assert lines[0] == "simulate: 100/1000 samples (10 %), 100 samples/s, elapsed 1.0 s, ETA 9.0 s"
    assert lines[-1].startswith("simulate: 1000/1000 samples (100 %)") and lines[-1].endswith("ETA 0.0 s")


def test_slow_loop_reports_at_least_every_interval(caplog):
    clock = FakeClock()
    report = ProgressLog("lyapunov", unit="QR intervals", clock=clock)
    times = []
    with caplog.at_level(logging.INFO, logger="rnnchaos.progress"):
        for done in range(1, 101):
            clock.t += 7.0  # 700 s in all: 10 % lines are 70 s apart, so the 30 s clock adds lines between
            n = report.lines
            report(done, 100)
            if report.lines > n:
                times.append(clock.t)
    gaps = np.diff([0.0, *times])
    assert gaps.max() <= 30.0 + 7.0 and gaps.min() >= 28.0  # one line per ~30 s, never two within a step
    assert len(lines_of(caplog)) == len(times) and 20 <= len(times) <= 30
    assert "lyapunov: 100/100 QR intervals (100 %)" in lines_of(caplog)[-1]


def test_end_is_reported_once_and_bad_settings_are_refused(caplog):
    report = ProgressLog("fixed_points", clock=FakeClock())
    with caplog.at_level(logging.INFO, logger="rnnchaos.progress"):
        report(5, 5)
        report(5, 5)
    assert len(lines_of(caplog)) == 1
    with pytest.raises(ValueError, match="fraction must be in"):
        ProgressLog("x", fraction=0)
    with pytest.raises(ValueError, match="interval must be > 0"):
        ProgressLog("x", interval=0)


def test_duration_formats():
    assert [duration(s) for s in (4.24, 185, 7620, float("nan"))] == ["4.2 s", "3 min 05 s", "2 h 07 min", "?"]


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, done, total):
        self.calls.append((done, total))


def test_library_loops_call_the_progress_callback(small_net, rng):
    J, theta = small_net.couplings(2.0), small_net.biases(0.0)
    sim = Recorder()
    simulate.simulate("rate", J, theta, rng=rng, t_transient=5, t_sim=40, tau_max=2, n_blocks=4, progress=sim)
    assert sim.calls == [(n, 40) for n in range(1, 41)]
    lyap = Recorder()
    lyapunov.lyapunov_spectrum("map", J, theta, k=3, t_transient=5, t_transient_tangent=2, t_sim=30, t_ons=2,
                               n_batches=3, rng=rng, progress=lyap)
    assert lyap.calls == [(n, 15) for n in range(1, 16)]
    fp = Recorder()
    fixed_points.network_fixed_points("rate", J, theta, n_init=8, rng=rng, n_paths=1, path_solves=50,
                                      batch_size=3, progress=fp)
    done = [d for d, _ in fp.calls]
    # 4 independent solves in batches of 3, one path, then 4 deflated solves in batches of 3
    assert done == [3, 4, 5, 8, 9] and {t for _, t in fp.calls} == {9}


def test_job_log_keeps_the_traceback_of_a_failed_job(tmp_path):
    path = tmp_path / "job.log"
    with pytest.raises(ZeroDivisionError), io.job_log(path):
        logging.getLogger("rnnchaos.simulate").info("halfway")
        warnings.warn("a warning worth keeping", RuntimeWarning, stacklevel=1)
        _ = 1 / 0
    text = path.read_text()
    assert "job started" in text and "halfway" in text and "a warning worth keeping" in text
    assert "ERROR rnnchaos: job failed after" in text
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError: division by zero" in text
    assert "_ = 1 / 0" in text  # the failing line, as a traceback shows it
    assert not any(getattr(h, "baseFilename", None) == str(path) for h in logging.getLogger().handlers)


def test_job_log_of_a_job_that_succeeds(tmp_path):
    path = tmp_path / "job.log"
    with io.job_log(path) as log:
        log.info("writing")
    text = path.read_text()
    assert "writing" in text and "job finished in" in text and "Traceback" not in text
