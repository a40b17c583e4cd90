"""Statistics of a fixed-point search: the count of all points, and ``<x*^2>`` by the kind of start.

* Counting (:func:`capture_recapture`, :func:`chapman`): capture-recapture estimates of the total from the
  sampling occasions of a search (each independent Newton solve and each homotopy path is one occasion,
  deflated solves are not): incidence-based Chao2 (bias-corrected, Chao 1987; for occasions of one capture it
  is Chao1), with its standard error, and Lincoln-Petersen/Chapman on the two halves of the occasions. Both are
  lower bounds when catchability is heterogeneous (basins of Newton's method and the reach of paths differ from
  point to point).
* Radius (:func:`mean_sq_radius`, :func:`origin_samples`): ``<x*^2>`` over the points other than ``x* = 0``
  (:func:`nontrivial`), as the Kac-Rice ``<y^2>_mu*``. Starts on the attractor find the fixed points near it,
  whose radius is closer to the dynamics' Delta0 than to the Kac-Rice ``<x*^2>`` (at g = 3, N = 24: +2.5 +- 0.9
  above the full population, over 12 saturated networks), so :func:`origin_samples` keeps the samples apart by
  root (:data:`rnnchaos.fixed_point_result.ROOTS`), and only Gaussian draws of the Kac-Rice variance
  (:data:`rnnchaos.fixed_point_result.UNBIASED_ROOTS`) estimate the population's ``<x*^2>`` (within 0.1 +- 0.3
  there).
* One network (:func:`network_statistics`, :func:`fixed_point_statistics`): the sample unit of the statistics
  pooled over networks (:mod:`rnnchaos.fixed_point_pooling`): ``<x*^2>``, the coordinate density, the KS distance
  to a CDF (:func:`ks_distance`), the fraction of coordinates near 0, the Jacobian's rms eigenvalue modulus, the
  index fraction, the capture-recapture count and the search's saturation (completeness, :func:`late_fraction`).
  ``x* = 0`` is counted apart and left out of every coordinate and Jacobian statistic, through :func:`nontrivial`
  as :func:`mean_sq_radius` (used by :mod:`rnnchaos.fixed_points` and :mod:`rnnchaos.summary` alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnchaos.fixed_point_result import ROOTS, UNBIASED_ROOTS

#: A point with ``|x*|_inf`` at most this is the trivial fixed point ``x* = 0`` (exact at ``sigma_b = 0``).
TRIVIAL_ATOL = 1e-8


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
    X = np.asarray(X, dtype=float)
    X = X.reshape(len(found_by), X.shape[-1] if X.ndim == 2 else -1)  # (0, N) stays (0, N): no point found
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


# --- one network's statistics, the sample unit of the pooled statistics (rnnchaos.fixed_point_pooling) -------------
#: Bin edges of the coordinate density (also the summary's ``fp_coordinate_counts``).
DENSITY_EDGES = np.linspace(-8.0, 8.0, 161)
#: Half-width of the window ``|x*_i| < NEAR_ZERO`` of the "near 0" fraction (the peak of mu* at 0: points in the
#: span of a subset of the axes).
NEAR_ZERO = 0.1


@dataclass(frozen=True)
class NetworkStatistics:
    """Fixed-point statistics of one network (module :func:`network_statistics`); NaN where undefined.

    ``n_points``: verified points (all); ``n_trivial``: 1 if ``x* = 0`` is among them, else 0; ``n_nontrivial``:
    the others, over which every coordinate statistic runs. ``coordinates``: their coordinates, flattened;
    ``mean_sq_radius``: ``<x*^2>`` (:func:`mean_sq_radius`); ``density``: their histogram on ``edges`` as a density;
    ``ks_distance``: sup-distance of their empirical CDF to ``cdf`` (NaN without one); ``near_zero_fraction``:
    fraction with ``|x*_i| < near_zero``; ``rms_modulus``: ``sqrt(<|mu|^2>)`` over the eigenvalues ``mu`` of
    ``J diag(phi'(x*))`` (the rate network's Jacobian eigenvalues plus 1); ``index_fraction``: mean of
    ``n_unstable / N``; ``count``: the capture-recapture estimate of all points (``x* = 0`` included; at least
    ``n_points``) and ``count_se`` its error; ``completeness``: ``n_points / count``; ``late_fraction``: fraction
    of the points first found in the second half of the solves (:func:`late_fraction`; NaN without a curve).
    """

    N: int
    n_points: int
    n_trivial: int
    n_nontrivial: int
    coordinates: np.ndarray
    mean_sq_radius: float
    density: np.ndarray
    ks_distance: float
    near_zero_fraction: float
    rms_modulus: float
    index_fraction: float
    count: float
    count_se: float
    completeness: float
    late_fraction: float


def ks_distance(samples: np.ndarray, cdf) -> float:
    """Kolmogorov-Smirnov distance ``sup_y |F_n(y) - cdf(y)|`` of ``samples`` to a continuous ``cdf`` (vectorised
    callable); NaN for no sample."""
    s = np.sort(np.asarray(samples, dtype=float).ravel())
    if s.size == 0:
        return float("nan")
    F = np.asarray(cdf(s), dtype=float)
    i = np.arange(1, s.size + 1) / s.size
    return float(max(np.max(i - F), np.max(F - (i - 1.0 / s.size))))


def late_fraction(solves: np.ndarray, unique: np.ndarray) -> float:
    """Fraction of the points known at the end of a search first found in its second half of solves, from its
    saturation curve (solves so far, unique points so far); 0 means no new point in the second half.

    The curve of :func:`rnnchaos.fixed_points.network_fixed_points` lists the independent solves first and the
    deflated ones after them (``extra_fraction = 0.5``: the second half is the deflation phase, which finds new
    points by design), so there this is the yield of deflation, not a saturation test; the saturation test of
    :mod:`rnnchaos.fixed_point_pooling` is the completeness against the capture-recapture count."""
    solves, unique = np.asarray(solves), np.asarray(unique, dtype=float)
    if solves.size == 0 or unique[-1] <= 0:
        return float("nan")
    half = unique[solves <= solves[-1] / 2]
    return float((unique[-1] - (half[-1] if half.size else 0.0)) / unique[-1])


def network_statistics(X: np.ndarray, *, eigvals: np.ndarray | None = None, n_unstable: np.ndarray | None = None,
                       continuous: bool = True, count: float = float("nan"), count_se: float = float("nan"),
                       saturation: tuple | None = None, cdf=None, edges: np.ndarray = DENSITY_EDGES,
                       near_zero: float = NEAR_ZERO) -> NetworkStatistics:
    """:class:`NetworkStatistics` of the verified points ``X`` (n, N) of one network.

    ``eigvals`` (n, N): Jacobian eigenvalues of each point (of ``-1 + J diag(phi')`` if ``continuous``, else of the
    map's ``J diag(phi')``); ``n_unstable`` (n,): their index; ``count``/``count_se``: the search's
    capture-recapture estimate of all points (:func:`capture_recapture`; NaN: ``n_points`` is used);
    ``saturation``: its curve (solves, unique points); ``cdf``: a coordinate CDF to measure the KS distance to.
    The trivial point ``x* = 0`` (:func:`nontrivial`) is left out of every coordinate and Jacobian statistic and
    counted in ``n_trivial`` (and in ``count``, as the Kac-Rice count includes it).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_points, N), got {X.shape}")
    if not (np.isfinite(near_zero) and near_zero > 0):
        raise ValueError(f"near_zero must be a finite number > 0, got {near_zero!r}")
    keep = nontrivial(X)
    c = X[keep].ravel()
    nan = float("nan")
    density = np.histogram(c, bins=edges)[0] / (c.size * np.diff(edges)) if c.size else np.full(len(edges) - 1, nan)
    rms, index = nan, nan
    if eigvals is not None and keep.any():
        mu = np.asarray(eigvals)[keep] + (1.0 if continuous else 0.0)
        rms = float(np.sqrt(np.mean(np.abs(mu) ** 2)))
    if n_unstable is not None and keep.any():
        index = float(np.mean(np.asarray(n_unstable, dtype=float)[keep]) / X.shape[1])
    n_points = int(X.shape[0])
    total = max(float(count), n_points) if np.isfinite(count) else float(n_points)
    return NetworkStatistics(
        N=int(X.shape[1]), n_points=n_points, n_trivial=int(n_points - keep.sum()), n_nontrivial=int(keep.sum()),
        coordinates=c, mean_sq_radius=mean_sq_radius(X) if keep.any() else nan, density=density,
        ks_distance=ks_distance(c, cdf) if cdf is not None else nan,
        near_zero_fraction=float(np.mean(np.abs(c) < near_zero)) if c.size else nan, rms_modulus=rms,
        index_fraction=index, count=total, count_se=float(count_se) if np.isfinite(count) else nan,
        completeness=n_points / total if total > 0 else nan,
        late_fraction=late_fraction(*saturation) if saturation is not None else nan)


def fixed_point_statistics(fp, **options) -> NetworkStatistics:
    """:func:`network_statistics` of a search's :class:`rnnchaos.fixed_point_result.FixedPoints` (its eigenvalues,
    indices, capture-recapture estimate and saturation curve); ``options``: ``cdf``, ``edges``, ``near_zero``."""
    return network_statistics(fp.x, eigvals=fp.eigvals, n_unstable=fp.n_unstable,
                              continuous=fp.stability == "continuous", count=fp.capture_recapture_estimate,
                              count_se=fp.capture_recapture_se, saturation=fp.saturation, **options)
