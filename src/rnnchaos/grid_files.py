"""Per-point files of any stage assembled into one Dataset on the grid coordinates ``g``, ``sigma_b``,
``sigma_xi``, ``N``, ``seed`` (:func:`open_grid`), ragged dimensions padded with NaN; each file read and checked by
:func:`rnnchaos.io.read_dataset`.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable

import xarray as xr

from rnnchaos.io import GRID_COORDS, read_dataset


def open_grid(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> xr.Dataset:
    """Per-point files of any stage (a glob pattern or a list of paths) as one Dataset on the grid coordinates.

    Each file is read by :func:`rnnchaos.io.read_dataset`; the files must be of one stage and hold distinct grid points.
    Dimensions whose length differs between files (fixed points, units, solves, exponents, ...) are padded
    with NaN to the longest (integers become float): dimensions with coordinate values by an outer join of
    those values, the others at their end. The padded datasets are then combined along ``g``, ``sigma_b``,
    ``sigma_xi``, ``N``, ``seed`` by :func:`xarray.combine_by_coords`; grid points without a file, and variables a
    failed point lacks, are NaN. Needs no dask.
    """
    if isinstance(paths, (str, os.PathLike)):
        pattern, paths = str(paths), sorted(glob.glob(str(paths)))
        if not paths:
            raise FileNotFoundError(f"paths: no file matches {pattern!r}")
    datasets = [read_dataset(p) for p in paths]
    if not datasets:
        raise ValueError("paths: no files given")
    seen: dict[tuple, str] = {}
    for p, ds in zip(paths, datasets, strict=True):
        key = (ds.attrs.get("stage"), *(tuple(ds[c].values.tolist()) for c in GRID_COORDS if c in ds.coords))
        if key in seen:
            raise ValueError(f"paths: {seen[key]} and {p} hold the same grid point of stage {key[0]!r}; "
                             "give the files of one model (and one study) only")
        seen[key] = str(p)
    if len({k[0] for k in seen}) > 1:
        raise ValueError(f"paths: files of different stages {sorted({str(k[0]) for k in seen})}; give one stage")
    ragged = {d for ds in datasets for d in ds.dims if d not in ds.indexes}
    longest = {d: max(ds.sizes.get(d, 0) for ds in datasets) for d in ragged}
    padded = [ds.pad({d: (0, longest[d] - ds.sizes[d]) for d in ragged & set(ds.dims) if ds.sizes[d] < longest[d]})
              for ds in datasets]
    padded = xr.align(*padded, join="outer", exclude=[*GRID_COORDS, *ragged])
    # a multi-dimensional variable named like its dimension (simulate's 'snapshot') is read as a coordinate
    # without index, which combine_by_coords refuses: it is combined under another name, as a data variable
    # (with the file's grid dimensions, which a coordinate did not get from with_grid_coords)
    clash = {c: f"_{c}_values" for c in ragged if any(c in ds.variables for ds in padded)}

    def unclash(ds: xr.Dataset) -> xr.Dataset:
        ds = ds.reset_coords([c for c in clash if c in ds.coords])
        for c in [c for c in clash if c in ds.variables]:
            var = ds.variables[c]
            grid = [d for d in GRID_COORDS if d in ds.dims and d not in var.dims]
            var = var.set_dims({**{d: ds.sizes[d] for d in grid}, **var.sizes})
            ds = ds.drop_vars(c).assign({clash[c]: (var.dims, var.data, var.attrs)})
        return ds

    padded = [unclash(ds) for ds in padded]
    out = xr.combine_by_coords(padded, data_vars="all", coords="different", compat="no_conflicts",
                               join="outer", combine_attrs="drop_conflicts")
    return out.rename_vars({t: c for c, t in clash.items() if t in out})
