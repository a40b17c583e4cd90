"""Bias homotopy: a closed-form fold curve, uniqueness below the transition, verified crossings of random networks."""

import numpy as np
import pytest

from rnnchaos import fixed_points as fpm
from rnnchaos import homotopy
from rnnchaos.dynamics import dphi
from rnnchaos.fixed_point_result import ORIGINS
from rnnchaos.fixed_point_search import find_fixed_points
from rnnchaos.fixed_point_statistics import capture_recapture
from rnnchaos.network import draw_disorder
from rnnchaos.status import NumericalFailure


def network(N, g, sigma_b, seed=0):
    d = draw_disorder(N, seed)
    J, theta = d.couplings(g), d.biases(sigma_b)
    return J, theta, (lambda x: -x + J @ np.tanh(x) + theta), (lambda x: J * dphi(x)[None, :] - np.eye(N))


def test_cubic_fold_curve_crosses_at_all_three_roots():
    # x^3 - x + lambda = 0: lambda(x) = x - x^3 folds at x = -+1/sqrt(3); the branch from lambda = 3 crosses 0
    # at x = -1, 0, 1 in this order and leaves towards lambda = -infinity.
    R = lambda x: x**3 - x  # noqa: E731
    DR = lambda x: np.atleast_2d(3 * x**2 - 1)  # noqa: E731
    x0 = np.array([np.real(np.roots([1, 0, -1, 3])[np.isreal(np.roots([1, 0, -1, 3]))][0])])
    path = homotopy.track_path(R, DR, np.ones(1), x0, 3.0, tol=1e-12)
    assert path.end == "completed" and path.n_crossings == 3
    np.testing.assert_allclose(path.x[:, 0], [-1.0, 0.0, 1.0], atol=1e-12)


def test_branch_that_turns_back_up_ends_returned_after_both_crossings():
    # -x^2 + 1/2 + lambda = 0: lambda(x) = x^2 - 1/2; from x = -2 the branch dips below 0 and rises past lambda_0
    R = lambda x: -(x**2) + 0.5  # noqa: E731
    DR = lambda x: np.atleast_2d(-2 * x)  # noqa: E731
    path = homotopy.track_path(R, DR, np.ones(1), np.array([-2.0]), 3.5, tol=1e-12)
    assert path.end == "returned" and path.n_crossings == 2
    np.testing.assert_allclose(path.x[:, 0], [-np.sqrt(0.5), np.sqrt(0.5)], atol=1e-12)


def test_a_returned_path_hands_its_unused_solves_to_a_new_one():
    F = lambda X: -(X**2) + 0.5  # noqa: E731  (batched; the branch from x = -2 returns, see above)
    DF = lambda X: (-2 * X)[:, :, None]  # noqa: E731
    start = (np.ones(1), np.array([-2.0]), 3.5)
    fp = find_fixed_points(F, DF, np.array([[5.0]]), max_iter=1, fallback=0, paths=[start], path_solves=10_000,
                           new_path=lambda: start)
    assert list(fp.path_end) == [homotopy.ENDS.index("returned")] * 5  # the start and its 4 replacements
    assert fp.path_solves.sum() <= 10_000 and np.all(fp.path_points == 2)
    np.testing.assert_allclose(np.sort(fp.x[:, 0]), [-np.sqrt(0.5), np.sqrt(0.5)], atol=1e-12)


def test_ordered_network_branch_crosses_once_at_the_unique_fixed_point():
    J, theta, R, DR = network(80, 0.6, 0.5)
    c = np.random.default_rng(1).choice([-1.0, 1.0], 80)
    x0, lam0 = homotopy.network_start(J, theta, c)
    assert np.abs(R(x0) + lam0 * c).max() < 1e-12
    path = homotopy.track_path(R, DR, c, x0, lam0)
    assert path.end == "completed" and path.n_crossings == 1 and path.x.shape == (1, 80)
    x = np.zeros(80)
    for _ in range(50):  # g < 1: x -> J tanh(x) + theta contracts, iterate to its fixed point
        x = J @ np.tanh(x) + theta
    np.testing.assert_allclose(path.x[0], x, atol=1e-9)


def test_chaotic_network_paths_give_verified_points_and_diagnostics():
    J, theta, R, _ = network(80, 2.0, 0.3, seed=2)
    fp = fpm.network_fixed_points("rate", J, theta, n_init=8, rng=np.random.default_rng(0), n_paths=2,
                                  path_solves=3000, extra_fraction=0.0)
    assert fp.path_crossings.shape == (2,) and np.all(fp.path_points <= fp.path_crossings)
    assert np.sum(fp.origin == ORIGINS.index("homotopy")) >= 1
    assert np.all(np.abs(np.stack([R(x) for x in fp.x])).max(axis=1) < 1e-10)
    solves, unique = fp.saturation
    assert solves[-1] == 8 + 2 and np.all(fp.iterations[-2:] == fp.path_solves)
    ds = fpm.to_dataset(fp)
    assert ds["path_end"].attrs["flag_meanings"] == " ".join(homotopy.ENDS)


def test_paths_are_reproducible_from_the_seed():
    J, theta, _, _ = network(40, 2.0, 0.0, seed=5)
    run = lambda: fpm.network_fixed_points("rate", J, theta, n_init=4, rng=np.random.default_rng(3),  # noqa: E731
                                           n_paths=1, path_solves=500)
    a, b = run(), run()
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.path_crossings, b.path_crossings)


def test_budget_end_and_bad_path_arguments():
    J, theta, R, DR = network(60, 2.0, 0.0, seed=1)
    c = np.ones(60)
    x0, lam0 = homotopy.network_start(J, theta, c)
    assert homotopy.track_path(R, DR, c, x0, lam0, max_steps=5).end == "budget"
    for kwargs, match in (({"n_paths": -1}, "n_paths"), ({"path_solves": 0}, "path_solves")):
        with pytest.raises(ValueError, match=match):
            fpm.network_fixed_points("rate", J, theta, n_init=2, rng=np.random.default_rng(0), **kwargs)


def test_start_failure_is_reported():
    J = np.full((3, 3), np.nan)
    with pytest.raises(NumericalFailure, match="not_converged"):
        homotopy.network_start(J, np.zeros(3), np.ones(3))


def test_chao2_scales_the_correction_by_the_occasions():
    incidence = np.array([1, 1, 1, 2, 3])  # f1 = 3, f2 = 1
    assert capture_recapture(incidence)[0] == pytest.approx(5 + 3 * 2 / 4)
    assert capture_recapture(incidence, n_occasions=4)[0] == pytest.approx(5 + 0.75 * 3 * 2 / 4)
