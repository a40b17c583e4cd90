"""Benchmark: verified fixed points per CPU-second, Newton finder and homotopy paths vs Adam on q = |F|^2 / 2.

The baseline is the common practice of Sussillo & Barak style tools: minimise q(x) = |F(x)|^2 / 2 with Adam
(lr 1e-2 or 1e-3, 10^4 steps, batched over the initial states). Both methods start from the same Gaussian states
(variance = the Kac-Rice <x*^2>) of the same networks (sigma_b = 0). A point counts as verified if its own output
satisfies |F(x)|_inf < 1e-10 (no polish for the baseline); duplicates count once. The homotopy rows track
``path_solves`` corrector steps of one path (rnnchaos.homotopy) on the same network. Targets: >= 100x more verified
unique points per CPU-second than the baseline, and at N = 200, g = 2, >= 80 % of the capture-recapture estimate
found within 2 CPU-minutes. Single-threaded BLAS (set below) so that CPU-seconds compare like with like.

Measured 2026-11-25 (this 2-core machine): Adam verified no point in any case (median |F|_inf 1e-3..3e-2), so
every ratio is unbounded. Newton: 60 (N = 100, g = 1.5), 23 (g = 2), 0.22 (N = 500, g = 1.5) and 0 (N = 500,
g = 2: 0 of 32 converge, also with 150 iterations) points per CPU-s; one homotopy path of 30000 solves at N = 500:
1.22 (g = 1.5, 125 points) and 0.45 (g = 2, 46 points) per CPU-s.

N = 200, g = 2 (measured 2026-11-25, ``saturation(200, 2.0, 120.0, seed=s)``): three runs of the finder with
its defaults per network, each an independent stream, 95-101 CPU-s each. Network seed 0: 593, 559 and 545
points; between-run Chao2 656 +- 4 (pairwise Chapman 639-653, union 651), so 90, 85 and 83 % found. Network
seed 1: 307, 289, 301 of 334 +- 2 (92, 87, 90 %). The estimates are lower bounds under heterogeneous
catchability; an exploratory union of nine runs on network 0 (Newton with several deflation settings, and
homotopy paths only, whose catchability differs) held 667 points, against which the three runs found 82-89 %.
The benchmark's earlier mix (8 homotopy paths, 10 % of the budget for Newton) found 493-539 points in 2
minutes: paths re-find the same points, so at N = 200 Newton with deflation is the better use of the time.

    python benchmarks/fixed_points.py [--quick]
"""

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402

from rnnchaos import homotopy  # noqa: E402
from rnnchaos.fixed_point_result import ORIGINS  # noqa: E402
from rnnchaos.fixed_point_search import find_fixed_points  # noqa: E402
from rnnchaos.fixed_point_statistics import capture_recapture, chapman  # noqa: E402
from rnnchaos.fixed_points import network_fixed_points  # noqa: E402
from rnnchaos.kac_rice import kac_rice_solution  # noqa: E402
from rnnchaos.network import draw_disorder  # noqa: E402

TOL = 1e-10


def field(J):
    JT = J.T
    N = J.shape[0]
    return (lambda X: -X + np.tanh(X) @ JT,
            lambda X: J[None] * (1 - np.tanh(X)[:, None, :] ** 2) - np.eye(N))


def adam_q(J, X0, *, lr, n_steps, b1=0.9, b2=0.999, eps=1e-8):
    """Adam on q = |F|^2/2, F = -x + J tanh(x); grad q = -F + phi'(x) * (J^T F). Batched over rows of X0."""
    X, m, v = X0.copy(), np.zeros_like(X0), np.zeros_like(X0)
    JT = J.T
    for t in range(1, n_steps + 1):
        T = np.tanh(X)
        F = -X + T @ JT
        grad = -F + (1 - T * T) * (F @ J)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        X -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return X


def unique_count(X, N, scale):
    pts = []
    for x in X:
        if not any(np.linalg.norm(x - p) < 1e-6 * np.sqrt(N) * scale for p in pts):
            pts.append(x)
    return len(pts)


def compare(N, g, n_states, n_steps, path_solves, seed=0):
    J = draw_disorder(N, seed).couplings(g)
    var = kac_rice_solution(g, 0.0).mean_sq_radius
    X0 = np.sqrt(var) * np.random.default_rng(seed).standard_normal((n_states, N))
    F, DF = field(J)
    t = time.process_time()
    fp = find_fixed_points(F, DF, X0, symmetric=False, eigenvalues=False, scale=np.sqrt(var))
    t_newton = time.process_time() - t
    res_newton = np.abs(F(fp.x)).max(axis=1)
    t = time.process_time()
    ev = np.linalg.eigvals(DF(fp.x)) if fp.x.shape[0] else None  # classification, reported separately
    t_eig = time.process_time() - t
    del ev
    rows = [("newton (this finder)", fp.x.shape[0], t_newton, res_newton)]
    t = time.process_time()
    long = find_fixed_points(F, DF, X0, max_iter=150, eigenvalues=False, scale=np.sqrt(var))
    extra = [("  newton, max_iter=150", long.x.shape[0], time.process_time() - t, np.abs(F(long.x)).max(axis=1))]
    notes = [f"newton: {fp.n_converged} of {n_states} solves converged (max_iter=150: {long.n_converged})"]
    t = time.process_time()
    c = np.random.default_rng(seed + 1).choice([-1.0, 1.0], N)
    path = find_fixed_points(F, DF, X0[:1], max_iter=1, fallback=0, eigenvalues=False, scale=np.sqrt(var),
                             paths=[(c, *homotopy.network_start(J, np.zeros(N), c))], path_solves=path_solves)
    on_path = path.origin == ORIGINS.index("homotopy")  # X0[0] cannot converge in one iteration
    extra.append((f"homotopy path, {path_solves} solves", int(on_path.sum()), time.process_time() - t,
                  np.abs(F(path.x[on_path])).max(axis=1)))
    notes.append(f"homotopy: {path.path_crossings[0]} crossings of lambda = 0, {path.path_points[0]} verified, "
                 f"tracking {homotopy.ENDS[path.path_end[0]]}")
    for lr in (1e-2, 1e-3):
        t = time.process_time()
        X = adam_q(J, X0, lr=lr, n_steps=n_steps)
        t_adam = time.process_time() - t
        res = np.abs(F(X)).max(axis=1)
        rows.append((f"adam lr={lr:g}", unique_count(X[res < TOL], N, np.sqrt(var)), t_adam, res))
        t = time.process_time()  # Adam as an initialiser: its end points polished by Newton (not the baseline)
        pol = find_fixed_points(F, DF, X, max_iter=10, fallback=0, eigenvalues=False, scale=np.sqrt(var))
        rows.append((f"  adam lr={lr:g} + 10 Newton steps", pol.x.shape[0], t_adam + time.process_time() - t,
                     np.abs(F(pol.x)).max(axis=1)))
        notes.append(f"adam lr={lr:g}: end points with |F|_inf < 1e-6: {np.sum(res < 1e-6)}, "
                     f"< 1e-3: {np.sum(res < 1e-3)} of {n_states}")
    print(f"\nN = {N}, g = {g}, {n_states} initial states, Adam {n_steps} steps; eigenvalues of the "
          f"{fp.x.shape[0]} Newton points: {t_eig:.2f} CPU-s (not in the rates)")
    print(f"  {'method':34s} {'unique':>6s} {'CPU-s':>8s} {'unique/CPU-s':>12s}  |F|_inf quantiles 10/50/90%")
    for name, n, cpu, res in rows[:1] + extra + rows[1:]:
        q = np.quantile(res, [0.1, 0.5, 0.9]) if res.size else [np.nan] * 3
        print(f"  {name:34s} {n:6d} {cpu:8.2f} {n / cpu:12.3g}  {q[0]:.1e} {q[1]:.1e} {q[2]:.1e}")
    for note in notes:
        print("  " + note)
    rate_newton = rows[0][1] / rows[0][2]
    rate_path = extra[-1][1] / extra[-1][2]
    for name, n, cpu, _ in rows[1::2]:
        for method, rate in (("newton", rate_newton), ("homotopy", rate_path)):
            if n:
                print(f"  ratio {method} / {name}: {rate / (n / cpu):.3g}x")
            elif rate == 0:
                print(f"  ratio {method} / {name}: undefined (neither verified a point)")
            else:
                print(f"  ratio {method} / {name}: unbounded (baseline verified none); crediting it with one "
                      f"point: >= {rate * cpu:.3g}x")


def saturation(N, g, cpu_budget, n_runs=3, seed=0):
    """``n_runs`` runs of the finder with its defaults (half of the solves deflated, one homotopy path), each
    with ``n_init`` sized to ``cpu_budget`` CPU-s, on one network with independent random streams.

    Reference total: capture-recapture with each run as one occasion (Chao2 on the incidence "how many runs
    found the orbit {x, -x}", and Chapman for each pair of runs). Within one run the independent solves are
    the occasions and deflated solves are not, so a run's own estimate says how much the random starts left
    unseen, not how much the run missed.
    """
    d = draw_disorder(N, seed)
    J, theta = d.couplings(g), d.biases(0.0)
    t = time.process_time()
    network_fixed_points("rate", J, theta, n_init=16, rng=np.random.default_rng(seed + 100),
                         extra_fraction=0.0, fallback=0, eigenvalues=False)
    n_init = max(16, int(cpu_budget / ((time.process_time() - t) / 16)))
    unit = 1e-5 * np.sqrt(N)  # dedup scale of the finder: 1e-6 sqrt(N) <x*^2>^(1/2)

    def orbit(x):
        a, b = (tuple(np.round(v / unit).astype(int)) for v in (x, -x))
        return min(a, b)

    runs = []
    print(f"\nN = {N}, g = {g}: {n_runs} runs of {n_init} solves each (half deflated, one homotopy path), "
          f"budget {cpu_budget:.0f} CPU-s per run")
    for r in range(n_runs):
        t = time.process_time()
        fp = network_fixed_points("rate", J, theta, n_init=n_init, rng=np.random.default_rng(seed + r),
                                  eigenvalues=False)
        cpu = time.process_time() - t
        runs.append((fp, cpu, {orbit(x) for x in fp.x if np.abs(x).max() > unit}))  # 0: not an orbit
        solves, unique = fp.saturation
        marks = np.unique(np.linspace(0, len(unique) - 1, 6).astype(int))
        print(f"  run {r}: {fp.x.shape[0]} verified points (mirrors and 0 included) in {cpu:.1f} CPU-s; "
              f"{fp.n_converged} converged solves; own Chao2 {fp.capture_recapture_estimate:.0f} +- "
              f"{fp.capture_recapture_se:.0f}; saturation (solves: unique) "
              + ", ".join(f"{solves[i]}: {unique[i]}" for i in marks))
    counts = np.array([v for v in Counter(o for *_, orbits in runs for o in orbits).values()])
    est, se = capture_recapture(counts, n_occasions=n_runs)
    est, se = 2 * est + 1, 2 * se  # orbits {x, -x} -> points, plus 0 (known to exist)
    union = 2 * len(set().union(*(orbits for *_, orbits in runs))) + 1
    pairs = [chapman(a[2], b[2]) for i, a in enumerate(runs) for b in runs[i + 1:]]
    print(f"  between runs: orbits found by 1, 2, ... runs: {np.bincount(counts)[1:].tolist()}; Chao2 "
          f"{est:.0f} +- {se:.0f} points; pairwise Chapman " + ", ".join(f"{2 * c + 1:.0f}" for c, _ in pairs)
          + f"; union {union}")
    print("  found / between-run Chao2: " + ", ".join(f"{fp.x.shape[0] / est:.0%}" for fp, *_ in runs)
          + f" (target >= 80 % within {cpu_budget:.0f} CPU-s); found / union: "
          + ", ".join(f"{fp.x.shape[0] / union:.0%}" for fp, *_ in runs))
    print(f"  Kac-Rice E[#] ~ exp(N Sigma) = {kac_rice_solution(g, 0.0).expected_count(N):.3g} (no prefactor)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, short Adam runs, 10 CPU-s per saturation run")
    args = ap.parse_args()
    if args.quick:
        cases, n_states, n_steps, sat = [(50, 1.5, 500), (50, 2.0, 500), (100, 2.0, 2000)], 16, 2000, (100, 2.0, 10.0)
    else:
        cases = [(100, 1.5, 5000), (100, 2.0, 5000), (500, 1.5, 30_000), (500, 2.0, 30_000)]
        n_states, n_steps, sat = 32, 10_000, (200, 2.0, 120.0)
    for N, g, path_solves in cases:
        compare(N, g, n_states, n_steps, path_solves)
    saturation(*sat)


if __name__ == "__main__":
    main()
