"""Shared fixtures: small random networks and paths to the repository."""

import os

# One BLAS thread per test process: the suite's matrices are small, and OpenBLAS threading on batched small
# solves is slower than serial by an order of magnitude on a shared 2-core machine (results are unaffected).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnchaos import network  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def snakemake_section(workdir, key: str, section, *args, timeout: float = 600):
    """Snakemake in ``workdir`` on the repository's config.yaml plus a file holding only the config section ``key``
    (``section``: its settings), with ``args`` (targets, flags); the completed process, output captured."""
    import shutil
    import subprocess
    import sys

    import yaml

    shutil.copy(ROOT / "config.yaml", workdir / "config.yaml")
    (workdir / "section.yaml").write_text(yaml.safe_dump({key: section}))
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
           "--configfile", str(workdir / "config.yaml"), str(workdir / "section.yaml"), "--cores", "2",
           "--workflow-profile", "none", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def small_net():
    """A fixed N = 60 network (disorder only; scale with .couplings(g), .biases(sigma_b))."""
    return network.draw_disorder(60, 3)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
