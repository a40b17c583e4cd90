"""The fixed-point study across N (issue 22) as a pipeline stage: one network's statistics and its file, and the
study of one ``(model, g, sigma_b)`` pooled from those files.

* :func:`network_study`: the verified fixed points of one network (Newton with deflation from Gaussian starts only,
  the unbiased sample of the population, :data:`rnnchaos.fixed_point_result.UNBIASED_ROOTS`; no trajectory states,
  no homotopy: :func:`search_settings`) reduced to its
  :class:`~rnnchaos.fixed_point_statistics.NetworkStatistics`, the sample unit of the pooled statistics.
  :func:`network_dataset` is the same as a Dataset (the rule's per-network file), :func:`to_dataset` and
  :func:`from_dataset` the round trip; a network whose search failed (its file holds only ``status``, written by
  :func:`rnnchaos.io.save_stage`) reads back as :func:`failed_statistics`: NaN everywhere, never data.
* :func:`study`: the per-network files of every size and seed pooled per N (:func:`rnnchaos.fixed_point_pooling.
  pool`, networks as samples), extrapolated to N -> infinity against Kac-Rice and the count's growth rate against
  Sigma (:func:`~rnnchaos.fixed_point_pooling.compare`), as :func:`~rnnchaos.fixed_point_pooling.study_dataset`
  with each network's ``network_status``. A failed network enters with NaN (left out of every mean) and makes its
  size unsaturated (its completeness is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from rnnchaos import fixed_points, models, network
from rnnchaos.fixed_point_pooling import (
    MIN_COMPLETENESS,
    KacRicePrediction,
    compare,
    kac_rice_prediction,
    pool,
    study_dataset,
)
from rnnchaos.fixed_point_statistics import DENSITY_EDGES, NEAR_ZERO, NetworkStatistics, fixed_point_statistics
from rnnchaos.io import point_values, status_variable, with_grid_coords
from rnnchaos.kac_rice import kac_rice_solution
from rnnchaos.network import Disorder

#: Purpose of the random stream of the study's searches (:func:`rnnchaos.network.rng_for`).
RNG_PURPOSE = "fixed_point_study"
#: Newton iterations per solve of the study's searches (:func:`rnnchaos.fixed_points.network_fixed_points`).
MAX_ITER = 50
#: Scalars of a :class:`NetworkStatistics` in its file, with their long names (units 1).
SCALARS = {
    "n_points": "verified fixed points, x* = 0 included",
    "n_trivial": "1 if x* = 0 is among the points, else 0",
    "n_nontrivial": "verified fixed points other than x* = 0",
    "mean_sq_radius": "mean squared coordinate <x*^2> of the points other than 0",
    "ks_distance": "KS distance of the coordinates of the points other than 0 to the Kac-Rice mu*",
    "near_zero_fraction": "fraction of the coordinates with |x*_i| < near_zero",
    "rms_modulus": "root-mean-square modulus of the eigenvalues of J diag(phi'(x*))",
    "index_fraction": "mean index / N of the points other than 0",
    "count": "capture-recapture estimate of the number of fixed points (x* = 0 included)",
    "count_se": "standard error of count",
    "completeness": "points found / count",
    "late_fraction": "fraction of the points first found in the second half of the solves",
}
INTEGERS = ("n_points", "n_trivial", "n_nontrivial")


def search_settings(n_init: int) -> dict:
    """Keywords of :func:`rnnchaos.fixed_points.network_fixed_points` for one network of the study (also the
    settings of its cost model, :mod:`rnnchaos.resources`): ``n_init`` solves, :data:`MAX_ITER`, no path."""
    return {"n_init": int(n_init), "max_iter": MAX_ITER, "n_paths": 0, "path_solves": 1}


def prediction_for(model: str, g: float, sigma_b: float, *, near_zero: float = NEAR_ZERO,
                   nonlinearity: str = "tanh") -> KacRicePrediction:
    """The Kac-Rice values of the pooled statistics at ``(g, sigma_b)`` (:func:`rnnchaos.fixed_point_pooling.
    kac_rice_prediction`, index fraction of ``model``)."""
    sol = kac_rice_solution(g, sigma_b, nonlinearity=nonlinearity)
    return kac_rice_prediction(sol, model=model, near_zero=near_zero)


def network_study(model: str, disorder: Disorder, *, g: float, sigma_b: float, n_init: int,
                  near_zero: float = NEAR_ZERO, nonlinearity: str = "tanh") -> NetworkStatistics:
    """The :class:`NetworkStatistics` of network ``disorder`` (its ``N``, ``seed``) at ``(g, sigma_b)``: ``n_init``
    solves (:func:`search_settings`; random stream ``rng_for(N, seed, RNG_PURPOSE)``), the KS distance to the
    Kac-Rice ``mu*``, the fraction of coordinates with ``|x*_i| < near_zero``. Raises
    :class:`rnnchaos.status.NumericalFailure` where the search fails ("stalled", "trivial_only")."""
    net = models.make(model, disorder.couplings(g), disorder.biases(sigma_b), nonlinearity=nonlinearity)
    prediction = prediction_for(model, g, sigma_b, near_zero=near_zero, nonlinearity=nonlinearity)
    fp = fixed_points.network_fixed_points(
        net, rng=network.rng_for(disorder.N, disorder.seed, RNG_PURPOSE),
        expected_points=fixed_points.theory_count(g, sigma_b, disorder.N, net.phi), **search_settings(n_init))
    return fixed_point_statistics(fp, cdf=prediction.cdf, near_zero=near_zero)


def network_dataset(model: str, disorder: Disorder, **options) -> xr.Dataset:
    """:func:`to_dataset` of :func:`network_study` (``options``: its keywords)."""
    return to_dataset(network_study(model, disorder, **options))


def to_dataset(stats: NetworkStatistics, *, edges: np.ndarray = DENSITY_EDGES) -> xr.Dataset:
    """One network's statistics as a Dataset: the scalars of :data:`SCALARS`, ``density`` on the bin centres ``y``
    of ``edges`` and the ``coordinates`` of the points other than 0 (dim ``coordinate``); no ``N`` (the file's
    grid coordinate, :func:`rnnchaos.io.save_stage`)."""
    edges = np.asarray(edges, dtype=float)
    if stats.density.size != edges.size - 1:
        raise ValueError(f"edges must bound the {stats.density.size} density bins, got {edges.size} edges")
    a = lambda ln: {"units": "1", "long_name": ln}  # noqa: E731
    data = {k: ((), getattr(stats, k), a(ln)) for k, ln in SCALARS.items()}
    data["density"] = (("y",), stats.density, a("density of the coordinates of the points other than 0"))
    data["coordinates"] = (("coordinate",), np.asarray(stats.coordinates, dtype=float),
                           a("coordinates x*_i of the points other than 0, flattened"))
    centres = 0.5 * (edges[1:] + edges[:-1])
    return xr.Dataset(data, coords={"y": ("y", centres, a("fixed-point coordinate (bin centre)"))})


def failed_statistics(N: int, n_bins: int = DENSITY_EDGES.size - 1) -> NetworkStatistics:
    """The statistics of a network whose search failed: no point, NaN for every statistic."""
    nan = float("nan")
    return NetworkStatistics(N=int(N), n_points=0, n_trivial=0, n_nontrivial=0, coordinates=np.empty(0),
                             mean_sq_radius=nan, density=np.full(n_bins, nan), ks_distance=nan, near_zero_fraction=nan,
                             rms_modulus=nan, index_fraction=nan, count=nan, count_se=nan, completeness=nan,
                             late_fraction=nan)


def status_code(ds: xr.Dataset) -> int:
    """The ``status`` of a per-network file (0, ok, for a Dataset without one)."""
    return int(point_values(ds, "status")) if "status" in ds else 0


def from_dataset(ds: xr.Dataset) -> NetworkStatistics:
    """The :class:`NetworkStatistics` of a per-network file (its ``N`` from the grid coordinate); a failed search
    (``status`` not ok) gives :func:`failed_statistics`."""
    if "N" not in ds.coords:
        raise ValueError("ds must carry the grid coordinate N (a per-network file of the fixed_point_study stage)")
    N = int(ds["N"].values.ravel()[0])
    if status_code(ds) != 0:
        return failed_statistics(N, ds.sizes.get("y", DENSITY_EDGES.size - 1))
    values = {k: point_values(ds, k) for k in (*SCALARS, "density", "coordinates")}
    return NetworkStatistics(N=N, **{k: (int(v) if k in INTEGERS else float(v) if k in SCALARS else v)
                                     for k, v in values.items()})


def study(networks: Sequence[xr.Dataset], *, model: str, g: float, sigma_b: float, near_zero: float = NEAR_ZERO,
          min_completeness: float = MIN_COMPLETENESS, nonlinearity: str = "tanh") -> xr.Dataset:
    """Pool the per-network files of one ``(model, g, sigma_b)`` (every size and seed, each once) per N, extrapolate
    and compare with Kac-Rice (module docstring): :func:`rnnchaos.fixed_point_pooling.study_dataset` with the
    ``seed`` coordinate of the files, ``network_status`` (N, seed) and ``n_failed`` (N)."""
    table: dict[tuple[int, int], xr.Dataset] = {}
    for ds in networks:
        key = (int(ds["N"].values.ravel()[0]), int(ds["seed"].values.ravel()[0]))
        if key in table:
            raise ValueError(f"networks must hold each (N, seed) once, got {key} twice")
        table[key] = ds
    sizes, seeds = sorted({n for n, _ in table}), sorted({s for _, s in table})
    missing = [(n, s) for n in sizes for s in seeds if (n, s) not in table]
    if not table or missing:
        raise ValueError(f"networks must hold every (N, seed) of the study, missing {missing or 'all'}")
    prediction = prediction_for(model, g, sigma_b, near_zero=near_zero, nonlinearity=nonlinearity)
    pooled = [pool([from_dataset(table[n, s]) for s in seeds], cdf=prediction.cdf, min_completeness=min_completeness)
              for n in sizes]
    ds = study_dataset(pooled, compare(pooled, prediction), prediction, g=g, sigma_b=sigma_b,
                       min_completeness=min_completeness)
    ds = ds.assign_coords(seed=("seed", np.array(seeds), ds["seed"].attrs))
    status = np.array([[status_code(table[n, s]) for s in seeds] for n in sizes], dtype=np.int8)
    extra = xr.Dataset({
        "network_status": (("N", "seed"), status, {**status_variable("ok").attrs,
                                                   "long_name": "outcome of each network's search"}),
        "n_failed": (("N",), (status != 0).sum(axis=1), {"units": "1", "long_name": "networks whose search failed"}),
    }, coords={"N": ds["N"].values, "seed": ds["seed"].values})
    return ds.merge(with_grid_coords(extra, g=float(g), sigma_b=float(sigma_b)))
