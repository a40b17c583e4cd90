"""Drawing a registered figure by name (:func:`draw`) and writing it (:func:`save`).

The figures are declared in :data:`rnnchaos.figures.FIGURES` (drawing function, inputs, caption); each drawing
function returns a :class:`rnnchaos.plotting_base.Drawing` (figure, agreement statement, caption), which :func:`draw`
heads with the registry's caption and :func:`save` writes as PNG, PDF and reStructuredText.
"""

from __future__ import annotations

import xarray as xr

from rnnchaos.figures import figure
from rnnchaos.io import write_figure, write_text
from rnnchaos.plotting_base import Drawing


def draw(name: str, key: str | int | None = None, **data) -> Drawing:
    """Draw the registered figure ``name`` (:data:`rnnchaos.figures.FIGURES`) from the datasets it needs, for the
    model ``key`` where it is drawn per model; its ``lead`` is the registry's caption. A figure that does not draw
    the noise amplitudes itself (``Figure.noise`` false) gets the summary of the noise-free networks: its
    ``sigma_xi = 0`` slice, without the ``sigma_xi`` dimension."""
    entry = figure(name)
    if entry.per == "model" and key is None and "model" in data:  # draw(name, model=...) names the key too
        key = data.pop("model")
    keys = {"model": key} if entry.per == "model" else {}
    if not entry.noise and "summary" in data:
        data = {**data, "summary": noise_free(data["summary"])}
    return entry.draw(**keys, **data)._replace(lead=entry.caption)


def noise_free(summary: xr.Dataset) -> xr.Dataset:
    """The ``sigma_xi = 0`` slice of a summary, without the ``sigma_xi`` dimension (a summary without it as it is);
    ValueError if the grid has no noise-free point."""
    if "sigma_xi" not in summary.dims:
        return summary
    if not (summary.sigma_xi == 0).any():
        raise ValueError(f"summary: no noise-free networks (sigma_xi = {summary.sigma_xi.values.tolist()}) for a "
                         "figure drawn from them")
    return summary.sel(sigma_xi=0.0, drop=True)


def save(drawing: Drawing, *, png: str, pdf: str, caption: str | None = None) -> None:
    """Write a figure as PNG (150 dpi) and PDF, and its caption as reStructuredText: the lead (what the figure
    checks), the caption (the parameters of the data drawn) and the agreement statement, one paragraph each (each
    file atomically: a killed job leaves no partial file)."""
    write_figure(drawing.figure, png, dpi=150)
    write_figure(drawing.figure, pdf)
    if caption is not None:
        parts = (drawing.lead, drawing.caption, drawing.agreement)
        write_text(caption, "\n\n".join(rst_escape(t) for t in parts if t) + "\n")


#: Characters that start inline markup in reStructuredText (and the escape character itself).
RST_SPECIAL = ("\\", "|", "*", "`", "_")


def rst_escape(text: str) -> str:
    """``text`` as reStructuredText that renders literally: ``\\``, ``|``, ``*``, backquote and ``_`` escaped
    (so ``|difference|`` is no substitution, ``x*_i`` no emphasis or reference)."""
    for ch in RST_SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text
