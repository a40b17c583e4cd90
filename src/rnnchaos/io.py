"""Reading and writing the pipeline's NetCDF files; the only module that touches files.

Every file written here

* carries length-1 coordinates ``g``, ``sigma_b``, ``N``, ``seed`` (those that apply) so that
  :func:`xarray.combine_by_coords` assembles a grid from single points;
* carries global attributes: the package version, the stage, the parameters used (JSON), and the completeness
  marker ``rnnchaos_complete = 1``;
* is written to a temporary name in the same directory and renamed (atomic on POSIX), so a killed job never
  leaves a file that looks complete.

* has the HDF5 Fletcher-32 checksum on every variable (a CRC-32 attribute for 0-d ones), and the mode the
  umask gives.

:func:`read_dataset` refuses files without the marker or without the expected variables, naming the file; a
damaged file (unreadable, truncated, failed checksum, no marker) is moved aside to ``<name>.corrupt`` so the next
run recomputes it (:func:`quarantine_damaged` does the same, from the superblock alone, at parse time). Figures
and texts are written atomically too (:func:`write_figure`, :func:`write_text`); a write that fails on a full
disk raises :class:`DiskFullError`. :func:`open_grid` combines per-point files of any stage (ragged dimensions
padded with NaN).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import logging
import math
import os
import shutil
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr

from rnnchaos import __version__
from rnnchaos.network import Disorder
from rnnchaos.status import STATUS_CODES, NumericalFailure

log = logging.getLogger("rnnchaos")

COMPLETE_ATTR = "rnnchaos_complete"
SCALAR_CRC_ATTR = "rnnchaos_scalar_crc32"
#: suffix of a damaged file moved aside (the pipeline never reads it; delete it once inspected)
CORRUPT_SUFFIX = ".corrupt"
#: Coordinates every grid-point file may carry, with their metadata.
GRID_COORDS = {
    "g": ("1", "coupling gain g (J_ij ~ N(0, g^2/N))"),
    "sigma_b": ("1", "bias spread sigma_b (theta_i ~ N(0, sigma_b^2))"),
    "N": ("1", "number of units"),
    "seed": ("1", "network seed"),
}


class IncompleteOutputError(RuntimeError):
    """A file that is truncated, foreign, unfinished, corrupt, or lacks expected variables."""


class DiskFullError(OSError):
    """A write that failed because the disk is full; the message names the directory and the free space."""


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

    _write_atomically(path, write, suffix=".nc", needed=ds.nbytes)


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
        _damaged(path, f"not a readable NetCDF file or a checksum failed ({err})", quarantine, err)
    if bad:
        _damaged(path, f"checksum failed for 0-d variable(s) {bad}", quarantine)
    if int(ds.attrs.get(COMPLETE_ATTR, 0)) != 1:
        _damaged(path, f"no completeness marker '{COMPLETE_ATTR}'; unfinished or foreign file", quarantine)
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
    ds = _computed(compute, "status", f"{stage} failed at {dict(point)}")
    ds = with_grid_coords(ds, **point)
    write_dataset(ds, path, stage=stage, params=params)
    return int(ds["status"].values.ravel()[0])


def compute_parts(parts: Mapping[str, Callable[[], xr.Dataset]]) -> xr.Dataset:
    """Run the parts of one stage in order and merge their Datasets, each with its ``<name>_status``: a part that
    raises :class:`NumericalFailure` leaves only that status (code and detail, logged), the others their numbers
    (e.g. the external network's fixed points and Lyapunov spectrum, one file)."""
    ds = xr.Dataset()
    for name, compute in parts.items():
        ds = ds.merge(_computed(compute, f"{name}_status", f"part {name!r} failed"))  # keeps units, long_name
    return ds


def _computed(compute, status: str, where: str) -> xr.Dataset:
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


# --- damaged files, atomic writes of any file, full disks (the checks of read_dataset and write_dataset) -------
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: free space below which a failed write is reported as a full disk (on top of the bytes the write needed)
DISK_MARGIN = 1 << 20


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


def move_aside(path: str | os.PathLike) -> Path:
    """Rename a damaged file to ``<name>.corrupt`` (``.corrupt.1``, ... if taken); returns the new path."""
    path = Path(path)
    target, n = path.with_name(path.name + CORRUPT_SUFFIX), 0
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}.{n}")
    os.rename(path, target)
    return target


def _damaged(path: Path, reason: str, quarantine: bool, cause: BaseException | None = None):
    """Raise IncompleteOutputError for a damaged file, first moving it aside when ``quarantine``."""
    if not quarantine:
        raise IncompleteOutputError(f"{path}: {reason}") from cause
    try:
        where = f"moved to {move_aside(path)} so that rerunning snakemake recomputes it"
    except OSError as err:
        where = f"could not be moved aside ({err}); delete it and rerun snakemake to recompute it"
    raise IncompleteOutputError(f"{path}: damaged file: {reason}; {where}") from cause


def hdf5_damage(path: str | os.PathLike) -> str | None:
    """What is wrong with a NetCDF-4 file judged from its first bytes alone, or None if nothing shows there.

    Cheap enough for thousands of files (one 64-byte read): the HDF5 signature and the end-of-file address of
    the superblock against the file's size (a truncated file is shorter). Checksums and the completeness
    marker need the whole file and are checked by :func:`read_dataset`.
    """
    with open(path, "rb") as fh:
        head = fh.read(64)
        size = os.fstat(fh.fileno()).st_size
    if not head.startswith(HDF5_SIGNATURE):
        return "not an HDF5 (NetCDF-4) file" if size else "empty file"
    version = head[8] if len(head) > 8 else -1
    # superblock layout (HDF5 file format spec. 3.0, section II.A): base and end-of-file addresses
    at = {0: (24, 40, 13), 1: (28, 44, 13), 2: (12, 28, 9), 3: (12, 28, 9)}.get(version)
    if at is None or len(head) < at[1] + 8 or head[at[2]] != 8:
        return f"unreadable HDF5 superblock (version {version}, {size} bytes)"
    base, end = struct.unpack_from("<Q", head, at[0])[0], struct.unpack_from("<Q", head, at[1])[0]
    if base + end > size:
        return f"truncated: {size} of {base + end} bytes"
    return None


def quarantine_damaged(root: str | os.PathLike) -> list[str]:
    """Move aside every ``*.nc`` under ``root`` that :func:`hdf5_damage` finds damaged; one message per file.

    Run when the Snakefile is parsed, so that the damaged outputs are missing and are recomputed by that run.
    """
    messages = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            if name.endswith(".nc") and not name.startswith("."):
                try:
                    reason = hdf5_damage(path)
                    if reason:
                        messages.append(f"{path}: damaged file ({reason}); moved to {move_aside(path)}, "
                                        "it will be recomputed")
                except OSError as err:
                    messages.append(f"{path}: could not be checked or moved aside ({err})")
    return messages


def _file_mode() -> int:
    """The mode a newly created file gets under the process's umask (0o666 & ~umask)."""
    try:  # Linux >= 4.7 reports it without changing it (thread-safe)
        with open("/proc/self/status") as fh:
            mask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _write_atomically(path: Path, write, *, suffix: str, needed: int = 0) -> None:
    """``write(tmp)`` to a temporary name beside ``path``, then rename it to ``path`` (mode from the umask).

    A failure removes the temporary file; one on a full disk raises :class:`DiskFullError` naming the folder
    and its free space (HDF5 reports a full disk as "NetCDF: HDF error" or "Permission denied").
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp{suffix}"):  # left by a killed attempt
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, Exception):
            _raise_if_disk_full(err, path, needed)
        raise


def _raise_if_disk_full(err: Exception, path: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return
    if getattr(err, "errno", None) == errno.ENOSPC or free < needed + DISK_MARGIN:
        raise DiskFullError(errno.ENOSPC, f"{path}: not written, the disk holding {path.parent} is full "
                                          f"({free / 2**20:.1f} MiB free, about {needed / 2**20:.1f} MiB "
                                          f"needed); free space and rerun ({type(err).__name__}: {err})") from err


def write_figure(fig, path: str | os.PathLike, *, dpi: float | None = None) -> None:
    """Save a Matplotlib figure atomically; the format is the suffix of ``path`` (``.png``, ``.pdf``, ...)."""
    path = Path(path)
    fmt = path.suffix[1:]
    _write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi="figure" if dpi is None else dpi),
                      suffix=path.suffix)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write a text file atomically."""
    path = Path(path)
    _write_atomically(path, lambda tmp: Path(tmp).write_text(text), suffix=path.suffix)


def open_grid(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> xr.Dataset:
    """Per-point files of any stage (a glob pattern or a list of paths) as one Dataset on the grid coordinates.

    Each file is read by :func:`read_dataset`; the files must be of one stage and hold distinct grid points.
    Dimensions whose length differs between files (fixed points, units, solves, exponents, ...) are padded
    with NaN to the longest (integers become float): dimensions with coordinate values by an outer join of
    those values, the others at their end. The padded datasets are then combined along ``g``, ``sigma_b``,
    ``N``, ``seed`` by :func:`xarray.combine_by_coords`; grid points without a file, and variables a failed
    point lacks, are NaN. Needs no dask.
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


# --- external weight files (schema in rnnchaos.external; no pickles: np.load(..., allow_pickle=False)) -------
#: largest network accepted (the pipeline's N range is [2, 20000]; J then takes 3.2 GB in float64)
MAX_N = 20000
COUPLING_KEYS, BIAS_KEYS, SCALAR_KEYS = ("J", "W"), ("theta", "b"), ("model", "tau", "dt")


class ExternalNetworkError(ValueError):
    """An external weight file that is unreadable or breaks the schema; the message names file, key and problem."""


def check_array_header(where: str, key: str, shape: tuple, dtype: np.dtype, available: int | None = None) -> None:
    """Refuse, from its header alone and before anything is allocated, an array the schema cannot take.

    Couplings (``J``, ``W``): 2-D, both sides <= :data:`MAX_N`, real dtype; biases (``theta``, ``b``): 1-D of
    length <= :data:`MAX_N`, real dtype; ``model``, ``tau``, ``dt``: one value of at most 1 kB. ``available``: the
    bytes of data the file holds for the array (None where the data is compressed); a header claiming more is
    a truncated or damaged file. Other keys are not read at all.
    """
    def fail(msg):
        raise ExternalNetworkError(f"{where}: '{key}' {msg}")

    dtype = np.dtype(dtype)
    if key in COUPLING_KEYS:
        if len(shape) != 2:
            fail(f"must be a 2-D matrix, got {len(shape)}-D shape {shape}")
        if max(shape) > MAX_N:
            fail(f"has shape {shape}; allowed N <= {MAX_N}")
    elif key in BIAS_KEYS and (len(shape) != 1 or shape[0] > MAX_N):
        fail(f"must be a vector of length N <= {MAX_N}, got shape {shape}")
    elif key in SCALAR_KEYS and (math.prod(shape) != 1 or dtype.itemsize > 1024):
        fail(f"must be a single value, got shape {shape} of dtype {dtype}")
    if key in (*COUPLING_KEYS, *BIAS_KEYS) and dtype.kind not in "fiu":
        fail(f"must be a real floating-point or integer array, got dtype {dtype}")
    nbytes = math.prod(shape) * dtype.itemsize
    if available is not None and nbytes > available:
        fail(f"claims shape {shape} of {dtype} ({nbytes} bytes) but the file holds only {max(available, 0)} bytes "
             "of data; truncated or damaged file")


def read_weights_npy(source, key, fileobj=None, size=None):
    """One array from a .npy file or a .npz member (``size``: the member's bytes), its header checked first."""
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
        size = os.fstat(f.fileno()).st_size if fileobj is None else size
        check_array_header(where, key, shape, dtype, None if size is None else size - f.tell())
        f.seek(0)
        try:
            return np.load(f, allow_pickle=False)
        except ValueError as err:
            raise ExternalNetworkError(f"{where}: unreadable array '{key}' ({err})") from err
    finally:
        if fileobj is None:
            f.close()


def read_weights_npz(path):
    """The schema's arrays of a .npz archive, each read by :func:`read_weights_npy` (no pickles); other members
    are listed with the value None and not read."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ExternalNetworkError(f"{path}: not a valid .npz (zip) archive ({err})") from err
    with zf:
        out = {}
        for info in zf.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if key not in (*COUPLING_KEYS, *BIAS_KEYS, *SCALAR_KEYS):
                out[key] = None
                continue
            with zf.open(info) as member:  # zip members seek (by re-reading)
                out[key] = read_weights_npy(path, key, fileobj=member, size=info.file_size)
    return out


def read_weights_netcdf(path):
    """The coupling, bias and scalar variables of a weights NetCDF file, headers checked before any data."""
    try:
        ds = xr.open_dataset(path, engine="netcdf4")
    except (OSError, ValueError, RuntimeError) as err:
        raise ExternalNetworkError(f"{path}: not a readable NetCDF file ({err})") from err
    size = os.path.getsize(path)
    with ds:
        out = {}
        for key in (*COUPLING_KEYS, *BIAS_KEYS, *SCALAR_KEYS):
            if key in ds.variables:
                enc = ds[key].encoding
                compressed = any(enc.get(k) for k in ("zlib", "szip", "zstd", "bzip2", "blosc", "compression"))
                check_array_header(str(path), key, ds[key].shape, enc.get("dtype", ds[key].dtype),
                                   None if compressed else size)
                try:
                    out[key] = ds[key].values
                except (OSError, ValueError, RuntimeError) as err:
                    raise ExternalNetworkError(f"{path}: unreadable variable '{key}' ({err})") from err
            elif key in SCALAR_KEYS and key in ds.attrs:
                out[key] = np.asarray(ds.attrs[key])
        out.update({k: None for k in ds.data_vars if k not in out})
    return out
