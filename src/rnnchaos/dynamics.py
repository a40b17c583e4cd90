"""Vector fields, Jacobians and one-step integrators of the two models.

* ``rate``: ``dx/dt = F(x) = -x + J phi(x) + theta``, Jacobian ``DF(x) = -I + J diag(phi'(x))``;
  discretised by forward Euler (``x <- x + dt F(x)``, the scheme of Engelken, Wolf & Abbott 2020) or classical RK4.
* ``map``: ``a_{t+1} = M(a_t) = J phi(a_t) + theta`` (pre-activation form of ``h_{t+1} = tanh(J h_t + theta)``),
  Jacobian ``DM(a) = J diag(phi'(a))``; one step is one time unit.

The fixed points of both models solve ``x = J phi(x) + theta``.
"""

from __future__ import annotations

import numpy as np

from rnnchaos.status import NumericalFailure

#: Integrators available for the rate network.
METHODS = ("euler", "rk4")
#: |state| above which a trajectory is declared diverged (tanh networks are bounded by |J| + |theta|).
DIVERGENCE_BOUND = 1e6


def phi(x: np.ndarray) -> np.ndarray:
    """Transfer function ``tanh``."""
    return np.tanh(x)


def dphi(x: np.ndarray) -> np.ndarray:
    """Derivative ``phi'(x) = 1 - tanh(x)^2``."""
    t = np.tanh(x)
    return 1.0 - t * t


def velocity(x: np.ndarray, J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Rate-network vector field ``F(x) = -x + J phi(x) + theta`` (works on (N,) or (N, B) batches)."""
    th = theta if x.ndim == 1 else theta[:, None]
    return -x + J @ np.tanh(x) + th


def rate_jacobian(x: np.ndarray, J: np.ndarray) -> np.ndarray:
    """``DF(x) = -I + J diag(phi'(x))`` for one state ``x`` of shape (N,)."""
    D = J * dphi(x)[None, :]
    D[np.diag_indices_from(D)] -= 1.0
    return D


def map_step(a: np.ndarray, J: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """One step of the map in pre-activation form, ``a -> J phi(a) + theta``."""
    th = theta if a.ndim == 1 else theta[:, None]
    return J @ np.tanh(a) + th


def map_jacobian(a: np.ndarray, J: np.ndarray) -> np.ndarray:
    """``DM(a) = J diag(phi'(a))``."""
    return J * dphi(a)[None, :]


def rate_step(x: np.ndarray, J: np.ndarray, theta: np.ndarray, dt: float, method: str = "euler") -> np.ndarray:
    """One step of the discretised rate network (forward Euler or classical RK4)."""
    if method == "euler":
        return x + dt * velocity(x, J, theta)
    if method == "rk4":
        k1 = velocity(x, J, theta)
        k2 = velocity(x + 0.5 * dt * k1, J, theta)
        k3 = velocity(x + 0.5 * dt * k2, J, theta)
        k4 = velocity(x + dt * k3, J, theta)
        return x + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def step(model: str, x: np.ndarray, J: np.ndarray, theta: np.ndarray, dt: float, method: str = "euler"):
    """One step of ``model`` (``"rate"`` or ``"map"``; ``dt`` and ``method`` are ignored for the map)."""
    if model == "rate":
        return rate_step(x, J, theta, dt, method)
    if model == "map":
        return map_step(x, J, theta)
    raise ValueError(f"model must be 'rate' or 'map', got {model!r}")


def time_step(model: str, dt: float) -> float:
    """Time advanced by one step: ``dt`` for the rate network, 1 for the map."""
    return float(dt) if model == "rate" else 1.0


def check_finite(x: np.ndarray, *, t: float, what: str = "state") -> None:
    """Raise :class:`NumericalFailure` ("diverged") if ``x`` is non-finite or beyond :data:`DIVERGENCE_BOUND`."""
    m = np.max(np.abs(x)) if x.size else 0.0
    if not np.isfinite(m) or m > DIVERGENCE_BOUND:
        raise NumericalFailure("diverged", f"{what} left the bounded region at t = {t:g} (max |{what}| = {m:.3g})")


def run(model: str, x0: np.ndarray, J: np.ndarray, theta: np.ndarray, *, dt: float, n_steps: int,
        method: str = "euler", check_every: int = 100) -> np.ndarray:
    """Advance ``x0`` by ``n_steps`` steps without recording (transients); checks for divergence."""
    x = np.array(x0, dtype=float, copy=True)
    for n in range(n_steps):
        x = step(model, x, J, theta, dt, method)
        if (n + 1) % check_every == 0 or n + 1 == n_steps:
            check_finite(x, t=(n + 1) * time_step(model, dt))
    return x
