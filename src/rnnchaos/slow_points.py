"""Slow points of any model: local minima of the speed ``q(x) = |R(x)|^2 / 2`` above zero (Sussillo & Barak 2013).

``R`` is the model's fixed-point residual (:class:`rnnchaos.model.Model`): the vector field ``F`` of a flow, so
``q`` is half the squared speed, or ``S(x) - x`` of a map or cell. Fixed points are the zeros of ``q``; a *slow
point* is a local minimum with ``0 < q <= q_tol``: a region the dynamics crosses slowly without stopping there
(the ghost of a saddle-node bifurcation, ``dx/dt = x^2 + eps``, has one at ``x = 0`` with ``q = eps^2 / 2``).
Sussillo & Barak (Neural Comput. 25, 626, 2013) start minimisations of ``q`` from states along trajectories and
keep the end points under a threshold ``q_tol``; :func:`find_slow_points` does that:

1. ``n_starts`` states drawn (``rng``) from a trajectory (``states``, e.g. :func:`trajectory_states` or a test
   trial), optionally perturbed by ``perturbation * scale`` per coordinate;
2. from each, L-BFGS on ``q`` with the exact gradient ``DR^T R`` (:func:`minimise_q`; scipy's L-BFGS-B: its
   curvature pairs learn the full Hessian of ``q``, including the term ``sum_k R_k grad^2 R_k`` that the
   Gauss-Newton matrix ``DR^T DR`` of :func:`rnnchaos.fixed_point_solver.levenberg_marquardt` drops, which is
   what shapes ``q`` at a slow point where ``DR`` is singular);
3. each end point is sorted into one :data:`OUTCOMES`: ``"fixed"`` if Newton from it
   (:func:`rnnchaos.fixed_point_solver.newton` and ``polish``) reaches ``|R|_inf < fixed_tol`` within
   ``fixed_radius`` (so a minimisation that stopped short of a fixed point is never called slow), else
   ``"above_tol"`` if ``q > q_tol``, ``"not_stationary"`` if ``|DR^T R| > grad_rtol |DR|_F |R|``,
   ``"not_minimum"`` if the smallest eigenvalue of the Hessian of ``q`` (central differences of the gradient:
   dense for ``n <= 64``, Lanczos otherwise) is below ``-hessian_rtol |DR|_F^2``, else ``"slow"``;
4. slow end points closer than ``dedup_rtol * sqrt(n) * scale`` are one (the lowest ``q`` kept), classified by the
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
from scipy.sparse.linalg import LinearOperator, eigsh

from rnnchaos.fixed_point_solver import newton, polish

#: What became of each minimisation: a slow point, a fixed point, a minimum above ``q_tol``, an end point with a
#: gradient not small enough, a stationary point of ``q`` that is no minimum (a saddle of ``q``).
OUTCOMES = ("slow", "fixed", "above_tol", "not_stationary", "not_minimum")
#: Above this state size the Hessian's smallest eigenvalue comes from Lanczos instead of the dense matrix.
DENSE_HESSIAN_MAX = 64


@dataclass(frozen=True)
class SlowPoints:
    """Slow points (``m`` of them, state size ``n``) and every minimisation's fate (``n_starts`` of them).

    ``x`` (m, n), ``q`` (m,): the points and ``q = |R|^2 / 2`` there (``speed = sqrt(2 q)``); ``eigvals`` (m, n):
    eigenvalues of ``residual_jacobian`` (``stability="continuous"``, flows) or of the step's ``jacobian``
    (``"discrete"``); ``n_unstable``: eigenvalues with ``Re > 0`` (continuous) or ``|mu| > 1`` (discrete);
    ``grad_norm``: ``|DR^T R|``; ``hessian_min_eig``: smallest eigenvalue of the Hessian of ``q``;
    ``times_found``: minimisations that ended there. Per start: ``starts`` (n_starts, n), ``end_q``,
    ``outcome`` (index into :data:`OUTCOMES`), ``iterations`` (L-BFGS iterations) and ``evaluations`` (of
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


def minimise_q(R, DR, x0: np.ndarray, *, max_iter: int = 1000, q_stop: float = 0.0):
    """Minimise ``q = |R(x)|^2 / 2`` from ``x0`` by L-BFGS (scipy's L-BFGS-B, no bounds, gradient ``DR^T R``),
    until no step lowers ``q`` in double precision, ``q < q_stop`` or ``max_iter`` iterations. Returns the lowest
    point seen, its ``q``, the iterations and the evaluations of ``R`` and ``DR``."""
    best = [np.array(x0, dtype=float), np.inf]
    n_eval = [0]

    def fun(x):
        r = np.asarray(R(x), dtype=float)
        q = 0.5 * float(r @ r)
        n_eval[0] += 1
        if q < best[1]:
            best[0], best[1] = x.copy(), q
        return q, np.asarray(DR(x), dtype=float).T @ r

    def stop(intermediate_result):
        if best[1] < q_stop:
            raise StopIteration

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # curvature pairs at round-off: rho -> inf
        res = minimize(fun, np.array(x0, dtype=float), jac=True, method="L-BFGS-B", callback=stop,
                       options={"maxiter": int(max_iter), "ftol": 0.0, "gtol": 0.0, "maxcor": 20})
    return best[0], best[1], int(res.nit), n_eval[0]


def find_slow_points(model, states: np.ndarray, *, rng: np.random.Generator, q_tol: float, n_starts: int = 64,
                     perturbation: float = 0.0, fixed_tol: float = 1e-10, fixed_radius: float | None = None,
                     max_iter: int = 1000, grad_rtol: float = 1e-6, hessian_rtol: float = 1e-6,
                     dedup_rtol: float = 1e-4, scale: float | None = None) -> SlowPoints:
    """Slow points of ``model`` (any :class:`rnnchaos.model.Model`; the input off) from ``n_starts`` states of
    the trajectory ``states`` (T, n) (the module docstring has the algorithm).

    ``q_tol``: keep minima with ``q <= q_tol`` (units of ``|R|^2``: speed squared for a flow); ``fixed_tol``:
    ``|R|_inf`` below which a point is fixed (default 1e-10, the fixed-point search's); ``fixed_radius``:
    how far Newton may move an end point to a fixed point that it is then counted as (default
    ``1e-3 sqrt(n) scale``); ``scale``: typical coordinate (default: rms of ``states``); ``perturbation``:
    s.d. of the Gaussian noise added to the starts, in units of ``scale``; ``max_iter``: L-BFGS iterations per
    start. Starts are drawn without replacement where ``T >= n_starts``. Deterministic given ``rng``.
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
                                 grad_rtol=grad_rtol, hessian_rtol=hessian_rtol, scale=scale)
                        for x, q in zip(X, end_q, strict=True)], dtype=np.int8)

    points, qs, found = [], [], []
    for j in np.flatnonzero(outcome == OUTCOMES.index("slow")):
        near = [k for k, p in enumerate(points) if np.linalg.norm(p - X[j]) < dedup]
        if not near:
            points.append(X[j])
            qs.append(end_q[j])
            found.append(1)
            continue
        found[near[0]] += 1
        if end_q[j] < qs[near[0]]:
            points[near[0]], qs[near[0]] = X[j], end_q[j]
    x = np.reshape(points, (-1, n))
    jac = model.residual_jacobian if flow else model.jacobian
    ev = np.array([np.linalg.eigvals(np.asarray(jac(p), dtype=float)) for p in x]).reshape(-1, n)
    n_unstable = np.sum(ev.real > 0 if flow else np.abs(ev) > 1, axis=1)
    grad = np.array([np.linalg.norm(np.asarray(DR(p), dtype=float).T @ np.asarray(R(p), dtype=float)) for p in x])
    hess = np.array([hessian_min_eig(R, DR, p, step=1e-5 * scale) for p in x])
    return SlowPoints(
        x=x, q=np.asarray(qs, dtype=float), eigvals=ev, n_unstable=n_unstable.astype(int), grad_norm=grad,
        hessian_min_eig=hess, times_found=np.asarray(found, dtype=int), starts=starts, end_q=end_q,
        outcome=outcome, iterations=np.array([e[2] for e in ends], dtype=int),
        evaluations=np.array([e[3] for e in ends], dtype=int), q_tol=float(q_tol), fixed_tol=float(fixed_tol),
        fixed_radius=float(fixed_radius), dedup=float(dedup), stability="continuous" if flow else "discrete",
        cpu_time=time.process_time() - t0)


def hessian_min_eig(R, DR, x: np.ndarray, *, step: float) -> float:
    """Smallest eigenvalue of the Hessian of ``q = |R|^2 / 2`` at ``x``, from central differences (``step``) of
    its gradient ``DR^T R``: the dense symmetrised matrix for ``n <=`` :data:`DENSE_HESSIAN_MAX`, else Lanczos
    (scipy's ``eigsh``, smallest algebraic) on the difference quotients as products ``H v``."""
    x = np.asarray(x, dtype=float)

    def grad(y):
        return np.asarray(DR(y), dtype=float).T @ np.asarray(R(y), dtype=float)

    def hv(v):
        v = np.ravel(v)
        return (grad(x + step * v) - grad(x - step * v)) / (2 * step)

    if x.size <= DENSE_HESSIAN_MAX:
        H = np.column_stack([hv(e) for e in np.eye(x.size)])
        return float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])
    op = LinearOperator((x.size, x.size), matvec=hv, dtype=float)
    return float(eigsh(op, k=1, which="SA", tol=1e-6, v0=np.ones(x.size) / np.sqrt(x.size),
                       return_eigenvectors=False)[0])


def _outcome(R, DR, x, q, *, q_tol, fixed_tol, fixed_radius, grad_rtol, hessian_rtol, scale) -> int:
    """Index into :data:`OUTCOMES` of the end point ``x`` with ``q`` (module docstring, step 3)."""
    if not np.isfinite(q):
        return OUTCOMES.index("not_stationary")
    if _newton_reaches_fixed_point(R, DR, x, fixed_tol, fixed_radius):
        return OUTCOMES.index("fixed")
    if q > q_tol:
        return OUTCOMES.index("above_tol")
    r, A = np.asarray(R(x), dtype=float), np.asarray(DR(x), dtype=float)
    a = np.linalg.norm(A)
    if np.linalg.norm(A.T @ r) > grad_rtol * a * np.linalg.norm(r):
        return OUTCOMES.index("not_stationary")
    if hessian_min_eig(R, DR, x, step=1e-5 * scale) < -hessian_rtol * a**2:
        return OUTCOMES.index("not_minimum")
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
