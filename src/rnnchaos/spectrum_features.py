"""Features of a Lyapunov spectrum, and their rank correlation with a performance value across networks.

Vogt et al. (2022) relate the spectra of trained RNNs to how well they perform; the features here are those of
issue 19, from the first ``k`` exponents of an ``n``-dimensional system (per time step):

* ``lambda_max``: the largest exponent; ``mean_exponent``: the mean of the ``k``;
* ``d_ky``: Kaplan-Yorke dimension (:func:`rnnchaos.lyapunov.kaplan_yorke`; a lower bound where ``k < n`` and all
  ``k`` partial sums are >= 0);
* ``entropy_rate``: the sum of the positive exponents (Pesin's bound on the KS entropy; a lower bound where
  ``k < n`` and ``lambda_k > 0``); ``n_positive``: how many exponents are > 0;
* ``q10`` .. ``q90``: quantiles of the ``k`` exponents (linear interpolation).

:func:`feature_correlations` gives, per feature, Spearman's rho with the performance over the networks that have
one (at least :data:`MIN_NETWORKS`), its two-sided p value (scipy's t approximation) and a percentile bootstrap
confidence interval (networks resampled with replacement, ``n_boot`` times; resamples whose ranks are all tied
are dropped and counted).
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.stats import spearmanr

from rnnchaos.lyapunov import kaplan_yorke

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
FEATURES = ("lambda_max", "mean_exponent", "d_ky", "entropy_rate", "n_positive",
            *(f"q{round(100 * q)}" for q in QUANTILES))
LONG_NAMES = {"lambda_max": "largest Lyapunov exponent", "mean_exponent": "mean of the k exponents",
              "d_ky": "Kaplan-Yorke dimension", "entropy_rate": "entropy rate: sum of the positive exponents",
              "n_positive": "number of positive exponents",
              **{f"q{round(100 * q)}": f"{q:g} quantile of the k exponents" for q in QUANTILES}}
#: Fewest networks with a performance value for a correlation.
MIN_NETWORKS = 5


def spectrum_features(exponents, n: int) -> dict:
    """The features (module docstring) of the exponents ``exponents`` (k,) of an ``n``-dimensional system, with
    the flags ``d_ky_lower_bound`` and ``entropy_rate_lower_bound``."""
    lam = np.sort(np.asarray(exponents, dtype=float))[::-1]
    if lam.ndim != 1 or lam.size < 1 or not np.all(np.isfinite(lam)):
        raise ValueError(f"exponents must be a finite 1-D array with k >= 1, got shape {np.shape(exponents)}")
    if not (isinstance(n, (int, np.integer)) and n >= lam.size):
        raise ValueError(f"n must be an integer >= k = {lam.size}, got {n!r}")
    d_ky, d_lb = kaplan_yorke(lam, n)
    out = {"lambda_max": float(lam[0]), "mean_exponent": float(lam.mean()), "d_ky": d_ky,
           "entropy_rate": float(lam[lam > 0].sum()), "n_positive": float(np.count_nonzero(lam > 0))}
    out.update({f"q{round(100 * q)}": float(np.quantile(lam, q)) for q in QUANTILES})
    out.update(d_ky_lower_bound=bool(d_lb), entropy_rate_lower_bound=bool(lam.size < n and lam[-1] > 0))
    return out


def feature_table(spectra, n, names, *, performance=None, time_unit: str = "step") -> xr.Dataset:
    """The features of several spectra as a Dataset with dimension ``network`` (coordinate ``names``): one
    variable per feature, the two lower-bound flags and, if given, ``performance`` (NaN where a network has none).
    ``spectra``: one exponent array per network; ``n``: their state sizes (one int for all)."""
    names = list(names)
    if len(spectra) != len(names) or len(names) < 1:
        raise ValueError(f"spectra and names must have the same length >= 1, got {len(spectra)} and {len(names)}")
    ns = [n] * len(names) if isinstance(n, (int, np.integer)) else list(n)
    rows = [spectrum_features(s, m) for s, m in zip(spectra, ns, strict=True)]
    ru = f"1/{time_unit}"
    units = {"d_ky": "1", "n_positive": "1"}
    ds = xr.Dataset({f: ("network", [r[f] for r in rows], {"units": units.get(f, ru), "long_name": LONG_NAMES[f]})
                     for f in FEATURES}, coords={"network": names})
    for flag in ("d_ky_lower_bound", "entropy_rate_lower_bound"):
        ds[flag] = ("network", np.array([r[flag] for r in rows], dtype=np.int8),
                    {"units": "1", "long_name": f"1 if {flag[:-12]} is only a lower bound (k < n)"})
    if performance is not None:
        perf = np.asarray(performance, dtype=float)
        if perf.shape != (len(names),):
            raise ValueError(f"performance must have shape ({len(names)},), one value per network, got {perf.shape}")
        ds["performance"] = ("network", perf, {"units": "1", "long_name": "performance value (NaN: none given)"})
    return ds


def spearman_bootstrap(x, y, *, rng: np.random.Generator, n_boot: int = 2000, level: float = 0.95) -> dict:
    """Spearman's rho of ``x`` and ``y`` (same length >= :data:`MIN_NETWORKS`), its p value and the percentile
    bootstrap interval at ``level``: ``{"rho", "p_value", "ci_low", "ci_high", "n", "n_boot_used"}``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < MIN_NETWORKS:
        raise ValueError(f"x and y must be 1-D of one length >= {MIN_NETWORKS}, got {x.shape} and {y.shape}")
    if not (0 < level < 1) or n_boot < 1:
        raise ValueError(f"level must be in (0, 1) and n_boot >= 1, got {level!r}, {n_boot!r}")
    res = spearmanr(x, y)
    idx = rng.integers(0, x.size, (n_boot, x.size))
    boots = np.array([_rho(x[i], y[i]) for i in idx])
    boots = boots[np.isfinite(boots)]
    a = (1 - level) / 2
    lo, hi = (np.quantile(boots, [a, 1 - a]) if boots.size else (np.nan, np.nan))
    return {"rho": float(res.statistic), "p_value": float(res.pvalue), "ci_low": float(lo), "ci_high": float(hi),
            "n": int(x.size), "n_boot_used": int(boots.size)}


def _rho(x, y) -> float:
    if np.all(x == x[0]) or np.all(y == y[0]):
        return np.nan
    return float(spearmanr(x, y).statistic)


def feature_correlations(table: xr.Dataset, *, rng: np.random.Generator, n_boot: int = 2000,
                         level: float = 0.95) -> xr.Dataset:
    """Per feature of ``table`` (:func:`feature_table` with ``performance``), Spearman's rho with the performance
    over the networks that have one, p value and bootstrap interval (:func:`spearman_bootstrap`, features in the
    order of :data:`FEATURES`, one ``rng`` stream). Raises ``ValueError`` with fewer than :data:`MIN_NETWORKS`."""
    if "performance" not in table:
        raise ValueError("table has no 'performance' variable; give performance= to feature_table")
    has = np.isfinite(table["performance"].values)
    if has.sum() < MIN_NETWORKS:
        raise ValueError(f"a correlation needs >= {MIN_NETWORKS} networks with a performance value, got "
                         f"{int(has.sum())}")
    perf = table["performance"].values[has]
    rows = [spearman_bootstrap(table[f].values[has], perf, rng=rng, n_boot=n_boot, level=level) for f in FEATURES]
    keys = {"rho": "Spearman rank correlation with the performance", "p_value": "two-sided p value of rho",
            "ci_low": f"lower end of the {level:g} percentile bootstrap interval of rho",
            "ci_high": f"upper end of the {level:g} percentile bootstrap interval of rho",
            "n_boot_used": "bootstrap resamples with untied ranks (others dropped)"}
    ds = xr.Dataset({k: ("feature", [r[k] for r in rows], {"units": "1", "long_name": v}) for k, v in keys.items()},
                    coords={"feature": list(FEATURES)})
    ds.attrs.update(n_networks=int(has.sum()), n_boot=int(n_boot), level=float(level))
    return ds
