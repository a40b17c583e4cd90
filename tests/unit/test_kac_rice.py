"""Kac-Rice theory: limits, the saddle-point equations, the variational principle, Jacobian support."""

import numpy as np
import pytest
from scipy import integrate

from rnnchaos import kac_rice as kr
from rnnchaos.fixed_points import network_fixed_points
from rnnchaos.io import read_dataset, write_dataset
from rnnchaos.network import draw_disorder
from rnnchaos.status import NumericalFailure


def gauss_mean(f, var):
    dens = lambda y: f(y) * np.exp(-y * y / (2 * var)) / np.sqrt(2 * np.pi * var)  # noqa: E731
    return integrate.quad(dens, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-13, limit=200)[0]


@pytest.mark.parametrize("g", [0.0, 0.5, 0.99, 1.0])
def test_single_fixed_point_at_origin_below_transition(g):
    sol = kr.kac_rice_solution(g, 0.0)
    assert sol.branch == "trivial" and sol.complexity == 0.0 and sol.mean_sq_radius == 0.0
    assert sol.jacobian_radius == pytest.approx(g)  # -1 + J: the circular law, radius g
    assert np.sum(sol.mu) * (sol.y[1] - sol.y[0]) == pytest.approx(1.0) and sol.mu[sol.y.size // 2] > 0


@pytest.mark.parametrize(("g", "sigma_b"), [(0.5, 0.5), (1.2, 0.5), (1.5, 1.0), (2.0, 3.0)])
def test_unique_fixed_point_is_the_static_mean_field_gaussian(g, sigma_b):
    sol = kr.kac_rice_solution(g, sigma_b)
    assert sol.branch == "gaussian" and sol.complexity == 0.0 and sol.alpha == 0.0 and sol.gamma == 0.0
    v = sol.mean_sq_radius  # v = g^2 <tanh^2>_{N(0, v)} + sigma_b^2, checked by independent quadrature
    assert v == pytest.approx(g**2 * gauss_mean(lambda y: np.tanh(y) ** 2, v) + sigma_b**2, rel=1e-9)
    assert g**2 * gauss_mean(lambda y: (1 - np.tanh(y) ** 2) ** 2, v) <= 1.0  # stable: z* = 0
    np.testing.assert_allclose(sol.mu, np.exp(-sol.y**2 / (2 * v)) / np.sqrt(2 * np.pi * v), atol=1e-10)


def test_complexity_vanishes_at_g1_and_grows_above():
    sigma = [kr.kac_rice_solution(g, 0.0).complexity for g in (1.01, 1.05, 1.5, 2.0, 3.0)]
    assert 0 < sigma[0] < 1e-6 and 0 < sigma[1] < 1e-4 and np.all(np.diff(sigma) > 0)
    assert sigma[3] == pytest.approx(0.02483, abs=2e-4)
    # the O((g-1)^2) terms of h - S cancel: Sigma ~ c (g - 1)^3 near the transition (c ~ 0.19)
    s1, s2 = (kr.kac_rice_solution(1 + e, 0.0).complexity for e in (0.005, 0.01))
    assert np.log(s2 / s1) / np.log(2) == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(("g", "sigma_b"), [(1.5, 0.0), (2.0, 0.0), (2.0, 0.5), (3.0, 1.0)])
def test_saddle_point_equations_hold(g, sigma_b):
    sol = kr.kac_rice_solution(g, sigma_b)
    assert sol.branch == "nontrivial" and sol.converged and sol.alpha > 0 and sol.complexity > 0
    assert np.abs(kr.saddle_residuals(sol.alpha, sol.beta, sol.gamma, g, sigma_b)).max() < 1e-10
    assert sol.alpha == pytest.approx(sol.z_star * g**2)
    y, mu, dy = sol.y, sol.mu, sol.y[1] - sol.y[0]
    t = np.tanh(y)
    assert dy * mu.sum() == pytest.approx(1.0, abs=1e-9)
    assert sol.beta == pytest.approx(g**2 * dy * (mu @ t**2) + sigma_b**2, rel=1e-8)  # beta carries g^2
    assert sol.mean_sq_radius == pytest.approx(dy * (mu @ y**2), rel=1e-8)
    d2 = (1 - t**2) ** 2  # 1 = g^2 <(phi'^-2 + alpha)^-1> = g^2 <phi'^2 / (1 + alpha phi'^2)>
    assert g**2 * dy * (mu @ (d2 / (1 + sol.alpha * d2))) == pytest.approx(1.0, abs=1e-8)
    np.testing.assert_allclose(sol.pdf(y), mu)


@pytest.mark.parametrize(("g", "sigma_b"), [(2.0, 0.0), (3.0, 0.5)])
def test_complexity_is_the_maximum_of_entropy_minus_action(g, sigma_b):
    sol = kr.kac_rice_solution(g, sigma_b)
    at_saddle = kr.complexity_functional(sol.y, sol.mu, g, sigma_b)
    assert at_saddle == pytest.approx(sol.complexity, abs=1e-9)
    for h in (np.tanh(sol.y) ** 2, np.cos(sol.y), sol.y**2 / (1 + sol.y**2)):
        for eps in (-0.05, 0.05):
            assert kr.complexity_functional(sol.y, sol.mu * (1 + eps * h), g, sigma_b) < at_saddle
    for v in np.linspace(0.3, 3.0, 10) * sol.mean_sq_radius:  # the best Gaussian is a lower bound
        gauss = np.exp(-sol.y**2 / (2 * v))
        assert kr.complexity_functional(sol.y, gauss, g, sigma_b) < at_saddle


def test_jacobian_spectrum_at_fixed_points_fills_the_predicted_disc():
    g, N = 2.0, 80
    sol = kr.kac_rice_solution(g, 0.0)
    radii, own = [], []
    for seed in (1, 2):
        d = draw_disorder(N, seed)
        fp = network_fixed_points("rate", d.couplings(g), d.biases(0.0), n_init=24, rng=np.random.default_rng(seed))
        nonzero = np.abs(fp.x).max(axis=1) > 1e-8
        x, r = fp.x[nonzero], np.abs(fp.eigvals[nonzero] + 1)  # distance from the centre -1
        radii.append(r.ravel())
        own.append(r / (g * np.sqrt(np.mean((1 - np.tanh(x) ** 2) ** 2, axis=1)))[:, None])
    r, own = np.concatenate(radii), np.concatenate([o.ravel() for o in own])
    assert r.size >= 6 * N
    assert np.mean(own <= 1.05) > 0.95  # circular law with each point's own phi'(x*)
    assert np.quantile(r, 0.95) == pytest.approx(sol.jacobian_radius, rel=0.15)  # disc edge of the theory
    assert np.mean(r > 1.2 * sol.jacobian_radius) < 0.02
    assert np.mean(r < 0.5 * sol.jacobian_radius) > 0.1  # filled, not a ring


def test_bulk_radial_law_limits_and_the_alpha_condition():
    r, F = kr.kac_rice_solution(0.7, 0.0).jacobian_bulk()  # x* = 0: phi' = 1, the circular law F = r^2 / g^2
    np.testing.assert_allclose(F, (r / 0.7) ** 2, atol=1e-12)
    sol = kr.kac_rice_solution(2.0, 0.3)
    r, F = sol.jacobian_bulk()
    assert np.all(np.diff(r) >= 0) and np.all(np.diff(F) >= 0) and F[-1] == pytest.approx(1.0, abs=1e-12)
    assert r[-1] == pytest.approx(sol.jacobian_radius, rel=1e-12)
    # the Kac-Rice alpha puts the unit circle at s = alpha, so 1 - F(1) = <alpha phi'^2 / (1 + alpha phi'^2)>
    d2, p = sol._dphi_sq()
    assert sol.index_fraction("map") == pytest.approx(p @ (sol.alpha * d2 / (1 + sol.alpha * d2)), abs=1e-4)
    assert 0 < sol.index_fraction("rate") < sol.index_fraction("map") < 1
    assert kr.kac_rice_solution(0.8, 0.5).index_fraction("rate") == 0.0  # a unique, stable fixed point


def test_bulk_radial_law_matches_ginibre_times_diagonal_matrices():
    sol = kr.kac_rice_solution(2.0, 0.0)
    rng = np.random.default_rng(0)
    N = 800
    d2, p = sol._dphi_sq()
    d = np.sqrt(rng.choice(d2, size=N, p=p))  # phi'(y) with y ~ mu*
    ev = np.linalg.eigvals(2.0 * rng.standard_normal((N, N)) / np.sqrt(N) * d[None, :])
    r, F = sol.jacobian_bulk()
    empirical = np.searchsorted(np.sort(np.abs(ev)), r) / N
    assert np.abs(empirical - F).max() < 0.04
    assert np.mean(ev.real > 1) == pytest.approx(sol.index_fraction("rate"), abs=0.015)
    assert np.mean(np.abs(ev) > 1) == pytest.approx(sol.index_fraction("map"), abs=0.03)


def test_dataset_round_trip(tmp_path):
    ds = kr.to_dataset(kr.kac_rice_solution(2.0, 0.5))
    assert ds["mu"].dims == ("y",) and "complexity" in ds and int(ds["branch"]) == 2
    write_dataset(ds, tmp_path / "kr.nc", stage="kac_rice", params={})
    back = read_dataset(tmp_path / "kr.nc", stage="kac_rice", required=("mu", "mean_sq_radius"))
    assert float(back["complexity"]) == pytest.approx(0.0123086, rel=1e-4)


def test_invalid_arguments_and_failure(monkeypatch):
    for kwargs, match in [({"g": -1.0}, "g"), ({"sigma_b": np.nan}, "sigma_b"), ({"tol": 0.0}, "tol"),
                          ({"n_y": 2}, "n_y")]:
        with pytest.raises(ValueError, match=match):
            kr.kac_rice_solution(**{"g": 2.0, "sigma_b": 0.0, **kwargs})
    class Stuck:
        x, nfev = np.array([0.0, 0.0, 5.0]), 7

    monkeypatch.setattr(kr.optimize, "root", lambda *a, **k: Stuck())
    with pytest.raises(NumericalFailure, match="not_converged"):
        kr.kac_rice_solution(2.0, 0.0)
    assert kr.kac_rice_solution(0.5, 0.5).branch == "gaussian"  # needs no root finding
    with pytest.raises(ValueError, match="density"):
        kr.kac_rice_solution(0.5, 0.0).pdf(0.0)
