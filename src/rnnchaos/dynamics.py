"""Running any model (:mod:`rnnchaos.model`) forward, with the divergence check every analysis shares.

:func:`run` advances a model without recording (transients); :func:`check_finite` declares a trajectory
diverged. The physics of the two networks lives in :mod:`rnnchaos.models`; the functions below the line are the
older functional spellings of it (tanh networks given by ``J``, ``theta``), kept for callers and tests that use
them, each one call into a model.
"""

from __future__ import annotations

import numpy as np

from rnnchaos.models import METHODS, MapModel, RateModel, as_model
from rnnchaos.nonlinearity import TANH
from rnnchaos.status import NumericalFailure

__all__ = ["DIVERGENCE_BOUND", "METHODS", "check_finite", "dphi", "map_jacobian", "map_step", "phi",
           "rate_jacobian", "rate_step", "run", "step", "velocity"]

#: |state| above which a trajectory is declared diverged (tanh networks are bounded by |J| + |theta|).
DIVERGENCE_BOUND = 1e6


def check_finite(x: np.ndarray, *, t: float, what: str = "state") -> None:
    """Raise :class:`NumericalFailure` ("diverged") if ``x`` is non-finite or beyond :data:`DIVERGENCE_BOUND`."""
    m = np.max(np.abs(x)) if x.size else 0.0
    if not np.isfinite(m) or m > DIVERGENCE_BOUND:
        raise NumericalFailure("diverged", f"{what} left the bounded region at t = {t:g} (max |{what}| = {m:.3g})")


def run(model, x0: np.ndarray, J: np.ndarray | None = None, theta: np.ndarray | None = None, *,
        n_steps: int, dt: float | None = None, method: str | None = None, check_every: int = 100,
        noise=None) -> np.ndarray:
    """Advance ``x0`` (a state, or states as columns) by ``n_steps`` steps of ``model`` without recording;
    checks for divergence every ``check_every`` steps. ``model`` is a model object, or a name with ``J``,
    ``theta``, ``dt``, ``method`` (:func:`rnnchaos.models.as_model`). ``noise``: the step's standard normals
    (an object whose ``next()`` is shaped like ``x0``: :class:`rnnchaos.noise.NoiseStream`, or
    :class:`~rnnchaos.noise.ColumnNoise` for columns), passed as ``step(x, xi=...)``; None: noise-free steps."""
    model = as_model(model, J, theta, dt=dt, method=method)
    x = np.array(x0, dtype=float, copy=True)
    for n in range(n_steps):
        x = model.step(x) if noise is None else model.step(x, xi=noise.next())
        if (n + 1) % check_every == 0 or n + 1 == n_steps:
            check_finite(x, t=(n + 1) * model.time_step)
    return x


# ---- the older functional forms (tanh), each one call into rnnchaos.models ----

phi = TANH.phi
dphi = TANH.dphi


def velocity(x: np.ndarray, J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Rate-network vector field ``F(x) = -x + J tanh(x) + theta`` (works on (N,) or (N, B) batches)."""
    return RateModel(J, theta).velocity(x)


def rate_jacobian(x: np.ndarray, J: np.ndarray) -> np.ndarray:
    """``DF(x) = -I + J diag(phi'(x))`` for one state ``x`` of shape (N,)."""
    return RateModel(J, np.zeros(J.shape[0])).residual_jacobian(x)


def map_step(a: np.ndarray, J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """One step of the map in pre-activation form, ``a -> J tanh(a) + theta``."""
    return MapModel(J, theta).step(a)


def map_jacobian(a: np.ndarray, J: np.ndarray) -> np.ndarray:
    """``DM(a) = J diag(phi'(a))``."""
    return MapModel(J, np.zeros(J.shape[0])).jacobian(a)


def rate_step(x: np.ndarray, J: np.ndarray, theta: np.ndarray, dt: float, method: str = "euler") -> np.ndarray:
    """One step of the discretised rate network (forward Euler or classical RK4)."""
    return RateModel(J, theta, dt=dt, method=method).step(x)


def step(model: str, x: np.ndarray, J: np.ndarray, theta: np.ndarray, dt: float, method: str = "euler"):
    """One step of ``model`` (``"rate"`` or ``"map"``; ``dt`` and ``method`` are ignored for the map)."""
    return as_model(model, J, theta, dt=dt, method=method).step(x)
