"""Mean-field theory with phi(x) = erf(sqrt(pi) x / 2) against direct simulation at N = 1000 (slow: ~4 min on 2
loaded cores).

g = 2, sigma_b = 0 and 0.5; networks drawn here with numpy (``J_ij ~ N(0, g^2/N)``, ``theta_i ~ N(0,
sigma_b^2)``), one per seed. Map: ``q* = <a^2>`` and ``lambda_max`` (Benettin, one tangent vector, exact tangent
``J diag(phi'(a))``) over 1000 steps after 200, five seeds. Rate network: ``Delta0 = <x^2>``, forward Euler (dt =
0.05) over 200 time units after 100, four seeds. The seed mean must lie within three standard errors of the seed
mean of the theory (the spread between realisations, quenched disorder, dominates). Measured by this test when
written (N = 1000, sigma_b = 0 and 0.5; mean +- standard error, theory, z): map q* 2.2951 +- 0.0060 (2.2876, +1.25)
and 2.636 +- 0.036 (2.634, +0.06); map lambda_max 0.1661 +- 0.0006 (0.1675, -2.36) and 0.1357 +- 0.0033 (0.1363,
-0.18); rate Delta0 2.020 +- 0.034 (2.064, -1.32) and 2.581 +- 0.052 (2.542, +0.75). The map's lambda_max at
sigma_b = 0 sits low by 2.4 standard errors, which a finite-size bias explains: at N = 2000 (five seeds, run
separately) it is 0.1672 +- 0.0006 (z = -0.5), q* 2.2900 +- 0.0019, rate Delta0 2.070 +- 0.024 (four seeds).
Printed with ``pytest -m slow -s``.
"""

import numpy as np
import pytest

from rnnchaos import dmft
from rnnchaos.nonlinearity import ERF

pytestmark = pytest.mark.slow

G, N, N_SIGMA = 2.0, 1000, 3.0


def draw(seed, sigma_b, stream):
    rng = np.random.default_rng([seed, N, stream])
    return rng, rng.standard_normal((N, N)) * G / np.sqrt(N), sigma_b * rng.standard_normal(N)


def simulate_map(sigma_b, seed, n_transient=200, n=1000):
    """(``<a^2>``, ``lambda_max`` per step) of ``a <- J phi(a) + theta`` with its tangent ``v <- J (phi'(a) v)``."""
    rng, J, theta = draw(seed, sigma_b, 1)
    a, v = rng.standard_normal(N), rng.standard_normal(N)
    v /= np.linalg.norm(v)
    q = log_growth = 0.0
    for t in range(n_transient + n):
        y = J @ np.stack([ERF.phi(a), ERF.dphi(a) * v], axis=1)
        a, v = y[:, 0] + theta, y[:, 1]
        norm = np.linalg.norm(v)
        v /= norm
        if t >= n_transient:
            q, log_growth = q + a @ a / N, log_growth + np.log(norm)
    return q / n, log_growth / n


def simulate_rate(sigma_b, seed, dt=0.05, t_transient=100.0, t_measure=200.0):
    """``<x^2>`` of ``x <- x + dt (-x + J phi(x) + theta)`` after the transient."""
    rng, J, theta = draw(seed, sigma_b, 2)
    x = rng.standard_normal(N)
    for _ in range(int(t_transient / dt)):
        x = x + dt * (-x + J @ ERF.phi(x) + theta)
    s2, n = 0.0, int(t_measure / dt)
    for _ in range(n):
        x = x + dt * (-x + J @ ERF.phi(x) + theta)
        s2 += x @ x / N
    assert np.all(np.isfinite(x))
    return s2 / n


def within(name, values, theory):
    mean, sem = np.mean(values), np.std(values, ddof=1) / np.sqrt(len(values))
    print(f"\n{name}: sim {np.round(values, 4)} mean {mean:.4f} +- {sem:.4f}, theory {theory:.4f}, "
          f"z = {(mean - theory) / sem:+.2f}")
    assert abs(mean - theory) < N_SIGMA * sem


@pytest.mark.parametrize("sigma_b", [0.0, 0.5])
def test_erf_map_q_and_lambda_match_simulation(sigma_b):
    theory = dmft.dmft_point("map", G, sigma_b, nonlinearity="erf")
    assert theory.chaotic
    sims = np.array([simulate_map(sigma_b, seed) for seed in range(5)])
    within(f"erf map sigma_b = {sigma_b} q*", sims[:, 0], theory.delta0)
    within(f"erf map sigma_b = {sigma_b} lambda_max", sims[:, 1], theory.lambda_max)


@pytest.mark.parametrize("sigma_b", [0.0, 0.5])
def test_erf_rate_delta0_matches_simulation(sigma_b):
    theory = dmft.dmft_point("rate", G, sigma_b, nonlinearity="erf")
    assert theory.chaotic
    within(f"erf rate sigma_b = {sigma_b} Delta0", [simulate_rate(sigma_b, seed) for seed in range(4)],
           theory.delta0)
