"""Mean-field theory: closed forms, limits, identities and self-consistency, checked with independent quadrature."""

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss

from rnnchaos import dmft, dmft_rate, gaussian, io
from rnnchaos.dmft_map import map_overlap
from rnnchaos.status import NumericalFailure


def trapz_mean(f, var, h=0.01, Z=14.0):
    """Independent reference <f(sqrt(var) z)>, z ~ N(0, 1), on a finer and wider trapezoid grid."""
    z = np.arange(-int(Z / h), int(Z / h) + 1) * h
    return float(np.sum(h * np.exp(-z * z / 2) / np.sqrt(2 * np.pi) * f(np.sqrt(var) * z)))


def dphi2(x):
    return (1 - np.tanh(x) ** 2) ** 2


def nested(D, D0, f=np.tanh):
    return gaussian.gauss_corr_nested(D, D0, f=f, h=0.04)


# ---------------------------------------------------------------- Gaussian integrals
@pytest.mark.parametrize("D", [1e-6, 0.3, 2.0, 9.0, 25.0])
def test_one_dimensional_quadrature_converged_to_1e_10(D):
    p2, d2 = gaussian.phi_moments(D)
    assert p2 == pytest.approx(trapz_mean(lambda x: np.tanh(x) ** 2, D), abs=1e-12)
    assert d2 == pytest.approx(trapz_mean(dphi2, D), abs=1e-12)
    if D <= 0.3:  # Gauss-Hermite converges where the poles of tanh are far from the real axis
        x, w = hermegauss(200)
        assert p2 == pytest.approx(w @ np.tanh(np.sqrt(D) * x) ** 2 / np.sqrt(2 * np.pi), abs=1e-12)


@pytest.mark.parametrize("g, sigma_b", [(8.0, 0.0), (10.0, 4.0), (20.0, 0.0)])
def test_static_variance_beyond_the_fixed_grid_solves_the_static_equation_to_1e_13(g, sigma_b):
    # Kac-Rice takes any g >= 0 (external networks): D > 52 gets a finer step (the fixed one was off by 7e-5 at g = 20)
    D = gaussian.static_variance(g, sigma_b)
    assert D > gaussian.D_FIXED_GRID
    assert abs(g * g * trapz_mean(lambda x: np.tanh(x) ** 2, D) + sigma_b**2 - D) <= 1e-13 * D
    p2, d2 = gaussian.phi_moments(D)
    assert d2 == pytest.approx(trapz_mean(dphi2, D), rel=1e-13)


@pytest.mark.parametrize("D0", [0.5, 3.0, 10.0, 20.0])
def test_two_dimensional_series_matches_nested_quadrature_to_1e_10(D0):
    corr = gaussian.GaussCorr(D0)
    for rho in (0.0, 0.3, 0.9, 0.999, 1.0):
        assert corr.C(rho) == pytest.approx(nested(rho * D0, D0), abs=1e-10)
        assert corr.dC(rho) == pytest.approx(nested(rho * D0, D0, f=lambda x: 1 - np.tanh(x) ** 2), abs=1e-10)
    rho = np.array([0.2, 0.7])  # cbar = mean of C over [rho, 1]; Taylor coefficients reproduce C
    r, w = np.polynomial.legendre.leggauss(40)
    for a in rho:
        u = a + (1 - a) * (r + 1) / 2
        assert corr.cbar(a) == pytest.approx(0.5 * w @ corr.C(u), abs=1e-12)
        b = corr.taylor(a, 24)
        x = 0.05 * (1 - a)
        assert np.polynomial.polynomial.polyval(x, b) == pytest.approx(corr.C(a + x), abs=1e-13)
    assert gaussian.gauss_corr(rho * D0, D0) == pytest.approx(corr.C(rho), abs=1e-15)


# ---------------------------------------------------------------- static branch and critical line
@pytest.mark.parametrize("g", [0.3, 0.7, 0.95])
def test_rate_below_gc_at_zero_bias_is_quiescent_with_lambda_g_minus_1(g):
    r = dmft.dmft_point("rate", g, 0.0)
    assert (r.delta0, r.delta_inf, r.chaotic, r.g_c) == (0.0, 0.0, False, 1.0)
    assert r.lambda_max == pytest.approx(g - 1, abs=1e-14)
    assert np.all(r.delta == 0)


@pytest.mark.parametrize("g", [0.3, 0.9])
def test_map_below_gc_at_zero_bias_has_lambda_log_g(g):
    r = dmft.dmft_point("map", g, 0.0)
    assert r.delta0 == 0.0 and not r.chaotic
    assert r.lambda_max == pytest.approx(0.5 * np.log(g**2), abs=1e-14)


def test_critical_gain_is_one_at_zero_bias_and_shared_by_both_models():
    assert dmft.critical_gain(0.0, "rate") == 1.0 == dmft.critical_gain(0.0, "map")
    for sb in (0.3, 1.2):
        gc = dmft.critical_gain(sb, "rate")
        assert dmft.critical_gain(sb, "map") == gc
        for model in ("rate", "map"):  # chi = g^2 <phi'^2> crosses 1 exactly there, for both models
            lo, hi = (dmft.dmft_point(model, gc * (1 + s * 1e-6), sb) for s in (-1, 1))
            assert lo.chi < 1 < hi.chi and not lo.chaotic and hi.chaotic


@pytest.mark.parametrize("sb", [0.05, 0.5, 1.5, 3.0])
def test_critical_gain_solves_chi_equals_one_on_the_static_branch(sb):
    gc = dmft.critical_gain(sb)
    D = gaussian.static_variance(gc, sb)
    assert D == pytest.approx(gc**2 * trapz_mean(lambda x: np.tanh(x) ** 2, D) + sb**2, abs=1e-12)
    assert gc**2 * trapz_mean(dphi2, D) == pytest.approx(1.0, abs=1e-10)


def test_critical_gain_increases_with_bias_and_has_the_small_bias_asymptote():
    sbs = np.linspace(0, 2, 21)
    gcs = np.array([dmft.critical_gain(s) for s in sbs])
    assert np.all(np.diff(gcs) > 0)
    sb = 1e-4  # g_c - 1 ~ (3 sigma_b^2 / 4)^(1/3): sigma_b^2 = D - <phi^2>/<phi'^2> ~ 4 D^3 / 3
    assert dmft.critical_gain(sb) - 1 == pytest.approx((0.75 * sb**2) ** (1 / 3), rel=0.01)


@pytest.mark.parametrize("model", ["rate", "map"])
def test_results_are_even_in_sigma_b(model):
    a, b = dmft.dmft_point(model, 2.0, 0.7), dmft.dmft_point(model, 2.0, -0.7)
    for k in ("delta0", "delta_inf", "lambda_max", "g_c", "chaotic"):
        assert getattr(a, k) == getattr(b, k)
    assert np.array_equal(a.delta, b.delta)
    assert gaussian.static_variance(1.5, -0.7) == gaussian.static_variance(1.5, 0.7)


# ---------------------------------------------------------------- lambda_max
@pytest.mark.parametrize("model", ["rate", "map"])
@pytest.mark.parametrize("sb", [0.0, 0.5])
def test_lambda_max_is_continuous_across_gc(model, sb):
    gc = dmft.critical_gain(sb)
    lam = {d: dmft.dmft_point(model, gc * (1 + d), sb).lambda_max for d in (-1e-2, -1e-3, 1e-3, 1e-2)}
    assert lam[-1e-2] < lam[-1e-3] < 0 < lam[1e-3] < lam[1e-2]
    assert abs(lam[-1e-3]) < 2e-3 and abs(lam[1e-3]) < 2e-3  # -> 0 from both sides, at least linearly
    assert abs(lam[-1e-3]) < 0.2 * abs(lam[-1e-2]) and abs(lam[1e-3]) < 0.2 * abs(lam[1e-2])


def test_ordered_rate_lambda_is_jacobian_disc_edge():
    g, sb = 1.2, 0.8  # below g_c(0.8): stable fixed point, lambda = -1 + g sqrt(<phi'^2>)
    r = dmft.dmft_point("rate", g, sb)
    assert not r.chaotic and r.delta0 == r.delta_inf == r.delta_fp
    assert r.lambda_max == pytest.approx(-1 + g * np.sqrt(trapz_mean(dphi2, r.delta0)), abs=1e-12)


def test_rate_lambda_near_onset_matches_poeschl_teller_asymptote():
    # sigma_b = 0, g = 1 + e: V ~ -mu^2 D^2/2 + D^4/6 gives Delta = Delta0 sech(mu tau), Delta0 ~ e, mu^2 = Delta0^2/3,
    # Schrodinger well -6 mu^2 sech^2(mu tau): E_0 = -3 mu^2, E_1 = 0, so lambda ~ 3 mu^2 / 2 ~ e^2 / 2
    e = 1e-3
    r = dmft.dmft_point("rate", 1 + e, 0.0)
    assert r.delta0 == pytest.approx(e, rel=3e-3)
    assert r.lambda_max == pytest.approx(e**2 / 2, rel=1e-2)
    tau = np.array([0.0, 1 / r.delta0, 3 / r.delta0])
    prof = dmft_rate.RateProfile(gaussian.GaussCorr(r.delta0), (1 + e) ** 2, 0.0, 0.0)
    assert prof(tau)[0] == pytest.approx(r.delta0 / np.cosh(r.delta0 * tau / np.sqrt(3)), rel=5e-3)


@pytest.mark.parametrize("g, sb", [(2.0, 0.0), (2.0, 0.5), (3.0, 1.5)])
def test_schrodinger_zero_mode_and_positive_lambda_in_chaos(g, sb):
    r = dmft.dmft_point("rate", g, sb)
    assert abs(r.schrodinger_e1) < 1e-6  # Delta'(tau) is the odd eigenfunction with E = 0
    assert r.schrodinger_e0 < 0
    assert r.lambda_max == pytest.approx(-1 + np.sqrt(1 - r.schrodinger_e0), abs=0) and r.lambda_max > 0


def test_map_lambda_is_half_log_chi_in_chaos():
    g, sb = 2.5, 0.6
    q = 1.0
    for _ in range(500):  # independent fixed-point iteration of the length map
        q = g**2 * trapz_mean(lambda x: np.tanh(x) ** 2, q) + sb**2
    r = dmft.dmft_point("map", g, sb)
    assert r.delta0 == pytest.approx(q, abs=1e-10)
    assert r.lambda_max == pytest.approx(0.5 * np.log(g**2 * trapz_mean(dphi2, q)), abs=1e-10)


# ---------------------------------------------------------------- chaotic solution of the rate network
@pytest.mark.parametrize("g, sb", [(2.0, 0.0), (2.0, 0.5), (3.0, 1.5)])
def test_rate_chaotic_solution_is_self_consistent(g, sb):
    r = dmft.dmft_point("rate", g, sb)
    assert r.chaotic and r.residual < 1e-10
    assert 0 <= r.delta_inf < r.delta0 < r.delta_fp

    def force(D):  # V'(D) with the independent nested quadrature
        return -D + g**2 * nested(D, r.delta0) + sb**2

    assert force(r.delta_inf) == pytest.approx(0, abs=1e-9)
    x, w = np.polynomial.legendre.leggauss(16)  # V(Delta0) - V(Delta_inf) = int V' = 0 (energy conservation)
    D = r.delta_inf + (r.delta0 - r.delta_inf) * (x + 1) / 2
    assert w @ np.array([force(d) for d in D]) == pytest.approx(0, abs=1e-8)
    assert force(r.delta0) > 0  # the particle starts downhill


@pytest.mark.parametrize("g, sb", [(2.0, 0.0), (1.8, 0.5), (3.0, 1.5)])
def test_delta_tau_decreases_from_delta0_to_delta_inf_and_solves_the_equation_of_motion(g, sb):
    r = dmft.dmft_point("rate", g, sb, tau_max=80.0, n_tau=1601)
    d, h = r.delta, r.tau[1]
    assert d[0] == pytest.approx(r.delta0, abs=1e-12)
    assert np.all(np.diff(d) < 0)
    assert d[-1] == pytest.approx(r.delta_inf, abs=1e-6 * r.delta0)
    corr = gaussian.GaussCorr(r.delta0)
    rhs = d - g**2 * corr.C(d / r.delta0) - sb**2
    d2 = (-d[4:] + 16 * d[3:-1] - 30 * d[2:-2] + 16 * d[1:-3] - d[:-4]) / (12 * h**2)  # O(h^4) stencil
    assert d2 == pytest.approx(rhs[2:-2], abs=1e-6)
    kinetic = 0.5 * ((-d[4:] + 8 * d[3:-1] - 8 * d[1:-3] + d[:-4]) / (12 * h)) ** 2  # Delta'^2/2 = V(Delta0) - V
    potential = (r.delta0 - d) * (-(r.delta0 + d) / 2 + sb**2 + g**2 * corr.cbar(d / r.delta0))
    assert kinetic == pytest.approx(potential[2:-2], abs=2e-8)


def test_profile_is_converged_in_its_discretisation():
    r = dmft.dmft_point("rate", 2.0, 0.5)
    corr = gaussian.GaussCorr(r.delta0)
    tau = np.linspace(0, 60, 301)
    a = dmft_rate.RateProfile(corr, 4.0, 0.25, r.delta_inf)(tau)
    b = dmft_rate.RateProfile(corr, 4.0, 0.25, r.delta_inf, n_cheb=96, n_tab=4097)(tau)
    assert np.max(np.abs(a[0] - b[0])) < 1e-9 and np.max(np.abs(a[1] - b[1])) < 1e-9


# ---------------------------------------------------------------- map correlations
def test_map_autocorrelation_is_q_then_c_star():
    g, sb = 2.0, 0.5
    r = dmft.dmft_point("map", g, sb, tau_max=5)
    assert np.array_equal(r.tau, np.arange(6))
    assert r.delta[0] == r.delta0 and np.all(r.delta[1:] == r.delta_inf) and r.delta_inf < r.delta0
    assert r.delta_inf == pytest.approx(g**2 * nested(r.delta_inf, r.delta0) + sb**2, abs=1e-10)
    c = map_overlap(g, sb, 0.5 * r.delta0, 400)  # two trajectories of one network: attracted to c*
    assert c[-1] == pytest.approx(r.delta_inf, abs=1e-8)
    assert np.all(map_overlap(g, sb, r.delta0, 5) == pytest.approx(r.delta0, abs=1e-12))  # q* is a fixed point
    ordered = dmft.dmft_point("map", 1.0, 0.5)
    assert not ordered.chaotic and np.all(ordered.delta == ordered.delta0)
    assert map_overlap(1.0, 0.5, 0.0, 400)[-1] == pytest.approx(ordered.delta0, abs=1e-6)


# ---------------------------------------------------------------- errors, output
def test_invalid_arguments_name_the_argument_and_range():
    for kw, name in [(dict(g=-0.1), "g"), (dict(g=7.0), "g"), (dict(sigma_b=5.0), "sigma_b"),
                     (dict(tol=0.0), "tol"), (dict(n_tau=1), "n_tau"), (dict(model="ode"), "model")]:
        args = dict(model="rate", g=2.0, sigma_b=0.5) | kw
        with pytest.raises(ValueError, match=name):
            dmft.dmft_point(args.pop("model"), args.pop("g"), args.pop("sigma_b"), **args)
    with pytest.raises(ValueError, match=r"sigma_b must be a number in \[-4"):
        dmft.critical_gain(np.nan)


@pytest.mark.parametrize("model, method", [("rate", "cbar"), ("map", "C")])
def test_failed_solve_raises_instead_of_returning_nan(monkeypatch, model, method):
    monkeypatch.setattr(gaussian.GaussCorr, method, lambda self, rho: np.nan * np.asarray(rho))
    with pytest.raises(NumericalFailure) as err:
        dmft.dmft_point(model, 2.0, 0.5)
    assert err.value.status == "not_converged"


def test_to_dataset_variables_units_and_netcdf_round_trip(tmp_path):
    for model, unit in (("rate", "1/tau"), ("map", "1/step")):
        ds = dmft.to_dataset(dmft.dmft_point(model, 2.0, 0.5, tau_max=10.0, n_tau=11))
        for v in ("delta0", "delta_inf", "lambda_max", "g_c", "chaotic", "residual"):
            assert ds[v].dims == () and {"units", "long_name"} <= set(ds[v].attrs)
        assert ds["delta"].dims == ("tau",) and ds["chaotic"].dtype == np.int8 and int(ds["chaotic"]) == 1
        assert ds["lambda_max"].attrs["units"] == unit and ds.sizes["tau"] == 11
        path = tmp_path / f"{model}.nc"
        io.write_dataset(io.with_grid_coords(ds, g=2.0, sigma_b=0.5), path, stage="dmft", params={"model": model})
        back = io.read_dataset(path, stage="dmft", required=["delta", "lambda_max"])
        assert float(back["lambda_max"].squeeze()) == float(ds["lambda_max"])


def test_dense_curves_for_the_figures():
    sw = dmft.g_sweep("rate", 0.5, n_dense=6, g_max=3.0)
    assert np.allclose(sw.g, [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]) and np.all(sw.status == 0)
    assert list(sw.chaotic.values) == [0, 0, 0, 1, 1, 1] and float(sw.g_c) == dmft.critical_gain(0.5)
    line = dmft.critical_line("map", n_dense=3, sigma_b_max=1.0)
    assert float(line.g_c[0]) == 1.0 and line.g_c.attrs["units"] == "1"
    assert np.all(np.isfinite([v for d in (sw, line) for k in d.data_vars for v in np.ravel(d[k].values)]))
