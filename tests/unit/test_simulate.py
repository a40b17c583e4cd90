import numpy as np
import pytest

from rnnchaos import simulate
from rnnchaos.status import NumericalFailure


def test_block_autocorrelation_equals_direct_average(rng):
    record = rng.standard_normal((120, 7)) + 0.3
    blocks = simulate.autocorrelation_blocks(record, n_lag=5, n_blocks=4)
    L = 30
    for b in range(4):
        seg = record[b * L:(b + 1) * L]
        for m in range(6):
            direct = np.mean(seg[: L - m] * seg[m:])
            assert blocks[b, m] == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("model", ["rate", "map"])
def test_uncoupled_network_has_constant_autocorrelation_equal_to_bias_variance(small_net, rng, model):
    # g = 0: x -> theta exactly, so Delta(tau) = mean(theta^2) for every lag and the SEM vanishes
    theta = small_net.biases(0.7)
    sim = simulate.simulate(model, np.zeros((60, 60)), theta, rng=rng, dt=0.1, t_transient=60, t_sim=40,
                            sample_dt=1.0, tau_max=3, n_blocks=4)
    assert np.allclose(sim.delta, np.mean(theta**2), rtol=1e-10)
    assert sim.delta0_sem < 1e-10


def test_below_critical_gain_activity_decays_to_zero(small_net, rng):
    sim = simulate.simulate("rate", small_net.couplings(0.5), np.zeros(60), rng=rng, t_transient=100, t_sim=50,
                            tau_max=2, n_blocks=5)
    assert sim.delta0 < 1e-20


def test_chaotic_network_autocorrelation_decays_from_its_maximum(rng):
    from rnnchaos import network

    d = network.draw_disorder(300, 0)
    sim = simulate.simulate("rate", d.couplings(2.5), np.zeros(300), rng=rng, t_transient=50, t_sim=200,
                            sample_dt=0.5, tau_max=15, n_blocks=8)
    assert sim.delta0 > 1.0
    assert np.argmax(sim.delta) == 0
    assert sim.delta[-1] < 0.5 * sim.delta0
    assert np.all(sim.delta_sem > 0)


def test_same_generator_same_numbers(small_net):
    J, theta = small_net.couplings(2.0), small_net.biases(0.5)
    a = simulate.simulate("map", J, theta, rng=np.random.default_rng(1), t_transient=10, t_sim=50, tau_max=3,
                          n_blocks=5)
    b = simulate.simulate("map", J, theta, rng=np.random.default_rng(1), t_transient=10, t_sim=50, tau_max=3,
                          n_blocks=5)
    assert np.array_equal(a.delta, b.delta) and np.array_equal(a.snapshots, b.snapshots)


def test_divergence_raises_numerical_failure(rng):
    J = np.full((3, 3), 1e308)
    with np.errstate(all="ignore"), pytest.raises(NumericalFailure, match="diverged"):
        simulate.simulate("map", J, np.zeros(3), rng=rng, t_transient=0, t_sim=60, tau_max=1, n_blocks=2,
                          n_units_stored=1)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"dt": 0.0}, "dt must be"),
    ({"sample_dt": 0.15}, "sample_dt must be"),
    ({"n_blocks": 1}, "n_blocks must be"),
    ({"tau_max": 100.0}, "tau_max must be"),
    ({"method": "rk2"}, "method must be"),
    ({"n_units_stored": 1000}, "n_units_stored"),
])
def test_bad_arguments_are_named(small_net, rng, kwargs, match):
    args = {"t_transient": 0, "t_sim": 100, "tau_max": 2, "n_blocks": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        simulate.simulate("rate", small_net.couplings(1.0), np.zeros(60), rng=rng, **args)


def test_dataset_variables_carry_units_and_names(small_net, rng):
    sim = simulate.simulate("rate", small_net.couplings(1.5), np.zeros(60), rng=rng, t_transient=10, t_sim=40,
                            tau_max=2, n_blocks=4)
    ds = simulate.to_dataset(sim)
    for v in ds.data_vars:
        assert {"units", "long_name"} <= set(ds[v].attrs)
    assert ds["delta"].dims == ("tau",) and float(ds["delta0"]) == sim.delta0


@pytest.mark.parametrize("model", ["rate", "map"])
def test_replicas_of_a_contracting_network_share_its_fixed_point(small_net, rng, model):
    """g = 0.5 < 1: both replicas reach the unique fixed point x*, so both frozen-variance estimators equal
    (1/N)|x*|^2 = Delta0 exactly, with no spread, and the end speed vanishes."""
    sim = simulate.simulate(model, small_net.couplings(0.5), small_net.biases(0.8), rng=rng, t_transient=300,
                            t_sim=40, sample_dt=1.0, tau_max=2, n_blocks=4)
    assert sim.delta_inf_overlap == pytest.approx(sim.delta0, rel=1e-9)
    assert sim.delta_inf_time == pytest.approx(sim.delta0, rel=1e-9)
    assert sim.delta_inf_overlap_sem < 1e-9
    assert sim.end_speed < 1e-9


def test_replica_overlap_is_unbiased_where_the_time_average_is_not(rng):
    """sigma_b = 0, g = 3: the attractor is symmetric under x -> -x, so <x_i> = 0 and Delta_inf = 0. The replica
    overlap is zero within its error; the time average over finite blocks is positive (its bias)."""
    from rnnchaos.network import draw_disorder

    net = draw_disorder(300, 4)
    sim = simulate.simulate("rate", net.couplings(3.0), np.zeros(300), rng=rng, t_transient=100, t_sim=400,
                            sample_dt=1.0, tau_max=5, n_blocks=8)
    assert abs(sim.delta_inf_overlap) < 4 * sim.delta_inf_overlap_sem
    assert sim.delta_inf_time > sim.delta_inf_overlap + 5 * sim.delta_inf_time_sem
    assert sim.end_speed > 0.05 and sim.recurrence > 0.3  # moving, and not returning


def test_frozen_variance_blocks_equal_direct_averages(rng):
    a, b = rng.standard_normal((40, 6)) + 0.5, rng.standard_normal((40, 6)) - 0.2
    blocks = simulate.frozen_variance_blocks(a, np.einsum("ti,ti->t", a, b) / 6, n_blocks=4)
    for k in range(4):
        seg = slice(10 * k, 10 * k + 10)
        assert blocks[0, k] == pytest.approx(np.mean(a[seg] * b[seg]))
        assert blocks[1, k] == pytest.approx(np.mean(a[seg].mean(axis=0) ** 2))
