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
