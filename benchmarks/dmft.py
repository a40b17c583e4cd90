"""Cost of the mean-field theory on a dense (g, sigma_b) grid, against one float64 matmul timed in the same run.

Computes everything the pipeline asks of ``rnnchaos.dmft`` -- ``dmft_point`` for both models (``delta0``,
``delta_inf``, ``lambda_max``, ``g_c``, ``Delta(tau)``) -- on an ``n x n`` grid, ``g`` in [0.5, 3] and ``sigma_b``
in [0, 1.5] (default 100 x 100), with a reduced tau grid (``--n-tau 51`` points on [0, 50] instead of 501; the
cost of the tau grid is small next to the Delta0 solve and the Schrodinger problem). It prints

* ``wall``: seconds for the whole grid (``--workers`` processes; target: under 60 s with 2 workers on 2 cores);
* ``matmul``: best-of-5 seconds of one 1000 x 1000 @ 1000 x 1000 float64 product (``numpy.matmul``);
* ``ratio``: wall / matmul, the machine-independent figure to compare between runs;
* ``cpu``: CPU seconds summed over the workers (``time.process_time``), less sensitive to other load than ``wall``;
* per model: points, chaotic points, failed points (NumericalFailure), mean and max CPU ms per point.

Usage: ``python benchmarks/dmft.py [--n 100] [--workers 2] [--n-tau 51]``. Results depend on the BLAS, the core
count and other load on the machine: compare numbers from one run only.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from rnnchaos import dmft
from rnnchaos.status import NumericalFailure


def _row(args) -> list[tuple[str, float, bool, bool]]:
    """All points of one sigma_b row: (model, seconds, chaotic, failed)."""
    sigma_b, gs, n_tau = args
    out = []
    for model in ("rate", "map"):
        for g in gs:
            t0 = time.process_time()
            try:
                r = dmft.dmft_point(model, g, sigma_b, tau_max=50.0, n_tau=n_tau)
                chaotic, failed = r.chaotic, False
            except NumericalFailure:
                chaotic, failed = False, True
            out.append((model, time.process_time() - t0, chaotic, failed))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100, help="grid points per axis")
    p.add_argument("--workers", type=int, default=2, help="worker processes")
    p.add_argument("--n-tau", type=int, default=51, help="points of the tau grid of Delta(tau)")
    a = p.parse_args()
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((1000, 1000)), rng.standard_normal((1000, 1000))
    t_mm = min(_timed(lambda: A @ B) for _ in range(5))
    gs, sbs = np.linspace(0.5, 3.0, a.n), np.linspace(0.0, 1.5, a.n)
    jobs = [(sb, gs, a.n_tau) for sb in sbs]
    t0 = time.perf_counter()
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as ex:
            rows = list(ex.map(_row, jobs, chunksize=1))
    else:
        rows = [_row(j) for j in jobs]
    wall = time.perf_counter() - t0
    print(f"grid {a.n} x {a.n} (g in [0.5, 3], sigma_b in [0, 1.5]), n_tau = {a.n_tau}, workers = {a.workers}")
    print(f"wall   {wall:8.2f} s")
    print(f"matmul {t_mm * 1e3:8.2f} ms   (1000 x 1000 float64)")
    print(f"ratio  {wall / t_mm:8.0f}    wall / matmul")
    pts = [p for row in rows for p in row]
    print(f"cpu    {sum(p[1] for p in pts):8.2f} s   (summed over workers)")
    for model in ("rate", "map"):
        ts = np.array([t for m, t, _, _ in pts if m == model])
        n_ch = sum(c for m, _, c, _ in pts if m == model)
        n_fail = sum(f for m, _, _, f in pts if m == model)
        print(f"{model:5s}: {ts.size} points, {n_ch} chaotic, {n_fail} failed; "
              f"mean {ts.mean() * 1e3:.2f} ms, max {ts.max() * 1e3:.1f} ms CPU per point")


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
