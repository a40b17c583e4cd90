"""Cluster execution: the tiny pipeline through a real single-node SLURM with profiles/slurm, and BLAS threads.

The SLURM tests (marker ``slurm``, deselected by default; run ``.venv/bin/pytest -m slurm tests/cluster`` as root
with ``pip install -e '.[test,slurm]'``) start slurmctld, slurmd and munged bound to localhost with
``shared/tools/local_slurm.sh`` (beside the repository; it apt-installs slurm-wlm and munge on first use) and stop
them afterwards (unless they were already running). They skip, saying why, without that script, without root,
without the plugin, or when the packages cannot be installed. That cluster keeps no accounting, so ``sacct``
cannot answer: the runs pass ``--slurm-status-command squeue``, and the jobs' fate is read from SLURM's
job-completion log (``JobCompLoc``) instead.
"""

import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import xarray as xr
import yaml

from rnnchaos import io

from ..conftest import ROOT
from ..e2e.test_pipeline import TINY, job_counts
from ..e2e.test_pipeline import snakemake as run_locally

LOCAL_SLURM = ROOT.parent / "shared" / "tools" / "local_slurm.sh"
PROFILE = ROOT / "profiles" / "slurm"
#: the groups of workflow/rules (resources.smk) and their rules; at the tiny config every job of these is short
GROUPS = {"theory": {"dmft", "kac_rice"}, "simulate": {"simulate"}, "fixed_points": {"fixed_points"},
          "lyapunov": {"lyapunov", "lyapunov_full", "lyapunov_t_ons"}}
#: both runs stop before the figures (drawn from the compared summaries; they would add minutes on 2 cores)
NO_FIGURES = ["--omit-from", "figure"]
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (\S+)\)")

ENV_SCRIPT = """\
import os
with open(snakemake.output[0], "w") as f:
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "SLURM_JOB_ID", "SLURM_CPUS_PER_TASK"):
        f.write(f"{k}={os.environ.get(k, '')}\\n")
"""


def env_workflow(path, threads: int):
    """A workflow of two script jobs (1 and `threads` threads) that record their environment."""
    (path / "env.py").write_text(ENV_SCRIPT)
    (path / "Snakefile").write_text(textwrap.dedent(f"""\
        rule all:
            input: "one.txt", "many.txt"
        rule one:
            output: "one.txt"
            threads: 1
            resources: mem_mb=500, runtime=5
            script: "env.py"
        rule many:
            output: "many.txt"
            threads: {threads}
            resources: mem_mb=500, runtime=5
            script: "env.py"
        """))


def recorded_env(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_snakemake_pins_blas_threads_to_threads(tmp_path):
    """Snakemake 9 sets OMP/OPENBLAS/MKL_NUM_THREADS of script jobs to their `threads`, whatever the caller set."""
    env_workflow(tmp_path, 2)
    run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(tmp_path),
                          "--snakefile", str(tmp_path / "Snakefile")], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "OMP_NUM_THREADS": "7", "OPENBLAS_NUM_THREADS": "7"})
    assert run.returncode == 0, run.stderr[-3000:]
    for name, n in (("one", "1"), ("many", "2")):
        env = recorded_env(tmp_path / f"{name}.txt")
        assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["MKL_NUM_THREADS"] == n, env


def _skip_reason() -> str | None:
    if not LOCAL_SLURM.is_file():
        return f"{LOCAL_SLURM} not found (shared/tools/ must lie beside the repository)"
    if os.geteuid() != 0:
        return "local_slurm.sh starts munged, slurmctld and slurmd and must run as root"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install -e '.[slurm]')"
    return None


@pytest.fixture(scope="module")
def slurm_env(request):
    """The environment of a running local SLURM (SLURM_CONF set); started here and stopped at the end."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    # local_slurm.sh gives its node `nproc` CPUs, and nproc obeys OMP_NUM_THREADS (tests/conftest.py sets it to 1)
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT")}
    status = subprocess.run(["bash", str(LOCAL_SLURM), "status"], capture_output=True, text=True, timeout=60, env=env)
    if "slurmctld: running" not in status.stdout:  # stop only what this test started
        request.addfinalizer(lambda: subprocess.run(["bash", str(LOCAL_SLURM), "stop"], timeout=120, env=env))
    installed = shutil.which("slurmctld") is not None
    start = subprocess.run(["bash", str(LOCAL_SLURM), "start"], capture_output=True, text=True, timeout=900, env=env)
    if start.returncode != 0 and not installed and shutil.which("slurmctld") is None:
        pytest.skip(f"slurm-wlm/munge could not be installed (apt-get; no network?):\n{start.stderr[-1500:]}")
    assert start.returncode == 0, f"local_slurm.sh start failed:\n{start.stderr[-3000:]}"
    conf = subprocess.run(["bash", str(LOCAL_SLURM), "env"], capture_output=True, text=True, check=True)
    return {**os.environ, "SLURM_CONF": conf.stdout.strip().split("=", 1)[1]}


def node_cpus(env) -> int:
    """CPUs of the local cluster's one node (no job, and so no bundle, can ask for more)."""
    sinfo = subprocess.run(["sinfo", "-h", "-o", "%c"], capture_output=True, text=True, env=env, check=True)
    return int(sinfo.stdout.split()[0])


def slurm_flags(env, jobs: int = 20) -> list[str]:
    """What the local cluster needs on top of profiles/slurm: squeue for status (no accounting), no account, jobs
    no wider than its node, and a short first status check (the plugin waits 40 s by default)."""
    return ["--jobs", str(jobs), "--cores", str(node_cpus(env)), "--slurm-status-command", "squeue",
            "--slurm-no-account", "--slurm-init-seconds-before-status-checks", "3"]


def completed_jobs(env) -> dict[str, str]:
    """{SLURM job id: final state} from the job-completion log of the local cluster."""
    config = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, env=env, check=True)
    path = re.search(r"^JobCompLoc\s*=\s*(\S+)", config.stdout, re.M)[1]
    text = open(path).read()
    return dict(re.findall(r"JobId=(\d+) .*?JobState=(\w+)", text))


@pytest.fixture(scope="module")
def runs(slurm_env, tmp_path_factory):
    """The tiny config (up to the figures) run locally and through SLURM; returns (local dir, cluster dir, cluster
    output)."""
    local = tmp_path_factory.mktemp("local")
    run = run_locally(local, *NO_FIGURES, config=TINY)
    assert run.returncode == 0, run.stderr[-4000:]
    cluster = tmp_path_factory.mktemp("cluster")
    (cluster / "config.yaml").write_text(yaml.safe_dump(TINY))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(cluster),
           "--configfile", str(cluster / "config.yaml"), "--workflow-profile", str(PROFILE),
           *slurm_flags(slurm_env), *NO_FIGURES]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, env=slurm_env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    return local, cluster, run.stdout + run.stderr


@pytest.mark.slurm
def test_every_job_went_through_sbatch_and_small_jobs_were_bundled(runs, slurm_env):
    _, _, output = runs
    counts = job_counts(output)  # {rule: jobs} of the run
    submitted = dict(SUBMITTED.findall(output))  # {SLURM job id: its log, slurm_logs/<rule_x or group_y_...>/}
    assert submitted, output[-3000:]
    done = completed_jobs(slurm_env)
    assert all(done.get(i) == "COMPLETED" for i in submitted), {i: done.get(i) for i in submitted}
    dirs = [log.split("slurm_logs/")[1].split("/")[0] for log in submitted.values()]
    grouped = set().union(*GROUPS.values())
    alone = {rule: n for rule, n in counts.items() if rule not in grouped and rule != "all"}
    assert {r: dirs.count(f"rule_{r}") for r in counts if f"rule_{r}" in dirs} == alone, dirs
    components = dict(c.split("=") for c in yaml.safe_load((PROFILE / "config.yaml").read_text())["group-components"])
    for group, rules in GROUPS.items():
        jobs = sum(counts.get(r, 0) for r in rules)
        bundles = sum(d.startswith(f"group_{group}_") for d in dirs)
        assert bundles == math.ceil(jobs / int(components[group])), (group, jobs, dirs)


@pytest.mark.slurm
def test_cluster_results_equal_local_results_bit_for_bit(runs):
    local, cluster, _ = runs
    files = sorted(p.relative_to(local) for p in (local / "results").rglob("*.nc"))
    assert files == sorted(p.relative_to(cluster) for p in (cluster / "results").rglob("*.nc"))
    assert len(files) >= 20
    for rel in files:
        a, b = xr.load_dataset(local / rel), xr.load_dataset(cluster / rel)
        names = io.reproducible_variables(a)  # all but timings (units "s")
        assert names == io.reproducible_variables(b) and set(a.coords) == set(b.coords), rel
        for name in [*names, *a.coords]:
            x, y = a[name].values, b[name].values
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), f"{rel}: {name}"


@pytest.mark.slurm
def test_blas_threads_follow_threads_inside_slurm_jobs(slurm_env, tmp_path):
    threads = min(2, node_cpus(slurm_env))
    env_workflow(tmp_path, threads)
    run = subprocess.run([sys.executable, "-m", "snakemake", "--executor", "slurm", "--directory", str(tmp_path),
                          "--snakefile", str(tmp_path / "Snakefile"), *slurm_flags(slurm_env, jobs=2)],
                         capture_output=True, text=True, timeout=600, env={**slurm_env, "OMP_NUM_THREADS": "7"})
    assert run.returncode == 0, run.stderr[-3000:]
    for name, n in (("one", 1), ("many", threads)):
        env = recorded_env(tmp_path / f"{name}.txt")
        assert env["SLURM_JOB_ID"], env  # it ran inside a SLURM allocation
        assert env["SLURM_CPUS_PER_TASK"] == str(n), env
        assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["MKL_NUM_THREADS"] == str(n), env
