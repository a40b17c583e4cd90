"""Flip-flop task, echo-state network and FORCE: closed forms (RLS = ridge regression), task rules, reproducibility."""

import numpy as np
import pytest

from rnnchaos import io, training
from rnnchaos.status import STATUS_CODES, NumericalFailure


def task(seed=0, **kw):
    kw = {"n_bits": 3, "dt": 1.0, "pulse_width": 10.0, "pulse_interval": 100.0, "min_interval": 30.0, **kw}
    return training.flipflop_task(3000, rng=np.random.default_rng(seed), **kw)


def test_target_is_the_sign_of_the_last_pulse():
    t = task()
    u, f = t.inputs, t.targets
    assert set(np.unique(u)) <= {-1.0, 0.0, 1.0} and set(np.unique(f)) == {-1.0, 1.0}
    for b in range(3):
        last = 0.0
        for n in range(u.shape[0]):
            if u[n, b] != 0:
                last = u[n, b]
            assert f[n, b] == last, (b, n)


def test_pulses_start_at_zero_have_their_width_and_spacing():
    t = task(pulse_width=7.0, min_interval=40.0)
    for b in range(3):
        on = np.flatnonzero(np.diff(np.concatenate([[0.0], np.abs(t.inputs[:, b])])) > 0)
        off = np.flatnonzero(np.diff(np.concatenate([np.abs(t.inputs[:, b]), [0.0]])) < 0)
        assert on[0] == 0 and len(on) > 10
        assert np.all(off[:-1] - on[:-1] + 1 == 7)
        assert np.diff(on).min() >= 40


def test_mean_pulse_interval_matches_the_setting():
    t = training.flipflop_task(200000, rng=np.random.default_rng(1), n_bits=1, pulse_interval=200.0,
                               min_interval=50.0)
    on = np.flatnonzero(np.diff(np.concatenate([[0.0], np.abs(t.inputs[:, 0])])) > 0)
    assert np.mean(np.diff(on)) == pytest.approx(200.0, rel=0.08)


def test_same_seed_same_task_and_network():
    a, b = task(seed=4), task(seed=4)
    assert np.array_equal(a.inputs, b.inputs) and not np.array_equal(a.inputs, task(seed=5).inputs)
    kw = {"n_bits": 3, "g": 1.5, "fb_scale": 1.0, "input_scale": 4.0}
    w1 = training.echo_state_weights(50, rng=np.random.default_rng(2), **kw)
    w2 = training.echo_state_weights(50, rng=np.random.default_rng(2), **kw)
    assert all(np.array_equal(x, y) for x, y in zip(w1, w2, strict=True))


def test_weights_have_the_stated_distributions():
    J, W_fb, W_in = training.echo_state_weights(400, n_bits=3, g=1.5, fb_scale=1.0, input_scale=4.0,
                                                rng=np.random.default_rng(0))
    assert J.shape == (400, 400) and W_fb.shape == W_in.shape == (400, 3)
    assert np.var(J) * 400 == pytest.approx(1.5**2, rel=0.02)
    assert np.abs(W_fb).max() <= 1.0 and np.abs(W_in).max() <= 4.0 and np.abs(W_in).max() > 3.9


def test_force_readout_is_the_ridge_regression_of_the_rates_it_saw():
    """RLS with P(0) = I/alpha, W(0) = 0 gives W = F^T R (R^T R + alpha I)^-1 over the states used (exact)."""
    rng = np.random.default_rng(3)
    N, n, alpha = 30, 80, 2.0
    J, W_fb, W_in = training.echo_state_weights(N, n_bits=2, g=1.5, fb_scale=1.0, input_scale=1.0, rng=rng)
    t = training.flipflop_task(n, rng=rng, n_bits=2, pulse_width=3.0, pulse_interval=20.0, min_interval=10.0)
    W_out = np.zeros((2, N))
    _, _, states, (upd, err, _) = training.run_network(J, W_fb, W_in, W_out, t.inputs, rng.standard_normal(N),
                                                       tau=10.0, dt=1.0, targets=t.targets, alpha=alpha,
                                                       update_every=2, record_every=2)
    R = np.tanh(states)
    ridge = t.targets[upd].T @ R @ np.linalg.inv(R.T @ R + alpha * np.eye(N))
    assert np.allclose(W_out, ridge, atol=1e-9)
    assert upd.tolist() == list(range(0, n, 2)) and err.shape == (n // 2,)


def test_force_update_shrinks_the_error_on_the_current_state():
    """After one update the a-posteriori error on the same rates is e / (1 + r.P r) (Sussillo & Abbott 2009)."""
    rng = np.random.default_rng(0)
    N = 20
    J, W_fb, W_in = training.echo_state_weights(N, n_bits=1, g=1.5, fb_scale=1.0, input_scale=1.0, rng=rng)
    x0, W_out = rng.standard_normal(N), 0.1 * rng.standard_normal((1, N))
    W0, f = W_out.copy(), np.array([[1.0]])
    training.run_network(J, W_fb, W_in, W_out, np.zeros((1, 1)), x0, tau=10.0, dt=1.0, targets=f, alpha=0.5,
                         update_every=1)
    r = np.tanh(x0)
    e = W0 @ r - 1.0
    assert W_out @ r - 1.0 == pytest.approx(e / (1.0 + r @ r / 0.5), rel=1e-10)


def test_training_is_reproducible_and_returns_diagnostics():
    kw = {"N": 40, "train_time": 600.0, "test_time": 300.0, "record_every": 3}
    a = training.train_flipflop(rng=np.random.default_rng(7), **kw)
    b = training.train_flipflop(rng=np.random.default_rng(7), **kw)
    assert np.array_equal(a.W_out, b.W_out) and a.test_mse == b.test_mse
    assert a.n_updates == 300 and a.curve_error.shape == a.curve_t.shape == (300,)
    assert a.test_states.shape == (100, 40) and a.test_outputs.shape == a.test_targets.shape == (100, 3)
    assert np.array_equal(a.J_eff, a.J + a.W_fb @ a.W_out)
    assert a.params["N"] == 40 and a.params["tau"] == 10.0


def test_dataset_round_trip_is_bitwise(tmp_path):
    net = training.train_flipflop(rng=np.random.default_rng(1), N=30, train_time=400.0, test_time=200.0)
    ds = io.with_grid_coords(training.to_dataset(net), g=1.5, N=30, seed=1)
    io.write_dataset(ds, tmp_path / "t.nc", stage="train", params=net.params)
    back = training.from_dataset(io.read_dataset(tmp_path / "t.nc", stage="train"))
    for name in ("J", "W_in", "W_fb", "W_out", "curve_error", "test_states", "test_targets", "curve_t", "test_t"):
        assert np.array_equal(getattr(back, name), getattr(net, name)), name
    assert back.test_mse == net.test_mse and back.params == net.params


def test_a_failed_training_file_becomes_the_analysis_status_through_save_stage(tmp_path):
    """The library decides (training.from_dataset raises), io.save_stage records: the analysis script decides
    nothing (issue 17 item 4)."""
    point = {"g": 1.5, "N": 30, "seed": 1}

    def diverged():
        raise NumericalFailure("diverged", "states left the float range")

    io.save_stage(tmp_path / "train.nc", diverged, stage="train", params=point, point=point)
    trained = io.read_dataset(tmp_path / "train.nc", stage="train", required=("status",))
    with pytest.raises(NumericalFailure, match="training failed: states left the float range") as err:
        training.from_dataset(trained)
    assert err.value.status == "stalled"
    code = io.save_stage(tmp_path / "analysis.nc", lambda: training.from_dataset(trained), stage="trained_analysis",
                         params=point, point=point)
    assert code == STATUS_CODES["stalled"]
    detail = io.read_dataset(tmp_path / "analysis.nc")["status"].attrs["detail"]
    assert detail == "training failed: states left the float range"


@pytest.mark.parametrize("kw, match", [
    ({"tau": 0.0}, "tau"), ({"dt": 20.0}, "dt / tau"), ({"alpha": -1.0}, "alpha"),
    ({"update_every": 0}, "update_every"),
    ({"input_scale": np.nan}, "input_scale"), ({"N": 0}, "N must"), ({"min_interval": 5.0}, "min_interval"),
    ({"pulse_interval": 20.0}, "pulse_interval"), ({"train_time": 0.0}, "train_time"),
])
def test_bad_arguments_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        training.train_flipflop(rng=np.random.default_rng(0), **{"N": 10, "train_time": 10.0, "test_time": 10.0, **kw})
