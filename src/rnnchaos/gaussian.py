"""Gaussian quadrature and the Gaussian averages of ``phi`` that mean-field theory and Kac-Rice need.

``<.>`` averages over ``z ~ N(0, 1)``. Held here: the one-dimensional moments ``<phi(sqrt(D) z)^2>``,
``<phi'(sqrt(D) z)^2>`` (:func:`phi_moments`), the two-dimensional ``C(D; D0) = <phi(x) phi(y)>`` (``var x = var y =
D0``, ``cov = D``; :class:`GaussCorr`, :func:`gauss_corr`, the reference :func:`gauss_corr_nested`), the static
variance ``D = g^2 <phi(sqrt(D) z)^2> + sigma_b^2`` shared by both models' mean-field theory and the Gaussian
Kac-Rice solution (:func:`static_variance`), and the smallest root of ``D = g^2 C(D; D0) + sigma_b^2``
(:func:`overlap_root`). Used by :mod:`rnnchaos.dmft`, :mod:`rnnchaos.dmft_rate`, :mod:`rnnchaos.dmft_map` and
:mod:`rnnchaos.kac_rice`. Every function takes ``nonlinearity`` (a :class:`rnnchaos.nonlinearity.Nonlinearity` or
its name; default tanh).

Gauss-Hermite converges slowly for ``tanh`` at large variance (poles at ``z = i pi / (2 s)``; with 300 nodes
``<tanh(3.5 z)^2>`` is still off by 3e-5), so 1-D integrals use the trapezoidal rule on a uniform grid (``h = 0.05``,
``|z| <= 12.5``), exponentially convergent with error ``~ exp(-pi^2 / (s h))`` for ``s = sqrt(D0)`` (Trefethen &
Weideman 2014 SIAM Rev. 56 385): below 1e-14 relative for ``D <= 30``, 2e-11 at ``D = 52`` (the largest static
variance of the validated range); beyond it the step shrinks as ``0.25 / sqrt(D)``. The 2-D integral is the Mehler
(Hermite) series ``C = sum_k a_k^2 rho^k`` (``rho = D / D0``, ``a_k = <phi(s z) He_k(z)> / sqrt(k!)``, ``k <=
1001``), whose remainder at ``rho = 1`` is known exactly (``<phi^2> - sum a_k^2``) and is added as ``T rho^m``;
:func:`gauss_corr_nested` is the nested-quadrature reference. Both agree to 1e-12 for ``D0 <= 20`` (tanh).

Odd and other ``phi``: for odd ``phi`` (tanh, erf, :func:`rnnchaos.nonlinearity.tanh_cubic`) only odd orders ``k``
enter and the even integrands are summed on the half grid ``z > 0`` (the tanh numbers of before this generalisation,
bit for bit). Otherwise (logistic) every order enters, ``k = 0`` being the mean, ``a_0^2 = <phi>^2``, on the full
grid; ``C(rho)`` is then defined for ``rho >= 0`` only (the tail ``T rho^m`` has no continuation to ``rho < 0``).
The accuracy statements above are measured for tanh; the erf closed forms (:func:`erf_moments`, :func:`erf_corr`,
:func:`erf_dcorr`) are met to 1e-12 (tests/unit/test_gaussian.py); for ``tanh_cubic`` with large ``s`` the poles
approach the real axis and the trapezoidal rule converges more slowly.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import binom

from rnnchaos.nonlinearity import TANH, Nonlinearity, get

G_MAX, SIGMA_B_MAX = 6.0, 4.0  #: validated parameter range (static variance <= 52; series accurate to ~1e-9 there)
_UNIQUE_STATIC_ROOT = {"tanh", "erf", "logistic"}  # <phi(sqrt(D) z)^2> concave in D: one root of the static equation
D_FIXED_GRID = 52.0  #: largest variance averaged on the fixed grid (the static variance of the validated range)
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


@lru_cache(maxsize=1)
def _grid_full():
    """Full trapezoid grid ``|z| <= _Z`` with its weights, and every normalised Hermite row ``k = 0.._K`` times the
    weights (``phi`` not odd)."""
    n = int(round(_Z / _H))
    z = np.arange(-n, n + 1) * _H
    w = _H * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    h = np.empty((_K + 1, z.size))
    h[0], h[1] = 1.0, z
    for k in range(1, _K):
        h[k + 1] = (z * h[k] - np.sqrt(k) * h[k - 1]) / np.sqrt(k + 1)
    return z, w, h * w, np.arange(_K + 1)


def _nodes(D: float, odd: bool = True) -> tuple[np.ndarray, np.ndarray, float]:
    """Nodes, weights and step for ``<f(sqrt(D) z)>``: the fixed grid of :func:`_grid` (odd ``phi``: half grid
    ``z > 0``, doubled weights, even integrands) or of :func:`_grid_full` for ``D <= D_FIXED_GRID``, else the step
    ``0.25 / sqrt(D)`` (``sqrt(D) h`` bounded: the error stays below 1e-15 for tanh)."""
    if D <= D_FIXED_GRID:
        z, w, _, _ = _grid() if odd else _grid_full()
        return z, w, _H
    h = 0.25 / np.sqrt(D)
    n = int(np.ceil(_Z / h))
    z = (np.arange(1, n + 1) if odd else np.arange(-n, n + 1)) * h
    return z, (2 if odd else 1) * h * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi), h


def phi_moments(D: float, *, nonlinearity: str | Nonlinearity = TANH) -> tuple[float, float]:
    """``(<phi(sqrt(D) z)^2>, <phi'(sqrt(D) z)^2>)`` by the trapezoidal rule (tanh: relative error < 1e-14 for
    ``D <= 30``, < 2e-11 up to ``D_FIXED_GRID``, < 1e-15 beyond, where the step shrinks)."""
    nl = get(nonlinearity)
    if D <= 0:
        p0, d0 = nl.phi_dphi(np.zeros(1))
        return float(p0[0] ** 2), float(d0[0] ** 2)
    z, w, h = _nodes(D, nl.odd)
    p, d = nl.phi_dphi(np.sqrt(D) * z)
    if nl.odd:  # half grid: z = 0 adds phi'(0)^2 (and phi(0) = 0)
        return float(w @ p**2), float(w @ d**2 + h / np.sqrt(2 * np.pi) * nl.slope0**2)
    return float(w @ p**2), float(w @ d**2)


def phi_mean(D: float, *, nonlinearity: str | Nonlinearity = TANH) -> float:
    """``<phi(sqrt(D) z)>``: 0 for odd ``phi``, 1/2 for the logistic at every ``D``."""
    nl = get(nonlinearity)
    if nl.odd:
        return 0.0
    if D <= 0:
        return float(nl.phi(np.zeros(1))[0])
    z, w, _ = _nodes(D, False)
    return float(w @ nl.phi(np.sqrt(D) * z))


def _phi2_over_D(D: float, nl: Nonlinearity) -> float:
    """``<phi(sqrt(D) z)^2> / D`` for odd ``phi``, accurate down to ``D = 1e-300`` (tends to ``phi'(0)^2``)."""
    z, w, _ = _nodes(D)
    s = np.sqrt(D)
    return float(w @ (nl.phi(s * z) / s) ** 2)


class GaussCorr:
    """``C(rho) = <phi(x) phi(y)> = sum_k c_k rho^k (+ T rho^m)`` for ``x, y ~ N(0, D0)`` with correlation ``rho``.

    Methods take ``rho`` in [0, 1] (scalar or array): ``C``, ``dC = <phi'(x) phi'(y)> = dC/dD``, ``cbar = (1 / (1 -
    rho)) int_rho^1 C(r) dr`` (so ``int_D^{D0} C = D0 (1 - rho) cbar``) and Taylor coefficients (``taylor``).
    Accurate for ``D0 <= D_FIXED_GRID`` (the Hermite coefficients are sums on the fixed grid). ``mean`` is
    ``<phi> = a_0`` (``C(0) = mean^2``; 0 for odd ``phi``); ``p2, d2`` are ``<phi^2>, <phi'^2>``.
    """

    def __init__(self, D0: float, *, nonlinearity: str | Nonlinearity = TANH):
        self.nonlinearity = nl = get(nonlinearity)
        z, w, hw, k = _grid() if nl.odd else _grid_full()
        self.D0 = float(D0)
        a = hw @ nl.phi(np.sqrt(self.D0) * z)
        c = a**2
        self.mean = 0.0 if nl.odd else float(a[0])
        self.p2, self.d2 = phi_moments(self.D0, nonlinearity=nl)
        n = int(np.flatnonzero(c > 1e-22 * self.p2)[-1]) + 1
        self.c, self.k = c[:n], k[:n]
        self._k1, self._c1 = self.k[self.k > 0], self.c[self.k > 0]  # the terms of dC (k = 0 has none)
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
        k1, c1 = self._k1, self._c1
        return (r[..., None] ** (k1 - 1) @ (k1 * c1) + self.tail * self.m * r ** (self.m - 1)) / self.D0

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


def gauss_corr(D, D0: float, *, nonlinearity: str | Nonlinearity = TANH):
    """``<phi(x) phi(y)>`` for jointly Gaussian ``x, y`` of variance ``D0`` and covariance ``0 <= D <= D0`` (Mehler
    series); for odd ``phi`` also ``-D0 <= D < 0``, by ``C(-D) = -C(D)``."""
    corr = GaussCorr(D0, nonlinearity=nonlinearity)
    if corr.nonlinearity.odd:
        return np.sign(D) * corr.C(np.abs(D) / D0)
    if np.any(np.asarray(D) < 0):
        raise ValueError(f"D must be >= 0 for the nonlinearity {corr.nonlinearity.name!r}, which is not odd "
                         f"(C(-D) = -C(D) holds for odd phi only), got min {np.min(D)!r}")
    return corr.C(np.asarray(D) / D0)


def gauss_corr_nested(D: float, D0: float, f=np.tanh, h: float = 0.02) -> float:
    """Reference ``<f(x) f(y)> = int Dz [int Dx f(sqrt(D0 - D) x + sqrt(D) z)]^2`` by nested trapezoid rules."""
    z = np.arange(-int(13 / h), int(13 / h) + 1) * h
    w = h * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    inner = f(np.sqrt(D0 - D) * z[:, None] + np.sqrt(D) * z[None, :]).T @ w
    return float(w @ inner**2)


def static_variance(g: float, sigma_b: float, *, xtol: float = 1e-15,
                    nonlinearity: str | Nonlinearity = TANH) -> float:
    """The static branch ``D = g^2 <phi(sqrt(D) z)^2> + sigma_b^2``.

    One bracketed root, unique when the right-hand side is concave in ``D`` (tanh, erf, logistic). For odd ``phi``
    at ``sigma_b = 0`` the branch is ``D = 0`` while ``g phi'(0) <= 1``, else the nonzero root (for ``phi'''(0) >
    0``, e.g. ``tanh_cubic_<s>`` with ``s > 1/3``, nonzero roots exist also below ``g phi'(0) = 1``, and the one
    returned above it starts at a finite ``D``: Pazo 2024). A ``phi`` that is not odd has ``<phi^2> > 0`` at
    ``D = 0``: no zero root. For other nonlinearities, whose static equation may have several roots (``tanh_cubic``
    with ``s > 1/3`` near ``g = 1`` at small ``sigma_b > 0``: bistability), the smallest root is returned, the branch
    continued from ``g = 0`` (first sign change on 400 points in ``sqrt(D)``, then Brent's method).
    """
    nl = get(nonlinearity)
    g2, s2 = g * g, sigma_b * sigma_b
    hi = g2 + s2  # brackets the root for |phi| <= 1; doubled below where it does not
    if s2 == 0 and nl.odd:
        if g2 * nl.slope0**2 <= 1:
            return 0.0
        while g2 * _phi2_over_D(hi, nl) - 1 >= 0:
            hi *= 2
        return brentq(lambda D: g2 * _phi2_over_D(D, nl) - 1, 1e-300, hi, xtol=xtol * 1e-3, rtol=1e-15)

    def rhs(D):
        return g2 * phi_moments(D, nonlinearity=nl)[0] + s2 - D

    while rhs(hi) > 0:
        hi *= 2
    lo = 0.0
    if nl.name not in _UNIQUE_STATIC_ROOT:
        grid = hi * np.linspace(0.0, 1.0, 401)[1:] ** 2
        first = next(i for i, D in enumerate(grid) if rhs(D) <= 0)
        lo, hi = (grid[first - 1] if first else 0.0), grid[first]
    return brentq(rhs, lo, hi, xtol=xtol, rtol=1e-15)


def erf_moments(D: float) -> tuple[float, float]:
    """Closed forms for ``phi(x) = erf(sqrt(pi) x / 2)`` (:data:`rnnchaos.nonlinearity.ERF`), ``x ~ N(0, D)``:
    ``(<phi^2>, <phi'^2>) = ((2/pi) arcsin((pi/2) D / (1 + (pi/2) D)), (1 + pi D)^(-1/2))``.

    ``<erf(a x) erf(a y)> = (2/pi) arcsin(2 a^2 D / (1 + 2 a^2 D0))`` for variance ``D0`` and covariance ``D``
    (Williams 1998, Neural Comput. 10 1203), here ``a^2 = pi / 4``; ``phi'^2 = exp(-pi x^2 / 2)`` and
    ``<exp(-b x^2)> = (1 + 2 b D)^(-1/2)``.
    """
    return float(erf_corr(D, D)), float(1 / np.sqrt(1 + np.pi * D))


def erf_corr(D, D0: float):
    """``<phi(x) phi(y)> = (2/pi) arcsin((pi/2) D / (1 + (pi/2) D0))`` for the erf nonlinearity (:func:`erf_moments`),
    variance ``D0``, covariance ``D`` (``|D| <= D0``)."""
    return 2 / np.pi * np.arcsin(0.5 * np.pi * np.asarray(D, dtype=float) / (1 + 0.5 * np.pi * D0))


def erf_dcorr(D, D0: float):
    """``<phi'(x) phi'(y)> = d erf_corr / dD = ((1 + (pi/2) D0)^2 - ((pi/2) D)^2)^(-1/2)`` for the erf nonlinearity:
    the Gaussian integral of ``exp(-pi (x^2 + y^2) / 4)``, ``det(I + (pi/2) Sigma)^(-1/2)``."""
    D = np.asarray(D, dtype=float)
    return 1 / np.sqrt((1 + 0.5 * np.pi * D0) ** 2 - (0.5 * np.pi * D) ** 2)


def overlap_root(corr: GaussCorr, g2: float, s2: float) -> tuple[float, bool]:
    """Smallest root of ``D = g^2 C(D; D0) + sigma_b^2`` on [0, D0] (True), or the minimiser of the convex
    ``V'(D) = -D + g^2 C(D) + sigma_b^2`` where there is none (False): the static part ``Delta_inf`` of the rate
    network's chaotic solution (:mod:`rnnchaos.dmft_rate`) and the overlap ``c*`` of the map's
    (:mod:`rnnchaos.dmft_map`).

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
