"""Gaussian white noise of the random networks: the standard-normal stream of one trajectory, drawn in blocks.

A network with noise amplitude ``sigma_xi > 0`` (:class:`rnnchaos.models.RateModel`, :class:`~rnnchaos.models.
MapModel`) adds ``noise_scale * xi_n`` to its step ``n``, with ``xi_n ~ N(0, I_N)`` independent across steps and
units: Euler-Maruyama for the rate network (``noise_scale = sigma_xi sqrt(dt)``, the discretisation of
``dx = F(x) dt + sigma_xi dW``; Kloeden & Platen 1992, ch. 9), ``a_{t+1} = J phi(a_t) + theta + sigma_xi xi_t`` for the
map (``noise_scale = sigma_xi``; Molgedey, Schuchhardt & Schuster 1992). The noise is additive, so the step's
Jacobian does not depend on ``xi_n``: the tangent dynamics of the random dynamical system are those of the
noise-free step evaluated along the noisy trajectory, and follow the noise path by following the state.

:class:`NoiseStream` hands out ``xi_0, xi_1, ...`` in order from an explicit generator. ``Generator.standard_normal``
fills its output sequentially, so row ``n`` of the stream is the same whatever the block size or the way the rows
are taken (one at a time, by chunks): the noise path of a trajectory depends only on the generator's seed. The
pipeline seeds it with :func:`rnnchaos.network.rng_for` ``(N, seed, "noise")`` (:data:`PURPOSE`), so that the
simulation and the Lyapunov spectrum of one network, both started at :func:`rnnchaos.network.initial_state`, follow
the same noise path, and no other random draw of the project moves when noise is switched on or off.
"""

from __future__ import annotations

import numpy as np

#: purpose of the noise stream in :func:`rnnchaos.network.rng_for`
PURPOSE = "noise"
#: target number of standard normals per drawn block (8 doubles each: 512 KiB)
BLOCK_NUMBERS = 2**16


class NoiseStream:
    """The standard-normal vectors ``xi_0, xi_1, ...`` (each of size ``n``) of one trajectory, from ``rng``.

    :meth:`take` returns the next ``m`` rows as an ``(m, n)`` array, :meth:`next` the next row. Blocks of
    ``block`` rows (default about :data:`BLOCK_NUMBERS` numbers) are drawn at once, so the cost per step is a slice;
    the rows handed out belong to the caller (a later draw never overwrites them). ``steps`` counts the rows taken.
    """

    def __init__(self, rng: np.random.Generator, n: int, *, block: int | None = None):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        if not (isinstance(n, (int, np.integer)) and n >= 1):
            raise ValueError(f"n must be an integer >= 1, got {n!r}")
        block = max(1, BLOCK_NUMBERS // int(n)) if block is None else block
        if not (isinstance(block, (int, np.integer)) and block >= 1):
            raise ValueError(f"block must be an integer >= 1, got {block!r}")
        self.rng, self.n, self.block = rng, int(n), int(block)
        self._buf, self._pos, self.steps = np.empty((0, self.n)), 0, 0

    def take(self, m: int) -> np.ndarray:
        """The next ``m`` rows, shape ``(m, n)`` (a view of the current block when it holds them)."""
        self.steps += m
        if self._pos + m <= self._buf.shape[0]:
            out = self._buf[self._pos:self._pos + m]
            self._pos += m
            return out
        out = np.empty((m, self.n))
        done = 0
        while done < m:
            if self._pos == self._buf.shape[0]:
                self._buf, self._pos = self.rng.standard_normal((max(self.block, m - done), self.n)), 0
            c = min(m - done, self._buf.shape[0] - self._pos)
            out[done:done + c] = self._buf[self._pos:self._pos + c]
            self._pos += c
            done += c
        return out

    def next(self) -> np.ndarray:
        """The next row, shape ``(n,)``."""
        return self.take(1)[0]


class ColumnNoise:
    """Independent streams for the columns of a batch of states ``(n, B)``: :meth:`next` is ``(n, B)``, column
    ``j`` the next row of ``streams[j]`` (e.g. a trajectory and its replica, each with its own noise path)."""

    def __init__(self, streams):
        self.streams = list(streams)

    def next(self) -> np.ndarray:
        return np.column_stack([s.next() for s in self.streams])


def check_sigma_xi(sigma_xi) -> float:
    """``sigma_xi`` as a float; ``ValueError`` naming it unless finite and ``>= 0``."""
    try:
        s = float(sigma_xi)
    except (TypeError, ValueError):
        raise ValueError(f"sigma_xi must be a finite number >= 0, got {sigma_xi!r}") from None
    if not (np.isfinite(s) and s >= 0):
        raise ValueError(f"sigma_xi must be a finite number >= 0, got {sigma_xi!r}")
    return s


def noise_scale(model) -> float:
    """Standard deviation of the noise added by one step of ``model`` (its ``noise_scale``; 0 without noise)."""
    return float(getattr(model, "noise_scale", 0.0))


def stream(model, noise_rng: np.random.Generator | None) -> NoiseStream | None:
    """The noise stream an analysis of ``model`` draws from: ``None`` when the model has no noise (then
    ``noise_rng`` is not touched, so results are those of a run without it), else a :class:`NoiseStream` on
    ``noise_rng``, which must then be given (``ValueError`` naming ``noise_rng`` and ``sigma_xi``)."""
    if noise_scale(model) == 0.0:
        return None
    if noise_rng is None:
        raise ValueError(f"noise_rng (a numpy.random.Generator, the pipeline's rng_for(N, seed, {PURPOSE!r})) must "
                         f"be given for a model with sigma_xi = {getattr(model, 'sigma_xi', '?')} > 0")
    return NoiseStream(noise_rng, model.n)
