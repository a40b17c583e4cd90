"""Reading and writing the pipeline's NetCDF files; the only module that touches files.

Every file written here

* carries length-1 coordinates ``g``, ``sigma_b``, ``N``, ``seed`` (those that apply) so that
  :func:`xarray.combine_by_coords` assembles a grid from single points;
* carries global attributes: the package version, the stage, the parameters used (JSON), and the completeness
  marker ``rnnchaos_complete = 1``;
* is written to a temporary name in the same directory and renamed (atomic on POSIX), so a killed job never
  leaves a file that looks complete.

:func:`read_dataset` refuses files without the marker or without the expected variables, naming the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from rnnchaos import __version__
from rnnchaos.network import Disorder
from rnnchaos.status import STATUS_CODES, NumericalFailure

log = logging.getLogger("rnnchaos")

COMPLETE_ATTR = "rnnchaos_complete"
#: Coordinates every grid-point file may carry, with their metadata.
GRID_COORDS = {
    "g": ("1", "coupling gain g (J_ij ~ N(0, g^2/N))"),
    "sigma_b": ("1", "bias spread sigma_b (theta_i ~ N(0, sigma_b^2))"),
    "N": ("1", "number of units"),
    "seed": ("1", "network seed"),
}


class IncompleteOutputError(RuntimeError):
    """A file that is truncated, foreign, unfinished, or lacks expected variables."""


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
    """Write ``ds`` atomically to ``path`` with version, stage, parameters and the completeness marker."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = ds.copy()
    missing = [v for v in ds.data_vars if not {"units", "long_name"} <= set(ds[v].attrs)]
    if missing:
        raise ValueError(f"variables without units/long_name: {missing} (stage {stage})")
    ds.attrs.update(
        rnnchaos_version=__version__,
        stage=stage,
        parameters=json.dumps(dict(params), sort_keys=True, default=_jsonable),
        Conventions="CF-1.8",
    )
    ds.attrs[COMPLETE_ATTR] = np.int8(1)
    for stale in path.parent.glob(f".{path.name}.*.tmp.nc"):  # left by a killed earlier attempt at this file
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp.nc", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_dataset(path: str | os.PathLike, *, stage: str | None = None, required: Iterable[str] = ()) -> xr.Dataset:
    """Open a pipeline file, checking the completeness marker, the stage and the expected variables."""
    path = Path(path)
    try:
        ds = xr.load_dataset(path, engine="netcdf4")
    except (OSError, ValueError) as err:
        raise IncompleteOutputError(f"{path}: not a readable NetCDF file ({err})") from err
    if int(ds.attrs.get(COMPLETE_ATTR, 0)) != 1:
        raise IncompleteOutputError(f"{path}: no completeness marker '{COMPLETE_ATTR}'; unfinished or foreign file")
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
    """
    try:
        ds = compute()
        ds["status"] = status_variable("ok")
    except NumericalFailure as err:
        log.error("%s failed at %s: %s", stage, dict(point), err)
        ds = xr.Dataset({"status": status_variable(err.status, err.detail)})
    ds = with_grid_coords(ds, **point)
    write_dataset(ds, path, stage=stage, params=params)
    return int(ds["status"].values.ravel()[0])


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


# --- external weight files (schema in rnnchaos.external; no pickles: np.load(..., allow_pickle=False)) -------
#: largest network accepted (the pipeline's N range is [2, 20000]; J then takes 3.2 GB in float64)
MAX_N = 20000
COUPLING_KEYS, BIAS_KEYS, SCALAR_KEYS = ("J", "W"), ("theta", "b"), ("model", "tau", "dt")


class ExternalNetworkError(ValueError):
    """An external weight file that is unreadable or breaks the schema; the message names file, key and problem."""


def read_weights_npy(source, key, fileobj=None):
    """One array from a .npy file or a .npz member, checking its header (dtype, shape) before its data."""
    f = open(source, "rb") if fileobj is None else fileobj  # noqa: SIM115
    where = f"{source}" + (f" ['{key}']" if fileobj is not None else "")
    try:
        try:
            version = np.lib.format.read_magic(f)
            reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
            if version not in reader:
                raise ValueError(f"unsupported .npy format version {version}")
            shape, _, dtype = reader[version](f)
        except ValueError as err:
            f.seek(0)
            hint = "; it looks like a Python pickle, which is refused" if f.read(1) == b"\x80" else ""
            raise ExternalNetworkError(f"{where}: not a valid .npy array ({err}){hint}") from err
        if dtype.hasobject:
            raise ExternalNetworkError(f"{where}: '{key}' is an object array (pickled Python objects); refused, "
                                       "store plain numeric arrays")
        if len(shape) == 2 and max(shape) > MAX_N:
            raise ExternalNetworkError(f"{where}: '{key}' has shape {shape}; allowed N <= {MAX_N}")
        f.seek(0)
        try:
            return np.load(f, allow_pickle=False)
        except ValueError as err:
            raise ExternalNetworkError(f"{where}: unreadable array '{key}' ({err})") from err
    finally:
        if fileobj is None:
            f.close()


def read_weights_npz(path):
    """All arrays of a .npz archive, each read by :func:`read_weights_npy` (no pickles)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ExternalNetworkError(f"{path}: not a valid .npz (zip) archive ({err})") from err
    with zf:
        out = {}
        for name in zf.namelist():
            key = name[:-4] if name.endswith(".npy") else name
            with zf.open(name) as member:
                out[key] = read_weights_npy(path, key, fileobj=member)  # zip members seek (by re-reading)
    return out


def read_weights_netcdf(path):
    """The coupling, bias and scalar variables of a weights NetCDF file (checked sizes)."""
    try:
        ds = xr.open_dataset(path, engine="netcdf4")
    except (OSError, ValueError) as err:
        raise ExternalNetworkError(f"{path}: not a readable NetCDF file ({err})") from err
    with ds:
        out = {}
        for key in (*COUPLING_KEYS, *BIAS_KEYS, *SCALAR_KEYS):
            if key in ds.variables:
                if len(ds[key].shape) == 2 and max(ds[key].shape) > MAX_N:
                    raise ExternalNetworkError(f"{path}: '{key}' has shape {ds[key].shape}; allowed N <= {MAX_N}")
                out[key] = ds[key].values
            elif key in SCALAR_KEYS and key in ds.attrs:
                out[key] = np.asarray(ds.attrs[key])
        out.update({k: None for k in ds.data_vars if k not in out})
    return out
