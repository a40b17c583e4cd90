"""Transfer functions ``phi`` of the networks, with their derivatives: one object per nonlinearity.

Every stage takes a :class:`Nonlinearity` (config key ``nonlinearity``, default ``tanh``) instead of calling
``np.tanh``: the dynamics and their tangents use ``phi``/``dphi`` (or ``phi_dphi``, which shares the work), the
fixed-point Newton solves ``dphi``, and second-order methods ``d2phi``. Held here:

* ``tanh`` (default): ``phi' = 1 - phi^2``, ``phi'' = -2 phi phi'``; odd, slope 1 at 0, ``phi'''(0) = -2``.
* ``erf``: ``phi(x) = erf(sqrt(pi) x / 2)``, scaled to slope 1 at the origin like tanh; ``phi'(x) =
  exp(-pi x^2 / 4)``; odd, ``phi'''(0) = -pi / 2``. Its Gaussian averages have closed forms (exactness tests of the
  quadrature used for the others).
* ``logistic``: ``phi(x) = 1 / (1 + exp(-x))``, ``phi' = phi (1 - phi)``, ``phi'' = phi' (1 - 2 phi)``; neither odd
  nor of slope 1 (``phi'(0) = 1/4``), the rate unit of seed 003's comparison.
* ``tanh_cubic_<s>`` (:func:`tanh_cubic`): ``phi_s(x) = tanh(x + s x^3)``, ``s >= 0``; odd, bounded, increasing,
  slope 1 at 0, ``phi_s'''(0) = 6 s - 2``: negative for ``s < 1/3`` (tanh at ``s = 0``), positive above, where the
  transition to chaos becomes discontinuous (Pazo 2024, arXiv:2405.14607). Not in :data:`NONLINEARITIES`;
  :func:`get` builds it from its name.

Instances are immutable and compared by ``name``; :func:`get` is the one place a name becomes an object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import erf as _erf
from scipy.special import expit as _expit

_SQRT_PI_2 = np.sqrt(np.pi) / 2


@dataclass(frozen=True)
class Nonlinearity:
    """A transfer function with its first two derivatives (elementwise on numpy arrays of any shape).

    ``phi_dphi(x)`` returns ``(phi(x), phi'(x))`` sharing the expensive part; ``odd`` says whether ``phi(-x) =
    -phi(x)`` (the symmetry ``x* -> -x*`` of fixed points at ``sigma_b = 0``); ``slope0 = phi'(0)``.
    """

    name: str
    phi: Callable[[np.ndarray], np.ndarray] = field(compare=False, repr=False)
    dphi: Callable[[np.ndarray], np.ndarray] = field(compare=False, repr=False)
    d2phi: Callable[[np.ndarray], np.ndarray] = field(compare=False, repr=False)
    phi_dphi: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = field(compare=False, repr=False)
    odd: bool = field(compare=False)
    slope0: float = field(compare=False)
    formula: str = field(compare=False, default="")

    def __call__(self, x):
        return self.phi(x)


def _tanh_dphi(x):
    t = np.tanh(x)
    return 1.0 - t * t


def _tanh_d2phi(x):
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t * t)


def _tanh_phi_dphi(x):
    t = np.tanh(x)
    return t, 1.0 - t * t


def _erf_phi(x):
    return _erf(_SQRT_PI_2 * np.asarray(x))


def _erf_dphi(x):
    x = np.asarray(x)
    return np.exp(-0.25 * np.pi * x * x)


def _erf_d2phi(x):
    x = np.asarray(x)
    return -0.5 * np.pi * x * np.exp(-0.25 * np.pi * x * x)


def _erf_phi_dphi(x):
    return _erf_phi(x), _erf_dphi(x)


def _logistic_dphi(x):
    s = _expit(x)
    return s * (1.0 - s)


def _logistic_d2phi(x):
    s = _expit(x)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def _logistic_phi_dphi(x):
    s = _expit(x)
    return s, s * (1.0 - s)


TANH = Nonlinearity("tanh", np.tanh, _tanh_dphi, _tanh_d2phi, _tanh_phi_dphi, odd=True, slope0=1.0,
                    formula="tanh(x)")
ERF = Nonlinearity("erf", _erf_phi, _erf_dphi, _erf_d2phi, _erf_phi_dphi, odd=True, slope0=1.0,
                   formula="erf(sqrt(pi) x / 2)")
LOGISTIC = Nonlinearity("logistic", _expit, _logistic_dphi, _logistic_d2phi, _logistic_phi_dphi, odd=False,
                        slope0=0.25, formula="1 / (1 + exp(-x))")

#: the nonlinearities a config may name (key ``nonlinearity``)
NONLINEARITIES: dict[str, Nonlinearity] = {n.name: n for n in (TANH, ERF, LOGISTIC)}

TANH_CUBIC_MAX = 10.0  #: largest parameter ``s`` of :func:`tanh_cubic`


def tanh_cubic(s: float) -> Nonlinearity:
    """``phi_s(x) = tanh(u)``, ``u = x + s x^3`` (``0 <= s <= TANH_CUBIC_MAX``), named ``tanh_cubic_<s>``.

    ``phi' = (1 - phi^2) u'``, ``phi'' = (1 - phi^2) (u'' - 2 phi u'^2)`` with ``u' = 1 + 3 s x^2``, ``u'' = 6 s x``.
    Odd, bounded by 1, increasing (``u' > 0``), ``phi'(0) = 1`` and ``phi'''(0) = 6 s - 2``, which changes sign at
    ``s = 1/3``: a one-parameter family across Pazo's (2024) boundary between the continuous (``phi'''(0) < 0``) and
    the discontinuous (``phi'''(0) > 0``) transition to chaos. ``s = 0`` is tanh (computed through ``u``, so equal
    to ``TANH`` to rounding only). Its poles (``u = i pi / 2``) lie closer to the real axis than tanh's as ``s``
    grows, so Gaussian averages converge more slowly (see :mod:`rnnchaos.gaussian`).
    """
    if not (isinstance(s, (int, float, np.integer, np.floating)) and 0 <= s <= TANH_CUBIC_MAX):
        raise ValueError(f"s must be a number in [0, {TANH_CUBIC_MAX:g}], got {s!r}")
    s = float(s)

    def phi(x):
        x = np.asarray(x)
        return np.tanh(x + s * x**3)

    def phi_dphi(x):
        x = np.asarray(x)
        t = np.tanh(x + s * x**3)
        return t, (1.0 - t * t) * (1.0 + 3 * s * x * x)

    def dphi(x):
        return phi_dphi(x)[1]

    def d2phi(x):
        x = np.asarray(x)
        t, u1 = np.tanh(x + s * x**3), 1.0 + 3 * s * x * x
        return (1.0 - t * t) * (6 * s * x - 2 * t * u1 * u1)

    return Nonlinearity(f"tanh_cubic_{s:g}", phi, dphi, d2phi, phi_dphi, odd=True, slope0=1.0,
                        formula=f"tanh(x + {s:g} x^3)")


def get(name: str | Nonlinearity) -> Nonlinearity:
    """The :class:`Nonlinearity` called ``name`` (an instance passes through; ``tanh_cubic_<s>`` is built by
    :func:`tanh_cubic`); ``ValueError`` names the choices."""
    if isinstance(name, Nonlinearity):
        return name
    if isinstance(name, str) and name.startswith("tanh_cubic_"):
        try:
            return tanh_cubic(float(name[len("tanh_cubic_"):]))
        except ValueError as err:
            raise ValueError(f"nonlinearity {name!r}: {err}") from None
    try:
        return NONLINEARITIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"nonlinearity must be one of {sorted(NONLINEARITIES)} or tanh_cubic_<s> "
                         f"(0 <= s <= {TANH_CUBIC_MAX:g}), got {name!r}") from None
