"""Figures of the trained RNNs of the ``trained_rnn`` pipeline section (matplotlib, no pyplot state).

:func:`trained_rnn_spectra` draws the Lyapunov spectra of the analysed networks (exponent index against value, error
bars the standard error over input sequences; files of :func:`rnnchaos.trained_rnn.analyse_trained_rnn`);
:func:`trained_rnn_performance` each feature of the table (:func:`rnnchaos.trained_rnn.network_features`)
against the networks' performance value, titled with Spearman's rho and its bootstrap interval. Both return a
:class:`rnnchaos.plotting_base.Drawing` (figure, a sentence with the numbers, caption) and state a failed network
instead of drawing it.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from rnnchaos.plotting_base import Drawing, curve_colours
from rnnchaos.spectrum_features import FEATURES


def _ok(ds: xr.Dataset) -> bool:
    return all(int(np.ravel(ds[v].values)[0]) == 0 for v in ("status", "lyap_status") if v in ds)


def network_name(ds: xr.Dataset) -> str:
    """A network's name: written by the analysis, or (a failed analysis) among the parameters of its job."""
    return str(ds.attrs.get("name") or json.loads(ds.attrs.get("parameters", "{}")).get("name", "unnamed"))


def trained_rnn_spectra(networks) -> Drawing:
    """The first ``k`` exponents of each network in ``networks`` (Datasets, in the section's order) with their
    SEM."""
    names = [network_name(ds) for ds in networks]
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    drawn, failed, lmax = [], [], []
    for ds, name, colour in zip(networks, names, curve_colours(len(names)), strict=True):
        if not _ok(ds):
            failed.append(name)
            continue
        lam, sem = ds["lyap_exponent"].values, ds["lyap_exponent_sem"].values
        ax.errorbar(np.arange(1, lam.size + 1), lam, yerr=sem, color=colour, marker="o", ms=2.5, lw=0.9,
                    capsize=1.5, label=name)
        drawn.append(name)
        lmax.append((lam[0], sem[0], name))
    ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
    ax.set_xlabel("exponent index i")
    ax.set_ylabel(r"Lyapunov exponent $\lambda_i$ (1/step)")
    if drawn:
        ax.legend(fontsize=6, ncol=2 if len(drawn) > 8 else 1, loc="best")
    if failed:
        ax.set_title(f"spectrum failed for: {', '.join(failed)}", fontsize=8, color="tab:red")
    if lmax:
        lo, hi = min(lmax), max(lmax)
        agreement = (f"lambda_max ranges from {lo[0]:.4g} +- {lo[1]:.2g} ({lo[2]}) to {hi[0]:.4g} +- {hi[1]:.2g} "
                     f"({hi[2]}) per step over {len(drawn)} networks.")
    else:
        agreement = "No network's spectrum was computed."
    caption = (f"Lyapunov spectra of {len(names)} trained networks driven by their input sequences; error bars: "
               f"standard error over the sequences" + (f"; failed: {', '.join(failed)}." if failed else "."))
    return Drawing(fig, agreement, caption)


def trained_rnn_performance(table: xr.Dataset) -> Drawing:
    """Each feature of ``table`` against ``performance`` (successful networks with a value), one panel per feature,
    titled with rho [ci_low, ci_high] where the table holds the correlations."""
    fig = Figure(figsize=(13.0, 5.6), layout="constrained")
    axes = fig.subplots(2, (len(FEATURES) + 1) // 2).ravel()
    ok = (table["status"].values == 0) & np.isfinite(table["performance"].values)
    perf = table["performance"].values[ok]
    for ax, f in zip(axes, FEATURES, strict=False):
        ax.plot(perf, table[f].values[ok], "o", ms=4, color="tab:blue")
        ax.set_xlabel("performance")
        ax.set_ylabel(f"{f} ({table[f].attrs.get('units', '1')})", fontsize=8)
        if "rho" in table:
            c = table.sel(feature=f)
            ax.set_title(f"rho = {float(c['rho']):.2f} [{float(c['ci_low']):.2f}, {float(c['ci_high']):.2f}]",
                         fontsize=8)
    for ax in axes[len(FEATURES):]:
        ax.set_axis_off()
    if "rho" in table:
        rho = table["rho"]
        i_max = int(np.nanargmax(np.abs(rho.values))) if np.isfinite(rho.values).any() else 0
        f = str(rho.feature.values[i_max])
        agreement = (f"Over {int(ok.sum())} networks the strongest rank correlation with the performance is "
                     f"{f}'s, rho = {float(rho.values[i_max]):.2f} (bootstrap {100 * table.attrs.get('level', 0.95):g}"
                     f" % interval [{float(table['ci_low'].sel(feature=f)):.2f}, "
                     f"{float(table['ci_high'].sel(feature=f)):.2f}], p = {float(table['p_value'].sel(feature=f)):.2g}"
                     ").")
    else:
        agreement = f"No correlation: {table.attrs.get('correlation', 'not computed')}."
    failed = [str(n) for n, s in zip(table.network.values, table["status"].values, strict=True) if s != 0]
    caption = (f"Spectrum features of {int(ok.sum())} networks against their performance value; titles: "
               f"Spearman's rho with its percentile bootstrap interval"
               + (f"; networks whose spectrum failed: {', '.join(failed)}." if failed else "."))
    return Drawing(fig, agreement, caption)
