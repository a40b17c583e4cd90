"""Networks from elsewhere: validated import of weights, then the package's fixed-point and Lyapunov analyses.

File schema (no pickles anywhere: ``np.load(..., allow_pickle=False)``; every array's header (ndim, shape,
dtype, and its bytes against the file's where the data is not compressed) is checked before any data is read
or memory allocated, by :func:`rnnchaos.weight_files.check_array_header`; arrays outside the schema are not read):

========  ======================================================================================================
``.npy``  one real 2-D array: the square couplings ``J``; ``theta = 0``; the model is ``model=`` (default rate)
``.npz``  named arrays: ``J`` or ``W`` (exactly one; real, square N x N); optional ``theta`` or ``b`` (real,
          (N,), default 0); optional 0-d ``model`` (``"rate"`` or ``"map"``), ``tau`` and ``dt`` (finite > 0,
          rate only; ``dt`` in the unit of ``tau``, default ``tau = 1``). Other arrays are ignored and listed
          in ``meta["ignored"]`` (e.g. the input and readout weights of a trained network)
``.nc``   NetCDF with the same names as variables; ``model``, ``tau``, ``dt`` as 0-d variables or global
          attributes
========  ======================================================================================================

Models: ``rate``: ``tau dx/dt = -x + J phi(x) + theta``; ``map``: ``a_{t+1} = J phi(a_t) + theta``, with ``phi``
the ``nonlinearity`` of :func:`analyse_external` (default tanh). Checks,
each failing with :class:`ExternalNetworkError` naming the file, the key and the problem: known suffix;
real numeric dtype (float or integer; not bool, complex, string or object); 2-D and square; ``2 <= N <=``
:data:`MAX_N`; all entries finite; bias shape ``(N,)``; a known model; ``tau``, ``dt`` finite and positive with
``dt / tau <= 1``.

:func:`analyse_external` then treats the network like a generated one (:mod:`rnnchaos.fixed_points`,
:mod:`rnnchaos.lyapunov`): a simulated trajectory provides initial states for the fixed-point search, and the
first ``k`` Lyapunov exponents are computed. Time is measured in units of ``tau`` (the step is the file's
``dt / tau`` if given, else ``dt``), so exponents are per ``tau``; with a ``tau`` in the file they are also
given per the file's time unit (``lyap_exponent_per_time``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from rnnchaos import dynamics, fixed_points, lyapunov, models
from rnnchaos.io import compute_parts
from rnnchaos.weight_files import (  # noqa: F401  (MAX_N and the key names are part of this module's documented schema)
    BIAS_KEYS,
    COUPLING_KEYS,
    MAX_N,
    SCALAR_KEYS,
    ExternalNetworkError,
)
from rnnchaos.weight_files import read_weights_netcdf as _read_netcdf
from rnnchaos.weight_files import read_weights_npy as _read_npy
from rnnchaos.weight_files import read_weights_npz as _read_npz

SUFFIXES = (".npy", ".npz", ".nc")


def load_network(path: str | os.PathLike, *, model: str | None = None) -> tuple[str, np.ndarray, np.ndarray, dict]:
    """Read and validate an external network (schema in the module docstring); returns ``(model, J, theta, meta)``.

    ``model`` overrides a missing model entry (and must agree with one that is present). ``meta``: ``source``,
    ``format``, ``N``, ``coupling_key``, ``bias_key`` (or None), ``tau``, ``dt`` (None when absent), ``ignored``.
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ExternalNetworkError(f"{path}: unsupported file type {path.suffix!r}; allowed: {', '.join(SUFFIXES)}")
    if path.is_dir():
        raise ExternalNetworkError(f"{path}: is a directory, not a weights file")
    if not path.is_file():
        raise ExternalNetworkError(f"{path}: no such file")
    arrays = {"J": _read_npy(path, "J")} if path.suffix == ".npy" else (
        _read_npz(path) if path.suffix == ".npz" else _read_netcdf(path))
    return validate(arrays, source=str(path), model=model, fmt=path.suffix[1:])


def validate(arrays: dict, *, source: str, model: str | None = None, fmt: str = "arrays"):
    """Check named arrays against the schema; returns ``(model, J, theta, meta)`` (see :func:`load_network`)."""
    def fail(msg):
        raise ExternalNetworkError(f"{source}: {msg}")

    ck = [k for k in COUPLING_KEYS if k in arrays]
    if len(ck) != 1:
        fail(f"needs exactly one coupling matrix named 'J' or 'W', found {sorted(arrays) or 'no arrays'}")
    J = _real(arrays[ck[0]], ck[0], fail)
    if J.ndim != 2:
        fail(f"'{ck[0]}' must be a 2-D matrix, got {J.ndim}-D shape {J.shape}")
    if J.shape[0] != J.shape[1]:
        fail(f"'{ck[0]}' must be square, got shape {J.shape}")
    N = J.shape[0]
    if not 2 <= N <= MAX_N:
        fail(f"'{ck[0]}' has N = {N}; allowed 2 <= N <= {MAX_N}")
    if not np.all(np.isfinite(J)):
        fail(f"'{ck[0]}' has {int(np.sum(~np.isfinite(J)))} non-finite (NaN or inf) entries")
    bk = [k for k in BIAS_KEYS if k in arrays]
    if len(bk) > 1:
        fail("give the bias as 'theta' or 'b', not both")
    theta = np.zeros(N) if not bk else _real(arrays[bk[0]], bk[0], fail)
    if theta.shape != (N,):
        fail(f"'{bk[0]}' must have shape ({N},) to match '{ck[0]}', got {theta.shape}")
    if not np.all(np.isfinite(theta)):
        fail(f"'{bk[0]}' has non-finite (NaN or inf) entries")
    found = _scalar(arrays["model"], "model", fail, text=True) if "model" in arrays else None
    if found is not None and model is not None and found != model:
        fail(f"file says model {found!r} but {model!r} was requested")
    model = found or model or "rate"
    if model not in lyapunov.MODELS:
        fail(f"'model' must be one of {lyapunov.MODELS}, got {model!r}")
    tau, dt = (_scalar(arrays[k], k, fail) if k in arrays else None for k in ("tau", "dt"))
    for name, v in (("tau", tau), ("dt", dt)):
        if v is not None and model == "map":
            fail(f"'{name}' applies to model 'rate' only (the map advances one step per time unit)")
        if v is not None and not (np.isfinite(v) and v > 0):
            fail(f"'{name}' must be a finite number > 0, got {v!r}")
    if dt is not None and dt / (tau or 1.0) > 1:
        fail(f"'dt' / 'tau' must be <= 1 (a stable Euler step), got dt = {dt:g}, tau = {tau or 1.0:g}")
    ignored = sorted(set(arrays) - set(COUPLING_KEYS) - set(BIAS_KEYS) - set(SCALAR_KEYS))
    meta = dict(source=source, format=fmt, N=N, coupling_key=ck[0], bias_key=bk[0] if bk else None,
                tau=tau, dt=dt, ignored=ignored)
    return model, J, theta, meta


def analyse_external(path: str | os.PathLike, *, rng: np.random.Generator, model: str | None = None, k: int = 20,
                     n_init: int = 64, tol: float = 1e-10, max_iter: int = 50, n_states: int = 16, dt: float = 0.1,
                     t_transient: float = 100.0, t_transient_tangent: float = 20.0, t_sim: float = 400.0,
                     t_ons: float = 1.0, n_batches: int = 10, nonlinearity: str = "tanh") -> xr.Dataset:
    """Fixed points and the first ``k`` Lyapunov exponents of the network in ``path``, as one Dataset.

    A trajectory from ``x ~ N(0, 1)`` runs ``t_transient`` and then gives ``n_states`` states one time unit
    apart, the trajectory states of :func:`rnnchaos.fixed_points.network_fixed_points` (``n_init`` solves,
    ``tol``, ``max_iter``). :func:`rnnchaos.lyapunov.lyapunov_spectrum` gets ``k`` (at most N) and the ``t_*``
    settings (units of ``tau``); the step is the file's ``dt / tau`` when it has ``dt``, else ``dt``.
    Variables ``fp_*`` and ``lyap_*``; each stage has its own ``*_status`` (a numerical failure of one stage is
    recorded there by :func:`rnnchaos.io.compute_parts`, not raised). Random numbers, in order: trajectory, fixed
    points, Lyapunov.
    """
    name, J, theta, meta = load_network(path, model=model)
    N, tau = J.shape[0], meta["tau"] or 1.0
    net = models.make(name, J, theta, nonlinearity=nonlinearity, dt=meta["dt"] / tau if meta["dt"] is not None else dt)
    step = net.time_step
    x = dynamics.run(net, rng.standard_normal(N), n_steps=int(round(t_transient / step)))
    per = max(1, int(round(1.0 / step)))
    states = np.empty((n_states, N))
    for s in range(n_states):
        x = dynamics.run(net, x, n_steps=per)
        states[s] = x

    def fixed_point_part():
        fp = fixed_points.network_fixed_points(net, n_init=n_init, rng=rng, tol=tol, max_iter=max_iter,
                                               init_states=states)
        return _prefixed(fixed_points.to_dataset(fp).rename({"i": "unit"}), "fp_",
                         keep=("fp", "unit", "eig", "solve", "slow"))

    def lyapunov_part():
        ly = lyapunov.lyapunov_spectrum(net, rng=rng, k=min(k, N), t_transient=t_transient,
                                        t_transient_tangent=t_transient_tangent, t_sim=t_sim, t_ons=t_ons,
                                        n_batches=n_batches)
        lds = lyapunov.to_dataset(ly).rename({"i": "exponent_index"})
        lds = _prefixed(lds, "lyap_", keep=("exponent_index", "t_running", "i_running"))
        if meta["tau"] is not None:
            lds["lyap_exponent_per_time"] = ("exponent_index", ly.exponents / tau,
                                             {"units": "1/(time unit of tau)",
                                              "long_name": "Lyapunov exponent per time unit of the file's tau"})
        return lds

    ds = compute_parts({"fp": fixed_point_part, "lyap": lyapunov_part})
    ds.attrs = {}
    ds.attrs.update(model=name, nonlinearity=net.phi.name, source=meta["source"], format=meta["format"],
                    coupling_key=meta["coupling_key"], bias_key=str(meta["bias_key"]),
                    tau=float(tau) if net.flow else np.nan, step=float(step),
                    ignored_arrays=" ".join(meta["ignored"]), time_unit=models.time_unit(net))
    return ds


def _real(a, key, fail) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "fiu":
        fail(f"'{key}' must be a real floating-point or integer array, got dtype {a.dtype}")
    return a.astype(np.float64)


def _scalar(a, key, fail, *, text=False):
    a = np.asarray(a)
    if a.size != 1:
        fail(f"'{key}' must be a single value, got shape {a.shape}")
    v = a.reshape(()).item()
    if text:
        if not isinstance(v, (str, bytes)):
            fail(f"'{key}' must be a string, got {v!r}")
        return v.decode() if isinstance(v, bytes) else v
    if isinstance(v, (bool, str, bytes)) or not isinstance(v, (int, float)):
        fail(f"'{key}' must be a number, got {v!r}")
    return float(v)


def _prefixed(ds: xr.Dataset, prefix: str, *, keep) -> xr.Dataset:
    out = ds.rename({v: prefix + v for v in ds.variables if v not in keep})
    out.attrs = {}
    return out
