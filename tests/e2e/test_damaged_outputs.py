"""End to end: damaged outputs (truncated, a flipped bit) are moved aside with a message and recomputed."""

import os

import numpy as np
import xarray as xr

from rnnchaos import io

from .test_pipeline import TINY, job_counts, snakemake

ONE_POINT = {**TINY, "model": ["rate"], "g": [2.0], "N": [12], "figures": [],
             "trained": {**TINY["trained"], "enabled": False}}
POINT = "g~2/sigma_b~0/sigma_xi~0/N~12/seed~0.nc"


def damage_at_rest(path, damage):
    """Apply ``damage(bytes) -> bytes`` keeping the file's times, as a disk error or bit rot would."""
    st = path.stat()
    path.write_bytes(damage(path.read_bytes()))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_damaged_outputs_are_moved_aside_and_recomputed(tmp_path):
    run = snakemake(tmp_path, config=ONE_POINT)
    assert run.returncode == 0, run.stderr[-3000:]
    results = tmp_path / "results"
    lyap, sim = results / f"lyapunov/rate/{POINT}", results / f"simulate/rate/{POINT}"
    delta = xr.load_dataset(sim)["delta"].values.tobytes()

    def flip(raw):
        at = raw.find(delta)
        assert at > 0 and raw.find(delta, at + 1) < 0
        return raw[:at + 15] + bytes([raw[at + 15] ^ 0x10]) + raw[at + 16:]  # exponent of delta[1]: x 2^+-256

    damage_at_rest(lyap, lambda raw: raw[:-500])  # truncated: found when the Snakefile is parsed
    damage_at_rest(sim, flip)  # readable, wrong: found by its checksum when a job reads it

    run = snakemake(tmp_path)
    out = run.stdout + run.stderr
    assert f"lyapunov/rate/{POINT}: damaged file (truncated" in out
    assert run.returncode != 0, out[-3000:]  # the summary job read the damaged simulation
    assert f"simulate/rate/{POINT}: damaged file: " in out and "checksum failed" in out
    assert "rerunning snakemake recomputes it" in out
    for stage in ("lyapunov", "simulate"):
        assert (results / f"{stage}/rate/{POINT}.corrupt").exists()
    assert not sim.exists() and io.read_dataset(lyap, stage="lyapunov")["status"].item() == 0

    run = snakemake(tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    counts = job_counts(run.stdout + run.stderr)
    assert counts.get("simulate") == 1 and counts.get("summary") == 1 and "lyapunov" not in counts, counts
    assert np.array_equal(xr.load_dataset(sim)["delta"].values.tobytes(), delta)  # recomputed bitwise
    dry = snakemake(tmp_path, "-n")
    assert dry.returncode == 0 and job_counts(dry.stdout + dry.stderr) == {}
