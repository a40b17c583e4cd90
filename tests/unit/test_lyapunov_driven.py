"""Lyapunov spectra along input sequences: sum rule against log|det| of the step, a linear driven map's log|mu|,
batch means, seeds, and bad arguments; fixed and slow points under a constant input."""

from dataclasses import replace

import numpy as np
import pytest

from rnnchaos import driven_fixed_points, driven_inputs, lyapunov_driven
from rnnchaos.model import Model
from rnnchaos.rnn_stack import RNNStack, random_stack
from rnnchaos.status import NumericalFailure


class LinearDriven:
    """``x' = A x + B u``: every Jacobian is ``A``, so the exponents are ``log|mu_i(A)|`` whatever the input."""

    name, time_step = "linear", 1.0

    def __init__(self, A, B):
        self.A, self.B = A, B
        self.n, self.n_inputs = A.shape[0], B.shape[1]

    def step(self, x, u=None):
        u = np.zeros(self.n_inputs) if u is None else np.asarray(u)
        return self.A @ x + (self.B @ u if x.ndim == 1 or u.ndim == 2 else (self.B @ u)[:, None])

    def tangent(self, x, Q, u=None):
        return self.A @ Q

    def jacobian(self, x, u=None):
        return self.A.copy()

    def residual(self, x, u=None):
        return self.step(x, u) - x

    def residual_jacobian(self, x, u=None):
        return self.A - np.eye(self.n)

    def attrs(self):
        return {"model": self.name}


class Quadratic1D:
    """``x' = x + x^2 + 0.1 + u``: no fixed point for ``u = 0`` (``x^2 + 0.1 > 0``), a slow point at ``x = 0``
    with ``q = 0.1^2 / 2``; for ``u = -0.1 - 0.04`` fixed points at ``x = +-0.2``."""

    name, time_step, n, n_inputs = "quadratic", 1.0, 1, 1

    def step(self, x, u=None):
        u = 0.0 if u is None else np.asarray(u)[0]
        return x + x**2 + 0.1 + u

    def tangent(self, x, Q, u=None):
        return (1 + 2 * x[0]) * Q

    def jacobian(self, x, u=None):
        return np.array([[1 + 2 * x[0]]])

    def residual(self, x, u=None):
        return self.step(x, u) - x

    def residual_jacobian(self, x, u=None):
        return self.jacobian(x, u) - 1

    def attrs(self):
        return {"model": self.name}


def linear_model(mu, seed=0):
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(len(mu), len(mu))) + 2 * np.eye(len(mu))  # non-normal: a generic basis
    return LinearDriven(P @ np.diag(mu) @ np.linalg.inv(P), rng.normal(size=(len(mu), 2)))


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
def test_sum_of_all_exponents_is_the_time_average_of_log_det(cell):
    """QR after every step: the frame never spreads, so the identity holds to rounding (with t_ons = 3 the
    LSTM's spread of e^17 over three steps costs ~1e-9 relative in the smallest R_ii)."""
    s = random_stack(cell, input_size=2, hidden_size=4, num_layers=2, scale=1.2, rng=np.random.default_rng(0))
    if cell == "rnn_relu":  # keep every unit active (a silent ReLU unit makes the Jacobian singular: -inf)
        s = RNNStack(cell, [replace(w, w_ih=0.1 * w.w_ih, w_hh=0.1 * w.w_hh, b_ih=w.b_ih + 3.0) for w in s.layers])
    U = driven_inputs.white_noise(np.random.default_rng(1), batch=2, steps=80, n_inputs=2, sigma=0.7)
    r = lyapunov_driven.driven_lyapunov_spectrum(s, U, k=s.n, rng=np.random.default_rng(2), warmup=10,
                                                 warmup_tangent=10, t_ons=1, n_batches=4, exact_log_det=True)
    for b in range(2):
        x = np.zeros(s.n)
        for t in range(20):
            x = s.step(x, U[b, t])
        logdet = []
        for t in range(20, 80):
            logdet.append(np.linalg.slogdet(s.jacobian(x, U[b, t]))[1])
            x = s.step(x, U[b, t])
        np.testing.assert_allclose(r.per_sequence[b].sum(), np.mean(logdet), rtol=1e-12)
        np.testing.assert_allclose(r.final_states[b], x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r.log_det_mean, r.per_sequence.sum(axis=1), rtol=1e-12)
    assert r.n_steps == 60 and r.n_qr == 60


@pytest.mark.parametrize("t_ons", [1, 7])
def test_linear_driven_map_gives_log_abs_eigenvalues(t_ons):
    mu = np.array([0.97, -0.8, 0.5, 0.2])
    model = linear_model(mu)
    assert isinstance(model, Model)
    U = driven_inputs.white_noise(np.random.default_rng(3), batch=3, steps=3000, n_inputs=2, sigma=1.0)
    r = lyapunov_driven.driven_lyapunov_spectrum(model, U, k=3, rng=np.random.default_rng(4), warmup=0,
                                                 warmup_tangent=200, t_ons=t_ons, n_batches=5)
    want = np.log(np.abs(mu))[:3]
    np.testing.assert_allclose(r.per_sequence, np.broadcast_to(want, (3, 3)), atol=2e-3)
    np.testing.assert_allclose(r.exponents, want, atol=2e-3)


def test_batch_means_average_to_the_sequence_exponents_and_seeds_reproduce():
    s = random_stack("gru", input_size=2, hidden_size=6, rng=np.random.default_rng(5), scale=2.0)
    U = driven_inputs.white_noise(np.random.default_rng(6), batch=4, steps=230, n_inputs=2, sigma=1.0)
    kw = dict(k=3, warmup=20, warmup_tangent=10, t_ons=5, n_batches=8)
    r = lyapunov_driven.driven_lyapunov_spectrum(s, U, rng=np.random.default_rng(7), **kw)
    np.testing.assert_allclose(r.batch_exponents.mean(axis=1), r.per_sequence, rtol=1e-12)  # 40 QRs, 8 x 5
    np.testing.assert_allclose(r.batch_sem, r.batch_exponents.std(axis=1, ddof=1) / np.sqrt(8))
    np.testing.assert_allclose(r.sem, r.per_sequence.std(axis=0, ddof=1) / 2)
    assert np.all(np.diff(r.exponents) <= 0) and not np.allclose(r.per_sequence[0], r.per_sequence[1])
    again = lyapunov_driven.driven_lyapunov_spectrum(s, U, rng=np.random.default_rng(7), **kw)
    assert np.array_equal(again.per_sequence, r.per_sequence)
    assert np.isnan(lyapunov_driven.driven_lyapunov_spectrum(s, U[:1], rng=np.random.default_rng(7), **kw).sem).all()


def test_bad_arguments_name_the_shape_and_range():
    s = random_stack("lstm", input_size=3, hidden_size=4, rng=np.random.default_rng(0))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"inputs has shape \(2, 50, 2\): input dimension 2.*n_inputs = 3"):
        lyapunov_driven.driven_lyapunov_spectrum(s, np.zeros((2, 50, 2)), k=2, rng=rng)
    with pytest.raises(ValueError, match=r"warmup \+ warmup_tangent must be < T = 50"):
        lyapunov_driven.driven_lyapunov_spectrum(s, np.zeros((2, 50, 3)), k=2, rng=rng, warmup=30,
                                                 warmup_tangent=20)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 8\]"):
        lyapunov_driven.driven_lyapunov_spectrum(s, np.zeros((1, 50, 3)), k=9, rng=rng, warmup=0, warmup_tangent=0)
    with pytest.raises(ValueError, match=r"n_batches must be <= 5"):
        lyapunov_driven.driven_lyapunov_spectrum(s, np.zeros((1, 50, 3)), k=2, rng=rng, warmup=0,
                                                 warmup_tangent=0, t_ons=10, n_batches=6)
    with pytest.raises(ValueError, match=r"\(shape \(1, 50, 3\)\) has 1 non-finite"):
        lyapunov_driven.driven_lyapunov_spectrum(s, np.where(np.arange(150).reshape(1, 50, 3) == 7, np.nan, 0.0),
                                                 k=2, rng=rng)


def test_a_diverging_model_raises_numerical_failure():
    model = linear_model(np.array([1e80, 0.5]))
    with pytest.raises(NumericalFailure, match="diverged"):
        lyapunov_driven.driven_lyapunov_spectrum(model, np.ones((1, 40, 2)), k=1, rng=np.random.default_rng(0),
                                                 warmup=0, warmup_tangent=0)


def test_qr_intervals_cover_the_steps():
    assert lyapunov_driven.qr_intervals(23, 5) == [5, 5, 5, 5, 3]
    assert lyapunov_driven.qr_intervals(0, 5) == []


def test_fixed_point_under_constant_input_is_the_limit_of_a_contracting_network():
    s = random_stack("gru", input_size=2, hidden_size=5, num_layers=2, scale=0.3, rng=np.random.default_rng(8))
    u = np.array([0.7, -1.2])
    x = np.zeros(s.n)
    for _ in range(2000):
        x = s.step(x, u)
    starts = np.random.default_rng(9).normal(size=(6, s.n))
    fp = driven_fixed_points.driven_fixed_points(s, u, starts)
    assert fp.x.shape == (1, s.n) and fp.residual[0] < 1e-10 and fp.n_unstable[0] == 0
    np.testing.assert_allclose(fp.x[0], x, atol=1e-10)
    np.testing.assert_allclose(np.sort(np.abs(fp.eigvals[0])), np.sort(np.abs(np.linalg.eigvals(s.jacobian(x, u)))),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"u must have shape \(2,\).*got \(3,\)"):
        driven_fixed_points.driven_fixed_points(s, np.zeros(3), starts)


def test_slow_point_is_reported_with_q_and_not_as_a_fixed_point():
    model = Quadratic1D()
    starts = np.array([[0.5], [-0.7], [1.0]])
    none = driven_fixed_points.driven_fixed_points(model, np.array([0.0]), starts)
    assert none.x.shape[0] == 0 and none.slow_points.shape[0] >= 1
    np.testing.assert_allclose(none.slow_points[:, 0], 0.0, atol=1e-4)
    np.testing.assert_allclose(none.slow_q, 0.1**2 / 2, rtol=1e-6)
    two = driven_fixed_points.driven_fixed_points(model, np.array([-0.14]), starts)
    np.testing.assert_allclose(np.sort(two.x[:, 0]), [-0.2, 0.2], atol=1e-10)
    assert sorted(two.n_unstable.tolist()) == [0, 1]  # mu = 1 + 2x: 0.6 (stable) and 1.4 (unstable)
