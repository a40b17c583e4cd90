"""What a fixed-point search returns: :class:`FixedPoints`, and the names its coded fields index.

``kind`` takes values in :data:`KINDS`, ``origin`` indexes :data:`ORIGINS` (how a point was first found) and
``found_by`` is a bit mask over :data:`ROOTS` (the kinds of start whose chains of solves returned it);
:data:`UNBIASED_ROOTS` are the roots whose points sample the population without favouring a region
(:func:`rnnchaos.fixed_point_statistics.origin_samples`). Filled by :mod:`rnnchaos.fixed_point_search`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Stability classes: no unstable direction, some, all.
KINDS = ("stable", "saddle", "repeller")
#: How a point was first found: an independent solve from a caller's start ("independent"), from a trajectory
#: state or from a Gaussian draw of the Kac-Rice variance (:func:`rnnchaos.fixed_points.network_fixed_points`
#: labels its starts so), a deflated solve from a perturbed known point ("extra"), the q-minimisation fallback,
#: the mirror ``-x*``, a path.
ORIGINS = ("independent", "extra", "fallback", "symmetry", "homotopy", "trajectory", "gaussian")
#: The kinds of start a chain of solves begins with. A point's ``found_by`` has bit ``k`` set if a chain rooted in
#: ``ROOTS[k]`` returned it: an independent solve or a path directly, or a deflated solve, fallback or mirror from
#: a point so found (deflation from a trajectory-found point inherits its bias).
ROOTS = ("independent", "trajectory", "gaussian", "homotopy")
#: Roots whose starts do not favour any region of the fixed points: Gaussian draws of the Kac-Rice variance
#: (isotropic, at the theory's radius). Trajectory states favour the points near the attractor (larger radius:
#: Delta0 > <x*^2>); a homotopy path is one connected chain (tests/integration/test_fixed_points_science.py).
UNBIASED_ROOTS = ("gaussian",)


@dataclass(frozen=True)
class FixedPoints:
    """Verified fixed points and how they were found (shapes: ``n`` points, ``N`` units, ``m`` slow points).

    ``eigvals``: Jacobian eigenvalues (of ``DF`` for continuous, of the map's ``DM`` for discrete stability);
    ``n_unstable``: eigenvalues with positive real part (continuous) or modulus > 1 (discrete);
    ``times_found``: independent solves that returned the point; ``origin``: index into :data:`ORIGINS` (how
    it was first found); ``found_by``: bit mask over :data:`ROOTS`, the kinds of start whose chains returned it;
    ``root_starts``, ``root_converged``: per :data:`ROOTS`, independent solves (paths) started and those that
    reached a verified point (by Newton or its fallback; paths: with at least one verified point);
    ``saturation``: (solves so far, unique points so far) after each solve; ``n_mirror_found``: -1 if not
    symmetric; ``iterations``: Newton iterations of each solve; ``cpu_time``: CPU seconds of the whole search;
    ``path_crossings``, ``path_solves``, ``path_points``, ``path_end`` (index into
    :data:`rnnchaos.homotopy.ENDS`): per homotopy path, sign changes of lambda, corrector solves, verified points
    and how the tracking ended.
    """

    x: np.ndarray
    residual: np.ndarray
    eigvals: np.ndarray
    n_unstable: np.ndarray
    kind: np.ndarray
    max_real_eig: np.ndarray
    spectral_radius: np.ndarray
    times_found: np.ndarray
    origin: np.ndarray
    found_by: np.ndarray
    root_starts: np.ndarray
    root_converged: np.ndarray
    n_solves: int
    n_converged: int
    saturation: tuple
    capture_recapture_estimate: float
    capture_recapture_se: float
    chapman_estimate: float
    chapman_se: float
    n_mirror_found: int
    slow_points: np.ndarray
    slow_q: np.ndarray
    iterations: np.ndarray
    n_fallback: int
    cpu_time: float
    path_crossings: np.ndarray
    path_solves: np.ndarray
    path_points: np.ndarray
    path_end: np.ndarray
    stability: str
    symmetric: bool
