"""One layer of PyTorch's recurrent cells (Elman RNN with tanh or ReLU, GRU, LSTM): the step and its linearisation.

Equations and gate order are PyTorch's (``torch.nn.RNN``, ``GRU``, ``LSTM``; Cho et al. 2014, Hochreiter &
Schmidhuber 1997), with input ``v``, hidden state ``h`` (and cell state ``c``), and the weights of one layer in
PyTorch's layout, ``W_ih`` (G H, d), ``W_hh`` (G H, H), ``b_ih``, ``b_hh`` (G H), gates stacked in blocks of H rows:

* Elman (G = 1): ``h' = phi(W_ih v + b_ih + W_hh h + b_hh)``, ``phi`` = tanh or ReLU;
* GRU (G = 3; blocks r, z, n): ``r = sigma(W_ir v + b_ir + W_hr h + b_hr)``, ``z`` likewise,
  ``n = tanh(W_in v + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``;
* LSTM (G = 4; blocks i, f, g, o): ``i, f, o = sigma(.)``, ``g = tanh(.)`` of ``W_ih v + b_ih + W_hh h + b_hh``,
  ``c' = f * c + i * g``, ``h' = o * tanh(c')``.

Each cell offers ``forward(w, v, h, c)`` -> ``(h', c', cache)`` on column batches (``v`` (d, B), ``h``, ``c``
(H, B); ``c`` is None for Elman and GRU) and ``jvp(w, cache, dv, dh, dc)`` -> ``(dh', dc')``, the exact
derivative of the step applied to perturbation columns (``dv`` (d, k) or None for an unperturbed input, ``dh``,
``dc`` (H, k)); the cache of a single state (B = 1) broadcasts over the k columns. Multi-layer stacks and the
model protocol are in :mod:`rnnchaos.rnn_stack`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

#: Cell name -> number of gate blocks G (weights have G * hidden_size rows).
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}


@dataclass(frozen=True)
class LayerWeights:
    """One layer's weights in PyTorch's layout (float64): ``w_ih`` (G H, d), ``w_hh`` (G H, H), ``b_ih``, ``b_hh``
    (G H,) (zeros for a network trained with ``bias=False``)."""

    w_ih: np.ndarray
    w_hh: np.ndarray
    b_ih: np.ndarray
    b_hh: np.ndarray

    @property
    def hidden_size(self) -> int:
        return self.w_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.w_ih.shape[1]


def _lin(w: np.ndarray, v: np.ndarray | None) -> np.ndarray | float:
    """``w @ v``, or 0 for an unperturbed (None) input."""
    return 0.0 if v is None else w @ v


class ElmanCell:
    """``h' = phi(W_ih v + b_ih + W_hh h + b_hh)`` with ``phi`` = tanh or ReLU (``nonlinearity``, as in
    ``torch.nn.RNN``); ``dh' = phi'(a) (W_ih dv + W_hh dh)``, with ReLU's derivative taken as 0 at ``a = 0``."""

    has_cell_state = False

    def __init__(self, nonlinearity: str = "tanh"):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self.name = f"rnn_{nonlinearity}"
        self.gates = GATES[self.name]

    def forward(self, w: LayerWeights, v, h, c=None):
        a = w.w_ih @ v + w.b_ih[:, None] + (w.w_hh @ h + w.b_hh[:, None])
        if self.nonlinearity == "tanh":
            hn = np.tanh(a)
            slope = 1.0 - hn * hn
        else:
            hn = np.maximum(a, 0.0)
            slope = (a > 0).astype(float)
        return hn, None, slope

    def jvp(self, w: LayerWeights, cache, dv, dh, dc=None):
        return cache * (_lin(w.w_ih, dv) + w.w_hh @ dh), None


class GRUCell:
    """PyTorch's GRU (module docstring); linearisation ``dr = r(1-r)(W_ir dv + W_hr dh)``, ``dz`` likewise,
    ``dn = (1-n^2)(W_in dv + dr (W_hn h + b_hn) + r W_hn dh)``, ``dh' = dz (h - n) + (1 - z) dn + z dh``."""

    name = "gru"
    gates = 3
    has_cell_state = False

    def forward(self, w: LayerWeights, v, h, c=None):
        H = h.shape[0]
        gi = w.w_ih @ v + w.b_ih[:, None]
        gh = w.w_hh @ h + w.b_hh[:, None]
        r = expit(gi[:H] + gh[:H])
        z = expit(gi[H:2 * H] + gh[H:2 * H])
        ghn = gh[2 * H:]
        n = np.tanh(gi[2 * H:] + r * ghn)
        hn = (1.0 - z) * n + z * h
        return hn, None, (r, z, n, ghn, h)

    def jvp(self, w: LayerWeights, cache, dv, dh, dc=None):
        r, z, n, ghn, h = cache
        H = h.shape[0]
        dgh = w.w_hh @ dh
        dgi = np.zeros_like(dgh) if dv is None else w.w_ih @ dv
        dr = r * (1.0 - r) * (dgi[:H] + dgh[:H])
        dz = z * (1.0 - z) * (dgi[H:2 * H] + dgh[H:2 * H])
        dn = (1.0 - n * n) * (dgi[2 * H:] + dr * ghn + r * dgh[2 * H:])
        return dz * (h - n) + (1.0 - z) * dn + z * dh, None


class LSTMCell:
    """PyTorch's LSTM without projections (module docstring); linearisation ``dc' = df c + f dc + di g + i dg``,
    ``dh' = do tanh(c') + o (1 - tanh^2 c') dc'`` with ``di = i(1-i) (W_ii dv + W_hi dh)`` and likewise for
    ``f``, ``o``, and ``dg = (1 - g^2)(W_ig dv + W_hg dh)``."""

    name = "lstm"
    gates = 4
    has_cell_state = True

    def forward(self, w: LayerWeights, v, h, c):
        H = h.shape[0]
        a = w.w_ih @ v + w.b_ih[:, None] + (w.w_hh @ h + w.b_hh[:, None])
        i, f, o = expit(a[:H]), expit(a[H:2 * H]), expit(a[3 * H:])
        g = np.tanh(a[2 * H:3 * H])
        cn = f * c + i * g
        tc = np.tanh(cn)
        return o * tc, cn, (i, f, g, o, c, tc)

    def jvp(self, w: LayerWeights, cache, dv, dh, dc):
        i, f, g, o, c, tc = cache
        H = c.shape[0]
        da = _lin(w.w_ih, dv) + w.w_hh @ dh
        di = i * (1.0 - i) * da[:H]
        df = f * (1.0 - f) * da[H:2 * H]
        dg = (1.0 - g * g) * da[2 * H:3 * H]
        do = o * (1.0 - o) * da[3 * H:]
        dcn = df * c + f * dc + di * g + i * dg
        return do * tc + o * (1.0 - tc * tc) * dcn, dcn


def make_cell(name: str):
    """The cell object for a name of :data:`GATES` (``rnn_tanh``, ``rnn_relu``, ``gru``, ``lstm``)."""
    if name == "rnn_tanh":
        return ElmanCell("tanh")
    if name == "rnn_relu":
        return ElmanCell("relu")
    if name == "gru":
        return GRUCell()
    if name == "lstm":
        return LSTMCell()
    raise ValueError(f"cell must be one of {sorted(GATES)}, got {name!r}")
