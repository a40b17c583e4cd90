"""Argument checks of the theory modules (:mod:`rnnchaos.dmft`, :mod:`rnnchaos.dmft_map`, :mod:`rnnchaos.kac_rice`).

Each raises ``ValueError`` with a message that names the argument and the allowed range.
"""

from __future__ import annotations

import numpy as np

from rnnchaos import MODELS


def check_model(model: str) -> None:
    """``model`` is one of :data:`rnnchaos.MODELS`."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def check_range(name: str, value: float, lo: float, hi: float) -> None:
    """``value`` is a real number (not a bool-like string or array) in ``[lo, hi]`` (NaN fails)."""
    if not (isinstance(value, (int, float, np.integer, np.floating)) and lo <= value <= hi):
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")


def check_count(name: str, value: int) -> None:
    """``value`` is an integer in ``[2, 10^6]`` (a number of grid points)."""
    if not (isinstance(value, (int, np.integer)) and 2 <= value <= 10**6):
        raise ValueError(f"{name} must be an integer in [2, 1000000], got {value!r}")


def check_nonnegative(name: str, value: float) -> None:
    """``value`` is a finite number ``>= 0``."""
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
