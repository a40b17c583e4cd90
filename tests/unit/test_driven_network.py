"""The driven networks (rnnchaos.driven_network) and their signals (rnnchaos.periodic_input): zero input is the
undriven network bitwise, closed forms of the linear (g = 0) case, the exponents' sum rule with the input on, the
same W_in for the same network whatever the grid, and file signals that fail naming the key."""

import numpy as np
import pytest

from rnnchaos import lyapunov_driven, network
from rnnchaos.driven_network import DrivenNetwork, driven_network, input_weights
from rnnchaos.models import MapModel, RateModel
from rnnchaos.periodic_input import channel_phases, file_signal, hold_ratio, load_samples, sinusoid


def net(name, N=30, g=2.0, sigma_b=0.3, seed=1, channels=2, scale=0.7, dt=0.1):
    d = network.draw_disorder(N, seed)
    return driven_network(name, d.couplings(g), d.biases(sigma_b),
                          input_weights(N, seed, channels=channels, scale=scale), dt=dt)


class Undriven:
    """The undriven network behind the driven model's protocol: u is read and ignored."""

    def __init__(self, base, d):
        self.base, self.n, self.n_inputs, self.time_step, self.name = base, base.n, d, base.time_step, base.name

    def step(self, x, u=None):
        return self.base.step(x)

    def tangent(self, x, Q, u=None):
        return self.base.tangent(x, Q)

    def jacobian(self, x, u=None):
        return self.base.jacobian(x)


@pytest.mark.parametrize("name", ["rate", "map"])
def test_zero_input_is_the_undriven_network_bitwise(name):
    m = net(name)
    x = np.random.default_rng(0).normal(size=m.n)
    Q = np.linalg.qr(np.random.default_rng(1).normal(size=(m.n, 4)))[0]
    zero = np.zeros(2)
    assert np.array_equal(m.step(x, zero), m.network.step(x)) and np.array_equal(m.step(x), m.network.step(x))
    assert np.array_equal(m.tangent(x, Q, zero), m.network.tangent(x, Q))
    assert np.array_equal(m.residual(x, zero), m.network.residual(x))
    u = sinusoid(steps=400, time_step=m.time_step, amplitude=0.0, frequency=0.05, channels=2)
    kw = dict(k=4, warmup=50, warmup_tangent=50, t_ons=5, n_batches=4)
    a = lyapunov_driven.driven_lyapunov_spectrum(m, u, rng=np.random.default_rng(2), **kw)
    b = lyapunov_driven.driven_lyapunov_spectrum(Undriven(m.network, 2), u, rng=np.random.default_rng(2), **kw)
    assert np.array_equal(a.exponents, b.exponents) and np.array_equal(a.final_states, b.final_states)
    # and the input does change the trajectory (the test above can fail)
    u1 = sinusoid(steps=400, time_step=m.time_step, amplitude=0.5, frequency=0.05, channels=2)
    c = lyapunov_driven.driven_lyapunov_spectrum(m, u1, rng=np.random.default_rng(2), **kw)
    assert not np.allclose(c.final_states, a.final_states)


def test_step_adds_the_input_term():
    m = net("rate", dt=0.05)
    x, u = np.random.default_rng(3).normal(size=m.n), np.array([0.3, -1.2])
    np.testing.assert_allclose(m.step(x, u), x + 0.05 * (-x + m.J @ np.tanh(x) + m.theta + m.W_in @ u), atol=1e-14)
    mp = net("map")
    np.testing.assert_allclose(mp.step(x, u), mp.J @ np.tanh(x) + mp.theta + mp.W_in @ u, atol=1e-14)
    X = np.stack([x, -x], axis=1)  # a batch of states (N, 2)
    np.testing.assert_allclose(m.step(X, u)[:, 1], m.step(-x, u), atol=1e-14)
    np.testing.assert_allclose(m.residual(x, u), -x + m.J @ np.tanh(x) + m.theta + m.W_in @ u, atol=1e-14)


def test_rate_network_at_g0_has_every_exponent_minus_one_per_step_whatever_the_input():
    """g = 0: x_{n+1} = (1 - dt) x_n + dt (theta + W_in u_n): every Jacobian is (1 - dt) I, so every exponent is
    log(1 - dt) / dt (-> -1 as dt -> 0) exactly, and the state is the driven linear ODE's Euler solution."""
    dt = 0.1
    m = net("rate", N=12, g=0.0, dt=dt)
    u = sinusoid(steps=600, time_step=dt, amplitude=1.5, frequency=0.1, channels=2)
    r = lyapunov_driven.driven_lyapunov_spectrum(m, u, k=12, rng=np.random.default_rng(0), warmup=0,
                                                 warmup_tangent=10, t_ons=3, n_batches=4)
    np.testing.assert_allclose(r.exponents, np.log(1 - dt) / dt, rtol=1e-12)
    x = np.zeros(12)
    for n in range(600):
        x = (1 - dt) * x + dt * (m.theta + m.W_in @ u[n])
    np.testing.assert_allclose(r.final_states[0], x, atol=1e-12)


def test_map_at_g0_with_input_has_a_zero_jacobian_and_fails_as_qr_breakdown():
    """phi = identity is not a config option; the map at g = 0 with input is a_{t+1} = theta + W_in u_t, whose
    Jacobian is 0: the frame collapses at the first step (qr_breakdown, never a number)."""
    from rnnchaos.status import NumericalFailure

    m = net("map", N=10, g=0.0)
    u = sinusoid(steps=100, time_step=1.0, amplitude=1.0, frequency=0.1, channels=2)
    with pytest.raises(NumericalFailure, match="qr_breakdown"):
        lyapunov_driven.driven_lyapunov_spectrum(m, u, k=2, rng=np.random.default_rng(0), warmup=5,
                                                 warmup_tangent=5, t_ons=1, n_batches=2)


@pytest.mark.parametrize("name", ["rate", "map"])
def test_sum_of_all_exponents_is_the_time_averaged_log_det_with_the_input_on(name):
    m = net(name, N=16, g=2.5)
    u = sinusoid(steps=700, time_step=m.time_step, amplitude=0.8, frequency=0.07, channels=2)
    r = lyapunov_driven.driven_lyapunov_spectrum(m, u, k=16, rng=np.random.default_rng(4), warmup=100,
                                                 warmup_tangent=100, t_ons=2, n_batches=5, exact_log_det=True)
    np.testing.assert_allclose(r.exponents.sum(), r.log_det_mean[0], rtol=1e-9, atol=1e-9)
    assert r.spread_max > 0


def test_same_seed_gives_the_same_input_weights_whatever_the_grid():
    a = input_weights(40, 3, channels=2, scale=0.5)
    network.draw_disorder(40, 7), input_weights(80, 3, channels=2, scale=0.5)  # other draws between
    np.testing.assert_array_equal(input_weights(40, 3, channels=2, scale=0.5), a)
    np.testing.assert_array_equal(input_weights(40, 3, channels=2, scale=1.0), 2 * a)
    assert not np.array_equal(input_weights(40, 4, channels=2, scale=0.5), a)
    W = input_weights(4000, 0, channels=3, scale=0.7)
    assert abs(W.std() - 0.7) < 0.01 and abs(W.mean()) < 0.01
    with pytest.raises(ValueError, match="channels must be an integer >= 1"):
        input_weights(10, 0, channels=0, scale=1.0)
    with pytest.raises(ValueError, match="scale must be a finite number >= 0"):
        input_weights(10, 0, channels=1, scale=-1.0)


def test_driven_network_rejects_rk4_noise_and_bad_weights():
    d = network.draw_disorder(8, 0)
    J, th = d.couplings(2.0), d.biases(0.0)
    with pytest.raises(ValueError, match="method='euler'"):
        DrivenNetwork(RateModel(J, th, method="rk4"), np.ones((8, 1)))
    with pytest.raises(ValueError, match="sigma_xi must be 0"):
        DrivenNetwork(MapModel(J, th, sigma_xi=0.1), np.ones((8, 1)))
    with pytest.raises(ValueError, match=r"W_in must be a finite \(8, d\)"):
        DrivenNetwork(MapModel(J, th), np.ones((7, 1)))
    with pytest.raises(ValueError, match=r"u must have shape \(1,\)"):
        DrivenNetwork(MapModel(J, th), np.ones((8, 1))).step(np.zeros(8), np.ones(2))


def test_sinusoid_channels_and_random_phases():
    u = sinusoid(steps=5, time_step=0.5, amplitude=2.0, frequency=0.25, channels=2)
    t = 0.5 * np.arange(5)
    np.testing.assert_allclose(u[:, 0], 2 * np.cos(2 * np.pi * 0.25 * t), atol=1e-14)
    np.testing.assert_allclose(u[:, 1], 2 * np.sin(2 * np.pi * 0.25 * t), atol=1e-14)
    for d in (2, 3, 5):  # circular: sum_c exp(-2 i phi_c) = 0, so each unit's phase is uniform
        assert abs(np.exp(-2j * channel_phases(d)).sum()) < 1e-12
    with pytest.raises(ValueError, match="input.frequency must be a finite number > 0"):
        sinusoid(steps=5, time_step=1.0, amplitude=1.0, frequency=0.0, channels=2)
    with pytest.raises(ValueError, match="input.amplitude must be a finite number >= 0"):
        sinusoid(steps=5, time_step=1.0, amplitude=np.nan, frequency=0.1, channels=2)


def test_file_signal_is_held_and_bad_files_fail_naming_the_key(tmp_path):
    U = np.arange(12.0).reshape(6, 2)
    held = file_signal(U, steps=10, time_step=0.5, file_dt=1.0, amplitude=2.0)
    np.testing.assert_array_equal(held[:4], 2 * U[[0, 0, 1, 1]])
    assert hold_ratio(0.3, 0.1) == 3
    with pytest.raises(ValueError, match=r"input.file_dt = 0.25 must be a whole multiple >= 1 of the network's step"):
        file_signal(U, steps=10, time_step=0.1, file_dt=0.25)
    with pytest.raises(ValueError, match="input.file: 6 samples .* the run needs 20"):
        file_signal(U, steps=40, time_step=0.5, file_dt=1.0)
    good = tmp_path / "u.npy"
    np.save(good, U)
    np.testing.assert_array_equal(load_samples(good, channels=2), U)
    with pytest.raises(ValueError, match=r"input.file = .*u.npy.*input dimension 2.*n_inputs = 3"):
        load_samples(good, channels=3)
    bad = tmp_path / "nan.npy"
    np.save(bad, np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match=r"input.file = .*nan.npy.*non-finite"):
        load_samples(bad, channels=2)
    cube = tmp_path / "cube.npy"
    np.save(cube, np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match=r"input.file = .*holds 2 sequences"):
        load_samples(cube, channels=2)
    with pytest.raises(ValueError, match=r"input.file = .*no such file"):
        load_samples(tmp_path / "missing.npy", channels=2)
