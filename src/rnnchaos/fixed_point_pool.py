"""Fixed points pooled over many networks of one size: the coordinate density at seed 002's scale (issue 22).

Seed 002 pools about 4 x 10^4 fixed points at N = 100 and compares their coordinate distribution with the Kac-Rice
density ``mu*``. :func:`pool_networks` does that from the per-network files of the fixed-point study
(:func:`rnnchaos.fixed_point_study.network_dataset`: each network's verified points other than ``x* = 0``):

* the density of all coordinates pooled, on bins of ``bin_width``, beside the bin averages of ``mu*`` and of the
  Gaussian of the same variance (the null the seed's figure argues against);
* the KS distance of the pooled coordinates to ``mu*`` and to that Gaussian. The coordinates of one network are
  correlated (one J, and N of them per point), so the KS distance has no textbook null distribution; its error
  is a delete-a-group jackknife over networks (:data:`JACKKNIFE_GROUPS` groups), the spread one would see with
  other networks. A distance that is many of its errors above 0 is a real difference at this N;
* ``<x*^2>`` two ways: over networks (the quenched mean of the per-network means, with its SEM) and over points
  (every point weighted once: the annealed average that Kac-Rice computes, with its jackknife error), and the
  fraction of coordinates near 0, against their Kac-Rice values.

A network whose search failed enters nowhere but its ``network_status``; a network with no point other than 0
adds no coordinate (``n_coordinate_networks`` counts those that do).

Hundreds of networks of a few seconds each are searched in batches (:func:`batch_dataset`: one job, one file, the
networks of consecutive seeds along ``seed``, each with its own status; :func:`split_batch` gives the per-network
datasets back), so that a run of 10^4 points is not dominated by the start-up of one job per network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

import numpy as np
import xarray as xr

from rnnchaos import network
from rnnchaos.fixed_point_statistics import NEAR_ZERO, ks_distance
from rnnchaos.fixed_point_study import (
    failed_statistics,
    from_dataset,
    network_dataset,
    prediction_for,
    status_code,
    to_dataset,
)
from rnnchaos.io import computed, status_variable, with_grid_coords

#: Networks per batch (one job, one file) of the pooled search.
BATCH_SIZE = 25
#: Groups of networks of the delete-a-group jackknife of the pooled statistics.
JACKKNIFE_GROUPS = 20
#: Width of the pooled density's bins, and the half-range they cover.
BIN_WIDTH = 0.05
HALF_RANGE = 8.0


def batch_dataset(model: str, N: int, seeds: Iterable[int], *, g: float, sigma_b: float, **options) -> xr.Dataset:
    """The fixed-point statistics of networks ``(N, seed)`` for each of ``seeds``
    (:func:`rnnchaos.fixed_point_study.network_dataset` with ``options``; the pipeline's networks,
    :func:`rnnchaos.network.draw_disorder`) along ``seed``, each with its ``status``: a failed search holds NaN
    (:func:`rnnchaos.fixed_point_study.failed_statistics`) beside its failure's code, never numbers. The ragged
    ``coordinates`` are padded with NaN."""
    parts = []
    for seed in seeds:
        disorder = network.draw_disorder(N, seed)
        ds = computed(partial(network_dataset, model, disorder, g=g, sigma_b=sigma_b, **options), "status",
                      f"fixed-point search of network (N = {N}, seed = {seed})")
        if set(ds.data_vars) == {"status"}:
            ds = to_dataset(failed_statistics(N)).assign(status=ds["status"])
        parts.append(ds.expand_dims(seed=[int(seed)]))
    if not parts:
        raise ValueError("seeds must hold at least one seed")
    longest = max(p.sizes["coordinate"] for p in parts)
    parts = [p.pad(coordinate=(0, longest - p.sizes["coordinate"]), constant_values=np.nan) for p in parts]
    return xr.concat(parts, dim="seed", data_vars="all")


def batch_seeds(n_seeds: int, batch: int, size: int = BATCH_SIZE) -> range:
    """The seeds of batch ``batch`` (0, 1, ...) of ``n_seeds`` networks in batches of ``size``."""
    if not 0 <= batch < n_batches(n_seeds, size):
        raise ValueError(f"batch must be in [0, {n_batches(n_seeds, size) - 1}], got {batch!r}")
    return range(batch * size, min((batch + 1) * size, n_seeds))


def n_batches(n_seeds: int, size: int = BATCH_SIZE) -> int:
    """The number of batches of ``n_seeds`` networks."""
    return -(-int(n_seeds) // int(size))


def split_batch(ds: xr.Dataset) -> list[xr.Dataset]:
    """The per-network datasets of a batch (:func:`batch_dataset` with its grid coordinates), padding dropped."""
    out = []
    for k in range(ds.sizes["seed"]):
        one = ds.isel(seed=[k])
        coords = one["coordinates"].values.ravel()
        out.append(one.isel(coordinate=slice(0, int(np.isfinite(coords).sum()))))
    return out


def gaussian_cdf(variance: float):
    """The CDF of ``N(0, variance)`` (vectorised)."""
    from scipy.special import ndtr

    scale = np.sqrt(variance)
    return lambda y: ndtr(np.asarray(y, dtype=float) / scale)


def jackknife(groups: Sequence[np.ndarray], statistic) -> tuple[float, float]:
    """``statistic`` of all ``groups`` concatenated, and its delete-a-group jackknife standard error
    ``sqrt((G-1)/G sum (s_(-g) - mean)^2)``; NaN error for fewer than 2 non-empty groups."""
    groups = [np.asarray(g, dtype=float) for g in groups if np.size(g)]
    if not groups:
        return float("nan"), float("nan")
    full = float(statistic(np.concatenate(groups)))
    G = len(groups)
    if G < 2:
        return full, float("nan")
    leave = np.array([statistic(np.concatenate(groups[:k] + groups[k + 1:])) for k in range(G)], dtype=float)
    return full, float(np.sqrt((G - 1) / G * np.sum((leave - leave.mean()) ** 2)))


def _grouped(per_network: Sequence[np.ndarray], n_groups: int) -> list[np.ndarray]:
    """The networks' coordinate arrays dealt into ``n_groups`` groups of consecutive networks."""
    chunks = np.array_split(np.arange(len(per_network)), min(n_groups, len(per_network)))
    return [np.concatenate([per_network[i] for i in c]) if c.size else np.empty(0) for c in chunks]


def pool_networks(networks: Sequence[xr.Dataset], *, model: str, g: float, sigma_b: float,
                  near_zero: float = NEAR_ZERO, nonlinearity: str = "tanh", bin_width: float = BIN_WIDTH,
                  n_groups: int = JACKKNIFE_GROUPS) -> xr.Dataset:
    """The per-network files of one ``(model, g, sigma_b, N)`` pooled (module docstring): scalars, the pooled
    density with ``mu*`` and the Gaussian on bin centres ``y``, and ``network_status`` per ``seed``."""
    if not networks:
        raise ValueError("networks must hold at least one per-network file")
    sizes = {int(ds["N"].values.ravel()[0]) for ds in networks}
    if len(sizes) != 1:
        raise ValueError(f"networks must be of one size N, got {sorted(sizes)}")
    seeds = [int(ds["seed"].values.ravel()[0]) for ds in networks]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"networks must hold each seed once, got {sorted(seeds)}")
    if not (bin_width > 0 and np.isfinite(bin_width)):
        raise ValueError(f"bin_width must be > 0, got {bin_width!r}")
    status = np.array([status_code(ds) for ds in networks], dtype=np.int8)
    stats = [from_dataset(ds) for ds, s in zip(networks, status, strict=True) if s == 0]
    coords = [np.asarray(st.coordinates, dtype=float) for st in stats]
    with_points = [c for c in coords if c.size]
    prediction = prediction_for(model, g, sigma_b, near_zero=near_zero, nonlinearity=nonlinearity)
    groups = _grouped(with_points, n_groups)
    msq, msq_err = jackknife(groups, lambda y: np.mean(y ** 2))
    near, near_err = jackknife(groups, lambda y: np.mean(np.abs(y) < near_zero))
    ks_mu, ks_mu_err = jackknife(groups, lambda y: ks_distance(y, prediction.cdf))
    ks_gauss, ks_gauss_err = jackknife(groups, lambda y: ks_distance(y, gaussian_cdf(np.mean(y ** 2))))
    per_net = np.array([np.mean(c ** 2) for c in with_points])
    q_mean = float(per_net.mean()) if per_net.size else float("nan")
    q_sem = float(per_net.std(ddof=1) / np.sqrt(per_net.size)) if per_net.size >= 2 else float("nan")

    edges = np.arange(-HALF_RANGE, HALF_RANGE + bin_width / 2, bin_width)
    y = 0.5 * (edges[1:] + edges[:-1])
    every = np.concatenate(with_points) if with_points else np.empty(0)
    hist = np.histogram(every, bins=edges)[0].astype(float)
    density = hist / (every.size * bin_width) if every.size else np.full(y.size, np.nan)
    mu_star = np.diff(prediction.cdf(edges)) / bin_width
    gauss = np.diff(gaussian_cdf(msq)(edges)) / bin_width if np.isfinite(msq) else np.full(y.size, np.nan)

    a = lambda ln, units="1": {"units": units, "long_name": ln}  # noqa: E731
    scalars = {
        "n_networks": (len(networks), "networks pooled (failed searches included)"),
        "n_failed": (int((status != 0).sum()), "networks whose search failed (left out)"),
        "n_coordinate_networks": (len(with_points), "networks with at least one point other than 0"),
        "n_points": (int(sum(c.size for c in with_points) // next(iter(sizes))), "pooled points other than 0"),
        "n_trivial": (int(sum(st.n_trivial for st in stats)), "networks among the pooled whose x* = 0 was found"),
        "mean_sq_radius_points": (msq, "<x*^2> over all pooled points (annealed)"),
        "mean_sq_radius_points_err": (msq_err, "jackknife error of mean_sq_radius_points"),
        "mean_sq_radius_networks": (q_mean, "mean over networks of each network's <x*^2> (quenched)"),
        "mean_sq_radius_networks_sem": (q_sem, "standard error of mean_sq_radius_networks"),
        "mean_sq_radius_kac_rice": (float(prediction.mean_sq_radius), "Kac-Rice <y^2> under mu*"),
        "near_zero_fraction": (near, "fraction of the pooled coordinates with |x*_i| < near_zero"),
        "near_zero_fraction_err": (near_err, "jackknife error of near_zero_fraction"),
        "near_zero_fraction_kac_rice": (float(prediction.near_zero_fraction), "Kac-Rice mu* mass of that window"),
        "ks_kac_rice": (ks_mu, "KS distance of the pooled coordinates to mu*"),
        "ks_kac_rice_err": (ks_mu_err, "jackknife error of ks_kac_rice"),
        "ks_gaussian": (ks_gauss, "KS distance of the pooled coordinates to N(0, mean_sq_radius_points)"),
        "ks_gaussian_err": (ks_gauss_err, "jackknife error of ks_gaussian"),
    }
    data = {k: ((), v, a(ln)) for k, (v, ln) in scalars.items()}
    data["density"] = (("y",), density, a("density of the pooled coordinates other than those of x* = 0"))
    data["density_kac_rice"] = (("y",), mu_star, a("Kac-Rice mu*, bin averages"))
    data["density_gaussian"] = (("y",), gauss, a("N(0, mean_sq_radius_points), bin averages"))
    data["network_status"] = (("seed",), status, {**status_variable("ok").attrs,
                                                  "long_name": "outcome of each network's search"})
    ds = xr.Dataset(data, coords={"y": ("y", y, a("fixed-point coordinate (bin centre)")),
                                  "seed": ("seed", np.array(seeds), a("network seed"))})
    ds.attrs.update(near_zero=float(near_zero), bin_width=float(bin_width), jackknife_groups=len(groups))
    return with_grid_coords(ds, g=float(g), sigma_b=float(sigma_b), N=next(iter(sizes)))
