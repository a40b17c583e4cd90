"""Throughput of the Lyapunov-spectrum kernel against a plain matmul roofline, measured in one run.

For each ``N``, ``k`` and dtype it times one QR interval (``QRSchedule.step``: ``m`` Euler steps of the rate
network plus one Householder QR and the spread check; ``m`` chosen by the adaptive ``t_ons="auto"`` schedule, the
default, after it has settled from one step, or ``m = t_ons / dt``) on a chaotic network (g = 2) and a plain
``numpy.matmul`` of an ``N x N`` by an ``N x k`` matrix in the same dtype, and prints

* ``ratio``: achieved FLOP/s of the loop / FLOP/s of the matmul, with the loop's useful work counted as
  ``2 N^2 k`` per step plus ``4 N k^2 - 4 k^3 / 3`` per QR (geqrf + orgqr); elementwise work, the state update
  and the sign fix are overhead;
* ``f32 speedup``: time per step in float64 / time per step in float32 (same N, k; the adaptive intervals differ
  by dtype, each interval's QR spread over its steps);
* ``ceiling``: the ratio the loop would reach if its products ran at exactly the matmul's speed and its only other
  work were the workspace's QR (timed alone) and one pass of ``phi'(x) * Q`` per step (timed alone; the least
  elementwise work any Euler tangent step needs, as ``phi'(x)`` changes every step). Where ``ceiling`` is below a
  target ratio, no tuning of the step reaches it with this QR on this machine.

With ``--memory-speed 4000,8000,16000`` it prints instead, for k = 1 and 4 (``--memory-k``) and float64 and
float32 couplings (``coupling_dtype``, with the frame in the same precision), the small-k table of memory speed:
time per step (intervals of 20 steps plus their QR; the step streams J once), the time of one plain product
``J @ [x | Q]`` (``numpy.matmul`` of the workspace's own J, C order, by an ``N x (k + 1)`` matrix) and of one
matrix-vector product ``J @ v`` (one read of J: the memory bound), and

* ``product/step``: time of one ``J @ [x | Q]`` / time per step (1: the step costs one plain product; target 0.8);
* ``read/step``: time of one read of J / time per step (1: the step runs at memory speed);
* the arrays the workspace allocated beyond the caller's float64 J (tracemalloc peak while it is built and runs
  one interval, in units of that J: 0 for float64, 0.5 for float32 couplings) and the process's peak resident
  memory at the end.

Usage: ``python benchmarks/lyapunov.py [--quick | --sizes 250x250,250x100] [--t-ons auto|1.0] [--dt 0.1] [--repeat 6]
[--chunk 0.1] [--clock wall|cpu] [--memory-speed 4000,8000,16000 [--memory-k 1,4]]``.
Results depend on the BLAS, the core count and other load on the machine: compare numbers from one run only.
On a machine shared with other jobs, multi-threaded BLAS timings of small operations are unreliable (threads
wait for descheduled partners); ``OPENBLAS_NUM_THREADS=1 python benchmarks/lyapunov.py --clock cpu`` measures
process CPU time on one core, which other jobs do not inflate.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import numpy as np

from rnnchaos.lyapunov import make_workspace
from rnnchaos.lyapunov_blas import GEQRT_MAX_K
from rnnchaos.lyapunov_schedule import QRSchedule
from rnnchaos.models import RateModel


def bench(N: int, k: int, dtype: str, *, dt: float, t_ons: float | str, repeat: int, rng, clock=time.perf_counter,
          chunk: float = 0.1) -> dict:
    """Time the loop and the matmul alternately in chunks of about ``chunk`` seconds, keeping the best of ``repeat``.

    Chunks are sized from one timed call of each, so both run warm for the same time (a chunk of one short call
    measures the cold start after the pause, not the throughput of a long run). The loop's products go through
    scipy's OpenBLAS (float32 with one BLAS thread: numpy's), the reference matmul through numpy's: two thread
    pools whose idle threads spin for ~0.1 s after use, so the chunks are separated by pauses.
    """
    J = rng.standard_normal((N, N)) * (2.0 / np.sqrt(N))
    theta = np.zeros(N)
    x = rng.standard_normal(N)
    Q = np.linalg.qr(rng.standard_normal((N, k)))[0]
    ws = make_workspace(RateModel(J, theta, dt=dt), x, Q, dtype=dtype)
    sched = QRSchedule(None if t_ons == "auto" else int(round(t_ons / dt)), dtype=dtype, t_ons_text=str(t_ons))
    while sched.auto and sched.steps < 150:  # the adaptive interval grows from one step by doubling: let it settle
        sched.step(ws)
    f = np.dtype(dtype)
    A = np.asarray(J, dtype=f)
    B = np.asarray(rng.standard_normal((N, k)), dtype=f)
    C = np.empty((N, k), dtype=f)
    flops_step, flops_qr = 2.0 * N * N * k, 4.0 * N * k * k - 4.0 * k**3 / 3.0

    def loop():
        sched.step(ws)

    def matmul():
        np.matmul(A, B, out=C)

    d = np.asarray(rng.random((N, 1)), dtype=f)
    Qs = ws.Q.copy(order="F")

    def qr():
        ws.reorthonormalize()  # the frame stays orthonormal: repeated QRs leave the loop's state valid

    def scale():
        np.multiply(d, ws.Q, out=Qs)

    sizes = {}
    for fn in (loop, matmul, qr, scale):  # warm-up (allocations, LAPACK workspace, caches) and chunk size
        fn()
        t0 = time.perf_counter()
        fn()
        sizes[fn] = max(1, int(chunk / max(time.perf_counter() - t0, 1e-9)))
    best = dict.fromkeys(sizes, np.inf)
    sched.reset()
    for _ in range(repeat):
        for fn in sizes:
            time.sleep(0.3)  # let the other BLAS thread pool (numpy's vs scipy's OpenBLAS) stop spinning (~0.1 s)
            steps0 = sched.steps
            t0 = clock()
            for _ in range(sizes[fn]):
                fn()
            t = clock() - t0
            if fn is loop:  # time per step of the loop (auto intervals vary a little), as a time per mean interval
                best[fn] = min(best[fn], t / (sched.steps - steps0))
            else:
                best[fn] = min(best[fn], t / sizes[fn])
    m = sched.steps / sched.n_qr  # mean steps per QR over the timed intervals
    best[loop] *= m
    t_loop, t_mm = best[loop], best[matmul]
    gf_loop = (m * flops_step + flops_qr) / t_loop / 1e9
    gf_mm = flops_step / t_mm / 1e9
    t_floor = m * (t_mm + best[scale]) + best[qr]
    return {"N": N, "k": k, "dtype": dtype, "m": m, "spread": sched.spread_max, "t_int": t_loop, "gf_loop": gf_loop,
            "gf_mm": gf_mm,
            "ratio": gf_loop / gf_mm, "ceiling": t_mm * m / t_floor * (1.0 + flops_qr / (m * flops_step))}


def memory_speed(N: int, k: int, coupling: str, *, dt: float, repeat: int, rng, clock=time.perf_counter,
                 m: int = 20) -> dict:
    """Small k at memory speed: best time per step over ``repeat`` intervals of ``m`` steps (plus their QR) of the
    rate network (g = 2, Euler), against one ``J @ [x | Q]`` and one ``J @ v`` on the workspace's own J."""
    J = rng.standard_normal((N, N))
    J *= 2.0 / np.sqrt(N)
    x, Q = rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    tracemalloc.start()
    try:
        ws = make_workspace(RateModel(J, np.zeros(N), dt=dt), x, Q, dtype=coupling, coupling_dtype=coupling)
        sched = QRSchedule(m, dtype=coupling, t_ons_text=f"{m * dt:g}")
        sched.step(ws)  # warm-up interval, inside the allocation count
        extra = tracemalloc.get_traced_memory()[1] / J.nbytes
    finally:
        tracemalloc.stop()
    A = getattr(ws, "J_product", None)
    A = np.ascontiguousarray(J, dtype=coupling) if A is None else A  # the J the steps multiply
    B = np.asarray(rng.standard_normal((N, k + 1)), dtype=A.dtype)
    C, v = np.empty_like(B), np.asarray(B[:, 0], dtype=A.dtype).copy()

    def best(fn, n=1):
        t = np.inf
        for _ in range(repeat):
            t0 = clock()
            fn()
            t = min(t, (clock() - t0) / n)
        return t

    t_step = best(lambda: sched.step(ws), m)
    t_prod = best(lambda: np.matmul(A, B, out=C))
    t_read = best(lambda: A @ v)
    return {"N": N, "k": k, "coupling": coupling, "t_step": t_step, "t_prod": t_prod, "t_read": t_read,
            "extra": extra, "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def print_memory_speed(sizes, ks, *, dt: float, repeat: int, rng, clock) -> None:
    """The small-k table (see the module docstring), one row per N, k and coupling precision."""
    print(f"small k at memory speed: rate network, g = 2, Euler dt = {dt}, intervals of 20 steps + QR; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'N':>6} {'k':>3} {'J dtype':>8} {'ms/step':>9} {'ms J@[x|Q]':>11} {'ms J@v':>8} {'product/step':>13} "
          f"{'read/step':>10} {'extra J':>8} {'peak RSS GB':>12}")
    for N in sizes:
        for k in ks:
            for coupling in ("float64", "float32"):
                r = memory_speed(N, k, coupling, dt=dt, repeat=repeat, rng=rng, clock=clock)
                print(f"{N:6d} {k:3d} {coupling:>8} {1e3 * r['t_step']:9.2f} {1e3 * r['t_prod']:11.2f} "
                      f"{1e3 * r['t_read']:8.2f} {r['t_prod'] / r['t_step']:13.2f} {r['t_read'] / r['t_step']:10.2f} "
                      f"{r['extra']:8.2f} {r['rss_gb']:12.2f}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (N in 100, 200; k = N and k = 50)")
    p.add_argument("--t-ons", default="auto",
                   help="time between QRs: auto (adaptive, the default) or a number of time units")
    p.add_argument("--dt", type=float, default=0.1, help="Euler step (default 0.1)")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                   help="wall time, or process CPU time (immune to other jobs; only with OPENBLAS_NUM_THREADS=1)")
    p.add_argument("--repeat", type=int, default=6, help="alternating timing chunks, best kept (default 6)")
    p.add_argument("--chunk", type=float, default=0.1, help="seconds per timing chunk (default 0.1)")
    p.add_argument("--sizes", help="comma-separated NxK pairs (default: N in 250, 500, 1000; k = N and k = 100)")
    p.add_argument("--memory-speed", help="comma-separated N (e.g. 4000,8000,16000): print the small-k table instead")
    p.add_argument("--memory-k", default="1,4", help="exponents of the small-k table (default 1,4)")
    a = p.parse_args(argv)
    a.t_ons = a.t_ons if a.t_ons == "auto" else float(a.t_ons)
    rng = np.random.default_rng(0)
    if a.clock == "cpu" and os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        p.error("--clock cpu counts every thread's time (spinning included): use it with OPENBLAS_NUM_THREADS=1")
    clock = time.process_time if a.clock == "cpu" else time.perf_counter
    if a.memory_speed:
        print_memory_speed([int(v) for v in a.memory_speed.split(",")], [int(v) for v in a.memory_k.split(",")],
                           dt=a.dt, repeat=a.repeat, rng=rng, clock=clock)
        return
    if a.sizes:
        sizes = [tuple(int(v) for v in pair.lower().split("x")) for pair in a.sizes.split(",")]
    elif a.quick:
        sizes = [(100, 100), (100, 50), (200, 200), (200, 50)]
    else:
        sizes = [(N, kk) for N in (250, 500, 1000) for kk in (N, 100)]
    every = "adaptive (t_ons auto)" if a.t_ons == "auto" else f"t_ons = {a.t_ons} ({int(round(a.t_ons / a.dt))} steps)"
    print(f"rate network, g = 2, Euler dt = {a.dt}, QR interval {every}; "
          f"QR: geqrt if k <= {GEQRT_MAX_K} and N >= 2k, else geqrf+orgqr; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; {a.clock} clock; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'N':>5} {'k':>5} {'dtype':>8} {'steps/QR':>9} {'spread':>7} {'ms/interval':>12} {'loop GF/s':>10} "
          f"{'matmul GF/s':>12} {'ratio':>6} {'f32 speedup':>12} {'ceiling':>8}")
    for N, k in sizes:
        t64 = None
        for dtype in ("float64", "float32"):
            r = bench(N, k, dtype, dt=a.dt, t_ons=a.t_ons, repeat=a.repeat, rng=rng, clock=clock, chunk=a.chunk)
            t64 = r["t_int"] / r["m"] if dtype == "float64" else t64  # per step: intervals differ by dtype
            sp = f"{t64 / (r['t_int'] / r['m']):12.2f}" if dtype == "float32" else f"{'':>12}"
            print(f"{N:5d} {k:5d} {dtype:>8} {r['m']:9.1f} {r['spread']:7.1f} {1e3 * r['t_int']:12.2f} "
                  f"{r['gf_loop']:10.1f} {r['gf_mm']:12.1f} "
                  f"{r['ratio']:6.2f} {sp} {r['ceiling']:8.2f}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f} (the machine's other jobs distort both timings)")


if __name__ == "__main__":
    main()
