"""A family of FORCE-trained flip-flop networks, exported as Elman RNNs and analysed: features against performance.

Trains one network per ``g`` and seed (:func:`rnnchaos.force_family.train_family`, ``tau = dt = 1``), writes each
as ``.safetensors``, drives it with flip-flop input sequences of the task and runs
:func:`rnnchaos.trained_rnn.analyse_trained_rnn` (first ``k`` exponents, fixed points under zero input), then
correlates the spectrum's features with the test MSE (:func:`rnnchaos.spectrum_features.feature_correlations`).
It prints, per network, the training and analysis CPU seconds, test MSE and sign error, ``lambda_max`` with its
standard error over sequences, ``D_KY`` (lower bound if marked ``>=``) and the number of positive exponents; then
per feature Spearman's rho with the performance, its bootstrap 95 % interval and p value; and the cost per
network against one 1000 x 1000 float64 matmul timed in the same run (``ratio``).

Usage: ``python benchmarks/trained_rnn_family.py [--N 200] [--g 0.8,1.1,1.4,1.7,2.0] [--seeds 0,1,2]
[--train-time 6000] [--k 32] [--batch 4] [--steps 1500]``. Costs depend on BLAS, cores and load: compare numbers
from one run only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from rnnchaos import array_files, force_family, spectrum_features, trained_rnn  # noqa: E402


def matmul_seconds() -> float:
    a = np.random.default_rng(0).standard_normal((1000, 1000))
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--N", type=int, default=200)
    ap.add_argument("--g", default="0.8,1.1,1.4,1.7,2.0")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--train-time", type=float, default=6000.0)
    ap.add_argument("--test-time", type=float, default=2000.0)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--n-boot", type=int, default=2000)
    a = ap.parse_args(argv)
    gs = [float(v) for v in a.g.split(",")]
    seeds = [int(v) for v in a.seeds.split(",")]
    mm = matmul_seconds()
    print(f"N = {a.N}, g = {gs}, seeds = {seeds}, train {a.train_time:g} steps, k = {a.k}, {a.batch} x {a.steps} "
          f"input steps; matmul {mm * 1e3:.1f} ms")
    names, spectra, perf = [], [], []
    print(f"{'network':>18} {'train_s':>8} {'analyse_s':>9} {'test_mse':>8} {'sign_err':>8} {'lambda_max':>11} "
          f"{'sem':>7} {'D_KY':>7} {'n_pos':>5}")
    costs = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "inputs.npy"
        np.save(inputs, force_family.flipflop_inputs(rng=np.random.default_rng(12345), batch=a.batch,
                                                     steps=a.steps))
        for g in gs:
            for seed in seeds:
                t0 = time.process_time()
                (m,) = force_family.train_family(gs=[g], seeds=[seed], N=a.N, train_time=a.train_time,
                                                 test_time=a.test_time)
                t1 = time.process_time()
                path = Path(tmp) / f"{m.name}.safetensors"
                array_files.write_arrays(path, m.state_dict)
                ds = trained_rnn.analyse_trained_rnn(path, rng=np.random.default_rng(seed), inputs="file",
                                                     input_path=inputs, k=min(a.k, a.N), warmup=a.warmup,
                                                     warmup_tangent=a.warmup, n_batches=10, n_fp_starts=a.batch,
                                                     n_extra=0, performance=m.performance)
                t2 = time.process_time()
                costs.append((t1 - t0, t2 - t1))
                lb = ">=" if int(ds.feature_d_ky_lower_bound) else "  "
                print(f"{m.name:>18} {t1 - t0:8.1f} {t2 - t1:9.1f} {m.performance:8.3f} {m.sign_error:8.3f} "
                      f"{float(ds.lyap_exponent[0]):11.4f} {float(ds.lyap_exponent_sem[0]):7.4f} "
                      f"{lb}{float(ds.feature_d_ky):5.2f} {int(ds.feature_n_positive):5d}")
                names.append(m.name)
                spectra.append(ds.lyap_exponent.values)
                perf.append(m.performance)
    table = spectrum_features.feature_table(spectra, a.N, names, performance=perf)
    corr = spectrum_features.feature_correlations(table, rng=np.random.default_rng(0), n_boot=a.n_boot)
    print(f"\nSpearman rho of each feature with the test MSE ({len(names)} networks, {a.n_boot} bootstrap "
          "resamples)")
    print(f"{'feature':>14} {'rho':>7} {'ci_low':>7} {'ci_high':>7} {'p':>8}")
    for f in spectrum_features.FEATURES:
        r = corr.sel(feature=f)
        print(f"{f:>14} {float(r.rho):7.3f} {float(r.ci_low):7.3f} {float(r.ci_high):7.3f} {float(r.p_value):8.2g}")
    c = np.array(costs)
    print(f"\ncost per network (CPU s): train {c[:, 0].mean():.1f}, analyse {c[:, 1].mean():.1f}; ratio to one "
          f"matmul: train {c[:, 0].mean() / mm:.0f}, analyse {c[:, 1].mean() / mm:.0f}")


if __name__ == "__main__":
    main()
