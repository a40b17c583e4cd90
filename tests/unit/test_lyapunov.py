"""Lyapunov spectra against closed forms and exact identities (small N, seconds).

* Linear systems: with ``theta = 0`` and ``x0 = 0`` the state stays at 0 (``tanh 0 = 0``, ``phi'(0) = 1``), so the
  tangent dynamics are linear with a constant matrix and the exponents are ``log|eig|`` of the one-step matrix:
  ``1 + dt (mu - 1)`` (Euler), ``R4(dt (mu - 1))`` (RK4 stability polynomial), ``mu`` (map), ``mu = eig(J)``.
* ``sum_i lambda_i = <log|det DS|> / h`` exactly for ``k = N`` (discretised flow), checked against an independent
  ``slogdet`` along a trajectory recomputed with :mod:`rnnchaos.dynamics`.
* The accumulated ``sum log R_ii`` is the log-diagonal of the R factor of ``DS^n Q0`` whatever the QR schedule, so
  results do not depend on ``t_ons`` (beyond rounding): ``t_ons="auto"`` (the default, used by the tests above
  that set no ``t_ons``) gives the ``t_ons = 1`` exponents to 1e-8 on the same trajectory.
* A frame left too long collapses (the issue's map at g = 6, t_ons = 100): its R-diagonal spread exceeds
  ``ln(1/eps) - ln(10)`` and the run stops with ``qr_breakdown`` instead of reporting exponents.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from rnnchaos import config as rconfig
from rnnchaos import config_schema, dynamics, io, lyapunov, lyapunov_blas, lyapunov_schedule, models, network
from rnnchaos.lyapunov import kaplan_yorke, lyapunov_spectrum, make_workspace, to_dataset
from rnnchaos.lyapunov_backends import ArrayWorkspace
from rnnchaos.lyapunov_blas import BlasWorkspace
from rnnchaos.lyapunov_kernel import qr_step
from rnnchaos.status import NumericalFailure

from ..conftest import ROOT


def _nonnormal(mu, seed=0):
    """Real matrix with eigenvalues ``mu`` and a non-orthogonal eigenbasis."""
    rng = np.random.default_rng(seed)
    n = len(mu)
    S = np.eye(n) + 0.8 * rng.standard_normal((n, n))
    return S @ np.diag(mu) @ np.linalg.inv(S)


def _gauss(N, g, seed):
    return g / np.sqrt(N) * np.random.default_rng(seed).standard_normal((N, N))


def _linear(model, J, *, k=None, **kw):
    N = J.shape[0]
    opts = {"t_transient": 0.0, "t_transient_tangent": 50.0, "t_sim": 400.0, "rng": np.random.default_rng(1)}
    opts.update(kw)
    return lyapunov_spectrum(model, J, np.zeros(N), k=k or N, x0=np.zeros(N), **opts)


def _rk4_factor(z):
    return 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24


MU = np.array([1.6, 1.2, 0.9, -0.7, 0.3, 0.05])  # distinct moduli, real: no rotating blocks


@pytest.mark.parametrize(("dtype", "coupling_dtype"),
                         [("float64", "float64"), ("float32", "float64"), ("float32", "float32")])
def test_linear_rate_euler_matches_eigenvalues(dtype, coupling_dtype):
    dt = 0.1
    r = _linear("rate", _nonnormal(MU), dt=dt, dtype=dtype, coupling_dtype=coupling_dtype)
    exact = np.sort(np.log(np.abs(1 + dt * (MU - 1))) / dt)[::-1]
    tol = 1e-6 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(r.exponents, exact, atol=tol)
    assert r.lambda_max == pytest.approx(exact[0], abs=tol)


def test_linear_rate_rk4_matches_stability_polynomial_and_dt_to_0():
    J = _nonnormal(MU)
    for dt in (0.2, 0.05):
        r = _linear("rate", J, dt=dt, method="rk4", t_sim=200.0)
        exact = np.sort(np.log(np.abs(_rk4_factor(dt * (MU - 1)))) / dt)[::-1]
        np.testing.assert_allclose(r.exponents, exact, atol=1e-6)
    # dt -> 0: RK4 exponents approach Re eig(-I + J) with O(dt^4) error
    np.testing.assert_allclose(r.exponents, np.sort(MU - 1)[::-1], atol=1e-5)


def test_linear_map_matches_log_modulus():
    r = _linear("map", _nonnormal(MU), t_sim=300.0)
    np.testing.assert_allclose(r.exponents, np.sort(np.log(np.abs(MU)))[::-1], atol=1e-6)


@pytest.mark.parametrize("k", [1, 4])
def test_linear_gaussian_matrix_with_complex_pairs_partial_spectrum(k):
    J = _gauss(10, 1.3, 4)
    r = _linear("map", J, k=k, t_sim=2000.0)
    exact = np.sort(np.log(np.abs(np.linalg.eigvals(J))))[::-1][:k]
    np.testing.assert_allclose(r.exponents, exact, atol=3e-3)


def _tangent_matrix(ws):
    ws.advance(1)
    return np.array(ws.Q, dtype=float)


@pytest.mark.parametrize(("model", "method", "cls"), [
    ("rate", "euler", "blas"), ("map", "euler", "blas"),
    ("rate", "euler", "array"), ("map", "euler", "array"), ("rate", "rk4", "array"),
])
def test_tangent_is_derivative_of_the_integrator_step(model, method, cls):
    """One tangent step with Q = I equals the finite-difference Jacobian of rnnchaos.dynamics.step."""
    N, dt = 7, 0.3
    rng = np.random.default_rng(3)
    J, theta, x = _gauss(N, 2.0, 5), 0.3 * rng.standard_normal(N), rng.standard_normal(N)
    if cls == "blas":
        ws = BlasWorkspace(model, J, theta, x, np.eye(N), dt=dt)
    else:
        ws = ArrayWorkspace(np, model, J, theta, x, np.eye(N), dt=dt, method=method)
    DS = _tangent_matrix(ws)
    eps = 1e-6
    fd = np.column_stack([
        (dynamics.step(model, x + eps * e, J, theta, dt, method)
         - dynamics.step(model, x - eps * e, J, theta, dt, method)) / (2 * eps) for e in np.eye(N)])
    np.testing.assert_allclose(DS, fd, atol=1e-8)
    np.testing.assert_allclose(ws.state(), dynamics.step(model, x, J, theta, dt, method), atol=1e-13)


@pytest.mark.parametrize(("model", "dtype", "coupling"), [
    ("rate", "float64", "float64"), ("rate", "float32", "float64"), ("map", "float64", "float64"),
    ("rate", "float32", "float32"), ("map", "float32", "float32"),
])
def test_array_workspace_agrees_with_blas_kernel(model, dtype, coupling):
    N, k = 20, 6
    J, rng = _gauss(N, 2.0, 7), np.random.default_rng(2)
    theta, x, Q = 0.2 * rng.standard_normal(N), rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    a = make_workspace(models.make(model, J, theta, dt=0.1), x, Q, dtype=dtype, coupling_dtype=coupling)
    b = ArrayWorkspace(np, model, J, theta, x, Q, dt=0.1, dtype=dtype, coupling_dtype=coupling)
    tol = 1e-10 if dtype == "float64" else 1e-4
    for _ in range(5):
        np.testing.assert_allclose(qr_step(a, 4), qr_step(b, 4), atol=tol)
        assert a.log_col_max == pytest.approx(b.log_col_max, abs=tol)  # the spread check sees the same frame
    np.testing.assert_allclose(a.state(), b.state(), atol=1e-12 if coupling == "float64" else 1e-5)
    np.testing.assert_allclose(np.abs(np.asarray(a.Q).T @ np.asarray(a.Q)), np.eye(k), atol=10 * tol)


@pytest.mark.parametrize("blas", ["numpy", "scipy"])
@pytest.mark.parametrize(("model", "dt", "m"),
                         [("rate", 0.05, 40), ("rate", 0.9, 10), ("rate", 1.0, 7), ("map", 1.0, 37)])
def test_float32_chunks_follow_the_float64_kernel(model, dt, m, blas):
    """float32 runs a chunk's state steps, then its frame steps on Q / (1 - dt)^j (chunks of 16, 6 for dt = 0.9;
    beta = 0 for dt = 1 and the map): same state, same frame and log R as float64 within float32 rounding."""
    N, k = 30, 7
    J, rng = _gauss(N, 1.5, 19), np.random.default_rng(6)
    theta, x, Q = 0.3 * rng.standard_normal(N), rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    a = BlasWorkspace(model, J, theta, x, Q, dt=dt)
    b = BlasWorkspace(model, J, theta, x, Q, dt=dt, dtype="float32", f32_blas=blas)
    assert b.chunk == (6 if dt == 0.9 else lyapunov_blas.CHUNK)
    for _ in range(3):
        np.testing.assert_allclose(qr_step(b, m), qr_step(a, m), atol=1e-4 * m)
        np.testing.assert_allclose(b.state(), a.state(), atol=1e-10)
        np.testing.assert_allclose(np.asarray(b.Q, dtype=float), a.Q, atol=1e-4)
    assert b.trace_sum == pytest.approx(a.trace_sum, rel=1e-12) and b.logphi_sum == pytest.approx(a.logphi_sum)


@pytest.mark.parametrize(("env", "single"), [
    ({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "4"}, True), ({"OPENBLAS_NUM_THREADS": "2"}, False),
    ({"OMP_NUM_THREADS": "1"}, True), ({"GOTO_NUM_THREADS": "8", "OMP_NUM_THREADS": "1"}, False),
])
def test_float32_uses_numpys_blas_only_when_single_threaded(monkeypatch, env, single):
    for var in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert lyapunov_blas.blas_single_threaded() is single
    ws = BlasWorkspace("rate", np.eye(4), np.zeros(4), np.ones(4), np.eye(4)[:, :2], dt=0.1, dtype="float32")
    assert ws.f32_blas == ("numpy" if single else "scipy")


@pytest.mark.parametrize("kernel", ["geqrt", "geqrf"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_reorthonormalisation_is_sign_fixed_householder_qr(dtype, kernel):
    """After a QR the new frame Q' satisfies M = Q' R with R upper triangular, diag(R) = exp(log_r) > 0."""
    N, k = 30, 8
    J, rng = _gauss(N, 2.0, 3), np.random.default_rng(0)
    ws = BlasWorkspace("rate", J, np.zeros(N), rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0],
                       dt=0.1, dtype=dtype, qr_kernel=kernel)
    for _ in range(3):
        ws.advance(10)
        M = np.array(ws.Q, dtype=float)
        log_r = ws.reorthonormalize()
        Q = np.array(ws.Q, dtype=float)
        R = Q.T @ M
        tol = 1e-12 if dtype == "float64" else 1e-5
        np.testing.assert_allclose(Q.T @ Q, np.eye(k), atol=10 * tol)
        np.testing.assert_allclose(np.tril(R, -1), 0, atol=tol * np.abs(R).max())
        np.testing.assert_allclose(np.diag(R), np.exp(log_r), rtol=100 * tol)


@pytest.mark.parametrize("kernel", ["geqrf", "geqrt"])  # k = N uses geqrf; force geqrt too
def test_sum_of_exponents_is_mean_log_det_rate_euler(monkeypatch, kernel):
    """Exact identity for the Euler map: sum_i lambda_i = (1/T) sum_n log|det(I + dt DF(x_n))|."""
    monkeypatch.setattr(lyapunov_blas, "qr_kernel_for", lambda N, k: kernel)
    N, dt = 12, 0.1
    J, rng = _gauss(N, 2.0, 11), np.random.default_rng(5)
    theta, x0 = 0.3 * rng.standard_normal(N), rng.standard_normal(N)
    r = lyapunov_spectrum("rate", J, theta, k=N, dt=dt, t_transient=0.0, t_transient_tangent=0.0, t_sim=40.0,
                          n_batches=4, rng=rng, x0=x0, exact_log_det=True)
    assert r.mean_exponent == pytest.approx(r.log_det_mean, rel=1e-6)
    x, logdet, trace = x0.copy(), 0.0, 0.0
    for _ in range(r.n_steps):  # independent recomputation along the same trajectory
        logdet += np.linalg.slogdet(np.eye(N) + dt * dynamics.rate_jacobian(x, J))[1]
        trace += np.trace(dynamics.rate_jacobian(x, J))
        x = dynamics.rate_step(x, J, theta, dt)
    assert r.exponents.sum() == pytest.approx(logdet / (r.n_steps * dt), rel=1e-6)
    assert r.jacobian_trace_mean == pytest.approx(trace / (r.n_steps * N), rel=1e-9)
    # the continuous-time trace differs at finite dt (it is the dt -> 0 counterpart)
    assert r.jacobian_trace_mean != pytest.approx(r.mean_exponent, rel=1e-3)


def test_sum_of_exponents_is_mean_log_det_map():
    N = 12
    J, rng = _gauss(N, 2.0, 11), np.random.default_rng(5)
    theta, x0 = 0.3 * rng.standard_normal(N), rng.standard_normal(N)
    r = lyapunov_spectrum("map", J, theta, k=N, t_transient=0.0, t_transient_tangent=0.0, t_sim=40.0,
                          n_batches=4, rng=rng, x0=x0)
    assert r.mean_exponent == pytest.approx(r.jacobian_trace_mean, rel=1e-6)
    a, logdet = x0.copy(), 0.0
    for _ in range(r.n_steps):
        logdet += np.linalg.slogdet(dynamics.map_jacobian(a, J))[1]
        a = dynamics.map_step(a, J, theta)
    assert r.exponents.sum() == pytest.approx(logdet / r.n_steps, rel=1e-6)


def test_rk4_sum_of_exponents_approaches_the_jacobian_trace():
    """Continuous flow: sum_i lambda_i = <tr DF>; RK4 at small dt reproduces it (Euler does not)."""
    N = 10
    J = _gauss(N, 2.0, 11)
    kw = {"k": N, "t_transient": 20.0, "t_transient_tangent": 5.0, "t_sim": 50.0, "n_batches": 5}
    r = lyapunov_spectrum("rate", J, np.zeros(N), dt=0.05, method="rk4", rng=np.random.default_rng(0), **kw)
    assert r.mean_exponent == pytest.approx(r.jacobian_trace_mean, rel=1e-4)
    e = lyapunov_spectrum("rate", J, np.zeros(N), dt=0.05, rng=np.random.default_rng(0), **kw)
    assert abs(e.mean_exponent - e.jacobian_trace_mean) > 10 * abs(r.mean_exponent - r.jacobian_trace_mean)


def test_results_do_not_depend_on_t_ons():
    N = 40
    J = _gauss(N, 2.0, 13)
    res = [lyapunov_spectrum("rate", J, np.zeros(N), k=N, t_ons=t, t_transient=20.0, t_transient_tangent=10.0,
                             t_sim=60.0, n_batches=6, rng=np.random.default_rng(8)) for t in (0.5, 1.0, 2.0)]
    for r in res[1:]:
        np.testing.assert_allclose(r.exponents, res[0].exponents, atol=1e-9)
        np.testing.assert_allclose(r.exponents_sem, res[0].exponents_sem, atol=1e-9)
    assert [r.n_qr for r in res] == [120, 60, 30]
    assert np.all(res[0].exponents_sem > 0)  # identical, not merely within error bars


def test_contracting_network_g_below_one():
    N, g, dt = 80, 0.5, 0.1
    J = _gauss(N, g, 17)
    r = lyapunov_spectrum("rate", J, np.zeros(N), k=N, dt=dt, t_transient=50.0, t_transient_tangent=50.0,
                          t_sim=200.0, rng=np.random.default_rng(0))
    mu = np.linalg.eigvals(J)
    assert np.all(r.exponents < 0)
    assert r.d_ky == 0.0 and r.entropy_rate == 0.0
    assert r.lambda_max == pytest.approx(np.max(np.log(np.abs(1 + dt * (mu - 1)))) / dt, abs=0.01)
    assert r.lambda_max == pytest.approx(np.max(mu.real) - 1, abs=0.05)  # dt -> 0 value, O(dt) away


def _chaotic_net():
    """N = 200, g = 3: lambda_1 ~ 0.18, lambda_2 ~ 0.16 (small networks at g = 2 may sit on fixed points)."""
    return network.draw_disorder(200, 1).couplings(3.0)


def test_float32_lambda_max_within_one_percent_of_float64():
    """Same rng, so both runs follow the same float64 trajectory; only the frame's precision differs."""
    J = _chaotic_net()
    N = J.shape[0]
    kw = {"k": 10, "t_transient": 50.0, "t_transient_tangent": 10.0, "t_sim": 100.0}
    r64 = lyapunov_spectrum("rate", J, np.zeros(N), dtype="float64", rng=np.random.default_rng(0), **kw)
    r32 = lyapunov_spectrum("rate", J, np.zeros(N), dtype="float32", rng=np.random.default_rng(0), **kw)
    assert r64.lambda_max > 0
    assert r32.lambda_max == pytest.approx(r64.lambda_max, rel=0.01)
    np.testing.assert_allclose(r32.exponents, r64.exponents, atol=0.01 * abs(r64.lambda_max))
    assert r32.dtype == "float32"


def test_same_seed_same_result_and_seed_matters():
    N = 30
    J = _gauss(N, 2.0, 23)
    kw = {"k": 5, "t_transient": 10.0, "t_transient_tangent": 5.0, "t_sim": 30.0}
    a = lyapunov_spectrum("rate", J, np.zeros(N), rng=np.random.default_rng(4), **kw)
    b = lyapunov_spectrum("rate", J, np.zeros(N), rng=np.random.default_rng(4), **kw)
    c = lyapunov_spectrum("rate", J, np.zeros(N), rng=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(a.exponents, b.exponents)
    np.testing.assert_array_equal(a.running, b.running)
    assert not np.array_equal(a.exponents, c.exponents)


def test_running_estimate_and_batches():
    N = 20
    r = lyapunov_spectrum("map", _gauss(N, 2.0, 29), np.zeros(N), k=8, t_transient=10.0, t_ons=1.0,
                          t_transient_tangent=5.0, t_sim=500.0, n_batches=20, rng=np.random.default_rng(0))
    assert r.running.shape == (len(r.running_t), 5) and len(r.running_t) <= 200
    assert np.all(np.diff(r.running_t) > 0) and r.running_t[-1] == r.t_sim == 500.0
    np.testing.assert_allclose(r.running[-1], r.exponents[:5], rtol=1e-12)
    assert np.all(r.exponents_sem > 0) and r.lambda_max_sem == r.exponents_sem[0]
    assert r.entropy_rate == pytest.approx(r.exponents[r.exponents > 0].sum())
    assert r.n_steps == 500 and r.n_qr == 500 and r.dt == 1.0 and r.method == "map"


def test_kaplan_yorke_closed_forms():
    assert kaplan_yorke(np.array([1.0, -0.5, -2.0]), 3) == (2.25, False)
    assert kaplan_yorke(np.array([-0.1, -1.0]), 2) == (0.0, False)
    assert kaplan_yorke(np.array([0.5, 0.2]), 5) == (2.0, True)  # k < N, sum still >= 0: lower bound
    assert kaplan_yorke(np.array([0.5, 0.2]), 2) == (2.0, False)  # k = N: D = N
    assert kaplan_yorke(np.array([-2.0, 1.0]), 2) == (1.5, False)  # sorted first


def test_d_ky_lower_bound_flagged_for_truncated_spectrum():
    J = _chaotic_net()
    r = lyapunov_spectrum("rate", J, np.zeros(J.shape[0]), k=2, t_transient=50.0, t_transient_tangent=10.0,
                          t_sim=100.0, rng=np.random.default_rng(0))
    assert r.exponents[1] > 0
    assert r.d_ky == 2.0 and r.d_ky_lower_bound and r.entropy_rate_lower_bound


@pytest.mark.parametrize(("kw", "name"), [
    ({"k": 0}, "k"), ({"k": 11}, "k"), ({"k": 2.5}, "k"), ({"dt": 0.0}, "dt"), ({"dt": 1.5}, "dt"),
    ({"t_ons": 0.05}, "t_ons"), ({"t_ons": 0.25}, "t_ons"), ({"model": "ode"}, "model"),
    ({"method": "rk45"}, "method"), ({"dtype": "float16"}, "dtype"), ({"n_batches": 1}, "n_batches"),
    ({"t_sim": 5.0}, "t_sim"), ({"backend": "jax"}, "backend"), ({"t_transient": -1.0}, "t_transient"),
    ({"J": np.ones((10, 9))}, "J"), ({"theta": np.ones(9)}, "theta"), ({"x0": np.full(10, np.nan)}, "x0"),
    ({"exact_log_det": True, "method": "rk4"}, "exact_log_det"),
    ({"coupling_dtype": "float16"}, "coupling_dtype"), ({"coupling_dtype": "float32"}, "coupling_dtype"),
    ({"J": np.vstack([np.eye(10)[:9], [np.inf] + [0.0] * 9])}, "J"),
])
def test_bad_arguments_raise_value_error_naming_the_argument(kw, name):
    args = {"model": "rate", "J": _gauss(10, 1.0, 0), "theta": np.zeros(10), "k": 3, "t_ons": 1.0,
            "t_sim": 50.0, "rng": np.random.default_rng(0)}
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        lyapunov_spectrum(args.pop("model"), args.pop("J"), args.pop("theta"), **args)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="rng"):
        lyapunov_spectrum("rate", np.eye(3), np.zeros(3), k=1, rng=0)


def test_diverging_state_raises_numerical_failure(monkeypatch):
    """tanh networks stay bounded for dt <= 1, so the bound itself is lowered to make the state 'diverge'."""
    monkeypatch.setattr(dynamics, "DIVERGENCE_BOUND", 1e-3)
    with pytest.raises(NumericalFailure) as err:
        lyapunov_spectrum("rate", _gauss(10, 2.0, 0), np.zeros(10), k=2, t_transient=0.0, t_sim=20.0,
                          rng=np.random.default_rng(0))
    assert err.value.status == "diverged"


@pytest.mark.parametrize("model", ["map", "rate"])
def test_qr_breakdown_raises_numerical_failure(model):
    """J = 0: the map (and Euler with dt = 1) sends every tangent vector to 0, so R_ii = 0."""
    with pytest.raises(NumericalFailure) as err:
        lyapunov_spectrum(model, np.zeros((5, 5)), np.ones(5), k=2, dt=1.0, t_transient=0.0, t_sim=20.0,
                          rng=np.random.default_rng(0))
    assert err.value.status == "qr_breakdown"


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy installed")
def test_cupy_backend_without_cupy_is_a_clear_error():
    with pytest.raises(RuntimeError, match="CuPy"):
        lyapunov_spectrum("rate", np.eye(3), np.zeros(3), k=1, t_sim=20.0, backend="cupy",
                          rng=np.random.default_rng(0))


@pytest.mark.skipif(importlib.util.find_spec("cupy") is None, reason="CuPy not installed")
def test_cupy_backend_agrees_with_numpy():  # pragma: no cover - needs a GPU
    N = 50
    J = _gauss(N, 2.0, 3)
    kw = {"k": 5, "t_transient": 10.0, "t_transient_tangent": 5.0, "t_sim": 30.0}
    a = lyapunov_spectrum("rate", J, np.zeros(N), rng=np.random.default_rng(0), **kw)
    b = lyapunov_spectrum("rate", J, np.zeros(N), rng=np.random.default_rng(0), backend="cupy", **kw)
    np.testing.assert_allclose(b.exponents, a.exponents, atol=1e-6)


def test_to_dataset_has_units_and_round_trips(tmp_path):
    N = 15
    r = lyapunov_spectrum("rate", _gauss(N, 2.0, 37), np.zeros(N), k=4, t_transient=5.0,
                          t_transient_tangent=2.0, t_sim=20.0, rng=np.random.default_rng(0))
    ds = to_dataset(r)
    assert ds["exponent"].dims == ("i",) and list(ds["i"].values) == [1, 2, 3, 4]
    assert ds["running"].dims == ("t_running", "i_running")
    for v in ["exponent_sem", "lambda_max", "lambda_max_sem", "d_ky", "entropy_rate", "mean_exponent",
              "jacobian_trace_mean", "n_qr", "qr_steps_min", "qr_steps_mean", "qr_steps_max", "spread_max",
              "spread_bound"]:
        assert v in ds
    for v in ds.variables:
        assert {"units", "long_name"} <= set(ds[v].attrs), v
    assert not {"g", "sigma_b", "N", "seed"} & set(ds.coords)
    path = tmp_path / "lyap.nc"
    io.write_dataset(io.with_grid_coords(ds, g=2.0, N=N), path, stage="lyapunov", params={"k": 4})
    back = io.read_dataset(path, stage="lyapunov", required=["exponent", "running"])
    np.testing.assert_allclose(back["exponent"].values.ravel(), r.exponents)
    assert int(back["n_qr"].values.ravel()[0]) == r.n_qr


def _issue_map(t_ons, **kw):
    """Issue 16 item 2: map, g = 6, sigma_b = 0, N = 60, k = 10, no tangent transient, t_sim = 2000."""
    J = network.draw_disorder(60, 0).couplings(6.0)
    return lyapunov_spectrum("map", J, np.zeros(60), k=10, t_ons=t_ons, t_transient_tangent=0.0,
                             rng=np.random.default_rng(0), **{"t_sim": 2000.0, **kw})


def test_collapsed_frame_at_a_long_fixed_interval_is_a_qr_breakdown():
    """t_ons = 100 used to report exponents 6-10 as 0.184 .. 0.177 (status ok); t_ons = 20 and auto resolve them."""
    with pytest.raises(NumericalFailure) as err:
        _issue_map(100.0)
    assert err.value.status == "qr_breakdown"
    bound = lyapunov_schedule.spread_bound("float64")
    assert "t_ons = 100" in err.value.detail and f"bound {bound:.1f}" in err.value.detail
    spread = float(err.value.detail.split(" is ")[1].split(" e-folds")[0])
    assert spread > bound
    ref, ok, auto = _issue_map(1.0), _issue_map(20.0), _issue_map("auto")
    assert ok.spread_max < bound and auto.spread_max < bound
    np.testing.assert_allclose(ok.exponents, ref.exponents, rtol=0, atol=1e-6)
    assert ref.exponents[-1] < -0.3 and np.all(np.diff(ref.exponents) < 0)  # the resolved spectrum


@pytest.mark.parametrize(("model", "g", "N", "k", "t_sim"), [("map", 6.0, 60, 10, 500.0), ("map", 2.0, 30, 30, 200.0),
                                                          ("rate", 2.0, 40, 40, 100.0), ("rate", 6.0, 40, 10, 100.0)])
def test_auto_interval_gives_the_t_ons_1_exponents_on_the_same_trajectory(model, g, N, k, t_sim):
    J = network.draw_disorder(N, 3).couplings(g)
    calls = []
    kw = {"k": k, "t_transient": 20.0, "t_transient_tangent": 10.0, "t_sim": t_sim}
    ref = lyapunov_spectrum(model, J, np.zeros(N), t_ons=1.0, rng=np.random.default_rng(5), **kw)
    auto = lyapunov_spectrum(model, J, np.zeros(N), rng=np.random.default_rng(5),
                             progress=lambda d, t: calls.append((d, t)), **kw)
    scale = np.abs(ref.exponents).max()
    np.testing.assert_allclose(auto.exponents, ref.exponents, rtol=0, atol=1e-8 * scale)
    assert auto.t_ons_auto and auto.n_steps == ref.n_steps and auto.t_sim == ref.t_sim
    assert auto.n_qr < ref.n_qr and auto.qr_steps_max > ref.qr_steps_max  # fewer, longer intervals
    assert auto.n_qr * auto.t_ons == pytest.approx(auto.t_sim)
    assert 1 <= auto.qr_steps_min <= auto.qr_steps_max
    assert auto.spread_max <= auto.spread_bound == lyapunov_schedule.spread_bound("float64")
    assert calls[-1] == (auto.n_steps, auto.n_steps) and len(calls) == auto.n_qr
    assert lyapunov.progress_unit(kw) == "steps" and lyapunov.progress_unit({"t_ons": 1.0}) == "QR intervals"


def test_auto_interval_keeps_the_spread_near_its_target():
    """Rate network, k = N: intervals of many steps whose spread sits near ln(1/eps)/2 (float64), well below the
    bound; float32 takes shorter intervals (tighter target)."""
    J = network.draw_disorder(50, 1).couplings(2.0)
    r64, r32 = (lyapunov_spectrum("rate", J, np.zeros(50), k=50, t_sim=100.0, dtype=d, rng=np.random.default_rng(0))
                for d in ("float64", "float32"))
    assert lyapunov_schedule.spread_target("float64") == pytest.approx(18.0, abs=0.05)
    target, bound = lyapunov_schedule.spread_target("float64"), lyapunov_schedule.spread_bound("float64")
    assert 0.7 * target < r64.spread_max < bound - 5
    assert r32.spread_max < lyapunov_schedule.spread_bound("float32") and r32.qr_steps_max < r64.qr_steps_max / 1.5
    assert r64.n_steps / r64.n_qr > 20  # vs 10 at t_ons = 1
    np.testing.assert_allclose(r32.exponents, r64.exponents, rtol=0, atol=1e-3)


def test_float32_gets_a_tighter_bound_that_catches_what_float64_resolves():
    """Linear map (x0 = 0): log-moduli spread ln(1.2 / 0.25) = 1.57 per step, so 12 steps spread ~19 e-folds:
    within float64's 33.7, beyond float32's 13.6."""
    eps32, eps64 = np.finfo(np.float32).eps, np.finfo(np.float64).eps
    assert lyapunov_schedule.spread_bound("float32") == pytest.approx(-np.log(eps32) - np.log(10.0))
    assert lyapunov_schedule.spread_bound("float64") == pytest.approx(-np.log(eps64) - np.log(10.0))
    assert lyapunov_schedule.spread_bound("float32") < lyapunov_schedule.spread_bound("float64") - 20
    assert lyapunov_schedule.spread_target("float32") < lyapunov_schedule.spread_target("float64") / 2
    mu = np.array([1.2, 1.0, 0.25])
    J = _nonnormal(mu, seed=4)
    r64 = _linear("map", J, t_ons=12.0, t_sim=480.0, t_transient_tangent=48.0)
    np.testing.assert_allclose(r64.exponents, np.log(mu), atol=0.02)
    with pytest.raises(NumericalFailure) as err:
        _linear("map", J, t_ons=12.0, t_sim=480.0, t_transient_tangent=48.0, dtype="float32")
    assert err.value.status == "qr_breakdown" and "float32 bound 13.6" in err.value.detail
    auto32 = _linear("map", J, t_sim=480.0, t_transient_tangent=48.0, dtype="float32")
    np.testing.assert_allclose(auto32.exponents, np.log(mu), atol=0.02)
    assert auto32.qr_steps_max <= lyapunov_schedule.spread_target("float32") / np.log(1.2 / 0.25) + 1


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_auto_interval_is_limited_by_the_float_range(dtype):
    """Map with J = I / 2 at x = 0: every exponent is log(1/2) and the spread is 0, so only the range bound
    (log 0.5^m >= -ln(max)/4) limits the interval; float32 would underflow near 126 steps without it."""
    N = 6
    r = _linear("map", 0.5 * np.eye(N), t_sim=2000.0, t_transient_tangent=0.0, dtype=dtype)
    np.testing.assert_allclose(r.exponents, np.log(0.5), rtol=1e-6)
    m_range = lyapunov_schedule.range_bound(dtype) / np.log(2.0)
    assert m_range / 2 <= r.qr_steps_max <= m_range
    assert r.spread_max < 1e-3


def test_parse_time_bound_on_a_fixed_rate_t_ons():
    """Worst case 2 ||J|| per time unit, ||J|| <= 2 g (1 + N^-1/2): at g = 6, N = 100, t_ons <= 33.7 / 26.4."""
    max_fixed_t_ons = lyapunov_schedule.max_fixed_t_ons
    assert max_fixed_t_ons(6.0, 100) == pytest.approx(lyapunov_schedule.spread_bound("float64") / (24.0 * 1.1))
    assert max_fixed_t_ons(0.0, 100) == np.inf
    assert max_fixed_t_ons(6.0, 100, "float32") < max_fixed_t_ons(6.0, 100) / 2
    base = {"model": ["rate"], "g": [1.0, 6.0], "sigma_b": [0.0], "N": [100], "seeds": 1,
            "lyapunov": {"t_ons": 1.0, "k": 10}}

    def parse(**lyap):
        config = {**base, "lyapunov": {**base["lyapunov"], **lyap}}
        config_schema.validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"))
        rconfig.check_config(config)
        return config

    assert parse()["lyapunov"]["t_ons"] == 1.0 and parse(t_ons="auto")["lyapunov"]["t_ons"] == "auto"
    with pytest.raises(rconfig.ConfigError, match=r"lyapunov.t_ons = 2 must be <= 1.28 .* g = 6 .*t_ons: auto"):
        parse(t_ons=2.0)
    with pytest.raises(rconfig.ConfigError, match=r"lyapunov.t_ons = 1 must be <= 0.517 .* float32"):
        parse(dtype="float32")
    base["model"] = ["map"]  # no parse-time bound for the map (its lowest exponents are unbounded)
    assert parse(t_ons=2.0)["lyapunov"]["t_ons"] == 2.0
    with pytest.raises(rconfig.ConfigError, match=r"lyapunov.t_sim = 400.5 must be a whole multiple of the map's step"):
        parse(t_ons="auto", t_sim=400.5)  # auto: whole steps, no silent rounding either
    with pytest.raises(rconfig.ConfigError, match=r"lyapunov.t_sim = 5 must be >= n_batches \* t_ons"):
        parse(t_ons="auto", t_sim=5.0)


# --- small k at memory speed: one product per step, by row blocks, float32 couplings -----------------------------

@pytest.mark.parametrize(("model", "dt"), [("rate", 0.1), ("rate", 1.0), ("map", 1.0)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_row_blocks_give_the_one_gemm_step(model, dt, dtype):
    """The row-blocked product (blocks of 8 rows and a ragged last one) gives the one-GEMM step to rounding, in
    float64 and with float32 couplings (float64 state); beta = 0 for dt = 1 and the map."""
    N, k = 30, 3
    J, rng = _gauss(N, 2.0, 31), np.random.default_rng(9)
    theta, x, Q = 0.3 * rng.standard_normal(N), rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    a = BlasWorkspace(model, J, theta, x, Q, dt=dt, dtype=dtype, coupling_dtype=dtype)
    b = BlasWorkspace(model, J, theta, x, Q, dt=dt, dtype=dtype, coupling_dtype=dtype, row_block=8)
    assert (a.product, b.product, len(b.blocks)) == ("gemm_copy", "rows", 4)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for _ in range(4):
        np.testing.assert_allclose(qr_step(b, 5), qr_step(a, 5), rtol=tol, atol=tol)
    np.testing.assert_allclose(b.state(), a.state(), rtol=tol, atol=tol)
    assert b.state().dtype == np.float64 and b.Q.dtype == np.dtype(dtype)
    assert b.trace_sum == pytest.approx(a.trace_sum, rel=tol) and b.logphi_sum == pytest.approx(a.logphi_sum, rel=tol)


def test_product_is_chosen_by_size_threads_and_k_without_copying_a_large_J(monkeypatch):
    N = 40
    J, th, x = _gauss(N, 2.0, 1), np.zeros(N), np.ones(N)

    def ws(k, single, dtype="float64", large=True):
        monkeypatch.setattr(lyapunov_blas, "LARGE_J_BYTES", 0 if large else 10**12)
        monkeypatch.setattr(lyapunov_blas, "blas_single_threaded", lambda: single)
        return BlasWorkspace("rate", J, th, x, np.eye(N)[:, :k], dt=0.1, dtype=dtype, coupling_dtype=dtype)

    rows = ws(4, True)
    assert rows.product == "rows" and rows.row_block == 32 and np.shares_memory(rows.J_product, J)
    for w in (ws(lyapunov_blas.SMALL_K + 1, True), ws(4, False)):  # large k, or several BLAS threads: one GEMM
        assert w.product == "gemm" and np.shares_memory(w.JG, J) and w.JG.flags.f_contiguous
    small = ws(4, True, large=False)
    assert small.product == "gemm_copy" and not np.shares_memory(small.JG, J)
    w32 = ws(lyapunov_blas.SMALL_K, True, "float32")
    assert w32.product == "rows" and w32.J_product.dtype == np.float32 and w32.J_product.nbytes == J.nbytes // 2


@pytest.mark.parametrize(("model", "t_tt", "t_sim"), [("rate", 5.0, 20.0), ("map", 2.0, 8.0)])
def test_small_k_path_gives_the_general_path_exponents(monkeypatch, model, t_tt, t_sim):
    """lyapunov_spectrum through the row-blocked product equals the one-GEMM path within 1e-10 relative on a short
    run (rounding differences grow as exp(lambda t) on the chaotic trajectory)."""
    J = _chaotic_net()
    N = J.shape[0]
    used = []

    make = lyapunov.make_workspace

    def spy(*args, **kw):
        used.append(make(*args, **kw))
        return used[-1]

    monkeypatch.setattr(lyapunov, "make_workspace", spy)
    kw = {"k": 4, "t_transient": 20.0, "t_transient_tangent": t_tt, "t_sim": t_sim, "n_batches": 4}
    ref = lyapunov_spectrum(model, J, np.zeros(N), rng=np.random.default_rng(3), **kw)
    monkeypatch.setattr(lyapunov_blas, "LARGE_J_BYTES", 0)
    monkeypatch.setattr(lyapunov_blas, "blas_single_threaded", lambda: True)
    fast = lyapunov_spectrum(model, J, np.zeros(N), rng=np.random.default_rng(3), **kw)
    assert [w.product for w in used] == ["gemm_copy", "rows"]
    assert ref.lambda_max > 0
    np.testing.assert_allclose(fast.exponents, ref.exponents, rtol=1e-10)
    assert fast.jacobian_trace_mean == pytest.approx(ref.jacobian_trace_mean, rel=1e-10)


def test_float32_couplings_lambda_max_within_one_percent_on_the_same_trajectory_and_three_sem_beyond():
    """float32 J (float64 state, float32 products) follows the float64 trajectory until rounding differences of
    ~1e-7 have grown by exp(lambda_max t): over 50 time units (growth ~1e4) the exponents agree within 1 % of
    lambda_max (stated tolerance); over 2000 (decorrelated trajectories of the same network) within
    3 (sem32^2 + sem64^2)^(1/2)."""
    J = _chaotic_net()
    N = J.shape[0]

    def run(t_sim, **kw):
        return lyapunov_spectrum("rate", J, np.zeros(N), k=4, t_transient=50.0, t_transient_tangent=10.0,
                                 t_sim=t_sim, rng=np.random.default_rng(0), **kw)

    f32 = {"dtype": "float32", "coupling_dtype": "float32"}
    r64, r32 = run(40.0), run(40.0, **f32)
    assert r64.lambda_max > 0.1 and r32.coupling_dtype == "float32"
    np.testing.assert_allclose(r32.exponents, r64.exponents, atol=0.01 * r64.lambda_max)
    r64, r32 = run(2000.0), run(2000.0, **f32)
    err = 3 * np.hypot(r32.exponents_sem, r64.exponents_sem)
    assert np.all(np.abs(r32.exponents - r64.exponents) <= err)
    assert np.all(err < 0.2 * r64.lambda_max) and not np.allclose(r32.exponents, r64.exponents, atol=1e-3)
    assert to_dataset(r32).attrs["coupling_dtype"] == "float32"


@pytest.mark.parametrize("model", ["rate", "map"])
def test_float32_couplings_sum_of_exponents_is_mean_log_det(model):
    """k = N with float32 couplings: sum_i lambda_i = <log|det DS|> / h of the simulated (float32-J) flow, to
    float32 rounding (rate: exact Euler log-determinant; map: log|det J| + <sum log phi'>)."""
    N = 12
    J, rng = _gauss(N, 1.5, 11), np.random.default_rng(5)
    theta, x0 = 0.3 * rng.standard_normal(N), rng.standard_normal(N)
    r = lyapunov_spectrum(model, J, theta, k=N, t_transient=0.0, t_transient_tangent=0.0, t_sim=40.0, n_batches=4,
                          rng=rng, x0=x0, dtype="float32", coupling_dtype="float32",
                          exact_log_det=model == "rate")
    identity = r.log_det_mean if model == "rate" else r.jacobian_trace_mean
    assert r.mean_exponent == pytest.approx(identity, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize(("coupling", "copies"), [("float64", 0.0), ("float32", 0.5)])
def test_large_network_makes_no_copy_of_J(monkeypatch, coupling, copies):
    """Above LARGE_J_BYTES (lowered to 0 here) a run holds the caller's J (float64) or one float32 copy, and the
    argument checks make no N x N mask: peak allocation (tracemalloc) below (copies + 0.1) x J.nbytes, at both
    thread settings (row blocks, or one GEMM on J's transpose)."""
    import tracemalloc

    monkeypatch.setattr(lyapunov_blas, "LARGE_J_BYTES", 0)
    N = 1500
    J = _gauss(N, 2.0, 3)
    for single in (True, False):
        monkeypatch.setattr(lyapunov_blas, "blas_single_threaded", lambda single=single: single)
        tracemalloc.start()
        try:
            lyapunov_spectrum("rate", J, np.zeros(N), k=2, t_transient=0.5, t_transient_tangent=0.5, t_sim=1.0,
                              n_batches=2, dtype=coupling, coupling_dtype=coupling, rng=np.random.default_rng(0))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < (copies + 0.1) * J.nbytes, (single, peak / J.nbytes)


#: each Lyapunov module and the rnnchaos modules it may load: only those below it (imports only downward)
MODEL_LAYER = {"dynamics", "models", "nonlinearity", "noise", "status"}  # the models, nonlinearities, noise: below all
LAYERS = {
    "lyapunov_kernel": MODEL_LAYER,
    "lyapunov_schedule": {"lyapunov_kernel"} | MODEL_LAYER,
    "lyapunov_blas": {"lyapunov_kernel"} | MODEL_LAYER,
    "lyapunov_backends": {"lyapunov_kernel"} | MODEL_LAYER,
    "lyapunov": {"lyapunov_kernel", "lyapunov_schedule", "lyapunov_blas", "lyapunov_backends"} | MODEL_LAYER,
    # config's cross-key checks read the grid helpers, the trained_rnn section's checks and the mean-field solver's
    # range (gaussian); no spectrum code, no figure (the figure names are config_schema's)
    # config checks the input section's signal file at parse time: the loaders and the signal, no analysis code
    "config": {"lyapunov_kernel", "lyapunov_schedule", "grid", "trained_rnn_config", "gaussian", "input_config",
               "periodic_input", "driven_inputs", "array_files", "weight_files"} | MODEL_LAYER,
}


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_lyapunov_modules_import_alone_and_only_downward(module):
    """Each module imports alone in a fresh interpreter and loads only the modules of the layers below it: the
    workspaces never load the friendly layer (no cycle hidden by a function-level import), and config reads the
    QR schedule's bound without the spectrum code. No module imports a private name of another."""
    import ast
    import subprocess
    import sys

    code = f"import sys, rnnchaos.{module}; print(' '.join(m for m in sys.modules if m.startswith('rnnchaos.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {m.removeprefix("rnnchaos.") for m in out} - {module} <= LAYERS[module]
    tree = ast.parse((ROOT / "src" / "rnnchaos" / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rnnchaos"):
            assert not any(a.name.startswith("_") for a in node.names), ast.unparse(node)
