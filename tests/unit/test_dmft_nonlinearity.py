"""Mean-field theory and Kac-Rice with other nonlinearities: erf against its closed forms, the logistic against the
tanh network it is equivalent to, tanh numbers unchanged, and the discontinuous transition of tanh_cubic_<s>."""

import numpy as np
import pytest
from scipy.optimize import brentq

from rnnchaos import dmft, dmft_rate, io
from rnnchaos import gaussian as ga
from rnnchaos import kac_rice as kr
from rnnchaos.dmft_map import map_overlap, map_solution
from rnnchaos.nonlinearity import LOGISTIC, tanh_cubic

PI2 = 0.5 * np.pi


def test_tanh_numbers_are_those_of_before_the_generalisation():
    """Values printed by the tanh-only code (commit dac757e): bitwise equal (same operations)."""
    r = dmft.dmft_point("rate", 2.0, 0.5)
    assert (r.delta0, r.delta_inf, r.lambda_max, r.g_c) == (2.409692554631472, 1.5370928153622359,
                                                           0.08175489684437576, 1.549673912508167)
    m = dmft.dmft_point("map", 2.0, 0.5, nonlinearity="tanh")
    assert (m.delta0, m.delta_inf, m.lambda_max) == (2.479710461098592, 1.291796325696381, 0.12038545773079624)
    assert dmft.dmft_point("rate", 2.0, 0.0).lambda_max == 0.1124581006903107
    k = kr.kac_rice_solution(2.0, 0.5)
    assert (k.alpha, k.beta, k.complexity) == (0.8177963253467712, 2.1751154266802297, 0.012308560026236204)
    assert ga.static_variance(1.2, 0.3) == 0.4695211202423694


def _erf_q(g, sb):
    return brentq(lambda q: g * g * ga.erf_moments(q)[0] + sb * sb - q, 1e-9, g * g + sb * sb + 1, xtol=1e-15,
                  rtol=1e-15)


@pytest.mark.parametrize(("g", "sigma_b"), [(0.7, 0.5), (2.0, 0.0), (2.0, 0.5), (3.0, 1.0), (5.0, 2.0)])
def test_erf_map_against_closed_forms(g, sigma_b):
    """``q* = g^2 (2/pi) arcsin(k q*) + sigma_b^2``, ``lambda = (1/2) ln(g^2 / sqrt(1 + pi q*))`` and ``c* = g^2
    (2/pi) arcsin(k c*) + sigma_b^2`` (``k = (pi/2) / (1 + (pi/2) q*)``, the attracting root below ``q*``)."""
    r = dmft.dmft_point("map", g, sigma_b, nonlinearity="erf")
    q = _erf_q(g, sigma_b)
    assert r.delta0 == pytest.approx(q, rel=1e-12)
    assert r.lambda_max == pytest.approx(0.5 * np.log(g * g / np.sqrt(1 + np.pi * q)), abs=1e-12)
    if r.chaotic and sigma_b > 0:
        c = brentq(lambda c: g * g * ga.erf_corr(c, q) + sigma_b**2 - c, 0.0, q * (1 - 1e-9), xtol=1e-15)
        assert r.delta_inf == pytest.approx(c, rel=1e-10)
    assert r.nonlinearity == "erf" and dmft.to_dataset(r).attrs["nonlinearity"] == "erf"


@pytest.mark.parametrize("sigma_b", [0.0, 0.3, 1.0, 2.0])
def test_erf_critical_gain_against_closed_forms(sigma_b):
    """On the line ``g_c^2 = sqrt(1 + pi D)`` and ``D = g_c^2 <phi^2>(D) + sigma_b^2``."""
    gc = dmft.critical_gain(sigma_b, nonlinearity="erf")
    if sigma_b == 0:
        assert gc == 1.0
        return
    D = brentq(lambda D: D - np.sqrt(1 + np.pi * D) * ga.erf_moments(D)[0] - sigma_b**2, 1e-12, 100.0,
               xtol=1e-15, rtol=1e-15)
    assert gc == pytest.approx((1 + np.pi * D) ** 0.25, rel=1e-11)


@pytest.mark.parametrize(("g", "sigma_b"), [(1.5, 0.0), (2.0, 0.0), (2.0, 0.5), (3.0, 1.0)])
def test_erf_rate_solution_conserves_the_closed_form_energy(g, sigma_b):
    """``V(D) = -D^2/2 + g^2 int_0^D C + sigma_b^2 D`` with ``int_0^D (2/pi) arcsin(k u) du = (2/(pi k)) (F(k D)
    - 1)``, ``F(u) = u arcsin u + sqrt(1 - u^2)``: ``V(Delta0) = V(Delta_inf)`` and ``V'(Delta_inf) = 0``."""
    r = dmft.dmft_point("rate", g, sigma_b, nonlinearity="erf")
    D0, Dinf, s2 = r.delta0, r.delta_inf, sigma_b**2
    k = PI2 / (1 + PI2 * D0)

    def V(D):
        u = k * D
        return -D * D / 2 + g * g * 2 / (np.pi * k) * (u * np.arcsin(u) + np.sqrt(1 - u * u) - 1) + s2 * D

    assert r.chaotic and 0 <= Dinf < D0 < r.delta_fp
    assert abs(V(D0) - V(Dinf)) < 1e-11 * D0**2
    assert abs(-Dinf + g * g * ga.erf_corr(Dinf, D0) + s2) < 1e-11 * D0
    assert abs(r.schrodinger_e1) < 1e-4 and r.lambda_max > 0


def _tanh_equivalent(g, sigma_b):
    """``1/(1 + e^-x) = 1/2 + tanh(x/2)/2``: in ``y = x/2`` the logistic network is the tanh network of gain
    ``g/4`` and bias spread ``sqrt(g^2/16 + sigma_b^2/4)`` (``J 1 / 4``, a quenched bias)."""
    return g / 4, np.sqrt(g * g / 16 + sigma_b**2 / 4)


@pytest.mark.parametrize("model", ["rate", "map"])
@pytest.mark.parametrize(("g", "sigma_b"), [(0.5, 0.0), (4.0, 0.0), (6.0, 1.5)])
def test_logistic_equals_the_equivalent_tanh_network(model, g, sigma_b):
    r = dmft.dmft_point(model, g, sigma_b, nonlinearity=LOGISTIC)
    t = dmft.dmft_point(model, *_tanh_equivalent(g, sigma_b))
    assert not r.chaotic and r.delta0 > 0  # no zero solution: <phi>^2 acts as a bias; g_c(0) = 10.15 > 6
    assert r.delta0 == pytest.approx(4 * t.delta0, rel=1e-12)
    assert r.lambda_max == pytest.approx(t.lambda_max, abs=1e-12)


@pytest.mark.parametrize("sigma_b", [0.0, 1.0, 3.0])
def test_logistic_critical_gain_is_that_of_the_equivalent_tanh_network(sigma_b):
    gc = dmft.critical_gain(sigma_b, nonlinearity="logistic")
    gt, st = _tanh_equivalent(gc, sigma_b)
    D = ga.static_variance(gt, st)
    assert gt * gt * ga.phi_moments(D)[1] == pytest.approx(1.0, abs=1e-10)
    assert gc > 10


def test_logistic_chaotic_solutions_equal_the_equivalent_tanh_ones():
    """Beyond the validated range (``g = 10.5 > g_c(0) = 10.15``), through the solvers directly: the static part
    ``Delta_inf > 0`` at ``sigma_b = 0`` comes from ``<phi>^2`` alone."""
    g, (gt, st) = 10.5, _tanh_equivalent(10.5, 0.0)
    DL, DT = ga.static_variance(g, 0.0, nonlinearity=LOGISTIC), ga.static_variance(gt, st)
    assert DL == pytest.approx(4 * DT, rel=1e-13)
    D0, Dinf, corr, _, res = dmft_rate.rate_chaotic_solution(g, 0.0, DL, nonlinearity=LOGISTIC)
    D0t, Dinft, corrt, _, _ = dmft_rate.rate_chaotic_solution(gt, st, DT)
    assert res < 1e-10 and D0 == pytest.approx(4 * D0t, rel=1e-12) and Dinf == pytest.approx(4 * Dinft, rel=1e-11)
    assert Dinf > g * g / 4  # at least the quenched part g^2 <phi>^2
    e0 = dmft_rate.schrodinger_ground(dmft_rate.RateProfile(corr, g * g, 0.0, Dinf))[0]
    e0t = dmft_rate.schrodinger_ground(dmft_rate.RateProfile(corrt, gt * gt, st * st, Dinft))[0]
    assert e0 < 0 and e0 == pytest.approx(e0t, abs=1e-10)
    chi = g * g * ga.phi_moments(DL, nonlinearity=LOGISTIC)[1]
    m = map_solution(g, 0.0, DL, chi, 2, tol=1e-10, fp_residual=0.0, nonlinearity=LOGISTIC)
    mt = map_solution(gt, st, DT, gt * gt * ga.phi_moments(DT)[1], 2, tol=1e-10, fp_residual=0.0)
    assert m["chaotic"] and m["delta_inf"] == pytest.approx(4 * mt["delta_inf"], rel=1e-11)


def test_logistic_overlap_needs_nonnegative_c0():
    c = map_overlap(3.0, 0.0, 0.0, 5, nonlinearity="logistic")
    assert c[1] == pytest.approx(9 * 0.25, rel=1e-12)  # c = 0 maps to g^2 <phi>^2, not to 0
    with pytest.raises(ValueError, match="c0 must be a number in"):
        map_overlap(3.0, 0.0, -0.1, 5, nonlinearity="logistic")
    assert map_overlap(2.0, 0.0, -0.5, 3, nonlinearity="erf")[1] < 0  # odd: C(-c) = -C(c)


@pytest.mark.parametrize("model", ["rate", "map"])
def test_tanh_cubic_transition_is_continuous_below_and_discontinuous_above_s_one_third(model):
    """Pazo (2024): ``phi'''(0) = 6 s - 2``. At ``g = 1 + eps``, ``sigma_b = 0``: ``s = 0.2`` (``phi''' < 0``)
    gives ``lambda_max, Delta0 -> 0`` as ``eps -> 0`` (tanh-like: ``lambda ~ eps^2``, ``Delta0 ~ eps``); ``s =
    0.5`` (``phi''' > 0``) a finite ``Delta0`` and ``lambda_max`` at the threshold, the same at ``eps = 1e-6`` and
    ``1e-5``, while ``g = 1 - eps`` is the stable origin (``lambda_max = -eps`` rate, ``ln g`` map)."""
    def point(s, g):
        return dmft.dmft_point(model, g, 0.0, tau_max=5.0, n_tau=11, nonlinearity=tanh_cubic(s))

    lo, hi = point(0.2, 1 + 1e-6), point(0.2, 1 + 1e-5)
    assert 0 < lo.lambda_max < 1e-11 and lo.delta0 < 1e-5 and hi.lambda_max / lo.lambda_max == pytest.approx(
        100, rel=0.02)
    lo, hi = point(0.5, 1 + 1e-6), point(0.5, 1 + 1e-5)
    assert lo.chaotic and lo.lambda_max > 1e-3 and lo.delta0 > 0.1
    assert hi.lambda_max == pytest.approx(lo.lambda_max, rel=1e-2)
    below = point(0.5, 1 - 1e-3)
    assert not below.chaotic and below.delta0 == 0 and below.lambda_max < 0


@pytest.mark.parametrize("name", ["erf", "logistic"])
def test_kac_rice_gaussian_branch_is_the_static_mean_field_solution(name):
    sol = kr.kac_rice_solution(0.8 if name == "erf" else 4.0, 0.5, nonlinearity=name)
    assert sol.branch == "gaussian" and sol.complexity == 0.0
    assert sol.beta == pytest.approx(ga.static_variance(sol.g, 0.5, nonlinearity=name), rel=1e-12)
    assert kr.to_dataset(sol).attrs["nonlinearity"] == name


def test_kac_rice_erf_saddle_point_and_its_maximum():
    g, sb = 2.0, 0.3
    sol = kr.kac_rice_solution(g, sb, nonlinearity="erf")
    assert sol.branch == "nontrivial" and sol.complexity > 0
    assert np.abs(kr.saddle_residuals(sol.alpha, sol.beta, sol.gamma, g, sb, nonlinearity="erf")).max() < 1e-10
    at_saddle = kr.complexity_functional(sol.y, sol.mu, g, sb, nonlinearity="erf")
    assert at_saddle == pytest.approx(sol.complexity, abs=1e-9)
    for eps in (-0.05, 0.05):
        assert kr.complexity_functional(sol.y, sol.mu * (1 + eps * np.cos(sol.y)), g, sb,
                                        nonlinearity="erf") < at_saddle
    assert sol.complexity != pytest.approx(kr.kac_rice_solution(g, sb).complexity, rel=1e-3)  # not tanh's


def test_kac_rice_trivial_branch_and_dataset(tmp_path):
    sol = kr.kac_rice_solution(0.5, 0.0, nonlinearity="erf")
    assert sol.branch == "trivial" and sol.jacobian_radius == 0.5
    ds = dmft.to_dataset(dmft.dmft_point("rate", 2.0, 0.5, nonlinearity="erf"))
    io.write_dataset(ds, tmp_path / "d.nc", stage="dmft", params={"nonlinearity": "erf"})
    assert io.read_dataset(tmp_path / "d.nc", stage="dmft").attrs["nonlinearity"] == "erf"
    assert dmft.g_sweep("map", 0.5, n_dense=4, nonlinearity="erf").attrs["nonlinearity"] == "erf"
    assert dmft.critical_line("map", n_dense=3, nonlinearity="logistic").attrs["nonlinearity"] == "logistic"
