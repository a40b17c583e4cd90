"""The model protocol: what every analysis (simulation, Lyapunov spectrum, fixed points) asks of a system.

A model is a discrete-time system ``x_{n+1} = S(x_n, u_n)`` on a state of size ``n`` (a flow enters through its
integrator: one Euler or RK4 step; a map or an RNN cell is its own step), optionally driven by an input ``u_n`` of
size ``n_inputs`` (``None`` for an autonomous system). Analyses take the object, never a string, as
DynamicalSystems.jl's analyses take any system: adding a model means writing one class that satisfies
:class:`Model`.

Methods (``x`` has shape ``(n,)``, or ``(n, B)`` for ``step`` on a batch of states; ``Q`` has shape ``(n, k)``):

* ``step(x, u=None)``: the next state.
* ``tangent(x, Q, u=None)``: ``DS(x, u) @ Q``, the step's Jacobian at ``x`` applied to ``Q``, without forming the
  ``n x n`` Jacobian where the structure allows (the Lyapunov spectrum's generic path).
* ``jacobian(x, u=None)``: the ``n x n`` Jacobian ``DS(x, u)`` of one step.
* ``residual(x, u=None)``: the function whose zeros are the fixed points (``F(x) = -x + J phi(x) + theta`` for
  the rate network: the vector field, in time units, so ``|F|`` is a speed; ``S(x) - x`` for maps and cells).
* ``residual_jacobian(x, u=None)``: its ``n x n`` Jacobian (Newton's matrix; its eigenvalues classify the points).
* ``attrs()``: the parameters written into NetCDF attributes (``model``, ``nonlinearity``, ``dt``, ...).

Attributes: ``name`` (short, used in paths and attributes), ``n`` (state size), ``n_inputs`` (0 if autonomous) and
``time_step`` (time advanced by one step: ``dt`` for a discretised flow, 1 for a map or cell), so exponents are per
unit time.

Optional, additive noise (:mod:`rnnchaos.noise`): a model with ``noise_scale > 0`` (and ``sigma_xi``) takes the
step's standard-normal vector as ``step(x, u, xi=xi)``; simulation and Lyapunov spectrum then draw ``xi`` from their
``noise_rng`` and call ``tangent`` at the noisy states, which additive noise leaves the Jacobian's.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Model(Protocol):
    """A discrete-time (possibly input-driven) system with the derivatives the analyses need."""

    name: str
    n: int
    n_inputs: int
    time_step: float

    def step(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray: ...

    def tangent(self, x: np.ndarray, Q: np.ndarray, u: np.ndarray | None = None) -> np.ndarray: ...

    def jacobian(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray: ...

    def residual(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray: ...

    def residual_jacobian(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray: ...

    def attrs(self) -> dict: ...
