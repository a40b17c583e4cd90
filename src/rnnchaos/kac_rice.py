"""Kac-Rice theory of the fixed points of the random rate network (Stubenrauch, Keup, Kurth, Helias & van Meegen,
arXiv:2210.07877, 2022).

About 340 lines: the Kac-Rice solution, its densities and the Jacobian's single-ring law share one saddle point.

Fixed points solve ``0 = y(x) = -x + J phi(x) + theta`` with ``J_ij ~ N(0, g^2/N)``, ``theta_i ~ N(0, D)``,
``D = sigma_b^2``, ``phi = tanh`` (the map's fixed points solve the same equation; any other
:class:`rnnchaos.nonlinearity.Nonlinearity` through the keyword ``nonlinearity``). The Kac-Rice formula gives the
expected density of fixed points, ``rho(x) = p_x(y = 0) E[|det y'(x)| | y = 0] ~ exp(-N S[mu_x])``, a functional of
the empirical coordinate distribution ``mu_x(y) = (1/N) sum_i delta(y - x_i)``:

    S[mu]  = <y^2> / (2 beta) + (1/2) ln(2 pi beta) - zeta,       beta = kappa + D,  kappa = g^2 <phi^2>
    zeta   = -z*/2 + (1/2) <ln(1 + z* g^2 phi'^2)>,               1 = <g^2 phi'^2 / (1 + z* g^2 phi'^2)>

(the first two terms are the Gaussian density of ``y = 0``, variance ``kappa + D`` per component; ``zeta`` is
``(1/N) ln E|det(-1 + X diag(g phi'))|`` for Ginibre ``X`` with variance ``1/N``; ``z* = 0``, ``zeta = 0`` when
``g^2 <phi'^2> <= 1``, i.e. when the point ``1`` lies outside the circular-law disc). Expectations ``<.>`` are over
``mu``. The number of states with empirical distribution ``mu`` is ``exp(N h[mu])``, ``h = -int mu ln mu``, so

    E[#fixed points] ~ exp(N Sigma),    Sigma = max_mu (h[mu] - S[mu]).

Stationarity (``delta/delta mu(y)`` of ``h - S`` with a normalisation multiplier; ``zeta`` is stationary in ``z*``,
so ``z*`` is held fixed) gives the coordinate density of the slides (seed 002),

    mu*(y) = sqrt(1 + alpha phi'(y)^2) exp(-y^2 / (2 beta) + gamma phi(y)^2) / Z,
    alpha  = z* g^2,       1 = g^2 <(phi'^-2 + alpha)^-1>_mu*,
    beta   = g^2 <phi^2>_mu* + D,
    gamma  = g^2 / (2 beta) (<y^2>_mu* / beta - 1).

Factor decisions (derived here from ``S``): ``beta`` is ``kappa + D = g^2 <phi^2> + D`` -- the slide's
``<phi^2> + D`` omits the ``g^2`` (``kappa`` is defined with it, and only with it is ``gamma`` the derivative of
``S`` through ``beta``); ``gamma`` and the ``alpha`` equation are as on the slide; ``alpha = z* g^2``. Inserting
``mu*`` into ``h - S``,

    Sigma = ln <sqrt(1 + alpha phi'^2) e^{gamma phi^2}>_{N(0, beta)} - z*/2 - gamma <phi^2>_mu*.

Checks: if ``g^2 <phi'^2> <= 1`` at the Gaussian solution (``alpha = gamma = 0``, ``beta`` = the static mean-field
variance ``g^2 <phi^2>_{N(0,beta)} + D``), ``mu*`` is that Gaussian and ``Sigma = 0`` (one fixed point, stable);
for ``D = 0``, ``g <= 1`` the solution is ``x* = 0`` (``mu* = delta``). For ``g > 1`` (``D = 0``) the solution
has ``alpha > 0`` and ``Sigma > 0``: exponentially many fixed points, as found by Wainrib & Touboul (PRL 110,
118101, 2013). Here ``Sigma(1.5) = 0.0071``, ``Sigma(2) = 0.0248``, ``Sigma(3) = 0.0614``, and near the
transition ``Sigma ~ 0.196 (g - 1)^3``: the ``O((g - 1)^2)`` terms of the entropy, the action and ``zeta``
cancel (checked analytically within Gaussian ``mu``), whereas Wainrib & Touboul describe the near-critical
growth as that of the maximal Lyapunov exponent (``~ (g - 1)^2``); this difference is not resolved here.
For ``D > 0`` the complexity becomes positive where ``g^2 <phi'^2> = 1`` at the Gaussian solution.

The Jacobian at a fixed point, ``-1 + J diag(phi'(x*))``, has its bulk in the disc centred at ``-1`` of radius
``sqrt(g^2 <phi'^2>_mu*)`` (circular law for ``X diag(sigma)``: radius^2 = mean of ``sigma_k^2``); the map's
``J diag(phi')`` has the same disc centred at 0. Inside, the density is isotropic with a radial law that follows
from the single-ring theorem (Haagerup & Larsen 2000; ``G D`` is R-diagonal for Ginibre ``G`` and diagonal ``D``,
and the S-transform of ``D G* G D`` is ``S_{D^2}(w) / (g^2 (1 + w))``): parametrised by ``s`` in ``[0, inf)``,

    r(s)^2 = g^2 <phi'^2 / (1 + s phi'^2)>_mu*,       F(r(s)) = <1 / (1 + s phi'^2)>_mu*,

``F(r)`` the fraction of eigenvalues of ``J diag(phi')`` of modulus ``<= r`` (``s = 0``: the edge; constant
``phi' = 1``: ``F = r^2 / g^2``, the circular law). The Kac-Rice condition on ``alpha`` is ``r(alpha) = 1``: the
parameter of ``mu*`` marks where the bulk crosses the unit circle. Hence the expected index per unit: for the
map, the fraction of eigenvalues outside the unit circle, ``1 - F(1) = <alpha phi'^2 / (1 + alpha phi'^2)>``;
for the rate network, the fraction with ``Re mu > 1``, ``int_{r > 1} arccos(1/r) / pi dF(r)``. (The conditioning
on ``y = 0`` changes ``J`` by a low-rank term, which moves a few outliers but not the bulk.)

Numerics: expectations over ``N(0, beta)`` are trapezoidal sums in ``u = y / sqrt(beta)`` on ``|u| <= 12`` with a
step ``<= 0.04`` in ``y`` (spectrally accurate: the integrands are analytic in a strip of half-width ``pi/2``);
the three saddle-point equations are solved by MINPACK's hybrid method in ``(ln alpha, ln beta, gamma)``; the
Gaussian solution's variance is :func:`rnnchaos.gaussian.static_variance`, the mean-field theory's.

Other nonlinearities: nothing above uses the symmetry of tanh. ``<phi^2>`` is uncentred (``J phi(x)`` has
variance ``g^2 |phi(x)|^2 / N`` per component whatever the mean of ``phi``), the grid is symmetric about 0 and
``mu*`` need not be even; the trivial solution ``x* = 0`` exists only for odd ``phi`` at ``D = 0``, ``g phi'(0)
<= 1``. The numbers quoted above are tanh's; the quadrature step assumes ``phi`` varies on scales ``>~ 0.04``.

One module about 300 lines long (a fifth of them this derivation): the saddle point, its density and its Jacobian
bulk share one quadrature and one set of equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy import optimize

from rnnchaos.checks import check_nonnegative
from rnnchaos.gaussian import static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import NumericalFailure

_U_MAX = 12.0  # half-width of the quadrature grid in units of sqrt(beta)
_H_Y = 0.04  # largest quadrature step in y


@dataclass(frozen=True)
class KacRiceSolution:
    """Saddle point of the Kac-Rice action at ``(g, sigma_b)`` (see the module docstring for the equations).

    ``branch`` is ``"trivial"`` (``x* = 0`` only: ``D = 0``, ``g <= 1``), ``"gaussian"`` (a unique fixed point,
    ``alpha = gamma = 0``) or ``"nontrivial"`` (``alpha > 0``, exponentially many fixed points). ``y``, ``mu``: the
    density ``mu*`` on a uniform grid (for ``"trivial"`` a unit mass in the bin at 0). ``residual``: largest
    residual of the saddle-point equations; ``n_eval``: evaluations of the equations.
    """

    g: float
    sigma_b: float
    alpha: float
    beta: float
    gamma: float
    z_star: float
    y: np.ndarray
    mu: np.ndarray
    mean_sq_radius: float
    complexity: float
    jacobian_radius: float
    mean_phi_sq: float
    mean_dphi_sq: float
    static_variance: float
    log_norm: float
    branch: str
    residual: float
    converged: bool
    n_eval: int
    nonlinearity: Nonlinearity = TANH

    def pdf(self, y: np.ndarray) -> np.ndarray:
        """``mu*(y)`` at arbitrary points (not defined for the trivial delta solution)."""
        if self.branch == "trivial":
            raise ValueError("the trivial solution mu* = delta(y) has no density")
        y = np.asarray(y, dtype=float)
        return np.exp(_log_weight(y, self.alpha, self.gamma, self.nonlinearity) - y**2 / (2 * self.beta)
                      - self.log_norm)

    def jacobian_bulk(self, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
        """Radial law of the bulk spectrum of ``J diag(phi'(x*))``: radii ``r`` (increasing, ``n`` points from 0
        to the edge) and ``F(r)``, the fraction of eigenvalues of modulus ``<= r`` (module docstring)."""
        d2, p = self._dphi_sq()
        s = np.concatenate([[0.0], np.logspace(-6, 10, n - 1)])[::-1]
        q = 1.0 / (1.0 + s[:, None] * d2[None, :])
        r = self.g * np.sqrt((q * d2[None, :]) @ p)
        return r, q @ p

    def index_fraction(self, model: str) -> float:
        """Expected fraction of unstable directions at a fixed point: eigenvalues of ``J diag(phi')`` with real part
        ``> 1`` (``"rate"``) or modulus ``> 1`` (``"map"``)."""
        if model not in ("rate", "map"):
            raise ValueError(f"model must be 'rate' or 'map', got {model!r}")
        r, F = self.jacobian_bulk(4000)
        if r[-1] <= 1.0:
            return 0.0
        if model == "map":
            return float(1.0 - np.interp(1.0, r, F))
        rm = 0.5 * (r[1:] + r[:-1])
        return float(np.sum(np.where(rm > 1, np.arccos(1.0 / np.maximum(rm, 1.0)) / np.pi, 0.0) * np.diff(F)))

    def _dphi_sq(self):
        if self.branch == "trivial":
            return np.full(1, self.nonlinearity.slope0**2), np.ones(1)
        y, p, _ = _quadrature(self.alpha, self.beta, self.gamma, self.nonlinearity)
        return self.nonlinearity.dphi(y) ** 2, p

    def expected_count(self, N: int) -> float:
        """Leading-order expected number of fixed points, ``exp(N Sigma)`` (no prefactor)."""
        return float(np.exp(N * self.complexity))


def kac_rice_solution(g: float, sigma_b: float, *, tol: float = 1e-10, n_y: int = 401,
                      nonlinearity: str | Nonlinearity = TANH) -> KacRiceSolution:
    """Solve the Kac-Rice saddle point for gain ``g >= 0`` and bias spread ``sigma_b >= 0`` (``phi``: ``nonlinearity``,
    default tanh).

    Tries the Gaussian (unique fixed point) solution and the nontrivial one (``alpha > 0``) from several starts,
    and returns the valid stationary point with the largest complexity. Raises ``ValueError`` for invalid
    arguments and :class:`NumericalFailure` (``"not_converged"``) if no solution meets ``tol``.
    """
    check_nonnegative("g", g)
    check_nonnegative("sigma_b", sigma_b)
    if not (np.isfinite(tol) and 0 < tol < 1e-2):
        raise ValueError(f"tol must be in (0, 1e-2), got {tol!r}")
    if int(n_y) != n_y or n_y < 3:
        raise ValueError(f"n_y must be an integer >= 3, got {n_y!r}")
    g, D, nl = float(g), float(sigma_b) ** 2, get(nonlinearity)
    beta0 = static_variance(g, sigma_b, nonlinearity=nl)
    if beta0 == 0.0:  # odd phi, D = 0, g phi'(0) <= 1: only x* = 0
        y = np.linspace(-1.0, 1.0, n_y if n_y % 2 else n_y + 1)
        mu = np.where(np.arange(y.size) == y.size // 2, 1.0 / (y[1] - y[0]), 0.0)
        return KacRiceSolution(g, float(sigma_b), 0.0, 0.0, 0.0, 0.0, y, mu, 0.0, 0.0, g * nl.slope0, 0.0,
                               nl.slope0**2, 0.0, 0.0, "trivial", 0.0, True, 0, nl)
    m0 = coordinate_moments(0.0, beta0, 0.0, g, nonlinearity=nl)
    candidates = []
    if g * g * m0["dphi_sq"] <= 1.0:  # the Gaussian is self-consistent (z* = 0)
        candidates.append(("gaussian", (0.0, beta0, 0.0), 0.0, 0))
    n_eval = 0
    for a0, b0, c0 in _starts(g, beta0, m0) if g > 0 else ():
        sol = optimize.root(_residuals_log, [np.log(a0), np.log(b0), c0], args=(g, D, nl), method="hybr",
                            options={"xtol": 1e-14})
        n_eval += int(sol.nfev)
        if not np.all(np.isfinite(sol.x)) or abs(sol.x[0]) > 700 or abs(sol.x[1]) > 700:
            continue
        res = float(np.max(np.abs(_residuals_log(sol.x, g, D, nl))))
        if res < tol:
            candidates.append(("nontrivial", (np.exp(sol.x[0]), np.exp(sol.x[1]), sol.x[2]), res, 0))
    if not candidates:
        raise NumericalFailure("not_converged", f"Kac-Rice saddle point at g = {g:g}, sigma_b = {sigma_b:g}: "
                               f"no solution with residual < {tol:g} ({n_eval} evaluations)")
    best = max(candidates, key=lambda c: (_complexity(*c[1], g, nl), c[0] == "gaussian"))
    branch, (alpha, beta, gamma), res, _ = best
    if (branch == "nontrivial" and _complexity(alpha, beta, gamma, g, nl) <= 1e-14
            and candidates[0][0] == "gaussian"):
        branch, (alpha, beta, gamma), res = "gaussian", (0.0, beta0, 0.0), 0.0
    m = coordinate_moments(alpha, beta, gamma, g, nonlinearity=nl)
    y_max = 8.0 * np.sqrt(max(beta, m["y_sq"]))
    y = np.linspace(-y_max, y_max, n_y)
    log_norm = m["log_z"]
    mu = np.exp(_log_weight(y, alpha, gamma, nl) - y**2 / (2 * beta) - log_norm)
    return KacRiceSolution(
        g=g, sigma_b=float(sigma_b), alpha=float(alpha), beta=float(beta), gamma=float(gamma),
        z_star=float(alpha / g**2) if g > 0 else 0.0, y=y, mu=mu, mean_sq_radius=m["y_sq"],
        complexity=max(_complexity(alpha, beta, gamma, g, nl), 0.0) if branch != "gaussian" else 0.0,
        jacobian_radius=float(g * np.sqrt(m["dphi_sq"])), mean_phi_sq=m["phi_sq"], mean_dphi_sq=m["dphi_sq"],
        static_variance=beta0, log_norm=float(log_norm), branch=branch, residual=float(res), converged=True,
        n_eval=n_eval, nonlinearity=nl)


def coordinate_moments(alpha: float, beta: float, gamma: float, g: float, *,
                       nonlinearity: str | Nonlinearity = TANH) -> dict:
    """Moments of ``mu(y) ∝ sqrt(1 + alpha phi'^2) exp(-y^2/(2 beta) + gamma phi^2)`` (strict kernel).

    Returns ``y_sq``, ``phi_sq``, ``dphi_sq`` (= ``<phi'^2>``), ``alpha_eq`` (= ``g^2 <(phi'^-2 + alpha)^-1>``),
    ``log_w`` (= ``ln <w>_{N(0, beta)}``) and ``log_z`` (= ``ln Z``).
    """
    nl = get(nonlinearity)
    y, p, log_w = _quadrature(alpha, beta, gamma, nl)
    t, dp = nl.phi_dphi(y)
    dp2 = dp * dp
    return {
        "y_sq": float(p @ (y * y)), "phi_sq": float(p @ (t * t)), "dphi_sq": float(p @ dp2),
        "alpha_eq": float(g * g * (p @ (dp2 / (1.0 + alpha * dp2)))), "log_w": float(log_w),
        "log_z": float(log_w + 0.5 * np.log(2 * np.pi * beta)),
    }


def saddle_residuals(alpha: float, beta: float, gamma: float, g: float, sigma_b: float, *,
                     nonlinearity: str | Nonlinearity = TANH) -> np.ndarray:
    """Residuals of the three saddle-point equations (alpha, beta, gamma), each zero at the solution."""
    m = coordinate_moments(alpha, beta, gamma, g, nonlinearity=nonlinearity)
    return np.array([
        m["alpha_eq"] - 1.0,
        (g * g * m["phi_sq"] + sigma_b**2) / beta - 1.0,
        g * g / (2 * beta) * (m["y_sq"] / beta - 1.0) - gamma,
    ])


def complexity_functional(y: np.ndarray, mu: np.ndarray, g: float, sigma_b: float, *,
                          nonlinearity: str | Nonlinearity = TANH) -> float:
    """``h[mu] - S[mu]`` for any density on a uniform grid (the quantity whose maximum is the complexity)."""
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    dy = y[1] - y[0]
    p = mu / (mu.sum() * dy)
    t, dp = get(nonlinearity).phi_dphi(y)
    c = g * g * dp**2
    entropy = -dy * np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0))
    beta = g * g * dy * (p @ (t * t)) + sigma_b**2
    zeta = 0.0
    if dy * (p @ c) > 1.0:
        z = optimize.brentq(lambda z: dy * (p @ (c / (1 + z * c))) - 1.0, 0.0, 1e6, xtol=1e-15)
        zeta = -z / 2 + 0.5 * dy * (p @ np.log1p(z * c))
    action = dy * (p @ (y * y)) / (2 * beta) + 0.5 * np.log(2 * np.pi * beta) - zeta
    return float(entropy - action)


def to_dataset(sol: KacRiceSolution) -> xr.Dataset:
    """The solution as a Dataset: ``mu`` on dimension ``y`` and the scalars, each with units and long_name; the
    attribute ``nonlinearity`` names ``phi``."""
    scalars = {
        "alpha": (sol.alpha, "alpha = z* g^2 in mu*(y) ∝ sqrt(1 + alpha phi'^2) exp(-y^2/(2 beta) + gamma phi^2)"),
        "beta": (sol.beta, "beta = g^2 <phi^2>_mu* + sigma_b^2 (variance of the velocity at a point)"),
        "gamma": (sol.gamma, "gamma = g^2/(2 beta) (<y^2>_mu*/beta - 1)"),
        "z_star": (sol.z_star, "z*: self-consistent parameter of the log-determinant"),
        "mean_sq_radius": (sol.mean_sq_radius, "mean squared fixed-point coordinate <x*^2> = <y^2>_mu*"),
        "complexity": (sol.complexity, "complexity Sigma: E[number of fixed points] ~ exp(N Sigma)"),
        "jacobian_radius": (sol.jacobian_radius, "radius sqrt(g^2 <phi'^2>_mu*) of the Jacobian spectrum bulk"),
        "mean_phi_sq": (sol.mean_phi_sq, "<phi(y)^2>_mu*"),
        "mean_dphi_sq": (sol.mean_dphi_sq, "<phi'(y)^2>_mu*"),
        "static_variance": (sol.static_variance, "variance of the Gaussian (single fixed point) solution"),
        "residual": (sol.residual, "largest residual of the saddle-point equations"),
    }
    for model in ("rate", "map"):
        which = "Re" if model == "rate" else "modulus of"
        scalars[f"index_fraction_{model}"] = (sol.index_fraction(model), f"expected index / N at a fixed point "
                                              f"({model}: {which} eig(J diag phi') > 1)")
    ds = xr.Dataset({k: ((), float(v), {"units": "1", "long_name": ln}) for k, (v, ln) in scalars.items()})
    r, F = sol.jacobian_bulk(200)
    ds["bulk_radius"] = xr.DataArray(r, dims=("bulk",), attrs={"units": "1", "long_name": "modulus r of the "
                                                                 "eigenvalues of J diag(phi'(x*))"})
    ds["bulk_cdf"] = xr.DataArray(F, dims=("bulk",), attrs={"units": "1", "long_name": "fraction of the bulk "
                                                              "eigenvalues of J diag(phi'(x*)) with modulus <= r"})
    ds["mu"] = xr.DataArray(sol.mu, dims=("y",), attrs={"units": "1", "long_name": "Kac-Rice density of "
                                                          "fixed-point coordinates mu*(y)"})
    ds["converged"] = xr.DataArray(np.int8(sol.converged), attrs={"units": "1", "long_name": "1 if converged"})
    ds["branch"] = xr.DataArray(np.int8({"trivial": 0, "gaussian": 1, "nontrivial": 2}[sol.branch]), attrs={
        "units": "1", "long_name": "solution branch", "flag_values": np.array([0, 1, 2], dtype=np.int8),
        "flag_meanings": "trivial gaussian nontrivial"})
    ds = ds.assign_coords(y=("y", sol.y, {"units": "1", "long_name": "fixed-point coordinate y"}))
    ds.attrs["nonlinearity"] = sol.nonlinearity.name
    return ds


def _quadrature(alpha, beta, gamma, nl=TANH):
    """Nodes ``y`` and normalised weights ``p`` of ``mu``, and ``ln <w>_{N(0, beta)}`` (trapezoidal rule in u)."""
    h_u = min(0.1, _H_Y / np.sqrt(beta))
    n = int(np.ceil(_U_MAX / h_u))
    u = np.arange(-n, n + 1) * h_u
    y = np.sqrt(beta) * u
    lw = _log_weight(y, alpha, gamma, nl) - 0.5 * u * u
    shift = lw.max()
    w = np.exp(lw - shift)
    s = w.sum()
    return y, w / s, float(np.log(s * h_u / np.sqrt(2 * np.pi)) + shift)


def _log_weight(y, alpha, gamma, nl=TANH):
    t, dp = nl.phi_dphi(y)
    return 0.5 * np.log1p(alpha * dp**2) + gamma * t * t


def _residuals_log(v, g, D, nl=TANH):
    if abs(v[0]) > 700 or abs(v[1]) > 700:
        return np.full(3, 1e3)
    return saddle_residuals(np.exp(v[0]), np.exp(v[1]), v[2], g, np.sqrt(D), nonlinearity=nl)


def _complexity(alpha, beta, gamma, g, nl=TANH):
    m = coordinate_moments(alpha, beta, gamma, g, nonlinearity=nl)
    z_star = alpha / g**2 if g > 0 else 0.0
    return float(m["log_w"] - z_star / 2 - gamma * m["phi_sq"])


def _starts(g, beta0, m0):
    c0 = g * g * m0["dphi_sq"]
    a0 = max(c0 - 1.0, 1e-3) * 2.0
    return [(a0, beta0, 0.0), (a0, 0.7 * beta0, -0.4), (max(g * g / 2, 1e-3), 0.7 * beta0, -0.3),
            (0.05, beta0, 0.0)]
