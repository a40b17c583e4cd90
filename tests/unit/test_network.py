import numpy as np
import pytest

from rnnchaos import network


def test_same_seed_same_network_and_independent_of_call_order():
    a = network.draw_disorder(50, 7)
    network.draw_disorder(80, 1)  # another network drawn in between changes nothing
    b = network.draw_disorder(50, 7)
    assert np.array_equal(a.z_J, b.z_J) and np.array_equal(a.z_theta, b.z_theta)


def test_different_seeds_and_sizes_differ():
    a, b = network.draw_disorder(50, 0), network.draw_disorder(50, 1)
    c = network.draw_disorder(51, 0)
    assert not np.allclose(a.z_J, b.z_J)
    assert not np.allclose(a.z_J[:50, :50], c.z_J[:50, :50])


def test_coupling_and_bias_statistics():
    d = network.draw_disorder(600, 2)
    J, theta = d.couplings(1.7), d.biases(0.4)
    n = J.size
    # sample variance of N^2 Gaussians: relative standard error sqrt(2/n)
    assert J.var() * 600 == pytest.approx(1.7**2, rel=5 * np.sqrt(2 / n))
    assert abs(J.mean()) < 5 * 1.7 / np.sqrt(600) / np.sqrt(n)
    assert theta.var() == pytest.approx(0.4**2, rel=5 * np.sqrt(2 / 600))
    assert np.array_equal(d.couplings(2.0), 2.0 / 1.7 * J) or np.allclose(d.couplings(2.0), 2.0 / 1.7 * J)


def test_shared_realisation_across_gain_sweep():
    d = network.draw_disorder(30, 4)
    assert np.allclose(d.couplings(3.0) / 3.0, d.couplings(0.5) / 0.5)
    assert np.array_equal(d.biases(0.0), np.zeros(30))


def test_streams_differ_by_purpose_and_are_reproducible():
    a = network.rng_for(10, 0, "simulate").standard_normal(5)
    b = network.rng_for(10, 0, "lyapunov").standard_normal(5)
    c = network.rng_for(10, 0, "simulate").standard_normal(5)
    assert not np.allclose(a, b) and np.array_equal(a, c)


@pytest.mark.parametrize(("fn", "args", "match"), [
    (network.draw_disorder, (0, 1), "N must be"),
    (network.draw_disorder, (10, -1), "seed must be"),
    (network.couplings, (np.eye(3), -1.0), "g must be"),
    (network.couplings, (np.ones((2, 3)), 1.0), "square"),
    (network.biases, (np.ones(3), np.nan), "sigma_b must be"),
])
def test_bad_arguments_are_named(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)


def test_initial_state_is_shared_reproducible_and_independent_of_the_disorder():
    a, b = network.initial_state(50, 3), network.initial_state(50, 3)
    assert np.array_equal(a, b) and a.shape == (50,)
    assert not np.array_equal(a, network.initial_state(50, 4))
    assert not np.allclose(a, network.draw_disorder(50, 3).z_theta)
