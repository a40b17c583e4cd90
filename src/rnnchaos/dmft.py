"""Mean-field theory (N -> infinity) of the two models: static solution, chaotic solution, lambda_max, g_c.

``phi = tanh``, ``J_ij ~ N(0, g^2/N)``, ``theta_i ~ N(0, sigma_b^2)``; ``<.>`` averages over ``z ~ N(0, 1)``.

* Static solution (fixed point of both models): ``Delta0 = g^2 <phi(sqrt(Delta0) z)^2> + sigma_b^2``, stable while
  ``chi = g^2 <phi'(sqrt(Delta0) z)^2> < 1``. The critical line ``g_c(sigma_b)`` solves ``chi = 1`` on this branch;
  it is the same for both models because both share the static equation and ``chi`` (``g_c(0) = 1``). Along the
  line ``g_c^2 = 1 / <phi'^2>(D)`` and ``sigma_b^2 = D - <phi^2>(D) / <phi'^2>(D)``: one root in ``D``.
* Rate network, chaotic phase (Sompolinsky, Crisanti & Sommers 1988 PRL 61 259; Crisanti & Sompolinsky 2018 PRE 98
  062120): ``Delta'' = Delta - g^2 C(Delta; Delta0) - sigma_b^2`` with ``C(D; D0) = <phi(x) phi(y)>``
  (``var x = var y = D0``, ``cov = D``): a particle in ``V(D) = -D^2/2 + g^2 int_0^D C + sigma_b^2 D``. The
  smooth decaying solution obeys ``V'(Delta_inf) = 0`` (``Delta_inf`` the left root of the convex ``V'``, the static
  part) and ``V(Delta0) = V(Delta_inf)`` (``Delta'(0) = 0``, infinite time to reach ``Delta_inf``); ``Delta(tau)``
  follows from ``tau(D) = int_D^{Delta0} du / sqrt(2 (V(Delta0) - V(u)))``.
* Rate network, ``lambda_max`` in chaos (SCS 1988): ground state ``E_0`` of ``-psi'' + (1 - g^2 C'(Delta(tau)))
  psi = E psi`` with ``C' = <phi'(x) phi'(y)>``; ``lambda_max = -1 + sqrt(1 - E_0)``. ``Delta'(tau)`` is the odd
  eigenfunction with ``E = 0`` (a built-in check, ``schrodinger_e1``). In the ordered phase the Jacobian
  ``-I + J diag(phi'(x*))`` has a disc of radius ``sqrt(chi)`` around -1 (Rajan & Abbott 2006 PRL 97 188104;
  Ahmadian, Fumarola & Miller 2015 PRE 91 012820), so ``lambda_max = -1 + sqrt(chi)`` (``g - 1`` at
  ``sigma_b = 0``); both sides reach 0 at ``g_c``: as ``(g - 1)^2 / 2`` above ``g_c(0) = 1`` (quartic potential,
  ``Delta = Delta0 sech(mu tau)``, Poeschl-Teller well with ``E_0 = -3 mu^2``), linearly for ``sigma_b > 0``.
* Map: see :mod:`rnnchaos.dmft_map` (Poole et al. 2016; Molgedey, Schuchhardt & Schuster 1992).

Gaussian integrals. Gauss-Hermite converges slowly for ``tanh`` at large variance (poles at ``z = i pi / (2 s)``;
with 300 nodes ``<tanh(3.5 z)^2>`` is still off by 3e-5), so 1-D integrals use the trapezoidal rule on a uniform
grid (``h = 0.05``, ``|z| <= 12.5``), exponentially convergent with error ``~ exp(-pi^2 / (s h))`` for
``s = sqrt(D0)`` (Trefethen & Weideman 2014 SIAM Rev. 56 385). The 2-D integral is the Mehler (Hermite) series
``C = sum_k a_k^2 rho^k`` (``rho = D / D0``, ``a_k = <phi(s z) He_k(z)> / sqrt(k!)``, odd ``k <= 1001``), whose
remainder at ``rho = 1`` is known exactly (``<phi^2> - sum a_k^2``) and is added as ``T rho^m``;
:func:`gauss_corr_nested` is the nested-quadrature reference. Both agree to 1e-12 for ``D0 <= 20``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import xarray as xr
from numpy.polynomial import chebyshev
from scipy.interpolate import CubicHermiteSpline
from scipy.linalg import lapack
from scipy.optimize import brentq
from scipy.special import binom

from rnnchaos import MODELS
from rnnchaos.status import STATUS_CODES, NumericalFailure

G_MAX, SIGMA_B_MAX = 6.0, 4.0  #: validated parameter range (static variance <= 52; series accurate to ~1e-9 there)
#: Relative distance above g_c within which an unresolvable rate-network chaotic solution is returned as the critical
#: one (lambda_max = 0, Delta0 = Delta_inf = static variance); there lambda_max < 1e-5 and Delta0 is off by < 1e-4.
CRITICAL_WINDOW = 1e-5
_H, _Z, _K = 0.05, 12.5, 1001  # trapezoid step and half-width (in z), largest Hermite order


@lru_cache(maxsize=1)
def _grid():
    """Half trapezoid grid ``z > 0`` (integrands are even) with doubled weights; odd normalised Hermite rows."""
    z = np.arange(1, int(round(_Z / _H)) + 1) * _H
    w = 2 * _H * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    h = np.empty((_K + 1, z.size))
    h[0], h[1] = 1.0, z
    for k in range(1, _K):
        h[k + 1] = (z * h[k] - np.sqrt(k) * h[k - 1]) / np.sqrt(k + 1)
    k = np.arange(1, _K + 1, 2)
    return z, w, h[k] * w, k


def phi_moments(D: float) -> tuple[float, float]:
    """``(<phi(sqrt(D) z)^2>, <phi'(sqrt(D) z)^2>)`` by the trapezoidal rule (error < 1e-14 for ``D <= 52``)."""
    if D <= 0:
        return 0.0, 1.0
    z, w, _, _ = _grid()
    t2 = np.tanh(np.sqrt(D) * z) ** 2
    return float(w @ t2), float(w @ (1 - t2) ** 2 + _H / np.sqrt(2 * np.pi))  # z = 0 adds phi'(0)^2 = 1


def _phi2_over_D(D: float) -> float:
    """``<phi(sqrt(D) z)^2> / D``, accurate down to ``D = 1e-300`` (tends to 1)."""
    z, w, _, _ = _grid()
    s = np.sqrt(D)
    return float(w @ (np.tanh(s * z) / s) ** 2)


class GaussCorr:
    """``C(rho) = <phi(x) phi(y)> = sum_k c_k rho^k (+ T rho^m)`` for ``x, y ~ N(0, D0)`` with correlation ``rho``.

    Methods take ``rho`` in [0, 1] (scalar or array): ``C``, ``dC = <phi'(x) phi'(y)> = dC/dD``, ``cbar = (1 / (1 -
    rho)) int_rho^1 C(r) dr`` (so ``int_D^{D0} C = D0 (1 - rho) cbar``) and Taylor coefficients (``taylor``).
    """

    def __init__(self, D0: float):
        z, w, hw, k = _grid()
        self.D0 = float(D0)
        c = (hw @ np.tanh(np.sqrt(self.D0) * z)) ** 2
        self.p2, self.d2 = phi_moments(self.D0)
        n = int(np.flatnonzero(c > 1e-22 * self.p2)[-1]) + 1
        self.c, self.k = c[:n], k[:n]
        t1, t1d = self.p2 - self.c.sum(), self.D0 * self.d2 - self.k @ self.c
        self.tail = t1 if t1 > 1e-15 * self.p2 and t1d > t1 * self.k[-1] else 0.0
        self.m = t1d / t1 if self.tail else 1.0
        full = np.zeros(self.k[-1] + 1)
        full[self.k] = self.c / (self.k + 1)
        self.e = np.cumsum(full[::-1])[::-1]  # cbar = sum_j e_j rho^j, e_j = sum_{k >= j} c_k / (k + 1)

    def C(self, rho):
        r = np.asarray(rho, dtype=float)
        return r[..., None] ** self.k @ self.c + self.tail * r**self.m

    def dC(self, rho):
        r = np.asarray(rho, dtype=float)
        return (r[..., None] ** (self.k - 1) @ (self.k * self.c) + self.tail * self.m * r ** (self.m - 1)) / self.D0

    def cbar(self, rho):
        r = np.asarray(rho, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            tb = np.where(r < 1, -np.expm1((self.m + 1) * np.log(r)) / ((self.m + 1) * (1 - r)), 1.0)
        return r[..., None] ** np.arange(self.e.size) @ self.e + self.tail * tb

    def taylor(self, rho: float, n: int) -> np.ndarray:
        """``b_j = sum_k binom(k, j) c_k rho^(k - j)``, ``j = 0..n``: ``C(rho + x) = sum_j b_j x^j`` for
        ``|x| < 1 - rho`` (all terms positive: no cancellation)."""
        j, kk = np.arange(n + 1), self.k[:, None]
        b = (binom(kk, j) * np.where(kk >= j, rho ** np.maximum(kk - j, 0), 0.0)).T @ self.c
        return b + (self.tail * binom(self.m, j) * rho ** (self.m - j) if self.tail else 0.0)


def gauss_corr(D, D0: float):
    """``<phi(x) phi(y)>`` for jointly Gaussian ``x, y`` of variance ``D0`` and covariance ``D`` (Mehler series)."""
    return GaussCorr(D0).C(np.asarray(D) / D0)


def gauss_corr_nested(D: float, D0: float, f=np.tanh, h: float = 0.02) -> float:
    """Reference ``<f(x) f(y)> = int Dz [int Dx f(sqrt(D0 - D) x + sqrt(D) z)]^2`` by nested trapezoid rules."""
    z = np.arange(-int(13 / h), int(13 / h) + 1) * h
    w = h * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    inner = f(np.sqrt(D0 - D) * z[:, None] + np.sqrt(D) * z[None, :]).T @ w
    return float(w @ inner**2)


def static_variance(g: float, sigma_b: float, *, xtol: float = 1e-15) -> float:
    """The static branch ``D = g^2 <phi(sqrt(D) z)^2> + sigma_b^2`` (unique for ``sigma_b != 0``; for
    ``sigma_b = 0`` the nonzero root when ``g > 1``, else 0). Concave right-hand side: one bracketed root."""
    g2, s2 = g * g, sigma_b * sigma_b
    if s2 == 0:
        if g2 <= 1:
            return 0.0
        return brentq(lambda D: g2 * _phi2_over_D(D) - 1, 1e-300, g2, xtol=xtol * 1e-3, rtol=1e-15)
    return brentq(lambda D: g2 * phi_moments(D)[0] + s2 - D, 0.0, g2 + s2, xtol=xtol, rtol=1e-15)


def critical_gain(sigma_b: float, model: str = "rate", *, tol: float = 1e-12) -> float:
    """``g_c(sigma_b)``: ``g^2 <phi'(sqrt(D) z)^2> = 1`` on the static branch, for either model (same equations).

    Solved as one root in ``D`` of ``D - <phi^2>/<phi'^2> = sigma_b^2`` (increasing, ``~ 4 D^3 / 3`` near 0), then
    ``g_c = <phi'^2>^(-1/2)``; ``g_c ~ 1 + (3 sigma_b^2 / 4)^(1/3)`` for small ``sigma_b``. Even in ``sigma_b``.
    """
    _check_model(model)
    _check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    _check_range("tol", tol, 1e-15, 1e-3)
    return _critical_gain(abs(float(sigma_b)), float(tol))


@lru_cache(maxsize=4096)
def _critical_gain(sb: float, tol: float) -> float:
    if sb == 0:
        return 1.0

    def line(D):
        p2, d2 = phi_moments(D)
        return D - p2 / d2 - sb * sb

    hi = max(1.0, 2 * sb * sb)
    while line(hi) <= 0:
        hi *= 2
    D = brentq(line, 0.0, hi, xtol=tol * 1e-2, rtol=1e-15)
    return float(phi_moments(D)[1] ** -0.5)


# ---------------------------------------------------------------- rate network, chaotic phase
def _left_root(corr: GaussCorr, g2: float, s2: float) -> tuple[float, bool]:
    """Left root of the convex ``V'(D) = -D + g^2 C(D) + sigma_b^2`` on [0, D0] (True), or its minimiser (False).

    Newton from ``D = 0`` (``V' > 0`` there) climbs monotonically to the left root when there is one (the tangent of
    a convex function stays below it); meeting ``V'' >= 0`` with ``V' > 0`` means there is none.
    """
    D0, x = corr.D0, 0.0
    for _ in range(200):
        f, df = -x + g2 * corr.C(x / D0) + s2, -1 + g2 * corr.dC(x / D0)
        if f <= 0:  # reached by round-off only: f(x) ~ 0
            return x, True
        if df >= 0 or x - f / df >= D0:
            break
        if -f / df <= 1e-15 * D0:
            return x - f / df, True
        x -= f / df
    if g2 * corr.dC(0.0) >= 1 or g2 * corr.d2 <= 1:
        return (0.0 if g2 * corr.dC(0.0) >= 1 else D0), False
    return brentq(lambda D: g2 * corr.dC(D / D0) - 1, 0.0, D0, xtol=1e-15 * D0, rtol=1e-15), False


def _mean_force(corr: GaussCorr, g2: float, s2: float, Dinf: float) -> float:
    """``(V(D0) - V(Dinf)) / (D0 - Dinf)``: the mean of ``V'`` over [Dinf, D0] (zero = energy conservation)."""
    return -(corr.D0 + Dinf) / 2 + s2 + g2 * corr.cbar(Dinf / corr.D0)


def rate_chaotic_solution(g: float, sigma_b: float, delta_fp: float, *, tol: float = 1e-10):
    """``(Delta0, Delta_inf, corr, n_eval, residual)`` of the rate network's chaotic solution, ``0 < Delta0 <
    delta_fp`` (the static variance). Brent's method on ``(mean of V' over [Delta_inf, Delta0]) / (Delta0 -
    Delta_inf)``, which has no root at the static solution; ``Delta_inf = 0`` at ``sigma_b = 0`` (symmetry)."""
    g2, s2 = g * g, sigma_b * sigma_b
    state = {}

    def energy(D0):
        corr = GaussCorr(D0)
        Dinf = _left_root(corr, g2, s2)[0] if s2 > 0 else 0.0
        state.update(corr=corr, Dinf=Dinf)
        return _mean_force(corr, g2, s2, Dinf) / (D0 - Dinf)

    lo = s2 if s2 > 0 else 1e-6 * delta_fp
    if not (energy(lo) > 0 > energy(delta_fp)):
        raise NumericalFailure("not_converged", f"no bracket for Delta0 at g = {g!r}, sigma_b = {sigma_b!r} "
                               "(too close to g_c to resolve the chaotic solution)")
    D0, info = brentq(energy, lo, delta_fp, xtol=1e-14 * delta_fp, rtol=1e-15, full_output=True, disp=False)
    energy(D0)
    corr, Dinf = state["corr"], state["Dinf"]
    res = max(abs(_mean_force(corr, g2, s2, Dinf)), abs(-Dinf + g2 * corr.C(Dinf / D0) + s2) if s2 else 0.0)
    if not info.converged or not res <= tol:
        raise NumericalFailure("not_converged", f"Delta0 solve at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"{info.flag}, residual {res:.3g} > tol {tol:g}")
    return D0, Dinf, corr, info.function_calls + 2, res


@lru_cache(maxsize=4)
def _cheb_mats(n_cheb: int, n_tab: int):
    """Chebyshev points, values-to-coefficients matrix and the Vandermonde matrix of a uniform table."""
    x = chebyshev.chebpts1(n_cheb)
    tab = chebyshev.chebvander(np.linspace(-1, 1, n_tab), n_cheb)
    return x, np.linalg.inv(chebyshev.chebvander(x, n_cheb - 1)), tab


class RateProfile:
    """``Delta(tau)`` and ``C'(Delta(tau))`` of the chaotic rate network, for any ``tau >= 0``.

    With ``D = Delta_inf + delta``, ``delta = L exp(-t^2)`` (``L = Delta0 - Delta_inf``), the kinetic energy
    ``K = V(Delta0) - V(D)`` gives ``dtau/dt = 2 exp(-t^2) sqrt(L) / sqrt(2 q(t) M(D))`` with ``q = (1 - exp(-t^2))
    / t^2`` and ``M = K / (Delta0 - D)`` (the mean of ``V'`` over ``[D, Delta0]``) for ``delta > L / 10``, and
    ``dtau/dt = 2 t / sqrt(2 K / delta^2)`` with ``K / delta^2 = -sum_{m >= 2} V^(m)(Delta_inf) delta^(m-2) / m!``
    (Taylor series about ``Delta_inf``, convergent for ``delta < L``) below: a smooth integrand free of the
    square-root singularity at ``tau = 0`` and of cancellation near ``Delta_inf``. It is interpolated on ``n_cheb``
    Chebyshev points of ``[0, t_s]`` (``exp(-t_s^2) = 1e-15``), integrated exactly, tabulated on ``n_tab`` points
    and interpolated in ``tau`` by cubic Hermite splines with exact derivatives; beyond ``t_s``, ``Delta -
    Delta_inf ~ exp(-mu tau)`` with ``mu^2 = 1 - g^2 C'(Delta_inf) = -V''(Delta_inf)``.
    """

    def __init__(self, corr: GaussCorr, g2: float, s2: float, Dinf: float, *, n_cheb: int = 64,
                 n_tab: int = 1025):
        self.g2, self.Dinf, D0 = g2, Dinf, corr.D0
        self.L = L = D0 - Dinf
        gam = corr.taylor(Dinf / D0, 24) / D0 ** np.arange(25)  # C(D) = sum_j gam_j (D - Dinf)^j
        self.W_inf = gam[1]
        self.V_min = 1 - g2 * corr.d2  # Schrodinger potential at tau = 0 (its minimum)
        v = np.concatenate([[-0.5 + g2 * gam[1] / 2], g2 * gam[2:] / np.arange(3, 26)])  # V^(m)/m!, m >= 2
        self.mu = np.sqrt(-2 * v[0])
        self.t_s = ts = np.sqrt(np.log(1e15))
        x, vinv, vtab = _cheb_mats(n_cheb, n_tab)
        t = 0.5 * ts * (1 + x)
        delta = L * np.exp(-t * t)
        dC, cb = corr.dC((Dinf + delta) / D0), corr.cbar((Dinf + delta) / D0)
        far = delta > 0.1 * L
        M = -(D0 + Dinf + delta[far]) / 2 + s2 + g2 * cb[far]
        Q = -np.polynomial.polynomial.polyval(delta[~far], v)
        if np.any(M <= 0) or np.any(Q <= 0):
            raise NumericalFailure("not_converged", "kinetic energy not positive along Delta(tau)")
        dtau = np.empty_like(t)
        dtau[far] = 2 * np.exp(-t[far] ** 2) * np.sqrt(L) / np.sqrt(2 * (-np.expm1(-t[far] ** 2) / t[far] ** 2) * M)
        dtau[~far] = 2 * t[~far] / np.sqrt(2 * Q)
        cG, cW = vinv @ dtau, vinv @ dC
        self.cheb_tail = float(np.max(np.abs(cG[-3:])) / np.max(np.abs(cG)))
        coef = np.zeros((n_cheb + 1, 4))
        coef[:, 0] = chebyshev.chebint(cG, lbnd=-1, scl=ts / 2)
        coef[:-1, 1], coef[:-1, 2], coef[:-2, 3] = cG, cW, chebyshev.chebder(cW, scl=2 / ts)
        tt = 0.5 * ts * (1 + np.linspace(-1, 1, n_tab))
        T, Gt, Wt, dWt = (vtab @ coef).T
        D = Dinf + L * np.exp(-tt * tt)
        slopes = np.stack([-2 * tt * (D - Dinf), dWt], 1) / Gt[:, None]  # d/dtau = (d/dt) / (dtau/dt)
        self.spline = CubicHermiteSpline(T, np.stack([D, Wt], 1), slopes)
        self.tau_s, self.D_s, self.W_s = T[-1], D[-1], Wt[-1]
        self.tau_half = float(np.polynomial.chebyshev.chebval(2 * np.sqrt(np.log(2)) / ts - 1, coef[:, 0]))

    def __call__(self, tau) -> tuple[np.ndarray, np.ndarray]:
        """``(Delta(tau), C'(Delta(tau)))``."""
        tau = np.asarray(tau, dtype=float)
        out = np.empty(tau.shape + (2,))
        near = tau <= self.tau_s
        out[near] = self.spline(tau[near])
        decay = np.exp(-self.mu * (tau[~near] - self.tau_s))
        out[~near, 0] = self.Dinf + (self.D_s - self.Dinf) * decay
        out[~near, 1] = self.W_inf + (self.W_s - self.W_inf) * decay
        return out[..., 0], out[..., 1]


def _lowest(d: np.ndarray, e: np.ndarray) -> float:
    """Lowest eigenvalue of the symmetric tridiagonal matrix (d, e), by bisection (LAPACK dstebz)."""
    return float(lapack.dstebz(d, e, 2, 0.0, 0.0, 1, 1, 0.0, "E")[1][0])


def schrodinger_ground(profile: RateProfile, *, h: float | None = None) -> tuple[float, float]:
    """``(E_0, E_1)``: lowest even and odd eigenvalues of ``-psi'' + (1 - g^2 C'(Delta(tau))) psi``.

    Second-order finite differences on ``tau_i = i h``, ``0 <= tau < T``, where ``h = min(0.3 / sqrt(-V(0)),
    min(tau_half, 1 / mu) / 20)`` resolves the deepest wavelength and the profile (``Delta(tau_half) - Delta_inf =
    L / 2``), with the even (``psi_{-1} = psi_1``, symmetrised) or odd (``psi_0 = 0``) reflection at 0 and
    ``psi(T) = 0``; lowest eigenvalues by bisection (LAPACK dstebz), Richardson-extrapolated from steps ``h, h/2``
    (even) and ``2h, h`` (odd): error O(h^4). ``T = max(20, 20 / mu)`` (the odd state decays as ``exp(-mu tau)``)
    and, on the fine even grid, ``25 / sqrt(mu^2 - E_0)``. ``E_1`` is 0 in the continuum (eigenfunction
    ``Delta'(tau)``): a check of the whole chain.
    """
    h = h or min(0.3 / np.sqrt(max(-profile.V_min, 1e-12)), min(profile.tau_half, 1 / profile.mu) / 20)

    def matrix(hh, T):
        v = 1 - profile.g2 * profile(np.arange(int(np.ceil(T / hh))) * hh)[1]
        return 2 / hh**2 + v, np.full(v.size - 1, -1 / hh**2)

    T = max(20.0, 20 / profile.mu)
    if T / h > 1e6:
        raise NumericalFailure("not_converged", f"Schrodinger grid too large ({T / h:.3g} points)")
    odd = []
    for hh in (2 * h, h):
        d, e = matrix(hh, T)
        odd.append(_lowest(d[1:], e[1:]))
    even = []
    for hh in (h, h / 2):
        if even:
            d, e = matrix(hh, min(T, max(20.0, 25 / np.sqrt(profile.mu**2 - min(even[0], 0.0)))))
        e[0] *= np.sqrt(2)
        even.append(_lowest(d, e))
    return (4 * even[1] - even[0]) / 3, (4 * odd[1] - odd[0]) / 3


# ---------------------------------------------------------------- public API
@dataclass(frozen=True)
class DMFTResult:
    """Mean-field solution at one ``(model, g, sigma_b)``.

    ``delta0``: variance of ``x`` (rate) or of the pre-activation ``a`` (map, ``q*``); ``delta_inf``: the static
    part (``Delta(tau -> inf)``, map: ``c*``); ``delta``: the autocorrelation on ``tau``; ``residual``: largest
    absolute residual of the self-consistency equations. Diagnostics: ``delta_fp`` (static-branch variance),
    ``chi`` (``g^2 <phi'^2>`` there), ``n_eval`` (function evaluations of the main root solve),
    ``schrodinger_e0/e1`` (rate, chaotic; else NaN), ``series_tail`` (Mehler-series remainder at ``rho = 1``),
    ``critical`` (rate: ``g_c < g <= g_c (1 + CRITICAL_WINDOW)`` and the chaotic solution was not resolvable, so the
    critical solution was returned).
    """

    model: str
    g: float
    sigma_b: float
    delta0: float
    delta_inf: float
    lambda_max: float
    g_c: float
    chaotic: bool
    tau: np.ndarray = field(repr=False)
    delta: np.ndarray = field(repr=False)
    residual: float
    delta_fp: float
    chi: float
    n_eval: int
    schrodinger_e0: float = float("nan")
    schrodinger_e1: float = float("nan")
    series_tail: float = 0.0
    critical: bool = False


def dmft_point(model: str, g: float, sigma_b: float, *, tau_max: float = 50.0, n_tau: int = 501,
               tol: float = 1e-10) -> DMFTResult:
    """Mean-field solution of ``model`` at ``(g, sigma_b)``; ``0 <= g <= 6``, ``|sigma_b| <= 4``.

    ``tau``: ``n_tau`` points on ``[0, tau_max]`` (rate, units of the time constant) or the integer steps
    ``0 .. floor(tau_max)`` (map; ``n_tau`` unused). Raises :class:`NumericalFailure` ("not_converged") when a
    solve fails or a residual exceeds ``tol``.
    """
    _check_model(model)
    _check_range("g", g, 0.0, G_MAX)
    _check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    _check_range("tau_max", tau_max, 1e-6, 1e5)
    _check_range("tol", tol, 1e-15, 1e-3)
    _check_count("n_tau", n_tau)
    g, sigma_b = float(g), float(sigma_b)
    sb, g2 = abs(sigma_b), g * g
    D_fp = static_variance(g, sb)
    p2, d2 = phi_moments(D_fp)
    chi = g2 * d2
    fp_res = abs(g2 * p2 + sb * sb - D_fp)
    if not fp_res <= tol * max(1.0, D_fp):
        raise NumericalFailure("not_converged", f"static variance at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"residual {fp_res:.3g} > tol {tol:g}")
    common = dict(model=model, g=g, sigma_b=sigma_b, g_c=critical_gain(sb, tol=1e-12), delta_fp=D_fp, chi=chi)
    if model == "map":
        from rnnchaos.dmft_map import map_solution

        return DMFTResult(**common, **map_solution(g, sb, D_fp, chi, int(np.floor(tau_max)), tol=tol,
                                                   fp_residual=fp_res))
    tau = np.linspace(0.0, float(tau_max), int(n_tau))
    if chi <= 1:
        return DMFTResult(**common, delta0=D_fp, delta_inf=D_fp, lambda_max=-1 + np.sqrt(chi), chaotic=False,
                          tau=tau, delta=np.full_like(tau, D_fp), residual=fp_res, n_eval=0)
    try:
        D0, Dinf, corr, n_eval, res = rate_chaotic_solution(g, sb, D_fp, tol=tol)
        prof = RateProfile(corr, g2, sb * sb, Dinf)
        e0, e1 = schrodinger_ground(prof)
        if not (e0 < 0 and abs(e1) < 1e-4):
            raise NumericalFailure("not_converged", f"Schrodinger problem at g = {g!r}, sigma_b = {sigma_b!r}: "
                                   f"E0 = {e0:.3g}, E1 = {e1:.3g} (expected E0 < 0, E1 = 0)")
    except NumericalFailure:
        if g > common["g_c"] * (1 + CRITICAL_WINDOW):
            raise
        return DMFTResult(**common, delta0=D_fp, delta_inf=D_fp, lambda_max=0.0, chaotic=True, tau=tau,
                          delta=np.full_like(tau, D_fp), residual=fp_res, n_eval=0, critical=True)
    return DMFTResult(**common, delta0=D0, delta_inf=Dinf, lambda_max=-1 + np.sqrt(1 - e0), chaotic=True,
                      tau=tau, delta=prof(tau)[0], residual=max(res, fp_res), n_eval=n_eval,
                      schrodinger_e0=e0, schrodinger_e1=e1, series_tail=corr.tail)


def _attrs(model: str) -> dict[str, dict[str, str]]:
    """``units`` and ``long_name`` of every output variable of ``model``."""
    m = model == "map"
    return {
        "delta0": {"units": "1", "long_name": "pre-activation variance q*" if m else "variance Delta0 = <x^2>"},
        "delta_inf": {"units": "1", "long_name": "static part of the autocorrelation, " + ("c*" if m else
                                                                                         "Delta(tau -> infinity)")},
        "lambda_max": {"units": "1/step" if m else "1/tau", "long_name": "mean-field largest Lyapunov exponent"},
        "g_c": {"units": "1", "long_name": "mean-field critical gain g_c(sigma_b)"},
        "chaotic": {"units": "1", "long_name": "1 if g > g_c (chaotic phase)"},
        "residual": {"units": "1", "long_name": "largest self-consistency residual"},
        "delta": {"units": "1", "long_name": "mean-field autocorrelation " + ("c(tau)" if m else "Delta(tau)")},
        "tau": {"units": "step" if m else "tau", "long_name": "time lag" + (" (steps)" if m else
                                                                          " (time constants)")},
    }


def to_dataset(result: DMFTResult) -> xr.Dataset:
    """The result as a Dataset: scalars ``delta0, delta_inf, lambda_max, g_c, chaotic`` (int8), ``residual``,
    ``delta(tau)``; diagnostics as global attributes ``dmft_*``. No grid coordinates (the caller adds them with
    :func:`rnnchaos.io.with_grid_coords`)."""
    r, at = result, _attrs(result.model)
    data = {k: ((), getattr(r, k), at[k]) for k in ("delta0", "delta_inf", "lambda_max", "g_c", "residual")}
    data["chaotic"] = ((), np.int8(r.chaotic), at["chaotic"])
    data["delta"] = (("tau",), np.asarray(r.delta, dtype=float), at["delta"])
    ds = xr.Dataset(data, coords={"tau": ("tau", r.tau, at["tau"])})
    ds.attrs.update({f"dmft_{k}": float(getattr(r, k)) for k in
                     ("delta_fp", "chi", "n_eval", "schrodinger_e0", "schrodinger_e1", "series_tail", "critical")})
    return ds


def g_sweep(model: str, sigma_b: float, *, tol: float = 1e-10, n_dense: int = 60, g_max: float = 4.0) -> xr.Dataset:
    """Dense theory curves over ``g`` (``n_dense`` points in ``(0, g_max]``) at one ``sigma_b``: ``delta0``,
    ``delta_inf``, ``lambda_max``, ``chaotic`` and ``status`` (0 ok; else the point failed and its values are NaN)
    over ``g``, and the scalar ``g_c``. No ``sigma_b`` coordinate (the caller adds it)."""
    _check_range("g_max", g_max, 1e-6, G_MAX)
    _check_count("n_dense", n_dense)
    gs, at = np.linspace(0.0, float(g_max), int(n_dense) + 1)[1:], _attrs(model)
    out = {k: np.full(gs.size, np.nan) for k in ("delta0", "delta_inf", "lambda_max")}
    out.update(chaotic=np.zeros(gs.size, np.int8), status=np.zeros(gs.size, np.int8))
    for i, g in enumerate(gs):
        try:
            r = dmft_point(model, g, sigma_b, tau_max=1.0, n_tau=2, tol=tol)
        except NumericalFailure as err:
            out["status"][i] = STATUS_CODES[err.status]
            continue
        for k in ("delta0", "delta_inf", "lambda_max", "chaotic"):
            out[k][i] = getattr(r, k)
    at["status"] = {"units": "1", "long_name": "outcome per g (codes of rnnchaos.status.STATUS_CODES)"}
    ds = xr.Dataset({k: ("g", v, at[k]) for k, v in out.items()},
                    coords={"g": ("g", gs, {"units": "1", "long_name": "coupling gain g (J_ij ~ N(0, g^2/N))"})})
    ds["g_c"] = ((), critical_gain(sigma_b, model, tol=min(tol, 1e-12)), at["g_c"])
    return ds


def critical_line(model: str, *, tol: float = 1e-10, n_dense: int = 60, sigma_b_max: float = 2.0) -> xr.Dataset:
    """``g_c`` over ``sigma_b`` (``n_dense`` points on ``[0, sigma_b_max]``), for the phase diagram."""
    _check_range("sigma_b_max", sigma_b_max, 1e-6, SIGMA_B_MAX)
    _check_count("n_dense", n_dense)
    sbs = np.linspace(0.0, float(sigma_b_max), int(n_dense))
    gc = [critical_gain(sb, model, tol=min(tol, 1e-12)) for sb in sbs]
    return xr.Dataset({"g_c": ("sigma_b", gc, {"units": "1", "long_name": "mean-field critical gain g_c(sigma_b)"})},
                      coords={"sigma_b": ("sigma_b", sbs, {"units": "1", "long_name": "bias spread sigma_b"})})


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not (isinstance(value, (int, float, np.integer, np.floating)) and lo <= value <= hi):
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")


def _check_count(name: str, value: int) -> None:
    if not (isinstance(value, (int, np.integer)) and 2 <= value <= 10**6):
        raise ValueError(f"{name} must be an integer in [2, 1000000], got {value!r}")
