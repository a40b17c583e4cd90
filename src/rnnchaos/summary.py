"""Summary stage: the results of one model over the whole grid, in one Dataset.

Every per-point file carries length-1 coordinates (g, sigma_b, sigma_xi, N, seed), so :func:`xarray.combine_by_coords`
assembles each stage's hypercube; the stages are then merged with a prefix naming where a variable comes from
(``sim_``, ``lyap_``, ``fp_``, ``dmft_``).

Missing values are NaN beside a status, never an integer sentinel:

* every value variable is floating point (counts such as ``fp_n_fixed_points`` too), NaN where the stage failed
  or has no file;
* every ``<prefix>status`` stays an ``int8`` flag variable with ``flag_values``/``flag_meanings`` of
  :data:`rnnchaos.status.SUMMARY_STATUS_CODES`: the stage's own code where a file exists, ``not_computed``
  (:data:`rnnchaos.status.NOT_COMPUTED`) where the grid point has no file of that stage; its ``detail``
  attribute lists the grid points that failed, each with its code and the stage's message.

Fixed points: ``fp_coordinate_counts`` and ``fp_mean_sq_radius`` leave out the trivial point ``x* = 0`` (at
``sigma_b = 0``), as the Kac-Rice density ``mu*(y)`` and ``<x*^2>`` do; ``fp_n_nontrivial`` counts the points
other than ``x* = 0`` (``fp_n_fixed_points`` counts all). By origin
(:func:`rnnchaos.fixed_point_statistics.origin_samples`):
``fp_n_from_<c>`` and ``fp_mean_sq_radius_from_<c>`` per network for the points reached from trajectory states,
Gaussian draws, homotopy paths and the unbiased starts (``c`` in :data:`ORIGIN_CLASSES`), and over the networks
(networks as samples, each network's sample mean counting once) ``fp_mean_sq_radius_from_<c>_seed_mean``,
``..._seed_sem`` and ``fp_networks_from_<c>`` (:func:`origin_means`). ``fp_mean_sq_radius`` pools all origins,
so where trajectory starts or a homotopy path found most points it is not the population's mean.

Attractors: ``attractor`` classes every simulated network as chaotic, limit cycle, fixed point or undecided
(:mod:`rnnchaos.attractor`, from the simulation's end speed and recurrence and the Lyapunov stage's lambda_max); a
network driven by noise (``sigma_xi > 0``), whose end speed and recurrence measure the noise, by the sign of
lambda_max alone: chaotic or noise_driven (undecided where the exponent is missing), never a fixed point or cycle;
averages compared with the chaotic mean-field solution select ``attractor == 0`` and say how many seeds that is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from rnnchaos.attractor import ATTRACTOR_CLASSES, classify
from rnnchaos.fixed_point_statistics import DENSITY_EDGES, mean_sq_radius, nontrivial
from rnnchaos.io import with_grid_coords
from rnnchaos.status import NOT_COMPUTED, SUMMARY_STATUS_CODES

#: Origin classes of the fixed-point samples kept apart (:func:`rnnchaos.fixed_point_statistics.origin_samples`).
ORIGIN_CLASSES = ("trajectory", "gaussian", "homotopy", "unbiased")
#: Variables taken from each stage, and the prefix they get in the summary.
KEEP = {
    "simulate": ("sim_", ("delta0", "delta0_sem", "mean_activity", "delta", "delta_sem", "delta_inf_overlap",
                          "delta_inf_overlap_sem", "delta_inf_time", "delta_inf_time_sem", "end_speed",
                          "recurrence", "status")),
    "lyapunov": ("lyap_", ("lambda_max", "lambda_max_sem", "d_ky", "entropy_rate", "mean_exponent",
                           "jacobian_trace_mean", "exponent", "exponent_sem", "status")),
    "fixed_points": ("fp_", ("n_fixed_points", "n_nontrivial", "n_stable", "capture_recapture_estimate",
                             *(f"{v}_from_{c}" for c in ORIGIN_CLASSES for v in ("n", "mean_sq_radius")),
                             *(f"{v}_from_{c}" for c in ORIGIN_CLASSES[:-1] for v in ("starts", "converged")),
                             "mean_sq_radius", "coordinate_counts", "status")),
    "dmft": ("dmft_", ("delta0", "delta_inf", "lambda_max", "g_c", "chaotic", "delta", "status")),
}
#: Variables on a stage's own axis (tau, i), left out rather than invented where no point of the stage has them.
VECTORS = ("delta", "delta_sem", "exponent", "exponent_sem")
#: Bin edges of the pooled histogram of fixed-point coordinates (those of the pooled density,
#: :mod:`rnnchaos.fixed_point_pooling`).
COORDINATE_EDGES = DENSITY_EDGES
GRID = ("g", "sigma_b", "sigma_xi", "N", "seed")


def summarise(*, simulate: Sequence[xr.Dataset], lyapunov: Sequence[xr.Dataset],
              fixed_points: Sequence[xr.Dataset], dmft: Sequence[xr.Dataset], model: str = "rate") -> xr.Dataset:
    """Combine per-point datasets of each stage into one Dataset on the (g, sigma_b, sigma_xi, N, seed) grid.

    Where some file carries a ``sigma_xi`` coordinate (every file the pipeline writes does), a file without one
    (written before the noise axis existed) is a noise-free one, read at ``sigma_xi = 0``; where none does, the
    summary has no ``sigma_xi`` dimension.

    ``model`` ("rate": a flow, "map") decides what a limit cycle's exponent must be (:func:`attractor_classes`).

    Values are float (NaN where missing); each ``<prefix>status`` is ``int8`` with the flags of
    :data:`rnnchaos.status.SUMMARY_STATUS_CODES` (``not_computed`` where the stage has no file for the point).
    """
    if any("sigma_xi" in ds.coords for part in (simulate, lyapunov, fixed_points, dmft) for ds in part):
        simulate, lyapunov, fixed_points, dmft = ([_noise_axis(ds) for ds in part]
                                                  for part in (simulate, lyapunov, fixed_points, dmft))
    parts = [
        _combine("simulate", simulate),
        _combine("lyapunov", lyapunov),
        _combine("fixed_points", [_with_histogram(ds) for ds in fixed_points]),
        _combine("dmft", [ds.rename({"tau": "tau_dmft"}) if "tau" in ds.dims else ds for ds in dmft]),
    ]
    details = {k: v for part in parts for k, v in part.attrs.items()}
    out = xr.merge([part.drop_attrs(deep=False) for part in parts], combine_attrs="drop_conflicts", join="outer",
                   compat="no_conflicts")
    for name in [v for v in out.data_vars if v.endswith("status")]:
        out[name] = _status_flags(out[name], details.get(name, ""))
    if "sim_end_speed" in out and "lyap_lambda_max" in out:
        out["attractor"] = attractor_classes(out, flow=model != "map")
    if "fp_status" in out and "seed" in out.dims:
        out.update(origin_means(out))
    for name in out.variables:
        out[name].encoding = {}  # the per-point files' integer encodings must not reach the summary's file
    out.attrs.clear()
    out.attrs["description"] = ("rnnchaos summary: simulation, Lyapunov, fixed-point and mean-field results; "
                                "values NaN where a stage failed or was not computed (see each <prefix>status)")
    return out


def attractor_classes(out: xr.Dataset, *, flow: bool = True) -> xr.DataArray:
    """The attractor class of every network (:func:`rnnchaos.attractor.classify`), an ``int8`` flag variable.

    A simulated network is classed from its end speed, recurrence and lambda_max +- sem (a missing exponent alone
    gives ``undecided``, unless the network stopped on a fixed point). A network whose Lyapunov stage ran but whose
    simulation was not computed (per-stage ``seeds``/``N``) is classed from lambda_max +- sem alone: ``chaotic``
    when lambda_max > 3 sem, the same test a simulated network passes, else ``undecided`` (a fixed point and a limit
    cycle need the trajectory). ``not_computed`` where neither tells, or where the simulation failed. Where
    ``sigma_xi > 0`` the network is noisy: the class follows lambda_max alone (chaotic, noise_driven or undecided;
    never fixed point or limit cycle)."""
    speed, rec = out["sim_end_speed"], out["sim_recurrence"]
    lam, sem = out["lyap_lambda_max"], out["lyap_lambda_max_sem"]
    noisy = out["sigma_xi"] > 0 if "sigma_xi" in out.dims else xr.zeros_like(speed, dtype=bool)
    unsimulated = out["sim_status"] == NOT_COMPUTED if "sim_status" in out else xr.zeros_like(speed, dtype=bool)
    speed, rec, lam, sem, noisy, unsimulated = xr.broadcast(speed, rec, lam, sem, noisy, unsimulated)
    codes = np.full(speed.shape, NOT_COMPUTED, dtype=np.int8)
    for idx in np.ndindex(speed.shape):
        if np.isfinite(speed.values[idx]) or (unsimulated.values[idx] and np.isfinite(lam.values[idx])):
            codes[idx] = classify(speed=float(speed.values[idx]), recurrence=float(rec.values[idx]),
                                  lambda_max=float(lam.values[idx]), lambda_max_sem=float(sem.values[idx]),
                                  flow=flow, noisy=bool(noisy.values[idx])).code
    flags = {"not_computed": NOT_COMPUTED, **ATTRACTOR_CLASSES}
    return xr.DataArray(codes, dims=speed.dims, coords=speed.coords, attrs={
        "long_name": "attractor of the simulated network (rnnchaos.attractor: end speed, recurrence, "
                     "lambda_max +- sem; with noise lambda_max +- sem alone)",
        "units": "1", "flag_values": np.array(list(flags.values()), dtype=np.int8),
        "flag_meanings": " ".join(flags)})


def origin_means(out: xr.Dataset) -> xr.Dataset:
    """``<x*^2>`` of each origin class over the networks (seeds) whose search succeeded and found such points:
    ``fp_mean_sq_radius_from_<c>_seed_mean``, ``..._seed_sem`` (NaN below 2 networks) and
    ``fp_networks_from_<c>`` (0: no sample of that class at the grid point, e.g. no Gaussian start converged).

    Networks are the samples: each network's mean over its points counts once, since the points of one search
    are correlated (shared J, deflation chains, one path's neighbours) and its within-network error is a lower
    bound (:class:`rnnchaos.fixed_point_statistics.OriginSample`)."""
    ok = out["fp_status"] == 0
    res = {}
    for c in ORIGIN_CLASSES:
        name = f"fp_mean_sq_radius_from_{c}"
        v = out[name].where(ok)
        n = v.notnull().sum("seed")
        who = f"the points reached from {c} starts" if c != "unbiased" else "the unbiased sample (Gaussian starts)"
        res[f"{name}_seed_mean"] = v.mean("seed").assign_attrs(
            units="1", long_name=f"<x*^2> of {who}, mean over the networks with such points")
        res[f"{name}_seed_sem"] = (v.std("seed", ddof=1) / np.sqrt(n)).where(n >= 2).assign_attrs(
            units="1", long_name=f"standard error of fp_mean_sq_radius_from_{c}_seed_mean (networks as samples)")
        res[f"fp_networks_from_{c}"] = n.astype(np.float64).assign_attrs(
            units="1", long_name=f"networks whose search found points from {c} starts")
    return xr.Dataset(res)


def _noise_axis(ds: xr.Dataset) -> xr.Dataset:
    """A per-point file with its ``sigma_xi`` coordinate: one written before the noise axis (a grid point without
    it) is noise-free, ``sigma_xi = 0``."""
    if "sigma_xi" in ds.coords or "g" not in ds.coords:
        return ds
    ds = with_grid_coords(ds, sigma_xi=0.0)
    return ds.transpose(*[d for d in GRID if d in ds.dims], ...)


def _combine(stage: str, datasets: Sequence[xr.Dataset]) -> xr.Dataset:
    """One stage's hypercube: values as float, status as read, and the failed points' details in ``attrs``."""
    prefix, names = KEEP[stage]
    if not datasets:
        return xr.Dataset()
    picked = [_as_float(ds[[v for v in names if v in ds.data_vars]].drop_attrs(deep=False)) for ds in datasets]
    combined = xr.combine_by_coords(picked, compat="no_conflicts", data_vars="all", coords="different",
                                  combine_attrs="drop_conflicts", join="outer")
    for name in combined.data_vars:  # attrs that differ between files (e.g. written by two versions) are dropped
        if not {"units", "long_name"} <= set(combined[name].attrs):
            first = next(ds[name].attrs for ds in picked if name in ds.data_vars)
            combined[name].attrs = {**first, "long_name": first.get("long_name", name) + " (as in the first file)"}
    grid = [d for d in GRID if d in combined.dims]
    for name in set(names) - set(combined.data_vars) - set(VECTORS) - {"status"}:
        combined[name] = _absent(name, stage, combined, grid)
    combined = combined.rename({v: prefix + v for v in combined.data_vars})
    combined.attrs = {prefix + "status": "; ".join(filter(None, (_failure(ds) for ds in datasets)))}
    return combined


def _absent(name: str, stage: str, combined: xr.Dataset, grid: list[str]) -> xr.DataArray:
    """All-NaN ``name`` where no point of the stage has it (every one failed), so the summary's schema holds."""
    attrs = {"units": "1", "long_name": f"{name} (no grid point of stage {stage} computed it)"}
    if name == "coordinate_counts":
        centres = 0.5 * (COORDINATE_EDGES[1:] + COORDINATE_EDGES[:-1])
        return xr.DataArray(np.full([combined.sizes[d] for d in grid] + [centres.size], np.nan),
                            dims=(*grid, "y"), coords={**{d: combined[d] for d in grid}, "y": centres}, attrs=attrs)
    return xr.DataArray(np.full([combined.sizes[d] for d in grid], np.nan), dims=grid,
                        coords={d: combined[d] for d in grid}, attrs=attrs)


def _as_float(ds: xr.Dataset) -> xr.Dataset:
    """Every variable but ``status`` as float64 (so a point without it is NaN, not an integer fill value)."""
    ds = ds.copy()
    for v in ds.data_vars:
        if v != "status" and ds[v].dtype.kind in "iub":
            ds[v] = ds[v].astype(np.float64)
    for v in ds.variables:
        ds[v].encoding = {}
    return ds


def _failure(ds: xr.Dataset) -> str:
    """``"g=.., sigma_b=.., N=.., seed=..: <status>: <detail>"`` for a failed point, else ``""``."""
    if "status" not in ds.data_vars:
        return ""
    code = int(np.asarray(ds["status"].values).ravel()[0])
    if code == 0:
        return ""
    meaning = {v: k for k, v in SUMMARY_STATUS_CODES.items()}.get(code, str(code))
    where = ", ".join(f"{d}={ds[d].values.ravel()[0]:g}" for d in GRID if d in ds.coords)
    return f"{where}: {meaning}: {ds['status'].attrs.get('detail', '')}".rstrip(": ")


def _status_flags(status: xr.DataArray, detail: str) -> xr.DataArray:
    """An ``int8`` flag variable: the stage's codes, :data:`NOT_COMPUTED` where it has none (NaN after combining)."""
    filled = status.fillna(NOT_COMPUTED).astype(np.int8)
    filled.attrs = {
        "long_name": "outcome of the computation (not_computed: no file of this stage for the grid point)",
        "units": "1",
        "flag_values": np.array(list(SUMMARY_STATUS_CODES.values()), dtype=np.int8),
        "flag_meanings": " ".join(SUMMARY_STATUS_CODES),
        "detail": detail,
    }
    return filled


def _with_histogram(ds: xr.Dataset) -> xr.Dataset:
    """Add ``coordinate_counts`` (histogram of the coordinates of the points other than ``x* = 0``),
    ``n_nontrivial`` and, if the file lacks it, ``mean_sq_radius`` (over the same points)."""
    if "x" not in ds.data_vars:
        return ds
    grid = [d for d in GRID if d in ds["x"].dims]
    points = ds["x"].squeeze(grid, drop=True).values
    x = points[nontrivial(points)]
    counts = np.histogram(x.ravel(), bins=COORDINATE_EDGES)[0]
    centres = 0.5 * (COORDINATE_EDGES[1:] + COORDINATE_EDGES[:-1])
    ds = ds.copy()
    ds["coordinate_counts"] = xr.DataArray(
        counts.reshape((1,) * len(grid) + counts.shape), dims=(*grid, "y"), coords={"y": centres},
        attrs={"units": "1", "long_name": "histogram of fixed-point coordinates x*_i (all points other than "
                                          "x* = 0, all units)"})
    ds["n_nontrivial"] = xr.DataArray(np.full((1,) * len(grid), float(x.shape[0])), dims=grid, attrs={
        "units": "1", "long_name": "number of verified fixed points other than x* = 0"})
    if "mean_sq_radius" not in ds.data_vars:
        ds["mean_sq_radius"] = xr.DataArray(
            np.full((1,) * len(grid), mean_sq_radius(points)), dims=grid,
            attrs={"units": "1", "long_name": "mean squared coordinate <x*^2> of the points other than 0"})
    return ds
