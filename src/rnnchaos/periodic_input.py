"""Deterministic input signals of a driven network (:mod:`rnnchaos.driven_network`), sampled at its steps.

A signal is a float64 array ``(steps, d)``: row ``n`` is the input ``u_n`` read by step ``n`` (the rate network
samples ``u(t)`` at ``t_n = n dt``; the map reads ``u_t`` at step ``t``).

* :func:`sinusoid`: channel ``c`` of ``d`` carries ``A cos(2 pi f t - phi_c)`` with ``phi_c = pi c / d`` (``d = 2``:
  a cos/sin pair), frequency ``f`` in cycles per time unit (per step for the map). Seen through Gaussian input
  weights, unit ``i`` receives ``A Re(z_i e^{2 pi i f t})`` with ``z_i = sum_c W_ic e^{-i phi_c}``: for ``d >= 2``
  the phases ``phi_c`` make ``z_i`` a circular complex Gaussian (``sum_c e^{-2 i phi_c} = 0``), so each unit is
  driven by ``A |z_i| cos(2 pi f t + theta_i)`` with a uniformly random phase ``theta_i`` and ``E|z_i|^2 = d
  scale^2``: the random-phase drive of Rajan, Abbott & Sompolinsky, PRE 82, 011903 (2010) (there with one amplitude
  for every unit; here Rayleigh distributed, rms ``A sqrt(d) scale``).
* :func:`file_signal`: samples ``U`` (``T x d``, a ``.npy`` file, :func:`load_samples`) at step ``file_dt`` held
  constant between samples (zero-order hold: ``u_n = A U[floor(n dt / file_dt)]``); ``file_dt`` must be a whole
  multiple of the network's step and the file must cover the run.

Errors name the config key (``input.file``, ``input.file_dt``, ...) and the allowed range.
"""

from __future__ import annotations

import math
import os

import numpy as np

from rnnchaos.driven_inputs import load_inputs

#: relative tolerance of "a whole multiple of the step"
MULTIPLE_TOL = 1e-9


def channel_phases(channels: int) -> np.ndarray:
    """``phi_c = pi c / d``, ``c = 0 .. d-1``: cos alone for ``d = 1``, a cos/sin pair for ``d = 2``."""
    if not (isinstance(channels, (int, np.integer)) and channels >= 1):
        raise ValueError(f"input.channels must be an integer >= 1, got {channels!r}")
    return np.pi * np.arange(channels) / channels


def sinusoid(*, steps: int, time_step: float, amplitude: float, frequency: float, channels: int) -> np.ndarray:
    """``(steps, channels)``: ``u_n[c] = amplitude cos(2 pi frequency n time_step - phi_c)`` (module docstring);
    ``amplitude >= 0`` and ``frequency > 0`` finite."""
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    if not (math.isfinite(amplitude) and amplitude >= 0):
        raise ValueError(f"input.amplitude must be a finite number >= 0, got {amplitude!r}")
    if not (math.isfinite(frequency) and frequency > 0):
        raise ValueError(f"input.frequency must be a finite number > 0, got {frequency!r}")
    t = np.arange(steps) * float(time_step)
    return amplitude * np.cos(2.0 * np.pi * frequency * t[:, None] - channel_phases(channels)[None, :])


def hold_ratio(file_dt: float, time_step: float) -> int:
    """Steps per sample, ``file_dt / time_step``, checked to be a whole number >= 1 (``input.file_dt``)."""
    ratio = float(file_dt) / float(time_step)
    m = round(ratio)
    if not (math.isfinite(ratio) and m >= 1 and abs(ratio - m) <= MULTIPLE_TOL * ratio):
        raise ValueError(f"input.file_dt = {file_dt!r} must be a whole multiple >= 1 of the network's step "
                         f"{time_step:g} (input.dt for the rate network, 1 for the map)")
    return int(m)


def load_samples(path: str | os.PathLike, *, channels: int) -> np.ndarray:
    """The samples ``U`` (T x channels) in the ``.npy`` file ``path`` (header, shape and finiteness checked by
    :func:`rnnchaos.driven_inputs.load_inputs`); ``ValueError`` naming ``input.file`` otherwise."""
    try:
        if os.fspath(path).endswith(".npz"):
            raise ValueError("must be a .npy file holding one (T, d) array")
        U = load_inputs(path, channels)
    except ValueError as err:
        raise ValueError(f"input.file = {os.fspath(path)!r}: {err} (expected shape (T, input.channels = "
                         f"{channels}), finite entries)") from None
    if U.shape[0] != 1:
        raise ValueError(f"input.file = {os.fspath(path)!r}: holds {U.shape[0]} sequences of shape {U.shape[1:]}; "
                         f"expected one (T, input.channels = {channels}) array")
    return U[0]


def file_signal(samples: np.ndarray, *, steps: int, time_step: float, file_dt: float,
                amplitude: float = 1.0) -> np.ndarray:
    """``(steps, d)``: ``amplitude * samples`` (T x d) held for ``file_dt / time_step`` steps each (zero-order
    hold); ``ValueError`` if ``file_dt`` is no whole multiple of ``time_step`` or the samples cover fewer than
    ``steps`` steps."""
    if not (math.isfinite(amplitude) and amplitude >= 0):
        raise ValueError(f"input.amplitude must be a finite number >= 0, got {amplitude!r}")
    U = np.asarray(samples, dtype=np.float64)
    m = hold_ratio(file_dt, time_step)
    if U.ndim != 2 or U.shape[0] * m < steps:
        raise ValueError(f"input.file: {U.shape[0] if U.ndim == 2 else U.shape} samples at file_dt = {file_dt:g} "
                         f"cover {U.shape[0] * m * time_step:g} time units; the run needs {steps * time_step:g} "
                         f"(input.t_transient + t_transient_tangent + t_sim)")
    return amplitude * U[np.arange(steps) // m]
