"""Gaussian averages of any nonlinearity: the quadrature against closed forms (erf), the affine identity of the
logistic with tanh, and the tanh_cubic family's derivatives."""

import numpy as np
import pytest
from scipy.optimize import brentq

from rnnchaos import gaussian as ga
from rnnchaos import nonlinearity as nl

D0S = (1e-4, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 52.0)
RHO = np.linspace(0.0, 1.0, 41)


@pytest.mark.parametrize("D", D0S + (80.0, 200.0))
def test_erf_moments_match_closed_forms(D):
    p2, d2 = ga.phi_moments(D, nonlinearity="erf")
    e2, ed2 = ga.erf_moments(D)
    assert abs(p2 - e2) < 1e-12 and abs(d2 - ed2) < 1e-12


def test_erf_closed_forms_against_independent_quadrature():
    """The closed forms themselves, against the nested trapezoid reference (not the Mehler series)."""
    for D0, D in ((1.0, 0.4), (5.0, 3.0), (0.3, 0.0)):
        assert ga.erf_corr(D, D0) == pytest.approx(ga.gauss_corr_nested(D, D0, f=nl.ERF.phi), abs=1e-12)
        assert ga.erf_dcorr(D, D0) == pytest.approx(ga.gauss_corr_nested(D, D0, f=nl.ERF.dphi), abs=1e-12)


@pytest.mark.parametrize("D0", D0S)
def test_erf_correlation_series_matches_closed_forms(D0):
    c = ga.GaussCorr(D0, nonlinearity=nl.ERF)
    assert np.max(np.abs(c.C(RHO) - ga.erf_corr(RHO * D0, D0))) < 1e-12
    assert np.max(np.abs(c.dC(RHO) - ga.erf_dcorr(RHO * D0, D0))) < 1e-12
    u0, r = 0.5 * np.pi * D0 / (1 + 0.5 * np.pi * D0), RHO[RHO < 0.95]

    def dF(u, v):  # F(u) - F(v), F(u) = u arcsin(u) + sqrt(1 - u^2) the antiderivative of arcsin, free of cancellation
        return u * np.arcsin(u) - v * np.arcsin(v) + (v * v - u * u) / (np.sqrt(1 - u * u) + np.sqrt(1 - v * v))

    cbar = 2 / np.pi * dF(u0, u0 * r) / (u0 * (1 - r))
    assert np.max(np.abs(c.cbar(r) - cbar)) < 1e-12
    assert np.max(np.abs(ga.gauss_corr(-RHO * D0, D0, nonlinearity="erf") + ga.erf_corr(RHO * D0, D0))) < 1e-12


@pytest.mark.parametrize(("g", "sigma_b"), [(0.5, 0.3), (2.0, 0.0), (2.0, 0.5), (4.0, 1.0), (6.0, 4.0)])
def test_erf_static_variance_solves_the_closed_form_equation(g, sigma_b):
    D = ga.static_variance(g, sigma_b, nonlinearity="erf")
    ref = brentq(lambda q: g * g * ga.erf_moments(q)[0] + sigma_b**2 - q, 1e-12, g * g + sigma_b**2 + 1,
                 xtol=1e-15, rtol=1e-15)
    assert D == pytest.approx(ref, rel=1e-12)


def test_erf_static_variance_is_zero_below_one_without_bias():
    assert ga.static_variance(0.9, 0.0, nonlinearity="erf") == 0.0
    assert ga.static_variance(1.1, 0.0, nonlinearity="erf") > 0.0


@pytest.mark.parametrize("D0", (0.1, 1.0, 4.0, 20.0, 52.0))
def test_logistic_is_affine_tanh(D0):
    """``1 / (1 + e^-x) = 1/2 + tanh(x/2) / 2``: ``C_L(D; D0) = 1/4 + C_tanh(D/4; D0/4) / 4`` and ``<phi_L'^2>(D) =
    <tanh'^2>(D/4) / 16``; the even-order series (k = 0 the mean 1/2) against the odd-order one."""
    cl, ct = ga.GaussCorr(D0, nonlinearity="logistic"), ga.GaussCorr(D0 / 4)
    assert abs(cl.mean - 0.5) < 1e-14 and abs(ga.phi_mean(D0, nonlinearity="logistic") - 0.5) < 1e-14
    assert np.max(np.abs(cl.C(RHO) - 0.25 - 0.25 * ct.C(RHO))) < 1e-12
    assert np.max(np.abs(cl.dC(RHO) - ct.dC(RHO) / 16)) < 1e-12
    assert np.max(np.abs(cl.cbar(RHO) - 0.25 - 0.25 * ct.cbar(RHO))) < 1e-12
    assert np.max(np.abs(cl.taylor(0.3, 8) - np.r_[0.25, np.zeros(8)] - 0.25 * ct.taylor(0.3, 8))) < 1e-12
    p2, d2 = ga.phi_moments(D0, nonlinearity="logistic")
    t2, td2 = ga.phi_moments(D0 / 4)
    assert abs(p2 - 0.25 - 0.25 * t2) < 1e-12 and abs(d2 - td2 / 16) < 1e-12
    assert cl.C(0.0) == pytest.approx(0.25, abs=1e-14)  # the mean enters: C(0) = <phi>^2


def test_logistic_static_variance_has_no_zero_root():
    D = ga.static_variance(1.0, 0.0, nonlinearity="logistic")
    assert D > 0.25 and abs(ga.phi_moments(D, nonlinearity="logistic")[0] - D) < 1e-13


def test_tanh_cubic_family():
    X = np.linspace(-3.0, 3.0, 121)
    for s in (0.0, 0.2, 1 / 3, 0.6, 2.0):
        f, h = nl.tanh_cubic(s), 1e-5
        assert f.odd and np.allclose(f.phi(-X), -f.phi(X), atol=1e-15) and np.all(f.dphi(X) >= 0)
        assert np.allclose((f.phi(X + h) - f.phi(X - h)) / (2 * h), f.dphi(X), rtol=0, atol=1e-8)
        assert np.allclose((f.dphi(X + h) - f.dphi(X - h)) / (2 * h), f.d2phi(X), rtol=0, atol=1e-8)
        h3 = 1e-3  # phi'''(0) = 6 s - 2 by a central difference of phi'
        assert (f.dphi(h3) - 2 * f.dphi(0.0) + f.dphi(-h3)) / h3**2 == pytest.approx(6 * s - 2, abs=1e-4)
    assert np.allclose(nl.tanh_cubic(0).phi(X), np.tanh(X), rtol=0, atol=1e-15)
    assert nl.get("tanh_cubic_0.5") == nl.tanh_cubic(0.5)
    with pytest.raises(ValueError, match="s must be a number in"):
        nl.get("tanh_cubic_-1")
    with pytest.raises(ValueError, match="must be one of"):
        nl.get("relu")


def test_tanh_cubic_averages_converge():
    """Moments and correlation of ``tanh_cubic_0.6`` against the nested reference (poles nearer the real axis)."""
    f = nl.tanh_cubic(0.6)
    for D0 in (0.5, 3.0):
        c = ga.GaussCorr(D0, nonlinearity=f)
        for rho in (0.2, 0.7):
            assert c.C(rho) == pytest.approx(ga.gauss_corr_nested(rho * D0, D0, f=f.phi), abs=1e-10)
            assert c.dC(rho) == pytest.approx(ga.gauss_corr_nested(rho * D0, D0, f=f.dphi), abs=1e-10)


def test_negative_covariance_needs_an_odd_nonlinearity():
    with pytest.raises(ValueError, match="which is not odd"):
        ga.gauss_corr(-0.5, 1.0, nonlinearity="logistic")
    assert ga.gauss_corr(-0.5, 1.0) == pytest.approx(-ga.gauss_corr(0.5, 1.0), abs=1e-16)


def test_static_variance_takes_the_smallest_of_several_roots():
    """``tanh_cubic_1`` (``phi'''(0) = 4``) at ``g = 0.95``, ``sigma_b = 0.01`` has three static roots (near
    ``D = 0.001, 0.032, 0.184``): the branch continued from ``g = 0`` is the smallest."""
    f = nl.tanh_cubic(1.0)

    def rhs(D):
        return 0.95**2 * ga.phi_moments(D, nonlinearity=f)[0] + 1e-4 - D

    D = ga.static_variance(0.95, 0.01, nonlinearity=f)
    assert abs(rhs(D)) < 1e-15 and 0.001 < D < 0.0011
    assert rhs(0.01) < 0 < rhs(0.1) and rhs(0.3) < 0  # the two other roots
