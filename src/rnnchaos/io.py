"""Reading and writing the pipeline's files: NetCDF datasets, networks, figures and texts (with
:mod:`rnnchaos.atomic_files`, how any file is written and checked, and :mod:`rnnchaos.weight_files`, external
weights, the only modules that touch files).

Every NetCDF file written here

* carries length-1 coordinates ``g``, ``sigma_b``, ``sigma_xi``, ``N``, ``seed`` (those that apply) so that
  :func:`xarray.combine_by_coords` assembles a grid from single points (:mod:`rnnchaos.grid_files`);
* carries global attributes: the package version, the stage, the parameters used (JSON), and the completeness
  marker ``rnnchaos_complete = 1``;
* has the HDF5 Fletcher-32 checksum on every variable (a CRC-32 attribute for 0-d ones), and the mode the umask
  gives; it is written atomically (:func:`rnnchaos.atomic_files.write_atomically`), as are figures and texts.

:func:`read_dataset` refuses files without the marker or without the expected variables, naming the file; a
damaged file (unreadable, truncated, failed checksum, no marker) is moved aside to ``<name>.corrupt`` so the next
run recomputes it. :func:`save_stage` and :func:`compute_parts` are the one place a failure becomes a status.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr

from rnnchaos import __version__
from rnnchaos.atomic_files import IncompleteOutputError, raise_damaged, write_atomically
from rnnchaos.network import Disorder
from rnnchaos.status import STATUS_CODES, NumericalFailure

log = logging.getLogger("rnnchaos")

COMPLETE_ATTR = "rnnchaos_complete"
SCALAR_CRC_ATTR = "rnnchaos_scalar_crc32"
#: Coordinates every grid-point file may carry, with their metadata.
GRID_COORDS = {
    "g": ("1", "coupling gain g (J_ij ~ N(0, g^2/N))"),
    "sigma_b": ("1", "bias spread sigma_b (theta_i ~ N(0, sigma_b^2))"),
    "sigma_xi": ("1", "noise amplitude sigma_xi (white noise per unit: sigma_xi dW, dW per sqrt time unit, in the "
                      "rate network, sigma_xi xi_t in the map; 0: noise-free)"),
    "N": ("1", "number of units"),
    "seed": ("1", "network seed"),
}


def with_grid_coords(ds: xr.Dataset, **point: float | int) -> xr.Dataset:
    """Add length-1 grid coordinates (``g=2.0, N=100, ...``) as new leading dimensions of every variable."""
    unknown = set(point) - set(GRID_COORDS)
    if unknown:
        raise ValueError(f"unknown grid coordinate(s) {sorted(unknown)}; allowed: {sorted(GRID_COORDS)}")
    ds = ds.expand_dims({k: [v] for k, v in point.items()})
    for k in point:
        units, long_name = GRID_COORDS[k]
        ds[k].attrs.update(units=units, long_name=long_name)
    return ds


def status_variable(status: str, detail: str = "") -> xr.DataArray:
    """Scalar ``status`` variable with CF flag attributes (0 = ok)."""
    return xr.DataArray(
        np.int8(STATUS_CODES[status]),
        attrs={
            "long_name": "outcome of the computation",
            "units": "1",
            "flag_values": np.array(list(STATUS_CODES.values()), dtype=np.int8),
            "flag_meanings": " ".join(STATUS_CODES),
            "detail": detail,
        },
    )


def write_dataset(ds: xr.Dataset, path: str | os.PathLike, *, stage: str, params: Mapping) -> None:
    """Write ``ds`` atomically to ``path`` with version, stage, parameters and the completeness marker.

    Every variable gets the HDF5 Fletcher-32 checksum filter (verified by HDF5 on every read); HDF5 cannot
    filter 0-d variables, so their stored bytes get a CRC-32 in the global attribute ``rnnchaos_scalar_crc32``,
    verified by :func:`read_dataset`. A write that fails on a full disk raises :class:`DiskFullError`.
    """
    path = Path(path)
    ds = ds.copy()
    missing = [v for v in ds.data_vars if not {"units", "long_name"} <= set(ds[v].attrs)]
    if missing:
        raise ValueError(f"variables without units/long_name: {missing} (stage {stage})")
    ds.attrs.pop(SCALAR_CRC_ATTR, None)  # a read file's checksums do not describe this one
    ds.attrs.update(
        rnnchaos_version=__version__,
        stage=stage,
        parameters=json.dumps(dict(params), sort_keys=True, default=_jsonable),
        Conventions="CF-1.8",
    )
    if "nonlinearity" in params:  # the one parameter every dynamics file is told apart by, also on its own
        ds.attrs["nonlinearity"] = str(params["nonlinearity"])
    ds.attrs[COMPLETE_ATTR] = np.int8(1)
    for var in ds.variables.values():  # checksums need chunked storage: drop a 'contiguous' read from a file
        var.encoding = {**{k: v for k, v in var.encoding.items() if k != "contiguous"}, "fletcher32": True}
    scalars = [name for name, var in ds.variables.items() if var.ndim == 0]

    def write(tmp: str) -> None:
        ds.to_netcdf(tmp, engine="netcdf4")
        if scalars:
            with netCDF4.Dataset(tmp, "a") as nc:
                nc.setncattr(SCALAR_CRC_ATTR, json.dumps({v: _crc(nc[v]) for v in scalars}, sort_keys=True))

    write_atomically(path, write, suffix=".nc", needed=ds.nbytes)


def read_dataset(path: str | os.PathLike, *, stage: str | None = None, required: Iterable[str] = (),
                 quarantine: bool = True) -> xr.Dataset:
    """Open a pipeline file, checking checksums, the completeness marker, the stage and the expected variables.

    A damaged file (unreadable, truncated, a checksum that does not match, no completeness marker) raises
    :class:`IncompleteOutputError`; with ``quarantine`` (default) it is first renamed to ``<name>.corrupt``
    (a name the pipeline never reads, so nothing is lost) and the message says that rerunning snakemake
    recomputes it. A missing file or a wrong stage or variable set raises without moving anything.
    """
    path = Path(path)
    if not path.is_file():
        raise IncompleteOutputError(f"{path}: " + ("is a directory, not a NetCDF file" if path.is_dir()
                                                   else "no such file"))
    try:
        ds = xr.load_dataset(path, engine="netcdf4")
        bad = _scalar_crc_mismatch(path, ds.attrs.pop(SCALAR_CRC_ATTR, None))
    except PermissionError as err:
        raise IncompleteOutputError(f"{path}: not readable ({err})") from err
    except (OSError, ValueError, RuntimeError) as err:  # HDF5 reports a failed Fletcher-32 check as RuntimeError
        raise_damaged(path, f"not a readable NetCDF file or a checksum failed ({err})", quarantine, err)
    if bad:
        raise_damaged(path, f"checksum failed for 0-d variable(s) {bad}", quarantine)
    if int(ds.attrs.get(COMPLETE_ATTR, 0)) != 1:
        raise_damaged(path, f"no completeness marker '{COMPLETE_ATTR}'; unfinished or foreign file", quarantine)
    if stage is not None and ds.attrs.get("stage") != stage:
        raise IncompleteOutputError(f"{path}: written by stage {ds.attrs.get('stage')!r}, expected {stage!r}")
    absent = [v for v in required if v not in ds.variables]
    if absent:
        raise IncompleteOutputError(f"{path}: missing expected variable(s) {absent}")
    return ds


def save_stage(path: str | os.PathLike, compute, *, stage: str, params: Mapping,
               point: Mapping[str, float | int]) -> int:
    """Run ``compute()`` (which returns a Dataset) and write its result for one grid point.

    A :class:`NumericalFailure` is not written as numbers: the file then holds only the ``status`` variable with
    the failure's code and detail, and the failure is logged. Returns the status code written.
    This module is the one place a failure becomes a status (here and in :func:`compute_parts`): library code
    raises, scripts never decide.
    """
    ds = computed(compute, "status", f"{stage} failed at {dict(point)}")
    ds = with_grid_coords(ds, **point)
    write_dataset(ds, path, stage=stage, params=params)
    return int(ds["status"].values.ravel()[0])


def compute_parts(parts: Mapping[str, Callable[[], xr.Dataset]]) -> xr.Dataset:
    """Run the parts of one stage in order and merge their Datasets, each with its ``<name>_status``: a part that
    raises :class:`NumericalFailure` leaves only that status (code and detail, logged), the others their numbers
    (e.g. the external network's fixed points and Lyapunov spectrum, one file)."""
    ds = xr.Dataset()
    for name, compute in parts.items():
        ds = ds.merge(computed(compute, f"{name}_status", f"part {name!r} failed"))  # keeps units, long_name
    return ds


def computed(compute, status: str, where: str) -> xr.Dataset:
    """``compute()`` with the variable ``status`` ("ok"), or, if it raises :class:`NumericalFailure`, only that
    variable with the failure's code and detail (logged with ``where``)."""
    try:
        ds = compute()
        ds[status] = status_variable("ok")
    except NumericalFailure as err:
        log.error("%s: %s", where, err)
        ds = xr.Dataset({status: status_variable(err.status, err.detail)})
    return ds


def reproducible_variables(ds: xr.Dataset) -> list[str]:
    """Variables that must be bitwise reproducible: all but timings (``units == "s"``, CPU or wall seconds)."""
    return [v for v in ds.data_vars if ds[v].attrs.get("units") != "s"]


def point_values(ds: xr.Dataset, name: str) -> np.ndarray:
    """Values of variable ``name`` of a single-grid-point file, without its length-1 grid dimensions."""
    da = ds[name]
    return da.squeeze([d for d in GRID_COORDS if d in da.dims], drop=True).values


def snapshot_states(simulation: xr.Dataset) -> np.ndarray | None:
    """The full states stored by a successful simulation (n_snapshots, N), or None if it failed."""
    if int(point_values(simulation, "status")) != 0 or "snapshot" not in simulation:
        return None
    return point_values(simulation, "snapshot")


def log_to(path: str | os.PathLike) -> None:
    """Send the package's log messages (and warnings) to a job's log file."""
    logging.basicConfig(filename=str(path), level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)


@contextlib.contextmanager
def job_log(path: str | os.PathLike) -> Iterator[logging.Logger]:
    """A job's log file for the body of a ``with`` block: the package's messages (INFO and up), warnings, start
    and end time, and any exception with its traceback, logged before it propagates (so a failed job's log says
    why). The logging configuration is restored on exit."""
    handler = logging.FileHandler(path, mode="a")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    t0 = time.monotonic()
    log.info("job started (rnnchaos %s)", __version__)
    try:
        yield log
    except BaseException:
        log.exception("job failed after %.1f s", time.monotonic() - t0)
        raise
    else:
        log.info("job finished in %.1f s", time.monotonic() - t0)
    finally:
        logging.captureWarnings(False)
        root.setLevel(level)
        root.removeHandler(handler)
        handler.close()


def _crc(var: netCDF4.Variable) -> int:
    """CRC-32 of the stored (raw, undecoded) value of a 0-d NetCDF variable."""
    var.set_auto_maskandscale(False)
    value = np.asarray(var[...])
    return zlib.crc32(str(value.item()).encode() if value.dtype.kind in "OSU" else value.tobytes())


def _scalar_crc_mismatch(path: Path, stored: str | None) -> list[str]:
    """The 0-d variables whose stored bytes no longer match the CRC-32 written with them."""
    if not stored:
        return []
    expected = json.loads(stored)
    with netCDF4.Dataset(path) as nc:
        return [v for v, crc in expected.items() if v not in nc.variables or _crc(nc[v]) != crc]


def parameters(ds: xr.Dataset) -> dict:
    """The parameters a file was computed with (decoded from its ``parameters`` attribute)."""
    return json.loads(ds.attrs.get("parameters", "{}"))


def write_network(disorder: Disorder, path: str | os.PathLike) -> None:
    """Store the standard-normal disorder of network ``(N, seed)``."""
    ds = xr.Dataset(
        {
            "z_J": (("i", "j"), disorder.z_J,
                    {"units": "1", "long_name": "standard-normal coupling disorder (J = g/sqrt(N) z_J)"}),
            "z_theta": (("i",), disorder.z_theta,
                        {"units": "1", "long_name": "standard-normal bias disorder (theta = sigma_b z_theta)"}),
        }
    )
    ds = with_grid_coords(ds, N=disorder.N, seed=disorder.seed)
    write_dataset(ds, path, stage="network", params={"N": disorder.N, "seed": disorder.seed})


def read_network(path: str | os.PathLike) -> Disorder:
    """Load the disorder written by :func:`write_network`."""
    ds = read_dataset(path, stage="network", required=("z_J", "z_theta"))
    return Disorder(
        z_J=ds["z_J"].values[0, 0], z_theta=ds["z_theta"].values[0, 0],
        N=int(ds["N"].values[0]), seed=int(ds["seed"].values[0]),
    )


def _jsonable(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"parameter of type {type(obj).__name__} is not JSON-serialisable")


def write_figure(fig, path: str | os.PathLike, *, dpi: float | None = None) -> None:
    """Save a Matplotlib figure atomically; the format is the suffix of ``path`` (``.png``, ``.pdf``, ...)."""
    path = Path(path)
    fmt = path.suffix[1:]
    write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi="figure" if dpi is None else dpi),
                      suffix=path.suffix)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write a text file atomically."""
    path = Path(path)
    write_atomically(path, lambda tmp: Path(tmp).write_text(text), suffix=path.suffix)


