"""Which attractor a simulated network settled on: chaotic, limit cycle, fixed point, noise-driven, or undecided.

Mean-field theory describes the chaotic state; a finite network can instead settle on a fixed point or a periodic
orbit (more often at small N and near g_c), and averaging such a network with chaotic ones biases a comparison with
the theory. Three measurements decide the class:

* the end-of-run speed ``v = |F(x_end)| / sqrt(N)`` (root mean square over units) with
  ``F(x) = -x + J phi(x) + theta`` (the vector field of the rate network, and ``a_{t+1} - a_t`` of the map, so
  both share it): zero at a fixed point, including ``x* = 0``, which a speed relative to ``|x|`` would miss (a
  decaying linear mode keeps ``|F(x)|/|x|`` of order one all the way to 0);
* the recurrence distance ``r``: the smallest distance between the final state and the piecewise-linear path of
  the earlier record, relative to the fluctuation radius ``sqrt(sum_i var_t x_i)``, searched only beyond the first
  lag at which the distance stops growing (the path must have gone away and come back: a trajectory that creeps
  monotonically towards a point is never called periodic): zero on a periodic orbit whose period the record
  covers, and of order one on a chaotic trajectory of a large network, which does not return;
* the largest Lyapunov exponent and its standard error: positive in chaos, zero on a limit cycle of a flow,
  negative on a periodic orbit of a map and at a stable fixed point.

Decision (``z`` standard errors, default 3): ``v < speed_tol`` -> fixed point; else ``lambda_max > z sem`` ->
chaotic; else ``r < recurrence_tol`` and (for a flow) ``|lambda_max| <= z sem`` -> limit cycle; else undecided.
A class is never guessed: a point whose exponent is missing (failed or not computed) is undecided unless the speed
alone shows a fixed point. The simulate and lyapunov stages start from the same state
(:func:`rnnchaos.network.initial_state`), so the speed, the return and the exponent describe one attractor.

With noise (``noisy``: the network is driven by white noise, ``sigma_xi > 0``) the state never rests and never
returns exactly, so the end speed and the recurrence distance measure the noise, not the attractor: they are not
used. The class then follows the sign of ``lambda_max`` alone (the exponent of the random dynamical system along
the noise path): ``lambda_max > z sem`` -> chaotic; else noise-driven (a random attractor on which nearby states
converge and the noise alone keeps the state moving; Schuecker, Goedeke & Helias 2018); a missing exponent ->
undecided. A noisy network is never called a fixed point or a limit cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Attractor classes and their codes (CF flag values of the stored ``attractor`` variable).
ATTRACTOR_CLASSES: dict[str, int] = {"chaotic": 0, "limit_cycle": 1, "fixed_point": 2, "undecided": 3,
                                     "noise_driven": 4}
#: Default thresholds (relative speed, relative recurrence distance, standard errors of lambda_max).
SPEED_TOL, RECURRENCE_TOL, Z = 1e-6, 2e-2, 3.0  # speed_tol: rms speed per unit


@dataclass(frozen=True)
class Attractor:
    """Class of an attractor and the numbers that decided it."""

    name: str
    reason: str

    @property
    def code(self) -> int:
        return ATTRACTOR_CLASSES[self.name]


def end_speed(model, x: np.ndarray) -> float:
    """Root-mean-square speed ``|R(x)| / sqrt(N)`` of ``model``'s fixed-point residual ``R`` (the rate network's
    ``F(x) = -x + J phi(x) + theta``; for the map ``|a_{t+1} - a_t| / sqrt(N)``): per unit, so that one tolerance
    serves every N; zero exactly at a fixed point."""
    x = np.asarray(x, dtype=float)
    return float(np.linalg.norm(model.residual(x)) / np.sqrt(max(x.size, 1)))


def recurrence_distance(record: np.ndarray, *, min_lag: int = 2) -> tuple[float, int]:
    """Distance of the last state of ``record`` (n_samples, N) to the earlier path, and the lag where it is smallest
    beyond the departure (the lags over which the distance grows going back from the end).

    The path between consecutive samples is taken as a straight segment, so a period that is not a whole number of
    samples is still found (to second order in the sampling step). The distance is relative to the fluctuation
    radius ``sqrt(sum_i var_t x_i)`` of the record; it is ``inf`` when the record does not fluctuate (a fixed
    point, which :func:`end_speed` identifies) or is shorter than ``min_lag + 2`` samples.
    """
    record = np.asarray(record, dtype=float)
    if record.ndim != 2:
        raise ValueError(f"record must be (n_samples, N), got shape {record.shape}")
    if min_lag < 1:
        raise ValueError(f"min_lag must be >= 1, got {min_lag!r}")
    n = record.shape[0]
    radius = float(np.sqrt(record.var(axis=0).sum()))
    if n < min_lag + 2 or not radius > 0:
        return float("inf"), 0
    p, a, b = record[-1], record[: n - min_lag - 1], record[1: n - min_lag]
    d = b - a
    dd = np.einsum("ij,ij->i", d, d)
    s = np.clip(np.einsum("ij,ij->i", p - a, d) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    dist = np.linalg.norm(a + s[:, None] * d - p, axis=1)
    # going back in time from the end, skip the departure: the lags over which the distance still grows
    back = dist[::-1]
    turned = np.flatnonzero(np.diff(back) <= 0)
    if turned.size == 0:  # the distance grows all the way back: no return
        return float("inf"), 0
    i = dist.size - 1 - int(turned[0] + np.argmin(back[turned[0]:]))
    return float(dist[i] / radius), int(n - 1 - i - round(float(s[i])))


def classify(*, speed: float, recurrence: float, lambda_max: float, lambda_max_sem: float, flow: bool = True,
             speed_tol: float = SPEED_TOL, recurrence_tol: float = RECURRENCE_TOL, z: float = Z,
             noisy: bool = False) -> Attractor:
    """Class of the attractor from the rms end speed, the recurrence distance and lambda_max +- sem; with
    ``noisy`` (a network driven by noise) from lambda_max +- sem alone: chaotic or noise-driven.

    ``flow``: a continuous-time system (the rate network), whose limit cycle has lambda_max = 0 (the direction
    along the orbit), so a cycle needs ``|lambda_max| <= z sem``; a moving state that returns while lambda_max is
    significantly negative is then undecided (e.g. still on its way to a fixed point). For a map (``flow=False``) a
    periodic orbit has lambda_max <= 0.
    """
    if not (speed_tol > 0 and recurrence_tol > 0 and z > 0):
        raise ValueError(f"speed_tol, recurrence_tol and z must be > 0, got {speed_tol}, {recurrence_tol}, {z}")
    if noisy:
        return _classify_noisy(lambda_max, lambda_max_sem, z)
    if np.isfinite(speed) and speed < speed_tol:
        return Attractor("fixed_point", f"rms end speed {speed:.2e} < {speed_tol:g}")
    if not (np.isfinite(lambda_max) and np.isfinite(lambda_max_sem)):
        return Attractor("undecided", "lambda_max missing (failed or not computed) and the state still moves")
    margin = z * max(lambda_max_sem, 0.0)
    if lambda_max > margin:
        return Attractor("chaotic", f"lambda_max = {lambda_max:.4g} > {z:g} sem = {margin:.2g}")
    returns = np.isfinite(recurrence) and recurrence < recurrence_tol
    if returns and (not flow or lambda_max >= -margin):
        return Attractor("limit_cycle", f"returns to within {recurrence:.2e} of its path; "
                                        f"lambda_max = {lambda_max:.4g} (within {z:g} sem = {margin:.2g} of "
                                        f"{'0' if flow else 'or below 0'})")
    return Attractor("undecided", f"lambda_max = {lambda_max:.4g} (<= {z:g} sem = {margin:.2g}), moving "
                                  f"(speed {speed:.2e}), return within {recurrence:.2e} of its path"
                                  + (" but lambda_max < 0 for a flow" if returns else ""))


def _classify_noisy(lambda_max: float, lambda_max_sem: float, z: float) -> Attractor:
    """The class of a noise-driven network from lambda_max +- sem alone (end speed and recurrence measure the
    noise): chaotic, noise-driven, or undecided where the exponent is missing."""
    if not (np.isfinite(lambda_max) and np.isfinite(lambda_max_sem)):
        return Attractor("undecided", "lambda_max missing (failed or not computed); driven by noise")
    margin = z * max(lambda_max_sem, 0.0)
    if lambda_max > margin:
        return Attractor("chaotic", f"lambda_max = {lambda_max:.4g} > {z:g} sem = {margin:.2g} (with noise)")
    return Attractor("noise_driven", f"lambda_max = {lambda_max:.4g} <= {z:g} sem = {margin:.2g} with noise: "
                                     "states converge, the noise moves them")
