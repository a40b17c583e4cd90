"""The 2-D toy system of seed 003 (its Fig. 2) as a model, and its phase portrait as a Dataset.

    dx/dt = (1 - x^2) y,    dy/dt = x/2 - y,

discretised by forward Euler with step ``dt`` (:class:`ToySystem`, a :class:`rnnchaos.model.Model` with
``flow = True``; docs/user_models.md uses it as the example of a user-defined model). The nullclines are
``dx/dt = 0 <=> y = 0 or x = +-1`` and ``dy/dt = 0 <=> y = x/2``; they cross at the three fixed points

* ``(0, 0)``: Jacobian ``[[0, 1], [1/2, -1]]``, eigenvalues ``(-1 +- sqrt 3)/2 = 0.366, -1.366``: a saddle;
* ``(1, 1/2)`` and ``(-1, -1/2)``: Jacobian ``[[-1, 0], [1/2, -1]]``, a double eigenvalue ``-1`` with one
  eigenvector (a Jordan block): stable (degenerate, improper) nodes.

Seed 003 (Sec. 3.1) lists the fixed points as ``(1, 1/2)``, ``(1, -1/2)`` and ``(0, 0)``: ``(1, -1/2)`` is no
fixed point (there ``dy/dt = 1``, ``q = 1/2``); the point on the line ``x = -1`` is ``(-1, -1/2)``, the mirror of
``(1, 1/2)`` under ``(x, y) -> (-x, -y)``, which maps the system to itself. Its types (node, node, saddle) and
its Jacobian are right. :data:`SEED_STATED` keeps the seed's list, :data:`ANALYTIC_POINTS` the true one.

:func:`phase_portrait` computes on a grid ``q = |F|^2 / 2`` (Sussillo & Barak 2013) and the two components of
``F`` (their zero sets are the nullclines), a few trajectories from seeded starts, the fixed points found by
:func:`rnnchaos.fixed_points.model_fixed_points` from many seeded starts (with their eigenvalues and planar
types) beside the analytic ones, and the slow points of :func:`rnnchaos.slow_points.find_slow_points` (local
minima of ``q`` above 0; the toy system has none, every minimisation ends on a fixed point).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from rnnchaos.fixed_points import model_fixed_points
from rnnchaos.slow_points import OUTCOMES, find_slow_points, trajectory_states

#: The true fixed points, their eigenvalues (ascending real part) and planar types.
ANALYTIC_POINTS = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, -0.5]])
ANALYTIC_EIGVALS = np.array([[-(1 + 3**0.5) / 2, (3**0.5 - 1) / 2], [-1.0, -1.0], [-1.0, -1.0]])
ANALYTIC_TYPES = ("saddle", "stable node", "stable node")
#: The fixed points as seed 003 states them (Sec. 3.1); the second is misplaced (see the module docstring).
SEED_STATED = np.array([[1.0, 0.5], [1.0, -0.5], [0.0, 0.0]])
#: Planar types (trace-determinant plane) of :func:`planar_type`.
TYPES = ("saddle", "stable node", "unstable node", "stable focus", "unstable focus", "center", "degenerate")


class ToySystem:
    """``dx/dt = (1 - x^2) y``, ``dy/dt = x/2 - y``, discretised by forward Euler with step ``dt``; states
    ``v = (x, y)`` of shape (2,) or (2, B)."""

    name, n, n_inputs, flow = "toy", 2, 0, True

    def __init__(self, dt: float = 0.01):
        if not (np.isfinite(dt) and 0 < dt <= 0.5):
            raise ValueError(f"dt must be in (0, 0.5], got {dt!r}")
        self.time_step = dt

    def residual(self, v, u=None):
        """The vector field ``F(v)``: its zeros are the fixed points."""
        x, y = v
        return np.array([(1 - x**2) * y, x / 2 - y])

    def residual_jacobian(self, v, u=None):
        """``DF(v) = [[-2xy, 1 - x^2], [1/2, -1]]``: its eigenvalues classify the fixed points."""
        x, y = v
        return np.array([[-2 * x * y, 1 - x**2], [0.5, -1.0]])

    def step(self, v, u=None):
        return v + self.time_step * self.residual(v)

    def jacobian(self, v, u=None):
        return np.eye(2) + self.time_step * self.residual_jacobian(v)

    def tangent(self, v, Q, u=None):
        return self.jacobian(v) @ Q

    def attrs(self) -> dict:
        return {"model": self.name, "dt": self.time_step}


def planar_type(eigvals: np.ndarray, *, rtol: float = 1e-6) -> str:
    """The type (:data:`TYPES`) of a fixed point of a planar flow from the two eigenvalues of its Jacobian, by
    trace ``T`` and determinant ``D``: saddle ``D < 0``; node ``T^2 >= 4 D`` (a double root, ``T^2 = 4 D``, within
    ``rtol``, is a node: it may come out of LAPACK as a pair ``-1 +- 1e-8 i``), focus otherwise; stable where
    ``T < 0``; ``D = 0`` within ``rtol`` is degenerate, ``T = 0 < D`` a center."""
    ev = np.asarray(eigvals)
    if ev.shape != (2,):
        raise ValueError(f"eigvals must have shape (2,), got {ev.shape}")
    T, D = float(np.sum(ev).real), float(np.prod(ev).real)
    size = max(float(np.max(np.abs(ev))) ** 2, 1e-300)
    if abs(D) <= rtol * size:
        return "degenerate"
    if D < 0:
        return "saddle"
    if abs(T) <= rtol * np.sqrt(size):
        return "center"
    side = "stable" if T < 0 else "unstable"
    return f"{side} node" if T**2 - 4 * D >= -rtol * size else f"{side} focus"


def q_surface(toy: ToySystem, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F_x``, ``F_y`` and ``q = (F_x^2 + F_y^2) / 2`` on the grid ``y`` (rows) x ``x`` (columns)."""
    X, Y = np.meshgrid(x, y)
    Fx, Fy = toy.residual(np.stack([X.ravel(), Y.ravel()]))
    Fx, Fy = Fx.reshape(X.shape), Fy.reshape(X.shape)
    return Fx, Fy, 0.5 * (Fx**2 + Fy**2)


def phase_portrait(toy: ToySystem | None = None, *, rng: np.random.Generator, x_range=(-2.0, 2.0),
                   y_range=(-1.5, 1.5), n_grid: int = 161, n_fp_starts: int = 200, n_trajectories: int = 12,
                   t_trajectory: float = 12.0, fp_tol: float = 1e-12, q_tol: float = 1e-2,
                   n_slow_starts: int = 64) -> xr.Dataset:
    """The phase portrait of ``toy`` (default ``ToySystem()``) in the box ``x_range`` x ``y_range``.

    Random numbers from ``rng``, in order: ``n_fp_starts`` uniform starts of the fixed-point search
    (:func:`model_fixed_points`, ``|F|_inf < fp_tol``), ``n_trajectories`` uniform starts of trajectories of
    ``t_trajectory`` time units (Euler steps of ``toy.time_step``), the slow-point search from the states of those
    trajectories (``n_slow_starts`` minimisations of ``q``, kept where ``q <= q_tol``).

    Variables: ``dxdt``, ``dydt``, ``q`` on the grid (``y``, ``x``; the nullclines are the zero sets of the first
    two); ``trajectory_x``, ``trajectory_y`` (``trajectory``, ``time``); ``fp_x`` (``fp``, ``i``) with
    ``fp_eig_real``, ``fp_eig_imag`` (``fp``, ``eig``, ascending real part), ``fp_n_unstable``, ``fp_type``
    (index into :data:`TYPES`), ``fp_residual``, ``fp_times_found``, and ``fp_analytic_distance`` (to the nearest
    analytic point); ``analytic_x``, ``analytic_eig_real``, ``analytic_eig_imag``, ``analytic_type``
    (``analytic``); ``seed_stated_x``, ``seed_stated_q`` (``stated``); ``slow_x``, ``slow_q``, ``slow_eig_real``,
    ``slow_eig_imag`` (``slow``), ``slow_outcome_count`` (``outcome``); scalars ``fp_n_solves``,
    ``fp_n_converged``, ``fp_max_distance``, ``fp_max_eig_error`` (largest distance of a found point, and of its
    eigenvalues, from the analytic ones; NaN if not all three are found), ``slow_q_tol``.
    """
    toy = ToySystem() if toy is None else toy
    for name, v, lo in (("n_grid", n_grid, 3), ("n_fp_starts", n_fp_starts, 1), ("n_trajectories", n_trajectories, 1),
                        ("n_slow_starts", n_slow_starts, 1)):
        if int(v) != v or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    for name, r in (("x_range", x_range), ("y_range", y_range)):
        if len(r) != 2 or not (np.all(np.isfinite(r)) and r[0] < r[1]):
            raise ValueError(f"{name} must be (low, high) with low < high, got {r!r}")
    if not (np.isfinite(t_trajectory) and t_trajectory >= 10 * toy.time_step):
        raise ValueError(f"t_trajectory must be at least 10 steps (>= {10 * toy.time_step:g}), got {t_trajectory!r}")
    lo, hi = np.array([x_range[0], y_range[0]]), np.array([x_range[1], y_range[1]])
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731

    gx, gy = np.linspace(*x_range, n_grid), np.linspace(*y_range, n_grid)
    Fx, Fy, q = q_surface(toy, gx, gy)

    fp = model_fixed_points(toy, rng.uniform(lo, hi, (n_fp_starts, 2)), tol=fp_tol)
    order = np.argsort(fp.x[:, 0] + 1e-3 * fp.x[:, 1])
    x_fp = fp.x[order]
    ev_fp = _ascending(fp.eigvals[order])
    ev_an = ANALYTIC_EIGVALS.astype(complex)
    dist = np.linalg.norm(x_fp[:, None, :] - ANALYTIC_POINTS[None], axis=2)
    nearest = dist.argmin(axis=1) if dist.size else np.empty(0, dtype=int)
    all_found = x_fp.shape[0] == 3 and sorted(nearest) == [0, 1, 2]
    max_dist = float(dist.min(axis=1).max()) if all_found else np.nan
    max_eig = float(np.abs(ev_fp - ev_an[nearest]).max()) if all_found else np.nan

    n_steps = int(round(t_trajectory / toy.time_step))
    x0s = rng.uniform(lo, hi, (n_trajectories, 2))
    paths = np.stack([np.concatenate([x0[None], trajectory_states(toy, x0, n_steps=n_steps)]) for x0 in x0s])
    sp = find_slow_points(toy, paths.reshape(-1, 2), rng=rng, q_tol=q_tol, n_starts=n_slow_starts,
                          fixed_tol=fp_tol)
    ev_sp = _ascending(sp.eigvals)

    types = [TYPES.index(planar_type(e)) for e in ev_fp]
    ds = xr.Dataset({
        "dxdt": (("y", "x"), Fx, a("dx/dt = (1 - x^2) y on the grid (its zero set: the x-nullcline)")),
        "dydt": (("y", "x"), Fy, a("dy/dt = x/2 - y on the grid (its zero set: the y-nullcline)")),
        "q": (("y", "x"), q, a("q = |F|^2 / 2, half the squared speed")),
        "trajectory_x": (("trajectory", "time"), paths[:, :, 0], a("x along the trajectory")),
        "trajectory_y": (("trajectory", "time"), paths[:, :, 1], a("y along the trajectory")),
        "fp_x": (("fp", "i"), x_fp, a("fixed points found by q-minimisation/Newton from seeded starts")),
        "fp_eig_real": (("fp", "eig"), ev_fp.real, a("real part of the eigenvalues of DF (ascending)")),
        "fp_eig_imag": (("fp", "eig"), ev_fp.imag, a("imaginary part of the eigenvalues of DF")),
        "fp_n_unstable": (("fp",), fp.n_unstable[order], a("eigenvalues with positive real part")),
        "fp_type": (("fp",), np.asarray(types, dtype=np.int8),
                    {**a("planar type"), "flag_values": np.arange(len(TYPES), dtype=np.int8),
                     "flag_meanings": " ".join(t.replace(" ", "_") for t in TYPES)}),
        "fp_residual": (("fp",), fp.residual[order], a("|F|_inf at the fixed point")),
        "fp_times_found": (("fp",), fp.times_found[order], a("starts whose solve returned the point")),
        "fp_analytic_distance": (("fp",), dist.min(axis=1) if dist.size else np.empty(0),
                                 a("distance to the nearest analytic fixed point")),
        "analytic_x": (("analytic", "i"), ANALYTIC_POINTS, a("true fixed points (0,0), (1,1/2), (-1,-1/2)")),
        "analytic_eig_real": (("analytic", "eig"), ev_an.real, a("real part of the analytic eigenvalues")),
        "analytic_eig_imag": (("analytic", "eig"), ev_an.imag, a("imaginary part of the analytic eigenvalues")),
        "analytic_type": (("analytic",), np.asarray([TYPES.index(t) for t in ANALYTIC_TYPES], dtype=np.int8),
                          {**a("planar type"), "flag_values": np.arange(len(TYPES), dtype=np.int8),
                           "flag_meanings": " ".join(t.replace(" ", "_") for t in TYPES)}),
        "seed_stated_x": (("stated", "i"), SEED_STATED, a("fixed points as stated in seed 003, Sec. 3.1")),
        "seed_stated_q": (("stated",), 0.5 * np.sum(toy.residual(SEED_STATED.T) ** 2, axis=0),
                          a("q at the seed's stated points (0: a fixed point)")),
        "slow_x": (("slow", "i"), sp.x, a("slow points: local minima of q with 0 < q <= q_tol")),
        "slow_q": (("slow",), sp.q, a("q at the slow point")),
        "slow_eig_real": (("slow", "eig"), ev_sp.real, a("real part of the eigenvalues of DF at the slow point")),
        "slow_eig_imag": (("slow", "eig"), ev_sp.imag, a("imaginary part of the eigenvalues of DF there")),
        "slow_outcome_count": (("outcome",), np.array(list(sp.counts().values())),
                               a("q-minimisations from trajectory states by outcome")),
        "fp_n_solves": ((), fp.n_solves, a("Newton solves of the fixed-point search")),
        "fp_n_converged": ((), fp.n_converged, a("solves that converged")),
        "fp_max_distance": ((), max_dist, a("largest distance of a found fixed point from its analytic one")),
        "fp_max_eig_error": ((), max_eig, a("largest |eigenvalue found - analytic eigenvalue|")),
        "slow_q_tol": ((), sp.q_tol, a("threshold q_tol of the slow-point search")),
    }, coords={"x": ("x", gx, a("x")), "y": ("y", gy, a("y")),
               "time": ("time", toy.time_step * np.arange(n_steps + 1), a("time")),
               "outcome": ("outcome", list(OUTCOMES), a("fate of a q-minimisation"))})
    ds.attrs.update(system="dx/dt = (1 - x^2) y, dy/dt = x/2 - y", dt=toy.time_step, fp_tol=fp_tol,
                    seed_statement="seed 003 Sec. 3.1 lists (1, 1/2), (1, -1/2), (0, 0); (1, -1/2) is no fixed "
                                   "point, the true third point is (-1, -1/2)")
    return ds


def _ascending(ev: np.ndarray) -> np.ndarray:
    """Eigenvalues of each row sorted by real part (then imaginary part)."""
    ev = np.asarray(ev, dtype=complex)
    return np.take_along_axis(ev, np.lexsort((ev.imag, ev.real), axis=1), axis=1) if ev.size else ev.copy()
