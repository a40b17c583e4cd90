"""The array-module workspace of the Lyapunov kernel (:mod:`rnnchaos.lyapunov_kernel`): numpy (RK4) or CuPy (GPU).

:class:`ArrayWorkspace` is written against the numpy API only (``tanh``, ``@``, ``linalg.qr``), so the same code
runs the RK4 tangent dynamics on the CPU with ``xp = numpy`` and every method on a GPU with ``xp = cupy``
(``backend="cupy"``, tanh only: the other nonlinearities are numpy functions; QR is cuSOLVER's Householder
``geqrf``/``orgqr``). CuPy is optional: it is imported only
when requested, with a clear error if it or a CUDA device is missing. The state is always float64. Euler and the
map run the state and the frame through one product, ``J [tanh(x) | phi'(x) * Q]``, when ``J`` and ``Q`` share a
precision (float64, or float32 with ``coupling_dtype="float32"``: then ``J`` is held once, in float32).
With noise (Euler and the map; ``noise``, a :class:`rnnchaos.noise.NoiseStream`, and ``noise_scale``) the state
gets ``noise_scale * xi`` after each step, the noise drawn on the host in chunks of :data:`NOISE_CHUNK` steps and
moved to the device once per chunk.
"""

from __future__ import annotations

import numpy as np

from rnnchaos.lyapunov_kernel import householder_qr, sum_log_dphi
from rnnchaos.models import time_step
from rnnchaos.nonlinearity import TANH, Nonlinearity

#: steps of noise drawn and moved to the array module at once
NOISE_CHUNK = 16


def array_module(backend: str):
    """The array module of ``backend`` (``"numpy"`` or ``"cupy"``); RuntimeError if CuPy/CUDA is unavailable."""
    if backend == "numpy":
        return np
    if backend != "cupy":
        raise ValueError(f"backend must be one of ('numpy', 'cupy'), got {backend!r}")
    try:
        import cupy
    except ImportError as err:
        raise RuntimeError("backend='cupy' was requested but CuPy is not installed (pip install cupy-cuda12x, or "
                           "pip install -e '.[gpu]'); or use backend='numpy' (pipeline: lyapunov.backend: numpy)"
                           ) from err
    try:
        n_dev = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDA runtime missing or broken
        raise RuntimeError(f"backend='cupy' was requested but CUDA is not usable: {err}") from err
    if n_dev < 1:
        raise RuntimeError("backend='cupy' was requested but no CUDA device is visible")
    return cupy


class ArrayWorkspace:
    """State, tangent frame and diagnostic sums for Euler, RK4 (rate) or the map, in array module ``xp``.

    RK4 is applied to the variational system ``(dx/dt, dQ/dt) = (F(x), DF(x) Q)``, which yields exactly the
    derivative of the RK4 step (Runge-Kutta methods commute with linearisation). Same interface as
    :class:`rnnchaos.lyapunov_blas.BlasWorkspace`.
    """

    def __init__(self, xp, model: str, J, theta, x, Q, *, dt: float, method: str = "euler",
                 dtype: str = "float64", coupling_dtype: str = "float64", nonlinearity: Nonlinearity = TANH,
                 noise=None, noise_scale: float = 0.0):
        if noise is not None and noise_scale > 0 and method == "rk4":
            raise ValueError("noise needs method='euler' or the map (no stochastic RK4 scheme), got method='rk4'")
        self.xp, self.model, self.method, self.dt = xp, model, method, float(dt)
        self.noise, self.noise_scale = (noise, float(noise_scale)) if noise_scale > 0 else (None, 0.0)
        self.h = time_step(model, dt)
        self.phi, self.tanh = nonlinearity, nonlinearity == TANH
        self.Jx = xp.asarray(J, dtype=coupling_dtype)  # the state's couplings
        self.J = self.Jx if dtype == coupling_dtype else self.Jx.astype(dtype)  # the frame's: the same, or a copy
        self.theta = xp.asarray(theta, dtype=xp.float64)
        self.x = xp.array(x, dtype=xp.float64)
        self.Q = xp.array(Q, dtype=dtype)
        self.Jdiag = xp.diag(self.Jx).astype(xp.float64)
        self.steps_total = 0
        self.reset_sums()

    def reset_sums(self) -> None:
        """Zero the step counter and the diagnostic sums."""
        self.n_steps, self.trace_sum, self.logphi_sum, self.log_det_sum = 0, 0.0, 0.0, 0.0

    def state(self) -> np.ndarray:
        """The current state on the host (float64)."""
        return self.x.get() if hasattr(self.x, "get") else np.asarray(self.x)

    def _phi_dphi(self, y):
        """``(phi(y), phi'(y))``; tanh as ``(t, 1 - t^2)`` in the array module (numpy or CuPy)."""
        if self.tanh:
            t = self.xp.tanh(y)
            return t, 1.0 - t * t
        return self.phi.phi_dphi(y)

    def _products(self, t, d, V):
        """``(J t, J (d * V))``, the state's in float64: one product ``J [t | d * V]`` when J is shared."""
        xp, J = self.xp, self.J
        if self.Jx is J:
            P = J @ xp.concatenate((t.astype(J.dtype)[:, None], d.astype(J.dtype)[:, None] * V), axis=1)
            return P[:, 0].astype(xp.float64), P[:, 1:]
        return (self.Jx @ t.astype(self.Jx.dtype)).astype(xp.float64), J @ (d.astype(V.dtype)[:, None] * V)

    def _field(self, y, V):
        """``(F(y), DF(y) V)`` with ``DF(y) V = -V + J (phi'(y) * V)``."""
        Jt, JV = self._products(*self._phi_dphi(y), V)
        return -y + Jt + self.theta, -V + JV

    def advance(self, n_steps: int) -> None:
        """Advance state and tangent frame by ``n_steps`` steps (no re-orthonormalisation)."""
        if self.noise is None:
            self._advance(n_steps, None)
        else:
            for start in range(0, n_steps, NOISE_CHUNK):
                m = min(NOISE_CHUNK, n_steps - start)
                self._advance(m, self.xp.asarray(self.noise.take(m) * self.noise_scale))
        self.n_steps += n_steps
        self.steps_total += n_steps

    def _advance(self, n_steps: int, E) -> None:
        """``n_steps`` steps; ``E`` (n_steps, N): the noise added to the state after each step, or None."""
        xp, dt = self.xp, self.dt
        for j in range(n_steps):
            x, Q = self.x, self.Q
            t, d = self._phi_dphi(x)
            if self.model == "map":
                self.logphi_sum += sum_log_dphi(x, xp) if self.tanh else xp.log(d).sum()
                Jt, self.Q = self._products(t, d, Q)
                self.x = Jt + self.theta if E is None else Jt + self.theta + E[j]
                continue
            self.trace_sum += self.Jdiag @ d - x.size
            k1x, k1Q = self._field(x, Q)
            if self.method == "euler":
                self.x = x + dt * k1x if E is None else x + dt * k1x + E[j]
                self.Q = Q + dt * k1Q
                continue
            k2x, k2Q = self._field(x + 0.5 * dt * k1x, Q + 0.5 * dt * k1Q)
            k3x, k3Q = self._field(x + 0.5 * dt * k2x, Q + 0.5 * dt * k2Q)
            k4x, k4Q = self._field(x + dt * k3x, Q + dt * k3Q)
            self.x = x + (dt / 6.0) * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
            self.Q = Q + (dt / 6.0) * (k1Q + 2.0 * k2Q + 2.0 * k3Q + k4Q)

    def reorthonormalize(self) -> np.ndarray:
        """Householder QR of ``Q`` (:func:`rnnchaos.lyapunov_kernel.householder_qr`); returns ``log|R_ii|`` on the
        host (float64) and sets ``log_col_max`` (as the BLAS kernel does)."""
        self.Q, log_r, self.log_col_max = householder_qr(self.Q, self.n_steps, self.xp)
        return log_r
