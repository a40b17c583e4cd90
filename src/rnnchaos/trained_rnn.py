"""A trained RNN from the machine-learning ecosystem, analysed: its spectrum along inputs, features, fixed points.

:func:`analyse_trained_rnn` reads a PyTorch-layout state dict (:func:`rnnchaos.state_dict.load_state_dict`:
``.npz``, ``.safetensors``, ``.pt`` with torch), takes input sequences from a file or generates them
(:mod:`rnnchaos.driven_inputs`), computes the first ``k`` Lyapunov exponents along each sequence
(:func:`rnnchaos.lyapunov_driven.driven_lyapunov_spectrum`), the spectrum's features
(:func:`rnnchaos.spectrum_features.spectrum_features`, of the mean over sequences) and the fixed and slow points
under a constant input (:func:`rnnchaos.driven_fixed_points.driven_fixed_points`, started from the states the
sequences end in and perturbations of them). One Dataset: ``lyap_*`` and ``feature_*`` variables, ``fp_*``
variables (dimension ``unit`` for the state), each part with its ``*_status``
(:func:`rnnchaos.io.compute_parts`: a numerical failure is recorded, not raised), and attributes naming the
network, the file and every setting. Random numbers, in order: generated inputs, Lyapunov frames, fixed-point
starts and extra solves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import xarray as xr

from rnnchaos import driven_inputs, fixed_points, lyapunov_driven
from rnnchaos.driven_fixed_points import driven_fixed_points
from rnnchaos.io import compute_parts
from rnnchaos.spectrum_features import FEATURES, LONG_NAMES, MIN_NETWORKS, feature_correlations, spectrum_features
from rnnchaos.state_dict import load_state_dict, stack_from_arrays
from rnnchaos.status import STATUS_CODES

INPUT_KINDS = ("white_noise", "zeros", "file")


def make_inputs(n_inputs: int, *, kind: str, rng: np.random.Generator, batch: int = 8, steps: int = 1000,
                sigma: float = 1.0, path: str | os.PathLike | None = None, key: str | None = None) -> np.ndarray:
    """Input sequences (batch, T, n_inputs): ``kind`` "white_noise" (``N(0, sigma^2)`` from ``rng``), "zeros", or
    "file" (``path``, ``key``: :func:`rnnchaos.driven_inputs.load_inputs`; ``batch``, ``steps`` unused)."""
    if kind == "white_noise":
        return driven_inputs.white_noise(rng, batch=batch, steps=steps, n_inputs=n_inputs, sigma=sigma)
    if kind == "zeros":
        return driven_inputs.zeros(batch=batch, steps=steps, n_inputs=n_inputs)
    if kind == "file":
        if path is None:
            raise ValueError("inputs kind 'file' needs path=")
        return driven_inputs.load_inputs(path, n_inputs, key=key)
    raise ValueError(f"inputs kind must be one of {INPUT_KINDS}, got {kind!r}")


def analyse_trained_rnn(path: str | os.PathLike | Mapping, *, rng: np.random.Generator, name: str | None = None,
                        performance: float = np.nan, cell: str | None = None, nonlinearity: str = "tanh",
                        prefix: str | None = None, inputs: str = "white_noise", input_path=None,
                        input_key: str | None = None, sigma: float = 1.0, batch: int = 8, steps: int = 1000,
                        k: int | None = None, warmup: int = 100, warmup_tangent: int = 100, t_ons: int = 1,
                        n_batches: int = 10, constant_input=None, n_fp_starts: int = 32,
                        fp_perturbation: float = 0.5, tol: float = 1e-10, max_iter: int = 50,
                        n_extra: int = 32) -> xr.Dataset:
    """The analysis of the module docstring for the network in ``path`` (a file, or a state dict's arrays).

    ``name`` (default: the file's stem) and ``performance`` (NaN: none) go into the attributes; ``cell``,
    ``nonlinearity``, ``prefix``: as in :func:`rnnchaos.state_dict.load_state_dict`; inputs: ``inputs`` kind with
    ``input_path``, ``input_key``, ``sigma``, ``batch``, ``steps`` (:func:`make_inputs`); spectrum: ``k`` (default
    ``min(n, 64)``), ``warmup``, ``warmup_tangent``, ``t_ons``, ``n_batches``; fixed points: ``constant_input``
    (default 0), ``n_fp_starts`` starts (the end states of the sequences, cycled, plus Gaussian perturbations of
    scale ``fp_perturbation`` times their rms), ``tol``, ``max_iter``, ``n_extra`` deflated extra solves.
    """
    if isinstance(path, Mapping):  # a state dict in memory (keys without prefix; keys with a dot are not the RNN's)
        arrays = {k: np.asarray(v, dtype=np.float64) for k, v in path.items() if "." not in k}
        stack = stack_from_arrays(arrays, where=name or "state dict", cell=cell, nonlinearity=nonlinearity)
        meta = {"source": "state dict in memory", "format": "", "prefix": "", "bias": "bias_ih_l0" in arrays,
                "ignored": sorted(k for k in path if "." in k)}
    else:
        stack, meta = load_state_dict(path, cell=cell, nonlinearity=nonlinearity, prefix=prefix)
    U = make_inputs(stack.n_inputs, kind=inputs, rng=rng, batch=batch, steps=steps, sigma=sigma, path=input_path,
                    key=input_key)
    k = min(stack.n, 64) if k is None else k
    u_c = np.zeros(stack.n_inputs) if constant_input is None else np.asarray(constant_input, dtype=float)
    ends = {}

    def lyapunov_part():
        r = lyapunov_driven.driven_lyapunov_spectrum(stack, U, k=k, rng=rng, warmup=warmup,
                                                     warmup_tangent=warmup_tangent, t_ons=t_ons, n_batches=n_batches)
        ends["x"] = r.final_states
        ds = lyapunov_driven.to_dataset(r)
        ds = ds.rename({v: "lyap_" + v for v in ds.data_vars})
        feats = spectrum_features(r.exponents, stack.n)
        for f in FEATURES:
            units = "1" if f in ("d_ky", "n_positive") else "1/step"
            ds[f"feature_{f}"] = xr.DataArray(feats[f], attrs={"units": units, "long_name": LONG_NAMES[f] + " (of "
                                                               "the mean spectrum over sequences)"})
        for flag in ("d_ky_lower_bound", "entropy_rate_lower_bound"):
            ds[f"feature_{flag}"] = xr.DataArray(np.int8(feats[flag]), attrs={
                "units": "1", "long_name": f"1 if feature_{flag[:-12]} is only a lower bound (k < n)"})
        return ds

    def fixed_point_part():
        x_end = ends.get("x")
        if x_end is None:  # the spectrum failed: end states of plain runs of the sequences
            x_end = np.stack([_run(stack, seq) for seq in U])
        B = x_end.shape[0]
        starts = x_end[np.arange(n_fp_starts) % B].copy()  # the end states, then perturbed copies
        scale = max(float(np.sqrt(np.mean(x_end**2))), 1e-3)
        starts[B:] += fp_perturbation * scale * rng.standard_normal(starts[B:].shape)
        fp = driven_fixed_points(stack, u_c, starts, tol=tol, max_iter=max_iter, n_extra=n_extra, rng=rng)
        ds = fixed_points.to_dataset(fp)
        ds = ds.rename({"i": "unit"})
        ds = ds.rename({v: "fp_" + v for v in ds.variables if v not in ("fp", "unit", "eig", "solve", "slow", "path")})
        ds.attrs = {}
        return ds

    ds = compute_parts({"lyap": lyapunov_part, "fp": fixed_point_part})
    ds.attrs = {}
    ds.attrs.update({**stack.attrs(), "name": name or os.path.splitext(os.path.basename(str(meta["source"])))[0],
                     "performance": float(performance), "source": meta["source"], "format": meta["format"],
                     "prefix": meta["prefix"], "bias": int(meta["bias"]), "ignored_keys": " ".join(meta["ignored"]),
                     "nonlinearity": nonlinearity if stack.name.startswith("rnn_") else "gates",
                     "inputs": inputs, "input_path": str(input_path or ""), "input_key": str(input_key or ""),
                     "sigma": float(sigma) if inputs == "white_noise" else np.nan, "batch": int(U.shape[0]),
                     "steps": int(U.shape[1]), "k": int(k), "constant_input": u_c.tolist(), "tol": float(tol),
                     "time_unit": "step"})
    return ds


def _run(stack, seq):
    x = np.zeros(stack.n)
    for u in seq:
        x = stack.step(x, u)
    return x


def network_features(datasets, names, *, rng: np.random.Generator | None = None, n_boot: int = 2000,
                     level: float = 0.95) -> xr.Dataset:
    """The feature table of several analysed networks (:func:`analyse_trained_rnn` Datasets, as read from their
    files, in the order of ``names``), dimension ``network``: every feature of
    :data:`rnnchaos.spectrum_features.FEATURES` and the two lower-bound flags (NaN where the network's spectrum
    failed, never a sentinel), ``performance`` (NaN: none), the state size ``n``, ``k``, and ``status``: the
    code of the spectrum's outcome (:data:`rnnchaos.status.STATUS_CODES`; a file that holds only a failure counts
    with its own code) with ``status_detail``. With ``rng`` and at least
    :data:`rnnchaos.spectrum_features.MIN_NETWORKS` successful networks with a performance value, each feature's
    Spearman correlation with it (:func:`rnnchaos.spectrum_features.feature_correlations`: ``rho``, ``p_value``,
    ``ci_low``, ``ci_high``, ``n_boot_used``; dimension ``feature``) over those networks; the attribute
    ``correlation`` says which, or why none."""
    names = list(names)
    if len(datasets) != len(names) or not names:
        raise ValueError(f"datasets and names must have the same length >= 1, got {len(datasets)} and {len(names)}")
    rows = [_row(ds) for ds in datasets]
    a = lambda units, ln: {"units": units, "long_name": ln}  # noqa: E731
    out = xr.Dataset(coords={"network": names})
    for f in (*FEATURES, "d_ky_lower_bound", "entropy_rate_lower_bound"):
        src = next((ds[f"feature_{f}"].attrs for ds in datasets if f"feature_{f}" in ds), {})
        out[f] = ("network", [r["features"].get(f, np.nan) for r in rows],
                  a(src.get("units", "1"), src.get("long_name", LONG_NAMES.get(f, f))))
    out["performance"] = ("network", [r["performance"] for r in rows], a("1", "performance value (NaN: none given)"))
    out["n"] = ("network", [r["n"] for r in rows], a("1", "state size of the network (NaN: not read)"))
    out["k"] = ("network", [r["k"] for r in rows], a("1", "Lyapunov exponents computed (NaN: not read)"))
    out["status"] = ("network", np.array([r["status"] for r in rows], dtype=np.int8),
                     {**a("1", "outcome of the network's Lyapunov spectrum"),
                      "flag_values": np.array(list(STATUS_CODES.values()), dtype=np.int8),
                      "flag_meanings": " ".join(STATUS_CODES)})
    out["status_detail"] = ("network", [r["detail"] for r in rows], a("1", "why the spectrum failed ('' if ok)"))
    ok = (out["status"].values == 0) & np.isfinite(out["performance"].values)
    if rng is None:
        out.attrs["correlation"] = "not asked for"
    elif ok.sum() < MIN_NETWORKS:
        out.attrs["correlation"] = (f"none: {int(ok.sum())} successful networks with a performance value, fewer "
                                    f"than {MIN_NETWORKS}")
    else:
        corr = feature_correlations(out.isel(network=np.flatnonzero(ok)), rng=rng, n_boot=n_boot, level=level)
        out = out.merge(corr)
        out.attrs.update(corr.attrs, correlation=f"Spearman over the {int(ok.sum())} successful networks with a "
                                                 "performance value")
    return out


def _row(ds: xr.Dataset) -> dict:
    status_var = "lyap_status" if "lyap_status" in ds else "status"
    code = int(np.ravel(ds[status_var].values)[0])
    if "status" in ds and int(np.ravel(ds["status"].values)[0]) != 0:
        status_var, code = "status", int(np.ravel(ds["status"].values)[0])
    feats = {}
    if code == 0:
        for f in (*FEATURES, "d_ky_lower_bound", "entropy_rate_lower_bound"):
            feats[f] = float(np.ravel(ds[f"feature_{f}"].values)[0])
    return {"features": feats, "status": code, "detail": str(ds[status_var].attrs.get("detail", "")),
            "performance": float(ds.attrs.get("performance", np.nan)), "n": float(ds.attrs.get("n", np.nan)),
            "k": float(ds.attrs.get("k", np.nan))}


def features_frame(table: xr.Dataset):
    """The per-network part of :func:`network_features` as a pandas DataFrame (one row per network; ``status``
    by name) for a CSV file."""
    names = {v: k for k, v in STATUS_CODES.items()}
    cols = [v for v in table.data_vars if table[v].dims == ("network",)]
    df = table[cols].to_dataframe()
    df["status"] = [names.get(int(c), str(int(c))) for c in table["status"].values]
    return df
