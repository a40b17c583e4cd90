"""The two random networks as :class:`rnnchaos.model.Model` objects, and :func:`make`, where a config's model name
becomes one.

* :class:`RateModel`: ``dx/dt = F(x) = -x + J phi(x) + theta``, Jacobian ``DF(x) = -I + J diag(phi'(x))``,
  discretised by forward Euler (``x <- x + dt F(x)``, the scheme of Engelken, Wolf & Abbott 2020) or classical
  RK4 (whose tangent is RK4 applied to the variational system ``(F(x), DF(x) V)``: Runge-Kutta methods commute
  with linearisation, so it is exactly the derivative of the step). Time step ``dt``; residual ``F``.
* :class:`MapModel`: ``a_{t+1} = M(a_t) = J phi(a_t) + theta`` (pre-activation form of
  ``h_{t+1} = phi(J h_t + theta)``), Jacobian ``DM(a) = J diag(phi'(a))``; one step is one time unit; residual
  ``M(a) - a``.

Noise: both take ``sigma_xi >= 0`` (default 0), independent Gaussian white noise per unit (:mod:`rnnchaos.noise`):
``step(x, u, xi=xi)`` with the step's standard-normal vector ``xi`` returns the noise-free step plus
``noise_scale * xi`` (Euler-Maruyama ``x <- x + dt F(x) + sigma_xi sqrt(dt) xi`` for the rate network, RK4 with
``sigma_xi > 0`` is rejected: no stochastic Runge-Kutta scheme here; ``a <- J phi(a) + theta + sigma_xi xi`` for
the map); without ``xi`` (or at ``sigma_xi = 0``) the step is the noise-free one, exactly as before. The noise is
additive, so ``tangent``, ``jacobian`` and the residuals are those of the noise-free step, evaluated at the
(noisy) state; the fixed points are the noise-free system's.

Both take a :class:`rnnchaos.nonlinearity.Nonlinearity` (default tanh). Beyond the protocol they offer the fast
paths the analyses use when present: ``fixed_point_system()`` (batched residual and Jacobians for the fixed-point
search), ``network`` (``J``, ``theta``: the fused BLAS Lyapunov kernel, the Kac-Rice starts and homotopy), and
``time_unit`` (``"tau"`` or ``"step"``, the unit written into files). A user model needs none of them.
"""

from __future__ import annotations

import numpy as np

from rnnchaos import nonlinearity as nl
from rnnchaos.noise import check_sigma_xi
from rnnchaos.nonlinearity import TANH, Nonlinearity

#: the config's model names (key ``model``), each a class below
NAMES = ("rate", "map")
#: integrators of the rate network
METHODS = ("euler", "rk4")


class Network:
    """What both networks share: couplings ``J`` (N x N), biases ``theta`` (N,), the nonlinearity, the noise
    amplitude ``sigma_xi >= 0``."""

    name = ""
    n_inputs = 0

    def __init__(self, J, theta, nonlinearity: str | Nonlinearity = TANH, *, sigma_xi: float = 0.0):
        J, theta = np.asarray(J, dtype=float), np.asarray(theta, dtype=float)
        if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] < 1 or theta.shape != (J.shape[0],):
            raise ValueError(f"J must be (N, N) with N >= 1 and theta (N,), got {J.shape} and {theta.shape}")
        self.J, self.theta, self.phi = J, theta, nl.get(nonlinearity)
        self.n = J.shape[0]
        self.sigma_xi = check_sigma_xi(sigma_xi)

    @property
    def noise_scale(self) -> float:
        """Standard deviation of one step's noise per unit: ``sigma_xi`` (map), ``sigma_xi sqrt(dt)`` (rate)."""
        return self.sigma_xi * np.sqrt(self.time_step) if self.flow else self.sigma_xi

    def _noisy(self, y, xi):
        """``y + noise_scale * xi`` (``xi``: the step's standard normals, shaped like ``y``); ``y`` itself when
        ``xi`` is None or ``sigma_xi = 0``."""
        return y if xi is None or self.sigma_xi == 0.0 else y + self.noise_scale * xi

    def _theta(self, x):
        return self.theta if x.ndim == 1 else self.theta[:, None]

    def drive(self, x):
        """``J phi(x) + theta`` on a state (N,) or a batch of states (N, B)."""
        return self.J @ self.phi.phi(x) + self._theta(x)

    def attrs(self) -> dict:
        return {"model": self.name, "nonlinearity": self.phi.name, "sigma_xi": self.sigma_xi}

    def __repr__(self):
        noise = f", sigma_xi={self.sigma_xi:g}" if self.sigma_xi else ""
        return f"{type(self).__name__}(N={self.n}, nonlinearity={self.phi.name!r}{noise})"


class RateModel(Network):
    """The rate network ``dx/dt = -x + J phi(x) + theta`` (``+ sigma_xi`` white noise) integrated with ``method``
    (``"euler"``, Euler-Maruyama with noise, or ``"rk4"``, noise-free only) at step ``dt`` in ``(0, 1]``."""

    name = "rate"
    time_unit = "tau"
    flow = True

    def __init__(self, J, theta, nonlinearity: str | Nonlinearity = TANH, *, dt: float = 0.1,
                 method: str = "euler", sigma_xi: float = 0.0):
        super().__init__(J, theta, nonlinearity, sigma_xi=sigma_xi)
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if not (np.isfinite(dt) and 0 < dt <= 1):
            raise ValueError(f"dt must be in (0, 1], got {dt!r}")
        if self.sigma_xi > 0 and method != "euler":
            raise ValueError(f"sigma_xi = {self.sigma_xi:g} > 0 needs method='euler' (Euler-Maruyama); method="
                             f"{method!r} has no stochastic scheme here")
        self.dt, self.method, self.time_step = float(dt), method, float(dt)

    def velocity(self, x):
        """``F(x) = -x + J phi(x) + theta`` on (N,) or (N, B)."""
        return -x + self.J @ self.phi.phi(x) + self._theta(x)

    def _field(self, y, V):
        """``(F(y), DF(y) V)``, ``DF(y) V = -V + J (phi'(y) V)``."""
        t, d = self.phi.phi_dphi(y)
        return -y + self.J @ t + self.theta, -V + self.J @ (d[:, None] * V)

    def step(self, x, u=None, xi=None):
        dt = self.dt
        if self.method == "euler":
            return self._noisy(x + dt * self.velocity(x), xi)
        k1 = self.velocity(x)
        k2 = self.velocity(x + 0.5 * dt * k1)
        k3 = self.velocity(x + 0.5 * dt * k2)
        k4 = self.velocity(x + dt * k3)
        return x + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)

    def tangent(self, x, Q, u=None):
        dt = self.dt
        k1x, k1Q = self._field(x, Q)
        if self.method == "euler":
            return Q + dt * k1Q
        k2x, k2Q = self._field(x + 0.5 * dt * k1x, Q + 0.5 * dt * k1Q)
        k3x, k3Q = self._field(x + 0.5 * dt * k2x, Q + 0.5 * dt * k2Q)
        _, k4Q = self._field(x + dt * k3x, Q + dt * k3Q)
        return Q + (dt / 6.0) * (k1Q + 2.0 * k2Q + 2.0 * k3Q + k4Q)

    def jacobian(self, x, u=None):
        if self.method == "euler":
            D = self.dt * self.residual_jacobian(x)
            D[np.diag_indices_from(D)] += 1.0
            return D
        return self.tangent(x, np.eye(self.n))

    def residual(self, x, u=None):
        return self.velocity(x)

    def residual_jacobian(self, x, u=None):
        """``DF(x) = -I + J diag(phi'(x))``."""
        D = self.J * self.phi.dphi(x)[None, :]
        D[np.diag_indices_from(D)] -= 1.0
        return D

    def fixed_point_system(self):
        """``(F, DF, "continuous")`` on row batches (B, N) -> (B, N) and (B, N, N), for the fixed-point search."""
        J, JT, theta, phi, N = self.J, self.J.T, self.theta, self.phi, self.n

        def field(X):
            return -X + phi.phi(X) @ JT + theta

        def jac(X):
            return J[None, :, :] * phi.dphi(X)[:, None, :] - np.eye(N)

        return field, jac, "continuous"

    def attrs(self) -> dict:
        return {**super().attrs(), "dt": self.dt, "method": self.method}


class MapModel(Network):
    """The map ``a -> J phi(a) + theta`` (``+ sigma_xi xi``, white noise) (one step per time unit)."""

    name = "map"
    time_unit = "step"
    time_step = 1.0
    flow = False
    method = "map"

    def step(self, x, u=None, xi=None):
        return self._noisy(self.drive(x), xi)

    def tangent(self, x, Q, u=None):
        return self.J @ (self.phi.dphi(x)[:, None] * Q)

    def jacobian(self, x, u=None):
        """``DM(a) = J diag(phi'(a))``."""
        return self.J * self.phi.dphi(x)[None, :]

    def residual(self, x, u=None):
        return -x + self.J @ self.phi.phi(x) + self.theta

    def residual_jacobian(self, x, u=None):
        D = self.jacobian(x)
        D[np.diag_indices_from(D)] -= 1.0
        return D

    def fixed_point_system(self):
        """``(M, DM, "discrete")`` on row batches, for the fixed-point search (which solves ``M(a) - a = 0``)."""
        J, JT, theta, phi = self.J, self.J.T, self.theta, self.phi

        def field(X):
            return phi.phi(X) @ JT + theta

        def jac(X):
            return J[None, :, :] * phi.dphi(X)[:, None, :]

        return field, jac, "discrete"


def make(name: str, J, theta, *, nonlinearity: str | Nonlinearity = TANH, dt: float = 0.1,
         method: str = "euler", sigma_xi: float = 0.0) -> RateModel | MapModel:
    """The network called ``name`` (``"rate"``: :class:`RateModel` with ``dt``, ``method``; ``"map"``:
    :class:`MapModel`, which ignores them), with noise amplitude ``sigma_xi``: the one place a model name becomes
    an object."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if name == "rate":
        return RateModel(J, theta, nonlinearity, dt=dt, method=method, sigma_xi=sigma_xi)
    if name == "map":
        return MapModel(J, theta, nonlinearity, sigma_xi=sigma_xi)
    raise ValueError(f"model must be one of {NAMES}, got {name!r}")


def from_settings(name: str, J, theta, settings: dict, *, sigma_xi: float = 0.0) -> tuple[RateModel | MapModel,
                                                                                           dict]:
    """:func:`make` with the model's keys of a stage's ``settings`` (``nonlinearity``, ``dt``, ``method``: the
    pipeline's stage sections) and the grid point's noise amplitude ``sigma_xi``, and the remaining settings, for
    the analysis."""
    rest = dict(settings)
    model = make(name, J, theta, sigma_xi=sigma_xi,
                 **{k: rest.pop(k) for k in ("nonlinearity", "dt", "method") if k in rest})
    return model, rest


def time_step(name: str, dt: float) -> float:
    """Time advanced by one step of the network called ``name``: ``dt`` for ``"rate"``, 1 for ``"map"`` (the
    classes' ``time_step``; for the fused kernels, which take the name)."""
    return float(dt) if name == "rate" else 1.0


def time_unit(model) -> str:
    """The unit of time of ``model`` in files: its ``time_unit``, else ``"step"``."""
    return getattr(model, "time_unit", "step")


def as_model(model, J=None, theta=None, *, nonlinearity: str | Nonlinearity = TANH, dt: float | None = None,
             method: str | None = None):
    """``model`` if it is a model object (then ``J``, ``theta``, ``dt``, ``method`` must not be given: they are
    the model's), else :func:`make` of the name with ``J``, ``theta`` (the older call form ``f("rate", J, theta,
    dt=..., method=...)`` of the analyses; ``dt`` defaults to 0.1, ``method`` to ``"euler"``)."""
    if isinstance(model, str):
        if J is None or theta is None:
            raise ValueError(f"model {model!r} given by name needs J and theta")
        return make(model, J, theta, nonlinearity=nonlinearity, dt=0.1 if dt is None else dt,
                    method=method or "euler")
    given = [k for k, v in (("J", J), ("theta", theta), ("dt", dt), ("method", method)) if v is not None]
    if given:
        raise ValueError(f"{', '.join(given)} belong to the model object {model!r}; do not pass them as well")
    missing = [a for a in ("n", "time_step", "step", "tangent") if not hasattr(model, a)]
    if missing:
        raise TypeError(f"model must be a model name {NAMES} or an rnnchaos.model.Model, got "
                        f"{type(model).__name__} without {missing}")
    return model
