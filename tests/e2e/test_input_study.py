"""End to end: the input section through Snakemake in a temporary directory: a tiny study (rate network, N = 20,
two seeds, two amplitudes, two frequencies, short runs, constant-input fixed points), its per-network and pooled
files, its figure, a failed run as NaN with its status in the pooled file, and bad sections failing at parse time
naming the key."""

import numpy as np

from rnnchaos import io

from ..conftest import snakemake_section

SECTION = {"enabled": True, "model": ["rate"], "g": [2.0], "sigma_b": [0.0], "N": [20], "seeds": 2,
           "amplitude": [0.0, 3.0], "frequency": [0.05, 0.2], "t_transient": 20.0, "t_transient_tangent": 10.0,
           "t_sim": 100.0, "k": 2, "n_batches": 4, "fixed_point_inputs": [0.0, 2.0], "fixed_point_starts": 3}
ROOT = "results/driven/rate/g~2/sigma_b~0"


def snakemake(workdir, *args, section=None):
    return snakemake_section(workdir, "input", section, *args, timeout=900)


def test_section_runs_pools_and_draws_its_figure(tmp_path):
    run = snakemake(tmp_path, "input_all", section=SECTION)
    assert run.returncode == 0, run.stderr[-4000:]
    one = io.read_dataset(tmp_path / ROOT / "frequency~0.05/amplitude~3/N~20/seed~1.nc", stage="input_study_network")
    assert int(io.point_values(one, "status")) == 0 and io.point_values(one, "exponent").shape == (2,)
    assert float(io.point_values(one, "spread_max")) > 0
    pooled = io.read_dataset(tmp_path / f"{ROOT}.nc", stage="input_study")
    lam = pooled["lambda_max"].squeeze(("g", "sigma_b"), drop=True)
    assert lam.dims == ("drive", "amplitude", "N", "seed") and lam.shape == (2, 2, 1, 2)
    assert list(pooled.drive.values) == ["frequency~0.05", "frequency~0.2"]
    assert np.isfinite(lam.values).all()
    # amplitude 0 is the undriven network: both drives give the same numbers bitwise
    np.testing.assert_array_equal(lam.isel(drive=0, amplitude=0).values, lam.isel(drive=1, amplitude=0).values)
    # a strong drive (A = 3) entrains the small network at g = 2: lambda_max below 0, well below the undriven one
    assert (lam.isel(amplitude=1).values < 0).all()
    assert (lam.isel(amplitude=1).values < lam.isel(amplitude=0).values - 0.1).all()
    const = io.read_dataset(tmp_path / ROOT / "constant_input/N~20/seed~0.nc", stage="input_study_constant")
    res = io.point_values(const, "residual_max")
    assert (io.point_values(const, "count") >= 1).all() and (res < 1e-8).all()
    for ext in ("png", "pdf"):
        assert (tmp_path / f"results/figures/periodic_suppression_rate.{ext}").stat().st_size > 1000
    text = (tmp_path / "results/figures/periodic_suppression_rate.agreement.rst").read_text()
    assert "f = 0.05, N = 20" in text and "A = 0, 3" in text and "d = 2 channels" in text

    # a failed run is NaN with its status in the pooled file; only the pooling and the figure rerun
    path = tmp_path / ROOT / "frequency~0.2/amplitude~3/N~20/seed~0.nc"
    from rnnchaos.status import NumericalFailure

    def failing():
        raise NumericalFailure("diverged", "written by the test")

    io.save_stage(path, failing, stage="input_study_network", params={"model": "rate"},
                  point={"g": 2.0, "sigma_b": 0.0, "N": 20, "seed": 0})
    again = snakemake(tmp_path, "input_all", section=SECTION)
    assert again.returncode == 0, again.stderr[-4000:]
    assert "rule input_study_network" not in again.stdout + again.stderr
    pooled = io.read_dataset(tmp_path / f"{ROOT}.nc", stage="input_study")
    cell = pooled.squeeze(("g", "sigma_b"), drop=True).sel(drive="frequency~0.2", amplitude=3.0, N=20)
    assert int(cell["status"].sel(seed=0)) == 1 and np.isnan(float(cell["lambda_max"].sel(seed=0)))
    assert int(cell["n_ok"]) == 1 and float(cell["lambda_max_mean"]) == float(cell["lambda_max"].sel(seed=1))
    assert "1 runs failed" in (tmp_path / "results/figures/periodic_suppression_rate.agreement.rst").read_text()


def test_bad_sections_fail_at_parse_time_naming_the_key(tmp_path):
    cases = [({"amplitude": [-1.0]}, "input.amplitude[0] = -1.0: must be a number >= 0"),
             ({"frequency": [0.0]}, "input.frequency[0] = 0.0: must be a number > 0"),
             ({"channels": 0}, "input.channels = 0: must be an integer in [1, 1000]"),
             ({"scale": -0.5}, "input.scale = -0.5: must be a number >= 0"),
             ({"t_ons": 0.15}, "input.t_ons = 0.15 must be a whole multiple >= 0 of the step 0.1"),
             ({"signal": "file", "file": "missing.npy"}, "input.file = 'missing.npy': no such file"),
             ({"signal": "file", "file": "u.npy", "file_dt": 0.25}, "input.file_dt = 0.25 must be a whole multiple"),
             ({"signal": "file", "file": "short.npy"}, "input.file = 'short.npy': 3 samples"),
             ({"signal": "file", "file": "nan.npy"}, "non-finite"),
             ({"signal": "file", "file": "u.npy", "channels": 3}, "input dimension 2")]
    np.save(tmp_path / "u.npy", np.zeros((200, 2)))
    np.save(tmp_path / "short.npy", np.zeros((3, 2)))
    np.save(tmp_path / "nan.npy", np.full((200, 2), np.nan))
    for change, message in cases:
        run = snakemake(tmp_path, "-n", "input_all", section={**SECTION, **change})
        out = run.stdout + run.stderr
        assert run.returncode != 0 and message in out, (change, out[-2000:])
    ok = snakemake(tmp_path, "-n", "input_all", section={**SECTION, "signal": "file", "file": "u.npy"})
    assert ok.returncode == 0 and "driven/rate/g~2/sigma_b~0/file/amplitude~3/N~20/seed~1.nc" in ok.stdout, \
        ok.stderr[-2000:]


def test_section_off_by_default_adds_no_job(tmp_path):
    run = snakemake(tmp_path, "-n", section={})
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "input_study" not in out, out[-3000:]
