"""Mean-field theory of the rate network's chaotic phase: ``Delta0``, ``Delta_inf``, ``Delta(tau)``, ``lambda_max``.

``phi`` any :class:`rnnchaos.nonlinearity.Nonlinearity` (default tanh), ``J_ij ~ N(0, g^2/N)``, ``theta_i ~ N(0,
sigma_b^2)``; the Gaussian averages are those of :mod:`rnnchaos.gaussian`, the drivers (one point, g-sweep,
critical line) are in :mod:`rnnchaos.dmft`. ``C`` is the uncentred ``<phi(x) phi(y)>``: for ``phi`` not odd
``C(0) = <phi>^2 > 0`` and ``Delta_inf > 0`` even at ``sigma_b = 0`` (see :mod:`rnnchaos.dmft`).

* Chaotic solution (Sompolinsky, Crisanti & Sommers 1988 PRL 61 259; Crisanti & Sompolinsky 2018 PRE 98 062120):
  ``Delta'' = Delta - g^2 C(Delta; Delta0) - sigma_b^2`` with ``C(D; D0) = <phi(x) phi(y)>`` (``var x = var y =
  D0``, ``cov = D``): a particle in ``V(D) = -D^2/2 + g^2 int_0^D C + sigma_b^2 D``. The smooth decaying solution
  obeys ``V'(Delta_inf) = 0`` (``Delta_inf`` the left root of the convex ``V'``, the static part) and ``V(Delta0) =
  V(Delta_inf)`` (``Delta'(0) = 0``, infinite time to reach ``Delta_inf``); ``Delta(tau)`` follows from ``tau(D) =
  int_D^{Delta0} du / sqrt(2 (V(Delta0) - V(u)))`` (:func:`rate_chaotic_solution`, :class:`RateProfile`).
* ``lambda_max`` in chaos (SCS 1988): ground state ``E_0`` of ``-psi'' + (1 - g^2 C'(Delta(tau))) psi = E psi`` with
  ``C' = <phi'(x) phi'(y)>``; ``lambda_max = -1 + sqrt(1 - E_0)``. ``Delta'(tau)`` is the odd eigenfunction with
  ``E = 0`` (a built-in check, ``schrodinger_e1``; :func:`schrodinger_ground`). ``lambda_max`` reaches 0 at
  ``g_c``: as ``(g - 1)^2 / 2`` above ``g_c(0) = 1`` (quartic potential, ``Delta = Delta0 sech(mu tau)``,
  Poeschl-Teller well with ``E_0 = -3 mu^2``), linearly for ``sigma_b > 0``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial import chebyshev
from scipy.interpolate import CubicHermiteSpline
from scipy.linalg import lapack
from scipy.optimize import brentq

from rnnchaos.gaussian import GaussCorr, overlap_root
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import NumericalFailure


def mean_force(corr: GaussCorr, g2: float, s2: float, D):
    """``(V(D0) - V(D)) / (D0 - D)``: the mean of ``V'`` over [D, D0] (``D`` scalar or array in [0, D0]); at ``D =
    Delta_inf`` zero is energy conservation (with noise, :mod:`rnnchaos.dmft_rate_noise`, it is ``-k0 / (D0 -
    Delta_inf)``)."""
    return -(corr.D0 + D) / 2 + s2 + g2 * corr.cbar(D / corr.D0)


def rate_chaotic_solution(g: float, sigma_b: float, delta_fp: float, *, tol: float = 1e-10,
                          nonlinearity: str | Nonlinearity = TANH):
    """``(Delta0, Delta_inf, corr, n_eval, residual)`` of the rate network's chaotic solution, ``0 < Delta0 <
    delta_fp`` (the static variance). Brent's method on ``(mean of V' over [Delta_inf, Delta0]) / (Delta0 -
    Delta_inf)``, which has no root at the static solution; ``Delta_inf = 0`` at ``sigma_b = 0`` for odd ``phi``
    (symmetry), else the left root of ``V'``."""
    g2, s2 = g * g, sigma_b * sigma_b
    nl = get(nonlinearity)
    static = s2 > 0 or not nl.odd  # Delta_inf > 0
    state = {}

    def energy(D0):
        corr = GaussCorr(D0, nonlinearity=nl)
        Dinf = overlap_root(corr, g2, s2)[0] if static else 0.0
        state.update(corr=corr, Dinf=Dinf)
        return mean_force(corr, g2, s2, Dinf) / (D0 - Dinf)

    lo = s2 if s2 > 0 else 1e-6 * delta_fp
    if not (energy(lo) > 0 > energy(delta_fp)):
        raise NumericalFailure("not_converged", f"no bracket for Delta0 at g = {g!r}, sigma_b = {sigma_b!r} "
                               "(too close to g_c to resolve the chaotic solution)")
    D0, info = brentq(energy, lo, delta_fp, xtol=1e-14 * delta_fp, rtol=1e-15, full_output=True, disp=False)
    energy(D0)
    corr, Dinf = state["corr"], state["Dinf"]
    res = max(abs(mean_force(corr, g2, s2, Dinf)), abs(-Dinf + g2 * corr.C(Dinf / D0) + s2) if static else 0.0)
    if not info.converged or not res <= tol:
        raise NumericalFailure("not_converged", f"Delta0 solve at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"{info.flag}, residual {res:.3g} > tol {tol:g}")
    return D0, Dinf, corr, info.function_calls + 2, res


def potential_taylor(corr: GaussCorr, g2: float, Dinf: float) -> tuple[np.ndarray, np.ndarray]:
    """``(gam, v)``: ``C(D) = sum_j gam_j (D - Dinf)^j`` (``j = 0..24``) and ``v_(m-2) = V^(m)(Dinf) / m!``
    (``m = 2..25``), so that ``V(Dinf) - V(Dinf + delta) = -delta^2 sum_m v_(m-2) delta^(m-2)`` when ``V'(Dinf) =
    0`` (convergent for ``delta < Delta0 - Delta_inf``; free of the cancellation of the difference near
    ``Delta_inf``)."""
    gam = corr.taylor(Dinf / corr.D0, 24) / corr.D0 ** np.arange(25)
    return gam, np.concatenate([[-0.5 + g2 * gam[1] / 2], g2 * gam[2:] / np.arange(3, 26)])


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
        gam, v = potential_taylor(corr, g2, Dinf)
        self.W_inf = gam[1]
        self.V_min = 1 - g2 * corr.d2  # Schrodinger potential at tau = 0 (its minimum)
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
