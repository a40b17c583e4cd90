"""The figure registry: every figure's name mapped to its drawing function, :func:`draw` by name, :func:`save`.

The figures live in :mod:`rnnchaos.plotting_grid` (the grid's figures), :mod:`rnnchaos.plotting_paper` (the paper
studies) and :mod:`rnnchaos.plotting_finite_size`; each returns a :class:`rnnchaos.plotting_base.Drawing` (figure,
agreement statement, caption), which :func:`save` writes as PNG, PDF and reStructuredText.
"""

from __future__ import annotations

from rnnchaos import plotting_finite_size, plotting_grid, plotting_paper
from rnnchaos.io import write_figure, write_text
from rnnchaos.plotting_base import Drawing

#: Every figure: name -> drawing function (keyword-only ``model`` and the datasets it needs).
FIGURES = {**plotting_grid.FIGURES, **plotting_paper.FIGURES, **plotting_finite_size.FIGURES}


def draw(name: str, *, model: str, **data) -> Drawing:
    """Draw figure ``name`` (of :data:`FIGURES`) from the datasets it needs."""
    if name not in FIGURES:
        raise ValueError(f"figure must be one of {sorted(FIGURES)}, got {name!r}")
    return FIGURES[name](model=model, **data)


def save(drawing: Drawing, *, png: str, pdf: str, caption: str | None = None) -> None:
    """Write a figure as PNG (150 dpi) and PDF, and its agreement statement as reStructuredText (each file
    atomically: a killed job leaves no partial file)."""
    write_figure(drawing.figure, png, dpi=150)
    write_figure(drawing.figure, pdf)
    if caption is not None:
        write_text(caption, "\n\n".join(rst_escape(t) for t in (drawing.caption, drawing.agreement) if t) + "\n")


#: Characters that start inline markup in reStructuredText (and the escape character itself).
RST_SPECIAL = ("\\", "|", "*", "`", "_")


def rst_escape(text: str) -> str:
    """``text`` as reStructuredText that renders literally: ``\\``, ``|``, ``*``, backquote and ``_`` escaped
    (so ``|difference|`` is no substitution, ``x*_i`` no emphasis or reference)."""
    for ch in RST_SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text
