"""Mean-field theory with white noise (rnnchaos.dmft_noise, rnnchaos.dmft_rate_noise): closed forms (erf map, g = 0),
the noise-free code path at sigma_xi = 0, continuity as sigma_xi -> 0, the closed-form critical line against the
stability problem, the suppression of chaos, bad input, and small simulations."""

import numpy as np
import pytest
from scipy.optimize import brentq

from rnnchaos import dmft, dmft_noise, dmft_rate_noise, gaussian
from rnnchaos.dmft_noise import noisy_critical_gain, noisy_dmft_point
from rnnchaos.status import NumericalFailure

FIELDS = ("delta0", "delta_inf", "lambda_max", "g_c", "chaotic", "residual", "delta_fp", "chi", "n_eval",
          "series_tail", "critical", "nonlinearity", "sigma_xi")


def same(a, b):
    """Field by field, bitwise (NaN equal to NaN)."""
    for k in FIELDS + ("schrodinger_e0", "schrodinger_e1"):
        x, y = getattr(a, k), getattr(b, k)
        assert x == y or (np.isnan(x) and np.isnan(y)), k
    assert np.array_equal(a.tau, b.tau) and np.array_equal(a.delta, b.delta)


# ---------------------------------------------------------------- sigma_xi = 0: today's numbers, bitwise
@pytest.mark.parametrize("model", ["rate", "map"])
@pytest.mark.parametrize("g, sb", [(0.7, 0.0), (2.0, 0.5), (3.0, 1.5), (1.2, 0.8)])
def test_zero_noise_is_the_noise_free_code_path_bitwise(model, g, sb):
    same(noisy_dmft_point(model, g, sb, 0.0), dmft.dmft_point(model, g, sb))
    same(noisy_dmft_point(model, g, sb, 0, tau_max=7.0, n_tau=8, nonlinearity="erf"),
         dmft.dmft_point(model, g, sb, tau_max=7.0, n_tau=8, nonlinearity="erf"))
    assert noisy_critical_gain(sb, 0.0, model) == dmft.critical_gain(sb, model)


def test_tanh_numbers_of_before_the_noise_are_unchanged():
    """The values pinned in test_dmft_nonlinearity (dmft_rate's refactor keeps the same operations)."""
    r = noisy_dmft_point("rate", 2.0, 0.5, 0.0)
    assert (r.delta0, r.delta_inf, r.lambda_max) == (2.409692554631472, 1.5370928153622359, 0.08175489684437576)
    m = noisy_dmft_point("map", 2.0, 0.5, 0.0)
    assert (m.delta0, m.delta_inf, m.lambda_max) == (2.479710461098592, 1.291796325696381, 0.12038545773079624)


# ---------------------------------------------------------------- map: closed forms
def _erf_q(g, s2):
    return brentq(lambda q: g * g * gaussian.erf_moments(q)[0] + s2 - q, 1e-12, g * g + s2 + 1, xtol=1e-15,
                  rtol=1e-15)


@pytest.mark.parametrize("g, sb, sx", [(0.7, 0.5, 0.3), (1.2, 0.0, 1.0), (2.0, 0.0, 0.3), (2.0, 0.5, 1.0),
                                       (3.0, 1.0, 2.0), (5.0, 2.0, 0.5)])
def test_map_mean_field_with_noise_equals_the_erf_closed_forms(g, sb, sx):
    """``q = g^2 (2/pi) arcsin(k q) + sigma_b^2 + sigma_xi^2``, ``lambda = (1/2) ln(g^2 / sqrt(1 + pi q))``, ``c* =
    g^2 (2/pi) arcsin(k c*) + sigma_b^2`` below ``q`` (no noise at lags >= 1), ``k = (pi/2) / (1 + (pi/2) q)``."""
    r = noisy_dmft_point("map", g, sb, sx, tau_max=3, nonlinearity="erf")
    q = _erf_q(g, sb * sb + sx * sx)
    assert r.delta0 == pytest.approx(q, rel=1e-12) and r.sigma_xi == sx
    assert r.lambda_max == pytest.approx(0.5 * np.log(g * g / np.sqrt(1 + np.pi * q)), abs=1e-12)
    assert r.chaotic == (g * g / np.sqrt(1 + np.pi * q) > 1)
    c = 0.0 if sb == 0 else brentq(lambda c: g * g * gaussian.erf_corr(c, q) + sb**2 - c, 0.0, q, xtol=1e-15)
    assert r.delta_inf == pytest.approx(c, abs=1e-10) and r.delta_inf < r.delta0  # both phases: c* < q
    assert r.delta[0] == r.delta0 and np.all(r.delta[1:] == r.delta_inf) and r.tau.size == 4


@pytest.mark.parametrize("sb, sx", [(0.0, 0.3), (0.5, 1.0), (1.5, 2.0)])
def test_map_at_zero_gain_is_bias_plus_noise(sb, sx):
    r = noisy_dmft_point("map", 0.0, sb, sx)
    assert r.delta0 == pytest.approx(sb**2 + sx**2, rel=1e-15, abs=1e-300)
    assert r.delta_inf == pytest.approx(sb**2, rel=1e-15) and r.lambda_max == -np.inf and not r.chaotic


def test_map_critical_line_is_the_noise_free_one_at_the_summed_variance():
    for sb, sx in [(0.0, 0.3), (0.5, 1.0)]:
        gc = noisy_critical_gain(sb, sx, "map")
        assert gc == dmft.critical_gain(float(np.hypot(sb, sx)), "map") > dmft.critical_gain(sb, "map")
        lo, hi = (noisy_dmft_point("map", gc * (1 + d), sb, sx) for d in (-1e-6, 1e-6))
        assert lo.lambda_max < 0 < hi.lambda_max and abs(lo.lambda_max) < 1e-6 and not lo.chaotic and hi.chaotic


# ---------------------------------------------------------------- rate network: closed forms and identities
@pytest.mark.parametrize("sb, sx", [(0.0, 0.3), (0.0, 1.0), (0.5, 1.0), (2.0, 2.0)])
def test_rate_at_zero_gain_is_the_ornstein_uhlenbeck_process(sb, sx):
    """``Delta0 = sigma_b^2 + sigma_xi^2 / 2`` (total variance; ``Delta_inf = sigma_b^2`` the static part) and
    ``Delta(tau) - Delta_inf = (sigma_xi^2 / 2) exp(-tau)``."""
    r = noisy_dmft_point("rate", 0.0, sb, sx, tau_max=30.0, n_tau=301)
    assert r.delta0 == pytest.approx(sb**2 + sx**2 / 2, rel=1e-13)
    assert r.delta_inf == pytest.approx(sb**2, rel=1e-13, abs=1e-300)
    assert r.delta - r.delta_inf == pytest.approx(sx**2 / 2 * np.exp(-r.tau), rel=1e-9, abs=1e-14)
    assert r.lambda_max == -1.0 and not r.chaotic


@pytest.mark.parametrize("g, sb, sx", [(2.0, 0.0, 0.3), (2.0, 0.5, 1.0), (1.2, 0.5, 0.5), (3.0, 1.5, 1.0)])
def test_rate_solution_conserves_energy_with_the_kink(g, sb, sx):
    """``V'(Delta_inf) = 0`` and ``V(Delta_inf) - V(Delta0) = sigma_xi^4 / 8``, with the nested quadrature."""
    r = noisy_dmft_point("rate", g, sb, sx)
    assert r.residual < 1e-10 and 0 <= r.delta_inf < r.delta0

    def force(D):  # V'(D)
        return -D + g**2 * gaussian.gauss_corr_nested(D, r.delta0, h=0.04) + sb**2

    assert force(r.delta_inf) == pytest.approx(0, abs=1e-9)
    x, w = np.polynomial.legendre.leggauss(16)
    D = r.delta_inf + (r.delta0 - r.delta_inf) * (x + 1) / 2
    drop = (r.delta0 - r.delta_inf) / 2 * (w @ np.array([force(d) for d in D]))  # V(Delta0) - V(Delta_inf)
    assert -drop == pytest.approx(sx**4 / 8, abs=1e-9)


@pytest.mark.parametrize("g, sb, sx", [(2.0, 0.0, 0.3), (1.5, 0.5, 1.0), (3.0, 0.5, 2.0)])
def test_rate_profile_solves_the_equation_of_motion_and_has_the_kink(g, sb, sx):
    r = noisy_dmft_point("rate", g, sb, sx, tau_max=60.0, n_tau=6001)
    d, h = r.delta, r.tau[1]
    assert d[0] == pytest.approx(r.delta0, abs=1e-13) and np.all(np.diff(d) <= 0) and np.all(np.diff(d[:1000]) < 0)
    assert 0 < d[-1] - r.delta_inf < 1e-5 * r.delta0
    corr = gaussian.GaussCorr(r.delta0)
    rhs = d - g**2 * corr.C(d / r.delta0) - sb**2  # Delta'' = -V'(Delta) for tau > 0
    d2 = (-d[4:] + 16 * d[3:-1] - 30 * d[2:-2] + 16 * d[1:-3] - d[:-4]) / (12 * h**2)
    assert d2 == pytest.approx(rhs[2:-2], abs=1e-6)
    slope = (-25 * d[0] + 48 * d[1] - 36 * d[2] + 16 * d[3] - 3 * d[4]) / (12 * h)  # one-sided, O(h^4)
    assert slope == pytest.approx(-sx**2 / 2, abs=1e-7)


def test_even_ground_against_the_poeschl_teller_well():
    """A profile-shaped stand-in with potential ``mu^2 - A sech^2(tau)``: ``E0 = mu^2 - s^2``, ``s (s + 1) = A``."""

    class Well:
        g2, mu, tau_s = 1.0, 0.5, 40.0

        def __call__(self, tau):
            return None, 1 - self.mu**2 + A / np.cosh(tau) ** 2  # 1 - g2 C' = mu^2 - A sech^2

    for A in (0.3, 2.0, 6.0):
        s = (np.sqrt(1 + 4 * A) - 1) / 2
        assert dmft_rate_noise.even_ground(Well()) == pytest.approx(0.25 - s * s, abs=1e-8)
    A = 0.0  # no well: the continuum edge
    assert dmft_rate_noise.even_ground(Well()) == pytest.approx(0.25, abs=1e-12)


# ---------------------------------------------------------------- sigma_xi -> 0
@pytest.mark.parametrize("model", ["rate", "map"])
@pytest.mark.parametrize("g, sb", [(0.5, 0.0), (1.2, 0.5), (2.0, 0.5), (3.0, 0.0)])
def test_small_noise_is_continuous_and_quadratic(model, g, sb):
    r0 = dmft.dmft_point(model, g, sb)
    dev = {}
    for sx in (1e-2, 2e-2):
        r = noisy_dmft_point(model, g, sb, sx)
        dev[sx] = r.lambda_max - r0.lambda_max
        assert abs(dev[sx]) < 1e-3 and abs(r.delta0 - r0.delta0) < 1e-3 and r.chaotic == r0.chaotic
    assert dev[2e-2] / dev[1e-2] == pytest.approx(4, rel=0.03)  # leading order sigma_xi^2, below it
    assert abs(noisy_dmft_point(model, g, sb, 1e-4).lambda_max - r0.lambda_max) < 1e-6


# ---------------------------------------------------------------- noise suppresses chaos
def test_noise_shifts_the_rate_threshold_up_and_lambda_vanishes_on_the_line():
    for sb in (0.0, 0.5):
        gcs = [noisy_critical_gain(sb, sx) for sx in (0.0, 0.1, 0.3, 1.0)]
        assert np.all(np.diff(gcs) > 0) and gcs[0] == dmft.critical_gain(sb)
        for sx, gc in zip((0.3, 1.0), gcs[2:], strict=True):
            r = noisy_dmft_point("rate", gc, sb, sx)
            assert abs(r.schrodinger_e0) < 1e-8 and abs(r.lambda_max) < 1e-8  # closed form = stability problem
            assert r.delta0 == pytest.approx(r.delta_fp, abs=1e-12)  # on the line Delta0 is the static variance
            lo, hi = (noisy_dmft_point("rate", gc * (1 + d), sb, sx) for d in (-1e-3, 1e-3))
            assert lo.lambda_max < 0 < hi.lambda_max and not lo.chaotic and hi.chaotic
    assert noisy_critical_gain(0.0, 0.3) > 1


@pytest.mark.parametrize("model", ["rate", "map"])
@pytest.mark.parametrize("sb", [0.0, 0.5])
def test_lambda_decreases_with_noise(model, sb):
    for g in (0.5, 1.5, 2.0, 3.0):
        lam = [noisy_dmft_point(model, g, sb, sx, tau_max=1.0, n_tau=2).lambda_max for sx in (0.0, 0.3, 1.0)]
        assert lam[0] > lam[1] > lam[2], (g, lam)
    r = noisy_dmft_point(model, 1.5, 0.0, 1.0)  # chaotic without noise, ordered with sigma_xi = 1
    assert dmft.dmft_point(model, 1.5, 0.0).lambda_max > 0 > r.lambda_max and not r.chaotic


# ---------------------------------------------------------------- errors, sweep
@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf, 4.5, "0.3", None])
def test_bad_sigma_xi_raises_naming_it(bad):
    for call in (lambda: noisy_dmft_point("rate", 2.0, 0.5, bad), lambda: noisy_dmft_point("map", 2.0, 0.5, bad),
                 lambda: noisy_critical_gain(0.5, bad), lambda: dmft_noise.noisy_g_sweep("map", 0.5, bad)):
        with pytest.raises(ValueError, match="sigma_xi"):
            call()
    with pytest.raises(ValueError, match="sigma_xi"):  # beyond the validated variance together with the bias
        noisy_dmft_point("map", 2.0, 3.0, 3.0)


@pytest.mark.parametrize("model, method", [("rate", "cbar"), ("map", "C")])
def test_failed_solve_raises_instead_of_returning_nan(monkeypatch, model, method):
    monkeypatch.setattr(gaussian.GaussCorr, method, lambda self, rho: np.nan * np.asarray(rho))
    with pytest.raises(NumericalFailure) as err:
        noisy_dmft_point(model, 2.0, 0.5, 0.3)
    assert err.value.status == "not_converged"


def test_sweep_and_dataset():
    sw = dmft_noise.noisy_g_sweep("rate", 0.0, 1.0, n_dense=4, g_max=3.0)
    assert np.allclose(sw.g, [0.75, 1.5, 2.25, 3.0]) and np.all(sw.status == 0)
    assert float(sw.g_c) == noisy_critical_gain(0.0, 1.0) and list(sw.chaotic.values) == [0, 0, 1, 1]
    assert np.all(np.diff(sw.lambda_max) > 0) and sw.lambda_max.attrs["units"] == "1/tau"
    ds = dmft.to_dataset(noisy_dmft_point("rate", 2.0, 0.5, 0.3, tau_max=5.0, n_tau=6))
    assert ds.sizes["tau"] == 6 and float(ds["lambda_max"]) > 0 and np.isnan(ds.attrs["dmft_schrodinger_e1"])


# ---------------------------------------------------------------- small simulations
def test_map_variance_and_lag_one_overlap_with_noise_match_simulation():
    """N = 400, three networks, 2000 steps: ``q`` and ``c(1) = c*`` (the noise adds ``sigma_xi^2`` to ``q`` only)."""
    g, sb, sx, N, T = 2.0, 0.5, 1.0, 400, 2000
    rng = np.random.default_rng(7)
    q, c1 = [], []
    for _ in range(3):
        J, th = rng.standard_normal((N, N)) * g / np.sqrt(N), sb * rng.standard_normal(N)
        a, A = rng.standard_normal(N), np.empty((T, N))
        for t in range(200 + T):
            a = J @ np.tanh(a) + th + sx * rng.standard_normal(N)
            if t >= 200:
                A[t - 200] = a
        q.append(np.mean(A**2))
        c1.append(np.mean(A[1:] * A[:-1]))
    r = noisy_dmft_point("map", g, sb, sx)
    assert np.mean(q) == pytest.approx(r.delta0, abs=0.06)  # without the noise term: 2.48
    assert np.mean(c1) == pytest.approx(r.delta_inf, abs=0.08)  # with noise at lag 1: 1.57


def test_rate_variance_and_suppressed_chaos_match_simulation():
    """N = 300, Euler-Maruyama (dt = 0.02, 300 time constants) with the tangent on the same noise path, at g = 1.5,
    sigma_xi = 1: Delta0 = 1.118 (0.748 without noise), lambda_max = -0.107 (+0.047 without noise)."""
    g, sx, N, dt, n, burn = 1.5, 1.0, 300, 0.02, 15000, 1000
    rng = np.random.default_rng(3)
    J = rng.standard_normal((N, N)) * g / np.sqrt(N)
    x, v = rng.standard_normal(N), rng.standard_normal(N)
    var, log_growth = 0.0, 0.0
    for k in range(burn + n):
        p = np.tanh(x)
        v = v + dt * (-v + J @ ((1 - p * p) * v))
        x = x + dt * (-x + J @ p) + sx * np.sqrt(dt) * rng.standard_normal(N)
        nv = np.linalg.norm(v)
        v /= nv
        if k >= burn:
            var, log_growth = var + np.mean(x * x) / n, log_growth + np.log(nv) / (n * dt)
    r = noisy_dmft_point("rate", g, 0.0, sx)
    assert var == pytest.approx(r.delta0, rel=0.06)
    assert log_growth == pytest.approx(r.lambda_max, abs=0.05) and log_growth < 0
