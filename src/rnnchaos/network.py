"""Quenched disorder of a random network, drawn once per ``(N, seed)``.

``J = g / sqrt(N) * Z_J`` and ``theta = sigma_b * z_theta`` with standard-normal ``Z_J`` (N x N) and ``z_theta`` (N,).
The standard-normal draws depend only on ``(N, seed)``, so one realisation is shared across the whole
``g``- and ``sigma_b``-sweep (common random numbers: smooth curves in g, quenched disorder).

Random streams come from :class:`numpy.random.SeedSequence` with ``entropy = seed`` and a spawn key that names
``N`` and the purpose (``"network"``, ``"simulate"``, ...), so a grid point's numbers do not depend on which other
points are in the grid or in which order they are computed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

#: Fixed project salt so that rnnchaos streams differ from a user's own ``default_rng(seed)``.
_SALT = 0x524E4E43  # "RNNC"


def rng_for(N: int, seed: int, purpose: str) -> np.random.Generator:
    """Independent, reproducible generator for one ``(N, seed)`` and one purpose (a stage name)."""
    _check_size_seed(N, seed)
    key = (_SALT, int(N), zlib.crc32(purpose.encode()))
    return np.random.default_rng(np.random.SeedSequence(entropy=int(seed), spawn_key=key))


@dataclass(frozen=True)
class Disorder:
    """Standard-normal disorder of one network: ``z_J`` (N, N) and ``z_theta`` (N,)."""

    z_J: np.ndarray
    z_theta: np.ndarray
    N: int
    seed: int

    def couplings(self, g: float) -> np.ndarray:
        """``J = g / sqrt(N) * z_J``, so that ``J_ij ~ N(0, g^2 / N)``."""
        return couplings(self.z_J, g)

    def biases(self, sigma_b: float) -> np.ndarray:
        """``theta = sigma_b * z_theta``, so that ``theta_i ~ N(0, sigma_b^2)``."""
        return biases(self.z_theta, sigma_b)


def draw_disorder(N: int, seed: int) -> Disorder:
    """Draw the standard-normal coupling and bias disorder of network ``(N, seed)``."""
    rng = rng_for(N, seed, "network")
    z_J = rng.standard_normal((N, N))
    z_theta = rng.standard_normal(N)
    return Disorder(z_J=z_J, z_theta=z_theta, N=int(N), seed=int(seed))


def initial_state(N: int, seed: int) -> np.ndarray:
    """Standard-normal initial state of network ``(N, seed)``, shared by the simulate and lyapunov stages so that
    both follow the same trajectory onto the same attractor (its class combines the simulation's end speed and
    recurrence with the Lyapunov stage's exponent)."""
    return rng_for(N, seed, "initial_state").standard_normal(int(N))


def couplings(z_J: np.ndarray, g: float) -> np.ndarray:
    """Scale standard-normal disorder to couplings ``J_ij ~ N(0, g^2/N)``; ``g >= 0``."""
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"g must be a finite number >= 0, got {g!r}")
    z_J = np.asarray(z_J, dtype=float)
    if z_J.ndim != 2 or z_J.shape[0] != z_J.shape[1]:
        raise ValueError(f"z_J must be a square matrix, got shape {z_J.shape}")
    return (g / np.sqrt(z_J.shape[0])) * z_J


def biases(z_theta: np.ndarray, sigma_b: float) -> np.ndarray:
    """Scale standard-normal disorder to biases ``theta_i ~ N(0, sigma_b^2)``; ``sigma_b >= 0``."""
    if not np.isfinite(sigma_b) or sigma_b < 0:
        raise ValueError(f"sigma_b must be a finite number >= 0, got {sigma_b!r}")
    return sigma_b * np.asarray(z_theta, dtype=float)


def _check_size_seed(N: int, seed: int) -> None:
    if int(N) != N or N < 1:
        raise ValueError(f"N must be an integer >= 1, got {N!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
