"""Multi-layer stacks of PyTorch's recurrent cells as models (:class:`rnnchaos.model.Model`).

A stack of L layers of one cell (:mod:`rnnchaos.cells`) with a common hidden size H, as ``torch.nn.RNN``,
``GRU`` and ``LSTM`` with ``num_layers = L`` (unidirectional, no projection, ``batch_first`` irrelevant): layer 0
reads the input ``u`` (size ``n_inputs``), layer ``k > 0`` reads layer ``k - 1``'s *new* hidden state. The state
is PyTorch's ``h_n`` (and ``c_n``) flattened: ``x = [h_0, ..., h_{L-1}]`` (n = L H) for Elman and GRU,
``x = [h_0, ..., h_{L-1}, c_0, ..., c_{L-1}]`` (n = 2 L H) for LSTM. One step of the model is one time step of
the network, so ``time_step = 1`` and exponents are per step.

The Jacobian of a step with respect to the full state is block lower triangular in the layers: layer k's new
state depends on its own old state (``A_k``) and, through its input, on every earlier layer's old state
(``B_k`` times the rows of layer k-1's new hidden state). :meth:`RNNStack.tangent` applies it to a frame by
pushing the perturbation columns through the layers in order (the cells' exact linearisations), so the cross-layer
blocks are included; :meth:`RNNStack.jacobian` is the tangent of the identity. An input ``u = None`` means a zero
input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnnchaos.cells import GATES, LayerWeights, make_cell


class RNNStack:
    """``num_layers`` layers of the cell ``cell`` (a name of :data:`rnnchaos.cells.GATES`) with weights
    ``layers`` (one :class:`rnnchaos.cells.LayerWeights` per layer, PyTorch's layout, float64)."""

    time_step = 1.0

    def __init__(self, cell: str, layers: Sequence[LayerWeights]):
        self.cell = make_cell(cell)
        if not layers:
            raise ValueError("layers must hold at least one layer, got none")
        G, H = self.cell.gates, layers[0].w_hh.shape[-1]
        for k, w in enumerate(layers):
            d = layers[0].w_ih.shape[-1] if k == 0 else H
            for key, arr, shape in ((f"weight_ih_l{k}", w.w_ih, (G * H, d)), (f"weight_hh_l{k}", w.w_hh, (G * H, H)),
                                    (f"bias_ih_l{k}", w.b_ih, (G * H,)), (f"bias_hh_l{k}", w.b_hh, (G * H,))):
                if arr.shape != shape:
                    raise ValueError(f"'{key}' has shape {arr.shape}; a {cell} layer with hidden size {H}"
                                     f"{' reading layer ' + str(k - 1) if k else ''} needs {shape}")
        self.layers = tuple(layers)
        self.name = cell
        self.hidden_size = H
        self.num_layers = len(layers)
        self.n_inputs = layers[0].input_size
        self.n = self.num_layers * H * (2 if self.cell.has_cell_state else 1)

    # --- state layout -------------------------------------------------------------------------------------------
    def split(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """Hidden states ``[h_0, ...]`` and cell states ``[c_0, ...]`` (None for Elman, GRU) of a state ``x``
        with rows ``n`` (views)."""
        H, L = self.hidden_size, self.num_layers
        hs = [x[k * H:(k + 1) * H] for k in range(L)]
        cs = [x[(L + k) * H:(L + k + 1) * H] for k in range(L)] if self.cell.has_cell_state else [None] * L
        return hs, cs

    def _columns(self, x: np.ndarray, u: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, bool]:
        x = np.asarray(x, dtype=float)
        if x.ndim not in (1, 2) or x.shape[0] != self.n:
            raise ValueError(f"x must have shape ({self.n},) or ({self.n}, B), got {x.shape}")
        X = x if x.ndim == 2 else x[:, None]
        if u is None:
            U = np.zeros((self.n_inputs, 1))
        else:
            u = np.asarray(u, dtype=float)
            cols_ok = u.ndim == 1 or (u.ndim == 2 and u.shape[1] in (1, X.shape[1]))
            if not cols_ok or u.shape[0] != self.n_inputs:
                raise ValueError(f"u must have shape ({self.n_inputs},) or ({self.n_inputs}, {X.shape[1]}) "
                                 f"(n_inputs = {self.n_inputs}), got {u.shape}")
            U = u if u.ndim == 2 else u[:, None]
        if U.shape[1] != X.shape[1]:
            U = np.broadcast_to(U, (self.n_inputs, X.shape[1]))
        return X, U, x.ndim == 1

    def _forward(self, X: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, list]:
        hs, cs = self.split(X)
        out = np.empty((self.n, X.shape[1]))
        nh, nc = self.split(out)
        caches, v = [], U
        for k, w in enumerate(self.layers):
            h, c, cache = self.cell.forward(w, v, hs[k], cs[k])
            nh[k][...] = h
            if c is not None:
                nc[k][...] = c
            caches.append(cache)
            v = h
        return out, caches

    # --- the model protocol ---------------------------------------------------------------------------------------
    def step(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """The next state (shape of ``x``: (n,) or (n, B); ``u`` (n_inputs,) or (n_inputs, B))."""
        X, U, single = self._columns(x, u)
        out, _ = self._forward(X, U)
        return out[:, 0] if single else out

    def tangent(self, x: np.ndarray, Q: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """``DS(x, u) @ Q`` for ``Q`` (n, k), layer by layer through the cells' linearisations."""
        X, U, single = self._columns(x, u)
        if not single:
            raise ValueError(f"tangent takes one state x of shape ({self.n},), got {np.shape(x)}")
        Q = np.asarray(Q, dtype=float)
        if Q.ndim != 2 or Q.shape[0] != self.n:
            raise ValueError(f"Q must have shape ({self.n}, k), got {Q.shape}")
        _, caches = self._forward(X, U)
        dhs, dcs = self.split(Q)
        out = np.empty_like(Q)
        oh, oc = self.split(out)
        dv = None
        for k, w in enumerate(self.layers):
            dh, dc = self.cell.jvp(w, caches[k], dv, dhs[k], dcs[k])
            oh[k][...] = dh
            if dc is not None:
                oc[k][...] = dc
            dv = dh
        return out

    def jacobian(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """The ``n x n`` Jacobian of one step (cross-layer blocks included)."""
        return self.tangent(x, np.eye(self.n), u)

    def residual(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """``S(x, u) - x``: zero at the fixed points of the network under the constant input ``u``."""
        return self.step(x, u) - np.asarray(x, dtype=float)

    def residual_jacobian(self, x: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """``DS(x, u) - I``."""
        return self.jacobian(x, u) - np.eye(self.n)

    def attrs(self) -> dict:
        return {"model": self.name, "cell": self.name, "hidden_size": self.hidden_size,
                "num_layers": self.num_layers, "n_inputs": self.n_inputs, "n": self.n, "time_step": self.time_step}

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights in PyTorch's key layout (``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
        ``bias_hh_l{k}``), copies."""
        out = {}
        for k, w in enumerate(self.layers):
            out.update({f"weight_ih_l{k}": w.w_ih.copy(), f"weight_hh_l{k}": w.w_hh.copy(),
                        f"bias_ih_l{k}": w.b_ih.copy(), f"bias_hh_l{k}": w.b_hh.copy()})
        return out


def random_stack(cell: str, *, input_size: int, hidden_size: int, rng: np.random.Generator, num_layers: int = 1,
                 scale: float | None = None, bias: bool = True) -> RNNStack:
    """A stack with PyTorch's default initialisation, every weight and bias ``~ U(-s, s)``,
    ``s = scale`` (default ``1 / sqrt(hidden_size)``); ``bias=False`` gives zero biases. Draws from ``rng`` layer
    by layer in the order ``W_ih, W_hh, b_ih, b_hh``."""
    if cell not in GATES:
        raise ValueError(f"cell must be one of {sorted(GATES)}, got {cell!r}")
    for name, v in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
        if not (isinstance(v, (int, np.integer)) and v >= 1):
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    s = 1.0 / np.sqrt(hidden_size) if scale is None else float(scale)
    GH = GATES[cell] * hidden_size
    layers = []
    for k in range(num_layers):
        d = input_size if k == 0 else hidden_size
        w_ih, w_hh = rng.uniform(-s, s, (GH, d)), rng.uniform(-s, s, (GH, hidden_size))
        b_ih, b_hh = (rng.uniform(-s, s, GH), rng.uniform(-s, s, GH)) if bias else (np.zeros(GH), np.zeros(GH))
        layers.append(LayerWeights(w_ih, w_hh, b_ih, b_hh))
    return RNNStack(cell, layers)
