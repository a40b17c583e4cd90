"""Fixed points of the rate network and the map: found, verified, classified and counted.

Both models have the fixed points ``x* = J phi(x*) + theta`` (rate: ``F(x) = -x + J phi(x) + theta = 0``; map:
``a = J phi(a) + theta``). Stability differs: the rate network's ``x*`` is stable iff all eigenvalues of
``-I + J diag(phi'(x*))`` have negative real part (``stability="continuous"``), the map's iff all eigenvalues of
``J diag(phi'(x*))`` lie inside the unit circle (``stability="discrete"``).

Algorithm (:func:`find_fixed_points`):

1. *Independent solves*: Newton from each initial condition on stacked ``(B, N, N)`` systems
   (``np.linalg.solve``) with the analytic Jacobian, the step length capped at a fixed trust radius
   ``trust_radius * sqrt(N) * scale`` (optionally also an Armijo backtracking line search, ``line_search=True``;
   for random networks at g = 2 the capped full step converges 2-3 times as often). Their outcomes are
   i.i.d. captures, used for the capture-recapture estimate.
2. *Deflated solves* (Farrell, Birkisson & Funke, SIAM J. Sci. Comput. 37, A2026, 2015) from random
   perturbations of known points: Newton on ``G(x) = M(x) F(x)``, ``M(x) = prod_k (ell^p / |x - x_k|^p + 1)``
   over the 8 nearest known roots ``x_k`` (``p = 2``, ``ell = deflation_radius * sqrt(N) * scale``), whose step
   is the Newton step ``d`` of ``F`` divided by ``1 - d . grad ln M``, so a solve cannot return the point it
   started next to.
3. *Homotopy paths* (:mod:`rnnchaos.homotopy`): pseudo-arclength continuation of ``R(x) + lambda c = 0``
   from given solutions ``(x_0, lambda_0, c)``; every sign change of ``lambda`` is a fixed point. For random
   networks this is what still finds points where Newton from random starts no longer converges (N >= 500).
4. *Fallback*: solves that stall go to Levenberg-Marquardt minimisation of ``q = |F|^2 / 2`` (Sussillo & Barak
   2013); its end points are fixed points (if ``q`` reaches the tolerance) or reported as slow points with ``q``.
5. *Verification*: every point gets a final undeflated Newton step and is kept only if ``|F(x*)|_inf < tol``;
   points closer than ``dedup_rtol * sqrt(N) * scale`` are one point. If ``symmetric`` (``F(-x) = -F(x)``, e.g.
   ``theta = 0``), mirrors ``-x*`` are added, and ``n_mirror_found`` counts pairs whose two members were both
   found by solves.
6. *Counting*: the saturation curve (unique points after each solve or path) and capture-recapture estimates
   of the total from the sampling occasions (each independent Newton solve and each path is one occasion,
   deflated solves are not): incidence-based Chao2 (bias-corrected, Chao 1987; for occasions of one capture
   it is Chao1), with its standard error, and Lincoln-Petersen/Chapman on the two halves of the occasions
   (counted on ``{x, -x}`` orbits if symmetric). Both are lower bounds when catchability is heterogeneous
   (basins of Newton's method and the reach of paths differ from point to point). Points found only by
   deflated solves belong to the occasions' unseen part; where they outnumber its estimate, the estimates are
   raised to the number of verified points (no total is below what was found).
7. *Origins*: every point records how it was first found (:data:`ORIGINS`) and, in ``found_by``, every kind of
   start (:data:`ROOTS`: trajectory state, Gaussian draw, homotopy path, or a caller's start) whose chain of
   solves returned it; a deflated solve, a fallback end point or a mirror inherits the roots of the point it came
   from. Starts on the attractor find the fixed points near it, whose radius is closer to the dynamics' Delta0
   than to the Kac-Rice ``<x*^2>`` (at g = 3, N = 24: +2.5 +- 0.9 above the full population, over 12 saturated
   networks), so :func:`origin_samples` keeps the samples apart, and only Gaussian draws of the Kac-Rice
   variance (:data:`UNBIASED_ROOTS`) estimate the population's ``<x*^2>`` (within 0.1 +- 0.3 there).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import homotopy
from rnnchaos.dynamics import dphi
from rnnchaos.status import NumericalFailure

KINDS = ("stable", "saddle", "repeller")
#: A point with ``|x*|_inf`` at most this is the trivial fixed point ``x* = 0`` (exact at ``sigma_b = 0``).
TRIVIAL_ATOL = 1e-8
#: A search that found only ``x* = 0`` where the theory expects at least this many points has failed.
TRIVIAL_ONLY_EXPECTED = 10.0
#: How a point was first found: an independent solve from a caller's start ("independent"), from a trajectory
#: state or from a Gaussian draw of the Kac-Rice variance (:func:`network_fixed_points` labels its starts so), a
#: deflated solve from a perturbed known point ("extra"), the q-minimisation fallback, the mirror ``-x*``, a path.
ORIGINS = ("independent", "extra", "fallback", "symmetry", "homotopy", "trajectory", "gaussian")
#: The kinds of start a chain of solves begins with. A point's ``found_by`` has bit ``k`` set if a chain rooted in
#: ``ROOTS[k]`` returned it: an independent solve or a path directly, or a deflated solve, fallback or mirror from
#: a point so found (deflation from a trajectory-found point inherits its bias).
ROOTS = ("independent", "trajectory", "gaussian", "homotopy")
#: Roots whose starts do not favour any region of the fixed points: Gaussian draws of the Kac-Rice variance
#: (isotropic, at the theory's radius). Trajectory states favour the points near the attractor (larger radius:
#: Delta0 > <x*^2>); a homotopy path is one connected chain (tests/integration/test_fixed_points_science.py).
UNBIASED_ROOTS = ("gaussian",)


@dataclass(frozen=True)
class FixedPoints:
    """Verified fixed points and how they were found (shapes: ``n`` points, ``N`` units, ``m`` slow points).

    ``eigvals``: Jacobian eigenvalues (of ``DF`` for continuous, of the map's ``DM`` for discrete stability);
    ``n_unstable``: eigenvalues with positive real part (continuous) or modulus > 1 (discrete);
    ``times_found``: independent solves that returned the point; ``origin``: index into :data:`ORIGINS` (how
    it was first found); ``found_by``: bit mask over :data:`ROOTS`, the kinds of start whose chains returned it;
    ``root_starts``, ``root_converged``: per :data:`ROOTS`, independent solves (paths) started and those that
    reached a verified point (by Newton or its fallback; paths: with at least one verified point);
    ``saturation``: (solves so far, unique points so far) after each solve; ``n_mirror_found``: -1 if not
    symmetric; ``iterations``: Newton iterations of each solve; ``cpu_time``: CPU seconds of the whole search;
    ``path_crossings``, ``path_solves``, ``path_points``, ``path_end`` (index into ``homotopy.ENDS``): per
    homotopy path, sign changes of lambda, corrector solves, verified points and how the tracking ended.
    """

    x: np.ndarray
    residual: np.ndarray
    eigvals: np.ndarray
    n_unstable: np.ndarray
    kind: np.ndarray
    max_real_eig: np.ndarray
    spectral_radius: np.ndarray
    times_found: np.ndarray
    origin: np.ndarray
    found_by: np.ndarray
    root_starts: np.ndarray
    root_converged: np.ndarray
    n_solves: int
    n_converged: int
    saturation: tuple
    capture_recapture_estimate: float
    capture_recapture_se: float
    chapman_estimate: float
    chapman_se: float
    n_mirror_found: int
    slow_points: np.ndarray
    slow_q: np.ndarray
    iterations: np.ndarray
    n_fallback: int
    cpu_time: float
    path_crossings: np.ndarray
    path_solves: np.ndarray
    path_points: np.ndarray
    path_end: np.ndarray
    stability: str
    symmetric: bool


def find_fixed_points(F, jacobian, x0s: np.ndarray, *, tol: float = 1e-10, max_iter: int = 50,
                      deflation: bool = True, symmetric: bool = False, stability: str = "continuous",
                      n_extra: int = 0, rng: np.random.Generator | None = None, scale: float | None = None,
                      perturbation: float = 0.15, trust_radius: float = 0.3, deflation_radius: float = 0.05,
                      line_search: bool = False, batch_size: int | None = None, fallback: int = 16,
                      fallback_iter: int = 30, dedup_rtol: float = 1e-6, eigenvalues: bool = True,
                      vectorized: bool = True, paths: tuple = (), path_solves: int = 5000,
                      new_path=None, progress: Callable[[int, int], None] | None = None,
                      x0_origin: str | Sequence[str] = "independent") -> FixedPoints:
    """Fixed points of ``dx/dt = F(x)`` (continuous) or of the map ``x -> F(x)`` (discrete) from ``x0s``.

    ``F(X)`` maps a batch ``(B, N) -> (B, N)`` and ``jacobian(X)`` gives ``(B, N, N)`` (or single points if
    ``vectorized=False``). ``x0s`` (n0, N): independent initial conditions, one solve each; ``n_extra`` further
    solves (deflated unless ``deflation=False``) from known points perturbed by ``perturbation * scale`` per
    coordinate (needs ``rng``). ``scale``: typical coordinate size (default: rms of ``x0s``). ``tol``: bound on
    ``|F(x*)|_inf`` (continuous) or ``|F(x*) - x*|_inf`` (discrete). ``symmetric``: ``F`` is odd, so ``-x*``
    and ``0`` are added. ``fallback``: at most this many stalled solves go to Levenberg-Marquardt on ``q``
    (``fallback_iter`` iterations). ``batch_size``: systems per stacked solve (default ``4e6 / N^2``, <= 256).
    ``paths``: homotopy starts ``(c, x_0, lambda_0)`` with ``R(x_0) + lambda_0 c = 0`` (``R = F``, or ``F(x) - x``
    if discrete), each tracked for at most ``path_solves`` corrector solves (:func:`homotopy.track_path`).
    ``new_path()``: another start; a path that ends "returned" (it jumped onto a piece of the solution set that
    leads back to large ``lambda``) hands its unused solves to a new path from it (at most 4 per given start).
    ``progress(done, total)``, if given, is called as independent solves, paths and extra solves finish (a path
    counts as one). ``x0_origin``: what each start is, "independent" (unknown), "trajectory" or "gaussian" (one
    name, or one per row of ``x0s``); it becomes the point's ``origin`` and the root of the chains through it.
    """
    x0s = np.atleast_2d(np.asarray(x0s, dtype=float))
    if x0s.ndim != 2 or x0s.shape[0] < 1 or not np.all(np.isfinite(x0s)):
        raise ValueError(f"x0s must be a finite (n, N) array with n >= 1, got shape {x0s.shape}")
    names = [x0_origin] * x0s.shape[0] if isinstance(x0_origin, str) else list(x0_origin)
    allowed = ("independent", "trajectory", "gaussian")
    if len(names) != x0s.shape[0] or any(n not in allowed for n in names):
        raise ValueError(f"x0_origin must be one of {allowed} or a sequence of them, one per row of x0s "
                         f"({x0s.shape[0]}), got {x0_origin!r}")
    origins = np.array([ORIGINS.index(n) for n in names], dtype=int)
    _check_options(tol=tol, max_iter=max_iter, stability=stability, n_extra=n_extra, rng=rng,
                   dedup_rtol=dedup_rtol, fallback=fallback, fallback_iter=fallback_iter,
                   trust_radius=trust_radius, deflation_radius=deflation_radius, perturbation=perturbation)
    if not vectorized:
        F1, J1 = F, jacobian
        F = lambda X: np.stack([np.asarray(F1(x), float) for x in X])  # noqa: E731
        jacobian = lambda X: np.stack([np.asarray(J1(x), float) for x in X])  # noqa: E731
    discrete = stability == "discrete"
    R = (lambda X: F(X) - X) if discrete else F
    DR = (lambda X: jacobian(X) - np.eye(X.shape[1])) if discrete else jacobian
    N = x0s.shape[1]
    scale = float(scale) if scale else max(float(np.sqrt(np.mean(x0s**2))), 1e-3)
    s = _Search(R, DR, N, tol, max_iter, scale, dedup_rtol, batch_size or int(np.clip(4e6 / N**2, 1, 256)),
                trust_radius, deflation_radius, line_search)
    t0 = time.process_time()
    done, n_work = 0, x0s.shape[0] + len(paths) + n_extra

    def tick(n):
        nonlocal done
        done += n
        if progress is not None:
            progress(done, n_work)

    for lo in range(0, x0s.shape[0], s.batch):  # batch by batch, as s.run would, to report progress
        s.run(x0s[lo:lo + s.batch], deflated=False, captures=True, origins=origins[lo:lo + s.batch])
        tick(min(s.batch, x0s.shape[0] - lo))
    replacements = 4 * len(paths) if new_path is not None else 0
    for start in paths:
        budget = path_solves
        while budget > 0:
            used, end = s.run_path(*start, budget)
            budget -= used
            if end != "returned" or replacements == 0:
                break
            replacements -= 1
            start = new_path()
        tick(1)
    budget = n_extra
    while budget > 0 and s.n > 0:
        n = min(budget, s.batch)
        bases = rng.integers(0, s.n, n)
        base = np.asarray(s.points)[bases]
        s.run(base + perturbation * scale * rng.standard_normal(base.shape), deflated=deflation, captures=False,
              bases=bases)
        budget -= n
        tick(n)
    slow, slow_q = s.fallback(fallback, fallback_iter)
    return s.result(symmetric, discrete, eigenvalues, jacobian, slow, slow_q, time.process_time() - t0)


def network_fixed_points(model: str, J: np.ndarray, theta: np.ndarray, *, n_init: int, rng: np.random.Generator,
                         tol: float = 1e-10, init_states: np.ndarray | None = None, max_iter: int = 50,
                         extra_fraction: float = 0.5, state_fraction: float = 0.125,
                         init_variance: float | None = None, n_paths: int = 0, path_solves: int = 5000,
                         expected_points: float | None = None, **options) -> FixedPoints:
    """Fixed points of network ``model`` (``"rate"`` or ``"map"``), ``x* = J tanh(x*) + theta``.

    ``n_init`` solves in all: ``(1 - extra_fraction) n_init`` independent ones, started from ``init_states``
    (trajectory states, at most ``state_fraction`` of them: at g = 2 Newton converges from few of them, the
    fixed points lying closer to the origin than the attractor) and Gaussian draws of variance
    ``init_variance`` (default: the Kac-Rice ``<x*^2>`` at the ``g``, ``sigma_b`` estimated from ``J``,
    ``theta``; 1 where that is 0), and ``extra_fraction n_init`` deflated solves from perturbed known points.
    The starts are labelled "trajectory" and "gaussian" (``origin``, ``found_by``; :func:`origin_samples`).
    ``n_paths`` homotopy paths (drive ``c``: random signs; :mod:`rnnchaos.homotopy`) of at most ``path_solves``
    corrector solves each run after the independent solves; they find points where Newton no longer converges
    (N >= 500). A path that ends "returned" passes its unused solves to a new one (drive from a stream spawned
    from ``rng``). ``symmetric`` is set when ``theta == 0`` exactly. Other
    ``options`` go to :func:`find_fixed_points`. Raises :class:`NumericalFailure` ("stalled") if no solve
    converges (a fixed point always exists: ``x -> J phi(x) + theta`` maps a box into itself).

    At ``theta = 0`` the point ``x* = 0`` always exists and is added, so a search that found nothing else is
    either the right answer or a failed search. It is failed, :class:`NumericalFailure` ("trivial_only"), when
    other points are expected or must exist:

    * ``expected_points`` (the caller's theory count at this ``g``, ``sigma_b``, ``N``, e.g.
      :func:`theory_count`) is at least :data:`TRIVIAL_ONLY_EXPECTED`. Below the mean-field ``g_c(sigma_b)``
      (:func:`rnnchaos.dmft.critical_gain`; 1 at ``sigma_b = 0``) the Kac-Rice complexity is 0 and ``x* = 0`` is
      the unique point; beyond it the count grows as ``exp(N Sigma)``, which at finite ``N`` just above ``g_c``
      is still about 1 (g = 1.5, N = 100: 2), where a network with only ``x* = 0`` is no failed search.
    * ``J`` has an odd number of real eigenvalues above 1, at any ``g``: then ``sign det DF(0) = -(-1)^N`` while
      the indices of all zeros of ``F(x) = -x + J phi(x)`` sum to the degree ``(-1)^N`` of ``F`` on a large ball
      (where ``-x`` dominates), so other fixed points exist (Brouwer degree; generic, nondegenerate zeros).
    """
    if model not in ("rate", "map"):
        raise ValueError(f"model must be 'rate' or 'map', got {model!r}")
    J, theta = np.asarray(J, dtype=float), np.asarray(theta, dtype=float)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or theta.shape != (J.shape[0],):
        raise ValueError(f"J must be (N, N) and theta (N,), got {J.shape} and {theta.shape}")
    if int(n_init) != n_init or n_init < 1:
        raise ValueError(f"n_init must be an integer >= 1, got {n_init!r}")
    if not 0 <= extra_fraction < 1:
        raise ValueError(f"extra_fraction must be in [0, 1), got {extra_fraction!r}")
    for name, v, lo in (("n_paths", n_paths, 0), ("path_solves", path_solves, 1)):
        if int(v) != v or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if not 0 <= state_fraction <= 1:
        raise ValueError(f"state_fraction must be in [0, 1], got {state_fraction!r}")
    N = J.shape[0]
    n_extra = int(extra_fraction * n_init)
    n_indep = n_init - n_extra
    if init_variance is None:
        init_variance = _theory_variance(float(np.sqrt(np.sum(J**2) / N)), float(np.sqrt(np.mean(theta**2))))
    if not (np.isfinite(init_variance) and init_variance > 0):
        raise ValueError(f"init_variance must be a finite number > 0, got {init_variance!r}")
    states = np.empty((0, N)) if init_states is None else np.atleast_2d(np.asarray(init_states, dtype=float))
    if states.shape[1:] != (N,):
        raise ValueError(f"init_states must have shape (n, {N}), got {states.shape}")
    states = states[np.isfinite(states).all(axis=1)]
    take = rng.permutation(states.shape[0])[: int(state_fraction * n_indep)]
    x0s = np.concatenate([states[take], np.sqrt(init_variance) * rng.standard_normal((n_indep - take.size, N))])
    x0_origin = ["trajectory"] * take.size + ["gaussian"] * (n_indep - take.size)
    JT = J.T
    path_rng = rng.spawn(1)[0]

    def new_path():
        c = path_rng.choice([-1.0, 1.0], size=N)
        return (c, *homotopy.network_start(J, theta, c))

    paths = [new_path() for _ in range(int(n_paths))]

    def field(X):
        return np.tanh(X) @ JT + theta if model == "map" else -X + np.tanh(X) @ JT + theta

    def jac(X):
        D = J[None, :, :] * dphi(X)[:, None, :]
        return D if model == "map" else D - np.eye(N)

    fp = find_fixed_points(field, jac, x0s, tol=tol, max_iter=max_iter, symmetric=not np.any(theta),
                           stability="discrete" if model == "map" else "continuous", n_extra=n_extra, rng=rng,
                           scale=np.sqrt(init_variance), paths=paths, path_solves=path_solves, new_path=new_path,
                           x0_origin=x0_origin, **options)
    if fp.n_converged == 0 and fp.x.shape[0] == 0:
        n_paths_run = fp.path_solves.size
        raise NumericalFailure("stalled", f"none of {fp.n_solves - n_paths_run} Newton solves converged to |F| < "
                               f"{tol:g}, and {n_paths_run} homotopy path(s) of {int(fp.path_solves.sum())} solves "
                               f"in all crossed lambda = 0 at no verified point (raise fixed_points.path_solves)")
    if not np.any(theta) and not np.any(nontrivial(fp.x)):
        _check_trivial_only(fp, J, expected_points, tol)
    return fp


def odd_index_certificate(J: np.ndarray) -> int:
    """Real eigenvalues of ``J`` above 1; if odd, ``x* = J phi(x*)`` has solutions other than 0 (see
    :func:`network_fixed_points`). Real eigenvalues of a real matrix come out of LAPACK with imaginary part 0."""
    ev = np.linalg.eigvals(np.asarray(J, dtype=float))
    return int(np.sum((ev.imag == 0) & (ev.real > 1)))


def theory_count(g: float, sigma_b: float, N: int) -> float:
    """Kac-Rice count ``exp(N Sigma(g, sigma_b))`` (leading order, no prefactor: an underestimate at small ``N``);
    1 below ``g_c``; NaN where the saddle point is not found."""
    from rnnchaos.kac_rice import kac_rice_solution

    try:
        return kac_rice_solution(g, sigma_b).expected_count(N)
    except NumericalFailure:
        return np.nan


def _check_trivial_only(fp: FixedPoints, J: np.ndarray, expected_points: float | None, tol: float) -> None:
    """Raise "trivial_only" where a search that found only ``x* = 0`` missed points that must exist."""
    n_real = odd_index_certificate(J)
    expected = expected_points is not None and expected_points >= TRIVIAL_ONLY_EXPECTED
    if not (expected or n_real % 2):
        return
    why = []
    if expected:
        why.append(f"theory expects about {expected_points:.3g} fixed points here (Kac-Rice exp(N Sigma), g beyond "
                   f"g_c(sigma_b))")
    if n_real % 2:
        why.append(f"J has {n_real} real eigenvalue(s) above 1, an odd number, so by the index (degree) theorem "
                   "other fixed points exist")
    n_paths_run = fp.path_solves.size
    raise NumericalFailure(
        "trivial_only", f"only x* = 0 found: {fp.n_converged} of {fp.n_solves - n_paths_run} Newton solves "
        f"converged to |F| < {tol:g} (all to 0) and {n_paths_run} homotopy path(s) of "
        f"{int(fp.path_solves.sum())} solves in all found no other point, but {' and '.join(why)} (raise "
        "fixed_points.n_init, fixed_points.max_iter, fixed_points.n_paths or fixed_points.path_solves)")


def capture_recapture(counts: np.ndarray, n_occasions: int | None = None) -> tuple[float, float]:
    """Bias-corrected Chao estimate of the number of classes, and its s.e. (Chao 1987; Chao et al. 2005).

    ``counts``: captures per class (abundance data: Chao1) or, with ``n_occasions = m``, the number of occasions
    that found each class (incidence data: Chao2, the correction scaled by ``(m - 1) / m``).
    """
    counts = np.asarray(counts)
    counts = counts[counts > 0]
    f1, f2, s_obs = float(np.sum(counts == 1)), float(np.sum(counts == 2)), float(counts.size)
    a = (n_occasions - 1) / n_occasions if n_occasions else 1.0
    est = s_obs + a * f1 * (f1 - 1) / (2 * (f2 + 1))
    var = (a * f1 * (f1 - 1) / (2 * (f2 + 1)) + a**2 * f1 * (2 * f1 - 1) ** 2 / (4 * (f2 + 1) ** 2)
           + a**2 * f1**2 * f2 * (f1 - 1) ** 2 / (4 * (f2 + 1) ** 4))
    return est, float(np.sqrt(max(var, 0.0)))


def chapman(first: set, second: set) -> tuple[float, float]:
    """Lincoln-Petersen estimate with Chapman's correction from two capture occasions, and its s.e."""
    n1, n2, m = len(first), len(second), len(first & second)
    est = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return float(est), float(np.sqrt(var))


def to_dataset(fp: FixedPoints) -> xr.Dataset:
    """The points as a Dataset (dims ``fp``, ``i``, ``eig``, ``solve``, ``slow``); every variable has units."""
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    n = fp.x.shape[0]
    ds = xr.Dataset({
        "x": (("fp", "i"), fp.x, a("fixed-point coordinates x*_i")),
        "residual": (("fp",), fp.residual, a("|F(x*)|_inf after the final Newton polish")),
        "eig_real": (("fp", "eig"), fp.eigvals.real, a("real part of the Jacobian eigenvalues")),
        "eig_imag": (("fp", "eig"), fp.eigvals.imag, a("imaginary part of the Jacobian eigenvalues")),
        "n_unstable": (("fp",), fp.n_unstable, a("number of unstable directions (index)")),
        "kind": (("fp",), _codes(fp.kind),
                 {**a("stability class"), "flag_values": np.arange(3, dtype=np.int8),
                  "flag_meanings": " ".join(KINDS)}),
        "max_real_eig": (("fp",), fp.max_real_eig, a("largest real part of the Jacobian eigenvalues")),
        "spectral_radius": (("fp",), fp.spectral_radius, a("largest modulus of the Jacobian eigenvalues")),
        "times_found": (("fp",), fp.times_found, a("independent solves that returned the point")),
        "origin": (("fp",), fp.origin.astype(np.int8), {**a("how the point was first found"), "flag_values":
                   np.arange(len(ORIGINS), dtype=np.int8), "flag_meanings": " ".join(ORIGINS)}),
        "found_by": (("fp",), fp.found_by.astype(np.int8), {
            **a("kinds of start whose chains of solves returned the point (deflation, fallback and mirror "
                "inherit the root of the point they came from)"),
            "flag_masks": (1 << np.arange(len(ROOTS))).astype(np.int8), "flag_meanings": " ".join(ROOTS)}),
        "saturation_unique": (("solve",), fp.saturation[1], a("unique fixed points after this many solves")),
        "iterations": (("solve",), fp.iterations, a("Newton iterations of the solve (corrector solves of a path)")),
        "slow_points": (("slow", "i"), fp.slow_points, a("slow points (local minima of q = |F|^2/2 > 0)")),
        "slow_q": (("slow",), fp.slow_q, a("q = |F|^2/2 at the slow point")),
        "path_crossings": (("path",), fp.path_crossings, a("sign changes of lambda along the homotopy path")),
        "path_solves": (("path",), fp.path_solves, a("corrector solves of the homotopy path")),
        "path_points": (("path",), fp.path_points, a("verified fixed points on the homotopy path")),
        "path_end": (("path",), fp.path_end.astype(np.int8), {**a("how the path tracking ended"), "flag_values":
                     np.arange(len(homotopy.ENDS), dtype=np.int8), "flag_meanings": " ".join(homotopy.ENDS)}),
    }, coords={"solve": ("solve", fp.saturation[0], a("Newton solves and homotopy paths so far"))})
    scalars = {
        "n_fixed_points": (n, "number of verified unique fixed points"),
        "n_stable": (int(np.sum(fp.n_unstable == 0)), "number of stable fixed points"),
        "mean_sq_radius": (mean_sq_radius(fp.x), "mean squared coordinate <x*^2> of the points other than 0"),
        "n_solves": (fp.n_solves, "Newton solves"), "n_converged": (fp.n_converged, "converged solves"),
        "capture_recapture_estimate": (fp.capture_recapture_estimate, "Chao2 estimate of the number of points "
                                       "(incidence over the independent occasions; at least the number found)"),
        "capture_recapture_se": (fp.capture_recapture_se, "standard error of the Chao2 estimate"),
        "chapman_estimate": (fp.chapman_estimate, "Lincoln-Petersen/Chapman estimate (two halves of occasions; "
                             "at least the number found)"),
        "chapman_se": (fp.chapman_se, "standard error of the Chapman estimate"),
        "n_mirror_found": (fp.n_mirror_found, "pairs {x*, -x*} both found by solves (-1: not symmetric)"),
        "n_fallback": (fp.n_fallback, "solves passed to the q-minimisation fallback"),
        "cpu_time": (fp.cpu_time, "CPU time of the search", "s"),
    }
    for root, o in origin_samples(fp.x, fp.found_by, symmetric=fp.symmetric).items():
        who = ("any of " + ", ".join(UNBIASED_ROOTS) + " (starts that do not favour the attractor)"
               if root == "unbiased" else root)
        scalars[f"n_from_{root}"] = (o.n, f"points other than 0 found by chains of solves from {who} starts")
        scalars[f"mean_sq_radius_from_{root}"] = (o.mean_sq_radius, f"<x*^2> of the points other than 0 found "
                                                  f"from {who} starts (NaN: none)")
        scalars[f"mean_sq_radius_from_{root}_sem"] = (
            o.sem, "spread of |x*|^2/N of these points over sqrt(independent points): a lower bound on the error "
                   "(points of one search are correlated)")
        if root != "unbiased":
            k = ROOTS.index(root)
            scalars[f"starts_from_{root}"] = (int(fp.root_starts[k]), f"independent solves (paths) from {root} "
                                              "starts")
            scalars[f"converged_from_{root}"] = (int(fp.root_converged[k]), f"{root} starts that reached a "
                                                 "verified point, by Newton or its fallback (paths: with at least one)")
    for k, (v, *rest) in scalars.items():
        ds[k] = xr.DataArray(v, attrs=a(*rest))
    ds.attrs.update(stability=fp.stability, symmetric=int(fp.symmetric))
    return ds


class _Search:
    """Bookkeeping of one search: known points, captures, saturation curve, stalled end points."""

    def __init__(self, R, DR, N, tol, max_iter, scale, dedup_rtol, batch, trust_radius, deflation_radius,
                 line_search):
        self.R, self.DR, self.N, self.tol, self.max_iter, self.batch = R, DR, N, tol, max_iter, batch
        length = scale * np.sqrt(N)  # typical |x*|
        self.cap, self.ell, self.line_search = trust_radius * length, deflation_radius * length, line_search
        self.dedup = dedup_rtol * length
        self.points, self.times_found, self.origin, self.buckets = [], [], [], {}
        self.direct, self.parents = [], []  # per point: root bits of the chains that returned it, and its parents
        self.root_counts = np.zeros((2, len(ROOTS)), dtype=int)  # starts and converged starts per root
        self.saturation, self.iterations, self.stalled, self.occasions = [], [], [], []
        self.paths = []
        self.w = np.random.default_rng(0).standard_normal(N) / np.sqrt(N)  # projection for hashing
        self.n_converged = self.n_fallback = 0

    @property
    def n(self):
        return len(self.points)

    def find(self, x):
        k = int(np.floor(self.w @ x / (10 * self.dedup)))
        for b in (k - 1, k, k + 1):
            for i in self.buckets.get(b, ()):
                if np.linalg.norm(self.points[i] - x) < self.dedup:
                    return i, k
        return -1, k

    def add(self, x, origin, root=0, parent=-1):
        """The index of ``x`` among the known points (appended if new); ``root`` (bits over :data:`ROOTS`) and
        ``parent`` (the known point a deflated solve, fallback or mirror came from) are recorded on it."""
        i, k = self.find(x)
        if i < 0:
            i = self.n
            self.points.append(x.copy())
            self.times_found.append(0)
            self.origin.append(origin)
            self.direct.append(0)
            self.parents.append(set())
            self.buckets.setdefault(k, []).append(i)
        self.direct[i] |= root
        if parent >= 0 and parent != i:
            self.parents[i].add(int(parent))
        return i

    def run(self, X0, *, deflated, captures, origins=None, bases=None):
        """Solves from ``X0``: independent ones (``origins``: :data:`ORIGINS` codes) or deflated ones from
        perturbations of the known points ``bases``."""
        ids = np.full(X0.shape[0], -1)
        for lo in range(0, X0.shape[0], self.batch):
            known = np.asarray(self.points) if deflated and self.n else None
            X, ok, it = _newton(self.R, self.DR, X0[lo:lo + self.batch], self.tol, self.max_iter, known, self.ell,
                                self.cap, self.line_search)
            X, ok = _polish(self.R, self.DR, X, ok, self.tol)
            for j in range(X.shape[0]):
                self.iterations.append(it[j])
                if bases is not None:
                    origin, root, parent = 1, 0, int(bases[lo + j])
                else:
                    origin, parent = int(origins[lo + j]), -1
                    root = 1 << ROOTS.index(ORIGINS[origin])
                    self.root_counts[:, ROOTS.index(ORIGINS[origin])] += (1, int(ok[j]))
                if ok[j]:
                    ids[lo + j] = self.add(X[j], origin, root, parent)
                    self.n_converged += 1
                else:
                    self.stalled.append((X[j], root, parent))
                if captures:
                    self.capture({int(ids[lo + j])} if ok[j] else set())
                self.saturation.append(self.n)
        return ids

    def capture(self, ids):
        """Record one sampling occasion that found the points ``ids``."""
        self.occasions.append(ids)
        for i in ids:
            self.times_found[i] += 1

    def run_path(self, c, x0, lam0, max_solves):
        R1 = lambda x: self.R(x[None])[0]  # noqa: E731
        DR1 = lambda x: self.DR(x[None])[0]  # noqa: E731
        path = homotopy.track_path(R1, DR1, np.asarray(c, float), np.asarray(x0, float), float(lam0), tol=self.tol,
                                   max_steps=max_solves)
        X, ok = _polish(self.R, self.DR, path.x.copy(), np.ones(path.x.shape[0], bool), self.tol)
        bit = 1 << ROOTS.index("homotopy")
        self.capture({self.add(x, ORIGINS.index("homotopy"), bit) for x in X[ok]})
        self.root_counts[:, ROOTS.index("homotopy")] += (1, int(ok.any()))
        self.iterations.append(path.n_steps)
        self.saturation.append(self.n)
        self.paths.append((path.n_crossings, path.n_steps, int(ok.sum()), homotopy.ENDS.index(path.end)))
        return path.n_steps, path.end

    def fallback(self, n_max, n_iter):
        if not self.stalled or n_max < 1:
            return np.empty((0, self.N)), np.empty(0)
        X0 = np.asarray([s[0] for s in self.stalled[:n_max]])
        self.n_fallback = X0.shape[0]
        slow, slow_q = [], []
        for lo in range(0, X0.shape[0], self.batch):
            X, q, stationary = _levenberg_marquardt(self.R, self.DR, X0[lo:lo + self.batch], self.tol, n_iter)
            X, ok = _polish(self.R, self.DR, X, np.abs(self.R(X)).max(axis=1) < self.tol, self.tol)
            for j in range(X.shape[0]):
                if ok[j]:
                    _, root, parent = self.stalled[lo + j]
                    self.add(X[j], 2, root, parent)
                    if root:  # an independent start that Newton did not bring home, the fallback did
                        self.root_counts[1, root.bit_length() - 1] += 1
                elif stationary[j] and not any(np.linalg.norm(s - X[j]) < self.dedup for s in slow):
                    slow.append(X[j])
                    slow_q.append(q[j])
        return np.reshape(slow, (-1, self.N)), np.asarray(slow_q, dtype=float)

    def found_by(self):
        """Root bits of every point: its own, and (transitively) those of the points it was reached from."""
        mask = np.array(self.direct, dtype=int)
        changed = True
        while changed:
            new = mask.copy()
            for i, ps in enumerate(self.parents):
                for j in ps:
                    new[i] |= mask[j]
            changed = bool(np.any(new != mask))
            mask = new
        return mask

    def result(self, symmetric, discrete, eigenvalues, jacobian, slow, slow_q, cpu):
        found = self.n
        label = {i: i for i in range(found)}  # occasions count captures of these classes
        est_offset, factor, n_mirror = 0, 1, -1
        if symmetric:  # add -x* and 0; count captures on the orbits {x, -x}, x != 0 (0 is known to exist)
            mirror = np.array([self.find(-x)[0] for x in self.points[:found]], dtype=int).reshape(found)
            n_mirror = int(np.sum((mirror >= 0) & (mirror > np.arange(found))))
            for i in range(found):  # -x* (added if no solve found it) is reached by the same kinds of start as x*:
                j = self.add(-self.points[i], 3, parent=i)  # F is odd, and so are the Gaussian draws
                if j != i:
                    self.parents[i].add(j)
            if self.find(np.zeros(self.N))[0] < 0:
                self.add(np.zeros(self.N), 3)
            label = {i: int(min(i, mirror[i])) if mirror[i] >= 0 else i for i in range(found) if mirror[i] != i}
            est_offset, factor = 1, 2
        classes = lambda occ: {label[i] for i in occ if i in label}  # noqa: E731
        incidence = np.bincount(np.array([k for occ in self.occasions for k in classes(occ)], dtype=int), minlength=1)
        est, se = capture_recapture(incidence, n_occasions=len(self.occasions))
        half = len(self.occasions) // 2  # deflated solves are no occasions, so these are the sampling occasions
        c_est, c_se = chapman(*(set().union(*map(classes, h)) for h in (self.occasions[:half], self.occasions[half:])))
        est, se, c_est, c_se = factor * est + est_offset, factor * se, factor * c_est + est_offset, factor * c_se
        X = np.asarray(self.points).reshape(-1, self.N)
        res = np.abs(self.R(X)).max(axis=1) if X.shape[0] else np.empty(0)
        keep = res < self.tol
        X = X[keep]
        # The occasions sample the points independent solves reach; deflated solves add points off that design,
        # which belong to the occasions' unseen part. The total is at least what was found.
        est, c_est = max(est, float(X.shape[0])), max(c_est, float(X.shape[0]))
        ev = _eigvals(jacobian, X, self.batch) if eigenvalues and X.shape[0] else np.full(X.shape, np.nan + 0j)
        unstable = np.abs(ev) > 1 if discrete else ev.real > 0
        n_unst = unstable.sum(axis=1)
        kind = np.where(n_unst == 0, 0, np.where(n_unst == self.N, 2, 1))
        return FixedPoints(
            x=X, residual=res[keep], eigvals=ev, n_unstable=n_unst, kind=np.asarray(KINDS)[kind],
            max_real_eig=ev.real.max(axis=1, initial=-np.inf) if X.shape[0] else np.empty(0),
            spectral_radius=np.abs(ev).max(axis=1, initial=0.0) if X.shape[0] else np.empty(0),
            times_found=np.asarray(self.times_found, dtype=int)[keep], origin=np.asarray(self.origin)[keep],
            found_by=self.found_by()[keep], root_starts=self.root_counts[0].copy(),
            root_converged=self.root_counts[1].copy(),
            n_solves=len(self.iterations), n_converged=self.n_converged,
            saturation=(np.arange(1, len(self.saturation) + 1), np.asarray(self.saturation, dtype=int)),
            capture_recapture_estimate=est, capture_recapture_se=se, chapman_estimate=c_est, chapman_se=c_se,
            n_mirror_found=n_mirror, slow_points=slow, slow_q=slow_q,
            iterations=np.asarray(self.iterations, dtype=int), n_fallback=self.n_fallback, cpu_time=cpu,
            **{f"path_{k}": np.asarray(v, dtype=int) for k, v in
               zip(("crossings", "solves", "points", "end"), np.reshape(self.paths, (-1, 4)).T, strict=True)},
            stability="discrete" if discrete else "continuous", symmetric=bool(symmetric))


def _newton(R, DR, X, tol, max_iter, known, ell, cap, line_search=False, n_backtrack=12, n_deflate=8):
    """Newton with a step cap ``cap`` (optionally deflated, optionally with an Armijo line search on ``|G|``).

    Returns the end points, the converged mask and the iterations used.
    """
    X = np.array(X, dtype=float)
    F = R(X)
    res = np.abs(F).max(axis=1)
    conv, alive, it = res < tol, np.isfinite(res) & (res >= tol), np.zeros(X.shape[0], dtype=int)
    for _ in range(max_iter):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        x, f = X[idx], F[idx]
        d = _solve(DR(x), -f)
        near = _nearest(x, known, n_deflate) if known is not None else None
        if near is not None:
            lnM, v = _deflation(x, known, near, ell)
            den = 1.0 - np.sum(v * d, axis=1)
            d /= np.where(np.abs(den) > 1e-8, den, 1e-8)[:, None]
        d *= np.minimum(1.0, cap / np.maximum(np.linalg.norm(d, axis=1), 1e-300))[:, None]
        if not line_search:
            xn = x + d
            fn = R(xn)
            acc = np.isfinite(fn).all(axis=1)
        else:
            merit = _log_norm(f) + (lnM if near is not None else 0.0)
            t, acc, xn, fn = np.ones(idx.size), np.zeros(idx.size, bool), x.copy(), f.copy()
            for _k in range(n_backtrack):
                p = np.flatnonzero(~acc)
                xt = x[p] + t[p, None] * d[p]
                ft = R(xt)
                mt = _log_norm(ft) + (_deflation(xt, known, near[p], ell)[0] if near is not None else 0.0)
                ok = np.isfinite(mt) & (mt <= merit[p] + np.log1p(-1e-4 * t[p]))
                xn[p[ok]], fn[p[ok]], acc[p[ok]] = xt[ok], ft[ok], True
                t[p[~ok]] *= 0.5
                if acc.all():
                    break
        X[idx[acc]], F[idx[acc]] = xn[acc], fn[acc]
        it[idx] += 1
        r = np.abs(F[idx]).max(axis=1)
        conv[idx] = r < tol
        alive[idx] = acc & (r >= tol)
    return X, conv, it


def _log_norm(f):
    return 0.5 * np.log(np.maximum(np.sum(f * f, axis=1), 1e-300))


def _polish(R, DR, X, ok, tol):
    """One undeflated Newton step on converged points; keep it where it does not raise the residual."""
    ok = ok.copy()
    if ok.any():
        x = X[ok]
        f = R(x)
        xn = x + _solve(DR(x), -f)
        better = np.abs(R(xn)).max(axis=1) <= np.abs(f).max(axis=1)
        X[np.flatnonzero(ok)[better]] = xn[better]
        ok[ok] = np.abs(R(X[ok])).max(axis=1) < tol
    return X, ok


def _levenberg_marquardt(R, DR, X, tol, n_iter):
    """Batched Levenberg-Marquardt minimisation of q = |R|^2/2; returns end points, q, stationarity flags."""
    X = np.array(X, dtype=float)
    F = R(X)
    q = 0.5 * np.sum(F * F, axis=1)
    lam = np.full(X.shape[0], 1e-3)
    for _ in range(n_iter):
        A = DR(X)
        At = np.swapaxes(A, 1, 2)
        g = (At @ F[..., None])[..., 0]
        H = At @ A
        scale = np.trace(H, axis1=1, axis2=2) / X.shape[1]
        Xn = X + _solve(H + (lam * scale)[:, None, None] * np.eye(X.shape[1]), -g)
        Fn = R(Xn)
        qn = 0.5 * np.sum(Fn * Fn, axis=1)
        ok = np.isfinite(qn) & (qn < q)
        X[ok], F[ok], q[ok] = Xn[ok], Fn[ok], qn[ok]
        lam = np.where(ok, lam / 3, lam * 4)
        if np.all(np.abs(F).max(axis=1) < tol):
            break
    grad = np.linalg.norm((np.swapaxes(DR(X), 1, 2) @ F[..., None])[..., 0], axis=1)
    return X, q, grad <= 1e-4 * np.sqrt(2 * q)


def _solve(A, b):
    """Stacked ``A x = b``; singular systems fall back to least squares one by one."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.lstsq(a, v, rcond=None)[0] for a, v in zip(A, b, strict=True)])


def _nearest(x, known, k):
    d2 = np.sum(x * x, axis=1)[:, None] + np.sum(known * known, axis=1)[None, :] - 2 * x @ known.T
    k = min(k, known.shape[0])
    return np.argpartition(d2, k - 1, axis=1)[:, :k]


def _deflation(x, known, near, ell, p=2.0):
    """``ln M(x)`` and ``grad ln M(x)`` for ``M = prod_k ((ell / |x - x_k|)^p + 1)`` over ``near`` roots."""
    r = x[:, None, :] - known[near]
    s2 = np.maximum(np.sum(r * r, axis=2) / ell**2, 1e-300)
    a = s2 ** (-p / 2)
    lnM = np.sum(np.log1p(a), axis=1)
    grad = np.sum((-p * a / s2 / (1 + a))[:, :, None] * r, axis=1) / ell**2
    return lnM, grad


def _eigvals(jacobian, X, batch):
    return np.concatenate([np.linalg.eigvals(jacobian(X[lo:lo + batch])) for lo in range(0, X.shape[0], batch)])


def nontrivial(X: np.ndarray) -> np.ndarray:
    """Mask of the points (rows of ``X``) other than the trivial fixed point ``x* = 0`` (``|x*|_inf > 1e-8``)."""
    return np.abs(np.asarray(X, dtype=float)).max(axis=1, initial=0.0) > TRIVIAL_ATOL


def mean_sq_radius(X: np.ndarray) -> float:
    """``<x*^2>`` over the coordinates of the points other than ``x* = 0`` (as the Kac-Rice ``<y^2>_mu*``);
    0 if ``x* = 0`` is the only point (the Kac-Rice value below ``g_c``), NaN if there is no point."""
    X = np.asarray(X, dtype=float)
    nonzero = X[nontrivial(X)]
    return float(np.mean(nonzero**2)) if nonzero.shape[0] else (0.0 if X.shape[0] else np.nan)


@dataclass(frozen=True)
class OriginSample:
    """``<x*^2>`` of the points other than ``x* = 0`` that chains of one kind of start returned.

    ``n``: points; ``mean_sq_radius``: mean over their coordinates (NaN if ``n = 0``); ``sem``: spread of the
    per-point ``|x*|^2 / N`` over the square root of the number of independent points (mirror pairs at
    ``sigma_b = 0`` count once), NaN below 2. The points of one network are no independent draws (a deflation
    chain or a path visits neighbours, and all share one J), so ``sem`` is the error of this network's sample
    mean about its own population only if the points were drawn independently: a lower bound; across networks
    use the networks as samples (:mod:`rnnchaos.summary`).
    """

    n: int
    mean_sq_radius: float
    sem: float


def origin_samples(X: np.ndarray, found_by: np.ndarray, *, symmetric: bool,
                   roots: Sequence[str] = ROOTS) -> dict[str, OriginSample]:
    """:class:`OriginSample` of the points found by each of ``roots`` (names in :data:`ROOTS`), and
    ``"unbiased"``: those found by any of :data:`UNBIASED_ROOTS`. Unweighted: every distinct point counts once,
    whichever and however many solves returned it (an estimate of the population's ``<x*^2>`` as far as the
    chance of finding a point does not depend on its radius; tested on saturated searches)."""
    X = np.asarray(X, dtype=float).reshape(len(found_by), -1)
    found_by = np.asarray(found_by, dtype=int)
    for r in roots:
        if r not in ROOTS:
            raise ValueError(f"roots must be names in {ROOTS}, got {r!r}")
    masks = {r: 1 << ROOTS.index(r) for r in roots}
    masks["unbiased"] = sum(1 << ROOTS.index(r) for r in UNBIASED_ROOTS)
    radius = np.mean(X**2, axis=1)
    keep = nontrivial(X)
    out = {}
    for name, bits in masks.items():
        sel = keep & ((found_by & bits) > 0)
        r = radius[sel]
        indep = r[X[sel, 0] > 0] if symmetric else r  # one of each pair {x*, -x*} (the sample holds both)
        out[name] = OriginSample(int(r.size), float(r.mean()) if r.size else np.nan,
                                 float(indep.std(ddof=1) / np.sqrt(indep.size)) if indep.size >= 2 else np.nan)
    return out


def _codes(kind):
    return np.asarray([KINDS.index(k) for k in kind], dtype=np.int8)


def _theory_variance(g, sigma_b):
    from rnnchaos.kac_rice import kac_rice_solution

    try:
        v = kac_rice_solution(g, sigma_b).mean_sq_radius
    except NumericalFailure:
        v = 0.0
    return v if v > 1e-6 else 1.0


def _check_options(*, tol, max_iter, stability, n_extra, rng, dedup_rtol, fallback, fallback_iter, **positive):
    if not (np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")
    for name, v, lo in (("max_iter", max_iter, 1), ("n_extra", n_extra, 0), ("fallback", fallback, 0),
                        ("fallback_iter", fallback_iter, 1)):
        if int(v) != v or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if stability not in ("continuous", "discrete"):
        raise ValueError(f"stability must be 'continuous' or 'discrete', got {stability!r}")
    if n_extra > 0 and rng is None:
        raise ValueError("rng (a numpy.random.Generator) is required when n_extra > 0")
    if not 0 < dedup_rtol < 1e-2:
        raise ValueError(f"dedup_rtol must be in (0, 1e-2), got {dedup_rtol!r}")
    for name, v in positive.items():
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
