"""Cost of every N-dependent stage against N, measured in one run, and the core-hours of a paper-scale grid.

Each (stage, model, N) runs in a fresh process with BLAS pinned to one thread (as a Snakemake job with
``threads: 1``), at the stage settings of ``config.yaml``, on a network with g = 2, sigma_b = 0.5 (chaotic,
many fixed points: the expensive side of the grid). Reported per job: CPU seconds at the full settings, and the
peak resident memory of the process (``getrusage``: interpreter, numpy, scipy, xarray and the stage's arrays).

Long stages are run short and extrapolated, linear in the work:

* ``lyapunov``: two runs with 2 and 8 QR intervals of ``t_sim`` give the cost per interval; the full cost adds
  ``(t_transient_tangent + t_sim) / t_ons`` intervals and ``t_transient`` state-only steps (priced at the
  measured ``simulate`` step).
* ``fixed_points``: ``--n-init`` solves (default 16) scaled to the configured ``n_init``; the peak memory is then
  that of a batch of ``--n-init`` Jacobians (a full run stacks up to 4e6 / N^2 of them, about 32 MB, more).
* ``network`` and ``simulate`` run at full settings.

A power law ``cost = a N^p`` is fitted (log-log least squares over the largest three sizes, where Python overhead
no longer dominates), and the grid's core-hours are ``sum over stages and N of jobs x a N^p`` (for N beyond the
measured sizes: an extrapolation). DMFT and Kac-Rice jobs do not depend on N and are not included.

Usage: ``python benchmarks/scaling.py [--sizes 100 200 400 800 1600] [--n-init 16] [--quick]``.
Times depend on the CPU, the BLAS and other load on the machine (CPU time, not wall time, is reported so that
other processes on a shared machine distort it less): compare numbers from one run only.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy is imported
    os.environ[_var] = "1"

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
G, SIGMA_B, SEED = 2.0, 0.5, 0
#: the paper-scale grid whose cost is tabulated: per N, len(g) x len(sigma_b) x seeds x models jobs per stage
GRID = {"g": 20, "sigma_b": 10, "seeds": 5, "models": ("rate", "map"), "N": (500, 1000, 2000)}
STAGES = [("network", "-", None), ("simulate", "rate", None), ("simulate", "map", None),
          ("lyapunov", "rate", 50), ("lyapunov", "map", 50), ("lyapunov", "rate", "N"), ("lyapunov", "map", "N"),
          ("fixed_points", "rate", None)]


def _settings() -> dict:
    import rnnchaos.config  # noqa: F401  (the package is importable: fail early otherwise)

    return yaml.safe_load((ROOT / "config.yaml").read_text())


def _job(stage: str, model: str, N: int, k, n_init: int, per_step: float | None, queue) -> None:
    """One measurement in a fresh process; puts (cpu seconds at full settings, wall seconds, peak RSS MB)."""
    from rnnchaos import fixed_points, io, lyapunov, network, simulate
    from rnnchaos.status import NumericalFailure

    cfg = _settings()
    disorder = network.draw_disorder(N, SEED)
    J, theta = disorder.couplings(G), disorder.biases(SIGMA_B)
    rng = network.rng_for(N, SEED, stage)
    note = ""
    w0, c0 = time.perf_counter(), time.process_time()
    if stage == "network":
        with tempfile.TemporaryDirectory() as tmp:
            io.write_network(network.draw_disorder(N, SEED + 1), Path(tmp) / "net.nc")
        cpu = time.process_time() - c0
    elif stage == "simulate":
        sim = simulate.simulate(model, J, theta, rng=rng, **cfg["simulate"])
        cpu = time.process_time() - c0
        h = cfg["simulate"]["dt"] if model == "rate" else 1.0
        per_step = cpu / (sim.n_steps + cfg["simulate"]["t_transient"] / h)
    elif stage == "lyapunov":
        s = dict(cfg["lyapunov"], k=N if k == "N" else min(k, N), n_batches=2)
        h = s["dt"] if model == "rate" else 1.0
        cpus = []
        for intervals in (2, 8):
            c = time.process_time()
            lyapunov.lyapunov_spectrum(model, J, theta, rng=rng, **{**s, "t_transient": s["t_ons"],
                                                                    "t_transient_tangent": s["t_ons"],
                                                                    "t_sim": intervals * s["t_ons"]})
            cpus.append(time.process_time() - c)
        per_interval = max(cpus[1] - cpus[0], 0.0) / 6
        full = cfg["lyapunov"]
        n_int = (full["t_transient_tangent"] + full["t_sim"]) / full["t_ons"]
        transient_steps = (full["t_transient"] - s["t_ons"]) / h
        cpu = cpus[0] + per_interval * (n_int - 3) + per_step * transient_steps
    else:  # fixed_points, started (like the pipeline) from states of a short simulation
        sim = simulate.simulate(model, J, theta, rng=rng, t_transient=100, t_sim=16, tau_max=1, n_blocks=2,
                                n_snapshots=8)
        c = time.process_time()
        try:
            fixed_points.network_fixed_points(model, J, theta, rng=rng, init_states=sim.snapshots,
                                              **{**cfg["fixed_points"], "n_init": n_init})
        except NumericalFailure:  # no solve converged: the job still spends the time (status "stalled")
            note = "stalled"
        cpu = (time.process_time() - c) * cfg["fixed_points"]["n_init"] / n_init
    queue.put({"cpu": cpu, "wall": time.perf_counter() - w0, "per_step": per_step, "note": note,
               "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def measure(stage: str, model: str, N: int, k, n_init: int, per_step: float | None) -> dict:
    """Run one measurement in a spawned process (clean peak memory, BLAS pinned through the environment)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_job, args=(stage, model, N, k, n_init, per_step, queue))
    p.start()
    while p.is_alive() and queue.empty():
        p.join(timeout=0.2)
    if queue.empty():
        raise RuntimeError(f"{stage} {model} N={N} failed (exit code {p.exitcode})")
    out = queue.get()
    p.join()
    return out


def fit(Ns, costs) -> tuple[float, float]:
    """``cost = a N^p`` by least squares in log-log over the largest three sizes; returns (a, p)."""
    x, y = np.log(np.asarray(Ns[-3:], float)), np.log(np.asarray(costs[-3:], float))
    p, log_a = np.polyfit(x, y, 1)
    return float(np.exp(log_a)), float(p)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400, 800, 1600], help="network sizes N")
    ap.add_argument("--n-init", type=int, default=16, help="fixed-point solves actually run (scaled to config)")
    ap.add_argument("--quick", action="store_true", help="N = 50, 100, 150 only (a check that it runs)")
    a = ap.parse_args(argv)
    sizes = [50, 100, 150] if a.quick else sorted(a.sizes)
    cfg = _settings()
    t_start = time.perf_counter()
    print(f"config.yaml settings; g = {G}, sigma_b = {SIGMA_B}; 1 BLAS thread; fixed_points n_init "
          f"{a.n_init} -> {cfg['fixed_points']['n_init']}; lyapunov k = {cfg['lyapunov']['k']} and k = N")
    print(f"{'stage':<14}{'model':<6}{'k':>5}{'N':>6}{'cpu s (full)':>14}{'wall s (run)':>14}{'peak RSS MB':>13}")
    rows: dict[tuple, list] = {}
    for N in sizes:
        per_step = {}
        for stage, model, k in STAGES:
            r = measure(stage, model, N, k, a.n_init, per_step.get(model) if stage == "lyapunov" else None)
            if stage == "simulate":
                per_step[model] = r["per_step"]
            rows.setdefault((stage, model, k), []).append(r)
            kk = "-" if k is None else (N if k == "N" else min(k, N))
            line = f"{stage:<14}{model:<6}{kk:>5}{N:>6}{r['cpu']:14.3f}{r['wall']:14.2f}{r['rss_mb']:13.0f}"
            print(f"{line}  {r['note']}".rstrip(), flush=True)

    print("\nfit cost = a N^p (CPU s per job; largest three sizes), peak memory at the largest N, and the grid")
    n_jobs = GRID["g"] * GRID["sigma_b"] * GRID["seeds"]
    hdr = "".join(f"{'N=' + str(n) + ' s/job':>15}" for n in GRID["N"])
    print(f"{'stage':<14}{'model':<6}{'k':>5}{'p':>6}{'a':>11}{'MB@' + str(sizes[-1]):>9}{hdr}{'core-h':>10}")
    totals = {"k=50": 0.0, "k=N": 0.0}
    for (stage, model, k), rs in rows.items():
        a_, p = fit(sizes, [r["cpu"] for r in rs])
        per_job = [a_ * n**p for n in GRID["N"]]
        jobs = GRID["seeds"] if stage == "network" else n_jobs
        core_h = sum(jobs * t for t in per_job) / 3600
        if stage == "fixed_points":  # one model measured; the map's equation x = J phi(x) + theta is the same
            core_h *= len(GRID["models"])
        for key in totals:
            if stage != "lyapunov" or key == f"k={k}":
                totals[key] += core_h
        cols = "".join(f"{t:15.1f}" for t in per_job)
        print(f"{stage:<14}{model:<6}{str(k or '-'):>5}{p:6.2f}{a_:11.3g}{rs[-1]['rss_mb']:9.0f}{cols}{core_h:10.0f}")
    print(f"\ngrid: g {GRID['g']} x sigma_b {GRID['sigma_b']} x seeds {GRID['seeds']} x models "
          f"{len(GRID['models'])} x N {list(GRID['N'])} = {n_jobs * len(GRID['models']) * len(GRID['N'])} jobs per "
          f"stage; fixed_points counted for both models")
    print(f"total core-hours: {totals['k=50']:.0f} with lyapunov k = 50, {totals['k=N']:.0f} with k = N (all)")
    print(f"benchmark wall time: {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
