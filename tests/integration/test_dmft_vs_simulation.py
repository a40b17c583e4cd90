"""Mean-field theory against direct simulation of finite networks (slow: minutes on 2 cores).

Rate network, forward Euler (dt = 0.05), g = 2: the variance Delta0 at N = 2000 (sigma_b = 0: 2 seeds;
sigma_b = 0.5: 4 seeds, because the static part fluctuates strongly between realisations there: single runs spread
by +-5 % at N = 1000 and +-3 % at N = 2000), within 3 % plus two standard errors of the seed mean, and lambda_max
from a Benettin estimate (one tangent vector, exact tangent of the Euler map) at N = 500, 1000, 2000. Map, g = 2,
sigma_b = 0: q*, the one-step decorrelation c(1) = c* = 0, and lambda_max = (1/2) ln chi_1.
Measured numbers are printed (``pytest -m slow -s``).
"""

import numpy as np
import pytest

from rnnchaos import dmft, dynamics, network

pytestmark = pytest.mark.slow

G, DT, T_TRANSIENT, T_MEASURE = 2.0, 0.05, 100.0, 300.0


def simulate_rate(N, sb, seed, *, lyapunov=False):
    """(time- and population-averaged x_i^2, Benettin lambda_max or None) after a transient."""
    disorder = network.draw_disorder(N, seed)
    J, theta = disorder.couplings(G), disorder.biases(sb)
    rng = network.rng_for(N, seed, "test_dmft_vs_simulation")
    x = dynamics.run("rate", rng.standard_normal(N), J, theta, dt=DT, n_steps=int(T_TRANSIENT / DT))
    v = rng.standard_normal(N)
    v /= np.linalg.norm(v)
    n_settle, n = int(20 / DT), int(T_MEASURE / DT)  # the tangent vector settles for 20 time units
    s2, log_growth = 0.0, 0.0
    for k in range(n):
        if lyapunov:  # x <- x + dt (-x + J phi(x) + theta), v <- v + dt (-v + J (phi'(x) v)), one matmul
            y = J @ np.stack([np.tanh(x), dynamics.dphi(x) * v], axis=1)
            x, v = x + DT * (-x + y[:, 0] + theta), v + DT * (-v + y[:, 1])
            norm = np.linalg.norm(v)
            v /= norm
            log_growth += np.log(norm) if k >= n_settle else 0.0
        else:
            x = dynamics.rate_step(x, J, theta, DT)
        s2 += x @ x / N
    dynamics.check_finite(x, t=T_TRANSIENT + T_MEASURE)
    return s2 / n, (log_growth / ((n - n_settle) * DT) if lyapunov else None)


@pytest.fixture(scope="module")
def theory():
    return {sb: dmft.dmft_point("rate", G, sb) for sb in (0.0, 0.5)}


@pytest.fixture(scope="module")
def lyapunov_by_N():
    return {N: simulate_rate(N, 0.0, 0, lyapunov=True) for N in (500, 1000, 2000)}


def test_rate_delta0_matches_simulation_at_N_2000(theory, lyapunov_by_N):
    sims = {0.0: [lyapunov_by_N[2000][0], simulate_rate(2000, 0.0, 1)[0]],
            0.5: [simulate_rate(2000, 0.5, seed)[0] for seed in range(4)]}
    for sb, values in sims.items():
        mean, theo, sem = np.mean(values), theory[sb].delta0, np.std(values, ddof=1) / np.sqrt(len(values))
        print(f"\nrate g = {G}, sigma_b = {sb}: Delta0 sim {np.round(values, 4)} mean {mean:.4f} (sem {sem:.4f}), "
              f"DMFT {theo:.4f}, rel. diff {mean / theo - 1:+.2%}")
        assert abs(mean - theo) <= 0.03 * theo + 2 * sem


def test_rate_lambda_max_approaches_dmft_with_N(theory, lyapunov_by_N):
    lam_th = theory[0.0].lambda_max
    lam = {N: v[1] for N, v in lyapunov_by_N.items()}
    print(f"\nrate g = {G}, sigma_b = 0: lambda_max sim {lam}, DMFT {lam_th:.4f}")
    assert lam[2000] == pytest.approx(lam_th, rel=0.1)
    assert abs(lam[2000] - lam_th) <= abs(lam[500] - lam_th) + 0.005
    assert all(v > 0 for v in lam.values())


def test_map_variance_decorrelation_and_lambda_match_dmft():
    N, sb, seed = 2000, 0.0, 0
    disorder = network.draw_disorder(N, seed)
    J, theta = disorder.couplings(G), disorder.biases(sb)
    rng = network.rng_for(N, seed, "test_dmft_vs_simulation")
    a = dynamics.run("map", rng.standard_normal(N), J, theta, dt=1.0, n_steps=500)
    v = rng.standard_normal(N)
    v /= np.linalg.norm(v)
    states, log_growth, n = [], 0.0, 2000
    for k in range(n):
        y = J @ np.stack([np.tanh(a), dynamics.dphi(a) * v], axis=1)
        a, v = y[:, 0] + theta, y[:, 1]
        norm = np.linalg.norm(v)
        v /= norm
        log_growth += np.log(norm) if k >= 50 else 0.0
        states.append(a)
    A = np.array(states)
    q, c1, lam = np.mean(A * A), np.mean(A[:-1] * A[1:]), log_growth / (n - 50)
    r = dmft.dmft_point("map", G, sb)
    print(f"\nmap g = {G}, sigma_b = {sb}: q sim {q:.4f} DMFT {r.delta0:.4f}; c(1) sim {c1:.4f} DMFT "
          f"{r.delta[1]:.4f}; lambda_max sim {lam:.4f} DMFT {r.lambda_max:.4f}")
    assert q == pytest.approx(r.delta0, rel=0.03)
    assert abs(c1 - r.delta[1]) < 0.05 * r.delta0
    assert lam == pytest.approx(r.lambda_max, rel=0.1)
