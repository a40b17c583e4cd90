"""The ``periodic_suppression`` figure: the largest Lyapunov exponent of a network driven by a sinusoid against the
drive's amplitude, one curve per frequency (and network size), one panel per (g, sigma_b).

Drawn from the ``input`` section's pooled files (:func:`rnnchaos.input_study.pool`): mean +- SEM over the seeds
whose run succeeded, a zero line; the agreement states, per frequency at the largest N, lambda_max at amplitude 0
and the smallest amplitude from which on every mean lies below zero by more than two SEM (the suppression
threshold; Rajan, Abbott & Sompolinsky, PRE 82, 011903 (2010): lowest at an intermediate frequency).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import MODEL_TITLE, RATE_UNIT, Drawing, curve_colours, listed

#: line styles of the network sizes, largest first
SIZE_STYLES = ("-", "--", ":", "-.")


def _point(ds: xr.Dataset) -> tuple[float, float]:
    return float(ds.g.values.ravel()[0]), float(ds.sigma_b.values.ravel()[0])


def _curve(ds: xr.Dataset, name: str, drive: str, N: int) -> np.ndarray:
    return ds[name].sel(drive=drive, N=N).squeeze(drop=True).values


def drive_label(ds: xr.Dataset, drive: str) -> str:
    f = float(ds.frequency.sel(drive=drive))
    return "file signal" if not np.isfinite(f) else f"f = {f:g}"


def threshold(amplitude: np.ndarray, mean: np.ndarray, sem: np.ndarray) -> float:
    """The smallest amplitude from which on every mean is below zero by more than two SEM (NaN: none)."""
    below = np.isfinite(mean) & (mean + 2.0 * np.nan_to_num(sem) < 0)
    for j in range(amplitude.size):
        if below[j:].all():
            return float(amplitude[j])
    return float("nan")


def periodic_suppression(*, model: str, pooled: Sequence[xr.Dataset]) -> Drawing:
    """lambda_max against the amplitude, a colour per drive and a line style per N, one panel per (g, sigma_b)."""
    rows = sorted(pooled, key=lambda ds: (_point(ds)[1], _point(ds)[0]))
    fig = Figure(figsize=(5.6 * max(len(rows), 1), 4.2), layout="constrained")
    axes = fig.subplots(1, max(len(rows), 1), squeeze=False)[0]
    texts = []
    for ax, ds in zip(axes, rows, strict=False):
        g, sb = _point(ds)
        sizes = sorted(ds.N.values.tolist(), reverse=True)
        amp = ds.amplitude.values
        colours = curve_colours(ds.sizes["drive"])
        for colour, drive in zip(colours, ds.drive.values.tolist(), strict=False):
            for style, N in zip(SIZE_STYLES, sizes, strict=False):
                mean, sem = _curve(ds, "lambda_max_mean", drive, N), _curve(ds, "lambda_max_seed_sem", drive, N)
                ax.errorbar(amp, mean, yerr=np.nan_to_num(sem), color=colour, ls=style, marker="o", ms=3.5,
                            capsize=2, label=f"{drive_label(ds, drive)}, N = {N}")
            mean = _curve(ds, "lambda_max_mean", drive, sizes[0])
            sem = _curve(ds, "lambda_max_seed_sem", drive, sizes[0])
            a_c = threshold(amp, mean, sem)
            texts.append(f"g = {g:g}, sigma_b = {sb:g}, {drive_label(ds, drive)}, N = {sizes[0]}: lambda_max = "
                         f"{mean[0]:.3f} +- {np.nan_to_num(sem[0]):.3f} at A = {amp[0]:g}, "
                         + (f"below 0 (2 SEM) from A = {a_c:g} on" if np.isfinite(a_c) else
                            f"not suppressed up to A = {amp[-1]:g} (lambda_max = {mean[-1]:.3f})"))
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("drive amplitude A [1]")
        ax.set_ylabel(rf"$\lambda_{{max}}$ [{RATE_UNIT[model]}]")
        ax.set_title(rf"g = {g:g}, $\sigma_b$ = {sb:g}", fontsize=9)
        ax.legend(fontsize=6.5)
    fig.suptitle(f"{MODEL_TITLE[model]} " + r"$+\,W_{in}u(t)$" + "\nchaos suppressed by a periodic drive",
                 fontsize=9)
    if not rows:
        return Drawing(fig, "No driven network to state.", f"Periodic suppression of the {model} model: no file.")
    failed = int(sum((ds.status != 0).sum() for ds in rows))
    agreement = "; ".join(texts) + "." + (f" {failed} runs failed (NaN, left out)." if failed else "")
    return Drawing(fig, agreement, _caption(model, rows))


def _caption(model: str, rows: Sequence[xr.Dataset]) -> str:
    p = json.loads(rows[0].attrs.get("parameters", "{}"))
    ds = rows[0]
    unit = "per time unit" if model == "rate" else "per step"
    step = f", Euler step dt = {p['dt']:g}" if model == "rate" and "dt" in p else ""
    return (f"Largest Lyapunov exponent of the driven {model} network (mean +- SEM over {ds.sizes['seed']} networks "
            f"per size, N = {listed(ds.N.values)}) against the amplitude A = {listed(ds.amplitude.values)} of the "
            f"drive u_c(t) = A cos(2 pi f t - pi c/d) on d = {p.get('channels', '?')} channels through W_in ~ N(0, "
            f"{p.get('scale', float('nan')):.4g}^2), frequencies f = "
            f"{listed(ds.frequency.values[np.isfinite(ds.frequency.values)]) or 'file signal'} cycles {unit}"
            f"{step}; first {ds.sizes['i']} exponents by the QR method every t_ons = {p.get('t_ons', '?')}, averaged "
            f"over t_sim = {p.get('t_sim', '?')} after transients {p.get('t_transient', '?')} + "
            f"{p.get('t_transient_tangent', '?')}.")
