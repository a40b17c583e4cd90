"""Slow points of any model: local minima of the speed ``q(x) = |R(x)|^2 / 2`` above zero (Sussillo & Barak 2013).

``R`` is the model's fixed-point residual (:class:`rnnchaos.model.Model`): the vector field ``F`` of a flow, so
``q`` is half the squared speed, or ``S(x) - x`` of a map or cell. Fixed points are the zeros of ``q``; a *slow
point* is a local minimum with ``0 < q <= q_tol``: a region the dynamics crosses slowly without stopping there
(the ghost of a saddle-node bifurcation, ``dx/dt = x^2 + eps``, has one at ``x = 0`` with ``q = eps^2 / 2``).
Sussillo & Barak (Neural Comput. 25, 626, 2013) start minimisations of ``q`` from states along trajectories and
keep the end points under a threshold ``q_tol``; :func:`find_slow_points` does that:

1. ``n_starts`` states drawn (``rng``) from a trajectory (``states``, e.g. :func:`trajectory_states` or a test
   trial), optionally perturbed by ``perturbation * scale`` per coordinate;
2. from each, a trust-region minimisation of ``q`` with the exact gradient ``DR^T R`` and the Gauss-Newton
   Hessian ``DR^T DR`` (:func:`minimise_q`: scipy's ``trust-exact``, More & Sorensen's nearly exact subproblem
   solution), the Hessian of seed 003 (its eq. 13; MATLAB's trust-region fminunc there). Measured on the
   N = 1000 flip-flop network of :mod:`rnnchaos.training` (defaults): L-BFGS, whose curvature pairs learn the
   full Hessian, ran out of 1000 iterations from all of 16 test-trial states; ``trust-exact`` converged from
   the 3 tried in 13-66 iterations. On the ghost of a saddle-node, where ``DR^T DR`` is singular at the slow
   point, ``trust-exact`` converges in about 35 iterations (``trust-krylov`` did not in 1000);
3. each end point is sorted into one :data:`OUTCOMES`: ``"fixed"`` if Newton from it
   (:func:`rnnchaos.fixed_point_solver.newton` and ``polish``) reaches ``|R|_inf < fixed_tol`` within
   ``fixed_radius`` (so a minimisation that stopped short of a fixed point is never called slow), else
   ``"above_tol"`` if ``q > q_tol``, ``"not_stationary"`` if ``|DR^T R| > grad_rtol |DR|_F |R|``,
   else a candidate;
4. candidates closer than ``dedup_rtol * sqrt(n) * scale`` are one point (the lowest ``q`` kept); a point is
   ``"not_minimum"`` if the smallest eigenvalue of the Hessian of ``q`` there (:func:`hessian_min_eig`, central
   differences of the gradient) is below ``-hessian_rtol |DR|_F^2``, else ``"slow"``, classified by the
   eigenvalues of ``residual_jacobian`` for a flow (``flow = True``; unstable: ``Re > 0``) or of the step's
   ``jacobian`` otherwise (unstable: ``|mu| > 1``), as :func:`rnnchaos.fixed_points.model_fixed_points` does.

The fixed-point search's own slow points (``FixedPoints.slow_points``) are the end points of its
Levenberg-Marquardt fallback on Newton solves that stalled; this search starts from the trajectory instead and
tests every end point as above.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from rnnchaos.fixed_point_solver import newton, polish

#: What became of each minimisation: a slow point, a fixed point, a minimum above ``q_tol``, an end point with a
#: gradient not small enough, a stationary point of ``q`` that is no minimum (a saddle of ``q``).
OUTCOMES = ("slow", "fixed", "above_tol", "not_stationary", "not_minimum")


@dataclass(frozen=True)
class SlowPoints:
    """Slow points (``m`` of them, state size ``n``) and every minimisation's fate (``n_starts`` of them).

    ``x`` (m, n), ``q`` (m,): the points and ``q = |R|^2 / 2`` there (``speed = sqrt(2 q)``); ``eigvals`` (m, n):
    eigenvalues of ``residual_jacobian`` (``stability="continuous"``, flows) or of the step's ``jacobian``
    (``"discrete"``); ``n_unstable``: eigenvalues with ``Re > 0`` (continuous) or ``|mu| > 1`` (discrete);
    ``grad_norm``: ``|DR^T R|``; ``hessian_min_eig``: smallest eigenvalue of the Hessian of ``q``;
    ``times_found``: minimisations that ended there. Per start: ``starts`` (n_starts, n), ``end_q``,
    ``outcome`` (index into :data:`OUTCOMES`), ``iterations`` (trust-region iterations) and ``evaluations`` (of
    ``R`` and ``DR``). ``q_tol``, ``fixed_tol``, ``fixed_radius``, ``dedup``: the thresholds used;
    ``cpu_time``: CPU seconds of the search.
    """

    x: np.ndarray
    q: np.ndarray
    eigvals: np.ndarray
    n_unstable: np.ndarray
    grad_norm: np.ndarray
    hessian_min_eig: np.ndarray
    times_found: np.ndarray
    starts: np.ndarray
    end_q: np.ndarray
    outcome: np.ndarray
    iterations: np.ndarray
    evaluations: np.ndarray
    q_tol: float
    fixed_tol: float
    fixed_radius: float
    dedup: float
    stability: str
    cpu_time: float

    @property
    def speed(self) -> np.ndarray:
        """``|R|`` at the slow points (a speed for a flow)."""
        return np.sqrt(2.0 * self.q)

    def counts(self) -> dict[str, int]:
        """Minimisations per outcome."""
        return {name: int(np.sum(self.outcome == k)) for k, name in enumerate(OUTCOMES)}


def trajectory_states(model, x0, *, n_steps: int, every: int = 1) -> np.ndarray:
    """States of ``model`` (autonomous) from ``x0`` after every ``every`` of ``n_steps`` steps: (n_steps // every,
    n). Raises ``ValueError`` naming the step where the state stops being finite."""
    for name, v in (("n_steps", n_steps), ("every", every)):
        if int(v) != v or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    x = np.array(x0, dtype=float)
    if x.shape != (model.n,):
        raise ValueError(f"x0 must have shape ({model.n},) (the model's n), got {x.shape}")
    out = np.empty((n_steps // every, model.n))
    for k in range(n_steps):
        x = np.asarray(model.step(x), dtype=float)
        if (k + 1) % every == 0:
            if not np.all(np.isfinite(x)):
                raise ValueError(f"the trajectory from x0 stopped being finite by step {k + 1} (lower n_steps)")
            out[(k + 1) // every - 1] = x
    return out


def minimise_q(R, DR, x0: np.ndarray, *, max_iter: int = 200, q_stop: float = 0.0):
    """Minimise ``q = |R(x)|^2 / 2`` from ``x0`` by a trust-region method (scipy's ``trust-exact``) with gradient
    ``DR^T R`` and Gauss-Newton Hessian ``DR^T DR``, until no step lowers ``q`` in double precision,
    ``q < q_stop`` or ``max_iter`` iterations. Returns the lowest point seen, its ``q``, the iterations and the
    evaluations of ``R`` and ``DR`` (iterations -1: scipy's subproblem solver gave up at a point where gradient and
    Hessian both vanish to rounding; the lowest point is returned all the same)."""
    best = [np.array(x0, dtype=float), np.inf]
    n_eval = [0]
    last = {}

    def fun(x):
        r, A = np.asarray(R(x), dtype=float), np.asarray(DR(x), dtype=float)
        last.update(x=x.copy(), A=A)
        q = 0.5 * float(r @ r)
        n_eval[0] += 1
        if q < best[1]:
            best[0], best[1] = x.copy(), q
        return q, A.T @ r

    def hess(x):
        A = last["A"] if np.array_equal(last.get("x"), x) else np.asarray(DR(x), dtype=float)
        return A.T @ A

    def stop(intermediate_result):
        if best[1] < q_stop:
            raise StopIteration

    x0 = np.array(x0, dtype=float)
    if not np.any(fun(x0)[1]):  # a stationary start (scipy's subproblem solver fails on a zero gradient and Hessian)
        return best[0], best[1], 0, n_eval[0]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        try:
            res = minimize(fun, x0, jac=True, hess=hess, method="trust-exact", callback=stop,
                           options={"maxiter": int(max_iter), "gtol": 0.0})
            nit = int(res.nit)
        except UnboundLocalError:  # scipy 1.17 trust-exact: no step when gradient and Hessian vanish together
            nit = -1
    return best[0], best[1], nit, n_eval[0]


def find_slow_points(model, states: np.ndarray, *, rng: np.random.Generator, q_tol: float, n_starts: int = 64,
                     perturbation: float = 0.0, fixed_tol: float = 1e-10, fixed_radius: float | None = None,
                     max_iter: int = 200, grad_rtol: float = 1e-6, hessian_rtol: float = 1e-6,
                     dedup_rtol: float = 1e-4, scale: float | None = None) -> SlowPoints:
    """Slow points of ``model`` (any :class:`rnnchaos.model.Model`; the input off) from ``n_starts`` states of
    the trajectory ``states`` (T, n) (the module docstring has the algorithm).

    ``q_tol``: keep minima with ``q <= q_tol`` (units of ``|R|^2``: speed squared for a flow); ``fixed_tol``:
    ``|R|_inf`` below which a point is fixed (default 1e-10, the fixed-point search's); ``fixed_radius``:
    how far Newton may move an end point to a fixed point that it is then counted as (default
    ``1e-3 sqrt(n) scale``); ``scale``: typical coordinate (default: rms of ``states``); ``perturbation``:
    s.d. of the Gaussian noise added to the starts, in units of ``scale``; ``max_iter``: trust-region
    iterations per start. Starts are drawn without replacement where ``T >= n_starts``. Deterministic given ``rng``.
    """
    states = np.atleast_2d(np.asarray(states, dtype=float))
    n = int(model.n)
    if states.ndim != 2 or states.shape[1] != n or states.shape[0] < 1 or not np.all(np.isfinite(states)):
        raise ValueError(f"states must be a finite (T, {n}) array with T >= 1 (the model's n = {n}), got shape "
                         f"{states.shape}")
    if int(n_starts) != n_starts or n_starts < 1:
        raise ValueError(f"n_starts must be an integer >= 1, got {n_starts!r}")
    for name, v in (("q_tol", q_tol), ("fixed_tol", fixed_tol), ("grad_rtol", grad_rtol),
                    ("hessian_rtol", hessian_rtol), ("dedup_rtol", dedup_rtol)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if not (np.isfinite(perturbation) and perturbation >= 0):
        raise ValueError(f"perturbation must be a finite number >= 0, got {perturbation!r}")
    scale = float(scale) if scale else max(float(np.sqrt(np.mean(states**2))), 1e-3)
    fixed_radius = 1e-3 * np.sqrt(n) * scale if fixed_radius is None else float(fixed_radius)
    dedup = dedup_rtol * np.sqrt(n) * scale
    flow = bool(getattr(model, "flow", False))
    R, DR = model.residual, model.residual_jacobian
    t0 = time.process_time()

    pick = rng.choice(states.shape[0], size=n_starts, replace=states.shape[0] < n_starts)
    starts = states[pick] + perturbation * scale * rng.standard_normal((n_starts, n))
    ends = [minimise_q(R, DR, x, max_iter=max_iter, q_stop=fixed_tol**2 / 8) for x in starts]
    X = np.array([e[0] for e in ends]).reshape(n_starts, n)
    end_q = np.array([e[1] for e in ends])
    outcome = np.array([_outcome(R, DR, x, q, q_tol=q_tol, fixed_tol=fixed_tol, fixed_radius=fixed_radius,
                                 grad_rtol=grad_rtol) for x, q in zip(X, end_q, strict=True)], dtype=np.int8)

    reps, members = [], []  # candidates closer than dedup are one point: the lowest q represents it
    for j in np.flatnonzero(outcome == OUTCOMES.index("slow")):
        k = next((k for k, r in enumerate(reps) if np.linalg.norm(X[r] - X[j]) < dedup), -1)
        if k < 0:
            reps.append(j)
            members.append([j])
            continue
        members[k].append(j)
        if end_q[j] < end_q[reps[k]]:
            reps[k] = j
    kept, hess = [], []
    for r, mem in zip(reps, members, strict=True):  # one Hessian (2n gradients) per distinct point
        h = hessian_min_eig(R, DR, X[r], step=1e-5 * scale)
        if h < -hessian_rtol * np.linalg.norm(np.asarray(DR(X[r]), dtype=float)) ** 2:
            outcome[mem] = OUTCOMES.index("not_minimum")
        else:
            kept.append(r)
            hess.append(h)
    x, qs = X[kept].reshape(-1, n), end_q[kept]
    found = [len(m) for r, m in zip(reps, members, strict=True) if r in kept]
    jac = model.residual_jacobian if flow else model.jacobian
    ev = np.array([np.linalg.eigvals(np.asarray(jac(p), dtype=float)) for p in x]).reshape(-1, n)
    n_unstable = np.sum(ev.real > 0 if flow else np.abs(ev) > 1, axis=1)
    grad = np.array([np.linalg.norm(np.asarray(DR(p), dtype=float).T @ np.asarray(R(p), dtype=float)) for p in x])
    return SlowPoints(
        x=x, q=np.asarray(qs, dtype=float), eigvals=ev, n_unstable=n_unstable.astype(int), grad_norm=grad,
        hessian_min_eig=np.asarray(hess, dtype=float), times_found=np.asarray(found, dtype=int), starts=starts,
        end_q=end_q, outcome=outcome, iterations=np.array([e[2] for e in ends], dtype=int),
        evaluations=np.array([e[3] for e in ends], dtype=int), q_tol=float(q_tol), fixed_tol=float(fixed_tol),
        fixed_radius=float(fixed_radius), dedup=float(dedup), stability="continuous" if flow else "discrete",
        cpu_time=time.process_time() - t0)


def hessian_min_eig(R, DR, x: np.ndarray, *, step: float) -> float:
    """Smallest eigenvalue of the Hessian of ``q = |R|^2 / 2`` at ``x``: the symmetrised matrix of central
    differences (``step``) of its gradient ``DR^T R``, ``2 n`` gradient evaluations. (Lanczos on the difference
    products, tried first, needed 15000 of them at a slow point of the N = 1000 flip-flop network, whose Hessian
    has eigenvalues near 0 in a cluster.)"""
    x = np.asarray(x, dtype=float)

    def grad(y):
        return np.asarray(DR(y), dtype=float).T @ np.asarray(R(y), dtype=float)

    H = np.column_stack([(grad(x + step * e) - grad(x - step * e)) / (2 * step) for e in np.eye(x.size)])
    return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])


def _outcome(R, DR, x, q, *, q_tol, fixed_tol, fixed_radius, grad_rtol) -> int:
    """Index into :data:`OUTCOMES` of the end point ``x`` with ``q`` (module docstring, step 3), before the
    Hessian test: "slow" here means a candidate."""
    if not np.isfinite(q):
        return OUTCOMES.index("not_stationary")
    if _newton_reaches_fixed_point(R, DR, x, fixed_tol, fixed_radius):
        return OUTCOMES.index("fixed")
    if q > q_tol:
        return OUTCOMES.index("above_tol")
    r, A = np.asarray(R(x), dtype=float), np.asarray(DR(x), dtype=float)
    if np.linalg.norm(A.T @ r) > grad_rtol * np.linalg.norm(A) * np.linalg.norm(r):
        return OUTCOMES.index("not_stationary")
    return OUTCOMES.index("slow")


def _newton_reaches_fixed_point(R, DR, x, tol, radius, max_iter=20) -> bool:
    """Newton from ``x`` (steps capped at ``radius``) converges to ``|R|_inf < tol`` within ``radius`` of ``x``."""
    Rb = lambda X: np.stack([np.asarray(R(y), dtype=float) for y in X])  # noqa: E731
    DRb = lambda X: np.stack([np.asarray(DR(y), dtype=float) for y in X])  # noqa: E731
    X0 = np.asarray(x, dtype=float)[None]
    with np.errstate(all="ignore"):
        X, ok, _ = newton(Rb, DRb, X0, tol, max_iter, None, None, radius)
        X, ok = polish(Rb, DRb, X, ok, tol)
    return bool(ok[0]) and float(np.linalg.norm(X[0] - X0[0])) < radius
