"""The fixed-point search: solves from many starts, homotopy paths, deduplication, origins and the result.

About 310 lines: the search's books (known points, origins, saturation) are one object with its loop.

:func:`find_fixed_points` finds the fixed points of any ``dx/dt = F(x)`` (``stability="continuous"``) or map
``x -> F(x)`` (``"discrete"``, residual ``R(x) = F(x) - x``); :class:`_Search` keeps its books (known points,
captures, saturation curve, stalled solves, the roots of every point). In order: independent capped Newton
solves from the starts (:mod:`rnnchaos.fixed_point_solver`), each one sampling occasion of the capture-recapture
count; homotopy paths (:mod:`rnnchaos.homotopy`), each sign change of ``lambda`` a fixed point and each path one
occasion; deflated solves from perturbed known points (no occasions); Levenberg-Marquardt on the stalled solves;
verification of every point (a final Newton step, ``|R(x*)|_inf < tol``) and deduplication (points closer than
``dedup_rtol * sqrt(N) * scale`` are one). If ``F`` is odd (``symmetric``), the mirrors ``-x*`` and ``0`` are
added and the occasions are counted on the orbits ``{x, -x}``. Chao2 and Chapman estimates of the total
(:mod:`rnnchaos.fixed_point_statistics`) are raised to the number of verified points where points found only by
deflated solves outnumber the occasions' unseen part. Every point records how it was first found
(:data:`~rnnchaos.fixed_point_result.ORIGINS`) and, in ``found_by``, every kind of start
(:data:`~rnnchaos.fixed_point_result.ROOTS`) whose chain of solves returned it; a deflated solve, a fallback end
point or a mirror inherits the roots of the point it came from.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from rnnchaos import homotopy
from rnnchaos.fixed_point_result import KINDS, ORIGINS, ROOTS, FixedPoints
from rnnchaos.fixed_point_solver import eigvals, levenberg_marquardt, newton, polish
from rnnchaos.fixed_point_statistics import capture_recapture, chapman


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
            X, ok, it = newton(self.R, self.DR, X0[lo:lo + self.batch], self.tol, self.max_iter, known, self.ell,
                                self.cap, self.line_search)
            X, ok = polish(self.R, self.DR, X, ok, self.tol)
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
        X, ok = polish(self.R, self.DR, path.x.copy(), np.ones(path.x.shape[0], bool), self.tol)
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
            X, q, stationary = levenberg_marquardt(self.R, self.DR, X0[lo:lo + self.batch], self.tol, n_iter)
            X, ok = polish(self.R, self.DR, X, np.abs(self.R(X)).max(axis=1) < self.tol, self.tol)
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
        ev = eigvals(jacobian, X, self.batch) if eigenvalues and X.shape[0] else np.full(X.shape, np.nan + 0j)
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
