"""Mean-field theory of the rate network driven by white noise: ``Delta0``, ``Delta_inf``, ``Delta(tau)``, the ground
state of the stability problem and the critical line (the derivation: :mod:`rnnchaos.dmft_noise`,
docs/theory_noise.md).

``dx = (-x + J phi(x) + theta) dt + sigma_xi dW``. For ``tau > 0`` the autocorrelation moves in the potential ``V(D)
= -D^2/2 + g^2 int_0^D C(u; Delta0) du + sigma_b^2 D`` of :mod:`rnnchaos.dmft_rate`; the noise enters only through
the kink ``Delta'(0+) = -sigma_xi^2 / 2``, the kinetic energy ``k0 = sigma_xi^4 / 8`` at ``tau = 0``:

* :func:`noisy_rate_solution`: ``V'(Delta_inf) = 0`` (the left root of the convex ``V'``) and ``V(Delta_inf) -
  V(Delta0) = k0``.
* :class:`NoisyRateProfile`: ``Delta(tau)`` from the equation of motion with ``Delta'(0+) = -sigma_xi^2 / 2`` up
  to half way, then from ``dDelta/dtau = -sqrt(2 K)``, ``K = V(Delta_inf) - V(Delta) > 0`` on ``(Delta_inf,
  Delta0]`` (``K(Delta0) = k0``), in ``y = ln((Delta - Delta_inf) / (Delta0 - Delta_inf))`` (a smooth right-hand
  side that tends to ``-mu``; an attracting equation, unlike the second-order one near the hyperbolic point
  ``Delta_inf``).
* :func:`even_ground`: the lowest eigenvalue ``E0`` of ``-psi'' + (1 - g^2 C'(Delta(tau))) psi`` on ``tau >= 0``
  with ``psi'(0) = 0``; ``lambda_max = -1 + sqrt(1 - E0)``.
* :func:`noisy_rate_critical_gain`: ``lambda_max = 0`` exactly where ``Delta0`` equals the static variance,
  ``V(Delta_inf) - V(D_fp) = k0`` on the static branch (closed form; checked against :func:`even_ground`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import eigvalsh_tridiagonal
from scipy.optimize import brentq

from rnnchaos.dmft import critical_gain
from rnnchaos.dmft_rate import mean_force, potential_taylor
from rnnchaos.gaussian import G_MAX, GaussCorr, overlap_root, static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import NumericalFailure

#: ``(Delta - Delta_inf) / (Delta0 - Delta_inf)`` where the profile's integration stops (exponential tail beyond)
PROFILE_FLOOR = 1e-15
#: Most right-hand-side evaluations of the profile's integration (a few hundred to a few thousand are typical)
MAX_NFEV = 200_000


def _left_root(corr: GaussCorr, g2: float, s2: float, nl: Nonlinearity) -> tuple[float, bool]:
    """``Delta_inf`` for the potential at ``Delta0 = corr.D0``: 0 at ``sigma_b = 0`` for odd ``phi`` (symmetry),
    else :func:`rnnchaos.gaussian.overlap_root` (with its flag: a root was found)."""
    return overlap_root(corr, g2, s2) if s2 > 0 or not nl.odd else (0.0, True)


def noisy_rate_solution(g: float, sigma_b: float, sigma_xi: float, delta_fp: float, chi: float, *,
                        tol: float = 1e-10, nonlinearity: str | Nonlinearity = TANH):
    """``(Delta0, Delta_inf, corr, n_eval, residual)`` of the noisy rate network, ``sigma_xi > 0``.

    Brent's method on ``F(Delta0) = V(Delta0) - V(Delta_inf) + k0 = (Delta0 - Delta_inf) M + k0`` (``M``:
    :func:`rnnchaos.dmft_rate.mean_force` at ``Delta_inf``). Lower bracket: the static variance ``delta_fp`` when
    ``chi = g^2 <phi'^2>(delta_fp) <= 1`` (there ``Delta_inf = Delta0`` and ``F = k0 > 0``), else the noise-free
    solver's lower end (``F >= k0`` there); upper: ``max(lower, delta_fp) + sigma_xi^2 2^n``, doubled until ``F <
    0`` (``g = 0``: ``F = k0 - (Delta0 - sigma_b^2)^2 / 2``, root ``sigma_b^2 + sigma_xi^2 / 2``). ``residual``:
    largest of ``|F|`` and ``|V'(Delta_inf)|``. Raises :class:`NumericalFailure` when the root is not a decaying
    solution (no left root, ``V''(Delta_inf) >= 0``) or the residual exceeds ``tol``.
    """
    nl = get(nonlinearity)
    g2, s2, k0 = g * g, sigma_b * sigma_b, sigma_xi**4 / 8
    state = {}

    def balance(D0):
        corr = GaussCorr(D0, nonlinearity=nl)
        Dinf, found = _left_root(corr, g2, s2, nl)
        state.update(corr=corr, Dinf=Dinf, found=found)
        return (D0 - Dinf) * mean_force(corr, g2, s2, Dinf) + k0

    if chi <= 1:
        lo = delta_fp if delta_fp > 0 else 1e-6 * sigma_xi**2
    else:
        lo = s2 if s2 > 0 else 1e-6 * delta_fp
    n_eval, excess = 1, sigma_xi**2
    if not balance(lo) > 0:
        raise NumericalFailure("not_converged", f"no bracket for Delta0 at g = {g!r}, sigma_b = {sigma_b!r}, "
                               f"sigma_xi = {sigma_xi!r} (F = {balance(lo):.3g} <= 0 at the lower end {lo:.6g})")
    while balance(max(lo, delta_fp) + excess) >= 0:
        excess, n_eval = 2 * excess, n_eval + 1
        if excess > 1e4:
            raise NumericalFailure("not_converged", f"no upper bracket for Delta0 at g = {g!r}")
    hi = max(lo, delta_fp) + excess
    D0, info = brentq(balance, lo, hi, xtol=1e-14 * hi, rtol=1e-15, full_output=True, disp=False)
    balance(D0)
    corr, Dinf = state["corr"], state["Dinf"]
    where = f"at g = {g!r}, sigma_b = {sigma_b!r}, sigma_xi = {sigma_xi!r}"
    if not (state["found"] and Dinf < D0 and g2 * corr.dC(Dinf / D0) < 1):
        raise NumericalFailure("not_converged", f"Delta0 = {D0:.6g} {where}: Delta_inf = {Dinf:.6g} is not a "
                               "maximum of V below Delta0 (no decaying solution)")
    res = max(abs((D0 - Dinf) * mean_force(corr, g2, s2, Dinf) + k0), abs(-Dinf + g2 * corr.C(Dinf / D0) + s2))
    if not info.converged or not res <= tol:
        raise NumericalFailure("not_converged", f"Delta0 solve {where}: {info.flag}, residual {res:.3g} > tol "
                               f"{tol:g}")
    return D0, Dinf, corr, n_eval + info.function_calls + 1, res


class NoisyRateProfile:
    """``Delta(tau)`` and ``C'(Delta(tau))`` of the noisy rate network, for any ``tau >= 0``.

    With ``delta = Delta - Delta_inf`` and ``L = Delta0 - Delta_inf``: up to ``delta = L / 2`` (at ``tau_half``) the
    equation of motion ``delta'' = -V'(Delta)``, ``delta(0) = L``, ``delta'(0) = -sqrt(2 k0)`` (regular for any
    ``k0 >= 0``: the first-order form below has a square-root singularity where ``K -> 0``); beyond, ``y = ln(delta /
    L)`` obeys ``dy/dtau = -sqrt(2 K) / delta``, an attracting equation (the second-order one is unstable near the
    hyperbolic point ``Delta_inf``), with ``K = V(Delta_inf) - V(Delta) = k0 + (L - delta) M(Delta)`` (``M``: mean
    of ``V'`` over ``[Delta, Delta0]``) for ``delta >= L / 10`` and ``K = -delta^2 sum_m v_m delta^m`` (Taylor series
    of ``V`` about ``Delta_inf``, :func:`rnnchaos.dmft_rate.potential_taylor`) below, free of cancellation. Both by
    DOP853 (``rtol = 1e-12``, dense output; absolute tolerances ``1e-12 L + 1e-14 Delta0`` on ``delta`` and ``1e-12
    + 1e-14 Delta0 / L`` on ``y``, above the rounding of ``V'``, which cancels to ``O(L)``: small noise in the
    ordered phase, ``L ~ sigma_xi^2``), the second up to ``delta = PROFILE_FLOOR L`` (at ``tau_s``); beyond,
    ``delta ~ exp(-mu tau)``, ``mu^2 = 1 - g^2 C'(Delta_inf)``. ``nfev``: right-hand-side evaluations (at most
    ``MAX_NFEV``, else :class:`NumericalFailure`).
    """

    def __init__(self, corr: GaussCorr, g2: float, s2: float, Dinf: float, k0: float):
        self.corr, self.g2, self.Dinf = corr, g2, Dinf
        self.L = L = corr.D0 - Dinf
        gam, v = potential_taylor(corr, g2, Dinf)
        self.W_inf, self.mu = gam[1], float(np.sqrt(-2 * v[0]))
        span, calls = (0.0, 1e3 * (1 + 1 / self.mu)), [0]

        def budget():
            calls[0] += 1
            if calls[0] > MAX_NFEV:
                raise NumericalFailure("not_converged", f"Delta(tau): more than {MAX_NFEV} evaluations")

        def motion(tau, u):  # u = (delta, delta'), delta'' = -V'(Delta)
            budget()
            D = Dinf + u[0]
            return [u[1], D - g2 * corr.C(D / corr.D0) - s2]

        def rate(tau, y):  # dy/dtau
            budget()
            delta = L * np.exp(y[0])
            if delta < 0.1 * L:
                two_k = -2 * np.polynomial.polynomial.polyval(delta, v)  # 2 K / delta^2
            else:
                two_k = 2 * (k0 + (L - delta) * mean_force(corr, g2, s2, Dinf + delta)) / delta**2
            if not two_k > 0:
                raise NumericalFailure("not_converged", f"kinetic energy not positive along Delta(tau) at tau = "
                                       f"{tau:.6g}")
            return [-np.sqrt(two_k)]

        def half(tau, u):
            return u[0] - 0.5 * L

        def floor(tau, y):
            return y[0] - np.log(PROFILE_FLOOR)

        half.terminal = floor.terminal = True
        opts = dict(method="DOP853", rtol=1e-12, atol=1e-12 * L + 1e-14 * corr.D0, dense_output=True)
        first = solve_ivp(motion, span, [L, -np.sqrt(2 * k0)], events=half, **opts)
        if first.status != 1:
            raise NumericalFailure("not_converged", f"Delta(tau) never reaches (Delta0 + Delta_inf) / 2: "
                                   f"{first.message}")
        self.tau_half = float(first.t_events[0][0])
        opts["atol"] = 1e-12 + 1e-14 * corr.D0 / L
        second = solve_ivp(rate, (self.tau_half, self.tau_half + span[1]), [np.log(0.5)], events=floor, **opts)
        if second.status != 1:
            raise NumericalFailure("not_converged", f"Delta(tau) integration: {second.message}")
        self._first, self._second = first.sol, second.sol
        self.tau_s, self.nfev = float(second.t_events[0][0]), first.nfev + second.nfev

    def __call__(self, tau) -> tuple[np.ndarray, np.ndarray]:
        """``(Delta(tau), C'(Delta(tau)))``."""
        tau = np.asarray(tau, dtype=float)
        early, mid = tau <= self.tau_half, (tau > self.tau_half) & (tau <= self.tau_s)
        delta = self.L * PROFILE_FLOOR * np.exp(-self.mu * (tau - self.tau_s))
        if early.any():  # (an OdeSolution rejects an empty array)
            delta[early] = self._first(tau[early])[0]
        if mid.any():
            delta[mid] = self.L * np.exp(self._second(tau[mid])[0])
        D = self.Dinf + delta
        return D, self.corr.dC(D / self.corr.D0)


def _lowest(W: np.ndarray, h: float, k: float) -> float:
    """Lowest eigenvalue of ``-psi'' + W psi`` on the nodes ``tau_i = i h``, ``psi'(0) = 0`` (mirror node) and
    ``psi' = -k psi`` at the last node (ghost node ``psi_(n) = psi_(n-2) - 2 h k psi_(n-1)``); the two boundary
    rows symmetrised by ``sqrt(2)``."""
    d = 2 / h**2 + W
    d[-1] += 2 * k / h
    e = np.full(W.size - 1, -1 / h**2)
    e[0] *= np.sqrt(2)
    e[-1] *= np.sqrt(2)
    return float(eigvalsh_tridiagonal(d, e, select="i", select_range=(0, 0))[0])


def even_ground(profile: NoisyRateProfile, *, h: float = 0.01) -> float:
    """``E0``: lowest eigenvalue of ``-psi'' + (1 - g^2 C'(Delta(tau))) psi`` on ``tau >= 0`` with ``psi'(0) = 0``.

    Beyond ``T >= tau_s`` the potential is the constant ``mu^2`` (to 1e-15), where the bound state decays as
    ``exp(-k tau)``, ``k = sqrt(mu^2 - E)``: the exact condition ``psi'(T) = -k psi(T)``, solved with the energy it
    depends on (Brent's method on ``E_box(E) - E``, decreasing in ``E``); a well-free potential (``g = 0``) gives
    the continuum edge ``mu^2``. Second-order finite differences on ``tau_i = i h``; Richardson extrapolation from
    ``2h`` and ``h``. The potential has a cusp at ``tau = 0`` (``Delta'(0+) = -sigma_xi^2 / 2``): an O(h) local
    error at one node, O(h^2) globally like the rest, so the extrapolated value errs by O(h^3) (about 1e-10 at
    ``h = 0.01``, measured against ``h / 2``).
    """
    mu2 = profile.mu**2
    n = 2 * int(np.ceil(profile.tau_s / (2 * h))) + 1
    W = 1 - profile.g2 * profile(np.arange(n) * h)[1]

    def ground(W, hh):
        def gap(E):
            return _lowest(W, hh, np.sqrt(max(mu2 - E, 0.0))) - E

        if gap(mu2) >= 0:
            return mu2
        return brentq(gap, W.min() - 1.0, mu2, xtol=1e-15, rtol=1e-15)

    return (4 * ground(W, h) - ground(W[::2], 2 * h)) / 3


def noisy_rate_critical_gain(sigma_b: float, sigma_xi: float, *, tol: float = 1e-12,
                             nonlinearity: str | Nonlinearity = TANH) -> float:
    """``g_c(sigma_b, sigma_xi)`` of the noisy rate network, ``sigma_xi > 0``: the root in ``g`` of ``V(Delta_inf) -
    V(D_fp) = k0`` with ``Delta0 = D_fp``, the static variance (:func:`rnnchaos.gaussian.static_variance`).

    ``G(g) = V(Delta_inf) - V(D_fp) - k0`` is ``-k0`` up to the noise-free ``g_c(sigma_b)`` (there ``Delta_inf =
    D_fp``) and grows beyond; Brent's method between ``g_c(sigma_b) (1 + eps)`` and ``G_MAX``. Raises
    :class:`NumericalFailure` when ``G(G_MAX) < 0`` (``g_c`` beyond the validated range).
    """
    return _noisy_rate_critical_gain(abs(float(sigma_b)), float(sigma_xi), float(tol), get(nonlinearity))


@lru_cache(maxsize=1024)
def _noisy_rate_critical_gain(sb: float, sigma_xi: float, tol: float, nl: Nonlinearity) -> float:
    k0 = sigma_xi**4 / 8

    def excess(g):
        D = static_variance(g, sb, nonlinearity=nl)
        corr = GaussCorr(D, nonlinearity=nl)
        Dinf = _left_root(corr, g * g, sb * sb, nl)[0]
        return -(D - Dinf) * mean_force(corr, g * g, sb * sb, Dinf) - k0

    g0 = critical_gain(sb, tol=1e-12, nonlinearity=nl)
    if not excess(G_MAX) > 0:
        raise NumericalFailure("not_converged", f"g_c(sigma_b = {sb!r}, sigma_xi = {sigma_xi!r}) > G_MAX = "
                               f"{G_MAX:g}, beyond the validated range")
    eps = 1e-6
    while excess(g0 * (1 + eps)) >= 0:
        eps /= 100
        if eps < 1e-14:
            raise NumericalFailure("not_converged", f"g_c at sigma_xi = {sigma_xi!r}: not resolvable from the "
                                   f"noise-free g_c = {g0!r}")
    return float(brentq(excess, g0 * (1 + eps), G_MAX, xtol=tol, rtol=1e-15))
