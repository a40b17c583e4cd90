"""The trained network with its input on (rnnchaos.trained_input): the driven model, the trial's input, and the
spectrum along the trial against the input-off spectrum (u = 0), the trace/log-det sum rules and seeds."""

import numpy as np
import pytest

from rnnchaos import lyapunov, trained_input, training

N_BITS = 3


def network(N=10, *, g=1.5, dt=1.0, tau=10.0, record_every=1, test_steps=600, seed=0):
    """An untrained closed loop (random J, W_fb, W_in and readout W_out) with a test trial of flip-flop pulses run
    by training.run_network, as train_flipflop records it (states every ``record_every`` steps, before the step)."""
    rng = np.random.default_rng(seed)
    J, W_fb, W_in = training.echo_state_weights(N, n_bits=N_BITS, g=g, fb_scale=1.0, input_scale=4.0, rng=rng)
    W_out = rng.normal(0.0, 0.3 / np.sqrt(N), (N_BITS, N))
    task = training.flipflop_task(test_steps, rng=rng, n_bits=N_BITS, dt=dt, pulse_width=10 * dt,
                                  pulse_interval=60 * dt, min_interval=20 * dt)
    x0 = rng.standard_normal(N)
    _, z, states, _ = training.run_network(J, W_fb, W_in, W_out, task.inputs, x0, tau=tau, dt=dt,
                                           record_every=record_every)
    keep = slice(None, None, record_every)
    params = dict(N=N, g=g, tau=tau, dt=dt, test_time=test_steps * dt, n_bits=N_BITS, record_every=record_every,
                  nonlinearity="tanh")
    return training.TrainedNetwork(
        J=J, W_in=W_in, W_fb=W_fb, W_out=W_out, curve_t=np.zeros(1), curve_error=np.zeros(1),
        curve_w_norm=np.zeros(1), test_t=np.arange(test_steps)[keep] * dt, test_inputs=task.inputs[keep],
        test_targets=task.targets[keep], test_outputs=z[keep], test_states=states, test_mse=np.nan,
        test_sign_error=np.nan, train_mse_final=np.nan, n_updates=0, cpu_time=0.0, params=params), task.inputs


def test_the_driven_model_is_the_closed_loop_of_training():
    net, U = network(N=8, record_every=1, test_steps=300)
    model = trained_input.closed_loop_model(net, input_on=True)
    assert model.n_inputs == N_BITS and model.time_step == pytest.approx(0.1)
    x = net.test_states[0]
    for t in range(300):  # training's Euler step with the readout fed back: the stored trial, to rounding
        x = model.step(x, U[t])
        if t + 1 < 300:
            np.testing.assert_allclose(x, net.test_states[t + 1], rtol=0, atol=1e-12)
    u = np.array([1.0, -1.0, 0.5])
    y = net.test_states[10]
    assert np.allclose(model.residual(y, u), -y + net.J_eff @ np.tanh(y) + net.W_in @ u)
    assert np.array_equal(model.step(y), trained_input.closed_loop_model(net).step(y))  # u = None: input off
    X = np.stack([y, -y], axis=1)  # batches of states (N, B)
    assert np.allclose(model.step(X, u)[:, 1], model.step(-y, u))


def test_bad_arguments_are_named():
    net, _ = network(N=6, test_steps=200)
    with pytest.raises(ValueError, match="t_ons must be a whole multiple"):
        trained_input.input_on_spectrum(net, rng=np.random.default_rng(0), k=3, t_ons=0.15)
    with pytest.raises(ValueError, match="t_transient_tangent"):
        trained_input.input_on_spectrum(net, rng=np.random.default_rng(0), k=3, t_transient_tangent=np.nan)
    with pytest.raises(ValueError, match="n_inputs = 3"):
        trained_input.input_on_spectrum(net, rng=np.random.default_rng(0), k=3, inputs=np.zeros((200, 2)))


def test_held_samples_rebuild_the_pulses_with_their_width_and_sign():
    net, U = network(N=6, record_every=5, test_steps=600)
    V = trained_input.trial_inputs(net)
    assert V.shape == U.shape
    assert np.array_equal(V[::5], U[::5])
    T = U.shape[0]
    for b in range(N_BITS):  # every pulse 10 steps wide with its sign, its onset moved to the next stored sample
        on = np.flatnonzero(np.diff(U[:, b] != 0, prepend=0) > 0)
        assert on.size >= 5
        for n0 in on[on + 15 <= T]:
            m0 = -(-n0 // 5) * 5
            assert np.all(V[m0:m0 + 10, b] == U[n0, b]) and V[m0 + 10, b] == 0 and np.all(V[n0:m0, b] == 0)


def test_exact_input_replays_the_trial_and_the_held_input_nearly():
    net1, _ = network(N=12, g=0.8, record_every=1)
    assert trained_input.input_on_spectrum(net1, rng=np.random.default_rng(0), k=3).replay_error < 1e-10
    net5, _ = network(N=12, g=0.8, record_every=5)
    err = trained_input.input_on_spectrum(net5, rng=np.random.default_rng(0), k=3).replay_error
    assert 1e-6 < err < 0.5  # the moved onsets (< 0.5 tau) show, the trial is followed


def test_zero_input_gives_the_input_off_spectrum_with_the_same_steps_and_frame():
    net, U = network(N=20, g=2.0)
    k, n_batches = 6, 5
    on = trained_input.input_on_spectrum(net, rng=np.random.default_rng(7), k=k, n_batches=n_batches,
                                         t_transient_tangent=10.0, inputs=np.zeros_like(U))
    off = lyapunov.lyapunov_spectrum(trained_input.closed_loop_model(net), k=k, t_transient=0.0,
                                     t_transient_tangent=10.0, t_sim=50.0, t_ons=1.0, n_batches=n_batches,
                                     rng=np.random.default_rng(7), x0=net.test_states[0])
    assert on.result.n_steps == off.n_steps == 500 and on.result.n_qr == off.n_qr
    np.testing.assert_allclose(on.exponents, off.exponents, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(on.sem, off.exponents_sem, rtol=1e-8, atol=1e-13)
    driven = trained_input.input_on_spectrum(net, rng=np.random.default_rng(7), k=k, n_batches=n_batches,
                                             t_transient_tangent=10.0)
    assert np.abs(driven.exponents - off.exponents).max() > 5 * off.exponents_sem.max()  # the pulses matter


@pytest.mark.parametrize("dt", [1.0, 0.1])
def test_all_exponents_sum_to_the_log_det_and_to_the_trace_along_the_driven_trajectory(dt):
    """Sum of all N exponents = <log|det(I + h DF)|> / h exactly, and (1/h) log det(I + h A) = tr A - (h/2) tr A^2 +
    O(h^2): the sum per unit is the time-averaged trace along the driven trajectory up to that known O(h) term
    (remainder measured: -0.60 h^2 at h = 0.1, -0.61 h^2 at h = 0.01)."""
    N = 8
    net, U = network(N=N, g=1.5, dt=dt, test_steps=int(round(300 / dt)))
    sp = trained_input.input_on_spectrum(net, rng=np.random.default_rng(3), k=N, inputs=U, exact_log_det=True,
                                         t_transient_tangent=5.0)
    total = sp.exponents.sum()
    assert total == pytest.approx(sp.result.log_det_mean[0], rel=1e-9, abs=1e-12)
    model = trained_input.closed_loop_model(net, input_on=True)
    h, x, tr, tr2 = model.time_step, net.test_states[0], [], []
    for t, u in enumerate(U):  # the driven trajectory, Jacobians where the frame accumulates
        if t >= sp.result.warmup_tangent:
            A = model.residual_jacobian(x)
            tr.append(np.trace(A))
            tr2.append(np.trace(A @ A))
        x = model.step(x, u)
    assert sp.jacobian_trace_mean == pytest.approx(np.mean(tr) / N, rel=1e-12)
    second = -0.5 * h * np.mean(tr2) / N
    assert abs(total / N - sp.jacobian_trace_mean - second) < h**2
    off = trained_input.input_on_spectrum(net, rng=np.random.default_rng(3), k=N, inputs=np.zeros_like(U),
                                          t_transient_tangent=5.0)
    assert abs(off.jacobian_trace_mean - sp.jacobian_trace_mean) > 5 * h**2  # the input moves the trajectory


def test_same_seed_same_spectrum_another_seed_another_frame():
    net, _ = network(N=15, g=2.0)
    a, b, c = (trained_input.input_on_spectrum(net, rng=np.random.default_rng(s), k=4) for s in (1, 1, 2))
    assert np.array_equal(a.exponents, b.exponents) and np.array_equal(a.sem, b.sem)
    assert not np.array_equal(a.exponents, c.exponents)
    np.testing.assert_allclose(a.exponents, c.exponents, atol=5 * max(a.sem.max(), c.sem.max()))


def test_dataset_has_units_and_the_batch_means():
    net, _ = network(N=10)
    sp = trained_input.input_on_spectrum(net, rng=np.random.default_rng(0), k=5)
    ds = trained_input.to_dataset(sp)
    assert ds["input_on_exponent"].dims == ("exponent_index",) and ds.sizes["input_on_batch"] == 10
    assert all("units" in ds[v].attrs and "long_name" in ds[v].attrs for v in ds.data_vars)
    np.testing.assert_allclose(ds["input_on_batch_exponent"].mean("input_on_batch"), sp.exponents, rtol=1e-12)
    np.testing.assert_allclose(ds["input_on_exponent_per_time"], sp.exponents / 10.0)
