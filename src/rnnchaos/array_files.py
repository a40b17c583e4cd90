"""Guarded readers and writers of named numeric arrays: ``.npy``, ``.npz`` and ``.safetensors``.

The readers take a ``check(key, shape, dtype)`` callable that sees every array's header (name, shape, dtype)
before any of its data is read or memory allocated, and raises (naming the key and the shape) to refuse it; a
``select(key)`` predicate decides which names are read at all (the others are returned as None, unread). No
pickles: ``.npy``/``.npz`` members are read by :func:`rnnchaos.weight_files.read_weights_npy` (``allow_pickle=False``,
object arrays refused, the header's byte count checked against the file's), ``.safetensors`` through the
``safetensors`` package's numpy API (a JSON header of names, dtypes, shapes and offsets, checked by the package
against the file's size; no code is executed). Failures raise :class:`rnnchaos.weight_files.ExternalNetworkError`
(a ``ValueError``) naming the file and the key.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from rnnchaos.weight_files import ExternalNetworkError, read_npy_header, read_weights_npy

Check = Callable[[str, tuple, np.dtype], None]

#: safetensors dtype codes numpy can hold (BF16 and the FP8 codes have no numpy dtype).
SAFETENSORS_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "I8": np.int8, "I16": np.int16,
                      "I32": np.int32, "I64": np.int64, "U8": np.uint8, "U16": np.uint16, "U32": np.uint32,
                      "U64": np.uint64, "BOOL": np.bool_}


def npy_header(f, where: str) -> tuple[tuple, np.dtype]:
    """``(shape, dtype)`` from the header of the ``.npy`` stream ``f`` (left positioned at its start)."""
    try:
        shape, dtype = read_npy_header(f)
    except ValueError as err:
        raise ExternalNetworkError(f"{where}: not a valid .npy array ({err})") from err
    finally:
        f.seek(0)
    return tuple(shape), dtype


def read_npy(path: str | os.PathLike, key: str, check: Check) -> np.ndarray:
    """The array of a ``.npy`` file, called ``key`` in messages, after ``check(key, shape, dtype)``."""
    with open(path, "rb") as f:
        shape, dtype = npy_header(f, str(path))
        check(key, shape, dtype)
    return read_weights_npy(Path(path), key)


def read_npz(path: str | os.PathLike, check: Check, select: Callable[[str], bool] = lambda key: True) -> dict:
    """The members of a ``.npz`` archive, ``{key: array}`` for the selected keys (each after ``check``) and
    ``{key: None}`` for the others (not read)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ExternalNetworkError(f"{path}: not a valid .npz (zip) archive ({err})") from err
    out = {}
    with zf:
        for info in zf.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if not select(key):
                out[key] = None
                continue
            with zf.open(info) as member:
                shape, dtype = npy_header(member, f"{path} ['{key}']")
                check(key, shape, dtype)
                out[key] = read_weights_npy(path, key, fileobj=member, size=info.file_size)
    return out


def read_safetensors(path: str | os.PathLike, check: Check, select: Callable[[str], bool] = lambda key: True
                     ) -> dict:
    """The tensors of a ``.safetensors`` file as numpy arrays (selected keys, each after ``check``; the others
    None, not read). A dtype numpy lacks (``BF16``, FP8) is refused naming the key."""
    try:
        with safe_open(str(path), framework="np") as f:
            out = {}
            for key in f.keys():  # noqa: SIM118 (safe_open is not a mapping)
                if not select(key):
                    out[key] = None
                    continue
                sl = f.get_slice(key)
                shape, code = tuple(sl.get_shape()), sl.get_dtype()
                if code not in SAFETENSORS_DTYPES:
                    raise ExternalNetworkError(f"{path}: '{key}' (shape {shape}) has dtype {code}, which numpy "
                                               f"cannot hold; save it as float32 or float64")
                check(key, shape, np.dtype(SAFETENSORS_DTYPES[code]))
                out[key] = f.get_tensor(key)
    except (SafetensorError, OSError) as err:
        raise ExternalNetworkError(f"{path}: not a readable .safetensors file ({err})") from err
    return out


def write_arrays(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Write named arrays as ``.npz`` (uncompressed) or ``.safetensors`` by the suffix of ``path``, through a
    temporary name renamed into place (a killed write never leaves a complete-looking file)."""
    path = Path(path)
    if path.suffix not in (".npz", ".safetensors"):
        raise ValueError(f"path must end in .npz or .safetensors, got {path.name!r}")
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{path.suffix}")
    try:
        if path.suffix == ".npz":
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
        else:
            save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
