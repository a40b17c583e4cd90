"""The networks as model objects: the protocol's derivatives, the generic Lyapunov path, every nonlinearity."""

import numpy as np
import pytest

from rnnchaos import fixed_points, lyapunov, models, simulate
from rnnchaos.lyapunov_kernel import ModelWorkspace
from rnnchaos.model import Model
from rnnchaos.nonlinearity import ERF, LOGISTIC, NONLINEARITIES, TANH

PHIS = sorted(NONLINEARITIES)
NETS = [("rate", "euler"), ("rate", "rk4"), ("map", "map")]


def _net(name, method, phi, N=8, g=2.0, seed=0):
    rng = np.random.default_rng(seed)
    J, theta = g / np.sqrt(N) * rng.standard_normal((N, N)), 0.3 * rng.standard_normal(N)
    return models.make(name, J, theta, nonlinearity=phi, dt=0.2, method="rk4" if method == "rk4" else "euler")


def _fd(f, x, eps=1e-6):
    return np.column_stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])


@pytest.mark.parametrize("phi", PHIS)
@pytest.mark.parametrize(("name", "method"), NETS)
def test_derivatives_are_those_of_the_step_and_the_residual(name, method, phi):
    m = _net(name, method, phi)
    assert isinstance(m, Model) and m.attrs()["nonlinearity"] == phi
    x, Q = np.random.default_rng(1).standard_normal(m.n), np.random.default_rng(2).standard_normal((m.n, 3))
    np.testing.assert_allclose(m.jacobian(x), _fd(m.step, x), atol=1e-8)
    np.testing.assert_allclose(m.tangent(x, Q), m.jacobian(x) @ Q, atol=1e-12)
    np.testing.assert_allclose(m.residual_jacobian(x), _fd(m.residual, x), atol=1e-8)
    np.testing.assert_allclose(m.residual(x), m.step(x) - x if name == "map" else m.velocity(x), atol=1e-14)
    F, DF, stability = m.fixed_point_system()
    X = np.stack([x, -x])
    R = F(X) - X if stability == "discrete" else F(X)
    np.testing.assert_allclose(R[0], m.residual(x), atol=1e-14)
    np.testing.assert_allclose(DF(X)[0] - (np.eye(m.n) if stability == "discrete" else 0), m.residual_jacobian(x),
                               atol=1e-14)


def test_tanh_step_is_bitwise_the_network_equation():
    m = _net("rate", "euler", "tanh")
    x = np.random.default_rng(3).standard_normal((m.n, 2))
    assert np.array_equal(m.step(x), x + 0.2 * (-x + m.J @ np.tanh(x) + m.theta[:, None]))
    a = x[:, 0]
    assert np.array_equal(models.MapModel(m.J, m.theta).step(a), m.J @ np.tanh(a) + m.theta)


def test_make_names_the_choices():
    with pytest.raises(ValueError, match=r"model must be one of \('rate', 'map'\)"):
        models.make("lif", np.eye(2), np.zeros(2))
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        models.make("rate", np.eye(2), np.zeros(2), nonlinearity="relu6")
    with pytest.raises(ValueError, match="dt, method belong to the model"):
        lyapunov.lyapunov_spectrum(models.RateModel(np.eye(2), np.zeros(2)), k=1, dt=0.1, method="euler",
                                   rng=np.random.default_rng(0))
    model, rest = models.from_settings("rate", np.eye(2), np.zeros(2), {"dt": 0.05, "method": "rk4", "k": 3,
                                                                        "nonlinearity": "erf"})
    assert (model.dt, model.method, model.phi, rest) == (0.05, "rk4", ERF, {"k": 3})


class Linear:
    """A user model: x -> A x (time step 1). Its Lyapunov exponents are log|eig(A)|."""
    name, n_inputs, time_step = "linear", 0, 1.0

    def __init__(self, A):
        self.A, self.n = A, A.shape[0]

    def step(self, x, u=None):
        return self.A @ x

    def tangent(self, x, Q, u=None):
        return self.A @ Q

    def jacobian(self, x, u=None):
        return self.A

    def residual(self, x, u=None):
        return self.A @ x - x

    def residual_jacobian(self, x, u=None):
        return self.A - np.eye(self.n)

    def attrs(self):
        return {"model": self.name}


def test_generic_path_gives_log_modulus_of_eigenvalues_of_a_linear_user_model():
    rng = np.random.default_rng(4)
    V = rng.standard_normal((4, 4))
    mu = np.array([0.97, -0.8, 0.5, 0.2])  # a contraction: the state stays bounded
    A = V @ np.diag(mu) @ np.linalg.inv(V)
    model = Linear(A)
    assert isinstance(model, Model)
    ws = lyapunov.make_workspace(model, np.ones(4), np.eye(4))
    assert isinstance(ws, ModelWorkspace)
    r = lyapunov.lyapunov_spectrum(model, k=4, t_transient=0.0, t_transient_tangent=50.0, t_sim=400.0, t_ons=1.0,
                                   rng=np.random.default_rng(0), exact_log_det=True)
    np.testing.assert_allclose(r.exponents, np.log(np.abs(mu)), atol=1e-3)
    assert r.exponents.sum() == pytest.approx(np.log(np.abs(np.linalg.det(A))), rel=1e-10)
    assert r.log_det_mean * 4 == pytest.approx(r.exponents.sum(), rel=1e-10)
    assert np.isnan(r.jacobian_trace_mean) and r.model == "linear" and r.time_unit == "step"
    assert lyapunov.to_dataset(r).attrs["model"] == "linear"


class Hidden:
    """The rate network seen only through the protocol (no fused kernel): forces the generic path."""

    def __init__(self, model):
        self.m = model
        self.name, self.n, self.n_inputs, self.time_step = model.name, model.n, 0, model.time_step

    def __getattr__(self, attr):
        return getattr(self.m, attr)


@pytest.mark.parametrize(("phi", "method"), [("tanh", "euler"), ("erf", "euler"), ("logistic", "euler"),
                                             ("tanh", "rk4"), ("erf", "rk4")])
def test_generic_path_equals_the_fused_kernels(phi, method):
    """The same spectrum through model.step/tangent and through the BLAS (Euler) or array (RK4) kernel, to 1e-12
    (g = 2: chaotic for tanh and erf; a short run keeps the rounding differences from growing past that)."""
    m = _net("rate", method, phi, N=30, g=2.0, seed=5)
    kw = {"k": 5, "t_transient": 5.0, "t_transient_tangent": 2.0, "t_sim": 10.0, "t_ons": 1.0, "n_batches": 2}
    fused = lyapunov.lyapunov_spectrum(m, rng=np.random.default_rng(6), **kw)
    generic = lyapunov.lyapunov_spectrum(Hidden(m), rng=np.random.default_rng(6), **kw)
    np.testing.assert_allclose(generic.exponents, fused.exponents, rtol=0, atol=1e-12)


@pytest.mark.parametrize("phi", PHIS)
@pytest.mark.parametrize("name", ["rate", "map"])
def test_fused_kernels_use_the_nonlinearity(name, phi):
    """BLAS and array workspaces advance the frame by the model's own tangent (float64 and float32)."""
    m = _net(name, "euler", phi, N=12, seed=7)
    rng = np.random.default_rng(8)
    x, Q = rng.standard_normal(m.n), np.linalg.qr(rng.standard_normal((m.n, 4)))[0]
    for dtype, tol in (("float64", 1e-12), ("float32", 1e-5)):
        ws = lyapunov.make_workspace(m, x, Q, dtype=dtype)
        ws.advance(1)
        np.testing.assert_allclose(np.asarray(ws.Q, float), m.tangent(x, Q), atol=tol)
        np.testing.assert_allclose(ws.state(), m.step(x), atol=1e-12)
    if name == "map":  # the map's log|det DM| diagnostic uses log phi'
        ws = lyapunov.make_workspace(m, x, Q)
        ws.advance(3)
        y, expected = x, 0.0
        for _ in range(3):
            expected += np.log(m.phi.dphi(y)).sum()
            y = m.step(y)
        assert ws.logphi_sum == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("phi", PHIS)
@pytest.mark.parametrize("name", ["rate", "map"])
def test_every_stage_runs_with_each_nonlinearity(name, phi):
    """simulate, lyapunov and fixed points on a small network with each phi: the fixed points solve
    x = J phi(x) + theta for that phi, and the files record it."""
    m = _net(name, "euler", phi, N=10, g=1.5, seed=9)
    sim = simulate.simulate(m, rng=np.random.default_rng(0), t_transient=10.0, t_sim=40.0, tau_max=2.0,
                            n_blocks=4, n_units_stored=2, n_snapshots=4)
    assert simulate.to_dataset(sim).attrs["nonlinearity"] == phi
    ly = lyapunov.lyapunov_spectrum(m, k=3, t_transient=10.0, t_sim=40.0, rng=np.random.default_rng(1))
    assert lyapunov.to_dataset(ly).attrs["nonlinearity"] == phi and np.all(np.isfinite(ly.exponents))
    fp = fixed_points.network_fixed_points(m, n_init=16, rng=np.random.default_rng(2), init_states=sim.snapshots)
    assert fp.x.shape[0] >= 1
    np.testing.assert_allclose(fp.x, m.phi.phi(fp.x) @ m.J.T + m.theta, atol=1e-9)
    assert fp.symmetric is False  # theta != 0


def test_mirrors_only_for_an_odd_nonlinearity():
    rng = np.random.default_rng(10)
    J = 2.0 / np.sqrt(10) * rng.standard_normal((10, 10))
    for phi, symmetric in ((TANH, True), (LOGISTIC, False)):
        fp = fixed_points.network_fixed_points(models.RateModel(J, np.zeros(10), phi), n_init=16,
                                               rng=np.random.default_rng(0))
        assert fp.symmetric is symmetric
        np.testing.assert_allclose(fp.x, phi.phi(fp.x) @ J.T, atol=1e-9)


def test_model_fixed_points_of_a_map_user_model():
    """A non-flow user model: fixed points of the step, classified by |eig(DS)| (x = 0 of x -> A x)."""
    fp = fixed_points.model_fixed_points(Linear(np.array([[0.5, 1.0], [0.0, 1.5]])), np.ones((4, 2)))
    np.testing.assert_allclose(fp.x, 0.0, atol=1e-12)
    assert fp.stability == "discrete" and list(fp.kind) == ["saddle"]


def test_theory_count_is_that_of_the_nonlinearity():
    from rnnchaos.kac_rice import kac_rice_solution

    erf = fixed_points.theory_count(2.0, 0.5, 100, "erf")
    assert erf == pytest.approx(kac_rice_solution(2.0, 0.5, nonlinearity=ERF).expected_count(100), rel=1e-12)
    assert erf != pytest.approx(fixed_points.theory_count(2.0, 0.5, 100), rel=1e-3)


@pytest.mark.parametrize(("name", "scale"), [("rate", 0.5 * np.sqrt(0.2)), ("map", 0.5)])
def test_noise_adds_its_scaled_normals_and_leaves_the_derivatives(name, scale):
    """sigma_xi = 0.5: the step adds noise_scale * xi (sigma_xi sqrt(dt) for Euler-Maruyama, sigma_xi for the map),
    on a state and on columns; without xi the step is the noise-free one; Jacobian, tangent and residual are the
    noise-free ones (additive noise); attrs() writes sigma_xi."""
    base = _net(name, "euler", "tanh")
    noisy = models.make(name, base.J, base.theta, dt=0.2, sigma_xi=0.5)
    x, xi = np.random.default_rng(1).standard_normal((2, base.n))
    assert noisy.noise_scale == pytest.approx(scale)
    np.testing.assert_allclose(noisy.step(x, xi=xi), base.step(x) + scale * xi, atol=1e-15)
    X, Xi = np.column_stack([x, -x]), np.column_stack([xi, 2 * xi])
    np.testing.assert_allclose(noisy.step(X, xi=Xi), base.step(X) + scale * Xi, atol=1e-15)
    assert np.array_equal(noisy.step(x), base.step(x)) and np.array_equal(base.step(x, xi=xi), base.step(x))
    assert np.array_equal(noisy.jacobian(x), base.jacobian(x)) and np.array_equal(noisy.residual(x), base.residual(x))
    Q = np.eye(base.n)[:, :3]
    assert np.array_equal(noisy.tangent(x, Q), base.tangent(x, Q))
    assert noisy.attrs()["sigma_xi"] == 0.5 and base.attrs()["sigma_xi"] == 0.0
