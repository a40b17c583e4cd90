"""Robustness of a trained flip-flop network to noise on its recurrent weights (seed 003, sec. 8 and its Fig. 9).

For each ``eta``, ``n_draws`` perturbed networks ``J + eta Z`` (``Z_ij ~ N(0, 1)`` independent, so the noise has
standard deviation ``eta`` per weight, as in the seed; the reservoir's own weights have s.d. ``g / sqrt(N)``) run
one fresh test trial of the flip-flop task with the readout frozen (:func:`rnnchaos.training.run_network`, from the
state the network's stored test trial starts in). The error is the test mean squared error ``<(z - f)^2>`` over all
steps and bits; a network whose output diverges counts as ``inf``. Every ``eta`` sees the same test trial, and
draw ``k`` of every ``eta`` the same ``Z`` (common random numbers: smooth curves), and all random numbers come from
the one generator, so a seed fixes the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import training
from rnnchaos.nonlinearity import get as get_nonlinearity
from rnnchaos.training_study import task_settings


@dataclass(frozen=True)
class NoiseRobustness:
    """``mse`` (n_eta, n_draws) at noise levels ``eta``; the unperturbed network's ``mse0`` on the same trial."""

    eta: np.ndarray
    mse: np.ndarray
    mse0: float

    @property
    def mean(self) -> np.ndarray:
        return self.mse.mean(axis=1)

    @property
    def sem(self) -> np.ndarray:
        n = self.mse.shape[1]
        return self.mse.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(self.eta.size)


def noise_robustness(net: training.TrainedNetwork, eta, *, rng: np.random.Generator, n_draws: int = 5,
                     test_time: float = 2000.0) -> NoiseRobustness:
    """Test MSE of ``net`` with noise of s.d. ``eta`` (each >= 0) added to ``J``, ``n_draws`` draws each, over a
    test trial of ``test_time`` (time units). Random numbers, in order: the test pulses, then the ``n_draws``
    noise matrices."""
    eta = np.atleast_1d(np.asarray(eta, dtype=float))
    if eta.ndim != 1 or eta.size < 1 or not np.all(np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError(f"eta must be a list of finite numbers >= 0, got {eta.tolist()!r}")
    if int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be an integer >= 1, got {n_draws!r}")
    if not (np.isfinite(test_time) and test_time > 0):
        raise ValueError(f"test_time must be a finite number > 0, got {test_time!r}")
    task = task_settings(net)
    trial = training.flipflop_task(max(1, int(round(test_time / task["dt"]))), rng=rng, **task)
    phi = get_nonlinearity(net.params.get("nonlinearity", "tanh")).phi
    opts = dict(tau=float(net.params["tau"]), dt=task["dt"], phi=phi)
    x0 = net.test_states[0]

    def mse(J):
        with np.errstate(over="ignore", invalid="ignore"):
            _, z, _, _ = training.run_network(J, net.W_fb, net.W_in, net.W_out, trial.inputs, x0, **opts)
            err = float(np.mean((z - trial.targets) ** 2))
        return err if np.isfinite(err) else np.inf

    Z = [rng.standard_normal(net.J.shape) for _ in range(int(n_draws))]
    out = np.array([[mse(net.J + e * z) for z in Z] for e in eta])
    return NoiseRobustness(eta=eta, mse=out, mse0=mse(net.J))


def to_dataset(nr: NoiseRobustness) -> xr.Dataset:
    """The study as a Dataset (dims ``eta``, ``draw``)."""
    a = lambda ln, u="1": {"units": u, "long_name": ln}  # noqa: E731
    return xr.Dataset(
        {
            "mse": (("eta", "draw"), nr.mse, a("test MSE <(z - f)^2> with noise on J (inf: diverged)")),
            "mse_mean": (("eta",), nr.mean, a("mean test MSE over the draws")),
            "mse_sem": (("eta",), nr.sem, a("standard error of the mean test MSE over the draws")),
            "mse0": ((), nr.mse0, a("test MSE of the unperturbed network on the same trial")),
        },
        coords={"eta": ("eta", nr.eta, a("s.d. of the Gaussian noise added to each recurrent weight"))},
    )
