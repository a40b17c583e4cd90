"""The slow-point search (Sussillo & Barak 2013): the ghost of a saddle-node bifurcation found with q = eps^2/2,
fixed points never reported as slow, the Hessian test, determinism per seed, any model (flow and map), bad input,
and the slow-point variables of the trained-network analysis on a tiny network (file and figure)."""

import matplotlib
import numpy as np
import pytest

from rnnchaos import io, plotting_trained, trained_analysis, training
from rnnchaos.fixed_points import model_fixed_points
from rnnchaos.slow_points import OUTCOMES, find_slow_points, hessian_min_eig, trajectory_states
from rnnchaos.toy_system import ToySystem

matplotlib.use("Agg")

EPS = 0.01


class Planar:
    """``dx/dt = f(x)``, ``dy/dt = -y`` (a flow; Euler step ``dt``), or with ``flow=False`` the map
    ``v -> v + dt F(v)`` whose residual is ``dt F``."""

    n, n_inputs, name = 2, 0, "planar"

    def __init__(self, f, df, dt=0.01, flow=True):
        self.f, self.df, self.time_step, self.flow = f, df, dt, flow

    def field(self, v):
        x, y = v
        return np.array([self.f(x), -y])

    def field_jacobian(self, v):
        x, _ = v
        return np.array([[self.df(x), 0.0], [0.0, -1.0]])

    def residual(self, v, u=None):
        return self.field(v) if self.flow else self.time_step * self.field(v)

    def residual_jacobian(self, v, u=None):
        return self.field_jacobian(v) if self.flow else self.time_step * self.field_jacobian(v)

    def step(self, v, u=None):
        return v + self.time_step * self.field(v)

    def jacobian(self, v, u=None):
        return np.eye(2) + self.time_step * self.field_jacobian(v)

    def tangent(self, v, Q, u=None):
        return self.jacobian(v) @ Q

    def attrs(self):
        return {"model": self.name}


def ghost(**kw):
    """``dx/dt = x^2 + eps``: no fixed point, a slow point at 0 with ``q = eps^2 / 2``."""
    return Planar(lambda x: x**2 + EPS, lambda x: 2 * x, **kw)


def ghost_between_fixed_points():
    """``dx/dt = (x^2 + eps)(1 - x^2)``: fixed points x = +-1 (y = 0), the ghost at 0."""
    return Planar(lambda x: (x**2 + EPS) * (1 - x**2), lambda x: 2 * x * (1 - x**2) - 2 * x * (x**2 + EPS))


def ghost_states(model, x0=-1.0, n_steps=2900):
    return trajectory_states(model, np.array([x0, 1.0]), n_steps=n_steps, every=10)


def test_the_ghost_is_found_with_its_q_and_eigenvalues():
    model = ghost()
    assert model_fixed_points(model, np.random.default_rng(0).uniform(-1, 1, (20, 2))).x.shape[0] == 0
    sp = find_slow_points(model, ghost_states(model), rng=np.random.default_rng(0), q_tol=1e-3, n_starts=16)
    assert sp.x.shape == (1, 2) and sp.times_found.tolist() == [16]
    np.testing.assert_allclose(sp.x[0], 0.0, atol=1e-6)
    assert sp.q[0] == pytest.approx(EPS**2 / 2, rel=1e-8)
    np.testing.assert_allclose(np.sort(sp.eigvals[0].real), [-1.0, 0.0], atol=1e-6)
    assert sp.hessian_min_eig[0] == pytest.approx(2 * EPS, rel=1e-3)  # q = eps^2/2 + eps x^2 + y^2/2 + ...
    assert sp.stability == "continuous" and sp.counts()["slow"] == 16


def test_q_tol_is_a_threshold():
    model = ghost()
    sp = find_slow_points(model, ghost_states(model), rng=np.random.default_rng(0), q_tol=EPS**2 / 4, n_starts=8)
    assert sp.x.shape[0] == 0 and sp.counts()["above_tol"] == 8


def test_fixed_points_are_never_reported_as_slow():
    """With fixed points beside the ghost, minimisations that end on a fixed point (q ~ 1e-20 > 0 at the end)
    are counted as fixed, even with a threshold that every fixed point passes."""
    model = ghost_between_fixed_points()
    states = ghost_states(model, x0=-0.9, n_steps=6000)
    for q_tol in (1e-3, 1e3):
        sp = find_slow_points(model, states, rng=np.random.default_rng(0), q_tol=q_tol, n_starts=32)
        fixed = sp.outcome == OUTCOMES.index("fixed")
        assert fixed.sum() >= 5 and np.all(sp.end_q[fixed] < 1e-18)
        assert sp.x.shape == (1, 2)
        np.testing.assert_allclose(sp.x[0], 0.0, atol=1e-6)
        assert sp.q[0] == pytest.approx(EPS**2 / 2, rel=1e-8)
        assert np.all(np.abs(np.abs(sp.x[:, 0]) - 1) > 0.5)


def test_the_toy_system_has_no_slow_point():
    toy = ToySystem()
    states = np.concatenate([trajectory_states(toy, x0, n_steps=800) for x0 in ([1.5, -1.0], [-1.8, 1.2])])
    sp = find_slow_points(toy, states, rng=np.random.default_rng(3), q_tol=10.0, n_starts=20, fixed_tol=1e-12)
    assert sp.x.shape[0] == 0 and sp.counts()["fixed"] == 20


def test_search_is_deterministic_per_seed():
    model = ghost_between_fixed_points()
    states = ghost_states(model, x0=-0.9, n_steps=6000)

    def run(seed):
        return find_slow_points(model, states, rng=np.random.default_rng(seed), q_tol=1e-3, n_starts=12,
                                perturbation=0.05)

    a, b, c = run(4), run(4), run(5)
    for field in ("x", "q", "starts", "end_q", "outcome", "iterations", "eigvals"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert not np.array_equal(a.starts, c.starts)


def test_a_map_is_classified_by_its_step():
    """A model without ``flow``: residual ``S(x) - x``, eigenvalues of the step's Jacobian (here 1 and 1 - dt)."""
    model = ghost(flow=False, dt=0.1)
    sp = find_slow_points(model, ghost_states(model, n_steps=300), rng=np.random.default_rng(0),
                          q_tol=1e-4, n_starts=6)
    assert sp.stability == "discrete" and sp.x.shape == (1, 2)
    assert sp.q[0] == pytest.approx((0.1 * EPS) ** 2 / 2, rel=1e-8)
    np.testing.assert_allclose(np.sort(sp.eigvals[0].real), [0.9, 1.0], atol=1e-6)


def test_a_saddle_of_q_is_no_slow_point():
    """``R = (1 + x^2 - y^2, 0)``: ``q`` has a saddle at the origin (``q = 1/2``, Hessian diag(2, -2)) where the
    gradient vanishes, so a minimisation started there stays; it is "not_minimum", not a slow point."""
    saddle = Planar(lambda x: 0.0, lambda x: 0.0)
    saddle.residual = lambda v, u=None: np.array([1 + v[0] ** 2 - v[1] ** 2, 0.0])
    saddle.residual_jacobian = lambda v, u=None: np.array([[2 * v[0], -2 * v[1]], [0.0, 0.0]])
    sp = find_slow_points(saddle, np.zeros((3, 2)), rng=np.random.default_rng(0), q_tol=1.0, n_starts=3)
    assert sp.x.shape[0] == 0 and sp.counts()["not_minimum"] == 3
    assert hessian_min_eig(saddle.residual, saddle.residual_jacobian, np.zeros(2), step=1e-5) == pytest.approx(-2)


@pytest.mark.parametrize("n", [3, 80])
def test_hessian_min_eig_of_a_linear_residual(n):
    """``R(x) = A x + b``: the Hessian of q is ``A^T A``, its smallest eigenvalue ``sigma_min(A)^2``."""
    rng = np.random.default_rng(n)
    A, b = rng.standard_normal((n, n)), rng.standard_normal(n)
    got = hessian_min_eig(lambda x: A @ x + b, lambda x: A, rng.standard_normal(n), step=1e-4)
    assert got == pytest.approx(np.linalg.svd(A, compute_uv=False)[-1] ** 2, rel=1e-4, abs=1e-8)


@pytest.mark.parametrize(("kw", "name"), [({"q_tol": 0.0}, "q_tol"), ({"n_starts": 0}, "n_starts"),
                                          ({"states": np.zeros((5, 3))}, "states"),
                                          ({"perturbation": -1.0}, "perturbation")])
def test_bad_input_names_the_argument(kw, name):
    args = {"states": np.zeros((5, 2)), "q_tol": 1e-3, **kw}
    with pytest.raises(ValueError, match=name):
        find_slow_points(ghost(), rng=np.random.default_rng(0), **args)


# ---- the trained flip-flop network (tiny: N = 60, a few seconds) ----

@pytest.fixture(scope="module")
def tiny():
    net = training.train_flipflop(rng=np.random.default_rng(0), N=60, train_time=6000.0, test_time=2000.0)
    an = trained_analysis.analyse_trained(net, rng=np.random.default_rng(1), n_init=32, n_extra=16, k=3,
                                          t_sim=20.0, t_transient=10.0, n_slow_starts=24)
    return net, an


def test_trained_analysis_finds_slow_points_that_are_no_fixed_points(tiny):
    net, an = tiny
    sp, tau = an.slow, net.params["tau"]
    assert sp.x.shape[0] >= 1 and sp.outcome.size == 24
    F = (np.tanh(sp.x) @ net.J_eff.T - sp.x) / tau  # per time unit of dt, as the fixed points' residual
    np.testing.assert_allclose(sp.q, 0.5 * np.sum(F**2, axis=1), rtol=1e-10)
    assert np.all((sp.q > 0) & (sp.q <= 1e-4)) and sp.q_tol == pytest.approx(1e-4)
    assert np.all(np.abs(F).max(axis=1) > 1e-9)
    assert np.all(sp.hessian_min_eig >= -1e-6 * np.linalg.norm(net.J_eff) ** 2 / tau**2)
    dist = np.linalg.norm(sp.x[:, None] - an.fp.x[None], axis=2).min(axis=1)
    assert np.all(dist > sp.fixed_radius)
    DF = (-np.eye(60) + net.J_eff * (1 - np.tanh(sp.x[0]) ** 2)) / tau
    np.testing.assert_allclose(np.sort(sp.eigvals[0].real), np.sort(np.linalg.eigvals(DF).real), atol=1e-10)


def test_trained_analysis_writes_and_draws_the_slow_points(tiny, tmp_path):
    net, an = tiny
    ds = io.with_grid_coords(trained_analysis.to_dataset(an), g=1.5, N=60, seed=0)
    io.write_dataset(ds, tmp_path / "a.nc", stage="trained_analysis", params={})
    back = io.read_dataset(tmp_path / "a.nc")
    m = an.slow.x.shape[0]
    assert back["slow_x"].dims[-2:] == ("slow_point", "unit") and back.sizes["slow_point"] == m
    assert back["slow_pc"].dims[-2:] == ("slow_point", "pc") and back["slow_readout"].dims[-2:] == ("slow_point", "bit")
    assert np.array_equal(io.point_values(back, "slow_x"), an.slow.x)
    np.testing.assert_allclose(io.point_values(back, "slow_pc"), (an.slow.x - an.mean) @ an.components.T)
    assert int(io.point_values(back, "slow_n_points")) == m
    assert back["slow_start_outcome"].attrs["flag_meanings"] == " ".join(OUTCOMES)
    assert back["slow_q"].attrs["units"] == "1/(time unit of dt)^2"
    assert "fp_x" in back and "fp_slow_points" in back  # the existing variables are kept
    tds = training.to_dataset(net)
    fig = plotting_trained.flipflop_figure(tds, back)
    labels = fig.get_axes()[0].get_legend_handles_labels()[1]
    assert any(label.startswith("slow point") for label in labels)
    assert fig.get_axes()[0].get_title().startswith("(a) fixed and slow points")
    older = back.drop_vars([v for v in back.data_vars if v.startswith("slow_")])
    labels = plotting_trained.flipflop_figure(tds, older).get_axes()[0].get_legend_handles_labels()[1]
    assert not any(label.startswith("slow point") for label in labels) and any("stable" in x for x in labels)
    assert plotting_trained.flipflop_figure(tds, older).get_axes()[0].get_title().startswith("(a) fixed points")
    assert f"{m} slow points" in plotting_trained.trained_flipflop(tds, back).agreement
    assert "slow points" not in plotting_trained.trained_flipflop(tds, older).agreement


def test_trained_slow_search_can_be_switched_off(tiny):
    net, _ = tiny
    an = trained_analysis.analyse_trained(net, rng=np.random.default_rng(1), n_init=8, n_extra=0, k=2,
                                          t_sim=10.0, t_transient=5.0, n_slow_starts=0)
    assert an.slow is None and not any(v.startswith("slow_") for v in trained_analysis.to_dataset(an).data_vars)
    with pytest.raises(ValueError, match="n_slow_starts"):
        trained_analysis.analyse_trained(net, rng=np.random.default_rng(1), n_slow_starts=-1)
