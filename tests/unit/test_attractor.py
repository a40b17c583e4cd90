"""Attractor classes on constructed cases: a contracting network, a two-unit oscillator, a period-2 map, chaos."""

import numpy as np
import pytest

from rnnchaos import dynamics, models
from rnnchaos.attractor import classify, end_speed, recurrence_distance
from rnnchaos.lyapunov import lyapunov_spectrum
from rnnchaos.network import draw_disorder


def rotation(scale, angle):
    c, s = np.cos(angle), np.sin(angle)
    return scale * np.array([[c, -s], [s, c]])


def record_of(model, J, theta, *, n, every, x0, transient):
    x = dynamics.run(model, np.asarray(x0, float), J, theta, dt=0.1, n_steps=transient)
    out = np.empty((n, x.size))
    for i in range(n):
        x = dynamics.run(model, x, J, theta, dt=0.1, n_steps=every)
        out[i] = x
    return out


def classify_network(model, J, theta, *, x0, n=400, every=10, transient=3000, t_sim=300.0):
    rec = record_of(model, J, theta, n=n, every=every, x0=x0, transient=transient)
    r, lag = recurrence_distance(rec)
    lyap = lyapunov_spectrum(model, J, theta, k=1, t_sim=t_sim, t_transient=300.0, rng=np.random.default_rng(0),
                             x0=x0)
    return classify(speed=end_speed(models.make(model, J, theta), rec[-1]), recurrence=r, lambda_max=lyap.lambda_max,
                    lambda_max_sem=lyap.lambda_max_sem), lag, lyap


def test_contracting_network_settles_on_a_fixed_point():
    d = draw_disorder(100, 1)
    J, theta = d.couplings(0.6), d.biases(0.5)
    att, _, lyap = classify_network("rate", J, theta, x0=np.random.default_rng(2).standard_normal(100))
    assert att.name == "fixed_point" and att.code == 2
    assert lyap.lambda_max < 0


def test_two_unit_oscillator_is_a_limit_cycle_with_its_period():
    """dx/dt = -x + 2 R(pi/4) tanh(x): the origin is an unstable focus (eigenvalues -1 + sqrt2 +- i sqrt2) and
    tanh saturation bounds the flow, so a planar flow has a stable limit cycle (Poincare-Bendixson)."""
    J, theta = rotation(2.0, np.pi / 4), np.zeros(2)
    att, lag, lyap = classify_network("rate", J, theta, x0=[0.1, 0.0])
    assert att.name == "limit_cycle", att.reason
    assert abs(lyap.lambda_max) < 0.01  # the neutral direction along the orbit
    # the lag of best return is a whole number of periods (in samples of 1 time unit)
    rec = record_of("rate", J, theta, n=400, every=10, x0=[0.1, 0.0], transient=3000)
    crossings = np.flatnonzero((rec[:-1, 0] < 0) & (rec[1:, 0] >= 0))
    period = np.mean(np.diff(crossings))
    assert lag / period == pytest.approx(round(lag / period), abs=0.05)


def test_period_two_map_is_a_cycle_with_negative_exponent():
    """a -> -2 tanh(a): 0 is unstable (slope -2); the orbit +-a*, a* = 2 tanh(a*) = 1.915, is stable with
    lambda = ln(2 sech^2 a*) < 0."""
    J, theta = np.array([[-2.0]]), np.zeros(1)
    rec = np.empty((50, 1))
    a = np.array([0.3])
    for i in range(250):
        a = dynamics.map_step(a, J, theta)
        if i >= 200:
            rec[i - 200] = a
    r, lag = recurrence_distance(rec)
    lyap = lyapunov_spectrum("map", J, theta, k=1, t_sim=200.0, t_transient=100.0, rng=np.random.default_rng(0),
                             x0=[0.3])
    a_star = 1.9150080
    assert lyap.lambda_max == pytest.approx(np.log(2.0 / np.cosh(a_star) ** 2), abs=1e-4)
    assert lag % 2 == 0 and r < 1e-8
    att = classify(speed=end_speed(models.MapModel(J, theta), rec[-1]), recurrence=r, lambda_max=lyap.lambda_max,
                   lambda_max_sem=lyap.lambda_max_sem, flow=False)
    assert att.name == "limit_cycle"


def test_strongly_coupled_large_network_is_chaotic_and_does_not_return():
    d = draw_disorder(500, 0)
    J, theta = d.couplings(3.0), np.zeros(500)
    att, _, lyap = classify_network("rate", J, theta, x0=np.random.default_rng(1).standard_normal(500),
                                    n=200, transient=1000, t_sim=200.0)
    assert att.name == "chaotic", att.reason
    rec = record_of("rate", J, theta, n=200, every=10, x0=np.random.default_rng(1).standard_normal(500),
                    transient=1000)
    assert recurrence_distance(rec)[0] > 0.3


def test_missing_exponent_is_undecided_unless_the_state_has_stopped():
    assert classify(speed=1e-9, recurrence=np.inf, lambda_max=np.nan, lambda_max_sem=np.nan).name == "fixed_point"
    att = classify(speed=0.3, recurrence=0.5, lambda_max=np.nan, lambda_max_sem=np.nan)
    assert att.name == "undecided" and "missing" in att.reason
    # an exponent consistent with zero on a trajectory that never returns: neither chaos nor a cycle is shown
    assert classify(speed=0.3, recurrence=0.5, lambda_max=0.001, lambda_max_sem=0.002).name == "undecided"


def test_recurrence_of_a_sampled_circle_is_second_order_in_the_step():
    t = np.arange(0, 100, 1.0)  # period 2 pi: not a whole number of samples
    rec = np.column_stack([np.cos(t), np.sin(t)])
    r, lag = recurrence_distance(rec)
    assert r < 0.5 * 1.0**2 / 8 * 2  # chord sagitta (1 - cos(h/2)) ~ h^2/8 of a unit radius, radius^-1 = sqrt2
    with pytest.raises(ValueError, match="min_lag"):
        recurrence_distance(rec, min_lag=0)
    assert recurrence_distance(np.ones((10, 3)))[0] == np.inf


def test_decay_to_the_origin_is_a_fixed_point_not_a_cycle():
    """g = 0.5, sigma_b = 0: x decays to x* = 0 like exp(-(1 - g lambda) t); |F(x)|/|x| would stay of order one,
    the rms speed |F(x)|/sqrt(N) vanishes."""
    d = draw_disorder(100, 3)
    J, theta = d.couplings(0.5), np.zeros(100)
    rec = record_of("rate", J, theta, n=100, every=10, x0=np.random.default_rng(0).standard_normal(100),
                    transient=2000)
    assert end_speed(models.RateModel(J, theta), rec[-1]) < 1e-30
    att = classify(speed=end_speed(models.RateModel(J, theta), rec[-1]), recurrence=recurrence_distance(rec)[0],
                   lambda_max=-0.5, lambda_max_sem=0.01)
    assert att.name == "fixed_point"


def test_a_trajectory_creeping_towards_a_point_never_returns():
    """At g = g_c the approach to x* = 0 is a power law: slow, monotone, and no return (recurrence inf)."""
    t = np.arange(200.0)
    rec = np.outer(1 / np.sqrt(1 + t), np.linspace(-1, 1, 7))
    r, lag = recurrence_distance(rec)
    assert r == np.inf and lag == 0
    assert classify(speed=1e-4, recurrence=r, lambda_max=-0.001, lambda_max_sem=0.001).name == "undecided"


def test_a_flow_returning_with_a_negative_exponent_is_not_a_limit_cycle_but_a_map_is():
    """A limit cycle of a flow has lambda_max = 0 (along the orbit); a periodic orbit of a map may contract."""
    moving = dict(speed=0.2, recurrence=1e-3, lambda_max=-0.15, lambda_max_sem=0.005)
    assert classify(**moving).name == "undecided"
    assert "negative" in classify(**moving).reason or "< 0" in classify(**moving).reason
    assert classify(**moving, flow=False).name == "limit_cycle"
    assert classify(**{**moving, "lambda_max": -0.01}).name == "limit_cycle"  # within 3 sem of 0


def test_noisy_network_is_classed_by_its_exponent_alone():
    """With noise the end speed and recurrence measure the noise: a stopped-looking or returning state is never a
    fixed point or limit cycle; lambda_max > 3 sem is chaotic, else noise-driven, missing undecided."""
    still = dict(speed=0.0, recurrence=0.0, noisy=True)
    assert classify(lambda_max=-0.5, lambda_max_sem=0.01, **still).name == "noise_driven"
    assert classify(lambda_max=0.0, lambda_max_sem=0.01, **still).name == "noise_driven"
    assert classify(lambda_max=0.2, lambda_max_sem=0.01, **still).name == "chaotic"
    assert classify(lambda_max=np.nan, lambda_max_sem=np.nan, **still).name == "undecided"
    # the same numbers without noise: a fixed point (speed 0)
    assert classify(lambda_max=-0.5, lambda_max_sem=0.01, speed=0.0, recurrence=0.0).name == "fixed_point"
