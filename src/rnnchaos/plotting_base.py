"""Drawing helpers shared by the figure modules (:mod:`rnnchaos.plotting_grid`, :mod:`rnnchaos.plotting_paper`,
:mod:`rnnchaos.plotting_finite_size`): the :class:`Drawing` a figure function returns, units and titles per model,
means and SEM over seeds, colours, number lists for captions, the Delta0 agreement sentence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import xarray as xr
from matplotlib import colormaps
from matplotlib.figure import Figure

from rnnchaos.status import NOT_COMPUTED

TIME_UNIT = {"rate": r"$\tau_m$", "map": "step"}
RATE_UNIT = {"rate": r"1/$\tau_m$", "map": "1/step"}
#: the models' equations with the config's nonlinearity phi (tanh by default; results/phi~<name>/ for another)
MODEL_TITLE = {"rate": r"rate network $\dot x=-x+J\phi(x)+\theta$",
               "map": r"map $a_{t+1}=J\phi(a_t)+\theta$"}


class Drawing(NamedTuple):
    """A figure, one or two sentences stating, with numbers, how simulation and theory agree in it, its caption:
    what the figure shows, with the parameters of the data drawn, and its lead: what the figure checks (the caption
    of its entry in :data:`rnnchaos.figures.FIGURES`, set by :func:`rnnchaos.plotting.draw`). The three are the
    report's caption."""

    figure: Figure
    agreement: str
    caption: str = ""
    lead: str = ""


def seed_stats(da: xr.DataArray, status: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Mean and SEM over seeds of the successful points, and the number of failed seeds (a seed without a file
    of the stage, status ``not_computed``, is neither)."""
    ok = status == 0
    vals = da.where(ok)
    n = ok.sum("seed")
    mean = vals.mean("seed")
    sem = vals.std("seed", ddof=1) / np.sqrt(n) if da.sizes["seed"] > 1 else xr.zeros_like(mean)
    return mean, sem, (~ok & (status != NOT_COMPUTED)).sum("seed")


#: Open markers of the networks that are not chaotic (rnnchaos.attractor classes), drawn beside the averages.
CLASS_MARKERS = {"fixed_point": "s", "limit_cycle": "^", "undecided": "D", "noise_driven": "v"}


def largest_computed(summary: xr.Dataset, status: str) -> int:
    """The largest N at which the stage of ``status`` (e.g. ``lyap_status``) has a file at some grid point."""
    have = (summary[status] != NOT_COMPUTED).any([d for d in summary[status].dims if d != "N"])
    sizes = summary.N.values[have.values]
    return int(sizes.max() if sizes.size else summary.N.max())


def selected_stats(da: xr.DataArray, status: xr.DataArray, select: xr.DataArray):
    """Mean and SEM over the seeds that succeeded and are selected (:func:`rnnchaos.finite_size.comparison_seeds`),
    and how many seeds that is."""
    keep = (status == 0) & select & np.isfinite(da)
    vals = da.where(keep)
    n = keep.sum("seed")
    sem = vals.std("seed", ddof=1) / np.sqrt(n)
    return vals.mean("seed"), sem.where(n > 1), n


def listed(values) -> str:
    """Numbers as ``"0.5, 1, 2"`` for captions."""
    return ", ".join(f"{float(v):g}" for v in np.ravel(values))


def delta0_agreement(s: xr.Dataset) -> str:
    """Relative difference of the simulated Delta0 (seed mean) from the mean-field Delta0 at the chaotic points."""
    d0, _, _ = seed_stats(s["sim_delta0"], s["sim_status"])
    rel = ((d0 - s["dmft_delta0"]) / s["dmft_delta0"]).where((s["dmft_chaotic"] == 1) & (s["dmft_status"] == 0))
    if not np.isfinite(rel.values).any():
        return "No chaotic grid point to compare the simulated Delta0 with mean-field theory."
    return (f"Over the {int(np.isfinite(rel.values).sum())} chaotic grid points, the simulated Delta0 (N = "
            f"{int(s.N)}) differs from mean-field theory by {100 * float(np.nanmin(rel.values)):+.1f}% to "
            f"{100 * float(np.nanmax(rel.values)):+.1f}% (median |difference| "
            f"{100 * float(np.nanmedian(np.abs(rel.values))):.1f}%).")


def curve_colours(n: int):
    """``n`` colours of the viridis map (its bright yellow end left out), one per curve."""
    return colormaps["viridis"](np.linspace(0.0, 0.9, max(n, 1)))
