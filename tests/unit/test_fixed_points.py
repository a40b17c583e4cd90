"""Fixed-point finder: closed forms (2-D system), identities of random networks, counting estimators."""

import numpy as np
import pytest

from rnnchaos import fixed_points as fpm
from rnnchaos.fixed_point_result import ORIGINS, ROOTS
from rnnchaos.fixed_point_search import find_fixed_points
from rnnchaos.fixed_point_solver import newton
from rnnchaos.fixed_point_statistics import capture_recapture, chapman, nontrivial, origin_samples
from rnnchaos.io import read_dataset, save_stage, write_dataset
from rnnchaos.network import draw_disorder
from rnnchaos.status import STATUS_CODES, NumericalFailure
from rnnchaos.summary import summarise


def toy(X):
    """Seed 003's system x' = (1 - x^2) y, y' = x/2 - y (batched)."""
    x, y = X[:, 0], X[:, 1]
    return np.stack([(1 - x**2) * y, x / 2 - y], axis=1)


def toy_jacobian(X):
    x, y = X[:, 0], X[:, 1]
    out = np.empty((X.shape[0], 2, 2))
    out[:, 0, 0], out[:, 0, 1], out[:, 1, 0], out[:, 1, 1] = -2 * x * y, 1 - x**2, 0.5, -1.0
    return out


def network(N, g, sigma_b, seed=0):
    d = draw_disorder(N, seed)
    return d.couplings(g), d.biases(sigma_b)


def sort_rows(X):
    return X[np.lexsort(X.T[::-1])]


@pytest.fixture(scope="module")
def net_g2():
    """A symmetric (sigma_b = 0) network at g = 2 with its fixed points (shared by several tests)."""
    J, theta = network(60, 2.0, 0.0, seed=3)
    return J, theta, fpm.network_fixed_points("rate", J, theta, n_init=96, rng=np.random.default_rng(0))


def test_toy_system_all_fixed_points_with_stability():
    # y = 0 forces x = 0 (from y = x/2); x = +-1 gives y = x/2: (0, 0), (1, 1/2), (-1, -1/2)
    rng = np.random.default_rng(1)
    fp = find_fixed_points(toy, toy_jacobian, rng.uniform(-3, 3, (40, 2)), rng=rng, n_extra=8)
    order = np.argsort(fp.x[:, 0])
    np.testing.assert_allclose(fp.x[order], [[-1, -0.5], [0, 0], [1, 0.5]], atol=1e-12)
    assert list(fp.kind[order]) == ["stable", "saddle", "stable"]
    # (0,0): lambda^2 + lambda - 1/2 = 0 -> (-1 +- sqrt 3)/2; (+-1, +-1/2): double eigenvalue -1
    np.testing.assert_allclose(np.sort(fp.eigvals[order[1]].real), [(-1 - 3**0.5) / 2, (-1 + 3**0.5) / 2])
    np.testing.assert_allclose(fp.eigvals[order[[0, 2]]].real, -1.0, atol=1e-6)
    assert list(fp.n_unstable[order]) == [0, 1, 0]
    assert np.all(fp.residual < 1e-10)
    assert fp.times_found.sum() <= fp.n_converged <= fp.n_solves == 48
    assert fp.capture_recapture_estimate == pytest.approx(3.0)  # every point found many times: f1 = 0


def test_below_transition_only_the_origin_and_it_is_stable():
    J, theta = network(50, 0.5, 0.0)
    fp = fpm.network_fixed_points("rate", J, theta, n_init=24, rng=np.random.default_rng(0), init_variance=4.0)
    assert fp.x.shape == (1, 50)
    np.testing.assert_allclose(fp.x[0], 0.0, atol=1e-12)
    assert fp.kind[0] == "stable" and fp.n_unstable[0] == 0 and fp.max_real_eig[0] < 0
    assert fp.times_found[0] >= 10  # found by the independent solves, not only added by symmetry


def test_every_reported_point_satisfies_the_residual_bound():
    J, theta = network(60, 2.0, 0.5, seed=1)
    fp = fpm.network_fixed_points("rate", J, theta, n_init=64, rng=np.random.default_rng(2))
    assert fp.x.shape[0] >= 2
    F = -fp.x + np.tanh(fp.x) @ J.T + theta
    assert np.abs(F).max() < 1e-10
    np.testing.assert_allclose(fp.residual, np.abs(F).max(axis=1), atol=1e-15)
    assert fp.n_mirror_found == -1 and not fp.symmetric
    d = np.linalg.norm(fp.x[:, None] - fp.x[None], axis=2) + np.eye(len(fp.x))
    assert d.min() > 1e-6 * np.sqrt(60)  # no duplicates
    # eigenvalues are those of -1 + J diag(phi'(x*)), index = number with positive real part
    k = int(np.argmax(fp.n_unstable))
    ev = np.linalg.eigvals(J * (1 - np.tanh(fp.x[k]) ** 2) - np.eye(60))
    np.testing.assert_allclose(np.sort(ev.real), np.sort(fp.eigvals[k].real), atol=1e-8)
    assert fp.n_unstable[k] == np.sum(ev.real > 0)
    assert fp.max_real_eig[k] == pytest.approx(ev.real.max())


def test_mirror_images_at_zero_bias(net_g2):
    J, theta, fp = net_g2
    assert fp.symmetric and fp.x.shape[0] >= 3 and fp.x.shape[0] % 2 == 1  # pairs plus the origin
    for x in fp.x:
        assert np.min(np.linalg.norm(fp.x + x, axis=1)) < 1e-8
    assert np.abs(-fp.x + np.tanh(fp.x) @ J.T).max() < 1e-10
    pairs = (fp.x.shape[0] - 1) // 2
    assert 0 <= fp.n_mirror_found <= pairs
    assert np.sum(np.abs(fp.x).max(axis=1) < 1e-12) == 1  # the origin, once


def test_saturation_and_capture_recapture_are_consistent(net_g2):
    _, _, fp = net_g2
    solves, unique = fp.saturation
    assert solves[-1] == fp.n_solves == 96 and np.all(np.diff(unique) >= 0)
    assert unique[-1] == np.sum(fp.origin != ORIGINS.index("symmetry")) - np.sum(fp.origin == 2)
    assert fp.capture_recapture_estimate >= np.sum(fp.times_found > 0)
    assert fp.capture_recapture_se >= 0 and np.isfinite(fp.chapman_estimate)
    # deflated solves find points off the occasions' design: no estimate of the total is below the count
    assert min(fp.capture_recapture_estimate, fp.chapman_estimate) >= fp.x.shape[0]


def test_map_and_rate_have_the_same_fixed_points():
    J, theta = network(40, 2.0, 0.3, seed=2)
    rate = fpm.network_fixed_points("rate", J, theta, n_init=32, rng=np.random.default_rng(5))
    amap = fpm.network_fixed_points("map", J, theta, n_init=32, rng=np.random.default_rng(5))
    np.testing.assert_allclose(sort_rows(rate.x), sort_rows(amap.x), atol=1e-9)
    assert amap.stability == "discrete"
    k = int(np.argmin(np.abs(amap.x - rate.x[0]).max(axis=1)))
    np.testing.assert_allclose(np.sort_complex(amap.eigvals[k]), np.sort_complex(rate.eigvals[0] + 1), atol=1e-8)
    assert amap.n_unstable[k] == np.sum(np.abs(rate.eigvals[0] + 1) > 1)


def test_deflation_keeps_a_solve_from_returning_a_known_root():
    root = np.array([[1.0, 0.5]])
    x0 = root + np.array([[0.05, -0.03]])
    common = dict(tol=1e-10, max_iter=50, ell=0.3, cap=2.0)
    X, ok, _ = newton(toy, toy_jacobian, x0, known=None, **common)
    assert ok[0] and np.allclose(X[0], root[0])  # undeflated: back to the known root
    X, ok, _ = newton(toy, toy_jacobian, x0, known=root, **common)
    assert not np.allclose(X[0], root[0], atol=1e-3)
    assert not ok[0] or np.abs(toy(X)).max() < 1e-10  # a different root, or none


def test_slow_point_reported_with_its_q():
    def F(X):
        return np.stack([X[:, 0] ** 2 + 0.1, X[:, 1]], axis=1)  # no root; q has its minimum 0.005 at 0

    def DF(X):
        out = np.zeros((X.shape[0], 2, 2))
        out[:, 0, 0], out[:, 1, 1] = 2 * X[:, 0], 1.0
        return out

    fp = find_fixed_points(F, DF, np.random.default_rng(0).normal(size=(6, 2)), fallback_iter=60)
    assert fp.x.shape[0] == 0 and fp.n_converged == 0 and fp.n_fallback == 6
    assert fp.slow_points.shape == (1, 2)
    np.testing.assert_allclose(fp.slow_points[0], 0.0, atol=1e-4)
    assert fp.slow_q[0] == pytest.approx(0.005, rel=1e-6)


def test_no_converged_solve_raises_stalled():
    J, theta = network(30, 3.0, 0.5)
    with pytest.raises(NumericalFailure, match="stalled"):
        fpm.network_fixed_points("rate", J, theta, n_init=4, rng=np.random.default_rng(0), max_iter=1, fallback=0)


def test_only_the_trivial_point_beyond_g_c_is_a_failed_search(tmp_path):
    # sigma_b = 0, g = 3 > g_c(0) = 1, N = 60: Kac-Rice expects exp(N Sigma) ~ 40 points; one Newton step per
    # solve finds none. J has 2 real eigenvalues above 1 (even: the index theorem proves nothing here)
    J, theta = network(60, 3.0, 0.0)
    expected = fpm.theory_count(3.0, 0.0, 60)
    assert expected == pytest.approx(np.exp(60 * 0.0614), rel=0.01) and fpm.odd_index_certificate(J) == 2
    no_budget = {"n_init": 4, "max_iter": 1, "fallback": 0, "n_paths": 0}
    with pytest.raises(NumericalFailure, match=r"trivial_only: only x\* = 0 found.*expects about 39.8 fixed points"
                       ".*raise fixed_points.n_init") as err:
        fpm.network_fixed_points("rate", J, theta, rng=np.random.default_rng(0), expected_points=expected,
                                 **no_budget)
    assert err.value.status == "trivial_only"

    def compute():
        return fpm.to_dataset(fpm.network_fixed_points("rate", J, theta, rng=np.random.default_rng(0),
                                                       expected_points=expected, **no_budget))

    point = {"g": 3.0, "sigma_b": 0.0, "N": 60, "seed": 0}
    assert save_stage(tmp_path / "fp.nc", compute, stage="fixed_points", params={}, point=point) == 5
    s = summarise(simulate=[], lyapunov=[], dmft=[],
                  fixed_points=[read_dataset(tmp_path / "fp.nc", stage="fixed_points")])
    assert s["fp_status"].item() == STATUS_CODES["trivial_only"]
    assert np.isnan(s["fp_capture_recapture_estimate"].item()) and np.isnan(s["fp_n_fixed_points"].item())


def test_only_the_trivial_point_below_g_c_is_ok_and_unique():
    J, theta = network(40, 0.5, 0.0)
    assert fpm.theory_count(0.5, 0.0, 40) == 1.0  # Kac-Rice complexity 0 below g_c
    fp = fpm.network_fixed_points("rate", J, theta, n_init=16, rng=np.random.default_rng(0),
                                  expected_points=fpm.theory_count(0.5, 0.0, 40))
    assert fp.x.shape == (1, 40) and not nontrivial(fp.x).any()
    assert fp.capture_recapture_estimate == 1.0 and fpm.odd_index_certificate(J) == 0


def test_only_the_trivial_point_just_above_g_c_at_small_n_is_no_failure():
    # g = 1.25, N = 30: beyond g_c, but exp(N Sigma) ~ 1 and no real eigenvalue of J above 1: x* = 0 alone is
    # a possible answer, not evidence of a failed search
    J, theta = network(30, 1.25, 0.0)
    assert fpm.theory_count(1.25, 0.0, 30) < 1.2 and fpm.odd_index_certificate(J) == 0
    fp = fpm.network_fixed_points("rate", J, theta, n_init=4, max_iter=1, fallback=0, rng=np.random.default_rng(0),
                                  expected_points=fpm.theory_count(1.25, 0.0, 30))
    assert fp.x.shape == (1, 30)


def test_an_odd_number_of_real_eigenvalues_above_one_proves_other_points():
    # J = diag(2, 1/2, 1/2, 1/2): x* = 0 and +-(r, 0, 0, 0) with r = 2 tanh(r) (r = 1.9150080); one real
    # eigenvalue above 1, so the index theorem says x* = 0 cannot be alone, whatever the mean-field g_c says
    J, theta = np.diag([2.0, 0.5, 0.5, 0.5]), np.zeros(4)
    assert fpm.odd_index_certificate(J) == 1
    with pytest.raises(NumericalFailure, match=r"trivial_only.*1 real eigenvalue\(s\) above 1, an odd number"):
        fpm.network_fixed_points("rate", J, theta, n_init=2, max_iter=1, fallback=0, rng=np.random.default_rng(0))
    fp = fpm.network_fixed_points("rate", J, theta, n_init=32, rng=np.random.default_rng(0), init_variance=4.0)
    r = 1.9150080481
    np.testing.assert_allclose(sort_rows(fp.x), [[-r, 0, 0, 0], [0, 0, 0, 0], [r, 0, 0, 0]], atol=1e-8)
    assert fpm.odd_index_certificate(np.diag([2.0, 3.0, 0.5])) == 2  # even: no proof either way


def test_chao1_and_chapman_on_known_population():
    rng = np.random.default_rng(0)
    captures = rng.integers(0, 300, size=400)  # 300 equally catchable classes, 400 captures
    est, se = capture_recapture(np.bincount(captures))
    assert abs(est - 300) < 3 * se + 10
    c_est, c_se = chapman(set(captures[:200]), set(captures[200:]))
    assert abs(c_est - 300) < 3 * c_se
    assert capture_recapture(np.array([1, 1, 2, 5])) == pytest.approx((4 + 2 * 1 / (2 * 2), 2.0), rel=0.5)
    assert capture_recapture(np.array([3, 4]))[0] == 2.0  # no singletons: nothing unseen


def test_dataset_has_units_and_round_trips(tmp_path, net_g2):
    _, _, fp = net_g2
    ds = fpm.to_dataset(fp)
    assert ds["x"].dims == ("fp", "i") and ds["eig_real"].dims == ("fp", "eig")
    assert int(ds["n_fixed_points"]) == fp.x.shape[0]
    assert int(ds["n_stable"]) == np.sum(fp.kind == "stable")
    np.testing.assert_allclose(ds["eig_real"] + 1j * ds["eig_imag"], fp.eigvals)
    write_dataset(ds, tmp_path / "fp.nc", stage="fixed_points", params={})
    back = read_dataset(tmp_path / "fp.nc", stage="fixed_points", required=("x", "saturation_unique"))
    np.testing.assert_array_equal(back["x"].values, fp.x)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model": "flow"}, "model"), ({"tol": 0.0}, "tol"), ({"n_init": 0}, "n_init"), ({"max_iter": 0}, "max_iter"),
    ({"extra_fraction": 1.0}, "extra_fraction"), ({"init_variance": -1.0}, "init_variance"),
    ({"init_states": np.zeros((3, 7))}, "init_states"), ({"fallback_iter": 0}, "fallback_iter"),
])
def test_invalid_arguments_are_named(kwargs, match):
    J, theta = network(10, 1.5, 0.0)
    args = {"model": "rate", "J": J, "theta": theta, "n_init": 4, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=match):
        fpm.network_fixed_points(**args)
    with pytest.raises(ValueError, match="rng"):
        find_fixed_points(toy, toy_jacobian, np.ones((2, 2)), n_extra=2)
    with pytest.raises(ValueError, match="stability"):
        find_fixed_points(toy, toy_jacobian, np.ones((2, 2)), stability="sideways")


def test_estimates_of_the_total_are_not_below_the_points_found():
    # few independent solves (the occasions), many deflated ones: the deflated solves find points the occasions'
    # Chao2 / Chapman estimates do not account for, so the estimates must be raised to the count
    J, theta = network(100, 2.0, 0.0, seed=1)
    fp = fpm.network_fixed_points("rate", J, theta, n_init=200, extra_fraction=0.9, rng=np.random.default_rng(0))
    occasion_points = np.sum(fp.times_found > 0)
    assert fp.x.shape[0] > 2 * occasion_points + 1  # deflation found points beyond the occasions' orbits
    assert fp.capture_recapture_estimate >= fp.x.shape[0] and fp.chapman_estimate >= fp.x.shape[0]


def bits(*roots):
    return sum(1 << ROOTS.index(r) for r in roots)


def test_found_by_keeps_every_kind_of_start_that_returned_a_point():
    # (1, 1/2) is reached from a trajectory state first and then from a Gaussian draw: its first origin is
    # "trajectory", but it belongs to the Gaussian sample too; (-1, -1/2) only from a Gaussian draw
    x0s = np.array([[1.01, 0.51], [0.99, 0.49], [-1.02, -0.5]])
    fp = find_fixed_points(toy, toy_jacobian, x0s, x0_origin=["trajectory", "gaussian", "gaussian"])
    order = np.argsort(fp.x[:, 0])
    np.testing.assert_allclose(fp.x[order], [[-1, -0.5], [1, 0.5]], atol=1e-12)
    assert [ORIGINS[o] for o in fp.origin[order]] == ["gaussian", "trajectory"]
    assert list(fp.found_by[order]) == [bits("gaussian"), bits("trajectory", "gaussian")]
    np.testing.assert_array_equal(fp.root_starts, [0, 1, 2, 0])
    np.testing.assert_array_equal(fp.root_converged, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="x0_origin must be one of"):
        find_fixed_points(toy, toy_jacobian, x0s, x0_origin=["trajectory", "gaussian"])
    with pytest.raises(ValueError, match="x0_origin must be one of"):
        find_fixed_points(toy, toy_jacobian, x0s, x0_origin="attractor")


def test_deflated_solves_inherit_the_root_of_the_point_they_start_from():
    # one trajectory start converges to (1, 1/2); deflated solves from it find (0, 0) and (-1, -1/2): those are
    # "extra" points, but their chain began on the trajectory, so they carry its bias (no Gaussian bit)
    fp = find_fixed_points(toy, toy_jacobian, np.array([[1.01, 0.51]]), x0_origin="trajectory", n_extra=12,
                           rng=np.random.default_rng(0), perturbation=2.0)
    assert fp.x.shape[0] == 3
    assert sorted(ORIGINS[o] for o in fp.origin) == ["extra", "extra", "trajectory"]
    assert list(fp.found_by) == [bits("trajectory")] * 3


def test_a_fallback_end_point_keeps_the_root_of_its_stalled_start():
    # one Newton iteration brings neither start home; Levenberg-Marquardt takes both to (0, 0)
    fp = find_fixed_points(toy, toy_jacobian, np.array([[0.6, 0.2], [2.5, -1.0]]), x0_origin="gaussian",
                           max_iter=1, fallback=2, fallback_iter=60)
    np.testing.assert_allclose(fp.x, [[0.0, 0.0]], atol=1e-12)
    assert fp.n_converged == 0 and ORIGINS[fp.origin[0]] == "fallback"
    assert list(fp.found_by) == [bits("gaussian")]
    np.testing.assert_array_equal(fp.root_converged, [0, 0, 2, 0])  # reached by the fallback, counted


def test_mirror_pairs_share_their_roots_and_network_starts_are_labelled():
    J, theta = network(40, 2.0, 0.0, seed=1)
    states = np.random.default_rng(9).standard_normal((8, 40)) * 1.3
    fp = fpm.network_fixed_points("rate", J, theta, n_init=48, rng=np.random.default_rng(0), init_states=states,
                                  state_fraction=0.25)
    np.testing.assert_array_equal(fp.root_starts, [0, 6, 18, 0])  # 24 independent solves: 6 states, 18 draws
    assert fp.found_by.min() >= 0 and fp.found_by.max() < 1 << len(ROOTS)
    nonzero = nontrivial(fp.x)
    assert np.all(fp.found_by[nonzero] > 0)  # every point other than 0 traces back to some start
    for k in np.flatnonzero(nonzero):
        m = int(np.argmin(np.linalg.norm(fp.x + fp.x[k], axis=1)))
        assert fp.found_by[m] == fp.found_by[k]  # -x* is reached by the same kinds of start as x*


def test_origin_samples_closed_form():
    # pairs +-1 (|x|^2/N = 1, Gaussian), +-2 (4, both), +-3 (9, trajectory) and the trivial point (Gaussian)
    N = 5
    X = np.array([v * np.ones(N) for v in (0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0)])
    g, t = bits("gaussian"), bits("trajectory")
    found_by = np.array([g, g, g, g | t, g | t, t, t])
    s = origin_samples(X, found_by, symmetric=True)
    assert s["gaussian"].n == 4 and s["gaussian"].mean_sq_radius == pytest.approx(2.5)
    assert s["gaussian"].sem == pytest.approx(np.std([1, 4], ddof=1) / np.sqrt(2))  # mirrors count once
    assert s["trajectory"].n == 4 and s["trajectory"].mean_sq_radius == pytest.approx(6.5)
    assert s["unbiased"] == s["gaussian"]
    assert s["homotopy"].n == 0 and np.isnan(s["homotopy"].mean_sq_radius) and np.isnan(s["homotopy"].sem)
    one = origin_samples(X[[0, 1, 3, 5]], found_by[[0, 1, 3, 5]], symmetric=False)
    assert one["gaussian"].n == 2 and one["gaussian"].sem == pytest.approx(np.std([1, 4], ddof=1) / np.sqrt(2))
    assert one["trajectory"].n == 2 and np.isnan(origin_samples(X[:2], found_by[:2], symmetric=True)[
        "gaussian"].sem)  # a single pair: no spread to estimate
    with pytest.raises(ValueError, match="roots must be names in"):
        origin_samples(X, found_by, symmetric=True, roots=("attractor",))


def test_dataset_carries_the_statistics_by_origin(net_g2):
    _, _, fp = net_g2
    ds = fpm.to_dataset(fp)
    assert ds["found_by"].attrs["flag_meanings"].split() == list(ROOTS)
    np.testing.assert_array_equal(ds["found_by"].values, fp.found_by)
    by = origin_samples(fp.x, fp.found_by, symmetric=True)
    assert int(ds["n_from_gaussian"]) == by["gaussian"].n == int(nontrivial(fp.x).sum())  # only draws here
    assert float(ds["mean_sq_radius_from_gaussian"]) == pytest.approx(float(ds["mean_sq_radius"]))
    assert int(ds["n_from_trajectory"]) == 0 and np.isnan(float(ds["mean_sq_radius_from_trajectory"]))
    assert int(ds["starts_from_gaussian"]) == 48 and int(ds["converged_from_gaussian"]) >= 1


def test_a_search_that_finds_no_point_still_writes_its_dataset():
    """A residual without a zero (F = 1): every solve fails, and the file holds zero points with NaN statistics."""

    class NoRoot:
        name, n, n_inputs, time_step = "no_root", 3, 0, 1.0

        def step(self, x, u=None):
            return x + 1.0

        def tangent(self, x, Q, u=None):
            return Q

        def jacobian(self, x, u=None):
            return np.eye(3)

        def residual(self, x, u=None):
            return np.ones_like(x)

        def residual_jacobian(self, x, u=None):
            return np.diag([1e-3, 1.0, 1.0])

        def attrs(self):
            return {"model": "no_root"}

    fp = fpm.model_fixed_points(NoRoot(), np.random.default_rng(0).standard_normal((4, 3)))
    ds = fpm.to_dataset(fp)
    assert fp.x.shape == (0, 3) and int(ds.n_fixed_points) == 0
    assert ds.x.shape == (0, 3) and np.isnan(float(ds.mean_sq_radius))
