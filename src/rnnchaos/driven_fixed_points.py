"""Fixed and slow points of an input-driven model under a constant input (Sussillo & Barak 2013).

With the input held at ``u`` a driven model (:class:`rnnchaos.model.Model`, ``n_inputs > 0``) is the autonomous
map ``x -> S(x, u)``; :class:`ConstantInput` is that map as a model, and :func:`driven_fixed_points` searches it
with the package's solver (:func:`rnnchaos.fixed_points.find_fixed_points`, ``stability="discrete"``: capped
Newton on ``R(x) = S(x, u) - x``, deflated extra solves, Levenberg-Marquardt on ``q = |R|^2 / 2`` for stalled
solves, a final Newton step and the test ``|R(x*)|_inf < tol`` for every reported point). Points that the
minimisation of ``q`` leaves at ``q > tol^2 / 2`` with a vanishing gradient are *slow points*, reported apart
with their ``q`` (``FixedPoints.slow_points``, ``slow_q``), never as fixed points. Each fixed point is classified
by the eigenvalues ``mu`` of the step's Jacobian (unstable directions: ``|mu| > 1``).
"""

from __future__ import annotations

import numpy as np

from rnnchaos.fixed_points import FixedPoints, find_fixed_points


class ConstantInput:
    """The autonomous model ``x -> model.step(x, u)`` of a driven ``model`` with its input fixed at ``u``
    (``(n_inputs,)``); it implements :class:`rnnchaos.model.Model` with ``n_inputs = 0`` and a batched
    ``fixed_point_system`` (used by :func:`rnnchaos.fixed_points.model_fixed_points`)."""

    n_inputs = 0

    def __init__(self, model, u):
        u = np.asarray(u, dtype=np.float64)
        if u.shape != (model.n_inputs,):
            raise ValueError(f"u must have shape ({model.n_inputs},) (the model's n_inputs), got {u.shape}")
        if not np.all(np.isfinite(u)):
            raise ValueError(f"u (shape {u.shape}) has non-finite entries")
        self.model, self.u = model, u
        self.name, self.n, self.time_step = model.name, model.n, model.time_step

    def step(self, x, u=None):
        return self.model.step(x, self.u)

    def tangent(self, x, Q, u=None):
        return self.model.tangent(x, Q, self.u)

    def jacobian(self, x, u=None):
        return self.model.jacobian(x, self.u)

    def residual(self, x, u=None):
        return self.model.residual(x, self.u)

    def residual_jacobian(self, x, u=None):
        return self.model.residual_jacobian(x, self.u)

    def attrs(self) -> dict:
        return {**self.model.attrs(), "constant_input": self.u.tolist()}

    def fixed_point_system(self):
        """``(F, jacobian, "discrete")`` on batches of rows ``X`` (B, n): ``F(X)`` the steps, ``jacobian(X)``
        (B, n, n) the step's Jacobians."""
        def F(X):
            return self.model.step(np.asarray(X, dtype=np.float64).T, self.u).T

        def jacobian(X):
            return np.stack([self.model.jacobian(x, self.u) for x in np.asarray(X, dtype=np.float64)])

        return F, jacobian, "discrete"


def driven_fixed_points(model, u, x0s: np.ndarray, **options) -> FixedPoints:
    """Fixed points of ``x = S(x, u)`` for the constant input ``u`` from the starts ``x0s`` (n0, n) (e.g. states
    of a driven trajectory), with slow points reported apart (module docstring). ``options``: keywords of
    :func:`rnnchaos.fixed_points.find_fixed_points` (``tol`` default 1e-10, ``max_iter``, ``n_extra`` with
    ``rng``, ``fallback``, ...)."""
    F, jac, stability = ConstantInput(model, u).fixed_point_system()
    return find_fixed_points(F, jac, x0s, stability=stability, **options)
