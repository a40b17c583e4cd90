"""Summary stage: the results of one model over the whole grid, in one Dataset.

Every per-point file carries length-1 coordinates (g, sigma_b, N, seed), so :func:`xarray.combine_by_coords`
assembles each stage's hypercube; the stages are then merged with a prefix naming where a variable comes from
(``sim_``, ``lyap_``, ``fp_``, ``dmft_``). A point whose stage failed keeps its ``<prefix>status`` code (non-zero)
and has no values (NaN fill); figures show it as failed, never as a number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

#: Variables taken from each stage, and the prefix they get in the summary.
KEEP = {
    "simulate": ("sim_", ("delta0", "delta0_sem", "mean_activity", "delta", "delta_sem", "status")),
    "lyapunov": ("lyap_", ("lambda_max", "lambda_max_sem", "d_ky", "entropy_rate", "mean_exponent",
                           "jacobian_trace_mean", "exponent", "exponent_sem", "status")),
    "fixed_points": ("fp_", ("n_fixed_points", "n_stable", "capture_recapture_estimate",
                             "mean_sq_radius", "coordinate_counts", "status")),
    "dmft": ("dmft_", ("delta0", "delta_inf", "lambda_max", "g_c", "chaotic", "delta", "status")),
}
#: Bin edges of the pooled histogram of fixed-point coordinates.
COORDINATE_EDGES = np.linspace(-8.0, 8.0, 161)


def summarise(*, simulate: Sequence[xr.Dataset], lyapunov: Sequence[xr.Dataset],
              fixed_points: Sequence[xr.Dataset], dmft: Sequence[xr.Dataset]) -> xr.Dataset:
    """Combine per-point datasets of each stage into one Dataset on the (g, sigma_b, N, seed) grid."""
    parts = [
        _combine("simulate", simulate),
        _combine("lyapunov", lyapunov),
        _combine("fixed_points", [_with_histogram(ds) for ds in fixed_points]),
        _combine("dmft", [ds.rename({"tau": "tau_dmft"}) if "tau" in ds.dims else ds for ds in dmft]),
    ]
    out = xr.merge(parts, combine_attrs="drop_conflicts", join="outer", compat="no_conflicts")
    out.attrs.clear()
    out.attrs["description"] = "rnnchaos summary: simulation, Lyapunov, fixed-point and mean-field results"
    return out


def _combine(stage: str, datasets: Sequence[xr.Dataset]) -> xr.Dataset:
    prefix, names = KEEP[stage]
    if not datasets:
        return xr.Dataset()
    picked = [ds[[v for v in names if v in ds.data_vars]].drop_attrs(deep=False) for ds in datasets]
    combined = xr.combine_by_coords(picked, compat="no_conflicts", data_vars="all", coords="different",
                                  combine_attrs="drop_conflicts", join="outer")
    return combined.rename({v: prefix + v for v in combined.data_vars})


def _with_histogram(ds: xr.Dataset) -> xr.Dataset:
    """Add ``coordinate_counts`` (histogram of all fixed-point coordinates) and ``mean_sq_radius``."""
    if "x" not in ds.data_vars:
        return ds
    grid = [d for d in ("g", "sigma_b", "N", "seed") if d in ds["x"].dims]
    x = ds["x"].squeeze(grid, drop=True).values
    counts = np.histogram(x.ravel(), bins=COORDINATE_EDGES)[0]
    centres = 0.5 * (COORDINATE_EDGES[1:] + COORDINATE_EDGES[:-1])
    ds = ds.copy()
    ds["coordinate_counts"] = xr.DataArray(
        counts.reshape((1,) * len(grid) + counts.shape), dims=(*grid, "y"), coords={"y": centres},
        attrs={"units": "1", "long_name": "histogram of fixed-point coordinates x*_i (all points, all units)"})
    if "mean_sq_radius" not in ds.data_vars and x.size:
        ds["mean_sq_radius"] = xr.DataArray(
            np.full((1,) * len(grid), np.mean(x**2)), dims=grid,
            attrs={"units": "1", "long_name": "mean squared fixed-point coordinate <x*^2>"})
    return ds
