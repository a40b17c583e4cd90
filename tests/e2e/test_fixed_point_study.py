"""End to end: the fixed_point_study section through Snakemake in a temporary directory: a tiny study (N = 20, 30,
40, two networks per size, one (g, sigma_b), 16 solves), its per-network and pooled files, its figure, a failed
network as NaN with its status in the pooled file (the search's own failures, and one written by hand, after which
only the pooling and the figure rerun), and a bad section failing at parse time naming the key."""

import re

import numpy as np
import pytest

from rnnchaos import fixed_point_study, io
from rnnchaos.status import STATUS_CODES, NumericalFailure

from ..conftest import snakemake_section

SECTION = {"enabled": True, "model": ["rate"], "g": [2.0], "sigma_b": [0.0], "N": [20, 30, 40], "seeds": 2,
           "n_init": 16, "pooled": {"points": [[2.0, 0.5]], "N": 20, "seeds": 27}}
POOLED = "results/fixed_point_study/rate/g~2/sigma_b~0.5/pooled_N~20"
STUDY = "results/fixed_point_study/rate/g~2/sigma_b~0"
#: the network replaced by a failed one after the first run
FAILED = (30, 1)


def snakemake(workdir, *args, section=None):
    """Snakemake on the repository's config.yaml plus a file holding only the fixed_point_study section."""
    return snakemake_section(workdir, "fixed_point_study", section, *args, timeout=900)


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run, as {rule: count}."""
    table = output.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in output else ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M) if m[1] != "total"}


def network_file(workdir, N, seed):
    return workdir / STUDY / f"N~{N}/seed~{seed}.nc"


def failing():
    raise NumericalFailure("stalled", "none of the Newton solves converged (written by the test)")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    wd = tmp_path_factory.mktemp("fixed_point_study")
    run = snakemake(wd, "fixed_point_study_all", section=SECTION)
    assert run.returncode == 0, run.stderr[-4000:]
    return wd


def test_every_network_and_the_study_have_their_files_and_the_figure_is_drawn(workdir):
    for N in SECTION["N"]:
        for seed in range(SECTION["seeds"]):
            ds = io.read_dataset(network_file(workdir, N, seed), stage="fixed_point_study_network")
            if fixed_point_study.status_code(ds) == 0:
                assert fixed_point_study.from_dataset(ds).n_points >= 1
    study = io.read_dataset(workdir / f"{STUDY}.nc", stage="fixed_point_study")
    assert study["network_status"].shape == (1, 1, 3, 2) and list(study.N.values) == [20, 30, 40]
    for ext in ("png", "pdf"):
        assert (workdir / f"results/figures/fixed_point_study_rate.{ext}").stat().st_size > 1000
    text = (workdir / "results/figures/fixed_point_study_rate.agreement.rst").read_text()
    assert "g = 2, sigma\\_b = 0" in text and "Sigma = 0.02" in text and "16 Newton solves per network" in text


def test_the_pooled_networks_are_searched_in_batches_and_drawn(workdir):
    batches = [io.read_dataset(workdir / POOLED / f"batch~{b}.nc", stage="fixed_point_pool_batch") for b in (0, 1)]
    assert [list(b.seed.values) for b in batches] == [list(range(25)), [25, 26]]
    pooled = io.read_dataset(workdir / f"{POOLED}.nc", stage="fixed_point_pool")
    n_points = sum(int(b["n_nontrivial"].where(b["status"] == 0, 0).sum()) for b in batches)
    assert int(pooled["n_points"].values.ravel()[0]) == n_points > 0
    assert int(pooled["n_networks"].values.ravel()[0]) == 27
    text = (workdir / "results/figures/fixed_point_pooled_rate.agreement.rst").read_text()
    assert f"{n_points} points from" in text and "KS distance to mu\\*" in text


def assert_failed_networks_are_nan_with_their_status(workdir):
    study = io.read_dataset(workdir / f"{STUDY}.nc", stage="fixed_point_study")
    v = lambda name: study[name].squeeze(("g", "sigma_b"), drop=True)  # noqa: E731
    failed = 0
    for N in SECTION["N"]:
        for seed in range(SECTION["seeds"]):
            code = fixed_point_study.status_code(io.read_dataset(network_file(workdir, N, seed)))
            assert int(v("network_status").sel(N=N, seed=seed)) == code
            values = [float(v(f"{o}_sample").sel(N=N, seed=seed)) for o in ("mean_sq_radius", "index_fraction",
                                                                             "rms_modulus")]
            values.append(float(v("count").sel(N=N, seed=seed)))
            if code:
                failed += 1
                assert np.isnan(values).all() and int(v("saturated").sel(N=N)) == 0
            else:
                assert np.isfinite(values[-1])
    assert int(v("n_failed").sum()) == failed
    return failed


def test_a_failed_network_is_nan_with_its_status_and_only_the_pooling_reruns(workdir):
    assert_failed_networks_are_nan_with_their_status(workdir)
    N, seed = FAILED
    path = network_file(workdir, N, seed)
    io.save_stage(path, failing, stage="fixed_point_study_network", params={"model": "rate"},
                  point={"g": 2.0, "sigma_b": 0.0, "N": N, "seed": seed})
    dry = snakemake(workdir, "-n", "fixed_point_study_all", section=SECTION)
    assert dry.returncode == 0 and job_counts(dry.stdout) == {"fixed_point_study": 1, "figure": 1,
                                                              "fixed_point_study_all": 1}, dry.stdout[-3000:]
    run = snakemake(workdir, "fixed_point_study_all", section=SECTION)
    assert run.returncode == 0, run.stderr[-4000:]
    assert assert_failed_networks_are_nan_with_their_status(workdir) >= 1
    study = io.read_dataset(workdir / f"{STUDY}.nc")
    assert int(study["network_status"].sel(N=N, seed=seed).squeeze()) == STATUS_CODES["stalled"]
    text = (workdir / "results/figures/fixed_point_study_rate.agreement.rst").read_text()
    assert f"at N = {N}" in text and "failed searches" in text
    again = snakemake(workdir, "-n", "fixed_point_study_all", section=SECTION)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


def test_bad_section_fails_at_parse_time_naming_the_key(tmp_path):
    run = snakemake(tmp_path, "-n", "fixed_point_study_all", section={**SECTION, "N": [20, 30]})
    out = run.stdout + run.stderr
    assert run.returncode != 0 and "fixed_point_study.N = [20, 30]: needs at least 3 sizes" in out, out[-3000:]
    assert not (tmp_path / "results").exists()


def test_section_off_by_default_adds_no_job(tmp_path):
    run = snakemake(tmp_path, "-n", section={})
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "rule network:" in out, out[-3000:]
    assert "fixed_point_study" not in out
