"""The transition to chaos on both sides of Pazo's boundary: simulated and mean-field lambda_max(g) for
phi_s(x) = tanh(x + s x^3), whose third derivative at 0 is 6 s - 2 (Pazo 2024, arXiv:2405.14607).

Reads the summaries of ``config/pazo.yaml`` run once per ``s`` (``results/phi~tanh_cubic_<s>/summary/<model>.nc``),
computes the mean-field exponent on a fine grid of g (``rnnchaos.dmft.dmft_point``) and prints, per model, s and g,
the simulated mean +- SEM over the networks at the largest N and the theory; with ``--figure PATH`` it draws both
models (simulation markers, theory lines, one colour per s). Below s = 1/3 (phi''' < 0) mean-field lambda_max
rises continuously from 0 at g = 1 (as (g - 1)^2); above it, it jumps to a finite value there.

Usage: ``python benchmarks/pazo_transition.py [--s 0.2,0.6] [--results results] [--figure docs/figures/pazo.png]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos import dmft, io
from rnnchaos.nonlinearity import tanh_cubic
from rnnchaos.plotting_base import seed_stats


def theory(model: str, s: float, gs: np.ndarray) -> np.ndarray:
    """Mean-field lambda_max at sigma_b = 0 on ``gs`` (NaN where the solve fails)."""
    out = []
    for g in gs:
        try:
            out.append(dmft.dmft_point(model, float(g), 0.0, tau_max=30.0, n_tau=301,
                                       nonlinearity=tanh_cubic(s)).lambda_max)
        except Exception:  # noqa: BLE001 - a failed solve is a gap in the curve, reported as NaN
            out.append(np.nan)
    return np.array(out)


def simulated(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """g, mean and SEM over the successful networks (plotting_base.seed_stats) of lambda_max at the largest N with
    a Lyapunov result, at sigma_b = 0 (and sigma_xi = 0 where the summary has that axis)."""
    ds = xr.open_dataset(path)
    ds = ds.sel(sigma_b=0.0, **({"sigma_xi": 0.0} if "sigma_xi" in ds.dims else {}))
    mean, sem, _ = seed_stats(ds["lyap_lambda_max"], ds["lyap_status"])
    N = int(max(n for n in ds.N.values if np.isfinite(mean.sel(N=n)).any()))
    return ds.g.values, mean.sel(N=N).values, sem.sel(N=N).values, N


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--s", default="0.2,0.6")
    ap.add_argument("--results", default="results")
    ap.add_argument("--figure", default=None)
    a = ap.parse_args()
    values = [float(v) for v in a.s.split(",")]
    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    for k, model in enumerate(("rate", "map")):
        ax = fig.add_subplot(1, 2, k + 1)
        for s, colour in zip(values, ("tab:blue", "tab:red", "tab:green", "tab:purple"), strict=False):
            g, mean, sem, N = simulated(Path(a.results) / f"phi~tanh_cubic_{s:g}" / "summary" / f"{model}.nc")
            fine = np.linspace(0.85, float(g.max()), 60)
            lam = theory(model, s, np.concatenate([fine, g]))
            th_fine, th_g = lam[: fine.size], lam[fine.size:]
            print(f"{model} s = {s:g} (phi'''(0) = {6 * s - 2:+.1f}), N = {N}:")
            for gi, m, e, t in zip(g, mean, sem, th_g, strict=True):
                print(f"  g = {gi:<5g} simulated {m:+.4f} +- {e:.4f}  mean-field {t:+.4f}  z {(m - t) / e:+.1f}")
            ax.plot(fine, th_fine, color=colour, lw=1.2, label=f"s = {s:g}: mean field")
            ax.errorbar(g, mean, yerr=sem, fmt="o", color=colour, ms=4, capsize=2,
                        label=f"s = {s:g}: N = {N}, mean +- SEM")
        ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
        ax.axvline(1.0, color="0.5", lw=0.6, ls=":")
        ax.set_xlabel("gain g [1]")
        ax.set_ylabel(r"$\lambda_{\max}$ [1/" + ("tau]" if model == "rate" else "step]"))
        ax.set_title(f"{model}: " + r"$\phi_s(x) = \tanh(x + s x^3)$, $\sigma_b = 0$", fontsize=9)
        ax.legend(fontsize=7)
    if a.figure:
        io.write_figure(fig, a.figure, dpi=150)


if __name__ == "__main__":
    main()
