"""Gaussian quadrature and the Gaussian averages of ``phi = tanh`` that mean-field theory and Kac-Rice need.

``<.>`` averages over ``z ~ N(0, 1)``. Held here: the one-dimensional moments ``<phi(sqrt(D) z)^2>``,
``<phi'(sqrt(D) z)^2>`` (:func:`phi_moments`), the two-dimensional ``C(D; D0) = <phi(x) phi(y)>`` (``var x = var y =
D0``, ``cov = D``; :class:`GaussCorr`, :func:`gauss_corr`, the reference :func:`gauss_corr_nested`), the static
variance ``D = g^2 <phi(sqrt(D) z)^2> + sigma_b^2`` shared by both models' mean-field theory and the Gaussian
Kac-Rice solution (:func:`static_variance`), and the smallest root of ``D = g^2 C(D; D0) + sigma_b^2``
(:func:`overlap_root`). Used by :mod:`rnnchaos.dmft`, :mod:`rnnchaos.dmft_rate`, :mod:`rnnchaos.dmft_map` and
:mod:`rnnchaos.kac_rice`.

Gauss-Hermite converges slowly for ``tanh`` at large variance (poles at ``z = i pi / (2 s)``; with 300 nodes
``<tanh(3.5 z)^2>`` is still off by 3e-5), so 1-D integrals use the trapezoidal rule on a uniform grid (``h = 0.05``,
``|z| <= 12.5``), exponentially convergent with error ``~ exp(-pi^2 / (s h))`` for ``s = sqrt(D0)`` (Trefethen &
Weideman 2014 SIAM Rev. 56 385): below 1e-14 relative for ``D <= 30``, 2e-11 at ``D = 52`` (the largest static
variance of the validated range); beyond it the step shrinks as ``0.25 / sqrt(D)``. The 2-D integral is the Mehler
(Hermite) series ``C = sum_k a_k^2 rho^k`` (``rho = D / D0``, ``a_k = <phi(s z) He_k(z)> / sqrt(k!)``, odd ``k <=
1001``), whose remainder at ``rho = 1`` is known exactly (``<phi^2> - sum a_k^2``) and is added as ``T rho^m``;
:func:`gauss_corr_nested` is the nested-quadrature reference. Both agree to 1e-12 for ``D0 <= 20``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import binom

G_MAX, SIGMA_B_MAX = 6.0, 4.0  #: validated parameter range (static variance <= 52; series accurate to ~1e-9 there)
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


def _nodes(D: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Half-grid nodes, doubled weights and step for ``<f(sqrt(D) z)>``: the fixed grid of :func:`_grid` for
    ``D <= D_FIXED_GRID``, else the step ``0.25 / sqrt(D)`` (``sqrt(D) h`` bounded: the error stays below 1e-15)."""
    if D <= D_FIXED_GRID:
        z, w, _, _ = _grid()
        return z, w, _H
    h = 0.25 / np.sqrt(D)
    z = np.arange(1, int(np.ceil(_Z / h)) + 1) * h
    return z, 2 * h * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi), h


def phi_moments(D: float) -> tuple[float, float]:
    """``(<phi(sqrt(D) z)^2>, <phi'(sqrt(D) z)^2>)`` by the trapezoidal rule (relative error < 1e-14 for
    ``D <= 30``, < 2e-11 up to ``D_FIXED_GRID``, < 1e-15 beyond, where the step shrinks)."""
    if D <= 0:
        return 0.0, 1.0
    z, w, h = _nodes(D)
    t2 = np.tanh(np.sqrt(D) * z) ** 2
    return float(w @ t2), float(w @ (1 - t2) ** 2 + h / np.sqrt(2 * np.pi))  # z = 0 adds phi'(0)^2 = 1


def _phi2_over_D(D: float) -> float:
    """``<phi(sqrt(D) z)^2> / D``, accurate down to ``D = 1e-300`` (tends to 1)."""
    z, w, _ = _nodes(D)
    s = np.sqrt(D)
    return float(w @ (np.tanh(s * z) / s) ** 2)


class GaussCorr:
    """``C(rho) = <phi(x) phi(y)> = sum_k c_k rho^k (+ T rho^m)`` for ``x, y ~ N(0, D0)`` with correlation ``rho``.

    Methods take ``rho`` in [0, 1] (scalar or array): ``C``, ``dC = <phi'(x) phi'(y)> = dC/dD``, ``cbar = (1 / (1 -
    rho)) int_rho^1 C(r) dr`` (so ``int_D^{D0} C = D0 (1 - rho) cbar``) and Taylor coefficients (``taylor``).
    Accurate for ``D0 <= D_FIXED_GRID`` (the Hermite coefficients are sums on the fixed grid).
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
