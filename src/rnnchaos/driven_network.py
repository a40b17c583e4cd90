"""The random networks driven by a ``d``-channel input, as :class:`rnnchaos.model.Model` objects with
``n_inputs = d``.

* rate: ``dx/dt = -x + J phi(x) + theta + W_in u(t)``, forward Euler at step ``dt`` with the input sampled at
  ``t_n = n dt``: ``x_{n+1} = x_n + dt (-x_n + J phi(x_n) + theta + W_in u_n)``;
* map: ``a_{t+1} = J phi(a_t) + theta + W_in u_t``.

``W_in`` (N x d) has i.i.d. ``N(0, scale^2)`` entries drawn by :func:`input_weights` from
``rnnchaos.network.rng_for(N, seed, "input")``: the same network ``(N, seed)`` gets the same input weights whatever
else is in the grid. The input is additive, so the step's Jacobian (``tangent``, ``jacobian``) is the undriven
network's at the same state: ``I + dt (-I + J diag(phi'(x)))`` (rate, Euler), ``J diag(phi'(a))`` (map); the input
enters the states the Jacobian is evaluated at. A zero input (``u = 0`` or ``None``) leaves the step bitwise the
undriven network's (:class:`rnnchaos.models.RateModel`, :class:`rnnchaos.models.MapModel`).

Residual (fixed points under a constant input ``u``, :mod:`rnnchaos.driven_fixed_points`):
``F(x) + W_in u`` (rate, per time unit) and ``M(a) - a + W_in u`` (map). The drive of Rajan, Abbott & Sompolinsky,
PRE 82, 011903 (2010), ``I cos(2 pi f t + theta_i)`` per unit with random phases, is the sinusoidal signal of
:mod:`rnnchaos.periodic_input` seen through ``W_in``.
"""

from __future__ import annotations

import numpy as np

from rnnchaos.models import MapModel, RateModel, make
from rnnchaos.network import rng_for
from rnnchaos.nonlinearity import TANH, Nonlinearity


def input_weights(N: int, seed: int, *, channels: int, scale: float) -> np.ndarray:
    """``W_in`` (N x channels), entries ``N(0, scale^2)`` from ``rng_for(N, seed, "input")``; ``channels >= 1``,
    ``scale >= 0`` finite."""
    if not (isinstance(channels, (int, np.integer)) and channels >= 1):
        raise ValueError(f"channels must be an integer >= 1, got {channels!r}")
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    return float(scale) * rng_for(N, seed, "input").standard_normal((int(N), int(channels)))


class DrivenNetwork:
    """A noise-free :class:`~rnnchaos.models.RateModel` (Euler) or :class:`~rnnchaos.models.MapModel` with the
    input term ``W_in u`` added to its drive (module docstring)."""

    def __init__(self, network: RateModel | MapModel, W_in):
        if not isinstance(network, (RateModel, MapModel)):
            raise TypeError(f"network must be a RateModel or MapModel, got {type(network).__name__}")
        if network.sigma_xi != 0.0:
            raise ValueError(f"the driven network is noise-free: sigma_xi must be 0, got {network.sigma_xi:g}")
        if network.method not in ("euler", "map"):
            raise ValueError(f"a driven rate network needs method='euler' (the input is sampled at t_n = n dt), got "
                             f"{network.method!r}")
        W = np.asarray(W_in, dtype=np.float64)
        if W.ndim != 2 or W.shape[0] != network.n or W.shape[1] < 1 or not np.all(np.isfinite(W)):
            raise ValueError(f"W_in must be a finite ({network.n}, d) matrix with d >= 1, got shape {W.shape}")
        self.network, self.W_in = network, W
        self.name, self.n, self.n_inputs = network.name, network.n, W.shape[1]
        self.time_step, self.time_unit, self.flow = network.time_step, network.time_unit, network.flow
        self.phi, self.J, self.theta = network.phi, network.J, network.theta
        self._h = network.time_step if network.flow else 1.0  # the input's weight in one step

    def input_term(self, u, x) -> np.ndarray | None:
        """``W_in u`` shaped like ``x`` ((N,) or (N, B)); None for ``u`` None or all zero (nothing to add)."""
        if u is None:
            return None
        u = np.asarray(u, dtype=np.float64)
        if u.shape != (self.n_inputs,):
            raise ValueError(f"u must have shape ({self.n_inputs},) (n_inputs), got {u.shape}")
        if not u.any():
            return None
        w = self.W_in @ u
        return w if np.ndim(x) == 1 else w[:, None]

    def step(self, x, u=None):
        y = self.network.step(x)
        w = self.input_term(u, x)
        return y if w is None else y + self._h * w

    def tangent(self, x, Q, u=None):
        """``DS(x) Q``: ``Q + dt (-Q + J (phi'(x) Q))`` (rate, Euler; as RateModel's) or ``J (phi'(a) Q)`` (map)."""
        d = self.phi.dphi(x)[:, None]
        if self.flow:
            return Q + self.network.dt * (-Q + self.J @ (d * Q))
        return self.J @ (d * Q)

    def jacobian(self, x, u=None):
        return self.network.jacobian(x)

    def residual(self, x, u=None):
        w = self.input_term(u, x)
        r = self.network.residual(x)
        return r if w is None else r + w

    def residual_jacobian(self, x, u=None):
        return self.network.residual_jacobian(x)

    def attrs(self) -> dict:
        return {**self.network.attrs(), "n_inputs": self.n_inputs}

    def __repr__(self):
        return f"DrivenNetwork({self.network!r}, n_inputs={self.n_inputs})"


def driven_network(name: str, J, theta, W_in, *, nonlinearity: str | Nonlinearity = TANH,
                   dt: float = 0.1) -> DrivenNetwork:
    """The network ``name`` (``"rate"``: Euler at ``dt``; ``"map"``) with couplings ``J``, biases ``theta`` and input
    weights ``W_in`` (N x d)."""
    return DrivenNetwork(make(name, J, theta, nonlinearity=nonlinearity, dt=dt), W_in)
