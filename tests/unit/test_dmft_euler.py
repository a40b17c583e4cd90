"""Mean-field theory of the Euler-discretised rate network: the map at h = 1, the flow as h -> 0, closed forms, and
the conventions checked against the filter sum and the tangent covariance recursion iterated directly."""

import numpy as np
import pytest

from rnnchaos import dmft, dmft_euler
from rnnchaos.dmft_euler import euler_dmft_point, tangent_growth
from rnnchaos.gaussian import GaussCorr
from rnnchaos.status import NumericalFailure


@pytest.mark.parametrize("g, sigma_b", [(0.5, 0.0), (2.0, 0.0), (3.0, 0.5), (2.0, 1.0), (1.5, 1.0)])
def test_h_one_is_the_map_mean_field(g, sigma_b):
    r, m = euler_dmft_point(g, sigma_b, h=1.0), dmft.dmft_point("map", g, sigma_b)
    assert r.delta0 == pytest.approx(m.delta0, abs=1e-8)
    assert r.delta_inf == pytest.approx(m.delta_inf, abs=1e-8)
    assert r.lambda_max == pytest.approx(m.lambda_max, abs=1e-8)  # through the tangent eigenproblem at a = 0
    assert r.chaotic == m.chaotic


@pytest.mark.parametrize("g, sigma_b", [(2.0, 0.0), (3.0, 0.5)])
def test_h_near_one_joins_the_map_continuously(g, sigma_b):
    m = dmft.dmft_point("map", g, sigma_b)
    d = [euler_dmft_point(g, sigma_b, h=1 - e) for e in (2e-3, 1e-3)]  # the shooting path (a > 0)
    for key in ("delta0", "lambda_max"):
        e2, e1 = (getattr(r, key) - getattr(m, key) for r in d)
        assert abs(e2 / e1 - 2) < 0.05  # O(1 - h): halves with 1 - h


@pytest.mark.parametrize("g, sigma_b", [(2.0, 0.0), (3.0, 1.0)])
def test_small_h_converges_linearly_to_the_continuous_theory(g, sigma_b):
    c = dmft.dmft_point("rate", g, sigma_b)
    rs = [euler_dmft_point(g, sigma_b, h=h) for h in (0.1, 0.05, 0.025)]
    dl = np.array([r.lambda_max - c.lambda_max for r in rs])
    assert np.all(dl < 0) and np.all(np.abs(dl[:-1] / dl[1:] - 2) < 0.1)  # O(h), halving with h
    rich = 2 * rs[2].lambda_max - rs[1].lambda_max  # Richardson: O(h^2)
    assert abs(rich - c.lambda_max) < 0.05 * abs(dl[2])
    dd = np.abs([r.delta0 - c.delta0 for r in rs])
    assert dd[2] < 1e-5 * c.delta0 and np.all(dd[:-1] > 3 * dd[1:])  # Delta0: O(h^2)


@pytest.mark.parametrize("g", [0.3, 0.9])
@pytest.mark.parametrize("h", [0.1, 0.5, 1.0])
def test_stable_origin_below_gc_has_the_euler_disc_edge(g, h):
    r = euler_dmft_point(g, 0.0, h=h)
    assert not r.chaotic and r.delta0 == 0 and np.all(r.delta == 0)
    assert r.lambda_max == pytest.approx(np.log(1 - h + h * g) / h, abs=1e-12)


@pytest.mark.parametrize("h", [0.1, 0.5, 1.0])
def test_zero_gain_with_bias_is_the_trivial_stationary_state(h):
    r = euler_dmft_point(0.0, 0.7, h=h)
    assert r.delta0 == pytest.approx(0.49, abs=1e-14) and np.all(r.delta == r.delta0) and not r.chaotic
    assert r.lambda_max == (-np.inf if h == 1 else pytest.approx(np.log(1 - h) / h, abs=1e-14))


@pytest.mark.parametrize("g, sigma_b, h", [(2.0, 0.0, 0.1), (3.0, 0.5, 0.3), (1.5, 0.0, 0.05)])
def test_lag_equations_are_the_stationary_filter_sum(g, sigma_b, h):
    # x_t = h sum_j a^j eta_{t-1-j}: Delta_k = h^2 / (1 - a^2) sum_m a^|m| K_{k+m}, K = g^2 C + sigma_b^2
    r, a = euler_dmft_point(g, sigma_b, h=h), 1 - h
    corr = GaussCorr(r.delta0)
    M = int(np.ceil(np.log(1e-17) / np.log(a)))
    k = np.arange(-M, r.lag.size + M)
    D = np.where(np.abs(k) < r.lag.size, r.delta[np.minimum(np.abs(k), r.lag.size - 1)], r.delta_inf)
    K = g * g * corr.C(D / r.delta0) + sigma_b**2
    m = np.arange(-M, M + 1)
    for lag in (0, 1, 5, r.lag.size // 3):
        assert h * h / (1 - a * a) * (a ** np.abs(m) @ K[lag + m + M]) == pytest.approx(r.delta[lag], abs=1e-11)
    assert r.residual < 1e-11 and np.all(np.diff(r.delta) < 1e-14 * r.delta0)
    assert r.delta[-1] - r.delta_inf > -1e-14 * r.delta0


def test_lambda_max_is_the_growth_of_the_tangent_covariance_iterated_directly():
    # Q_{t+1,s+1} = a (Q_{t,s+1} + Q_{t+1,s}) - a^2 Q_{t,s} + h^2 g^2 C'_{t-s} Q_{t,s}; Q_{tt} ~ exp(2 lambda h t)
    g, sigma_b, h = 2.0, 0.5, 0.2
    r, a, n = euler_dmft_point(g, sigma_b, h=h), 1 - h, 700
    corr = GaussCorr(r.delta0)
    w = h * h * g * g * corr.dC(np.append(r.delta, np.full(n, r.delta_inf)) / r.delta0)
    Q = np.zeros((n + 1, n + 1))
    Q[:, 0] = Q[0, :] = a ** np.arange(n + 1)
    for T in range(2, 2 * n + 1):
        t = np.arange(max(1, T - n), min(n, T - 1) + 1)
        s = T - t
        Q[t, s] = a * (Q[t - 1, s] + Q[t, s - 1]) + (w[np.abs(t - s)] - a * a) * Q[t - 1, s - 1]
    lam = np.log(Q[n, n] / Q[n - 100, n - 100]) / (2 * h * 100)
    assert lam == pytest.approx(r.lambda_max, abs=1e-6)
    assert r.growth == pytest.approx(np.exp(2 * h * r.lambda_max), rel=1e-14)


def test_odd_tangent_state_is_the_flows_zero_mode_up_to_separatrix_splitting():
    assert abs(euler_dmft_point(2.0, 0.0, h=0.1).lambda_odd) < 1e-10
    assert euler_dmft_point(2.0, 0.0, h=0.9).lambda_odd < -1e-3  # the splitting is not small at large h


def test_tangent_growth_closed_forms():
    # constant w: the continuum edge a + sqrt(w); a = 0: mu^2 = max w (the map); a one-site well above the edge
    assert tangent_growth(np.full(50, 0.04), 0.04, 0.9) == pytest.approx(0.9 + 0.2, abs=1e-14)
    assert tangent_growth(np.array([2.5, 0.3, 0.2]), 0.2, 0.0) == pytest.approx(np.sqrt(2.5), abs=1e-14)
    w, a = np.array([0.5, 0.01, 0.01]), 0.5
    mu = tangent_growth(w, 0.01, a)  # bound state q_k = rho^|k|: a (2 rho) + w0 / mu = mu + a^2 / mu
    rho = (mu + (a * a - 0.01) / mu) / (2 * a)
    rho = rho - np.sqrt(rho * rho - 1)
    assert 2 * a * rho + 0.5 / mu == pytest.approx(mu + a * a / mu, abs=1e-12)


def test_erf_network_has_the_same_limits():
    m, c = dmft.dmft_point("map", 2.0, 0.0, nonlinearity="erf"), dmft.dmft_point("rate", 2.0, 0.0, nonlinearity="erf")
    assert euler_dmft_point(2.0, 0.0, h=1.0, nonlinearity="erf").lambda_max == pytest.approx(m.lambda_max, abs=1e-8)
    d1, d2 = (euler_dmft_point(2.0, 0.0, h=h, nonlinearity="erf").lambda_max - c.lambda_max for h in (0.1, 0.05))
    assert abs(d1 / d2 - 2) < 0.1


@pytest.mark.parametrize("key, kwargs", [("h", dict(h=0.0)), ("h", dict(h=-0.1)), ("h", dict(h=1.5)),
                                         ("h", dict(h=float("nan"))), ("h", dict(h="0.1")),
                                         ("g", dict(g=-1.0)), ("sigma_b", dict(sigma_b=5.0)),
                                         ("tol", dict(tol=0.0))])
def test_invalid_arguments_name_the_key(key, kwargs):
    args = dict(g=2.0, sigma_b=0.0, h=0.1) | kwargs
    g, sigma_b = args.pop("g"), args.pop("sigma_b")
    with pytest.raises(ValueError, match=key):
        euler_dmft_point(g, sigma_b, **args)


def test_failed_shooting_raises_and_near_gc_returns_the_critical_solution(monkeypatch):
    monkeypatch.setattr(dmft_euler, "_shoot", lambda *a: (-1, [1.0, 0.9], 0.0, None))  # never falls below Delta_inf
    with pytest.raises(NumericalFailure, match="no bracket"):
        euler_dmft_point(2.0, 0.0, h=0.1)
    r = euler_dmft_point(1 + 1e-6, 0.0, h=0.1)
    assert r.critical and r.chaotic and abs(r.lambda_max) < 1e-5
