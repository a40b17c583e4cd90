"""Fixed points of the rate network and the map: the network search, its failure decisions and its NetCDF form.

Both models have the fixed points ``x* = J phi(x*) + theta`` (rate: ``F(x) = -x + J phi(x) + theta = 0``; map:
``a = J phi(a) + theta``). Stability differs: the rate network's ``x*`` is stable iff all eigenvalues of
``-I + J diag(phi'(x*))`` have negative real part (``stability="continuous"``), the map's iff all eigenvalues of
``J diag(phi'(x*))`` lie inside the unit circle (``stability="discrete"``).

:func:`network_fixed_points` chooses the starts (trajectory states, Gaussian draws of the Kac-Rice variance,
bias-homotopy paths) and decides when a search failed ("stalled": nothing verified; "trivial_only": only
``x* = 0`` where other points are expected or must exist); :func:`model_fixed_points` searches any
:class:`rnnchaos.model.Model`; :func:`to_dataset` writes the result as a Dataset.
The layers below, each usable alone:

* :mod:`rnnchaos.fixed_point_search`: :func:`find_fixed_points` for any ``F`` (independent, deflated and
  fallback solves, homotopy paths, verification, deduplication, mirrors, origins);
* :mod:`rnnchaos.fixed_point_solver`: the batched Newton, Levenberg-Marquardt and polish kernels;
* :mod:`rnnchaos.homotopy`: pseudo-arclength continuation in a bias drive;
* :mod:`rnnchaos.fixed_point_statistics`: capture-recapture counts and ``<x*^2>`` by the kind of start;
* :mod:`rnnchaos.fixed_point_result`: the :class:`FixedPoints` result and the names of its coded fields.

:func:`find_fixed_points` and :class:`FixedPoints` are also reachable from here (``__all__``), the package's
entry point for fixed points.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from rnnchaos import homotopy, models
from rnnchaos.fixed_point_result import KINDS, ORIGINS, ROOTS, UNBIASED_ROOTS, FixedPoints
from rnnchaos.fixed_point_search import find_fixed_points
from rnnchaos.fixed_point_statistics import mean_sq_radius, nontrivial, origin_samples
from rnnchaos.kac_rice import kac_rice_solution
from rnnchaos.nonlinearity import TANH, Nonlinearity
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.status import NumericalFailure

__all__ = ["TRIVIAL_ONLY_EXPECTED", "FixedPoints", "find_fixed_points", "model_fixed_points", "network_fixed_points",
           "odd_index_certificate", "theory_count", "to_dataset"]

#: A search that found only ``x* = 0`` where the theory expects at least this many points has failed.
TRIVIAL_ONLY_EXPECTED = 10.0


def network_fixed_points(model, J: np.ndarray | None = None, theta: np.ndarray | None = None, *, n_init: int,
                         rng: np.random.Generator,
                         tol: float = 1e-10, init_states: np.ndarray | None = None, max_iter: int = 50,
                         extra_fraction: float = 0.5, state_fraction: float = 0.125,
                         init_variance: float | None = None, n_paths: int = 0, path_solves: int = 5000,
                         expected_points: float | None = None, **options) -> FixedPoints:
    """Fixed points of the network ``model``, ``x* = J phi(x*) + theta``: a :class:`rnnchaos.models.RateModel` or
    :class:`~rnnchaos.models.MapModel` (any nonlinearity), or a name with ``J``, ``theta`` (tanh; older form).
    Any other model: :func:`model_fixed_points`.

    ``n_init`` solves in all: ``(1 - extra_fraction) n_init`` independent ones, started from ``init_states``
    (trajectory states, at most ``state_fraction`` of them: at g = 2 Newton converges from few of them, the
    fixed points lying closer to the origin than the attractor) and Gaussian draws of variance
    ``init_variance`` (default: the Kac-Rice ``<x*^2>`` at the ``g``, ``sigma_b`` estimated from ``J``,
    ``theta`` and the model's ``phi``; 1 where that is 0), and ``extra_fraction n_init``
    deflated solves from perturbed known points.
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
    model = models.as_model(model, J, theta)
    if not isinstance(model, models.Network):
        raise TypeError(f"network_fixed_points needs a network model (rnnchaos.models), got {model!r}; "
                        "use model_fixed_points")
    J, theta, phi = model.J, model.theta, model.phi
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
        init_variance = _theory_variance(float(np.sqrt(np.sum(J**2) / N)), float(np.sqrt(np.mean(theta**2))), phi)
    if not (np.isfinite(init_variance) and init_variance > 0):
        raise ValueError(f"init_variance must be a finite number > 0, got {init_variance!r}")
    states = np.empty((0, N)) if init_states is None else np.atleast_2d(np.asarray(init_states, dtype=float))
    if states.shape[1:] != (N,):
        raise ValueError(f"init_states must have shape (n, {N}), got {states.shape}")
    states = states[np.isfinite(states).all(axis=1)]
    take = rng.permutation(states.shape[0])[: int(state_fraction * n_indep)]
    x0s = np.concatenate([states[take], np.sqrt(init_variance) * rng.standard_normal((n_indep - take.size, N))])
    x0_origin = ["trajectory"] * take.size + ["gaussian"] * (n_indep - take.size)
    path_rng = rng.spawn(1)[0]

    def new_path():
        c = path_rng.choice([-1.0, 1.0], size=N)
        return (c, *homotopy.network_start(J, theta, c, nonlinearity=phi))

    paths = [new_path() for _ in range(int(n_paths))]

    field, jac, stability = model.fixed_point_system()
    fp = find_fixed_points(field, jac, x0s, tol=tol, max_iter=max_iter, symmetric=phi.odd and not np.any(theta),
                           stability=stability, n_extra=n_extra, rng=rng,
                           scale=np.sqrt(init_variance), paths=paths, path_solves=path_solves, new_path=new_path,
                           x0_origin=x0_origin, **options)
    if fp.n_converged == 0 and fp.x.shape[0] == 0:
        n_paths_run = fp.path_solves.size
        raise NumericalFailure("stalled", f"none of {fp.n_solves - n_paths_run} Newton solves converged to |F| < "
                               f"{tol:g}, and {n_paths_run} homotopy path(s) of {int(fp.path_solves.sum())} solves "
                               f"in all crossed lambda = 0 at no verified point (raise fixed_points.path_solves)")
    if phi.odd and not np.any(theta) and not np.any(nontrivial(fp.x)):
        _check_trivial_only(fp, J, expected_points, tol)
    return fp


def model_fixed_points(model, x0s: np.ndarray, **options) -> FixedPoints:
    """Fixed points of any :class:`rnnchaos.model.Model` from the starts ``x0s`` (n0, n), by
    :func:`find_fixed_points` (``options``: its keywords, e.g. ``tol``, ``n_extra`` with ``rng``).

    A model with ``flow = True`` (a discretised vector field) solves ``residual(x) = 0`` and classifies each point
    by the eigenvalues of ``residual_jacobian`` (continuous time: unstable where ``Re > 0``); any other model
    solves ``step(x) = x`` and classifies by the step's ``jacobian`` (unstable where ``|mu| > 1``). A model with a
    batched ``fixed_point_system()`` (the networks) uses it.
    """
    if hasattr(model, "fixed_point_system"):
        F, jac, stability = model.fixed_point_system()
        return find_fixed_points(F, jac, x0s, stability=stability, **options)
    if getattr(model, "flow", False):
        return find_fixed_points(model.residual, model.residual_jacobian, x0s, stability="continuous",
                                 vectorized=False, **options)
    return find_fixed_points(model.step, model.jacobian, x0s, stability="discrete", vectorized=False, **options)


def odd_index_certificate(J: np.ndarray) -> int:
    """Real eigenvalues of ``J`` above 1; if odd, ``x* = J phi(x*)`` has solutions other than 0 (see
    :func:`network_fixed_points`). Real eigenvalues of a real matrix come out of LAPACK with imaginary part 0."""
    ev = np.linalg.eigvals(np.asarray(J, dtype=float))
    return int(np.sum((ev.imag == 0) & (ev.real > 1)))


def theory_count(g: float, sigma_b: float, N: int, nonlinearity: str | Nonlinearity = TANH) -> float:
    """Kac-Rice count ``exp(N Sigma(g, sigma_b))`` of the network with ``phi = nonlinearity`` (leading order, no
    prefactor: an underestimate at small ``N``); 1 below ``g_c``; NaN where the saddle point is not found."""
    try:
        return kac_rice_solution(g, sigma_b, nonlinearity=get_nonlinearity(nonlinearity)).expected_count(N)
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


def _codes(kind):
    return np.asarray([KINDS.index(k) for k in kind], dtype=np.int8)


def _theory_variance(g, sigma_b, nonlinearity=TANH):
    try:
        v = kac_rice_solution(g, sigma_b, nonlinearity=nonlinearity).mean_sq_radius
    except NumericalFailure:
        v = 0.0
    return v if v > 1e-6 else 1.0
