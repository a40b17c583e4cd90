"""End to end: a tiny config through Snakemake in a temporary directory; result tree, incremental reruns, lint."""

import html as html_module
import importlib.util
import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml

from rnnchaos import io
from rnnchaos.figures import FIGURES

from ..conftest import ROOT

TINY = {
    "model": ["rate", "map"],
    "g": [0.5, 2.0],
    "sigma_b": [0.0],
    "N": [20],
    "seeds": 1,
    "simulate": {"t_transient": 20, "t_sim": 60, "tau_max": 5, "n_blocks": 5, "n_snapshots": 8},
    "lyapunov": {"k": 5, "t_transient": 20, "t_transient_tangent": 4, "t_sim": 40, "n_batches": 4},
    "fixed_points": {"n_init": 16},
    "dmft": {"tau_max": 5, "n_tau": 51, "n_dense": 12, "g_max": 3.0, "sigma_b_max": 1.0},
    "paper": {"g": 2.0, "spectra_N": [12, 20], "spectra_g": [1.5, 2.0], "spectra_t_sim": 20, "t_ons": [1, 2],
              "count_N": [6, 8], "count_seeds": 2},
    "figures": ["phase_diagram", "lambda_max_vs_g", "autocorrelation", "lyapunov_spectrum",
                "fixed_point_coordinates", "scs_autocorrelation", "spectra_collapse", "radial_separation",
                "jacobian_spectrum", "fixed_point_count", "qr_convergence"],
    "trained": {"enabled": True, "N": 60, "train_time": 4000, "test_time": 1000,
                "analysis": {"n_init": 16, "n_extra": 8, "k": 5, "t_transient": 10, "t_transient_tangent": 5,
                             "t_sim": 20, "n_batches": 4}},
}
#: figures drawn from the summary or the grid's Kac-Rice files (the other four read only their own study's points)
GRID_FIGURES = ["phase_diagram", "lambda_max_vs_g", "autocorrelation", "lyapunov_spectrum", "fixed_point_coordinates",
                "scs_autocorrelation", "radial_separation"]


TINY_DT = 0.1  # the default lyapunov.dt


def snakemake(workdir, *args, config=None, cores=2):
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / "config.yaml"), "--cores", str(cores), "--workflow-profile", "none", *args]
    if config:
        (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run, as {rule: count}; empty when nothing is to be done."""
    table = output.split("Job stats:")[1].split("\n\n")[0] if "Job stats:" in output else ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M) if m[1] != "total"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    wd = tmp_path_factory.mktemp("pipeline")
    run = snakemake(wd, config=TINY)
    assert run.returncode == 0, run.stderr[-4000:]
    return wd


def test_result_tree(workdir):
    r = workdir / "results"
    assert (r / "network/N~20/seed~0.nc").exists()
    for model in ("rate", "map"):
        for stage in ("simulate", "lyapunov", "fixed_points"):
            for g in ("0.5", "2"):
                assert (r / f"{stage}/{model}/g~{g}/sigma_b~0/sigma_xi~0/N~20/seed~0.nc").exists()
        assert (r / f"dmft/{model}/g~2/sigma_b~0/sigma_xi~0.nc").exists()
        assert (r / f"dmft/{model}/critical_line.nc").exists()
        for name in TINY["figures"]:
            for ext in ("png", "pdf"):
                assert (r / f"figures/{name}_{model}.{ext}").stat().st_size > 1000
            assert any(ch.isdigit() for ch in (r / f"figures/{name}_{model}.agreement.rst").read_text())
    assert (r / "trained/flipflop/analysis_seed~0.nc").exists()
    for stage in ("simulate", "lyapunov", "fixed_points"):  # benchmark files mirror the logs of the heavy rules
        point = f"{stage}/rate/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0"
        assert (r / f"benchmarks/{point}.tsv").read_text().startswith("s\th:m:s\tmax_rss")
        log = (r / f"logs/{point}.log").read_text()
        assert "job started" in log and "job finished in" in log and f"{stage}: " in log and "(100 %)" in log
    for stage in ("lyapunov_full", "lyapunov_t_ons"):
        assert list((r / f"benchmarks/{stage}").rglob("*.tsv")), stage
    assert (r / "figures/trained_flipflop_seed~0.png").stat().st_size > 1000
    assert not list(r.rglob("*.tmp.nc"))


def test_summary_holds_the_grid_and_physics_is_sane(workdir):
    s = io.read_dataset(workdir / "results/summary/rate.nc", stage="summary")
    assert {k: s.sizes[k] for k in ("g", "sigma_b", "sigma_xi", "N", "seed")} == {"g": 2, "sigma_b": 1, "sigma_xi": 1,
                                                                               "N": 1, "seed": 1}
    assert (s["lyap_status"] == 0).all() and (s["sim_status"] == 0).all()
    lam = s["lyap_lambda_max"].sel(sigma_b=0.0, N=20, seed=0)
    # below g_c the trajectory settles at x* = 0, so lambda_max is that of the Euler-discretised linear flow
    z = io.read_network(workdir / "results/network/N~20/seed~0.nc").z_J
    mu = np.linalg.eigvals(-np.eye(20) + 0.5 / np.sqrt(20) * z)
    dt = s["lyap_lambda_max"].attrs.get("dt", TINY_DT)
    # (finite-time estimate: error O(1/T) with T = lyapunov.t_sim = 40 from the initial tangent orientation)
    assert lam.sel(g=0.5).item() == pytest.approx(np.max(np.log(np.abs(1 + dt * mu))) / dt, abs=0.01)
    assert lam.sel(g=2.0).item() > lam.sel(g=0.5).item() + 0.4
    assert s["sim_delta0"].sel(g=0.5).max().item() < 1e-8  # quiescent below g_c
    for v in ("sim_delta0", "lyap_lambda_max", "dmft_lambda_max", "fp_n_fixed_points"):
        assert v in s and s[v].attrs.get("units")


def test_nothing_to_do_on_second_run(workdir):
    run = snakemake(workdir, "-n")
    assert run.returncode == 0 and job_counts(run.stdout + run.stderr) == {}


def test_new_grid_value_runs_only_new_points(workdir):
    config = {**TINY, "g": [0.5, 2.0, 1.5]}
    run = snakemake(workdir, "-n", config=config)
    counts = job_counts(run.stdout + run.stderr)
    try:
        assert counts == {"simulate": 2, "lyapunov": 2, "fixed_points": 2, "dmft": 2, "kac_rice": 1,
                          "summary": 2, "figure": 2 * len(GRID_FIGURES), "all": 1}, counts
    finally:
        (workdir / "config.yaml").write_text(yaml.safe_dump(TINY))


def test_changed_stage_setting_reruns_that_stage_and_downstream_only(workdir):
    config = {**TINY, "lyapunov": {**TINY["lyapunov"], "t_sim": 48}}
    run = snakemake(workdir, "-n", config=config)
    counts = job_counts(run.stdout + run.stderr)
    try:
        # the t_ons study (2 intervals x 2 models) shares the lyapunov settings; the full spectra set their own t_sim
        assert counts == {"lyapunov": 4, "lyapunov_t_ons": 4, "summary": 2, "figure": 2 * (len(GRID_FIGURES) + 1),
                          "all": 1}, counts  # + qr_convergence, drawn from the t_ons study
    finally:
        (workdir / "config.yaml").write_text(yaml.safe_dump(TINY))


def test_report_has_every_figure_with_its_caption(workdir):
    run = snakemake(workdir, "--report", str(workdir / "report.html"))
    assert run.returncode == 0, run.stderr[-3000:]
    html = (workdir / "report.html").read_text()
    for model in TINY["model"]:
        for name in TINY["figures"]:
            assert f"{name}_{model}.png" in html
            agreement = (workdir / f"results/figures/{name}_{model}.agreement.rst").read_text().strip()
            numbers = re.findall(r"\d+(?:\.\d+)?", agreement)
            assert numbers and all(n in html for n in numbers), agreement
    assert "trained_flipflop_seed~0.png" in html
    assert "Sompolinsky, Crisanti" in html and "Benettin" in html and "Kac-Rice" in html
    assert "System Message" not in html and "Undefined substitution" not in html
    captions = report_captions(html)
    for model in TINY["model"]:
        for name in TINY["figures"]:
            caption = captions[f"{name}_{model}.png"]
            lead, rest = caption.split("</p>", 1)  # what the figure checks (rnnchaos.figures), then what it shows
            assert html_module.unescape(lead.removeprefix("<p>")) == FIGURES[name].caption, (name, caption)
            assert rest.lstrip().startswith(f"<p>{CAPTION_SUBJECT[name]}") and f"{model} model" in rest, (name, caption)
            assert "N = " in caption, (name, caption)  # states the size drawn


#: What each figure shows: the words its report caption starts with.
CAPTION_SUBJECT = {
    "phase_diagram": "Phase diagram", "lambda_max_vs_g": "Largest Lyapunov exponent lambda_max vs gain g",
    "autocorrelation": "Population autocorrelation Delta(tau)", "lyapunov_spectrum": "Lyapunov spectra",
    "fixed_point_coordinates": "Histogram of the coordinates x*_i of the fixed points",
    "scs_autocorrelation": "Normalised autocorrelation Delta(tau)/Delta0", "spectra_collapse": "Full Lyapunov spectra",
    "radial_separation": "Radial separation of fixed points and dynamics", "jacobian_spectrum": "Jacobian eigenvalues",
    "fixed_point_count": "Number of fixed points", "qr_convergence": "Convergence of the QR (Benettin) method",
    "finite_size": "Finite-size study",
}


def report_captions(html: str) -> dict[str, str]:
    """The caption (HTML) of every figure in a Snakemake report, by file name (from the report's JSON data)."""
    decoder, out = json.JSONDecoder(), {}
    for m in re.finditer(r'"results/figures/([\w~.]+\.png)": (?=\{)', html):
        out[m[1]] = decoder.raw_decode(html, m.end())[0].get("caption", "")
    return out


def test_grid_point_is_independent_of_the_rest_of_the_grid(workdir, tmp_path):
    """Bitwise equal whether computed alone or inside the grid, and on 1 worker instead of 2."""
    alone = {**TINY, "model": ["rate"], "g": [2.0], "figures": []}
    run = snakemake(tmp_path, "results/lyapunov/rate/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0.nc",
                    "results/simulate/rate/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0.nc", config=alone, cores=1)
    assert run.returncode == 0, run.stderr[-3000:]
    for stage, var in (("lyapunov", "exponent"), ("simulate", "delta")):
        rel = f"results/{stage}/rate/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0.nc"
        a, b = io.read_dataset(workdir / rel), io.read_dataset(tmp_path / rel)
        assert np.array_equal(a[var].values, b[var].values)
        for v in io.reproducible_variables(a):
            assert np.array_equal(a[v].values, b[v].values, equal_nan=a[v].dtype.kind == "f"), (rel, v)


def test_invalid_config_fails_before_any_job(tmp_path):
    run = snakemake(tmp_path, config={**TINY, "g": [-1.0]})
    assert run.returncode != 0
    assert "g[0] = -1.0: must be a number in [0, 6]" in run.stderr
    assert not (tmp_path / "results").exists()


def test_config_typo_and_duplicate_key_fail_in_a_few_lines_naming_the_key(tmp_path):
    """A top-level typo gives one line with a suggestion (not the whole schema); a key given twice in a
    --configfile (Snakemake's loader keeps the last) names the file and line."""
    run = snakemake(tmp_path, "-n", config={**TINY, "seed": 3})
    out = run.stdout + run.stderr  # (a dry run logs to stdout)
    assert run.returncode != 0 and "seed: unknown key (did you mean `seeds`?)" in out
    assert len(out.splitlines()) < 20, out
    (tmp_path / "slice.yaml").write_text("N: [20]\nseeds: 1\nN: [30]\n")
    run = snakemake(tmp_path, "-n", "--configfile", str(tmp_path / "config.yaml"), str(tmp_path / "slice.yaml"))
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"{tmp_path / 'slice.yaml'}, line 3: duplicate key `N` (first given on line 1)" in out
    assert len(out.splitlines()) < 20, out


def test_local_run_larger_than_the_machine_is_refused_before_any_job(tmp_path):
    """N = 20000 plans about 48 GB per job: a local run stops before its first job and says why; a dry run prints
    the plan and the planned core-hours once."""
    from rnnchaos.resources import machine_memory_bytes

    if machine_memory_bytes() > 48e9:
        pytest.skip("this machine has more memory than the planned job")
    config = {**TINY, "N": [20000], "lyapunov": {**TINY["lyapunov"], "k": "all"}, "figures": [],
              "trained": {"enabled": False}}
    dry = snakemake(tmp_path, "-n", config=config)
    assert dry.returncode == 0, dry.stderr[-3000:]
    out = dry.stdout + dry.stderr
    assert out.count("core-hours in total") == 1 and "needs 48.5 GB (fixed_points, N = 20000)" in out
    run = snakemake(tmp_path, config=config)
    assert run.returncode != 0
    assert "(fixed_points, N = 20000) plans 48.5 GB of memory, more than this machine's" in run.stderr
    assert not (tmp_path / "results").exists()


def test_lint_is_clean(tmp_path):
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    run = snakemake(tmp_path, "--lint")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Congratulations" in run.stdout + run.stderr, run.stdout[-3000:]


def _dry_run_jobs(output: str) -> dict[str, dict]:
    """The jobs of a dry run as {output path: {"rule", "resources" (dict), "grouped"}}; a job of a group job is
    printed indented under the group's header."""
    jobs = {}
    for block in re.split(r"\n\s*\n", output):
        rule, out, res = (re.search(rf"^(\s*){key}(.+)$", block, re.M) for key in ("rule ", "output: ", "resources: "))
        if rule and out and res:
            resources = dict(item.split("=", 1) for item in res[2].split(", ") if "=" in item)
            jobs[out[2].strip()] = {"rule": rule[2].strip(":"), "resources": resources, "grouped": bool(rule[1])}
    return jobs


def test_gpu_backend_requests_a_gpu_in_the_slurm_profile(tmp_path):
    """lyapunov.backend auto: jobs with N >= gpu_from_N get gpu=1 (sbatch --gpus=1) and no bundle, others gpu=0."""
    plugin = pytest.importorskip("snakemake_executor_plugin_slurm.utils", reason="needs the SLURM executor plugin")
    config = {**TINY, "N": [12, 20], "lyapunov": {**TINY["lyapunov"], "backend": "auto", "gpu_from_N": 20}}
    point = "results/{}/rate/g~2/sigma_b~0/sigma_xi~0/N~{}/seed~0.nc"
    targets = [point.format("lyapunov", 12), point.format("lyapunov", 20), point.format("lyapunov_full", 20)]
    run = snakemake(tmp_path, "-n", "--workflow-profile", str(ROOT / "profiles/slurm"), *targets, config=config)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    jobs = _dry_run_jobs(run.stdout + run.stderr)
    assert jobs[targets[0]]["resources"]["gpu"] == "0" and jobs[targets[0]]["grouped"]
    for target in targets[1:]:
        assert jobs[target]["resources"]["gpu"] == "1" and not jobs[target]["grouped"], jobs[target]

    class Job:  # what the plugin reads of a job: its resources, by key and by attribute
        def __init__(self, gpu):
            self.resources = type("Resources", (dict,), {"__getattr__": dict.get})(gpu=gpu)

    assert plugin.set_gres_string(Job(1)).strip() == "--gpus=1" and plugin.set_gres_string(Job(0)) == ""

    default = snakemake(tmp_path, "-n", "--workflow-profile", str(ROOT / "profiles/slurm"), *targets, config=TINY)
    assert {job["resources"]["gpu"] for job in _dry_run_jobs(default.stdout + default.stderr).values()
            if "gpu" in job["resources"]} == {"0"}


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy installed")
def test_gpu_backend_without_cupy_fails_the_job_and_says_why(tmp_path):
    config = {**TINY, "N": [12], "lyapunov": {**TINY["lyapunov"], "backend": "cupy"}}
    target = "results/lyapunov/rate/g~2/sigma_b~0/sigma_xi~0/N~12/seed~0.nc"
    run = snakemake(tmp_path, target, config=config)
    assert run.returncode != 0
    assert "backend='cupy' was requested but CuPy is not installed" in run.stdout + run.stderr
    log = (tmp_path / "results/logs/lyapunov/rate/g~2/sigma_b~0/sigma_xi~0/N~12/seed~0.log").read_text()
    assert "job failed after" in log and "Traceback (most recent call last)" in log and "CuPy is not installed" in log
    assert not (tmp_path / target).exists()


def test_killed_run_resumes_to_identical_results(workdir, tmp_path):
    """SIGKILL the whole Snakemake process group mid-run, rerun, and compare with the uninterrupted run."""
    import os
    import signal
    import time

    (tmp_path / "config.yaml").write_text(yaml.safe_dump(TINY))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path),
           "--configfile", str(tmp_path / "config.yaml"), "--cores", "2", "--workflow-profile", "none"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((tmp_path / "results").rglob("*.nc"))) < 6:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "results/summary/rate.nc").exists(), "run finished before it could be killed"
    for path in (tmp_path / "results").rglob("*.nc"):
        if not path.name.endswith(".tmp.nc"):
            io.read_dataset(path)  # whatever has its final name is complete
    assert subprocess.run([*cmd, "--unlock"], capture_output=True).returncode == 0
    rerun = subprocess.run([*cmd, "--rerun-incomplete"], capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert not list((tmp_path / "results").rglob("*.tmp.nc"))
    for path in (workdir / "results").rglob("*.nc"):
        a, b = io.read_dataset(path), io.read_dataset(tmp_path / path.relative_to(workdir))
        for var in io.reproducible_variables(a):
            assert np.array_equal(a[var].values, b[var].values, equal_nan=a[var].dtype.kind == "f"), (path, var)


#: A finite-size study in miniature: 3 sizes for simulate and lyapunov, fixed points only at the smallest.
FINITE = {**{k: TINY[k] for k in ("simulate", "dmft")}, "model": ["rate"], "g": [2.0], "sigma_b": [0.0],
          "N": [12, 16, 20], "seeds": 2,
          "lyapunov": {**TINY["lyapunov"], "k": 3}, "fixed_points": {"n_init": 8, "N": [12], "seeds": 1},
          "figures": ["phase_diagram", "lambda_max_vs_g", "finite_size"]}


def test_per_stage_sizes_and_the_finite_size_stage(tmp_path):
    """fixed_points.N a strict subset: no fixed-point job at the excluded sizes, which the summary marks
    not_computed; the finite_size stage writes the extrapolation, and its figure is drawn."""
    dry = snakemake(tmp_path, "-n", config=FINITE)
    counts = job_counts(dry.stdout + dry.stderr)
    assert counts["fixed_points"] == 1 and counts["simulate"] == 6 and counts["lyapunov"] == 6, counts
    assert counts["finite_size"] == 1, counts
    run = snakemake(tmp_path)
    assert run.returncode == 0, run.stderr[-4000:]
    r = tmp_path / "results"
    assert sorted(p.parent.name for p in r.glob("fixed_points/rate/*/*/*/*/*.nc")) == ["N~12"]
    s = io.read_dataset(r / "summary/rate.nc", stage="summary")
    assert (s["fp_status"].sel(N=[16, 20]) == -1).all() and (s["fp_status"].sel(N=12, seed=1) == -1).all()
    assert (s["lyap_status"] == 0).all() and np.isnan(s["fp_n_fixed_points"].sel(N=20)).all()
    fs = io.read_dataset(r / "finite_size/rate/g~2/sigma_b~0/sigma_xi~0.nc", stage="finite_size")
    for o in ("lambda_max", "delta0", "delta_inf"):
        assert {f"{o}_inf", f"{o}_inf_sem", f"{o}_dmft", f"{o}_z", f"{o}_status"} <= set(fs.data_vars)
    assert fs.N.values.tolist() == [12, 16, 20] and np.isfinite(fs["lambda_max_dmft"].item())
    for name in FINITE["figures"]:
        assert (r / f"figures/{name}_rate.png").stat().st_size > 1000
    assert "z = " in (r / "figures/finite_size_rate.agreement.rst").read_text()


def test_other_nonlinearity_runs_into_its_own_tree(tmp_path):
    """nonlinearity: erf puts every result but the shared disorder under results/phi~erf/ (the dry run plans nothing
    under the tanh tree), and the per-point stages run with it and record it."""
    config = {**TINY, "nonlinearity": "erf", "trained": {**TINY["trained"], "enabled": False}}
    dry = snakemake(tmp_path, "-n", config=config)
    assert dry.returncode == 0, dry.stderr[-3000:]
    planned = set(_dry_run_jobs(dry.stdout + dry.stderr))
    assert planned and all(p.startswith(("results/phi~erf/", "results/network/")) for p in planned), planned
    targets = [f"results/phi~erf/{stage}/{model}/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0.nc"
               for stage in ("lyapunov", "fixed_points") for model in ("rate", "map")]
    run = snakemake(tmp_path, *targets)
    assert run.returncode == 0, run.stderr[-4000:]
    assert (tmp_path / "results/network/N~20/seed~0.nc").exists()
    for path in [*targets, "results/phi~erf/simulate/rate/g~2/sigma_b~0/sigma_xi~0/N~20/seed~0.nc"]:
        ds = io.read_dataset(tmp_path / path)
        assert ds.attrs["nonlinearity"] == "erf" and int(io.point_values(ds, "status")) == 0, path
        assert json.loads(ds.attrs["parameters"])["nonlinearity"] == "erf"
