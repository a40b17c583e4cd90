"""Finite-size extrapolation of a network observable to N -> infinity, with its error and a test against theory.

A self-averaging observable A of a random network of size N (lambda_max, Delta0, Delta_inf, D_KY/N) has a
network-to-network spread and a mean that approaches its N -> infinity value as a power series in 1/N,

    <A>_N = A_inf + a / N + b / N^2 + ...

(the leading 1/N correction is the generic one for mean-field models with Gaussian couplings; Sompolinsky,
Crisanti & Sommers 1988 treat N -> infinity, finite-N corrections are discussed e.g. by Engelken, Wolf & Abbott
2020). Networks (seeds) are the samples: at each size the mean over networks and its standard error
``s_N / sqrt(n_N)`` are the data, and the fit is weighted least squares with weights ``1 / sem_N^2``.

The error of ``A_inf`` is the weighted-least-squares standard error, inflated by ``sqrt(chi2 / dof)`` when the fit
is worse than its error bars say (the Birge ratio; never deflated), so that a model that does not describe the data
widens its own error bar instead of claiming a precision it does not have. ``chi2 / dof`` itself is reported.
With four sizes or more the quadratic form ``A_inf + a/N + b/N^2`` is fitted too, as a check of the leading form.

The comparison with theory is the z-score ``(A_inf - A_theory) / sem(A_inf)``; the theory value is never fitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Outcome of an extrapolation (``status`` of :class:`Extrapolation`).
FIT_STATUS = {"ok": 0, "too_few_sizes": 1, "too_few_samples": 2}
#: Fewest sizes for the linear form A_inf + a/N (two parameters and at least one degree of freedom).
MIN_SIZES = 3
#: Fewest networks per size for a network-to-network standard error.
MIN_SAMPLES = 2


@dataclass(frozen=True)
class Extrapolation:
    """Result of :func:`extrapolate` (NaN where the status is not ``"ok"``).

    ``mean``, ``sem``, ``n`` are per size (the data of the fit); ``value``/``value_sem`` the extrapolated
    ``A_inf``; ``slope`` the coefficient ``a`` of ``1/N``; ``chi2_dof`` the reduced chi-square of the linear fit;
    ``value_quad``/``value_quad_sem`` the intercept of the quadratic form (NaN with fewer than 4 sizes).
    """

    N: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    n: np.ndarray
    value: float
    value_sem: float
    slope: float
    slope_sem: float
    chi2_dof: float
    value_quad: float
    value_quad_sem: float
    status: str
    detail: str

    def z_score(self, theory: float) -> float:
        """``(A_inf - theory) / sem(A_inf)``; NaN when the fit failed or the theory value is missing."""
        if self.status != "ok" or not np.isfinite(theory) or not self.value_sem > 0:
            return float("nan")
        return float((self.value - theory) / self.value_sem)


def size_means(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-size mean, standard error of the mean (networks as samples) and count of finite samples.

    Non-finite samples (failed or not computed networks) are left out; a size with fewer than
    :data:`MIN_SAMPLES` finite samples gets NaN mean and error.
    """
    mean, sem, n = [], [], []
    for s in samples:
        s = np.asarray(s, dtype=float).ravel()
        s = s[np.isfinite(s)]
        n.append(s.size)
        if s.size >= MIN_SAMPLES:
            mean.append(s.mean())
            sem.append(s.std(ddof=1) / np.sqrt(s.size))
        else:
            mean.append(np.nan)
            sem.append(np.nan)
    return np.array(mean), np.array(sem), np.array(n, dtype=int)


def extrapolate(N: Sequence[int], samples: Sequence[np.ndarray]) -> Extrapolation:
    """Fit ``A_inf + a/N`` (and ``+ b/N^2`` with >= 4 sizes) to per-network samples at each size ``N``.

    Parameters
    ----------
    N : sizes, one per entry of ``samples`` (distinct, >= 1).
    samples : for each size, the observable of every network (NaN for a failed or missing network).

    A size whose standard error is zero (identical samples) is weighted with the smallest positive error of the
    other sizes, so that one degenerate size cannot pin the fit. Sizes with fewer than :data:`MIN_SAMPLES` finite
    samples are left out; fewer than :data:`MIN_SIZES` usable sizes give status ``"too_few_sizes"``.
    """
    N = np.asarray(N, dtype=float)
    if N.ndim != 1 or len(samples) != N.size:
        raise ValueError(f"N and samples must have the same length, got {N.size} and {len(samples)}")
    if np.any(N < 1) or np.unique(N).size != N.size:
        raise ValueError(f"N must be distinct sizes >= 1, got {N.tolist()}")
    mean, sem, n = size_means(samples)
    use = np.isfinite(mean)
    nan = float("nan")
    fail = dict(N=N.astype(int), mean=mean, sem=sem, n=n, value=nan, value_sem=nan, slope=nan, slope_sem=nan,
                chi2_dof=nan, value_quad=nan, value_quad_sem=nan)
    if use.sum() < MIN_SIZES:
        status = "too_few_samples" if N.size >= MIN_SIZES else "too_few_sizes"
        return Extrapolation(**fail, status=status,
                             detail=f"{int(use.sum())} sizes with >= {MIN_SAMPLES} finite samples "
                                    f"(sizes {N.astype(int).tolist()}, samples {n.tolist()}); need >= {MIN_SIZES}")
    x, y, e = 1.0 / N[use], mean[use], sem[use].copy()
    positive = e[e > 0]
    floor = positive.min() if positive.size else max(1e-12, 1e-12 * np.abs(y).max())
    e[e <= 0] = floor
    coef, cov, chi2_dof = _wls(np.column_stack([np.ones_like(x), x]), y, e)
    quad, quad_sem = nan, nan
    if x.size >= 4:
        cq, covq, _ = _wls(np.column_stack([np.ones_like(x), x, x**2]), y, e)
        quad, quad_sem = float(cq[0]), float(np.sqrt(covq[0, 0]))
    return Extrapolation(
        N=N.astype(int), mean=mean, sem=sem, n=n, value=float(coef[0]), value_sem=float(np.sqrt(cov[0, 0])),
        slope=float(coef[1]), slope_sem=float(np.sqrt(cov[1, 1])), chi2_dof=chi2_dof, value_quad=quad,
        value_quad_sem=quad_sem, status="ok", detail="")


def _wls(X: np.ndarray, y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares: coefficients, covariance inflated by max(1, chi2/dof), and chi2/dof."""
    w = 1.0 / e
    coef, *_ = np.linalg.lstsq(X * w[:, None], y * w, rcond=None)
    cov = np.linalg.inv((X * w[:, None] ** 2).T @ X)
    dof = y.size - X.shape[1]
    chi2 = float(np.sum(((y - X @ coef) * w) ** 2))
    chi2_dof = chi2 / dof if dof > 0 else float("nan")
    if dof > 0 and chi2_dof > 1:
        cov = cov * chi2_dof
    return coef, cov, chi2_dof
