"""rnnchaos: chaos in random recurrent neural networks, measured and checked against theory.

Models (``phi = tanh``, ``J_ij ~ N(0, g^2/N)``, quenched bias ``theta_i ~ N(0, sigma_b^2)``):

* ``rate``: ``dx/dt = -x + J phi(x) + theta`` (Sompolinsky, Crisanti & Sommers 1988);
* ``map``:  ``a_{t+1} = J phi(a_t) + theta``, the pre-activation form of ``h_{t+1} = tanh(W h_t + b)``
  (``h_t = phi(a_t)``, ``W = J``, ``b = theta``); both forms have the same Lyapunov exponents and the map's
  fixed points solve the rate network's fixed-point equation ``x = J phi(x) + theta``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rnnchaos")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

MODELS = ("rate", "map")
