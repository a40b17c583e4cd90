"""Simulation stage: trajectories, the population variance Delta0 and the autocorrelation Delta(tau).

For the rate network (forward Euler or RK4, step ``dt``) the recorded variable is ``x``; for the map it is the
pre-activation ``a`` (so that Delta0 is the mean-field ``q*``). The autocorrelation is the raw (not mean-subtracted)
population average used by dynamical mean-field theory (Sompolinsky, Crisanti & Sommers 1988),

    Delta(tau) = (1/N) sum_i < x_i(t) x_i(t + tau) >_t ,

which tends to the static part Delta_inf = (1/N) sum_i <x_i>_t^2 > 0 when the biases are quenched (sigma_b > 0).
Standard errors come from ``n_blocks`` consecutive time blocks (batch means): each block gives an estimate, the
reported value is their mean and the error their standard error of the mean.

With noise (a model with ``sigma_xi > 0``, :mod:`rnnchaos.noise`) the recorded trajectory draws its step noise from
``noise_rng`` (the pipeline's ``rng_for(N, seed, "noise")``, the stream the Lyapunov stage of the same network
draws, so that both follow one noise path from the shared initial state) and the replica, which measures the frozen
variance, its own independent noise from ``rng``: two replicas driven by one noise path would synchronise wherever
the noise makes the dynamics contracting, and their overlap would then be Delta0, not Delta_inf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import attractor, dynamics, models
from rnnchaos.noise import ColumnNoise, NoiseStream, stream
from rnnchaos.nonlinearity import TANH, Nonlinearity


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate`; times in units of the time constant (rate) or steps (map, other models)."""

    model: str
    t: np.ndarray               # (n_rec,) sample times after the transient
    units: np.ndarray           # (n_units,) indices of the stored units
    trajectory: np.ndarray      # (n_rec, n_units)
    snapshots: np.ndarray       # (n_snapshots, N) full states spread over the recording
    tau: np.ndarray             # (n_tau,) lags
    delta: np.ndarray           # (n_tau,) autocorrelation, block mean
    delta_sem: np.ndarray       # (n_tau,) standard error over blocks
    delta0: float               # Delta(0)
    delta0_sem: float
    mean_activity: float        # population-and-time mean of phi(x)
    n_steps: int                # integration steps after the transient
    n_blocks: int
    delta_inf_overlap: float    # frozen variance from the overlap of two replicas (same network)
    delta_inf_overlap_sem: float
    delta_inf_time: float       # frozen variance (1/N) sum_i <x_i>^2 over time blocks (biased upwards)
    delta_inf_time_sem: float
    end_speed: float            # rms speed |F(x)| / sqrt(N) at the last sample (0 at a fixed point)
    recurrence: float           # closest return of the last state to the earlier path, / fluctuation radius
    recurrence_lag: float       # time back to that closest return
    time_unit: str = "tau"      # "tau" (rate) or "step"
    nonlinearity: str = "tanh"  # the name of the model's phi (mean_activity is its mean)
    sigma_xi: float = 0.0       # noise amplitude of the model


def simulate(model, J: np.ndarray | None = None, theta: np.ndarray | None = None, *, rng: np.random.Generator,
             dt: float | None = None, t_transient: float = 100.0, t_sim: float = 400.0, sample_dt: float = 1.0,
             tau_max: float = 20.0, n_blocks: int = 10, n_units_stored: int = 5, n_snapshots: int = 16,
             method: str | None = None, x0: np.ndarray | None = None,
             progress: Callable[[int, int], None] | None = None,
             noise_rng: np.random.Generator | None = None) -> Simulation:
    """Integrate ``model`` from ``x0`` (default: standard-normal draw from ``rng``) and measure Delta(tau).

    ``model``: any :class:`rnnchaos.model.Model` whose ``step`` takes states as columns (the networks of
    :mod:`rnnchaos.models`), or a name with ``J``, ``theta``, ``dt``, ``method`` (:func:`rnnchaos.models.as_model`).
    ``mean_activity`` is the mean of the model's ``phi`` (``nonlinearity``; tanh if it has none).

    ``progress(done, total)``, if given, is called after each recorded sample (e.g. a
    :class:`rnnchaos.progress.ProgressLog`).

    ``noise_rng``: the generator of the trajectory's step noise (row ``n`` of :class:`rnnchaos.noise.NoiseStream`
    at step ``n`` from ``x0``), needed when the model has ``sigma_xi > 0`` and never touched otherwise (results
    are then bitwise those of a call without it); the replica's noise comes from ``rng`` (module docstring).

    Raises ``ValueError`` for arguments out of range and :class:`rnnchaos.status.NumericalFailure` if the state
    diverges.
    """
    model = models.as_model(model, J, theta, dt=dt, method=method)
    N, step_dt = model.n, model.time_step
    if t_transient < 0 or t_sim <= 0:
        raise ValueError(f"t_transient must be >= 0 and t_sim > 0, got {t_transient!r}, {t_sim!r}")
    every = int(round(sample_dt / step_dt))
    if every < 1 or not np.isclose(every * step_dt, sample_dt):
        raise ValueError(f"sample_dt must be a positive multiple of the step {step_dt:g}, got {sample_dt!r}")
    n_rec = int(round(t_sim / sample_dt))
    n_lag = int(round(tau_max / sample_dt))
    if not 2 <= n_blocks <= n_rec:
        raise ValueError(f"n_blocks must be in [2, {n_rec}] (number of samples), got {n_blocks!r}")
    if not 0 <= n_lag < n_rec // n_blocks:
        raise ValueError(f"tau_max must be in [0, t_sim / n_blocks = {t_sim / n_blocks:g}), got {tau_max!r}")
    if not 0 <= n_units_stored <= N or not 0 <= n_snapshots <= n_rec:
        raise ValueError(f"n_units_stored must be in [0, {N}] and n_snapshots in [0, {n_rec}]")

    noise = stream(model, noise_rng)
    x = rng.standard_normal(N) if x0 is None else np.array(x0, dtype=float)
    # column 0: the recorded trajectory; column 1: a replica of the same network from an independent start
    X = np.column_stack([x, rng.standard_normal(N)])
    if noise is not None:  # the trajectory's noise path, and the replica's own
        noise = ColumnNoise([noise, NoiseStream(rng, N)])
    X = dynamics.run(model, X, n_steps=int(round(t_transient / step_dt)), noise=noise)
    record = np.empty((n_rec, N))
    overlap = np.empty(n_rec)
    for n in range(n_rec):
        for _ in range(every):
            X = model.step(X) if noise is None else model.step(X, xi=noise.next())
        record[n] = X[:, 0]
        overlap[n] = X[:, 0] @ X[:, 1] / N
        if (n + 1) % 50 == 0 or n + 1 == n_rec:
            dynamics.check_finite(X, t=t_transient + (n + 1) * sample_dt)
        if progress is not None:
            progress(n + 1, n_rec)

    blocks = autocorrelation_blocks(record, n_lag=n_lag, n_blocks=n_blocks)
    delta, delta_sem = blocks.mean(axis=0), blocks.std(axis=0, ddof=1) / np.sqrt(n_blocks)
    snap_idx = np.linspace(0, n_rec - 1, n_snapshots).astype(int)
    frozen = frozen_variance_blocks(record, overlap, n_blocks=n_blocks)
    recurrence, recurrence_lag = attractor.recurrence_distance(record)
    return Simulation(
        model=model.name, t=t_transient + sample_dt * np.arange(1, n_rec + 1),
        units=np.arange(n_units_stored), trajectory=record[:, :n_units_stored].copy(),
        snapshots=record[snap_idx].copy(), tau=sample_dt * np.arange(n_lag + 1), delta=delta,
        delta_sem=delta_sem, delta0=float(delta[0]), delta0_sem=float(delta_sem[0]),
        mean_activity=float(_phi(model).phi(record).mean()), n_steps=n_rec * every, n_blocks=n_blocks,
        delta_inf_overlap=float(frozen[0].mean()), delta_inf_overlap_sem=_sem(frozen[0]),
        delta_inf_time=float(frozen[1].mean()), delta_inf_time_sem=_sem(frozen[1]),
        end_speed=attractor.end_speed(model, record[-1]), recurrence=recurrence,
        recurrence_lag=sample_dt * recurrence_lag, time_unit=models.time_unit(model), nonlinearity=_phi(model).name,
        sigma_xi=float(getattr(model, "sigma_xi", 0.0)),
    )


def _phi(model) -> Nonlinearity:
    return getattr(model, "phi", TANH)


def frozen_variance_blocks(record: np.ndarray, overlap: np.ndarray, *, n_blocks: int) -> np.ndarray:
    """Two estimators of the frozen (static) variance Delta_inf per time block, shape (2, n_blocks).

    Row 0, the replica overlap ``q_ab = (1/N) sum_i <x_i^a(t) x_i^b(t)>_t`` of two trajectories of the same network
    from independent starts (``overlap`` holds its per-sample values): on one ergodic attractor its expectation is
    ``(1/N) sum_i <x_i>^2`` exactly, at any block length. Row 1, the time-average estimator
    ``(1/N) sum_i <x_i>_block^2``, biased upwards by the temporal fluctuations left in a finite block (about
    ``2 tau_c (Delta0 - Delta_inf) / T_block``). The two agree when the blocks are long against the correlation
    time; a replica overlap below the time average by more than that also flags replicas on different attractors.
    """
    L = record.shape[0] // n_blocks
    out = np.empty((2, n_blocks))
    for b in range(n_blocks):
        seg = slice(b * L, (b + 1) * L)
        out[0, b] = overlap[seg].mean()
        out[1, b] = np.mean(record[seg].mean(axis=0) ** 2)
    return out


def _sem(blocks: np.ndarray) -> float:
    return float(blocks.std(ddof=1) / np.sqrt(blocks.size))


def autocorrelation_blocks(record: np.ndarray, *, n_lag: int, n_blocks: int) -> np.ndarray:
    """Population autocorrelation per time block, shape (n_blocks, n_lag + 1).

    Block ``b`` uses the samples ``record[b*L : (b+1)*L]`` (``L = n_rec // n_blocks``) and, for lag ``m``,
    averages ``x_i(t) x_i(t+m)`` over all units and the ``L - m`` pairs inside the block (FFT, zero padded).
    """
    n_rec, _ = record.shape
    L = n_rec // n_blocks
    out = np.empty((n_blocks, n_lag + 1))
    nfft = 1 << int(np.ceil(np.log2(2 * L)))
    for b in range(n_blocks):
        seg = record[b * L:(b + 1) * L]
        spec = np.fft.rfft(seg, n=nfft, axis=0)
        acf = np.fft.irfft((spec * spec.conj()).real.sum(axis=1), n=nfft)[: n_lag + 1]
        out[b] = acf / ((L - np.arange(n_lag + 1)) * seg.shape[1])
    return out


def to_dataset(sim: Simulation) -> xr.Dataset:
    """Dataset of a simulation, every variable with ``units`` and ``long_name``."""
    tu = sim.time_unit  # "tau" or "step": the one spelling of every stage (tests/unit/test_units.py)
    return xr.Dataset(
        {
            "trajectory": (("t", "unit"), sim.trajectory,
                           {"units": "1", "long_name": f"{_state_name(sim.model)} of the stored units"}),
            "snapshot": (("snapshot", "i"), sim.snapshots,
                         {"units": "1", "long_name": "full network states sampled along the trajectory"}),
            "delta": (("tau",), sim.delta, {"units": "1", "long_name": "population autocorrelation Delta(tau)"}),
            "delta_sem": (("tau",), sim.delta_sem,
                          {"units": "1", "long_name": "standard error of Delta(tau) over time blocks"}),
            "delta0": ((), sim.delta0, {"units": "1", "long_name": "population variance Delta0 = Delta(0)"}),
            "delta0_sem": ((), sim.delta0_sem, {"units": "1", "long_name": "standard error of Delta0"}),
            "mean_activity": ((), sim.mean_activity,
                              {"units": "1", "long_name": f"mean of {sim.nonlinearity}(state) over units and time"}),
            "n_steps": ((), sim.n_steps, {"units": "1", "long_name": "integration steps after the transient"}),
            "n_blocks": ((), sim.n_blocks, {"units": "1", "long_name": "time blocks used for standard errors"}),
            "delta_inf_overlap": ((), sim.delta_inf_overlap, {"units": "1", "long_name":
                                  "frozen variance Delta_inf: overlap of two replicas of the network"}),
            "delta_inf_overlap_sem": ((), sim.delta_inf_overlap_sem,
                                      {"units": "1", "long_name": "standard error of delta_inf_overlap"}),
            "delta_inf_time": ((), sim.delta_inf_time, {"units": "1", "long_name":
                               "frozen variance Delta_inf: (1/N) sum_i <x_i>^2 over time blocks (biased upwards)"}),
            "delta_inf_time_sem": ((), sim.delta_inf_time_sem,
                                   {"units": "1", "long_name": "standard error of delta_inf_time"}),
            "end_speed": ((), sim.end_speed, {"units": "1", "long_name": "rms speed |F(x)|/sqrt(N) at the end"}),
            "recurrence": ((), sim.recurrence, {"units": "1", "long_name":
                           "closest return of the final state to its earlier path / fluctuation radius"}),
            "recurrence_lag": ((), sim.recurrence_lag, {"units": tu, "long_name": "time back to that return"}),
        },
        coords={
            "t": ("t", sim.t, {"units": tu, "long_name": "time"}),
            "unit": ("unit", sim.units, {"units": "1", "long_name": "unit index"}),
            "tau": ("tau", sim.tau, {"units": tu, "long_name": "lag"}),
        },
        attrs={"model": sim.model, "nonlinearity": sim.nonlinearity, "sigma_xi": sim.sigma_xi},
    )


def _state_name(model: str) -> str:
    return {"rate": "activation x", "map": "pre-activation a"}.get(model, "state")
