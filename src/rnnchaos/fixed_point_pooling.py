"""Fixed-point statistics pooled over networks, extrapolated to N -> infinity and compared with Kac-Rice theory.

Networks are the samples. Each network's search gives one :class:`rnnchaos.fixed_point_statistics.NetworkStatistics`
(its points are correlated: one J, deflation chains), and :func:`pool` reports, per size N, the mean over networks
and its standard error ``s / sqrt(n)`` of

* ``<x*^2>`` (Kac-Rice: ``<y^2>_mu*``), the fraction of coordinates with ``|x*_i| < near_zero`` (Kac-Rice:
  ``int mu*`` over that window), the density per bin of ``edges`` (bin averages of ``mu*``) and the KS distance of
  each network's coordinates to ``mu*`` (also of all coordinates pooled: a finite-sample distance, not
  extrapolated);
* the Jacobian bulk, through the root-mean-square modulus of the eigenvalues of ``J diag(phi'(x*))``, against
  ``sqrt(int r^2 dF(r))`` of the single-ring radial law ``F`` of :meth:`rnnchaos.kac_rice.KacRiceSolution.
  jacobian_bulk` (and the bulk edge ``sqrt(g^2 <phi'^2>_mu*)``, reported beside it). The mean of ``|mu|^2``
  is the robust measure: a few outliers (the low-rank change from conditioning on ``y = 0``) move it by
  ``O(1/N)``, a finite-size correction the extrapolation removes, whereas the largest modulus is an outlier's;
* the index fraction (``n_unstable / N``) against :meth:`~rnnchaos.kac_rice.KacRiceSolution.index_fraction`;
* the count: ``ln E[#]`` as the log of the mean over networks of the capture-recapture estimate (annealed, as the
  Kac-Rice ``E[#] ~ exp(N Sigma)``; ``x* = 0`` counted), its error by the delta method, and the quenched
  ``<ln #>`` beside it.

The trivial point ``x* = 0`` (``sigma_b = 0``) enters only the count (``n_trivial``); a network whose only point is
``x* = 0`` gives no coordinate or Jacobian sample (``n_coordinate_networks`` counts those that do).

Saturation: a network's search is saturated if its found points are at least ``min_completeness`` of the
capture-recapture estimate (a lower bound where the chance of being found differs from point to point,
:func:`rnnchaos.fixed_point_statistics.capture_recapture`); the size is saturated if every network is.
:func:`compare` extrapolates the per-network samples with :func:`rnnchaos.finite_size.extrapolate`
(``A_inf + a/N``, z-score against the theory, never fitted) and fits ``d ln E[#] / dN`` over the saturated sizes
(:func:`rnnchaos.finite_size.fit_growth_rate`) against ``Sigma``. The Kac-Rice count has a prefactor, so the
growth rate approaches ``Sigma`` only as ``N`` grows; the fit over a finite range says nothing about the prefactor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from rnnchaos.finite_size import Extrapolation, extrapolate, fit_growth_rate
from rnnchaos.fixed_point_statistics import DENSITY_EDGES, NEAR_ZERO, NetworkStatistics, ks_distance
from rnnchaos.io import with_grid_coords
from rnnchaos.kac_rice import KacRiceSolution

#: Per-network observables extrapolated to N -> infinity and compared with Kac-Rice.
OBSERVABLES = ("mean_sq_radius", "near_zero_fraction", "rms_modulus", "index_fraction")
#: Found points over the capture-recapture estimate above which a network's search counts as saturated.
MIN_COMPLETENESS = 0.9


@dataclass(frozen=True)
class KacRicePrediction:
    """The Kac-Rice values of the pooled statistics at one ``(g, sigma_b)`` (:func:`kac_rice_prediction`)."""

    mean_sq_radius: float
    near_zero_fraction: float
    rms_modulus: float
    bulk_edge: float
    index_fraction: float
    complexity: float
    density: np.ndarray
    y: np.ndarray = field(repr=False)
    cdf_values: np.ndarray = field(repr=False)

    def cdf(self, y: np.ndarray) -> np.ndarray:
        """The coordinate CDF of ``mu*`` (NaN for the trivial solution)."""
        return np.interp(np.asarray(y, dtype=float), self.y, self.cdf_values, left=0.0, right=1.0)


def kac_rice_prediction(sol: KacRiceSolution, *, model: str = "rate", edges: np.ndarray = DENSITY_EDGES,
                        near_zero: float = NEAR_ZERO, n_grid: int = 20001) -> KacRicePrediction:
    """Kac-Rice predictions from the saddle point ``sol``: ``<y^2>``, ``int_{|y|<near_zero} mu*``, the bulk's
    ``sqrt(int r^2 dF)`` and edge, the index fraction of ``model`` ("rate" or "map"), ``Sigma``, the bin averages of
    ``mu*`` on ``edges`` and its CDF (trapezoidal on ``n_grid`` points over ``+-10 sqrt(max(beta, <y^2>))``; the
    trivial solution ``mu* = delta`` has no density: NaN there, as there are no points other than 0 to compare)."""
    nan = float("nan")
    edges = np.asarray(edges, dtype=float)
    if sol.branch == "trivial":
        return KacRicePrediction(0.0, nan, sol.jacobian_radius, sol.jacobian_radius, sol.index_fraction(model),
                                 sol.complexity, np.full(edges.size - 1, nan), np.array([0.0, 1.0]),
                                 np.full(2, nan))
    half = 10.0 * np.sqrt(max(sol.beta, sol.mean_sq_radius))
    y = np.linspace(-half, half, n_grid)
    p = sol.pdf(y)
    F = np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(y))])
    F /= F[-1]
    Fe = np.interp(edges, y, F, left=0.0, right=1.0)
    r, Fr = sol.jacobian_bulk(4000)
    rms = np.sqrt(Fr[0] * r[0] ** 2 + np.sum((0.5 * (r[1:] + r[:-1])) ** 2 * np.diff(Fr)))
    return KacRicePrediction(
        mean_sq_radius=sol.mean_sq_radius, near_zero_fraction=float(np.interp(near_zero, y, F)
                                                                    - np.interp(-near_zero, y, F)),
        rms_modulus=float(rms), bulk_edge=sol.jacobian_radius, index_fraction=sol.index_fraction(model),
        complexity=sol.complexity, density=np.diff(Fe) / np.diff(edges), y=y, cdf_values=F)


@dataclass(frozen=True)
class PooledStatistics:
    """The statistics of the networks of one size (:func:`pool`). ``samples[o]``: per network (NaN where a network
    has no sample); ``mean[o]``, ``sem[o]``: over the networks with one (sem NaN below 2); ``density_mean``,
    ``density_sem``: per bin; ``ks_pooled``: KS distance of all coordinates pooled to the ``cdf`` given;
    ``count``: per network; ``log_mean_count`` (+ ``_sem``): ``ln`` of their mean (annealed);
    ``mean_log_count`` (+ ``_sem``): quenched; ``completeness``, ``late_fraction``: per network;
    ``saturated``: every network's completeness at least ``min_completeness``."""

    N: int
    n_networks: int
    n_coordinate_networks: int
    n_trivial: int
    n_nontrivial: int
    samples: dict
    mean: dict
    sem: dict
    density_mean: np.ndarray
    density_sem: np.ndarray
    ks_pooled: float
    count: np.ndarray
    log_mean_count: float
    log_mean_count_sem: float
    mean_log_count: float
    mean_log_count_sem: float
    completeness: np.ndarray
    late_fraction: np.ndarray
    saturated: bool


def _mean_sem(v: np.ndarray) -> tuple[float, float]:
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size >= 2 else float("nan")


def pool(stats: Sequence[NetworkStatistics], *, cdf=None, min_completeness: float = MIN_COMPLETENESS
         ) -> PooledStatistics:
    """Pool the :class:`NetworkStatistics` of networks of one size (networks as samples; module docstring)."""
    if not stats:
        raise ValueError("stats must hold at least one network")
    sizes = {s.N for s in stats}
    if len(sizes) != 1:
        raise ValueError(f"stats must be of one size N, got {sorted(sizes)}")
    if not 0 < min_completeness <= 1:
        raise ValueError(f"min_completeness must be in (0, 1], got {min_completeness!r}")
    samples = {o: np.array([getattr(s, o) for s in stats], dtype=float) for o in (*OBSERVABLES, "ks_distance")}
    mean, sem = {}, {}
    for o, v in samples.items():
        mean[o], sem[o] = _mean_sem(v)
    dens = np.array([s.density for s in stats])
    have = np.isfinite(dens).all(axis=1)
    k = int(have.sum())
    d_mean = dens[have].mean(axis=0) if k else np.full(dens.shape[1], np.nan)
    d_sem = dens[have].std(axis=0, ddof=1) / np.sqrt(k) if k >= 2 else np.full(dens.shape[1], np.nan)
    coords = np.concatenate([s.coordinates for s in stats])
    count = np.array([s.count for s in stats], dtype=float)
    c_mean, c_sem = _mean_sem(count)
    l_mean, l_sem = _mean_sem(np.log(count))
    completeness = np.array([s.completeness for s in stats], dtype=float)
    return PooledStatistics(
        N=sizes.pop(), n_networks=len(stats), n_coordinate_networks=k, n_trivial=sum(s.n_trivial for s in stats),
        n_nontrivial=sum(s.n_nontrivial for s in stats), samples=samples, mean=mean, sem=sem, density_mean=d_mean,
        density_sem=d_sem, ks_pooled=ks_distance(coords, cdf) if cdf is not None else float("nan"), count=count,
        log_mean_count=float(np.log(c_mean)), log_mean_count_sem=c_sem / c_mean, mean_log_count=l_mean,
        mean_log_count_sem=l_sem, completeness=completeness,
        late_fraction=np.array([s.late_fraction for s in stats], dtype=float),
        saturated=bool(np.all(completeness >= min_completeness)))


@dataclass(frozen=True)
class Comparison:
    """Pooled statistics across sizes against Kac-Rice (:func:`compare`). ``fits[o]``: the
    :class:`rnnchaos.finite_size.Extrapolation` of observable ``o``; ``theory[o]``, ``z[o]``: its Kac-Rice value
    and z-score; ``growth_rate`` (+ ``_sem``, ``growth_chi2_dof``): ``d ln E[#] / dN`` over ``growth_sizes``
    (the saturated sizes); ``growth_z``: ``(growth_rate - Sigma) / growth_rate_sem``."""

    N: np.ndarray
    fits: dict
    theory: dict
    z: dict
    growth_sizes: np.ndarray
    growth_rate: float
    growth_rate_sem: float
    growth_chi2_dof: float
    complexity: float
    growth_z: float


def compare(pooled: Sequence[PooledStatistics], prediction: KacRicePrediction) -> Comparison:
    """Extrapolate each of :data:`OBSERVABLES` to ``N -> infinity`` and fit the count's growth rate over the
    saturated sizes; compare both with ``prediction`` (module docstring)."""
    N = np.array([p.N for p in pooled], dtype=int)
    fits: dict[str, Extrapolation] = {}
    theory, z = {}, {}
    for o in OBSERVABLES:
        fits[o] = extrapolate(N, [p.samples[o] for p in pooled])
        theory[o] = float(getattr(prediction, o))
        z[o] = fits[o].z_score(theory[o])
    sat = np.array([p.saturated for p in pooled])
    rate, rate_sem, chi2 = fit_growth_rate(N[sat], [p.log_mean_count for p in pooled if p.saturated],
                                           [p.log_mean_count_sem for p in pooled if p.saturated])
    gz = (rate - prediction.complexity) / rate_sem if np.isfinite(rate_sem) and rate_sem > 0 else float("nan")
    return Comparison(N=N, fits=fits, theory=theory, z=z, growth_sizes=N[sat], growth_rate=rate,
                      growth_rate_sem=rate_sem, growth_chi2_dof=chi2, complexity=prediction.complexity,
                      growth_z=float(gz))


#: Long names of :data:`OBSERVABLES` in :func:`study_dataset`.
LONG_NAMES = {"mean_sq_radius": "mean squared coordinate <x*^2> of the points other than 0",
              "near_zero_fraction": "fraction of the coordinates with |x*_i| < near_zero",
              "rms_modulus": "root-mean-square modulus of the eigenvalues of J diag(phi'(x*))",
              "index_fraction": "index / N (fraction of unstable directions) of the points other than 0"}


def study_dataset(pooled: Sequence[PooledStatistics], comparison: Comparison, prediction: KacRicePrediction, *,
                  g: float, sigma_b: float, edges: np.ndarray = DENSITY_EDGES,
                  min_completeness: float = MIN_COMPLETENESS) -> xr.Dataset:
    """The pooled statistics of every size (dims ``N``, ``seed``: per network, NaN-padded; ``y``: bin centres),
    their extrapolation and Kac-Rice values (``<o>_inf``, ``_inf_sem``, ``_chi2_dof``, ``_kac_rice``, ``_z``) and
    the count's growth rate, with length-1 coordinates ``g``, ``sigma_b``; every variable with units and
    long_name (``saturated``'s names the ``min_completeness`` the sizes were pooled with)."""
    N = np.array([p.N for p in pooled], dtype=int)
    n_seed = max(p.n_networks for p in pooled)
    a = lambda ln: {"units": "1", "long_name": ln}  # noqa: E731

    def per_net(values):
        out = np.full((N.size, n_seed), np.nan)
        for k, v in enumerate(values):
            out[k, : len(v)] = v
        return out

    data = {}
    for o in (*OBSERVABLES, "ks_distance"):
        name = LONG_NAMES.get(o, "KS distance of a network's coordinates to the Kac-Rice mu*")
        data[f"{o}_sample"] = (("N", "seed"), per_net([p.samples[o] for p in pooled]), a(f"{name}, per network"))
        data[f"{o}_mean"] = (("N",), np.array([p.mean[o] for p in pooled]), a(f"{name}, mean over networks"))
        data[f"{o}_sem"] = (("N",), np.array([p.sem[o] for p in pooled]), a(f"standard error of {o}_mean"))
    for o in OBSERVABLES:
        f = comparison.fits[o]
        for key, v, ln in (("inf", f.value, "extrapolated to N -> infinity (A_inf of A_inf + a/N)"),
                           ("inf_sem", f.value_sem, "standard error of the extrapolation (Birge-inflated)"),
                           ("slope", f.slope, "coefficient a of 1/N"), ("chi2_dof", f.chi2_dof, "chi2/dof of the fit"),
                           ("kac_rice", comparison.theory[o], "Kac-Rice value"),
                           ("z", comparison.z[o], "z-score (inf - kac_rice) / inf_sem")):
            data[f"{o}_{key}"] = ((), float(v), a(f"{LONG_NAMES[o]}: {ln}"))
    data["density_mean"] = (("N", "y"), np.array([p.density_mean for p in pooled]),
                            a("density of the coordinates of the points other than 0, mean over networks"))
    data["density_sem"] = (("N", "y"), np.array([p.density_sem for p in pooled]), a("standard error of density_mean"))
    data["density_kac_rice"] = (("y",), prediction.density, a("Kac-Rice mu*, averaged over each bin"))
    data["ks_pooled"] = (("N",), np.array([p.ks_pooled for p in pooled]),
                         a("KS distance of all coordinates of all networks to mu*"))
    per_n = {"n_networks": "networks", "n_coordinate_networks": "networks with points other than 0",
             "n_trivial": "networks whose search found x* = 0", "n_nontrivial": "points other than 0, all networks",
             "log_mean_count": "ln of the mean capture-recapture count (annealed ln E[#])",
             "log_mean_count_sem": "standard error of log_mean_count (delta method)",
             "mean_log_count": "mean of ln count (quenched)", "mean_log_count_sem": "standard error of mean_log_count"}
    for key, ln in per_n.items():
        data[key] = (("N",), np.array([float(getattr(p, key)) for p in pooled]), a(ln))
    data["saturated"] = (("N",), np.array([p.saturated for p in pooled], dtype=np.int8),
                         a(f"1 if every network found >= {min_completeness:g} of its capture-recapture count"))
    for key, ln in (("count", "capture-recapture estimate of the number of fixed points (x* = 0 included)"),
                    ("completeness", "points found / count"),
                    ("late_fraction", "fraction of the points first found in the second half of the solves")):
        data[key] = (("N", "seed"), per_net([getattr(p, key) for p in pooled]), a(ln))
    for key, ln in (("growth_rate", "d ln E[#] / dN over the saturated sizes"),
                    ("growth_rate_sem", "standard error of growth_rate"),
                    ("growth_chi2_dof", "chi2/dof of the linear fit of ln E[#] in N"),
                    ("complexity", "Kac-Rice complexity Sigma"), ("growth_z", "(growth_rate - Sigma) / sem")):
        data[key] = ((), float(getattr(comparison, key)), a(ln))
    for key, ln in (("bulk_edge", "Kac-Rice edge sqrt(g^2 <phi'^2>_mu*) of the Jacobian bulk"),):
        data[key] = ((), float(getattr(prediction, key)), a(ln))
    centres = 0.5 * (np.asarray(edges)[1:] + np.asarray(edges)[:-1])
    ds = xr.Dataset(data, coords={"N": ("N", N, a("network size")), "seed": ("seed", np.arange(n_seed), a(
        "network index within a size")), "y": ("y", centres, a("fixed-point coordinate (bin centre)"))})
    return with_grid_coords(ds, g=float(g), sigma_b=float(sigma_b))
