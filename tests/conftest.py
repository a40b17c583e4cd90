"""Shared fixtures: small random networks and paths to the repository."""

from pathlib import Path

import numpy as np
import pytest

from rnnchaos import network

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_net():
    """A fixed N = 60 network (disorder only; scale with .couplings(g), .biases(sigma_b))."""
    return network.draw_disorder(60, 3)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
