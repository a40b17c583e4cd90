"""A family of FORCE-trained flip-flop networks exported as PyTorch Elman RNNs: trained networks without torch.

With ``dt = tau`` the Euler step of the trained closed loop (:mod:`rnnchaos.training`) is a map,
``x_{n+1} = J r_n + W_fb z_n + W_in u_n`` with ``r_n = tanh(x_n)``, ``z_n = W_out r_n``, so the rates obey

    r_{n+1} = tanh(J_eff r_n + W_in u_n),    J_eff = J + W_fb W_out,

which is ``torch.nn.RNN`` (tanh, one layer, ``bias=False``) with ``weight_hh_l0 = J_eff`` and
``weight_ih_l0 = W_in``, hidden state ``h_n = r_n``; the readout is kept as ``readout.weight`` (outside the RNN's
keys: listed as ignored when the file is read). Its exponents are those of the trained network (``h = tanh(x)``
is a smooth conjugacy on the bounded trajectory). :func:`train_family` trains one network per ``(g, seed)``
(Sussillo & Abbott 2009's FORCE; measured here at N = 200 with 6000 training steps: test sign errors 0.3 % at
g = 0.8, 3.5 % at g = 1.4, about 50 % (failed) at g = 2.0, with ``input_scale = fb_scale = 1`` and an update
every step), and :func:`flipflop_inputs` draws flip-flop input sequences to drive the spectra with.
:func:`to_dataset` and :func:`from_dataset` carry a member through a pipeline file (the ``trained_rnn`` section's
``force_family``: weights, test MSE, or the training's failure status).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from rnnchaos import training
from rnnchaos.status import STATUS_CODES, NumericalFailure


@dataclass(frozen=True)
class FamilyMember:
    """One trained network: ``name`` (``g~{g}_seed~{seed}``), its ``state_dict`` (Elman layout plus
    ``readout.weight``), ``performance`` (test MSE), ``sign_error`` (test fraction of wrong signs), ``g``,
    ``seed`` and the training ``params``."""

    name: str
    state_dict: dict
    performance: float
    sign_error: float
    g: float
    seed: int
    params: dict


def export_elman(net: training.TrainedNetwork) -> dict[str, np.ndarray]:
    """The state dict of the Elman RNN equal to ``net`` (module docstring). Needs ``dt == tau`` and tanh units;
    otherwise the leaky Euler step is not an Elman cell and ``ValueError`` says so."""
    p = net.params
    if p.get("dt") != p.get("tau"):
        raise ValueError(f"an Elman RNN is the trained network only for dt == tau (a map), got dt = {p.get('dt')!r}, "
                         f"tau = {p.get('tau')!r}; train with tau=dt")
    if p.get("nonlinearity", "tanh") != "tanh":
        raise ValueError(f"an Elman RNN (tanh) needs nonlinearity 'tanh', got {p.get('nonlinearity')!r}")
    return {"weight_ih_l0": np.array(net.W_in, dtype=np.float64), "weight_hh_l0": np.array(net.J_eff),
            "readout.weight": np.array(net.W_out, dtype=np.float64)}


def train_family(*, gs, seeds, N: int = 200, train_time: float = 6000.0, test_time: float = 2000.0,
                 input_scale: float = 1.0, fb_scale: float = 1.0, update_every: int = 1, n_bits: int = 3,
                 **options) -> list[FamilyMember]:
    """Train one flip-flop network per ``g`` in ``gs`` and ``seed`` in ``seeds`` (``numpy.random.default_rng(seed)``
    each) with ``tau = dt = 1`` and export it (:func:`export_elman`). ``options``: further keywords of
    :func:`rnnchaos.training.train_flipflop` (pulse timing, ``alpha``)."""
    out = []
    for g in gs:
        for seed in seeds:
            net = training.train_flipflop(rng=np.random.default_rng(seed), N=N, g=float(g), tau=1.0, dt=1.0,
                                          train_time=train_time, test_time=test_time, input_scale=input_scale,
                                          fb_scale=fb_scale, update_every=update_every, n_bits=n_bits, **options)
            out.append(FamilyMember(name=f"g~{float(g):g}_seed~{seed}", state_dict=export_elman(net),
                                    performance=net.test_mse, sign_error=net.test_sign_error, g=float(g),
                                    seed=int(seed), params=dict(net.params)))
    return out


def flipflop_inputs(*, rng: np.random.Generator, batch: int, steps: int, n_bits: int = 3, **task) -> np.ndarray:
    """``batch`` flip-flop input sequences (batch, steps, n_bits) of the task the family was trained on
    (:func:`rnnchaos.training.flipflop_task` at ``dt = 1``; ``task``: its pulse keywords)."""
    return np.stack([training.flipflop_task(steps, rng=rng, n_bits=n_bits, dt=1.0, **task).inputs
                     for _ in range(batch)])


def to_dataset(member: FamilyMember) -> xr.Dataset:
    """A trained member as a Dataset (the pipeline's file of rule ``trained_rnn_force_family``): its Elman state
    dict (``weight_ih_l0``, ``weight_hh_l0``, ``readout_weight``), ``performance`` (test MSE) and ``sign_error``;
    :func:`from_dataset` reads it back."""
    sd = member.state_dict
    a = lambda ln: {"units": "1", "long_name": ln}  # noqa: E731
    return xr.Dataset({
        "weight_ih_l0": (("hidden", "input"), sd["weight_ih_l0"], a("input weights W_in (PyTorch weight_ih_l0)")),
        "weight_hh_l0": (("hidden", "hidden_in"), sd["weight_hh_l0"],
                         a("recurrent weights J + W_fb W_out of the trained closed loop (PyTorch weight_hh_l0)")),
        "readout_weight": (("output", "hidden"), sd["readout.weight"], a("readout weights W_out")),
        "performance": ((), float(member.performance), a("test mean squared error of the readout (performance)")),
        "sign_error": ((), float(member.sign_error), a("test fraction of readout signs that differ from the target")),
    })


def from_dataset(ds: xr.Dataset) -> tuple[dict[str, np.ndarray], float]:
    """The state dict (PyTorch keys, ``readout.weight`` outside the RNN's) and the performance of a file of
    :func:`to_dataset`; :class:`rnnchaos.status.NumericalFailure` with the training's own status where it failed."""
    status = int(np.ravel(ds["status"].values)[0]) if "status" in ds else 0
    if status != 0:
        name = {v: k for k, v in STATUS_CODES.items()}.get(status, "diverged")
        raise NumericalFailure(name,
                               f"training failed: {ds['status'].attrs.get('detail', '')}")
    arrays = {k: np.asarray(ds[k].values, dtype=np.float64) for k in ("weight_ih_l0", "weight_hh_l0")}
    arrays["readout.weight"] = np.asarray(ds["readout_weight"].values, dtype=np.float64)
    return arrays, float(np.ravel(ds["performance"].values)[0])
