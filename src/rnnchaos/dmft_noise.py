"""Mean-field theory of both models driven by independent white noise ``sigma_xi`` per unit: variance,
autocorrelation, ``lambda_max`` and the critical line ``g_c(sigma_b, sigma_xi)``; ``sigma_xi = 0`` is
:func:`rnnchaos.dmft.dmft_point` itself (the same code path, bitwise). Derivation and checks: docs/theory_noise.md.

``J_ij ~ N(0, g^2/N)``, ``theta_i ~ N(0, sigma_b^2)``, ``xi`` independent per unit and time; ``C(D; D0) = <phi(x)
phi(y)>`` (variance ``D0``, covariance ``D``) as in :mod:`rnnchaos.dmft`. In both models the recurrent input ``eta =
J phi`` is, for ``N -> infinity``, a Gaussian process with covariance ``g^2 C`` (no response terms: ``J`` has no
symmetry), independent of the bias and of the unit's own noise.

* Map ``a_{t+1} = J phi(a_t) + theta + sigma_xi xi_t``, ``xi_t ~ N(0, 1)`` (Molgedey, Schuchhardt & Schuster 1992
  PRL 69 3717): equal times ``q = g^2 <phi(sqrt(q) z)^2> + sigma_b^2 + sigma_xi^2``; lags ``tau >= 1``: ``c = g^2
  C(c; q) + sigma_b^2``, the white noise drops out. The right-hand side of the lag equation minus ``c`` is convex in
  ``c``, ``>= 0`` at 0 and ``-sigma_xi^2`` at ``c = q``: one root ``c* < q`` in both phases (the noisy state never
  rests on a fixed point). A perturbation obeys ``delta_{t+1} = J diag(phi'(a_t)) delta_t`` (the noise path is
  shared), so ``lambda_max = (1/2) ln(g^2 <phi'(sqrt(q) z)^2>)``; the critical line is the noise-free one with
  ``sigma_b^2 -> sigma_b^2 + sigma_xi^2``: ``g_c = g_c^(0)(sqrt(sigma_b^2 + sigma_xi^2))``.
* Rate network ``dx = (-x + J phi(x) + theta) dt + sigma_xi dW`` (Schuecker, Goedeke & Helias 2018 PRX 8 041029):
  ``(1 - d^2/dtau^2) Delta = g^2 C(Delta; Delta0) + sigma_b^2 + sigma_xi^2 delta(tau)``, ``Delta0 = Delta(0)`` the
  total variance. For ``tau > 0``: ``Delta'' = -V'(Delta)`` with the noise-free ``V`` (:mod:`rnnchaos.dmft_rate`);
  integrating across 0: ``Delta'(0+) = -sigma_xi^2 / 2``. Energy conservation for a solution that comes to rest at
  the maximum ``Delta_inf`` of ``V``: ``(sigma_xi^2 / 2)^2 / 2 + V(Delta0) = V(Delta_inf)``, with ``V'(Delta_inf)
  = 0``; ``g = 0``: ``Delta(tau) = sigma_b^2 + (sigma_xi^2 / 2) exp(-|tau|)``. Two replicas with the same ``J``,
  bias and noise: their cross-covariance carries the same ``sigma_xi^2 delta`` source, which cancels in the
  linearisation about the synchronous solution, ``(d_t + 1)(d_s + 1) eps = g^2 C'(Delta(t - s)) eps``; with ``eps =
  exp(kappa (t + s)) psi(t - s)``: ``-psi'' + (1 - g^2 C'(Delta(tau))) psi = E psi``, ``(1 + kappa)^2 = 1 - E``,
  so ``lambda_max = -1 + sqrt(1 - E0)`` with ``E0`` the even ground state (``psi'(0) = 0``; ``eps`` has no source,
  so no kink), as at ``sigma_xi = 0`` (Sompolinsky, Crisanti & Sommers 1988) but around the noisy ``Delta(tau)``,
  whose cusp at 0 makes the odd zero mode ``Delta'`` of the noise-free problem no eigenfunction.
* Rate network, critical line (closed form): ``-Delta'(tau)`` solves the ``E = 0`` equation on ``tau > 0``, decays
  and has no node, so ``E0 < 0`` iff its log-derivative at ``0+``, ``Delta''(0+) / Delta'(0+) = 2 V'(Delta0) /
  sigma_xi^2``, is positive (the log-derivative of the decaying solution grows with ``E``): ``lambda_max > 0`` iff
  ``V'(Delta0) = -Delta0 + g^2 <phi^2>(Delta0) + sigma_b^2 > 0``, i.e. ``Delta0 < D_fp`` (the static variance),
  and ``lambda_max = 0`` iff ``Delta0 = D_fp``: ``g_c(sigma_b, sigma_xi)`` solves ``V(Delta_inf) - V(D_fp) =
  sigma_xi^4 / 8`` with the potential at ``Delta0 = D_fp``. ``V(Delta_inf) - V(D_fp) > 0`` needs ``g >
  g_c(sigma_b)``: noise shifts the transition up (``g_c(0, sigma_xi) > 1``); between the two lines the dynamics
  is locally expansive (``chi > 1``) but not chaotic (Schuecker et al. 2018).

:func:`noisy_dmft_point` returns a :class:`rnnchaos.dmft.DMFTResult` (field ``sigma_xi``); for the rate network
with noise ``delta_fp``/``chi`` are the static branch's (the threshold of ``Delta0``), ``schrodinger_e0`` is ``E0``,
``schrodinger_e1`` NaN (no odd zero mode), ``chaotic`` is ``V'(Delta0) > 0`` and ``g_c`` NaN where it exceeds
``G_MAX``. :func:`noisy_critical_gain` gives ``g_c(sigma_b, sigma_xi)``; :func:`noisy_g_sweep` the dense curves.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from rnnchaos.checks import check_count, check_model, check_range
from rnnchaos.dmft import DMFTResult, critical_gain, dmft_point
from rnnchaos.dmft_map import map_solution
from rnnchaos.dmft_rate_noise import NoisyRateProfile, even_ground, noisy_rate_critical_gain, noisy_rate_solution
from rnnchaos.gaussian import G_MAX, SIGMA_B_MAX, phi_moments, static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import STATUS_CODES, NumericalFailure

#: Largest noise amplitude; with the bias, ``sigma_b^2 + sigma_xi^2 <= SIGMA_B_MAX^2`` keeps the variances in the
#: validated range of the Gaussian averages (:mod:`rnnchaos.gaussian`).
SIGMA_XI_MAX = SIGMA_B_MAX


def check_sigma_xi(sigma_xi: float, sigma_b: float = 0.0) -> None:
    """``ValueError`` naming ``sigma_xi`` unless ``0 <= sigma_xi <= SIGMA_XI_MAX`` (NaN fails) and ``sigma_b^2 +
    sigma_xi^2 <= SIGMA_B_MAX^2``."""
    check_range("sigma_xi", sigma_xi, 0.0, SIGMA_XI_MAX)
    check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    if sigma_b * sigma_b + sigma_xi * sigma_xi > SIGMA_B_MAX**2:
        raise ValueError(f"sigma_xi must satisfy sigma_b^2 + sigma_xi^2 <= {SIGMA_B_MAX**2:g} (validated range), got "
                         f"sigma_xi = {sigma_xi!r} with sigma_b = {sigma_b!r}")


def noisy_critical_gain(sigma_b: float, sigma_xi: float, model: str = "rate", *, tol: float = 1e-12,
                        nonlinearity: str | Nonlinearity = TANH) -> float:
    """``g_c(sigma_b, sigma_xi)``: map ``g_c^(0)(sqrt(sigma_b^2 + sigma_xi^2))``; rate network the root of
    ``V(Delta_inf) - V(D_fp) = sigma_xi^4 / 8`` (:func:`rnnchaos.dmft_rate_noise.noisy_rate_critical_gain`; raises
    :class:`NumericalFailure` beyond ``G_MAX``). ``sigma_xi = 0``: :func:`rnnchaos.dmft.critical_gain`."""
    check_model(model)
    check_sigma_xi(sigma_xi, sigma_b)
    check_range("tol", tol, 1e-15, 1e-3)
    if sigma_xi == 0:
        return critical_gain(sigma_b, model, tol=tol, nonlinearity=nonlinearity)
    if model == "map":
        return critical_gain(float(np.hypot(sigma_b, sigma_xi)), model, tol=tol, nonlinearity=nonlinearity)
    return noisy_rate_critical_gain(sigma_b, sigma_xi, tol=tol, nonlinearity=nonlinearity)


def noisy_dmft_point(model: str, g: float, sigma_b: float, sigma_xi: float, *, tau_max: float = 50.0,
                     n_tau: int = 501, tol: float = 1e-10, nonlinearity: str | Nonlinearity = TANH) -> DMFTResult:
    """Mean-field solution of ``model`` at ``(g, sigma_b, sigma_xi)``; ``0 <= g <= 6``, ``0 <= sigma_xi``,
    ``sigma_b^2 + sigma_xi^2 <= 16``. Arguments and ``tau`` as :func:`rnnchaos.dmft.dmft_point`, which
    ``sigma_xi = 0`` returns. Raises :class:`NumericalFailure` ("not_converged") when a solve fails or a residual
    exceeds ``tol``."""
    check_sigma_xi(sigma_xi, sigma_b)
    if sigma_xi == 0:
        return dmft_point(model, g, sigma_b, tau_max=tau_max, n_tau=n_tau, tol=tol, nonlinearity=nonlinearity)
    nl = get(nonlinearity)
    check_model(model)
    check_range("g", g, 0.0, G_MAX)
    check_range("tau_max", tau_max, 1e-6, 1e5)
    check_range("tol", tol, 1e-15, 1e-3)
    check_count("n_tau", n_tau)
    g, sigma_b, sigma_xi = float(g), float(sigma_b), float(sigma_xi)
    sb, g2, x2 = abs(sigma_b), g * g, sigma_xi * sigma_xi
    noise = x2 if model == "map" else 0.0  # the map's equal-time variance carries the noise; the rate's D_fp not
    D_fp = static_variance(g, float(np.hypot(sb, sigma_xi)) if noise else sb, nonlinearity=nl)
    p2, d2 = phi_moments(D_fp, nonlinearity=nl)
    fp_res = abs(g2 * p2 + sb * sb + noise - D_fp)
    if not fp_res <= tol * max(1.0, D_fp):
        raise NumericalFailure("not_converged", f"static variance at g = {g!r}, sigma_b = {sigma_b!r}, sigma_xi = "
                               f"{sigma_xi!r}: residual {fp_res:.3g} > tol {tol:g}")
    try:
        g_c = noisy_critical_gain(sb, sigma_xi, model, nonlinearity=nl)
    except NumericalFailure:
        g_c = float("nan")  # beyond G_MAX
    common = dict(model=model, g=g, sigma_b=sigma_b, g_c=g_c, delta_fp=D_fp, chi=g2 * d2, nonlinearity=nl.name,
                  sigma_xi=sigma_xi)
    if model == "map":
        return DMFTResult(**common, **map_solution(g, sb, D_fp, g2 * d2, int(np.floor(tau_max)), tol=tol,
                                                   fp_residual=fp_res, nonlinearity=nl, sigma_xi=sigma_xi))
    D0, Dinf, corr, n_eval, res = noisy_rate_solution(g, sb, sigma_xi, D_fp, g2 * d2, tol=tol, nonlinearity=nl)
    profile = NoisyRateProfile(corr, g2, sb * sb, Dinf, x2 * x2 / 8)
    e0 = even_ground(profile) if g > 0 else 1.0  # g = 0: -psi'' + psi, ground state at the continuum edge E = 1
    tau = np.linspace(0.0, float(tau_max), int(n_tau))
    return DMFTResult(**common, delta0=D0, delta_inf=Dinf, lambda_max=-1 + np.sqrt(max(1 - e0, 0.0)),
                      chaotic=bool(-D0 + g2 * corr.p2 + sb * sb > 0), tau=tau, delta=profile(tau)[0],
                      residual=max(res, fp_res), n_eval=n_eval, schrodinger_e0=e0, series_tail=corr.tail)


def noisy_g_sweep(model: str, sigma_b: float, sigma_xi: float, *, tol: float = 1e-10, n_dense: int = 60,
                  g_max: float = 4.0, nonlinearity: str | Nonlinearity = TANH) -> xr.Dataset:
    """:func:`rnnchaos.dmft.g_sweep` with noise: ``delta0``, ``delta_inf``, ``lambda_max``, ``chaotic``, ``status``
    over ``g`` (``n_dense`` points in ``(0, g_max]``) and the scalar ``g_c`` (NaN beyond ``G_MAX``). No ``sigma_b``
    or ``sigma_xi`` coordinate (the caller adds them); attribute ``nonlinearity``."""
    nl = get(nonlinearity)
    check_sigma_xi(sigma_xi, sigma_b)
    check_range("g_max", g_max, 1e-6, G_MAX)
    check_count("n_dense", n_dense)
    gs = np.linspace(0.0, float(g_max), int(n_dense) + 1)[1:]
    out = {k: np.full(gs.size, np.nan) for k in ("delta0", "delta_inf", "lambda_max")}
    out.update(chaotic=np.zeros(gs.size, np.int8), status=np.zeros(gs.size, np.int8))
    for i, g in enumerate(gs):
        try:
            r = noisy_dmft_point(model, g, sigma_b, sigma_xi, tau_max=1.0, n_tau=2, tol=tol, nonlinearity=nl)
        except NumericalFailure as err:
            out["status"][i] = STATUS_CODES[err.status]
            continue
        for k in ("delta0", "delta_inf", "lambda_max", "chaotic"):
            out[k][i] = getattr(r, k)
    units = "1/step" if model == "map" else "1/tau"
    names = {"delta0": "variance (map: q*; rate: Delta0 = <x^2>)", "delta_inf": "static part of the autocorrelation",
             "lambda_max": "mean-field largest Lyapunov exponent", "chaotic": "1 if lambda_max > 0",
             "status": "outcome per g (codes of rnnchaos.status.STATUS_CODES)"}
    ds = xr.Dataset({k: ("g", v, {"units": units if k == "lambda_max" else "1", "long_name": names[k]})
                     for k, v in out.items()},
                    coords={"g": ("g", gs, {"units": "1", "long_name": "coupling gain g (J_ij ~ N(0, g^2/N))"})})
    try:
        g_c = noisy_critical_gain(sigma_b, sigma_xi, model, tol=min(tol, 1e-12), nonlinearity=nl)
    except NumericalFailure:
        g_c = float("nan")
    ds["g_c"] = ((), g_c, {"units": "1", "long_name": "mean-field critical gain g_c(sigma_b, sigma_xi)"})
    ds.attrs["nonlinearity"] = nl.name
    return ds
