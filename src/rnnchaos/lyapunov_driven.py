"""Lyapunov spectra of an input-driven model along given input sequences (Vogt et al. 2022; Engelken et al. 2020).

For each sequence ``u_0 .. u_{T-1}`` (:mod:`rnnchaos.driven_inputs`) a model (:class:`rnnchaos.model.Model`
with ``n_inputs > 0``, e.g. :class:`rnnchaos.rnn_stack.RNNStack`) runs ``x_{t+1} = S(x_t, u_t)`` from ``x0``
(default 0, PyTorch's ``h_0``). The first ``warmup`` steps move the state only; then an orthonormal ``n x k``
frame ``Q`` (Gaussian, from ``rng``) follows ``Q <- DS(x_t, u_t) Q`` (``model.tangent``), re-orthonormalised by
a Householder QR every ``t_ons`` steps (Benettin et al. 1980; Shimada & Nagashima 1979) and once at the end of
the sequence. QRs within the next ``warmup_tangent`` steps align the frame and are discarded; the remaining
``n_acc`` steps give ``lambda_i = sum log R_ii / (n_acc * time_step)`` (per step for a cell).

Error bars: across sequences, the mean and its standard error ``std / sqrt(batch)`` (ddof 1); within a
sequence, batch means: the accumulated QR intervals split into ``n_batches`` consecutive blocks, each block's
exponents, and their standard error. The frames and states come from :class:`rnnchaos.lyapunov_kernel.ModelWorkspace`
(extended here by the input) and :func:`rnnchaos.lyapunov_kernel.qr_step` (divergence check, QR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos.driven_inputs import check_inputs
from rnnchaos.lyapunov_kernel import ModelWorkspace, qr_step
from rnnchaos.lyapunov_schedule import frame_spread, spread_bound
from rnnchaos.status import NumericalFailure


class DrivenWorkspace(ModelWorkspace):
    """:class:`rnnchaos.lyapunov_kernel.ModelWorkspace` whose step ``t`` reads ``inputs[t]`` (``(T, d)``) from
    position ``t0``; ``log_det_sum`` (with ``exact_log_det``) sums ``log|det DS(x_t, u_t)|``."""

    def __init__(self, model, x, Q, inputs: np.ndarray, *, t0: int = 0, exact_log_det: bool = False):
        super().__init__(model, x, Q, exact_log_det=exact_log_det)
        self.inputs, self.t = inputs, t0

    def advance(self, n_steps: int) -> None:
        model = self.model
        for u in self.inputs[self.t:self.t + n_steps]:
            if self.exact_log_det:
                self.log_det_sum += np.linalg.slogdet(model.jacobian(self.x, u))[1]
            self.Q = np.asarray(model.tangent(self.x, self.Q, u), dtype=np.float64)
            self.x = np.asarray(model.step(self.x, u), dtype=np.float64)
        self.t += n_steps
        self.n_steps += n_steps
        self.steps_total += n_steps


@dataclass(frozen=True)
class DrivenLyapunov:
    """The first ``k`` exponents along ``batch`` sequences (per ``time_step``).

    ``exponents``, ``sem`` (k,): mean over sequences and its standard error (NaN for one sequence);
    ``per_sequence`` (batch, k); ``batch_exponents`` (batch, n_batches, k) and ``batch_sem`` (batch, k): the
    batch means within each sequence and their standard error; ``log_det_mean`` (batch,): time average of
    ``log|det DS|`` over the accumulated steps (NaN unless ``exact_log_det``), which equals the sum of all ``n``
    exponents; ``final_states`` (batch, n); diagnostics ``n_steps`` (accumulated steps per sequence), ``n_qr``
    (accumulated QRs per sequence), ``warmup``, ``warmup_tangent``, ``t_ons``, ``time_step``, ``spread_max`` (the
    largest R-diagonal spread of one accumulated interval, e-folds, over all sequences).
    """

    exponents: np.ndarray
    sem: np.ndarray
    per_sequence: np.ndarray
    batch_exponents: np.ndarray
    batch_sem: np.ndarray
    log_det_mean: np.ndarray
    final_states: np.ndarray
    n_steps: int
    n_qr: int
    warmup: int
    warmup_tangent: int
    t_ons: int
    time_step: float
    spread_max: float = float("nan")


def qr_intervals(n_steps: int, t_ons: int) -> list[int]:
    """Steps between consecutive QRs covering ``n_steps``: ``t_ons`` each, the last one shorter if needed."""
    return [t_ons] * (n_steps // t_ons) + ([n_steps % t_ons] if n_steps % t_ons else [])


def driven_lyapunov_spectrum(model, inputs, *, k: int, rng: np.random.Generator, warmup: int = 100,
                             warmup_tangent: int = 100, t_ons: int = 1, n_batches: int = 10, x0=None,
                             exact_log_det: bool = False) -> DrivenLyapunov:
    """The first ``k`` Lyapunov exponents of ``model`` along each sequence of ``inputs`` (module docstring).

    ``inputs``: (batch, T, d) with ``d = model.n_inputs``; ``k``: 1 .. ``model.n``; ``warmup`` (default 100),
    ``warmup_tangent`` (100): steps of state-only and of frame-alignment transient, ``warmup + warmup_tangent <
    T``; ``t_ons`` (1): steps between QRs (an integer >= 1); ``n_batches`` (10): blocks for the batch means
    (at most the number of accumulated QR intervals); ``x0``: (n,) or (batch, n) initial states (default 0);
    ``rng``: draws one Gaussian ``n x k`` frame per sequence, in order; ``exact_log_det``: also sum
    ``log|det DS|`` (``O(n^3)`` per step). Raises ``ValueError`` for bad arguments and
    :class:`rnnchaos.status.NumericalFailure` ("diverged", "qr_breakdown": also an interval whose R-diagonal spread
    exceeds :func:`~rnnchaos.lyapunov_schedule.spread_bound` for float64).
    """
    n = model.n
    U = check_inputs(inputs, model.n_inputs)
    B, T, _ = U.shape
    for name, v, lo in (("k", k, 1), ("warmup", warmup, 0), ("warmup_tangent", warmup_tangent, 0),
                        ("t_ons", t_ons, 1), ("n_batches", n_batches, 1)):
        if not (isinstance(v, (int, np.integer)) and v >= lo):
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if k > n:
        raise ValueError(f"k must be an integer in [1, {n}] (the state size), got {k}")
    n_acc = T - warmup - warmup_tangent
    if n_acc < 1:
        raise ValueError(f"warmup + warmup_tangent must be < T = {T} (the sequence length), got {warmup} + "
                         f"{warmup_tangent}")
    acc = qr_intervals(n_acc, t_ons)
    if n_batches > len(acc):
        raise ValueError(f"n_batches must be <= {len(acc)} (the accumulated QR intervals), got {n_batches}")
    X0 = np.zeros((B, n)) if x0 is None else np.broadcast_to(np.asarray(x0, dtype=np.float64), (B, n))
    blocks = np.array_split(np.arange(len(acc)), n_batches)
    steps = np.asarray(acc, dtype=float)
    per_seq, batch_exps = np.empty((B, k)), np.empty((B, n_batches, k))
    log_det, finals = np.full(B, np.nan), np.empty((B, n))
    spread_max, bound = 0.0, spread_bound("float64")
    for b in range(B):
        x = X0[b].copy()
        for u in U[b, :warmup]:
            x = model.step(x, u)
        Q = np.linalg.qr(rng.standard_normal((n, k)))[0]
        ws = DrivenWorkspace(model, x, Q, U[b], t0=warmup, exact_log_det=exact_log_det)
        for m in qr_intervals(warmup_tangent, t_ons):
            qr_step(ws, m)
        ws.reset_sums()
        logs = np.empty((len(acc), k))  # log R_ii of each accumulated QR
        for q, m in enumerate(acc):
            logs[q] = qr_step(ws, m)
            spread = frame_spread(ws, logs[q])
            if not spread <= bound:
                raise NumericalFailure("qr_breakdown", (
                    f"t_ons = {t_ons} steps: the R-diagonal spread of one interval is {spread:.1f} e-folds, beyond "
                    f"the float64 bound {bound:.1f} (sequence {b}, after {ws.steps_total} steps); use a shorter "
                    f"t_ons"))
            spread_max = max(spread_max, spread)
        per_seq[b] = logs.sum(axis=0) / (n_acc * ws.h)
        batch_exps[b] = np.stack([logs[i].sum(axis=0) / (steps[i].sum() * ws.h) for i in blocks])
        if exact_log_det:
            log_det[b] = ws.log_det_sum / (n_acc * ws.h)
        finals[b] = ws.state()
    sem = per_seq.std(axis=0, ddof=1) / np.sqrt(B) if B > 1 else np.full(k, np.nan)
    bsem = batch_exps.std(axis=1, ddof=1) / np.sqrt(n_batches) if n_batches > 1 else np.full((B, k), np.nan)
    return DrivenLyapunov(exponents=per_seq.mean(axis=0), sem=sem, per_sequence=per_seq, batch_exponents=batch_exps,
                          batch_sem=bsem, log_det_mean=log_det, final_states=finals, n_steps=n_acc, n_qr=len(acc),
                          warmup=warmup, warmup_tangent=warmup_tangent, t_ons=t_ons,
                          time_step=float(model.time_step), spread_max=spread_max)


def to_dataset(result: DrivenLyapunov, *, time_unit: str = "step") -> xr.Dataset:
    """The result as a Dataset (dims ``i`` exponent, ``sequence``, ``batch``); no grid coordinates or attributes."""
    r = result
    ru = f"1/{time_unit}"
    B, nb, k = r.batch_exponents.shape

    def scalar(v, long_name):
        return ((), np.asarray(v, dtype=np.int64), {"units": "1", "long_name": long_name})

    return xr.Dataset(
        {
            "exponent": ("i", r.exponents, {"units": ru, "long_name": "Lyapunov exponent, mean over sequences"}),
            "exponent_sem": ("i", r.sem, {"units": ru, "long_name": f"standard error over the {B} sequences"}),
            "exponent_per_sequence": (("sequence", "i"), r.per_sequence,
                                      {"units": ru, "long_name": "Lyapunov exponent along each sequence"}),
            "batch_exponent": (("sequence", "batch", "i"), r.batch_exponents,
                               {"units": ru, "long_name": f"exponent of each of {nb} consecutive blocks of QRs"}),
            "batch_sem": (("sequence", "i"), r.batch_sem,
                          {"units": ru, "long_name": f"standard error within a sequence ({nb} batch means)"}),
            "log_det_mean": ("sequence", r.log_det_mean,
                             {"units": ru, "long_name": "time-averaged log|det DS| (sum of all exponents); NaN if "
                                                        "not computed"}),
            "n_steps": scalar(r.n_steps, "accumulated steps per sequence"),
            "n_qr": scalar(r.n_qr, "accumulated QR re-orthonormalisations per sequence"),
            "warmup": scalar(r.warmup, "state-only warm-up steps"),
            "warmup_tangent": scalar(r.warmup_tangent, "frame-alignment steps (QRs discarded)"),
            "t_ons": scalar(r.t_ons, "steps between QRs"),
            "spread_max": ((), np.float64(r.spread_max),
                           {"units": "1", "long_name": "largest R-diagonal spread of one accumulated QR interval, log "
                                                       "max_j |z_j| - log min_j R_jj (e-folds)"}),
        },
        coords={"i": np.arange(k), "sequence": np.arange(B), "batch": np.arange(nb)},
    )
