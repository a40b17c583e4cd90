"""The training study on tiny networks: snapshots are the training itself (the last one is the final readout, and
its fixed points are the final network's), transfer copies the weights exactly, the noise study is deterministic
per seed, geometry identities, bad input names the argument."""

import numpy as np
import pytest

from rnnchaos import flipflop_geometry, noise_robustness, trained_analysis, training, training_evolution
from rnnchaos import training_study as ts

TINY = dict(N=50, train_time=800, test_time=300, n_bits=3)


@pytest.fixture(scope="module")
def source():
    return ts.train_scratch(rng=np.random.default_rng(4), n_snapshots=5, first_snapshot=10, **TINY)


def test_training_in_snapshot_pieces_is_train_flipflop_and_the_last_snapshot_is_the_final_readout(source):
    net = training.train_flipflop(rng=np.random.default_rng(4), **TINY)
    assert np.array_equal(source.net.W_out, net.W_out)
    assert np.array_equal(source.snapshot_W_out[-1], net.W_out)
    assert np.array_equal(source.net.curve_error, net.curve_error)
    assert np.array_equal(source.net.test_outputs, net.test_outputs)
    assert source.snapshot_t[-1] == TINY["train_time"] and np.all(np.diff(source.snapshot_t) > 0)
    assert source.snapshot_t.size == 5 and not np.allclose(source.snapshot_W_out[0], source.snapshot_W_out[-1])


def test_snapshot_steps_are_update_steps_geometric_and_end_at_the_end():
    steps = ts.snapshot_steps(6, 1000, update_every=2, first=10)
    assert steps[-1] == 1000 and steps[0] == 10 and np.all(steps % 2 == 0)
    assert np.all(np.abs(steps - np.geomspace(10, 1000, 6)) <= 1)  # rounded to the nearest update step
    assert ts.snapshot_steps(1, 1000, update_every=2, first=10).tolist() == [1000]


def test_last_snapshots_fixed_points_equal_the_final_networks(source):
    ev = training_evolution.training_evolution(source, rng=np.random.default_rng(9), n_init=24, n_extra=0,
                                               n_trajectories=1, trajectory_time=20)
    an = trained_analysis.analyse_trained(source.net, rng=np.random.default_rng(9), n_init=24, n_extra=0, k=2,
                                          t_transient=1, t_transient_tangent=1, t_sim=4, n_batches=2,
                                          n_slow_starts=0)
    last, final = ev.points[-1], an.fp
    assert last.x.shape == final.x.shape and last.x.shape[0] > 1
    order = lambda x: x[np.lexsort(x.T[:3])]  # noqa: E731
    assert np.allclose(order(last.x), order(final.x), atol=1e-8)
    assert sorted(last.n_unstable) == sorted(final.n_unstable)
    assert ev.n_memories(len(ev.points) - 1) == an.n_memories
    ds = training_evolution.to_dataset(ev)
    assert ds["n_index"].values.sum() == ds.sizes["point"] and ds["n_points"].values[-1] == last.x.shape[0]
    assert np.all(ds["point_residual"].values < 1e-9)
    assert len(training_evolution.bifurcation_sequence(ds)) >= 1


def test_transfer_copies_the_weights_exactly_and_the_new_readout_row_starts_at_zero(source):
    net = source.net
    J, W_fb, W_in, W_out = ts.transfer_weights(net, n_bits=4, rng=np.random.default_rng(1), input_scale=4.0)
    assert np.array_equal(J, net.J) and J is not net.J
    assert np.array_equal(W_fb[:, :3], net.W_fb) and np.array_equal(W_in[:, :3], net.W_in)
    assert np.array_equal(W_out[:3], net.W_out) and np.all(W_out[3] == 0)
    assert W_out.shape == (4, 50) and np.all(np.abs(W_in[:, 3]) <= 4.0) and np.any(W_in[:, 3] != 0)
    moved = ts.transfer(net, rng=np.random.default_rng(1), N=50, n_bits=4, train_time=100, test_time=100)
    assert np.array_equal(moved.net.J, net.J) and np.array_equal(moved.net.W_in[:, :3], net.W_in)
    assert moved.net.W_out.shape == (4, 50) and moved.net.params["origin"] == "transfer"


def test_transfer_from_a_source_of_the_wrong_shape_raises_naming_it(source):
    with pytest.raises(ValueError, match="source has N = 50 units, N = 60"):
        ts.transfer(source.net, rng=np.random.default_rng(1), N=60, n_bits=4)
    with pytest.raises(ValueError, match="source must have fewer bits than n_bits = 3"):
        ts.transfer_weights(source.net, n_bits=3, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="n_snapshots must be an integer >= 1"):
        ts.train_scratch(rng=np.random.default_rng(1), n_snapshots=0, **TINY)


def test_noise_study_is_deterministic_per_seed_and_noise_hurts(source):
    run = lambda seed: noise_robustness.noise_robustness(  # noqa: E731
        source.net, [0.0, 0.1, 1.0], rng=np.random.default_rng(seed), n_draws=3, test_time=300)
    a, b, c = run(5), run(5), run(6)
    assert np.array_equal(a.mse, b.mse) and not np.array_equal(a.mse, c.mse)
    assert np.allclose(a.mse[0], a.mse0)  # eta = 0 is the unperturbed network on the same trial
    assert a.mean[2] > a.mean[0] and a.sem.shape == (3,)
    with pytest.raises(ValueError, match="eta must be"):
        noise_robustness.noise_robustness(source.net, [0.1, -0.01], rng=np.random.default_rng(1))


def test_geometry_of_a_hand_made_hypercube():
    corners = trained_analysis.corners(3)
    x = np.concatenate([corners * [1.0, 1.0, 2.0], np.zeros((8, 2))], axis=1)  # a cuboid, bit 2 twice as long
    geo = flipflop_geometry.FlipflopGeometry(
        memory_x=x, distance=np.linalg.norm(x[:, None] - x[None], axis=2),
        hamming=np.sum(corners[:, None] != corners[None], axis=2), memory_pc=np.zeros((8, 3)),
        explained=np.zeros(3), n_points=8, n_stable=8, n_saddles=0, test_mse=0.0)
    assert geo.edges().size == 12 and geo.n_memories == 8
    assert np.allclose(geo.bit_edges(), [2.0, 2.0, 4.0])
