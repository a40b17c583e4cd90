"""Trained recurrent networks from PyTorch-layout state dicts: ``.npz``, ``.safetensors`` and (with torch) ``.pt``.

Keys are PyTorch's for ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` (unidirectional, no projection), for layers
``k = 0 .. L-1``: ``weight_ih_l{k}`` (G H, d_k), ``weight_hh_l{k}`` (G H, H) and, unless the network was built
with ``bias=False``, ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G H,), with ``d_0`` the input size and ``d_k = H``
above; all may carry a common prefix (``rnn.weight_hh_l0`` in a whole model's state dict: the prefix is found
from the single ``*weight_hh_l0`` key, or given), and keys outside the prefix (a readout, an embedding) are not
read and are listed in ``meta["ignored"]``.

Inference: ``H`` = columns of ``weight_hh_l0``; the gate multiple ``G`` = its rows / H gives the cell
(1: Elman RNN, whose nonlinearity the file does not record, ``nonlinearity=`` "tanh" or "relu"; 3: GRU;
4: LSTM); ``L`` = the number of ``weight_hh_l{k}`` keys, which must be ``0 .. L-1``. Checks, each a
:class:`rnnchaos.weight_files.ExternalNetworkError` (a ``ValueError``) naming the file, the key and its shape: known
suffix; every read array's header (1-D bias or 2-D weight, real dtype, rows <= 4 ``MAX_N``, columns <=
``MAX_N``) before its data is read; a gate multiple of 1, 3 or 4 agreeing with ``cell=`` if given; every layer's
shapes, so that layers chain (layer k's input size is H); both biases or neither, in every layer; all entries
finite; the input size equal to ``input_size=`` if given; no unsupported keys (``weight_hr_l{k}``: LSTM
projections; ``*_reverse``: bidirectional networks; anything else under the prefix).

``.pt``/``.pth`` files are read only where torch is installed, with ``torch.load(..., weights_only=True)``
(no arbitrary unpickling); without torch the error says how to convert the file to ``.safetensors``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import numpy as np

from rnnchaos.array_files import read_npz, read_safetensors
from rnnchaos.cells import GATES, LayerWeights
from rnnchaos.rnn_stack import RNNStack
from rnnchaos.weight_files import MAX_N, ExternalNetworkError

SUFFIXES = (".npz", ".safetensors", ".pt", ".pth")
_KEY = re.compile(r"^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$")
CONVERT_HINT = ("convert it where torch is installed: `from safetensors.torch import save_file; "
                "save_file({k: v.contiguous() for k, v in torch.load(path, weights_only=True).items()}, "
                "'weights.safetensors')`, then load the .safetensors file")


def find_prefix(keys, where: str) -> str:
    """The prefix of the one key ending in ``weight_hh_l0`` (``""`` for a bare RNN state dict)."""
    hits = sorted(k[:-len("weight_hh_l0")] for k in keys if k.endswith("weight_hh_l0"))
    if len(hits) != 1:
        raise ExternalNetworkError(f"{where}: needs exactly one key ending in 'weight_hh_l0' (the recurrent weights "
                                   f"of layer 0), found {hits or 'none'} among {sorted(keys)[:12]}; "
                                   "give prefix= to choose")
    return hits[0]


def key_problem(key: str, shape: tuple) -> str | None:
    """Why ``key`` (prefix removed) with ``shape`` is not a key this package reads, or None."""
    m = _KEY.match(key)
    if m is None:
        return (f"unsupported key '{key}' (shape {shape}); a PyTorch RNN/GRU/LSTM state dict holds only "
                "weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}")
    if m.group(3):
        return f"'{key}' (shape {shape}): bidirectional networks are not supported"
    if m.group(1) == "weight_hr":
        return f"'{key}' (shape {shape}): LSTM projections (proj_size > 0) are not supported"
    return None


def check_header(where: str, key: str, shape: tuple, dtype: np.dtype, *, prefix: str = "") -> None:
    """Refuse, from its header, an array that cannot be a layer's weight or bias (see module docstring); ``key``
    is the full name, ``prefix`` its module prefix."""
    problem = key_problem(key[len(prefix):], tuple(shape))
    if problem:
        raise ExternalNetworkError(f"{where}: {problem}")
    ndim = 1 if _KEY.match(key[len(prefix):]).group(1).startswith("bias") else 2
    if len(shape) != ndim:
        raise ExternalNetworkError(f"{where}: '{key}' must be {ndim}-D, got shape {shape}")
    if shape[0] > 4 * MAX_N or (ndim == 2 and shape[1] > MAX_N):
        raise ExternalNetworkError(f"{where}: '{key}' has shape {shape}; allowed hidden and input sizes <= {MAX_N}")
    if np.dtype(dtype).kind not in "fiu":
        raise ExternalNetworkError(f"{where}: '{key}' (shape {shape}) must be a real numeric array, got dtype {dtype}")


def read_state_dict(path: str | os.PathLike, *, prefix: str | None = None) -> tuple[dict, str, list[str]]:
    """The arrays under ``prefix`` of the state dict in ``path`` (keys without the prefix, float64), the prefix
    and the ignored keys; headers checked before reading (:func:`check_header`)."""
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ExternalNetworkError(f"{path}: unsupported file type {path.suffix!r}; allowed: {', '.join(SUFFIXES)}")
    if not path.is_file():
        raise ExternalNetworkError(f"{path}: no such file")
    where = str(path)
    if path.suffix in (".pt", ".pth"):
        raw = _read_torch(path)
        keys = list(raw)
    else:
        keys = None
    chosen = {"prefix": prefix}

    def select(key):  # the prefix's own keys, not those of its submodules
        p = chosen["prefix"]
        return key.startswith(p) and "." not in key[len(p):]

    def check(key, shape, dtype):
        check_header(where, key, shape, dtype, prefix=chosen["prefix"])

    if keys is None:
        reader = read_npz if path.suffix == ".npz" else read_safetensors
        keys = list(reader(path, check, select=lambda key: False))  # names only, nothing read
    if prefix is None:
        chosen["prefix"] = find_prefix(keys, where)
    if path.suffix in (".pt", ".pth"):
        for key in filter(select, keys):
            check(key, raw[key].shape, raw[key].dtype)
        arrays = {k: raw[k] for k in keys if select(k)}
    else:
        arrays = {k: v for k, v in reader(path, check, select=select).items() if v is not None}
    p = chosen["prefix"]
    ignored = sorted(k for k in keys if not select(k))
    return {k[len(p):]: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}, p, ignored


def stack_from_arrays(arrays: dict, *, where: str = "state dict", cell: str | None = None,
                      nonlinearity: str = "tanh", input_size: int | None = None) -> RNNStack:
    """An :class:`rnnchaos.rnn_stack.RNNStack` from PyTorch-layout arrays (keys without prefix); checks and
    inference as in the module docstring."""
    def fail(msg):
        raise ExternalNetworkError(f"{where}: {msg}")

    for key in arrays:
        problem = key_problem(key, np.shape(arrays[key]))
        if problem:
            fail(problem)
    if "weight_hh_l0" not in arrays:
        fail(f"missing key 'weight_hh_l0'; found {sorted(arrays) or 'no arrays'}")
    w0 = arrays["weight_hh_l0"]
    H = w0.shape[1]
    if H < 1 or w0.shape[0] % H or w0.shape[0] // H not in (1, 3, 4):
        fail(f"'weight_hh_l0' has shape {w0.shape}; its rows must be 1, 3 or 4 times its columns (hidden size) "
             "for an Elman RNN, a GRU or an LSTM")
    G = w0.shape[0] // H
    inferred = {1: f"rnn_{nonlinearity}", 3: "gru", 4: "lstm"}[G]
    if inferred not in GATES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    if cell is not None and cell != inferred and not (G == 1 and cell in ("rnn_tanh", "rnn_relu")):
        fail(f"cell {cell!r} was requested but 'weight_hh_l0' has shape {w0.shape}, the gate multiple {G} of a "
             f"{inferred.split('_')[0]} cell")
    name = cell or inferred
    layers_present = sorted(int(_KEY.match(k).group(2)) for k in arrays if k.startswith("weight_hh_l"))
    L = len(layers_present)
    if layers_present != list(range(L)):
        fail(f"layers must be numbered 0..{L - 1}, found weight_hh_l{{k}} for k in {layers_present}")
    extra = sorted(k for k in arrays if int(_KEY.match(k).group(2)) >= L)
    if extra:
        fail(f"'{extra[0]}' (shape {arrays[extra[0]].shape}) belongs to no layer (layers 0..{L - 1})")
    has_bias = "bias_ih_l0" in arrays or "bias_hh_l0" in arrays
    layers = []
    for k in range(L):
        for key in (f"weight_ih_l{k}",) + ((f"bias_ih_l{k}", f"bias_hh_l{k}") if has_bias else ()):
            if key not in arrays:
                fail(f"missing key '{key}'" + ("" if key.startswith("weight") else
                                               " (biases must be given for both ih and hh in every layer, or none)"))
        if not has_bias and (f"bias_ih_l{k}" in arrays or f"bias_hh_l{k}" in arrays):
            fail(f"layer {k} has biases but layer 0 has none")
        d = arrays["weight_ih_l0"].shape[-1] if k == 0 else H
        want = {f"weight_ih_l{k}": (G * H, d), f"weight_hh_l{k}": (G * H, H)}
        if has_bias:
            want.update({f"bias_ih_l{k}": (G * H,), f"bias_hh_l{k}": (G * H,)})
        for key, shape in want.items():
            a = arrays[key]
            if a.shape != shape:
                why = (f"layer {k} reads layer {k - 1}'s hidden state of size {H}, so the layers do not chain"
                       if key == f"weight_ih_l{k}" and k > 0 else f"a {name} layer with hidden size {H}")
                fail(f"'{key}' has shape {a.shape}, expected {shape} ({why})")
            bad = int(np.count_nonzero(~np.isfinite(a)))
            if bad:
                fail(f"'{key}' (shape {a.shape}) has {bad} non-finite (NaN or inf) entries")
        b_ih, b_hh = (arrays[f"bias_ih_l{k}"], arrays[f"bias_hh_l{k}"]) if has_bias else (np.zeros(G * H),) * 2
        layers.append(LayerWeights(arrays[f"weight_ih_l{k}"], arrays[f"weight_hh_l{k}"], b_ih, b_hh))
    if input_size is not None and layers[0].input_size != input_size:
        fail(f"'weight_ih_l0' has shape {arrays['weight_ih_l0'].shape}: input size {layers[0].input_size}, but the "
             f"inputs have dimension {input_size}")
    return RNNStack(name, layers)


def load_state_dict(path: str | os.PathLike, *, cell: str | None = None, nonlinearity: str = "tanh",
                    prefix: str | None = None, input_size: int | None = None) -> tuple[RNNStack, dict]:
    """Read, check and build the network in ``path``; returns ``(stack, meta)`` with ``meta``: ``source``,
    ``format``, ``prefix``, ``ignored`` (keys outside the prefix, not read), ``bias`` (False for zero biases
    from a ``bias=False`` network)."""
    arrays, p, ignored = read_state_dict(path, prefix=prefix)
    where = str(path)
    stack = stack_from_arrays(arrays, where=where, cell=cell, nonlinearity=nonlinearity, input_size=input_size)
    meta = {"source": where, "format": Path(path).suffix[1:], "prefix": p, "ignored": ignored,
            "bias": "bias_ih_l0" in arrays}
    return stack, meta


def _read_torch(path: Path) -> dict:
    if importlib.util.find_spec("torch") is None:
        raise ExternalNetworkError(f"{path}: reading a {path.suffix} file needs PyTorch, which is not installed; "
                                   + CONVERT_HINT)
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types (UnpicklingError, RuntimeError, ...)
        raise ExternalNetworkError(f"{path}: not loadable with torch.load(weights_only=True) ({err})") from err
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ExternalNetworkError(f"{path}: expected a state dict (a mapping of names to tensors), got "
                                   f"{type(obj).__name__}; save `model.state_dict()`")
    return {k: v.detach().to(torch.float64).numpy() for k, v in obj.items()}
