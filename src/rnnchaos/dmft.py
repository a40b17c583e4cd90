"""Mean-field theory (N -> infinity) of the two models at one point, over g, and the critical line g_c(sigma_b).

``phi`` any :class:`rnnchaos.nonlinearity.Nonlinearity` (keyword ``nonlinearity``, default tanh), ``J_ij ~ N(0,
g^2/N)``, ``theta_i ~ N(0, sigma_b^2)``; ``<.>`` averages over ``z ~ N(0, 1)`` (Gaussian averages:
:mod:`rnnchaos.gaussian`).

Nonlinearities that are not odd (logistic): ``J`` has zero mean, so the mean activity ``<phi>`` does not shift the
mean input (``x`` stays centred), but the input's autocorrelation ``g^2 <phi(x(t)) phi(x(t + tau))>`` is the
uncentred one: its Mehler series starts with ``<phi>^2`` (``k = 0``), a static part that acts like a quenched bias
of variance ``g^2 <phi>^2``. Hence the static part ``Delta_inf`` (map: ``c*``) is positive even at ``sigma_b = 0``,
and ``g_c(0)`` is the root of the critical line there, not ``1 / phi'(0)``. For the logistic, ``1/2 + tanh(x/2)/2``,
this is the tanh network at gain ``g/4`` and bias ``(g^2/16 + sigma_b^2/4)^(1/2)`` in ``x/2`` (a test).

* Static solution (fixed point of both models): ``Delta0 = g^2 <phi(sqrt(Delta0) z)^2> + sigma_b^2``, stable while
  ``chi = g^2 <phi'(sqrt(Delta0) z)^2> < 1``. The critical line ``g_c(sigma_b)`` solves ``chi = 1`` on this branch;
  it is the same for both models because both share the static equation and ``chi`` (``g_c(0) = 1 / phi'(0)`` for
  odd ``phi``). Along the
  line ``g_c^2 = 1 / <phi'^2>(D)`` and ``sigma_b^2 = D - <phi^2>(D) / <phi'^2>(D)``: one root in ``D``.
* Rate network, ordered phase: the Jacobian ``-I + J diag(phi'(x*))`` has a disc of radius ``sqrt(chi)`` around -1
  (Rajan & Abbott 2006 PRL 97 188104; Ahmadian, Fumarola & Miller 2015 PRE 91 012820), so ``lambda_max = -1 +
  sqrt(chi)`` (``g - 1`` at ``sigma_b = 0``). Chaotic phase (``Delta(tau)``, ``Delta_inf``, ``lambda_max`` from
  the Schrodinger problem; Sompolinsky, Crisanti & Sommers 1988): see :mod:`rnnchaos.dmft_rate`.
* Map: see :mod:`rnnchaos.dmft_map` (Poole et al. 2016; Molgedey, Schuchhardt & Schuster 1992).
* Both models driven by white noise ``sigma_xi``: :mod:`rnnchaos.dmft_noise` (``sigma_xi = 0`` is this module).

:func:`dmft_point` solves one ``(model, g, sigma_b)``; :func:`g_sweep` and :func:`critical_line` give the dense
theory curves; :func:`to_dataset` writes a point as a Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from rnnchaos.checks import check_count, check_model, check_range
from rnnchaos.dmft_map import map_solution
from rnnchaos.dmft_rate import RateProfile, rate_chaotic_solution, schrodinger_ground
from rnnchaos.gaussian import G_MAX, SIGMA_B_MAX, phi_moments, static_variance
from rnnchaos.nonlinearity import TANH, Nonlinearity, get
from rnnchaos.status import STATUS_CODES, NumericalFailure

#: Relative distance above g_c within which an unresolvable rate-network chaotic solution is returned as the critical
#: one (lambda_max = 0, Delta0 = Delta_inf = static variance); there lambda_max < 1e-5 and Delta0 is off by < 1e-4.
CRITICAL_WINDOW = 1e-5


def critical_gain(sigma_b: float, model: str = "rate", *, tol: float = 1e-12,
                  nonlinearity: str | Nonlinearity = TANH) -> float:
    """``g_c(sigma_b)``: ``g^2 <phi'(sqrt(D) z)^2> = 1`` on the static branch, for either model (same equations).

    Solved as one root in ``D`` of ``D - <phi^2>/<phi'^2> = sigma_b^2`` (tanh: increasing, ``~ 4 D^3 / 3`` near 0),
    then ``g_c = <phi'^2>^(-1/2)``; tanh: ``g_c ~ 1 + (3 sigma_b^2 / 4)^(1/3)`` for small ``sigma_b``. Even in
    ``sigma_b``; ``1 / phi'(0)`` at ``sigma_b = 0`` for odd ``phi``. For ``phi`` that is not odd, the root at
    ``sigma_b = 0`` too (``D > 0``). Logistic: the line falls from -4 to -9.77 (at ``D = 12.3``) before it rises,
    so the root is still unique; ``g_c(0) = 10.15``, beyond the validated ``g <= 6`` (no chaos there). Limit: for
    ``tanh_cubic_<s>``, ``s > 1/3``, at small ``sigma_b > 0`` (e.g. ``s = 1``, ``sigma_b <= 0.03``) the static
    equation has several roots near ``g = 1``; the root of the line found here need not lie on the smallest one,
    the branch :func:`dmft_point` uses.
    """
    check_model(model)
    check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    check_range("tol", tol, 1e-15, 1e-3)
    return _critical_gain(abs(float(sigma_b)), float(tol), get(nonlinearity))


@lru_cache(maxsize=4096)
def _critical_gain(sb: float, tol: float, nl: Nonlinearity) -> float:
    if sb == 0 and nl.odd:
        return 1.0 / nl.slope0

    def line(D):
        p2, d2 = phi_moments(D, nonlinearity=nl)
        return D - p2 / d2 - sb * sb

    hi = max(1.0, 2 * sb * sb)
    while line(hi) <= 0:
        hi *= 2
    D = brentq(line, 0.0, hi, xtol=tol * 1e-2, rtol=1e-15)
    return float(phi_moments(D, nonlinearity=nl)[1] ** -0.5)


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
    critical solution was returned); ``nonlinearity``: the name of ``phi``; ``sigma_xi``: the amplitude of the white
    noise driving each unit (0 here; :func:`rnnchaos.dmft_noise.noisy_dmft_point` for ``sigma_xi > 0``).
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
    nonlinearity: str = "tanh"
    sigma_xi: float = 0.0


def dmft_point(model: str, g: float, sigma_b: float, *, tau_max: float = 50.0, n_tau: int = 501,
               tol: float = 1e-10, nonlinearity: str | Nonlinearity = TANH) -> DMFTResult:
    """Mean-field solution of ``model`` at ``(g, sigma_b)``; ``0 <= g <= 6``, ``|sigma_b| <= 4``.

    ``tau``: ``n_tau`` points on ``[0, tau_max]`` (rate, units of the time constant) or the integer steps
    ``0 .. floor(tau_max)`` (map; ``n_tau`` unused). Raises :class:`NumericalFailure` ("not_converged") when a
    solve fails or a residual exceeds ``tol``. For odd ``phi`` with ``phi'''(0) > 0`` at ``sigma_b = 0`` the static
    branch jumps at ``g = 1 / phi'(0)`` (:func:`rnnchaos.gaussian.static_variance`) and so does the chaotic
    solution above it (Pazo 2024); the coexisting chaotic branch below ``1 / phi'(0)`` is not returned.
    """
    nl = get(nonlinearity)
    check_model(model)
    check_range("g", g, 0.0, G_MAX)
    check_range("sigma_b", sigma_b, -SIGMA_B_MAX, SIGMA_B_MAX)
    check_range("tau_max", tau_max, 1e-6, 1e5)
    check_range("tol", tol, 1e-15, 1e-3)
    check_count("n_tau", n_tau)
    g, sigma_b = float(g), float(sigma_b)
    sb, g2 = abs(sigma_b), g * g
    D_fp = static_variance(g, sb, nonlinearity=nl)
    p2, d2 = phi_moments(D_fp, nonlinearity=nl)
    chi = g2 * d2
    fp_res = abs(g2 * p2 + sb * sb - D_fp)
    if not fp_res <= tol * max(1.0, D_fp):
        raise NumericalFailure("not_converged", f"static variance at g = {g!r}, sigma_b = {sigma_b!r}: "
                               f"residual {fp_res:.3g} > tol {tol:g}")
    common = dict(model=model, g=g, sigma_b=sigma_b, g_c=critical_gain(sb, tol=1e-12, nonlinearity=nl),
                  delta_fp=D_fp, chi=chi, nonlinearity=nl.name)
    if model == "map":
        return DMFTResult(**common, **map_solution(g, sb, D_fp, chi, int(np.floor(tau_max)), tol=tol,
                                                   fp_residual=fp_res, nonlinearity=nl))
    tau = np.linspace(0.0, float(tau_max), int(n_tau))
    if chi <= 1:
        return DMFTResult(**common, delta0=D_fp, delta_inf=D_fp, lambda_max=-1 + np.sqrt(chi), chaotic=False,
                          tau=tau, delta=np.full_like(tau, D_fp), residual=fp_res, n_eval=0)
    try:
        D0, Dinf, corr, n_eval, res = rate_chaotic_solution(g, sb, D_fp, tol=tol, nonlinearity=nl)
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
    :func:`rnnchaos.io.with_grid_coords`); the attribute ``nonlinearity`` names ``phi``."""
    r, at = result, _attrs(result.model)
    data = {k: ((), getattr(r, k), at[k]) for k in ("delta0", "delta_inf", "lambda_max", "g_c", "residual")}
    data["chaotic"] = ((), np.int8(r.chaotic), at["chaotic"])
    data["delta"] = (("tau",), np.asarray(r.delta, dtype=float), at["delta"])
    ds = xr.Dataset(data, coords={"tau": ("tau", r.tau, at["tau"])})
    ds.attrs.update({f"dmft_{k}": float(getattr(r, k)) for k in
                     ("delta_fp", "chi", "n_eval", "schrodinger_e0", "schrodinger_e1", "series_tail", "critical")})
    ds.attrs["nonlinearity"] = r.nonlinearity
    return ds


def g_sweep(model: str, sigma_b: float, *, tol: float = 1e-10, n_dense: int = 60, g_max: float = 4.0,
            nonlinearity: str | Nonlinearity = TANH) -> xr.Dataset:
    """Dense theory curves over ``g`` (``n_dense`` points in ``(0, g_max]``) at one ``sigma_b``: ``delta0``,
    ``delta_inf``, ``lambda_max``, ``chaotic`` and ``status`` (0 ok; else the point failed and its values are NaN)
    over ``g``, and the scalar ``g_c``. No ``sigma_b`` coordinate (the caller adds it); attribute ``nonlinearity``."""
    nl = get(nonlinearity)
    check_range("g_max", g_max, 1e-6, G_MAX)
    check_count("n_dense", n_dense)
    gs, at = np.linspace(0.0, float(g_max), int(n_dense) + 1)[1:], _attrs(model)
    out = {k: np.full(gs.size, np.nan) for k in ("delta0", "delta_inf", "lambda_max")}
    out.update(chaotic=np.zeros(gs.size, np.int8), status=np.zeros(gs.size, np.int8))
    for i, g in enumerate(gs):
        try:
            r = dmft_point(model, g, sigma_b, tau_max=1.0, n_tau=2, tol=tol, nonlinearity=nl)
        except NumericalFailure as err:
            out["status"][i] = STATUS_CODES[err.status]
            continue
        for k in ("delta0", "delta_inf", "lambda_max", "chaotic"):
            out[k][i] = getattr(r, k)
    at["status"] = {"units": "1", "long_name": "outcome per g (codes of rnnchaos.status.STATUS_CODES)"}
    ds = xr.Dataset({k: ("g", v, at[k]) for k, v in out.items()},
                    coords={"g": ("g", gs, {"units": "1", "long_name": "coupling gain g (J_ij ~ N(0, g^2/N))"})})
    ds["g_c"] = ((), critical_gain(sigma_b, model, tol=min(tol, 1e-12), nonlinearity=nl), at["g_c"])
    ds.attrs["nonlinearity"] = nl.name
    return ds


def critical_line(model: str, *, tol: float = 1e-10, n_dense: int = 60, sigma_b_max: float = 2.0,
                  nonlinearity: str | Nonlinearity = TANH) -> xr.Dataset:
    """``g_c`` over ``sigma_b`` (``n_dense`` points on ``[0, sigma_b_max]``), for the phase diagram; attribute
    ``nonlinearity``."""
    check_range("sigma_b_max", sigma_b_max, 1e-6, SIGMA_B_MAX)
    check_count("n_dense", n_dense)
    nl = get(nonlinearity)
    sbs = np.linspace(0.0, float(sigma_b_max), int(n_dense))
    gc = [critical_gain(sb, model, tol=min(tol, 1e-12), nonlinearity=nl) for sb in sbs]
    return xr.Dataset({"g_c": ("sigma_b", gc, {"units": "1", "long_name": "mean-field critical gain g_c(sigma_b)"})},
                      coords={"sigma_b": ("sigma_b", sbs, {"units": "1", "long_name": "bias spread sigma_b"})},
                      attrs={"nonlinearity": nl.name})
