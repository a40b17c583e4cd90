"""End to end: the training_study section through Snakemake in a temporary directory: tiny networks (N = 30, one
seed, tanh only), every file and the three figures, the transfer network carrying the source's weights, the
incremental behaviour (nothing to do after a run), and bad input failing at parse time naming the key."""

import re

import numpy as np
import pytest

from rnnchaos import io, training_study

from ..conftest import snakemake_section

SECTION = {"enabled": True, "seeds": 1, "nonlinearities": ["tanh"], "N": 30, "train_time": 400,
           "transfer_time": 300, "test_time": 200, "n_snapshots": 3, "n_init": 6, "n_extra": 1, "n_trajectories": 1,
           "trajectory_time": 30, "eta": [0.0, 0.1], "n_draws": 2, "noise_test_time": 100}
STUDY = "results/training_study/tanh"


def snakemake(workdir, *args, section=None):
    """Snakemake on the repository's config.yaml plus a file holding only the training_study section."""
    return snakemake_section(workdir, "training_study", section, *args, timeout=600)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    wd = tmp_path_factory.mktemp("training_study")
    run = snakemake(wd, "training_study_all", section=SECTION)
    assert run.returncode == 0, run.stderr[-4000:]
    return wd


def test_every_file_and_figure_is_made_and_nothing_is_left_to_do(workdir):
    for origin in ("source", "scratch", "transfer"):
        assert (workdir / STUDY / origin / "seed~0.nc").is_file()
    assert (workdir / STUDY / "source/evolution_seed~0.nc").is_file()
    for origin in ("scratch", "transfer"):
        for study in ("geometry", "noise"):
            assert (workdir / STUDY / origin / f"{study}_seed~0.nc").is_file()
    for stem in ("training_evolution_seed~0", "flipflop_geometry", "noise_robustness"):
        assert (workdir / "results/figures" / f"{stem}.png").stat().st_size > 0
    dry = snakemake(workdir, "-n", "training_study_all", section=SECTION)
    assert dry.returncode == 0 and "Nothing to be done" in dry.stdout + dry.stderr


def test_files_hold_the_snapshots_the_transfer_and_the_noise_curve(workdir):
    source = training_study.from_dataset(io.read_dataset(workdir / STUDY / "source/seed~0.nc"))
    moved = training_study.from_dataset(io.read_dataset(workdir / STUDY / "transfer/seed~0.nc"))
    assert source.snapshot_W_out.shape == (3, 3, 30) and np.array_equal(source.snapshot_W_out[-1], source.net.W_out)
    assert moved.net.W_out.shape == (4, 30) and np.array_equal(moved.net.J, source.net.J)
    assert np.array_equal(moved.net.W_in[:, :3], source.net.W_in)
    evolution = io.read_dataset(workdir / STUDY / "source/evolution_seed~0.nc")
    assert evolution.sizes["snapshot"] == 3 and int(io.point_values(evolution, "status")) == 0
    noise = io.read_dataset(workdir / STUDY / "scratch/noise_seed~0.nc")
    mse = io.point_values(noise, "mse")
    assert mse.shape == (2, 2) and np.all(np.isfinite(mse))


@pytest.mark.parametrize("key, value, message", [
    ("n_snapshots", 0, "training_study.n_snapshots"),
    ("eta", [0.1, -0.2], r"training_study.eta\[1\]"),
])
def test_bad_input_fails_at_parse_time_naming_the_key(tmp_path, key, value, message):
    run = snakemake(tmp_path, "-n", "training_study_all", section={**SECTION, key: value})
    assert run.returncode != 0
    assert re.search(message, run.stdout + run.stderr), (run.stdout + run.stderr)[-2000:]
