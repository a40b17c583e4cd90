"""Chaos of a network driven by a deterministic input (config section ``input``): one network's measures, the
networks pooled, and the fixed points under a constant input.

One network (:class:`rnnchaos.driven_network.DrivenNetwork`) along one signal (:mod:`rnnchaos.periodic_input`),
from ``x0``: ``t_transient`` of state only, ``t_transient_tangent`` of frame alignment, then ``t_sim`` accumulated
(:func:`rnnchaos.lyapunov_driven.driven_lyapunov_spectrum`: the first ``k`` exponents by the QR method every
``t_ons``, batch-mean errors, R-diagonal spreads). Along the same trajectory (the same steps from the same ``x0``),
over the accumulated window, :func:`response_statistics`:

* ``variance = (1/N) sum_i <x_i^2>_t`` (the grid's Delta0) and ``temporal_variance = (1/N) sum_i var_t(x_i)``;
* ``entrained_fraction``: the fraction of the temporal variance carried by the response locked to the drive's
  phase, ``sum_i sum_b (n_b/n) (m_ib - <x_i>)^2 / sum_i var_t(x_i)`` with ``m_ib`` the mean of ``x_i`` over the
  steps whose drive phase ``f t mod 1`` falls in bin ``b`` of ``n_bins`` (the waveform averaged over cycles). It
  is 1 for a response periodic with the drive (to binning), near ``n_bins / n_independent`` for a response that
  ignores it; NaN for a file signal (no period);
* ``entrained``: ``lambda_max + 2 SEM < 0``, the response contracts onto a function of the input's history (the
  suppression of chaos of Rajan, Abbott & Sompolinsky, PRE 82, 011903 (2010)).

:func:`pool` gathers the networks of one (model, g, sigma_b) on (drive, amplitude, N, seed), failed runs NaN
with their status, and the mean +- SEM over seeds. :func:`constant_input_fixed_points` searches the fixed points
under constant inputs ``u = value`` on every channel (:func:`rnnchaos.driven_fixed_points.driven_fixed_points`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import dynamics
from rnnchaos.driven_fixed_points import ConstantInput, driven_fixed_points
from rnnchaos.driven_network import driven_network, input_weights
from rnnchaos.input_config import SIGNALS
from rnnchaos.io import point_values
from rnnchaos.lyapunov_driven import driven_lyapunov_spectrum
from rnnchaos.lyapunov_schedule import spread_bound
from rnnchaos.network import initial_state, rng_for
from rnnchaos.periodic_input import file_signal, sinusoid
from rnnchaos.status import STATUS_CODES

#: steps between the finiteness checks of :func:`response_statistics`
CHECK_EVERY = 1000


def steps_of(time: float, time_step: float, key: str) -> int:
    """``time / time_step`` as a whole number of steps (``key`` names the setting in the error)."""
    n = round(time / time_step)
    if abs(time / time_step - n) > 1e-9 * max(1.0, abs(n)) or n < 0:
        raise ValueError(f"input.{key} = {time!r} must be a whole multiple >= 0 of the step {time_step:g}")
    return int(n)


def signal_for(model, *, signal: str, amplitude: float, frequency: float | None, steps: int,
               samples: np.ndarray | None = None, file_dt: float | None = None) -> np.ndarray:
    """The ``(steps, model.n_inputs)`` input of one run: a sinusoid of ``amplitude`` and ``frequency``, or the
    file's ``samples`` held at ``file_dt`` and scaled by ``amplitude``."""
    if signal == "sinusoid":
        return sinusoid(steps=steps, time_step=model.time_step, amplitude=amplitude, frequency=frequency,
                        channels=model.n_inputs)
    if signal == "file":
        return file_signal(samples, steps=steps, time_step=model.time_step, file_dt=file_dt, amplitude=amplitude)
    raise ValueError(f"input.signal must be one of {SIGNALS}, got {signal!r}")


@dataclass(frozen=True)
class ResponseStatistics:
    """Variances and entrainment of one run over its ``n_steps`` accumulated steps (module docstring)."""

    variance: float
    temporal_variance: float
    entrained_fraction: float
    n_steps: int
    n_cycles: float


def response_statistics(model, inputs: np.ndarray, x0: np.ndarray, *, start: int, frequency: float | None,
                        n_bins: int = 20) -> ResponseStatistics:
    """Run ``model`` along ``inputs`` (T, d) from ``x0``; over the states ``x_n``, ``start <= n < T``, the
    variances and the entrained fraction at ``frequency`` (None: NaN) with ``n_bins`` phase bins. Raises
    :class:`rnnchaos.status.NumericalFailure` ("diverged")."""
    T = inputs.shape[0]
    if not (0 <= start < T):
        raise ValueError(f"start must be in [0, T = {T}), got {start}")
    if not (isinstance(n_bins, (int, np.integer)) and n_bins >= 2):
        raise ValueError(f"input.n_bins must be an integer >= 2, got {n_bins!r}")
    h, N = float(model.time_step), model.n
    x = np.array(x0, dtype=np.float64)
    s1, s2 = np.zeros(N), np.zeros(N)
    bins = np.zeros((n_bins, N))
    phase_bin = (np.floor(((frequency * h * np.arange(T)) % 1.0) * n_bins).astype(int) % n_bins
                 if frequency is not None else np.zeros(T, dtype=int))
    counts = np.bincount(phase_bin[start:], minlength=n_bins).astype(float)
    for n in range(T):
        if n >= start:
            s1 += x
            s2 += x * x
            bins[phase_bin[n]] += x
        x = model.step(x, inputs[n])
        if n % CHECK_EVERY == 0:
            dynamics.check_finite(x, t=(n + 1) * h)
    dynamics.check_finite(x, t=T * h)
    n_acc = T - start
    mean = s1 / n_acc
    var = s2 / n_acc - mean**2
    total = float(var.sum())
    if frequency is None:
        fraction = float("nan")
    else:
        filled = counts > 0
        m = bins[filled] / counts[filled, None]
        explained = float((counts[filled, None] * (m - mean) ** 2).sum() / n_acc)
        fraction = explained / total if total > 0 else float("nan")
    return ResponseStatistics(variance=float(s2.sum() / (n_acc * N)), temporal_variance=total / N,
                              entrained_fraction=fraction, n_steps=n_acc,
                              n_cycles=float("nan") if frequency is None else frequency * n_acc * h)


def driven_point(model, inputs: np.ndarray, *, x0: np.ndarray, rng: np.random.Generator, k: int,
                 t_transient: float, t_transient_tangent: float, t_ons: float, n_batches: int = 10,
                 frequency: float | None = None, n_bins: int = 20) -> xr.Dataset:
    """Lyapunov spectrum (first ``k``), variances and entrainment of ``model`` along ``inputs`` (T, d) from ``x0``
    (module docstring); transients and ``t_ons`` in time units (whole multiples of the step), the accumulated time
    the rest of ``inputs``. Raises :class:`rnnchaos.status.NumericalFailure` ("diverged", "qr_breakdown")."""
    h = float(model.time_step)
    warmup = steps_of(t_transient, h, "t_transient")
    warmup_tangent = steps_of(t_transient_tangent, h, "t_transient_tangent")
    m = steps_of(t_ons, h, "t_ons")
    lyap = driven_lyapunov_spectrum(model, inputs[None], k=k, rng=rng, warmup=warmup, warmup_tangent=warmup_tangent,
                                    t_ons=max(m, 1), n_batches=n_batches, x0=x0)
    stats = response_statistics(model, inputs, x0, start=warmup + warmup_tangent, frequency=frequency, n_bins=n_bins)
    unit = getattr(model, "time_unit", "step")
    ru = f"1/{unit}"
    lam, sem = lyap.per_sequence[0], lyap.batch_sem[0]

    def scalar(v, units, long_name, dtype=np.float64):
        return ((), np.asarray(v, dtype=dtype), {"units": units, "long_name": long_name})

    entrained = bool(np.isfinite(sem[0]) and lam[0] + 2.0 * sem[0] < 0)
    return xr.Dataset(
        {
            "exponent": ("i", lam, {"units": ru, "long_name": "Lyapunov exponent (QR order)"}),
            "exponent_sem": ("i", sem, {"units": ru, "long_name": f"standard error ({n_batches} batch means)"}),
            "lambda_max": scalar(lam[0], ru, "largest Lyapunov exponent"),
            "lambda_max_sem": scalar(sem[0], ru, f"standard error of lambda_max ({n_batches} batch means)"),
            "variance": scalar(stats.variance, "1", "time-averaged variance (1/N) sum_i <x_i^2>_t"),
            "temporal_variance": scalar(stats.temporal_variance, "1", "(1/N) sum_i var_t(x_i)"),
            "entrained_fraction": scalar(stats.entrained_fraction, "1", (
                f"fraction of the temporal variance locked to the drive's phase ({n_bins} phase bins); NaN for a "
                "file signal")),
            "entrained": scalar(entrained, "1", "1 if lambda_max + 2 SEM < 0 (response entrained by the input)",
                                np.int8),
            "n_cycles": scalar(stats.n_cycles, "1", "drive periods in the accumulated time (NaN: file signal)"),
            "n_steps": scalar(lyap.n_steps, "1", "accumulated steps", np.int64),
            "n_qr": scalar(lyap.n_qr, "1", "accumulated QR re-orthonormalisations", np.int64),
            "qr_steps": scalar(lyap.t_ons, "1", "steps between QRs", np.int64),
            "t_ons": scalar(lyap.t_ons * h, unit, "time between QRs"),
            "spread_max": scalar(lyap.spread_max, "1", "largest R-diagonal spread of one QR interval (e-folds)"),
            "spread_bound": scalar(spread_bound("float64"), "1", "bound on the spread (float64; beyond: "
                                                                 "qr_breakdown)"),
            "dt": scalar(h, unit, "time step"),
        },
        coords={"i": ("i", np.arange(1, k + 1), {"units": "1", "long_name": "exponent index"})},
    )


#: per-network variables gathered by :func:`pool`
POOLED = ("lambda_max", "lambda_max_sem", "variance", "temporal_variance", "entrained_fraction", "entrained")


def pool(networks: Mapping[tuple[str, float, int, int], xr.Dataset], *, drives: Sequence[str],
         frequencies: Sequence[float | None], amplitudes: Sequence[float], sizes: Sequence[int],
         seeds: int) -> xr.Dataset:
    """The per-network files of one (model, g, sigma_b), keyed by (drive, amplitude, N, seed), on those dims
    (``status`` per network; a failed one NaN), with ``lambda_max_mean``, ``lambda_max_seed_sem`` (ddof 1) and
    ``n_ok`` over the successful seeds, and the first ``k`` exponents."""
    shape = (len(drives), len(amplitudes), len(sizes), seeds)
    out = {name: np.full(shape, np.nan) for name in POOLED}
    status = np.zeros(shape, dtype=np.int8)
    k = None
    attrs = {}
    for (d, a, n, s), ds in networks.items():
        idx = (list(drives).index(d), list(amplitudes).index(a), list(sizes).index(n), s)
        status[idx] = int(point_values(ds, "status"))
        if status[idx] == 0:
            for name in POOLED:
                out[name][idx] = float(point_values(ds, name))
            lam = point_values(ds, "exponent")
            if k is None:
                k = lam.size
                exps = np.full((*shape, k), np.nan)
                attrs = {v: ds[v].attrs for v in (*POOLED, "exponent")}
            exps[idx] = lam[:k]
    if k is None:
        exps, k = np.full((*shape, 1), np.nan), 1
    dims = ("drive", "amplitude", "N", "seed")
    ok = status == 0
    n_ok = ok.sum(axis=-1)
    lam = np.where(ok, out["lambda_max"], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(n_ok[..., None] > 0, lam, 0.0), axis=-1)
        mean = np.where(n_ok > 0, mean, np.nan)
        sem = np.where(n_ok > 1, np.nanstd(lam, axis=-1, ddof=1) / np.sqrt(np.maximum(n_ok, 1)), np.nan)
    data = {name: (dims, out[name], attrs.get(name, {"units": "1", "long_name": name})) for name in POOLED}
    data["exponent"] = ((*dims, "i"), exps, attrs.get("exponent", {"units": "1", "long_name": "exponent"}))
    unit = data["lambda_max"][2].get("units", "1")
    data.update(
        status=(dims, status, {"units": "1", "long_name": "outcome of each network's run (0 ok; "
                                                         + ", ".join(f"{v} {c}" for c, v in STATUS_CODES.items()
                                                                     if v) + ")"}),
        lambda_max_mean=(dims[:-1], mean, {"units": unit, "long_name": "lambda_max, mean over the successful seeds"}),
        lambda_max_seed_sem=(dims[:-1], sem, {"units": unit, "long_name": "standard error of that mean (ddof 1)"}),
        n_ok=(dims[:-1], n_ok.astype(np.int64), {"units": "1", "long_name": "successful seeds"}),
    )
    freq = np.array([np.nan if f is None else float(f) for f in frequencies])
    return xr.Dataset(data, coords={
        "drive": ("drive", np.array(list(drives), dtype=str), {"units": "1", "long_name": "input signal"}),
        "frequency": ("drive", freq, {"units": "cycles per time unit", "long_name": "drive frequency (NaN: file)"}),
        "amplitude": ("amplitude", np.asarray(amplitudes, dtype=float), {"units": "1", "long_name": "amplitude A"}),
        "N": ("N", np.asarray(sizes, dtype=np.int64)), "seed": ("seed", np.arange(seeds)),
        "i": ("i", np.arange(1, k + 1), {"units": "1", "long_name": "exponent index"})})


def constant_input_fixed_points(model, values: Sequence[float], *, rng: np.random.Generator, n_starts: int = 8,
                                t_relax: float = 100.0, tol: float = 1e-10) -> xr.Dataset:
    """Fixed points of ``model`` under each constant input ``u = value`` on every channel: ``n_starts`` Gaussian
    starts and the state after ``t_relax`` under that input from the first of them, ``n_starts`` deflated extra
    solves (:func:`rnnchaos.driven_fixed_points.driven_fixed_points`, verified ``|S(x*) - x*|_inf < tol``); per
    value the count, the stable count, the largest residual ``|R(x*)|_inf`` of the model (per time unit for the
    rate network) and ``<x*^2>`` of the stable points (NaN without one)."""
    if not (isinstance(n_starts, (int, np.integer)) and n_starts >= 1):
        raise ValueError(f"input.fixed_point_starts must be an integer >= 1, got {n_starts!r}")
    h, N = float(model.time_step), model.n
    count, stable, residual, radius = [], [], [], []
    for v in values:
        u = np.full(model.n_inputs, float(v))
        starts = rng.standard_normal((n_starts, N))
        x = dynamics.run(ConstantInput(model, u), starts[0].copy(), n_steps=int(round(t_relax / h)))
        fp = driven_fixed_points(model, u, np.vstack([starts, x]), tol=tol, n_extra=n_starts, rng=rng)
        res = [float(np.abs(model.residual(p, u)).max()) for p in fp.x]
        st = fp.n_unstable == 0
        count.append(fp.x.shape[0])
        stable.append(int(st.sum()))
        residual.append(max(res) if res else np.nan)
        radius.append(float(np.mean(fp.x[st] ** 2)) if st.any() else np.nan)
    rate = "1/" + getattr(model, "time_unit", "step")
    return xr.Dataset(
        {"count": ("value", np.array(count, dtype=np.int64), {"units": "1", "long_name": "fixed points found"}),
         "n_stable": ("value", np.array(stable, dtype=np.int64), {"units": "1", "long_name": "stable ones"}),
         "residual_max": ("value", np.array(residual), {"units": rate if model.flow else "1",
                                                        "long_name": "largest |R(x*)|_inf (NaN: none found)"}),
         "stable_mean_sq": ("value", np.array(radius), {"units": "1",
                                                        "long_name": "<x*^2> of the stable points (NaN: none)"})},
        coords={"value": ("value", np.asarray(values, dtype=float),
                          {"units": "1", "long_name": "constant input on every channel"})})



def network_dataset(model: str, disorder, *, g: float, sigma_b: float, signal: str, amplitude: float,
                    frequency: float | None, channels: int, scale: float, dt: float, t_transient: float,
                    t_transient_tangent: float, t_sim: float, t_ons: float, k: int, n_batches: int = 10,
                    n_bins: int = 20, samples: np.ndarray | None = None, file_dt: float | None = None,
                    nonlinearity: str = "tanh") -> xr.Dataset:
    """:func:`driven_point` of network ``disorder`` (:class:`rnnchaos.network.Disorder`) at ``(g, sigma_b)`` driven
    through ``input_weights(N, seed)`` by the signal (``"sinusoid"`` of ``amplitude``, ``frequency``; ``"file"``:
    ``samples`` held at ``file_dt`` times ``amplitude``), from the network's initial state, frames from
    ``rng_for(N, seed, "input_lyapunov")``; the amplitude and frequency are added as variables."""
    N, seed = disorder.N, disorder.seed
    net = driven_network(model, disorder.couplings(g), disorder.biases(sigma_b),
                         input_weights(N, seed, channels=channels, scale=scale), nonlinearity=nonlinearity, dt=dt)
    h = net.time_step
    steps = sum(steps_of(t, h, key) for key, t in (("t_transient", t_transient),
                                                   ("t_transient_tangent", t_transient_tangent), ("t_sim", t_sim)))
    freq = frequency if signal == "sinusoid" else None
    u = signal_for(net, signal=signal, amplitude=amplitude, frequency=freq, steps=steps, samples=samples,
                   file_dt=file_dt)
    ds = driven_point(net, u, x0=initial_state(N, seed), rng=rng_for(N, seed, "input_lyapunov"), k=k,
                      t_transient=t_transient, t_transient_tangent=t_transient_tangent, t_ons=t_ons,
                      n_batches=n_batches, frequency=freq, n_bins=n_bins)
    ds["amplitude"] = ((), np.float64(amplitude), {"units": "1", "long_name": "drive amplitude A"})
    ds["frequency"] = ((), np.float64(np.nan if freq is None else freq),
                       {"units": "cycles per " + getattr(net, "time_unit", "step"),
                        "long_name": "drive frequency (NaN: file signal)"})
    return ds


def constant_input_dataset(model: str, disorder, *, g: float, sigma_b: float, values: Sequence[float],
                           channels: int, scale: float, dt: float, n_starts: int = 8,
                           nonlinearity: str = "tanh") -> xr.Dataset:
    """:func:`constant_input_fixed_points` of network ``disorder`` at ``(g, sigma_b)`` with its input weights,
    starts from ``rng_for(N, seed, "input_fixed_points")``."""
    N, seed = disorder.N, disorder.seed
    net = driven_network(model, disorder.couplings(g), disorder.biases(sigma_b),
                         input_weights(N, seed, channels=channels, scale=scale), nonlinearity=nonlinearity, dt=dt)
    return constant_input_fixed_points(net, values, rng=rng_for(N, seed, "input_fixed_points"), n_starts=n_starts)
