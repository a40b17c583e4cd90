"""The benchmark scripts run end to end on tiny sizes and print consistent figures (not their speed)."""

import importlib.util
import os
import re
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ):  # a benchmark may pin BLAS threads for itself, not for later tests
        spec.loader.exec_module(module)
    return module


def test_lyapunov_benchmark_prints_ratio_speedup_and_ceiling(capsys):
    load("lyapunov").main(["--sizes", "48x48,48x8", "--repeat", "1", "--chunk", "0.002"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if re.match(r"\s+48\s", line)]
    assert [r[2] for r in rows] == ["float64", "float32"] * 2
    for r in rows:
        steps_per_qr, ratio, ceiling = float(r[3]), float(r[8]), float(r[-1])
        assert steps_per_qr > 1 and 0 < ratio < 5 and 0 < ceiling < 5  # adaptive intervals (t_ons auto)
    assert all(float(r[9]) > 0 for r in rows if r[2] == "float32")  # the float32 speed-up column


def test_lyapunov_benchmark_small_k_table_measures_memory_speed_and_copies(capsys, monkeypatch):
    """The small-k table: one row per N, k and J precision, with product/step and read/step; above LARGE_J_BYTES
    (lowered to 0 here) the workspace allocates no copy of a float64 J and one half-size copy for float32."""
    from rnnchaos import lyapunov_blas

    monkeypatch.setattr(lyapunov_blas, "LARGE_J_BYTES", 0)
    load("lyapunov").main(["--memory-speed", "1200", "--memory-k", "1,2", "--repeat", "1"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if re.match(r"\s+1200\s", line)]
    assert [(r[1], r[2]) for r in rows] == [("1", "float64"), ("1", "float32"), ("2", "float64"), ("2", "float32")]
    for r in rows:
        step, product, read, product_step, read_step, extra = (float(v) for v in r[3:9])
        for time, ratio in ((product, product_step), (read, read_step)):
            # the columns are printed to 0.01 (ms and ratio): the ratio of the printed times brackets the printed
            # ratio within that rounding, however short the times
            h = 0.005
            assert (time - h) / (step + h) - h <= ratio <= (time + h) / max(step - h, 1e-9) + h
        assert 0 <= extra < 0.1 if r[2] == "float64" else 0.5 <= extra < 0.6


def test_fixed_point_saturation_reports_between_run_estimates(capsys):
    load("fixed_points").saturation(40, 2.0, 0.5, n_runs=3, seed=2)
    out = capsys.readouterr().out
    found = [int(v) for v in re.findall(r"run \d: (\d+) verified points", out)]
    est = float(re.search(r"Chao2 (\d+) \+-", out.split("between runs")[1]).group(1))
    union = int(re.search(r"union (\d+)", out).group(1))
    assert len(found) == 3 and max(found) <= union <= est + 1
    shares = [float(v) / 100 for v in re.findall(r"(\d+)%", out.split("found / between-run Chao2:")[1])[:3]]
    assert shares == pytest.approx(np.array(found) / est, abs=0.006)


def test_fixed_point_origin_benchmark_prints_one_row_per_gain(capsys):
    load("fixed_point_origins").main(["--seeds", "2", "--N", "30", "--g", "3.0"])
    rows = [r.split(" | ") for r in capsys.readouterr().out.splitlines() if r.startswith("| 3 |")]
    assert len(rows) == 1 and len(rows[0]) == 9
    assert rows[0][1] == "3.103"  # Kac-Rice <y^2> at g = 3, sigma_b = 0
    assert "trajectory " in rows[0][7] and "/8" in rows[0][7] and "gaussian " in rows[0][7] and "/56" in rows[0][7]


def test_fixed_point_study_benchmark_reads_the_section_and_writes_the_pipeline_files(capsys, tmp_path):
    """The one-process study reads the config section (validated: a bad overlay fails naming the key) and writes
    the rules' files: every network's and the pooled study, whose agreement it prints."""
    import sys

    import yaml

    from rnnchaos import io
    from rnnchaos.config import ConfigError

    section = {"enabled": True, "g": [2.0], "sigma_b": [0.5], "N": [20, 30, 40], "seeds": 2, "n_init": 12}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump({"fixed_point_study": section}))
    with mock.patch.object(sys, "argv", ["fixed_point_study.py", str(tmp_path / "study.yaml"), str(tmp_path)]):
        load("fixed_point_study")
    out = capsys.readouterr().out
    assert out.startswith("rate: g = 2, sigma_b = 0.5: <x*^2>") and "Sigma = 0.01231" in out
    study = io.read_dataset(tmp_path / "rate/g~2/sigma_b~0.5.nc", stage="fixed_point_study")
    assert study["network_status"].shape == (1, 1, 3, 2)
    assert io.read_dataset(tmp_path / "rate/g~2/sigma_b~0.5/N~40/seed~1.nc", stage="fixed_point_study_network")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"fixed_point_study": {**section, "N": [20, 30]}}))
    with mock.patch.object(sys, "argv", ["fixed_point_study.py", str(tmp_path / "bad.yaml"), str(tmp_path)]):
        with pytest.raises(ConfigError, match=r"fixed_point_study.N = \[20, 30\]: needs at least 3 sizes"):
            load("fixed_point_study")
