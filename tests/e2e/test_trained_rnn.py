"""End to end: the trained_rnn section through Snakemake in a temporary directory: a small FORCE family and one
listed state dict, their files, the feature table with the correlations, the figures, and bad configs that fail
at parse time naming the key."""

import csv

import numpy as np
import pytest
import xarray as xr

from rnnchaos import array_files, io
from rnnchaos.rnn_stack import random_stack
from rnnchaos.spectrum_features import FEATURES

from ..conftest import snakemake_section

SECTION = {
    "networks": [{"name": "listed_rnn", "path": "weights/listed_rnn.npz", "performance": 0.5}],
    "force_family": {"enabled": True, "g": [0.8, 2.0], "seeds": 2, "N": 30, "train_time": 600,
                     "test_time": 200},
    "inputs": {"kind": "flipflop", "batch": 2, "steps": 200},
    "analysis": {"k": 4, "warmup": 20, "warmup_tangent": 20, "n_batches": 4, "n_fp_starts": 2, "max_iter": 20},
    "correlation": {"n_boot": 200},
}
FAMILY = [f"force_g~{g}_seed~{s}" for g in ("0.8", "2") for s in (0, 1)]
NAMES = ["listed_rnn", *FAMILY]


def snakemake(workdir, *args, section=None):
    """Snakemake on the repository's config.yaml plus a file holding only the trained_rnn section."""
    return snakemake_section(workdir, "trained_rnn", section, *args, timeout=600)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    wd = tmp_path_factory.mktemp("trained_rnn")
    (wd / "weights").mkdir()
    weights = random_stack("rnn_tanh", input_size=3, hidden_size=8, num_layers=1, scale=1.0,
                           rng=np.random.default_rng(0)).state_dict()
    array_files.write_arrays(wd / "weights/listed_rnn.npz", weights)
    run = snakemake(wd, "trained_rnn_all", section=SECTION)
    assert run.returncode == 0, run.stderr[-4000:]
    return wd


def test_every_network_has_its_file_and_the_run_its_table_and_figures(workdir):
    r = workdir / "results"
    for name in NAMES:
        ds = io.read_dataset(r / f"trained_rnn/{name}.nc", stage="trained_rnn")
        assert int(ds["status"]) == 0 and int(ds["lyap_status"]) == 0
        assert ds["lyap_exponent"].sizes["i"] == 4 and ds.attrs["name"] == name
    family = io.read_dataset(r / "trained_rnn/force_g~2_seed~1.nc")
    assert family.attrs["performance"] > 0 and family.attrs["cell"] == "rnn_tanh"  # the test MSE, read back
    assert io.read_dataset(r / "trained_rnn/listed_rnn.nc").attrs["performance"] == 0.5
    for fig in ("trained_rnn_spectra", "trained_rnn_performance"):
        for ext in ("png", "pdf"):
            assert (r / f"figures/{fig}.{ext}").stat().st_size > 1000
        assert any(ch.isdigit() for ch in (r / f"figures/{fig}.agreement.rst").read_text())


def test_feature_table_csv_and_correlations(workdir):
    r = workdir / "results/trained_rnn"
    with open(r / "features.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["network", *FEATURES, "d_ky_lower_bound", "entropy_rate_lower_bound", "performance",
                             "n", "k", "status", "status_detail"]
    assert [row["network"] for row in rows] == NAMES
    assert {row["status"] for row in rows} == {"ok"}
    assert [float(row["n"]) for row in rows] == [8, *[30] * 4]
    table = xr.load_dataset(r / "features.nc")
    assert list(table.feature.values) == list(FEATURES)
    assert np.all(np.abs(table["rho"].values) <= 1) and np.all(table["ci_low"] <= table["ci_high"])
    assert table.attrs["n_networks"] == 5


def test_second_run_has_nothing_to_do(workdir):
    run = snakemake(workdir, "-n", "trained_rnn_all", section=SECTION)
    assert run.returncode == 0 and "Nothing to be done" in run.stdout + run.stderr


@pytest.mark.parametrize(("change", "message"), [
    ({"networks": [{"name": "a", "path": "missing.npz"}]},
     "trained_rnn.networks[0].path = 'missing.npz': no such file"),
    ({"inputs": {"sigmaa": 1.0}}, "trained_rnn.inputs.sigmaa: unknown key (did you mean `sigma`?)"),
])
def test_bad_section_fails_at_parse_time_naming_the_key(tmp_path, change, message):
    """(Every other parse-time check of the section: tests/unit/test_trained_rnn_config.py.)"""
    run = snakemake(tmp_path, "-n", "trained_rnn_all", section=change)
    out = run.stdout + run.stderr
    assert run.returncode != 0 and message in out, out[-3000:]
    assert len(out.splitlines()) < 20, out
    assert not (tmp_path / "results").exists()


def test_section_off_by_default_adds_no_job(tmp_path):
    """The repository's config alone: the whole workflow's dry run holds no job of the section."""
    run = snakemake(tmp_path, "-n", section={})
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "rule network:" in out, out[-3000:]
    assert "trained_rnn" not in out
