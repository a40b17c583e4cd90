"""Mean-field theory of the map ``a_{t+1} = J phi(a_t) + theta`` (pre-activation form).

* Length map (Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli 2016 NeurIPS; Molgedey, Schuchhardt & Schuster 1992
  PRL 69 3717): ``q* = g^2 <phi(sqrt(q*) z)^2> + sigma_b^2``, the static equation of :mod:`rnnchaos.dmft`
  (:func:`rnnchaos.gaussian.static_variance`).
* ``chi_1 = g^2 <phi'(sqrt(q*) z)^2>``; ``lambda_max = (1/2) ln chi_1`` per step in both phases: the mean squared
  gain of ``J diag(phi'(a))`` acting on a perturbation (chaos), and the radius ``sqrt(chi_1)`` of the Jacobian's
  disc at the stable fixed point (ordered phase). ``chi_1 = 1`` is the same critical line ``g_c(sigma_b)`` as the
  rate network's; ``lambda_max = ln g`` at ``sigma_b = 0``, ``g < 1``.
* Correlation map between two trajectories of one network (Poole et al. 2016; Derrida & Pomeau 1986 for the
  annealed argument): ``c_{t+1} = g^2 C(c_t; q*) + sigma_b^2`` with ``C(c; q) = <phi(u) phi(v)>`` (variance ``q``,
  covariance ``c``); :func:`map_overlap`. Its fixed points are ``q*`` (stable iff ``chi_1 < 1``) and ``c* < q*``.
* Steady-state autocorrelation ``c(tau) = <a_i(t) a_i(t + tau)>``: because ``a(t+tau)`` and ``a(t)`` are images of
  ``phi(a(t+tau-1))`` and ``phi(a(t-1))`` under the same ``J``, each lag obeys ``c(tau) = g^2 C(c(tau); q*) +
  sigma_b^2`` on its own (not a recursion in ``tau``). In the ordered phase the state is the fixed point,
  ``c(tau) = q*``; in the chaotic phase ``c(0) = q*`` and ``c(tau >= 1) = c*`` (the attracting root; ``c* = 0`` at
  ``sigma_b = 0``): the mean-field map decorrelates in one step (Cessac 1995 J. Phys. I 5 409). Starting the
  overlap recursion at ``c_0 = q*`` stays at ``q*`` (it is a fixed point), so it is not used for ``c(tau)``.

Any :class:`rnnchaos.nonlinearity.Nonlinearity` (keyword ``nonlinearity``, default tanh): ``a`` stays centred
because ``J`` has zero mean, and ``C`` is the uncentred ``<phi(u) phi(v)>``, so for ``phi`` not odd ``c* >=
g^2 <phi>^2 + sigma_b^2 > 0`` (no ``c* = 0`` at ``sigma_b = 0``) and :func:`map_overlap` needs ``c0 >= 0``.
"""

from __future__ import annotations

import numpy as np

from rnnchaos.checks import check_range
from rnnchaos.gaussian import G_MAX, SIGMA_B_MAX, GaussCorr, overlap_root, static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import NumericalFailure


def map_solution(g: float, sigma_b: float, q: float, chi: float, n_steps: int, *, tol: float,
                 fp_residual: float, nonlinearity: str | Nonlinearity = TANH, sigma_xi: float = 0.0) -> dict:
    """Fields of :class:`rnnchaos.dmft.DMFTResult` for the map, given ``q* = q`` and ``chi_1 = chi``.

    With noise (``sigma_xi > 0``; :mod:`rnnchaos.dmft_noise`) ``q`` includes ``sigma_xi^2`` while the lags ``tau >=
    1`` do not (the noise is white), so ``c* < q`` in both phases: the state never settles on a fixed point."""
    s2, nl = sigma_b * sigma_b, get(nonlinearity)
    tau = np.arange(n_steps + 1)
    lam = 0.5 * np.log(chi) if chi > 0 else -np.inf  # g = 0: a_{t+1} = theta forgets a perturbation at once
    base = dict(delta0=q, lambda_max=float(lam), tau=tau, n_eval=0)
    if chi <= 1 and sigma_xi == 0:
        return dict(base, delta_inf=q, chaotic=False, delta=np.full(tau.size, q), residual=fp_residual)
    corr = GaussCorr(q, nonlinearity=nl)
    c_star, dipped = overlap_root(corr, g * g, s2) if s2 > 0 or not nl.odd else (0.0, True)
    res = max(fp_residual, abs(g * g * corr.C(c_star / q) + s2 - c_star))
    if not dipped and chi - 1 < 1e-8:  # critical to round-off: c* merges with q*
        c_star, res = q, fp_residual
    elif not dipped or not res <= tol * max(1.0, q):
        raise NumericalFailure("not_converged", f"map c* at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"attracting root found: {dipped}, residual {res:.3g} (tol {tol:g})")
    delta = np.full(tau.size, float(c_star))
    delta[0] = q
    return dict(base, delta_inf=c_star, chaotic=bool(chi > 1), delta=delta, residual=res, series_tail=corr.tail)


def map_overlap(g: float, sigma_b: float, c0: float, n_steps: int, *,
                nonlinearity: str | Nonlinearity = TANH) -> np.ndarray:
    """Correlation ``c_t = <a_i(t) a'_i(t)>`` of two trajectories of one network, ``t = 0 .. n_steps``.

    ``c_{t+1} = g^2 C(c_t; q*) + sigma_b^2`` (Poole et al. 2016), both trajectories at the stationary variance
    ``q*``; ``c0`` in ``[-q*, q*]`` for odd ``phi`` (``C(-c) = -C(c)``), in ``[0, q*]`` otherwise (``ValueError``:
    the Mehler series with its tail is evaluated for ``c >= 0`` only). Converges to ``c*`` (chaos) or ``q*`` (order).
    """
    nl = get(nonlinearity)
    check_range("g", g, 0.0, G_MAX)
    check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    q = static_variance(g, abs(sigma_b), nonlinearity=nl)
    check_range("c0", c0, -q if nl.odd else 0.0, q)
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    c = np.empty(int(n_steps) + 1)
    c[0] = c0
    if q == 0:
        c[1:] = 0.0
        return c
    corr, s2 = GaussCorr(q, nonlinearity=nl), sigma_b * sigma_b
    for t in range(int(n_steps)):  # odd phi: C(-rho) = -C(rho); else c_t >= 0 throughout
        sign = np.sign(c[t]) if nl.odd else 1.0
        c[t + 1] = g * g * sign * corr.C(min(abs(c[t]) / q, 1.0)) + s2
    return c
