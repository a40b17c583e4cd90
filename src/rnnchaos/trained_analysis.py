"""Dynamics of a FORCE-trained echo-state network with its input off (and its spectrum with the input on): fixed
points, PCA, Lyapunov spectra.

With ``u = 0`` and the readout fed back, the trained network of :mod:`rnnchaos.training` is autonomous,

    tau dx/dt = -x + J_eff phi(x),    J_eff = J + W_fb W_out    (no bias),

a rate network of this package's form with couplings ``J_eff`` and ``theta = 0`` once time is measured in
units of ``tau`` (``s = t / tau``). Hence (Sussillo & Barak, Neural Comput. 25, 626, 2013; seed 003):

* fixed points ``x* = J_eff phi(x*)`` by :func:`rnnchaos.fixed_points.find_fixed_points` on
  ``F(x) = (-x + J_eff phi(x)) / tau`` with Jacobian ``(-I + J_eff diag(phi'(x))) / tau`` (eigenvalues per time
  unit of ``dt``), from states of the test trial, midpoints of pairs of them (between memories, where saddles
  lie) and Gaussian draws of the trial's rms; for an odd ``phi`` (tanh, the default; the network's
  ``nonlinearity`` parameter) ``F`` is odd, so ``-x*`` and 0 are fixed points too. The index
  is the number of eigenvalues with positive real part; the readout ``z* = W_out phi(x*)`` says which memory
  a point holds;
* PCA: the top components of the test-trial states (centred), onto which fixed points and trial are projected;
* Lyapunov spectra: :func:`rnnchaos.lyapunov.lyapunov_spectrum` (a :class:`~rnnchaos.models.RateModel`) on
  ``J_eff`` and, for
  comparison, on the untrained reservoir ``J`` (``W_out = 0``), both with ``theta = 0`` and with the time
  rescaled: step ``dt / tau`` and durations in units of ``tau``, so exponents come out per ``tau`` (divide by
  ``tau`` for the task's time unit, done in ``*_exponent_per_time``). With ``dt / tau`` equal to training's,
  the exponents are those of the very Euler discretisation the network was trained in; beside them the spectrum
  with the input on, along the test trial's pulses (:mod:`rnnchaos.trained_input`, training's step);
* slow points (Sussillo & Barak 2013): :func:`rnnchaos.slow_points.find_slow_points` on the same flow (a
  :class:`~rnnchaos.models.RateModel` in ``s = t / tau``) from states of the test trial: local minima of
  ``q = |F|^2 / 2`` with ``0 < q <= slow_q_tol`` that are no fixed points, with ``q`` and eigenvalues converted to
  the fixed points' units (per time unit of ``dt``: ``q / tau^2``, ``mu / tau``).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import fixed_points, lyapunov, trained_input
from rnnchaos.models import RateModel
from rnnchaos.nonlinearity import TANH, Nonlinearity
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.slow_points import OUTCOMES, SlowPoints, find_slow_points
from rnnchaos.training import TrainedNetwork


@dataclass(frozen=True)
class TrainedAnalysis:
    """Fixed points (``fp``) with readouts ``readout`` (n_fp, n_bits), the nearest memory (corner of
    ``{-1, 1}^n_bits``, index ``corner``) and the max-norm distance to it; PCA ``components`` (n_pc, N) of the
    test states with ``mean``, ``explained`` variance ratios, projections ``fp_pc`` and ``trial_pc`` (at
    times ``trial_t``); Lyapunov
    spectra of the trained autonomous network and of the reservoir (per ``tau``); slow points ``slow`` (``q``
    and eigenvalues per time unit of ``dt``; None if not searched) with their projections ``slow_pc`` and
    readouts ``slow_readout``, and the median ``q`` along the test trial, ``trial_q_median``; the spectrum with
    the input on along the test trial, ``input_on`` (None if not computed)."""

    fp: fixed_points.FixedPoints
    readout: np.ndarray
    corner: np.ndarray
    corner_distance: np.ndarray
    components: np.ndarray
    mean: np.ndarray
    explained: np.ndarray
    fp_pc: np.ndarray
    trial_pc: np.ndarray
    trial_t: np.ndarray
    lyap_trained: lyapunov.LyapunovResult
    lyap_reservoir: lyapunov.LyapunovResult
    tau: float
    corner_tol: float
    nonlinearity: str = "tanh"
    slow: SlowPoints | None = None
    slow_pc: np.ndarray | None = None
    slow_readout: np.ndarray | None = None
    trial_q_median: float = np.nan
    input_on: trained_input.InputOnSpectrum | None = None

    @property
    def n_memories(self) -> int:
        """Distinct corners held by a stable fixed point within ``corner_tol``."""
        ok = (self.fp.n_unstable == 0) & (self.corner_distance < self.corner_tol)
        return int(np.unique(self.corner[ok]).size)


def autonomous_system(J_eff: np.ndarray, tau: float, nonlinearity: str | Nonlinearity = TANH):
    """``F(X) = (-X + phi(X) J_eff^T) / tau`` on batches (B, N) and its Jacobians (B, N, N): the rate network's
    (:meth:`rnnchaos.models.RateModel.fixed_point_system`) per time unit of ``dt``."""
    F, DF, _ = RateModel(J_eff, np.zeros(J_eff.shape[0]), nonlinearity).fixed_point_system()

    def field(X):
        return F(X) / tau

    def jacobian(X):
        return DF(X) / tau

    return field, jacobian


def initial_states(states: np.ndarray, n: int, *, rng: np.random.Generator, state_fraction: float = 0.5,
                   midpoint_fraction: float = 0.25) -> np.ndarray:
    """``n`` initial conditions: trial states, midpoints of random pairs of them, and Gaussian draws with the
    trial's rms per coordinate (fractions ``state_fraction``, ``midpoint_fraction``, the rest)."""
    if not (0 <= state_fraction and 0 <= midpoint_fraction and state_fraction + midpoint_fraction <= 1):
        raise ValueError(f"state_fraction and midpoint_fraction must be >= 0 with sum <= 1, got "
                         f"{state_fraction!r} and {midpoint_fraction!r}")
    n_s, n_m = int(state_fraction * n), int(midpoint_fraction * n)
    pick = rng.integers(0, states.shape[0], n_s + 2 * n_m)
    mid = 0.5 * (states[pick[n_s:n_s + n_m]] + states[pick[n_s + n_m:]])
    rms = float(np.sqrt(np.mean(states**2)))
    return np.concatenate([states[pick[:n_s]], mid, rms * rng.standard_normal((n - n_s - n_m, states.shape[1]))])


def pca(states: np.ndarray, n_pc: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top ``n_pc`` principal components (rows), the mean, and the explained-variance ratios of ``states``."""
    mean = states.mean(axis=0)
    _, s, Vt = np.linalg.svd(states - mean, full_matrices=False)
    var = s**2
    return Vt[:n_pc], mean, var[:n_pc] / var.sum()


def corners(n_bits: int) -> np.ndarray:
    """The ``2^n_bits`` memories ``{-1, 1}^n_bits``; row ``c = sum_b [z_b > 0] 2^(n_bits - 1 - b)``."""
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n_bits)))


def analyse_trained(net: TrainedNetwork, *, rng: np.random.Generator, n_init: int = 128, n_extra: int = 64,
                    tol: float = 1e-9, max_iter: int = 50, state_fraction: float = 0.5,
                    midpoint_fraction: float = 0.25, corner_tol: float = 0.2, n_pc: int = 3, k: int = 20,
                    dt: float | None = None, t_transient: float = 100.0, t_transient_tangent: float = 20.0,
                    t_sim: float = 200.0, t_ons: float = 1.0, n_batches: int = 10, n_slow_starts: int = 64,
                    slow_q_tol: float = 1e-4, slow_max_iter: int = 200, input_on: bool = True) -> TrainedAnalysis:
    """Fixed points, PCA, Lyapunov spectra (trained vs reservoir) and slow points of ``net`` with its input off,
    and the trained network's spectrum with its input on along the test trial (``input_on``).

    ``n_init`` independent Newton solves (see :func:`initial_states`) and ``n_extra`` deflated ones, residual
    ``|F|_inf < tol`` (F per time unit of ``dt``). ``k`` exponents; ``dt`` (default: training's ``dt / tau``)
    and the durations ``t_*`` are in units of ``tau``. The Lyapunov runs start from the last test state.
    ``n_slow_starts`` minimisations of ``q`` (at most ``slow_max_iter`` trust-region iterations each; 0: no slow-point
    search) from test-trial states keep the minima with ``q <= slow_q_tol`` (per time unit of ``dt`` squared)
    that Newton does not bring to ``|F|_inf < tol``. ``input_on`` (default True): the input-on spectrum
    (:func:`rnnchaos.trained_input.input_on_spectrum` with ``k``, ``t_transient_tangent``, ``t_ons``,
    ``n_batches``; always at training's step, at which the trial's input is sampled).
    Random numbers, in order: initial states, deflated solves, trained spectrum, reservoir spectrum, slow-point
    starts, input-on spectrum.
    """
    tau, h = float(net.params["tau"]), float(net.params["dt"]) / float(net.params["tau"])
    phi = get_nonlinearity(net.params.get("nonlinearity", "tanh"))
    if int(n_init) != n_init or n_init < 1:
        raise ValueError(f"n_init must be an integer >= 1, got {n_init!r}")
    if not 0 < corner_tol <= 1:
        raise ValueError(f"corner_tol must be in (0, 1], got {corner_tol!r}")
    if int(n_slow_starts) != n_slow_starts or n_slow_starts < 0:
        raise ValueError(f"n_slow_starts must be an integer >= 0, got {n_slow_starts!r}")
    J_eff = net.J_eff
    F, jac = autonomous_system(J_eff, tau, phi)
    x0s = initial_states(net.test_states, n_init, rng=rng, state_fraction=state_fraction,
                         midpoint_fraction=midpoint_fraction)
    fp = fixed_points.find_fixed_points(F, jac, x0s, tol=tol, max_iter=max_iter, symmetric=phi.odd, n_extra=n_extra,
                                        rng=rng)
    readout = phi.phi(fp.x) @ net.W_out.T
    c = corners(net.W_out.shape[0])
    dist = np.abs(readout[:, None, :] - c[None, :, :]).max(axis=2)
    comps, mean, explained = pca(net.test_states, n_pc)
    opts = dict(k=min(k, J_eff.shape[0]), t_transient=t_transient,
                t_transient_tangent=t_transient_tangent, t_sim=t_sim, t_ons=t_ons, n_batches=n_batches,
                x0=net.test_states[-1])
    theta = np.zeros(J_eff.shape[0])
    step = h if dt is None else dt
    lyap_trained = lyapunov.lyapunov_spectrum(trained_input.closed_loop_model(net, dt=step), rng=rng, **opts)
    lyap_reservoir = lyapunov.lyapunov_spectrum(RateModel(net.J, theta, phi, dt=step), rng=rng, **opts)
    speed = F(net.test_states)
    trial_q_median = float(np.median(0.5 * np.sum(speed**2, axis=1)))
    slow = slow_pc = slow_readout = None
    if n_slow_starts:
        slow = slow_points_per_time(find_slow_points(
            RateModel(J_eff, theta, phi, dt=h), net.test_states, rng=rng, n_starts=n_slow_starts,
            q_tol=slow_q_tol * tau**2, fixed_tol=tol * tau, max_iter=slow_max_iter), tau)
        slow_pc, slow_readout = (slow.x - mean) @ comps.T, phi.phi(slow.x) @ net.W_out.T
    driven = trained_input.input_on_spectrum(net, rng=rng, k=k, t_transient_tangent=t_transient_tangent, t_ons=t_ons,
                                             n_batches=n_batches) if input_on else None
    return TrainedAnalysis(
        fp=fp, readout=readout, corner=dist.argmin(axis=1) if dist.size else np.empty(0, dtype=int),
        corner_distance=dist.min(axis=1) if dist.size else np.empty(0), components=comps, mean=mean,
        explained=explained, fp_pc=(fp.x - mean) @ comps.T, trial_pc=(net.test_states - mean) @ comps.T,
        trial_t=net.test_t,
        lyap_trained=lyap_trained, lyap_reservoir=lyap_reservoir, tau=tau, corner_tol=corner_tol,
        nonlinearity=phi.name, slow=slow, slow_pc=slow_pc, slow_readout=slow_readout, trial_q_median=trial_q_median,
        input_on=driven)


def slow_points_per_time(sp: SlowPoints, tau: float) -> SlowPoints:
    """``sp`` of the flow in ``s = t / tau`` (``F_s = tau F_t``) in the units of time of ``dt``: ``q``,
    ``|grad q|`` and the Hessian of ``q`` divided by ``tau^2``, eigenvalues and ``fixed_tol`` by ``tau``."""
    t2 = tau**2
    return dataclasses.replace(sp, q=sp.q / t2, eigvals=sp.eigvals / tau, grad_norm=sp.grad_norm / t2,
                               hessian_min_eig=sp.hessian_min_eig / t2, end_q=sp.end_q / t2, q_tol=sp.q_tol / t2,
                               fixed_tol=sp.fixed_tol / tau)


def to_dataset(an: TrainedAnalysis) -> xr.Dataset:
    """One Dataset: ``fp_*`` (fixed points; unit dim ``unit``), PCA, ``trained_*`` (input off), ``input_on_*``
    (where computed) and ``reservoir_*`` spectra (dim ``exponent_index``; per tau, and ``*_exponent_per_time`` per
    time unit of dt); no grid coordinates."""
    fp = fixed_points.to_dataset(an.fp).rename({"i": "unit"})
    ds = _prefixed(fp, "fp_", keep_dims=("fp", "unit", "eig", "solve", "slow"))
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    kind = an.fp.n_unstable
    ds = ds.assign({
        "fp_readout": (("fp", "bit"), an.readout, a("readout z* = W_out phi(x*) at the fixed point")),
        "fp_corner": (("fp",), an.corner.astype(np.int16),
                      a("nearest memory c = sum_b [z_b > 0] 2^(n_bits-1-b), a corner of {-1,1}^n_bits")),
        "fp_corner_distance": (("fp",), an.corner_distance, a("max-norm distance of z* to the nearest corner")),
        "fp_pc": (("fp", "pc"), an.fp_pc, a("fixed points projected on the principal components")),
        "trial_pc": (("t", "pc"), an.trial_pc, a("test-trial states projected on the principal components")),
        "pca_components": (("pc", "unit"), an.components, a("principal axes of the test-trial states")),
        "pca_mean": (("unit",), an.mean, a("mean test-trial state")),
        "pca_explained": (("pc",), an.explained, a("fraction of the test-trial variance along the component")),
        "n_saddles": ((), int(np.sum((kind > 0) & (kind < an.fp.x.shape[1]))), a("saddles (0 < index < N)")),
        "n_memories": ((), an.n_memories, a(f"corners held by a stable fixed point within {an.corner_tol:g}")),
    })
    for name, res in (("trained", an.lyap_trained), ("reservoir", an.lyap_reservoir)):
        ly = lyapunov.to_dataset(res).rename({"i": "exponent_index", "t_running": f"{name}_t_running",
                                              "i_running": f"{name}_i_running"})
        ly = _prefixed(ly, f"{name}_", keep_dims=("exponent_index", f"{name}_t_running", f"{name}_i_running"))
        ly[f"{name}_exponent_per_time"] = (("exponent_index",), res.exponents / an.tau,
                                           a(f"Lyapunov exponent of the {name} network per time unit of dt",
                                             "1/(time unit of dt)"))
        ds = ds.merge(ly)
    ds["trained_exponent"].attrs["long_name"] = "Lyapunov exponent of the trained network, input off (per tau)"
    ds["reservoir_exponent"].attrs["long_name"] = "Lyapunov exponent of the untrained reservoir J (per tau)"
    if an.input_on is not None:
        ds = ds.merge(trained_input.to_dataset(an.input_on))
    if an.slow is not None:
        ds = ds.merge(_slow_dataset(an))
    ds = ds.assign_coords(t=("t", an.trial_t, a("test time", "time unit of dt")))
    ds.attrs.update(tau=an.tau, time_rescaling="Lyapunov runs in s = t / tau: step dt/tau, exponents per tau",
                    stability=an.fp.stability, nonlinearity=an.nonlinearity)
    return ds


def _slow_dataset(an: TrainedAnalysis) -> xr.Dataset:
    """The ``slow_*`` variables: slow points (dim ``slow_point``), every minimisation (``slow_start``), counts."""
    sp = an.slow
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    q_unit, rate = "1/(time unit of dt)^2", "1/(time unit of dt)"
    return xr.Dataset({
        "slow_x": (("slow_point", "unit"), sp.x, a("slow points: local minima of q = |F|^2/2 with 0 < q <= q_tol")),
        "slow_q": (("slow_point",), sp.q, a("q = |F|^2/2 at the slow point", q_unit)),
        "slow_eig_real": (("slow_point", "eig"), sp.eigvals.real, a("real part of the eigenvalues of DF", rate)),
        "slow_eig_imag": (("slow_point", "eig"), sp.eigvals.imag, a("imaginary part of the eigenvalues of DF", rate)),
        "slow_n_unstable": (("slow_point",), sp.n_unstable, a("eigenvalues of DF with positive real part")),
        "slow_times_found": (("slow_point",), sp.times_found, a("minimisations that ended at the slow point")),
        "slow_grad_norm": (("slow_point",), sp.grad_norm, a("|grad q| = |DF^T F| at the slow point", q_unit)),
        "slow_hessian_min_eig": (("slow_point",), sp.hessian_min_eig,
                                 a("smallest eigenvalue of the Hessian of q (>= 0: a minimum)", q_unit)),
        "slow_pc": (("slow_point", "pc"), an.slow_pc, a("slow points projected on the principal components")),
        "slow_readout": (("slow_point", "bit"), an.slow_readout, a("readout W_out phi(x) at the slow point")),
        "slow_start_q": (("slow_start",), sp.end_q, a("q at the end of each minimisation", q_unit)),
        "slow_start_outcome": (("slow_start",), sp.outcome.astype(np.int8), {
            **a("fate of the minimisation"), "flag_values": np.arange(len(OUTCOMES), dtype=np.int8),
            "flag_meanings": " ".join(OUTCOMES)}),
        "slow_start_iterations": (("slow_start",), sp.iterations, a("trust-region iterations of the minimisation")),
        "slow_q_tol": ((), sp.q_tol, a("largest q of a slow point", q_unit)),
        "slow_n_points": ((), sp.x.shape[0], a("distinct slow points found")),
        "slow_trial_q_median": ((), an.trial_q_median,
                                a("median q of the input-off flow at the test-trial states", q_unit)),
        "slow_cpu_time": ((), sp.cpu_time, a("CPU time of the slow-point search", "s")),
    })


def _prefixed(ds: xr.Dataset, prefix: str, *, keep_dims) -> xr.Dataset:
    """Prefix every variable and non-dimension coordinate of ``ds`` (dimension names in ``keep_dims`` kept)."""
    names = {v: prefix + v for v in ds.variables if v not in keep_dims}
    out = ds.rename(names)
    out.attrs = {}
    return out
