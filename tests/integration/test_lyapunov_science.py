"""Science checks of the Lyapunov spectrum at realistic sizes (slow: minutes on 2 cores).

* ``lambda_max`` of the rate network (Euler, dt = 0.1) at N = 1000 for g = 1.5, 2, 3: positive (chaos for g > 1),
  increasing with g, and self-averaging (two networks agree within their error bars and a few percent of the
  spread in g).
* Extensive chaos (Engelken, Wolf & Abbott 2020): spectra (first N/5 exponents, enough since D_KY/N ~ 0.035
  at g = 2) for N = 250, 500, 1000 at g = 2 collapse when plotted against i/N, and D_KY / N agrees across N
  within 10 %.

Run with ``pytest -m slow tests/integration/test_lyapunov_science.py -s`` to see the numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnchaos import network
from rnnchaos.lyapunov import lyapunov_spectrum

pytestmark = pytest.mark.slow


def _run(N, g, seed, k, t_sim):
    J = network.draw_disorder(N, seed).couplings(g)
    return lyapunov_spectrum("rate", J, np.zeros(N), k=k, dt=0.1, t_transient=100.0, t_transient_tangent=20.0,
                             t_sim=t_sim, n_batches=10, rng=network.rng_for(N, seed, "lyapunov"))


def test_lambda_max_grows_with_g_and_self_averages():
    N, seeds, gs = 1000, (1, 2), (1.5, 2.0, 3.0)
    res = {g: [_run(N, g, s, k=1, t_sim=1000.0) for s in seeds] for g in gs}
    lam = np.array([[r.lambda_max for r in res[g]] for g in gs])
    err = np.array([[r.lambda_max_sem for r in res[g]] for g in gs])
    for g, row, e in zip(gs, lam, err, strict=True):
        print(f"N={N} g={g}: lambda_max = {row.round(4)} +- {e.round(4)}")
    mean = lam.mean(axis=1)
    assert np.all(lam > 0)
    assert np.all(np.diff(mean) > 0)
    # two network realisations agree within 4 combined standard errors (self-averaging at N = 1000)
    assert np.all(np.abs(lam[:, 0] - lam[:, 1]) < 4 * np.hypot(err[:, 0], err[:, 1]))


def test_spectrum_is_extensive_at_g2():
    g, seed = 2.0, 1
    res = {N: _run(N, g, seed, k=N // 5, t_sim=200.0) for N in (250, 500, 1000)}  # D_KY/N ~ 0.035 << 0.2
    dky = {N: r.d_ky / N for N, r in res.items()}
    for N, r in res.items():
        print(f"N={N}: lambda_max = {r.lambda_max:.4f} +- {r.lambda_max_sem:.4f}, D_KY/N = {dky[N]:.4f}, "
              f"h/N = {r.entropy_rate / N:.5f}, mean exponent = {r.mean_exponent:.4f}")
        assert not r.d_ky_lower_bound
    ref = np.array(list(dky.values()))
    assert np.ptp(ref) / ref.mean() < 0.10
    # collapse: lambda_i against i/N, compared on the N = 1000 grid where all spectra are available
    x_ref = np.arange(1, 201) / 1000
    curves = [np.interp(x_ref, np.arange(1, N // 5 + 1) / N, res[N].exponents) for N in res]
    dev = np.max(np.abs(np.array(curves) - curves[-1]), axis=0)
    print(f"max |lambda(i/N) - lambda_1000(i/N)| over i/N in (0.01, 0.2]: {dev[x_ref > 0.01].max():.4f}")
    assert dev[x_ref > 0.01].max() < 0.05
