import numpy as np
import pytest

from rnnchaos import dynamics
from rnnchaos.status import NumericalFailure


def test_jacobians_match_finite_differences(small_net, rng):
    J, theta = small_net.couplings(1.8), small_net.biases(0.3)
    x = rng.standard_normal(60)
    eps = 1e-6
    cols = [(dynamics.velocity(x + eps * e, J, theta) - dynamics.velocity(x - eps * e, J, theta)) / (2 * eps)
            for e in np.eye(60)]
    assert np.allclose(np.array(cols).T, dynamics.rate_jacobian(x, J), atol=1e-7)
    cols = [(dynamics.map_step(x + eps * e, J, theta) - dynamics.map_step(x - eps * e, J, theta)) / (2 * eps)
            for e in np.eye(60)]
    assert np.allclose(np.array(cols).T, dynamics.map_jacobian(x, J), atol=1e-7)


def test_euler_step_of_uncoupled_network_is_exact_recursion():
    theta = np.array([0.5, -1.0])
    x = np.array([1.0, 2.0])
    out = dynamics.rate_step(x, np.zeros((2, 2)), theta, 0.1)
    assert np.allclose(out, x + 0.1 * (theta - x))


def test_rk4_is_fourth_order_and_euler_first_order(small_net, rng):
    J, theta = small_net.couplings(1.5), small_net.biases(0.2)
    x0 = rng.standard_normal(60)

    def solve(dt, method):
        return dynamics.run("rate", x0, J, theta, dt=dt, n_steps=int(round(2.0 / dt)), method=method)

    ref = solve(1e-3, "rk4")
    e_rk4 = [np.linalg.norm(solve(dt, "rk4") - ref) for dt in (0.2, 0.1)]
    e_eul = [np.linalg.norm(solve(dt, "euler") - ref) for dt in (0.02, 0.01)]
    assert e_rk4[0] / e_rk4[1] == pytest.approx(16, rel=0.25)
    assert e_eul[0] / e_eul[1] == pytest.approx(2, rel=0.1)


def test_odd_symmetry_at_zero_bias_is_exact(small_net, rng):
    J = small_net.couplings(2.0)
    x0 = rng.standard_normal(60)
    for model in ("rate", "map"):
        a = dynamics.run(model, x0, J, np.zeros(60), dt=0.1, n_steps=200)
        b = dynamics.run(model, -x0, J, np.zeros(60), dt=0.1, n_steps=200)
        assert np.array_equal(a, -b)


def test_divergence_is_reported_not_returned():
    J = np.array([[1e300, 1e300], [1e300, 1e300]])
    with pytest.raises(NumericalFailure, match="diverged") as info:
        with np.errstate(over="ignore", invalid="ignore"):
            dynamics.run("map", np.ones(2), J, np.zeros(2), dt=0.1, n_steps=10, check_every=1)
    assert info.value.status == "diverged"


def test_unknown_model_and_method_are_rejected():
    with pytest.raises(ValueError, match="model must be"):
        dynamics.step("lif", np.zeros(2), np.eye(2), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="method must be"):
        dynamics.rate_step(np.zeros(2), np.eye(2), np.zeros(2), 0.1, "rk2")


def test_run_with_noise_steps_with_the_streams_rows():
    """run(..., noise=stream) is the loop x <- step(x, xi=stream.next()); without noise the noise-free loop."""
    from rnnchaos import models, noise

    rng = np.random.default_rng(0)
    m = models.make("rate", rng.standard_normal((6, 6)), np.zeros(6), dt=0.1, sigma_xi=0.3)
    x0 = rng.standard_normal(6)
    got = dynamics.run(m, x0, n_steps=25, noise=noise.NoiseStream(np.random.default_rng(4), 6, block=7))
    x, xi = x0.copy(), np.random.default_rng(4).standard_normal((25, 6))
    for row in xi:
        x = m.step(x, xi=row)
    assert np.array_equal(got, x)
    assert not np.allclose(dynamics.run(m, x0, n_steps=25), x)
