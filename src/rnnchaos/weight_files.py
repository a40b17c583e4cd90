"""External weight files read safely: every array's header checked against the schema before any data is read
or memory allocated, and no pickles (``np.load(..., allow_pickle=False)``); the schema itself is documented in
:mod:`rnnchaos.external`.

:func:`check_array_header` refuses from the header alone a coupling matrix (``J``, ``W``) or bias vector
(``theta``, ``b``) of the wrong shape, dtype or size, and a header claiming more data than the file holds;
:func:`read_weights_npy`, :func:`read_weights_npz` and :func:`read_weights_netcdf` read the three formats. Every
failure raises :class:`ExternalNetworkError` naming the file, the key and the problem.
"""

from __future__ import annotations

import math
import os
import zipfile

import numpy as np
import xarray as xr

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


def read_npy_header(f) -> tuple[tuple, np.dtype]:
    """``(shape, dtype)`` from the header of the ``.npy`` stream ``f`` at its start, without reading the data
    (formats 1.0 and 2.0; ``ValueError`` otherwise)."""
    version = np.lib.format.read_magic(f)
    reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in reader:
        raise ValueError(f"unsupported .npy format version {version}")
    shape, _, dtype = reader[version](f)
    return shape, dtype


def read_weights_npy(source, key, fileobj=None, size=None):
    """One array from a .npy file or a .npz member (``size``: the member's bytes), its header checked first."""
    f = open(source, "rb") if fileobj is None else fileobj  # noqa: SIM115
    where = f"{source}" + (f" ['{key}']" if fileobj is not None else "")
    try:
        try:
            shape, dtype = read_npy_header(f)
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
