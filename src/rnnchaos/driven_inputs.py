"""Input sequences that drive a network: read from ``.npy``/``.npz`` or generated (white noise, zeros).

A set of sequences is a float64 array ``(batch, T, d)``: ``batch`` sequences of ``T`` steps of a ``d``-dimensional
input ``u_t`` (PyTorch's ``batch_first`` layout), with step ``t`` of a network reading ``u_t``
(``x_{t+1} = S(x_t, u_t)``). Files: ``.npy`` holding one such array, or ``.npz`` with the array under ``key``
(or its only member); a 2-D ``(T, d)`` array is one sequence. Headers are checked before any data is read
(:mod:`rnnchaos.array_files`: no pickles, 2-D or 3-D, real dtype, at most :data:`MAX_ELEMENTS` entries, the
header's bytes against the file's); entries must be finite. Errors name the file, the key and the shape.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from rnnchaos.array_files import read_npy, read_npz
from rnnchaos.weight_files import ExternalNetworkError

#: Largest number of entries of an input file (2^28 float64 = 2 GiB).
MAX_ELEMENTS = 1 << 28


def check_inputs(inputs, n_inputs: int, *, where: str = "inputs") -> np.ndarray:
    """``inputs`` as a float64 ``(batch, T, d)`` array (a ``(T, d)`` array is one sequence), checked: ``d`` equal
    to the network's ``n_inputs``, ``batch, T >= 1``, all entries finite. Raises ``ValueError`` naming the shape."""
    a = np.asarray(inputs)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{where} must have shape (batch, T, d) or (T, d) with batch, T >= 1, got {np.shape(inputs)}")
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{where} (shape {a.shape}) must be real numbers, got dtype {a.dtype}")
    if a.shape[2] != n_inputs:
        raise ValueError(f"{where} has shape {a.shape}: input dimension {a.shape[2]}, but the network reads "
                         f"n_inputs = {n_inputs}")
    a = a.astype(np.float64)
    bad = int(np.count_nonzero(~np.isfinite(a)))
    if bad:
        raise ValueError(f"{where} (shape {a.shape}) has {bad} non-finite (NaN or inf) entries")
    return a


def load_inputs(path: str | os.PathLike, n_inputs: int, *, key: str | None = None) -> np.ndarray:
    """The sequences in ``path`` (``.npy``, or ``.npz`` member ``key``, default its only member), checked by
    :func:`check_inputs`."""
    path = Path(path)
    if path.suffix not in (".npy", ".npz"):
        raise ExternalNetworkError(f"{path}: unsupported input file type {path.suffix!r}; allowed: .npy, .npz")
    if not path.is_file():
        raise ExternalNetworkError(f"{path}: no such file")

    def check(name, shape, dtype):
        if len(shape) not in (2, 3) or math.prod(shape) > MAX_ELEMENTS:
            raise ExternalNetworkError(f"{path}: '{name}' must be (batch, T, d) or (T, d) with at most "
                                       f"{MAX_ELEMENTS} entries, got shape {shape}")
        if np.dtype(dtype).kind not in "fiu":
            raise ExternalNetworkError(f"{path}: '{name}' (shape {shape}) must be real numbers, got dtype {dtype}")

    if path.suffix == ".npy":
        return check_inputs(read_npy(path, "inputs", check), n_inputs, where=f"{path}")
    names = list(read_npz(path, check, select=lambda name: False))
    if key is None:
        if len(names) != 1:
            raise ExternalNetworkError(f"{path}: holds {sorted(names)}; give key= to choose the input array")
        key = names[0]
    if key not in names:
        raise ExternalNetworkError(f"{path}: no array '{key}'; found {sorted(names)}")
    arr = read_npz(path, check, select=lambda name: name == key)[key]
    return check_inputs(arr, n_inputs, where=f"{path} ['{key}']")


def white_noise(rng: np.random.Generator, *, batch: int, steps: int, n_inputs: int, sigma: float) -> np.ndarray:
    """``batch`` sequences of ``steps`` i.i.d. ``N(0, sigma^2)`` inputs of dimension ``n_inputs`` from ``rng``."""
    _check_sizes(batch=batch, steps=steps, n_inputs=n_inputs)
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    return sigma * rng.standard_normal((batch, steps, n_inputs))


def zeros(*, batch: int, steps: int, n_inputs: int) -> np.ndarray:
    """``batch`` sequences of ``steps`` zero inputs (the autonomous network)."""
    _check_sizes(batch=batch, steps=steps, n_inputs=n_inputs)
    return np.zeros((batch, steps, n_inputs))


def _check_sizes(**sizes) -> None:
    for name, v in sizes.items():
        if not (isinstance(v, (int, np.integer)) and v >= 1):
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    if math.prod(sizes.values()) > MAX_ELEMENTS:
        raise ValueError(f"batch * steps * n_inputs must be <= {MAX_ELEMENTS}, got {sizes}")
