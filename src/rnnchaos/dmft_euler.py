"""Exact mean-field theory of the Euler-discretised rate network at step ``h`` (what the simulation integrates).

The simulation advances ``x_{t+1} = a x_t + h eta_t``, ``a = 1 - h``, ``eta_t = J phi(x_t) + theta`` (forward Euler
on ``dx/dt = -x + J phi(x) + theta``); its exponents per unit time are the map's per step divided by ``h``. ``h = 1``
is the map ``a_{t+1} = J phi(a_t) + theta`` (:mod:`rnnchaos.dmft_map`); ``h -> 0`` the flow (:mod:`rnnchaos.dmft_rate`,
Sompolinsky, Crisanti & Sommers 1988). Full derivation: docs/theory_discrete.md.

* Self-consistency. For N -> infinity and independent ``J_ij ~ N(0, g^2/N)`` the field ``eta_t`` is a Gaussian
  process, independent of the unit's own past, with covariance ``K_k = g^2 C(Delta_k; Delta_0) + sigma_b^2``
  (``C`` the uncentred ``<phi(x) phi(y)>``, :class:`rnnchaos.gaussian.GaussCorr`). ``x_t = h sum_j a^j
  eta_{t-1-j}`` gives ``<(x_{t+1} - a x_t)(x_{s+1} - a x_s)> = h^2 K_{t-s}``, i.e. for every lag ``k``

      (1 + a^2) Delta_k - a (Delta_{k+1} + Delta_{k-1}) = h^2 K(Delta_k; Delta_0),   Delta_{-k} = Delta_k

  (``h -> 0``: ``Delta'' = Delta - K``; ``h = 1``: ``Delta_k = K_k`` lag by lag). At large ``k``, ``(1 - a)^2 =
  h^2`` gives ``Delta_inf = g^2 C(Delta_inf; Delta_0) + sigma_b^2``, the attracting root
  (:func:`rnnchaos.gaussian.overlap_root`) as in both limits. Given ``Delta_0``, the ``k = 0`` equation fixes
  ``Delta_1`` and the recursion fixes every lag (a reversible area-preserving map of ``(Delta_{k-1}, Delta_k)``):
  ``Delta_0`` is the one value whose orbit lands on the stable manifold of ``Delta_inf`` (the discrete
  counterpart of the flow's energy condition; no conserved energy here). Found by shooting with bisection (too
  small: the orbit falls below ``Delta_inf``; too large: it turns back up), the tail spliced onto the asymptote
  ``Delta_inf + c r^k``, ``a (r + 1/r) = 1 + a^2 - h^2 g^2 C'(Delta_inf)`` (:func:`euler_profile`).
* ``lambda_max``. The tangent ``delta_{t+1} = a delta_t + h J D_t delta_t`` (``D_t = diag phi'(x_t)``) gives, for
  ``Q_{t,s} = delta_t . delta_s / N`` (SCS factorisation), ``Q_{t+1,s+1} - a (Q_{t,s+1} + Q_{t+1,s}) + a^2 Q_{t,s}
  = h^2 g^2 C'_{t-s} Q_{t,s}``, ``C'_k = <phi'(x_t) phi'(x_{t+k})> = dC/dDelta`` at ``Delta_k``. With ``Q_{t,s} =
  Lambda^((t+s)/2) q_{t-s}``, ``mu = Lambda^(1/2)`` the growth of ``|delta|`` per step:

      a (q_{k+1} + q_{k-1}) + (w_k / mu) q_k = (mu + a^2 / mu) q_k,   w_k = h^2 g^2 C'_k,   q even, bounded

  and ``lambda_max = ln(mu) / h = ln(Lambda) / (2 h)`` per unit time. The left side's top eigenvalue falls with
  ``mu``, the right side rises: one root, above the continuum edge ``mu_e = a + sqrt(w_inf)``
  (:func:`tangent_growth`). ``h -> 0``: ``-q'' + (1 - g^2 C') q = (1 - (1 + lambda)^2) q`` (SCS); ``h = 1``:
  ``mu^2 = g^2 <phi'^2>``; ordered phase (``Delta_k = `` static variance, ``chi = g^2 <phi'^2>``): ``mu = mu_e =
  1 - h + h sqrt(chi)``, the edge of the fixed point's Jacobian disc. The odd state (``q_0 = 0``) has ``mu = 1``
  up to the splitting of the separatrices, exponentially small in ``1/h``: the flow's zero mode ``Delta'(tau)``,
  a check of the whole chain (``lambda_odd``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lapack, solve_banded
from scipy.optimize import brentq

from rnnchaos.checks import check_range
from rnnchaos.dmft import CRITICAL_WINDOW, critical_gain
from rnnchaos.gaussian import G_MAX, SIGMA_B_MAX, GaussCorr, overlap_root, phi_moments, static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import NumericalFailure

MAX_LAGS = 2_000_000  #: longest orbit of the shooting (lags)


@dataclass(frozen=True)
class EulerDMFTResult:
    """Mean-field solution of the Euler-discretised rate network at ``(g, sigma_b, h)``.

    ``delta``: ``Delta_k = <x_t x_{t+k}>`` on the integer lags ``lag`` (``tau = lag h``), down to ``1e-16 (Delta0 -
    Delta_inf)`` above ``Delta_inf``; ``lambda_max`` per unit time, ``growth = Lambda = exp(2 h lambda_max)`` per
    step (of ``|delta|^2``). Diagnostics: ``residual`` (largest residual of the lag equations, in units of ``K``,
    i.e. divided by ``h^2``: round-off ``~1e-16 / h^2``; of ``Delta_inf``'s; and ``|Delta_0 - D0|``), ``n_eval``
    (orbits shot + Newton iterations), ``lambda_odd`` (odd tangent state, 0 up to separatrix splitting; NaN where
    none), ``delta_fp``/``chi`` (static branch), ``critical`` (as in :class:`rnnchaos.dmft.DMFTResult`).
    """

    g: float
    sigma_b: float
    h: float
    delta0: float
    delta_inf: float
    lambda_max: float
    growth: float
    g_c: float
    chaotic: bool
    lag: np.ndarray = field(repr=False)
    delta: np.ndarray = field(repr=False)
    residual: float
    n_eval: int
    lambda_odd: float
    delta_fp: float
    chi: float
    critical: bool = False
    nonlinearity: str = "tanh"

    @property
    def tau(self) -> np.ndarray:
        return self.lag * self.h


def _top(d: np.ndarray, e: np.ndarray) -> float:
    """Largest eigenvalue of the symmetric tridiagonal matrix (d, e), by bisection (LAPACK dstebz)."""
    if d.size == 1:
        return float(d[0])
    return float(lapack.dstebz(d, e, 2, 0.0, 0.0, d.size, d.size, 0.0, "E")[1][0])


def tangent_growth(w: np.ndarray, w_inf: float, a: float, *, odd: bool = False) -> float:
    """``mu``: the root of ``E(mu) = mu + a^2 / mu``, ``E`` the top eigenvalue of ``a (q_{k+1} + q_{k-1}) + (w_k /
    mu) q_k`` on ``k = 0..K`` (even: ``q_{-1} = q_1``; ``odd``: ``q_0 = 0``) with the exact boundary condition
    ``q_{K+1} = rho q_K`` of a constant ``w_k = w_inf`` beyond ``K`` (``a (rho + 1/rho) = mu + (a^2 - w_inf) / mu``).

    ``E`` falls and ``mu + a^2 / mu`` rises with ``mu`` on ``[a + sqrt(w_inf), a + sqrt(max w)]`` (Gershgorin), so
    the root is unique (Brent). ``mu = a + sqrt(w_inf)`` (continuum edge) where no state lies above it (even), NaN
    (odd)."""
    w = np.asarray(w, dtype=float)
    lo, hi = a + np.sqrt(w_inf), a + np.sqrt(max(float(w[int(odd):].max()), w_inf))

    def f(mu):
        d = w / mu
        if a > 0:
            c = (mu + (a * a - w_inf) / mu) / (2 * a)
            d[-1] += a / (c + np.sqrt(max(c * c - 1, 0.0)))
        e = np.full(w.size - 1, a)
        if odd:
            d, e = d[1:], e[1:]
        elif e.size:
            e[0] *= np.sqrt(2)  # the row q_0: 2 a q_1, symmetrised
        return _top(d, e) - mu - a * a / mu

    if hi <= lo or f(lo) <= 0:
        return float("nan") if odd else float(lo)
    if f(hi) >= 0:
        return float(hi)
    return float(brentq(f, lo, hi, xtol=1e-15, rtol=1e-15))


def _shoot(D0: float, g2: float, s2: float, h: float, nl: Nonlinearity, static: bool, n_max: int):
    """One orbit from ``Delta_0 = D0``: ``(+1 fell below Delta_inf | -1 turned up | 0 neither, orbit, Delta_inf,
    corr)``."""
    a, h2 = 1 - h, h * h
    corr = GaussCorr(D0, nonlinearity=nl)
    Dinf = overlap_root(corr, g2, s2)[0] if static else 0.0
    orbit = [D0, ((1 + a * a) * D0 - h2 * (g2 * corr.p2 + s2)) / (2 * a)]
    while len(orbit) < n_max:
        if orbit[-1] < Dinf:
            return 1, orbit[:-1], Dinf, corr
        if orbit[-1] > orbit[-2]:
            return -1, orbit[:-1], Dinf, corr
        D = orbit[-1]
        orbit.append(((1 + a * a) * D - h2 * (g2 * float(corr.C(D / D0)) + s2)) / a - orbit[-2])
    return 0, orbit, Dinf, corr


def _polish(delta, Dinf, r, corr, b, s, a, n_iter=30):
    """Newton on the lag equations ``k = 0 .. n - 1`` (``b = h^2 g^2``, ``s = h^2 sigma_b^2``, ``Delta_{-1} =
    Delta_1``, ``Delta_n = Delta_inf + r (Delta_{n-1} - Delta_inf)``) at the variance ``corr.D0`` held fixed: removes
    the splice's nonlinear error. Tridiagonal and well posed (the even tangent states have ``mu > 1``; holding
    ``Delta_0`` instead would leave the odd near-zero mode). ``(delta, iterations)``; ``delta[0] - D0`` is then the
    self-consistency residual."""
    D0, x, last = corr.D0, delta.copy(), np.inf
    for it in range(1, n_iter + 1):
        rho = np.clip(x / D0, Dinf / D0, 1.0)
        nb = np.concatenate([[x[1]], x[:-2], [Dinf + r * (x[-1] - Dinf)]]) + np.append(x[1:], x[-2])
        rho[0] = 1.0  # lag 0: <phi^2> at the variance D0, whatever Delta_0
        F = (1 + a * a) * x - a * nb - b * corr.C(rho) - s
        ab = np.zeros((3, x.size))
        ab[0, 1:], ab[2, :-1] = -a, -a
        ab[0, 1] = -2 * a
        ab[1] = (1 + a * a) - b * corr.dC(rho)
        ab[1, 0] = 1 + a * a
        ab[1, -1] -= a * r
        step = solve_banded((1, 1), ab, -F)
        x += step
        size = np.max(np.abs(step))
        if size <= 1e-14 * D0 or (size <= 1e-9 * D0 and size > 0.1 * last):  # converged, or at round-off
            return x, it
        last = size
    raise NumericalFailure("not_converged", f"Newton polish of Delta_k: last step {np.max(np.abs(step)):.3g}")


def euler_profile(g: float, sigma_b: float, h: float, delta_fp: float, *, tol: float = 1e-10,
                  nonlinearity: str | Nonlinearity = TANH, max_lags: int = MAX_LAGS):
    """``(Delta_k, Delta_inf, corr, n_eval, residual)`` of the chaotic solution, ``0 < h < 1``.

    Bisection on ``Delta_0`` in ``(lo, delta_fp)`` (``lo = sigma_b^2``, or ``1e-6 delta_fp``: the orbit falls below
    ``Delta_inf``; the static variance is a constant orbit) to a relative bracket ``1e-10``. The two last orbits agree
    up to the lag ``k_s`` where they part (relative ``1e-3`` of ``Delta_k - Delta_inf``); beyond it ``Delta_inf +
    (Delta_ks - Delta_inf) r^(k - k_s)`` down to ``1e-16 (Delta0 - Delta_inf)``. Then the secant method on ``G(D0) =
    Delta_0 - D0``, ``Delta_k`` the lag equations' solution at the variance ``D0`` (:func:`_polish`). ``n_eval``:
    orbits shot plus Newton iterations. Raises :class:`NumericalFailure` without a bracket or above ``tol``."""
    nl, g2, s2, a, b = get(nonlinearity), g * g, sigma_b * sigma_b, 1 - h, g * g * h * h
    static = s2 > 0 or not nl.odd

    def shoot(D0):
        return _shoot(D0, g2, s2, h, nl, static, max_lags)

    def solve(D0, guess, corr=None):  # the lag equations at the variance D0: (G, delta, Dinf, corr, r, iterations)
        corr = corr or GaussCorr(D0, nonlinearity=nl)
        Dinf = overlap_root(corr, g2, s2)[0] if static else 0.0
        c = (1 + a * a - b * float(corr.dC(Dinf / D0))) / (2 * a)
        r = 1 / (c + np.sqrt(c * c - 1))
        x, it = _polish(guess, Dinf, r, corr, b, s2 * h * h, a)
        return x[0] - D0, x, Dinf, corr, r, it

    lo, hi = (s2 if s2 > 0 else 1e-6 * delta_fp), delta_fp
    slo = shoot(lo)
    if slo[0] != 1:
        raise NumericalFailure("not_converged", f"no bracket for Delta0 at g = {g!r}, sigma_b = {sigma_b!r}, "
                               f"h = {h!r} (too close to g_c to resolve the chaotic solution)")
    shi, n_eval = None, 1
    while hi - lo > 1e-10 * hi and n_eval < 100:
        mid = 0.5 * (lo + hi)
        s, n_eval = shoot(mid), n_eval + 1
        if s[0] == 1:
            lo, slo = mid, s
        else:
            hi, shi = mid, s
    if shi is None or shi[0] == 0:
        raise NumericalFailure("not_converged", f"shooting at g = {g!r}, sigma_b = {sigma_b!r}, h = {h!r}: "
                               f"no orbit turned up (or {max_lags} lags without leaving Delta_inf)")
    _, orbit, Dinf, corr = shi
    o_lo, o_hi = np.array(slo[1]), np.array(orbit)
    n = min(o_lo.size, o_hi.size)
    gap = np.abs(o_lo[:n] - o_hi[:n]) > 1e-3 * (o_hi[:n] - Dinf)
    k_s = int(np.argmax(gap)) - 1 if gap.any() else n - 1
    if k_s < 1:
        raise NumericalFailure("not_converged", f"shooting at g = {g!r}, sigma_b = {sigma_b!r}, h = {h!r}: the "
                               "bracketing orbits part at once")
    c = (1 + a * a - b * float(corr.dC(Dinf / hi))) / (2 * a)
    r = 1 / (c + np.sqrt(c * c - 1))
    head, L = o_hi[: k_s + 1], hi - Dinf
    n_tail = max(int(np.ceil(np.log(1e-16 * L / (head[-1] - Dinf)) / np.log(r))), 1)
    guess = np.concatenate([head, Dinf + (head[-1] - Dinf) * r ** np.arange(1, n_tail + 1)])
    pts = [(hi, *solve(hi, guess, corr))]
    pts.append((lo, *solve(lo, pts[0][2])))
    for _ in range(12):
        (Da, Ga, *_), (Db, Gb, xb, *_) = pts[-2:]
        if abs(Gb) <= 1e-14 * Db or Gb == Ga:
            break
        Dc = Db - Gb * (Db - Da) / (Gb - Ga)
        if abs(Dc - Db) <= 1e-13 * Db:  # G is at round-off (~1e-16 / h^2) there
            break
        pts.append((Dc, *solve(Dc, xb)))
    D0, G, delta, Dinf, corr, r, _ = min(pts, key=lambda p: abs(p[1]))
    n_eval += sum(p[-1] for p in pts)
    K = g2 * corr.C(np.clip(delta / D0, Dinf / D0, 1.0)) + s2
    K[0] = g2 * corr.p2 + s2
    nb = np.concatenate([[delta[1]], delta[:-2], [Dinf + r * (delta[-1] - Dinf)]]) + np.append(delta[1:], delta[-2])
    res = max(float(np.max(np.abs((1 + a * a) * delta - a * nb - h * h * K))) / (h * h), abs(G))
    if static:
        res = max(res, abs(g2 * float(corr.C(Dinf / D0)) + s2 - Dinf))
    if not res <= tol * max(1.0, D0):
        raise NumericalFailure("not_converged", f"lag equations at g = {g!r}, sigma_b = {sigma_b!r}, h = {h!r}: "
                               f"residual {res:.3g} > tol {tol:g}")
    return delta, Dinf, corr, n_eval, res


def euler_dmft_point(g: float, sigma_b: float, *, h: float, tol: float = 1e-10,
                     nonlinearity: str | Nonlinearity = TANH) -> EulerDMFTResult:
    """Mean-field solution of ``x_{t+1} = (1 - h) x_t + h (J phi(x_t) + theta)``; ``0 <= g <= 6``, ``|sigma_b| <=
    4``, ``0 < h <= 1``.

    Ordered phase (``chi = g^2 <phi'^2> <= 1`` on the static branch): ``Delta_k`` = the static variance,
    ``lambda_max = ln(1 - h + h sqrt(chi)) / h`` (``-inf`` at ``g = 0, h = 1``). Chaos: :func:`euler_profile` (``h <
    1``) or, at ``h = 1``, ``Delta_0 = q*``, ``Delta_{k >= 1} = c*`` (the map's lags decouple); then
    :func:`tangent_growth`. Raises :class:`NumericalFailure` ("not_converged") on a failed solve; within
    ``CRITICAL_WINDOW`` above ``g_c`` an unresolvable chaotic solution is returned as the critical one."""
    nl = get(nonlinearity)
    check_range("g", g, 0.0, G_MAX)
    check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    check_range("h", h, 0.0, 1.0)
    if h == 0:
        raise ValueError("h must be a number in (0, 1] (h = 0 is the flow: rnnchaos.dmft.dmft_point), got 0")
    check_range("tol", tol, 1e-15, 1e-3)
    g, sigma_b, h = float(g), float(sigma_b), float(h)
    sb, g2, a = abs(sigma_b), g * g, 1 - h
    D_fp = static_variance(g, sb, nonlinearity=nl)
    p2, d2 = phi_moments(D_fp, nonlinearity=nl)
    chi, fp_res = g2 * d2, abs(g2 * p2 + sb * sb - D_fp)
    g_c = critical_gain(sb, tol=1e-12, nonlinearity=nl)
    common = dict(g=g, sigma_b=sigma_b, h=h, g_c=g_c, delta_fp=D_fp, chi=chi, nonlinearity=nl.name)

    def result(delta, Dinf, w, w_inf, *, chaotic, residual, n_eval=0, critical=False):
        mu = tangent_growth(w, w_inf, a)
        with np.errstate(divide="ignore"):
            lam = float(np.log(mu) / h)
        odd = tangent_growth(w, w_inf, a, odd=True) if w.size > 1 else float("nan")
        return EulerDMFTResult(**common, delta0=float(delta[0]), delta_inf=float(Dinf), lambda_max=lam,
                               growth=float(mu * mu), chaotic=chaotic, lag=np.arange(delta.size), delta=delta,
                               residual=float(residual), n_eval=n_eval, lambda_odd=float(np.log(odd) / h),
                               critical=critical)

    if not fp_res <= tol * max(1.0, D_fp):
        raise NumericalFailure("not_converged", f"static variance at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"residual {fp_res:.3g} > tol {tol:g}")
    flat = np.full(2, D_fp)
    if chi <= 1:
        return result(flat, D_fp, h * h * chi * np.ones(2), h * h * chi, chaotic=False, residual=fp_res)
    if h == 1:
        corr = GaussCorr(D_fp, nonlinearity=nl)
        c_star = overlap_root(corr, g2, sb * sb)[0] if sb > 0 or not nl.odd else 0.0
        res = max(fp_res, abs(g2 * float(corr.C(c_star / D_fp)) + sb * sb - c_star))
        w_inf = g2 * float(corr.dC(c_star / D_fp))
        return result(np.array([D_fp, c_star]), c_star, np.array([chi, w_inf]), w_inf, chaotic=True, residual=res)
    try:
        delta, Dinf, corr, n_eval, res = euler_profile(g, sb, h, D_fp, tol=tol, nonlinearity=nl)
    except NumericalFailure:
        if g > g_c * (1 + CRITICAL_WINDOW):
            raise
        return result(flat, D_fp, h * h * chi * np.ones(2), h * h * chi, chaotic=True, residual=fp_res,
                      critical=True)
    w = h * h * g2 * corr.dC(delta / corr.D0)
    return result(delta, Dinf, w, h * h * g2 * float(corr.dC(Dinf / corr.D0)), chaotic=True,
                  residual=max(res, fp_res), n_eval=n_eval)
