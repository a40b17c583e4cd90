"""Lyapunov spectra of the discretised rate network and of the map (Benettin QR method): the friendly call.

About 390 lines: the call, its argument checks, its result and the result's NetCDF form are one layer, kept whole.

The first ``k`` exponents of the discrete flow ``x_{n+1} = S(x_n)`` (one forward-Euler or RK4 step of
``dx/dt = -x + J phi(x) + theta``, or one step ``a -> J phi(a) + theta`` of the map) are

    lambda_i = lim (1 / (h n)) sum_{q} log |R^{(q)}_ii|,   Q^{(q)} R^{(q)} = DS^{t_ons/h} Q^{(q-1)},

where ``h`` is the time of one step (the model's ``time_step``), ``DS`` the Jacobian of the step, and
``Q`` an orthonormal ``N x k`` frame re-orthonormalised by Householder QR (diagonal of ``R`` made positive) every
``t_ons`` time units (Benettin et al. 1980; Engelken, Wolf & Abbott 2020, "Lyapunov spectra of chaotic recurrent
neural networks"), or with ``t_ons="auto"`` (default) as rarely as the frame's conditioning allows
(:mod:`rnnchaos.lyapunov_schedule`). The tangent dynamics are those of the integrator, so the exponents are
exactly those of the discretised flow:

* rate, Euler: ``Q <- (1 - dt) Q + dt J (phi'(x) * Q)`` (no ``N x N`` Jacobian is formed);
* rate, RK4: the derivative of the RK4 step (RK4 applied to the variational system), so ``dt -> 0`` is visible;
* map: ``Q <- J (phi'(a) * Q)``.

Any other :class:`rnnchaos.model.Model` runs the generic path (:class:`rnnchaos.lyapunov_kernel.ModelWorkspace`):
``Q <- model.tangent(x, Q)``, ``x <- model.step(x)``, with the same QR schedule and statistics (float64, numpy).

Two layers: :func:`lyapunov_spectrum` (checked arguments, transients, batches, a :class:`LyapunovResult` with
:func:`kaplan_yorke` and :func:`to_dataset`) over the strict kernel :func:`rnnchaos.lyapunov_kernel.qr_step` on a
workspace from :func:`make_workspace`: :class:`rnnchaos.lyapunov_blas.BlasWorkspace` (numpy Euler and the map,
float64 or float32) or :class:`rnnchaos.lyapunov_backends.ArrayWorkspace` (RK4, and CuPy).

Noise (a network with ``sigma_xi > 0``, :mod:`rnnchaos.noise`): the state follows the random dynamical system
``x_{n+1} = S(x_n) + noise_scale * xi_n`` with ``xi_n`` row ``n`` of the stream on ``noise_rng`` (counted from ``x0``,
through the transients, so the simulation of the same network from the same ``x0`` and stream follows the same
path), and the frame the Jacobian of ``S`` at the noisy states (additive noise); every kernel above supports it
except RK4, which the model rejects with noise.

Identities used as checks: for ``k = N``, ``sum_i lambda_i = <log|det DS(x_n)|> / h`` exactly (the sum of
``log R_ii`` telescopes into log-determinants). For the map ``log|det DS(a)| = log|det J| + sum_i log phi'(a_i)``
is cheap and reported as ``jacobian_trace_mean``; for the rate network ``jacobian_trace_mean`` is the
continuous-time counterpart ``<tr DF(x)> / N = -1 + <sum_i J_ii phi'(x_i)> / N`` (equal to the mean exponent only
as ``dt -> 0``), and the exact Euler log-determinant is computed only on request (``exact_log_det=True``,
``O(N^3)`` per step, for small ``N``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import dynamics, models
from rnnchaos.lyapunov_backends import ArrayWorkspace, array_module
from rnnchaos.lyapunov_blas import BlasWorkspace
from rnnchaos.lyapunov_kernel import ModelWorkspace
from rnnchaos.lyapunov_schedule import QRSchedule
from rnnchaos.models import Network
from rnnchaos.noise import stream
from rnnchaos.nonlinearity import TANH

MODELS = models.NAMES
METHODS = models.METHODS
DTYPES = ("float64", "float32")
#: precisions of the couplings J in the steps' products (``coupling_dtype``)
COUPLING_DTYPES = ("float64", "float32")
BACKENDS = ("numpy", "cupy")


@dataclass(frozen=True)
class LyapunovResult:
    """Lyapunov spectrum with its error bars and diagnostics (time unit: tau for ``rate``, one step for ``map``).

    ``exponents`` are in QR (column) order; ``exponents_sem`` are standard errors from ``n_batches`` batch means.
    ``d_ky`` is the Kaplan-Yorke dimension; when ``k < N`` and the sum of all ``k`` exponents is still >= 0,
    ``d_ky = k`` is only a lower bound and ``d_ky_lower_bound`` is True. ``entropy_rate`` (sum of the positive
    exponents, Pesin's bound on the KS entropy) is a lower bound (``entropy_rate_lower_bound``) when
    ``k < N`` and ``lambda_k > 0``. ``mean_exponent = sum(exponents) / k``; ``jacobian_trace_mean`` and
    ``log_det_mean`` are per unit and per unit time (see the module docstring); ``log_det_mean`` is NaN for the
    rate network unless ``exact_log_det=True``. ``running[j]`` is the running estimate of the first ``k_running``
    exponents after time ``running_t[j]``. ``t_ons`` is the mean time between the ``n_qr`` accumulated QRs
    (``t_ons_auto``: chosen by :class:`~rnnchaos.lyapunov_schedule.QRSchedule`), ``qr_steps_min``/``qr_steps_max``
    the shortest and longest interval in steps, ``spread_max`` the largest R-diagonal spread of one interval
    (e-folds, see :func:`~rnnchaos.lyapunov_schedule.spread_bound`) and ``spread_bound`` the bound it was checked
    against.
    """

    exponents: np.ndarray
    exponents_sem: np.ndarray
    lambda_max: float
    lambda_max_sem: float
    d_ky: float
    d_ky_lower_bound: bool
    entropy_rate: float
    entropy_rate_lower_bound: bool
    mean_exponent: float
    jacobian_trace_mean: float
    log_det_mean: float
    running_t: np.ndarray
    running: np.ndarray
    n_steps: int
    n_qr: int
    n_batches: int
    t_ons: float
    t_ons_auto: bool
    qr_steps_min: int
    qr_steps_max: int
    spread_max: float
    spread_bound: float
    t_sim: float
    dt: float
    N: int
    k: int
    model: str
    method: str
    dtype: str
    backend: str
    coupling_dtype: str = "float64"
    time_unit: str = "tau"
    model_attrs: dict | None = None


def make_workspace(model, x, Q, *, dtype: str = "float64", backend: str = "numpy", exact_log_det: bool = False,
                   coupling_dtype: str = "float64", noise=None):
    """The kernel's workspace for ``model``: the networks' fused kernels (BLAS for numpy Euler and the map, the
    array-module code for RK4 and ``cupy``), else the generic :class:`ModelWorkspace` (float64, numpy). ``noise``
    (a :class:`rnnchaos.noise.NoiseStream`, for a model with ``sigma_xi > 0``): the state's step noise."""
    if not isinstance(model, Network):
        return ModelWorkspace(model, x, Q, exact_log_det=exact_log_det, noise=noise)
    scale = model.noise_scale if noise is not None else 0.0
    if backend == "numpy" and model.method in ("map", "euler"):
        return BlasWorkspace(model.name, model.J, model.theta, x, Q, dt=model.time_step, dtype=dtype,
                             coupling_dtype=coupling_dtype, exact_log_det=exact_log_det, nonlinearity=model.phi,
                             noise=noise, noise_scale=scale)
    return ArrayWorkspace(array_module(backend), model.name, model.J, model.theta, x, Q, dt=model.time_step,
                          method=model.method, dtype=dtype, coupling_dtype=coupling_dtype, nonlinearity=model.phi,
                          noise=noise, noise_scale=scale)


def progress_unit(settings) -> str:
    """What :func:`lyapunov_spectrum` counts in its ``progress`` calls for these keyword ``settings``: accumulated
    ``"steps"`` with ``t_ons="auto"`` (the default; the number of intervals is not known in advance), else
    ``"QR intervals"``."""
    return "steps" if settings.get("t_ons", "auto") == "auto" else "QR intervals"


def kaplan_yorke(exponents: np.ndarray, N: int) -> tuple[float, bool]:
    """Kaplan-Yorke dimension ``D = j + S_j / |lambda_{j+1}|`` (``S_j`` the largest non-negative partial sum of
    the sorted exponents) and whether it is only a lower bound (all ``k < N`` partial sums non-negative, where
    ``D = k`` is returned). ``D = 0`` if ``lambda_1 < 0``; ``D = N`` if ``k = N`` and the full sum is >= 0.
    """
    lam = np.sort(np.asarray(exponents, dtype=float))[::-1]
    S = np.cumsum(lam)
    j = int(np.count_nonzero(S >= 0))  # S is concave in j, so {S_j >= 0} = {1..j}
    if j == 0:
        return 0.0, False
    if j == lam.size:
        return float(j), j < N
    return float(j + S[j - 1] / abs(lam[j])), False


def lyapunov_spectrum(model, J: np.ndarray | None = None, theta: np.ndarray | None = None, *, k: int,
                      dt: float | None = None, t_transient: float = 100.0, t_transient_tangent: float = 20.0,
                      t_sim: float = 500.0, t_ons: float | str = "auto", method: str | None = None,
                      dtype: str = "float64", n_batches: int = 10,
                      rng: np.random.Generator, x0=None, backend: str = "numpy", k_running: int = 5,
                      exact_log_det: bool = False, coupling_dtype: str = "float64",
                      progress: Callable[[int, int], None] | None = None,
                      noise_rng: np.random.Generator | None = None) -> LyapunovResult:
    """First ``k`` Lyapunov exponents of ``model``: any :class:`rnnchaos.model.Model` (e.g.
    :class:`rnnchaos.models.RateModel`, which holds ``J``, ``theta``, the nonlinearity, ``dt`` and ``method``), or,
    in the older form, a name with ``J``, ``theta``, ``dt`` (default 0.1) and ``method`` (default ``"euler"``) for a
    tanh network (:func:`rnnchaos.models.as_model`: ``"rate"``, ``dx/dt = -x + J tanh(x) + theta``; ``"map"``,
    ``a <- J tanh(a) + theta``, ``dt`` unused).

    Algorithm (Benettin QR method, Engelken, Wolf & Abbott 2020): the state (``x0``, default standard normal
    from ``rng``) runs ``t_transient`` time units; a random orthonormal ``N x k`` frame (from ``rng``) then follows
    the tangent dynamics of the integrator for ``t_transient_tangent`` (re-orthonormalised, not accumulated) and
    for ``t_sim`` (accumulated), with Householder QR every ``t_ons`` (a whole number of steps), or with
    ``t_ons="auto"`` (default) as rarely as the frame's conditioning allows (:class:`QRSchedule`); every interval's
    R-diagonal spread is checked against :func:`~rnnchaos.lyapunov_schedule.spread_bound`
    (``NumericalFailure("qr_breakdown")``). Standard errors come from ``n_batches`` (>= 2) consecutive batch
    means; ``dtype="float32"`` runs the frame in single precision; ``coupling_dtype="float32"`` (with
    ``dtype="float32"``) also the couplings: one float32 copy of ``J`` (half the memory traffic of the steps, which
    stream J once each at small k), the state float64 with float32 products after the transient;
    ``backend="cupy"`` runs on a GPU; ``exact_log_det`` (Euler only) accumulates ``log|det DS|``.
    ``progress(done, total)``, if given, is called after each accumulated QR interval (counting intervals for a
    fixed ``t_ons``, steps for ``"auto"``). ``noise_rng``: the generator of the state's step noise for a model
    with ``sigma_xi > 0`` (required there; never touched at ``sigma_xi = 0``, so results are bitwise those of a
    call without it); the pipeline's ``rng_for(N, seed, "noise")``, the simulation's stream too.
    Raises ``ValueError`` for invalid arguments, ``NumericalFailure`` for divergence or QR breakdown.
    The same ``rng`` seed gives bit-identical results with the same BLAS and thread count; elsewhere a chaotic
    trajectory decorrelates from last-bit differences, and results agree within ``exponents_sem``.
    """
    model, x0 = _validate(model, J, theta, x0, k=k, dt=dt, t_transient=t_transient, t_ons=t_ons,
                          t_transient_tangent=t_transient_tangent, t_sim=t_sim, method=method, dtype=dtype,
                          n_batches=n_batches, rng=rng, backend=backend, k_running=k_running,
                          coupling_dtype=coupling_dtype)
    network = isinstance(model, Network)
    if exact_log_det and network and not (model.method == "euler" and backend == "numpy"):
        raise ValueError("exact_log_det is only available for model='rate', method='euler', backend='numpy'")
    if backend != "numpy":
        array_module(backend)  # a missing CuPy or GPU fails here, before the transient
    N = model.n
    h = model.time_step
    auto = t_ons == "auto"
    m = None if auto else int(round(t_ons / h))
    sched = QRSchedule(m, dtype=dtype, t_ons_text="auto" if auto else f"{t_ons:g}")
    # accumulated intervals: fixed, n_qr of m steps (batch of interval q: q * n_batches // n_qr); auto, the steps of
    # t_sim cut at the batch edges so that no interval straddles two batches
    n_qr = None if auto else int(round(t_sim / (m * h)))
    n_total = int(round(t_sim / h)) if auto else n_qr * m
    edges = ([round(b * n_total / n_batches) for b in range(n_batches + 1)] if auto
             else [-(-b * n_qr // n_batches) * m for b in range(n_batches + 1)])
    noise = stream(model, noise_rng)
    x = rng.standard_normal(N) if x0 is None else x0
    Q0 = np.linalg.qr(rng.standard_normal((N, k)))[0]
    x = dynamics.run(model, x, n_steps=int(round(t_transient / h)), noise=noise)
    ws = make_workspace(model, x, Q0, dtype=dtype, backend=backend, exact_log_det=exact_log_det,
                        coupling_dtype=coupling_dtype, noise=noise)
    n_tt = int(round(t_transient_tangent / h)) if auto else \
        int(math.ceil(t_transient_tangent / (m * h) - 1e-9)) * m
    while ws.steps_total < n_tt:
        sched.step(ws, n_tt - ws.steps_total)
    ws.reset_sums()
    sched.reset()

    k_run = min(k, k_running)
    rec = np.unique(np.round(np.linspace(1, n_total, min(n_total, 200))).astype(int))  # record times, steps
    running, running_t = [], []
    total, batch_sum, batch_steps = np.zeros(k), np.zeros((n_batches, k)), np.zeros(n_batches)
    done, r_next = 0, 0
    for b in range(n_batches):
        while done < edges[b + 1]:
            log_r = sched.step(ws, edges[b + 1] - done)
            n = sched.steps - done
            done = sched.steps
            total += log_r
            batch_sum[b] += log_r
            batch_steps[b] += n
            if r_next < rec.size and done >= rec[r_next]:
                running.append(total[:k_run] / (done * h))
                running_t.append(done * h)
                r_next = int(np.searchsorted(rec, done, side="right"))
            if progress is not None:
                progress(*((done, n_total) if auto else (sched.n_qr, n_qr)))
    T = done * h
    lam = total / T
    sem = np.std(batch_sum / (batch_steps[:, None] * h), axis=0, ddof=1) / math.sqrt(n_batches)
    d_ky, d_ky_lb = kaplan_yorke(lam, N)
    n, trace_sum, logphi_sum, log_det_sum = ws.n_steps, float(ws.trace_sum), float(ws.logphi_sum), float(ws.log_det_sum)
    del ws  # its copy of J (float32 coupling) before slogdet's
    if network and model.name == "map":
        log_det_j = np.linalg.slogdet(model.J)[1]
        trace_mean = log_det_mean = (log_det_j + logphi_sum / n) / N
    else:  # the rate network's tr DF (a generic model: unknown)
        trace_mean = trace_sum / (n * N) if network else float("nan")
        log_det_mean = log_det_sum / (n * h * N) if exact_log_det else float("nan")
    return LyapunovResult(
        exponents=lam, exponents_sem=sem, lambda_max=float(lam[0]), lambda_max_sem=float(sem[0]),
        d_ky=d_ky, d_ky_lower_bound=d_ky_lb, entropy_rate=float(lam[lam > 0].sum()),
        entropy_rate_lower_bound=bool(k < N and lam.min() > 0), mean_exponent=float(lam.mean()),
        jacobian_trace_mean=float(trace_mean), log_det_mean=float(log_det_mean),
        running_t=np.array(running_t), running=np.array(running).reshape(-1, k_run), n_steps=n, n_qr=sched.n_qr,
        n_batches=n_batches, t_ons=T / sched.n_qr, t_ons_auto=auto, qr_steps_min=sched.m_min,
        qr_steps_max=sched.m_max, spread_max=sched.spread_max, spread_bound=sched.bound,
        t_sim=T, dt=h, N=N, k=k, model=model.name, method=getattr(model, "method", model.name), dtype=dtype,
        backend=backend, coupling_dtype=coupling_dtype, time_unit=models.time_unit(model),
        model_attrs=dict(model.attrs()))


def _all_finite(a: np.ndarray) -> bool:
    """Whether every entry of the 2-D ``a`` is finite, checked by row blocks of about 2^20 entries (no N x N mask)."""
    rows = max(1, 2**20 // max(1, a.shape[1]))
    return all(np.isfinite(a[r:r + rows]).all() for r in range(0, a.shape[0], rows))


def _validate(model, J, theta, x0, *, k, dt, t_transient, t_transient_tangent, t_sim, t_ons, method, dtype,
              n_batches, rng, backend, k_running, coupling_dtype="float64"):
    """The checked model (:func:`rnnchaos.models.as_model`) and ``x0``; ``ValueError`` names the argument."""
    if isinstance(model, str) and J is not None and not _all_finite(np.asarray(J, dtype=np.float64)):
        raise ValueError(f"J must be a finite square N x N matrix with N >= 1, got shape {np.shape(J)}")
    model = models.as_model(model, J, theta, dt=dt, method=method)
    for name, val, allowed in (("dtype", dtype, DTYPES), ("backend", backend, BACKENDS),
                               ("coupling_dtype", coupling_dtype, COUPLING_DTYPES)):
        if val not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {val!r}")
    if coupling_dtype == "float32" and dtype != "float32":
        raise ValueError(f"coupling_dtype='float32' needs dtype='float32' (float32 products resolve the frame only to "
                         f"float32 precision), got dtype={dtype!r}")
    network = isinstance(model, Network)
    if (backend != "numpy" or dtype != "float64") and not network:
        raise ValueError(f"dtype and backend other than float64 and numpy need a network model (the fused kernels), "
                         f"got dtype={dtype!r}, backend={backend!r} for {model!r}")
    if backend != "numpy" and model.phi != TANH:
        raise ValueError(f"backend {backend!r} runs tanh networks only, got nonlinearity {model.phi.name!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    N = model.n
    if network and not (_all_finite(model.J) and np.all(np.isfinite(model.theta))):
        raise ValueError(f"J and theta must be finite, shapes ({N}, {N}) and ({N},)")
    if x0 is not None:
        x0 = np.array(x0, dtype=np.float64)
        if x0.shape != (N,) or not np.all(np.isfinite(x0)):
            raise ValueError(f"x0 must be None or a finite vector of shape ({N},), got shape {x0.shape}")
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= N):
        raise ValueError(f"k must be an integer in 1..N = 1..{N}, got {k!r}")
    if not (isinstance(k_running, (int, np.integer)) and k_running >= 1):
        raise ValueError(f"k_running must be an integer >= 1, got {k_running!r}")
    if not (isinstance(n_batches, (int, np.integer)) and n_batches >= 2):
        raise ValueError(f"n_batches must be an integer >= 2, got {n_batches!r}")
    h = model.time_step
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"the model's time_step must be finite and > 0, got {h!r}")
    if isinstance(t_ons, str) and t_ons == "auto":
        t_min = h
    elif not (isinstance(t_ons, (int, float, np.integer, np.floating)) and np.isfinite(t_ons)
              and t_ons >= h * (1 - 1e-9)):
        raise ValueError(f"t_ons must be 'auto' or a number >= the time step {h:g} of model {model.name!r}, "
                         f"got {t_ons!r}")
    elif abs(t_ons / h - round(t_ons / h)) > 1e-6 * (t_ons / h):
        raise ValueError(f"t_ons must be a whole multiple of the time step {h:g}, got {t_ons!r}")
    else:
        t_min = t_ons
    for name, val in (("t_transient", t_transient), ("t_transient_tangent", t_transient_tangent)):
        if not (np.isfinite(val) and val >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
    if not (np.isfinite(t_sim) and t_sim >= n_batches * t_min * (1 - 1e-9)):
        raise ValueError(f"t_sim must be >= n_batches * {'time step' if t_ons == 'auto' else 't_ons'} = "
                         f"{n_batches * t_min:g}, got {t_sim!r}")
    return model, x0


def to_dataset(result: LyapunovResult) -> xr.Dataset:
    """The result as an :class:`xarray.Dataset` (dims ``i``, ``t_running``, ``i_running``); no grid coordinates."""
    r = result
    tu = r.time_unit
    ru = f"1/{tu}"
    k_run = r.running.shape[1]

    def scalar(v, units, long_name, dtype=None):
        return ((), np.asarray(v, dtype=dtype), {"units": units, "long_name": long_name})

    ds = xr.Dataset(
        {
            "exponent": ("i", r.exponents, {"units": ru, "long_name": "Lyapunov exponent (QR order)"}),
            "exponent_sem": ("i", r.exponents_sem,
                             {"units": ru, "long_name": f"standard error of the exponent ({r.n_batches} batch means)"}),
            "lambda_max": scalar(r.lambda_max, ru, "largest Lyapunov exponent"),
            "lambda_max_sem": scalar(r.lambda_max_sem, ru, "standard error of the largest Lyapunov exponent"),
            "d_ky": scalar(r.d_ky, "1", "Kaplan-Yorke dimension"),
            "d_ky_lower_bound": scalar(r.d_ky_lower_bound, "1",
                                       "1 if d_ky is only a lower bound (k < N and all k exponents sum >= 0)", np.int8),
            "entropy_rate": scalar(r.entropy_rate, ru, "entropy rate: sum of the positive exponents"),
            "entropy_rate_lower_bound": scalar(r.entropy_rate_lower_bound, "1",
                                               "1 if entropy_rate is only a lower bound (k < N, lambda_k > 0)",
                                               np.int8),
            "mean_exponent": scalar(r.mean_exponent, ru, "mean of the k exponents"),
            "jacobian_trace_mean": scalar(
                r.jacobian_trace_mean, ru,
                "time-averaged log|det DM| / N" if r.model == "map" else "time-averaged tr DF / N (NaN if unknown)"),
            "log_det_mean": scalar(r.log_det_mean, ru,
                                   "time-averaged log|det(one-step Jacobian)| / (N * time step); NaN if not computed"),
            "n_qr": scalar(r.n_qr, "1", "number of accumulated QR re-orthonormalisations", np.int64),
            "n_steps": scalar(r.n_steps, "1", "number of accumulated integration steps", np.int64),
            "t_ons": scalar(r.t_ons, tu, "mean time between re-orthonormalisations" + (
                " (chosen per interval: t_ons auto)" if r.t_ons_auto else "")),
            "qr_steps_min": scalar(r.qr_steps_min, "1", "fewest integration steps between two QRs", np.int64),
            "qr_steps_mean": scalar(r.n_steps / r.n_qr, "1", "mean integration steps between two QRs"),
            "qr_steps_max": scalar(r.qr_steps_max, "1", "most integration steps between two QRs", np.int64),
            "spread_max": scalar(r.spread_max, "1", "largest R-diagonal spread of one QR interval, "
                                 "log max_j |z_j| - log min_j R_jj (e-folds)"),
            "spread_bound": scalar(r.spread_bound, "1", f"bound on the spread for {r.dtype}: ln(1/eps) - ln(10) "
                                   "(e-folds; beyond it the frame has collapsed: status qr_breakdown)"),
            "dt": scalar(r.dt, tu, "time step"),
            "running": (("t_running", "i_running"), r.running,
                        {"units": ru, "long_name": "running estimate of the first exponents"}),
        },
        coords={
            "i": ("i", np.arange(1, r.k + 1), {"units": "1", "long_name": "exponent index"}),
            "t_running": ("t_running", r.running_t, {"units": tu, "long_name": "accumulation time"}),
            "i_running": ("i_running", np.arange(1, k_run + 1), {"units": "1", "long_name": "exponent index"}),
        },
        attrs={**(r.model_attrs or {}), "model": r.model, "method": r.method, "dtype": r.dtype,
               "coupling_dtype": r.coupling_dtype, "backend": r.backend,
               "t_ons_mode": "auto" if r.t_ons_auto else "fixed"},
    )
    return ds
