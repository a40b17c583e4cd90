"""PyTorch's recurrent cells (Elman tanh/ReLU, GRU, LSTM) in stacks: steps against an independent per-unit
implementation of PyTorch's equations (and torch itself where installed), Jacobians against central differences."""

import math

import numpy as np
import pytest

from rnnchaos import model as model_protocol
from rnnchaos.rnn_stack import random_stack

CELLS = ["rnn_tanh", "rnn_relu", "gru", "lstm"]


def sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def reference_step(cell, sd, u, hs, cs):
    """PyTorch's documented equations, one unit and one gate at a time, from the state dict ``sd``; returns the
    new ``(hs, cs)`` lists. Written independently of rnnchaos.cells (scalar loops, named gate rows)."""
    L, H = len(hs), len(hs[0])
    new_h, new_c, v = [], [], list(u)
    for k in range(L):
        Wi, Wh, bi, bh = (sd[f"weight_ih_l{k}"], sd[f"weight_hh_l{k}"], sd[f"bias_ih_l{k}"], sd[f"bias_hh_l{k}"])

        def pre_i(row, Wi=Wi, bi=bi, v=v):
            return sum(Wi[row, j] * v[j] for j in range(len(v))) + bi[row]

        def pre_h(row, Wh=Wh, bh=bh, h=hs[k]):
            return sum(Wh[row, j] * h[j] for j in range(H)) + bh[row]

        h2, c2 = [], []
        for j in range(H):
            if cell == "rnn_tanh":
                h2.append(math.tanh(pre_i(j) + pre_h(j)))
            elif cell == "rnn_relu":
                h2.append(max(0.0, pre_i(j) + pre_h(j)))
            elif cell == "gru":
                r = sig(pre_i(j) + pre_h(j))
                z = sig(pre_i(H + j) + pre_h(H + j))
                n = math.tanh(pre_i(2 * H + j) + r * pre_h(2 * H + j))
                h2.append((1 - z) * n + z * hs[k][j])
            else:
                i_, f_ = sig(pre_i(j) + pre_h(j)), sig(pre_i(H + j) + pre_h(H + j))
                g_, o_ = math.tanh(pre_i(2 * H + j) + pre_h(2 * H + j)), sig(pre_i(3 * H + j) + pre_h(3 * H + j))
                c2.append(f_ * cs[k][j] + i_ * g_)
                h2.append(o_ * math.tanh(c2[-1]))
        new_h.append(h2)
        new_c.append(c2)
        v = h2
    return new_h, new_c


def state_lists(stack, x):
    H, L = stack.hidden_size, stack.num_layers
    hs = [list(x[k * H:(k + 1) * H]) for k in range(L)]
    cs = [list(x[(L + k) * H:(L + k + 1) * H]) for k in range(L)] if stack.name == "lstm" else [None] * L
    return hs, cs


@pytest.fixture(params=CELLS)
def stack(request):
    return random_stack(request.param, input_size=3, hidden_size=5, num_layers=2, scale=0.9,
                        rng=np.random.default_rng(7))


def test_stack_is_a_model_with_the_documented_sizes(stack):
    assert isinstance(stack, model_protocol.Model)
    assert stack.n == 2 * 5 * (2 if stack.name == "lstm" else 1) and stack.n_inputs == 3 and stack.time_step == 1
    assert stack.attrs()["cell"] == stack.name


def test_step_equals_the_independent_implementation_of_pytorchs_equations(stack):
    rng = np.random.default_rng(1)
    sd = stack.state_dict()
    for _ in range(3):
        x, u = rng.normal(size=stack.n), rng.normal(size=3)
        hs, cs = state_lists(stack, x)
        nh, nc = reference_step(stack.name, sd, u, hs, cs)
        want = np.concatenate([*map(np.array, nh)] + ([*map(np.array, nc)] if stack.name == "lstm" else []))
        np.testing.assert_allclose(stack.step(x, u), want, rtol=1e-13, atol=1e-14)


def test_batched_step_equals_single_steps(stack):
    rng = np.random.default_rng(2)
    X, U = rng.normal(size=(stack.n, 4)), rng.normal(size=(3, 4))
    got = stack.step(X, U)
    for b in range(4):
        np.testing.assert_allclose(got[:, b], stack.step(X[:, b], U[:, b]), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(stack.step(X, U[:, 0]), np.stack([stack.step(X[:, b], U[:, 0]) for b in range(4)], 1))
    assert np.array_equal(stack.step(X[:, 0]), stack.step(X[:, 0], np.zeros(3)))  # u=None is a zero input


def test_jacobian_matches_central_differences_to_1e_7(stack):
    rng = np.random.default_rng(3)
    for _ in range(3):
        x, u = rng.normal(size=stack.n), rng.normal(size=3)
        J = stack.jacobian(x, u)
        eps = 1e-6
        E = np.eye(stack.n) * eps
        fd = np.stack([(stack.step(x + E[j], u) - stack.step(x - E[j], u)) / (2 * eps) for j in range(stack.n)], 1)
        assert np.abs(J - fd).max() <= 1e-7 * np.abs(J).max()
        Q = rng.normal(size=(stack.n, 4))
        np.testing.assert_allclose(stack.tangent(x, Q, u), J @ Q, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(stack.residual_jacobian(x, u), J - np.eye(stack.n), atol=0)
        np.testing.assert_allclose(stack.residual(x, u), stack.step(x, u) - x, atol=0)


def test_jacobian_has_the_cross_layer_block(stack):
    """Layer 1's new state depends on layer 0's old hidden state through layer 0's new hidden state."""
    x = np.random.default_rng(4).normal(size=stack.n)
    J = stack.jacobian(x, np.ones(3))
    H = stack.hidden_size
    assert np.abs(J[H:2 * H, :H]).max() > 1e-3  # d h_1' / d h_0
    assert np.abs(J[:H, H:2 * H]).max() == 0.0  # layer 0 does not read layer 1


def test_bad_shapes_are_named():
    s = random_stack("gru", input_size=3, hidden_size=4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"u must have shape \(3,\).*got \(2,\)"):
        s.step(np.zeros(4), np.zeros(2))
    with pytest.raises(ValueError, match=r"x must have shape \(4,\).*got \(5,\)"):
        s.step(np.zeros(5))
    with pytest.raises(ValueError, match="cell must be one of"):
        random_stack("vanilla", input_size=3, hidden_size=4, rng=np.random.default_rng(0))


def test_steps_equal_torchs_modules_on_random_weights():
    torch = pytest.importorskip("torch", reason="torch is not installed; the per-unit reference above still runs")
    rng = np.random.default_rng(5)
    for cell, cls in (("rnn_tanh", torch.nn.RNN), ("rnn_relu", torch.nn.RNN), ("gru", torch.nn.GRU),
                      ("lstm", torch.nn.LSTM)):
        kw = {"nonlinearity": cell[4:]} if cell.startswith("rnn") else {}
        net = cls(3, 6, num_layers=2, **kw).double()
        sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
        s = random_stack(cell, input_size=3, hidden_size=6, num_layers=2, rng=rng)
        with torch.no_grad():
            for k, v in s.state_dict().items():
                getattr(net, k).copy_(torch.from_numpy(v))
        assert sd.keys() == s.state_dict().keys()
        T = 7
        u = rng.normal(size=(T, 1, 3))
        x = rng.normal(size=s.n) * 0.5
        H = 6
        h0 = torch.from_numpy(x[:2 * H].reshape(2, 1, H).copy())
        state = (h0, torch.from_numpy(x[2 * H:].reshape(2, 1, H).copy())) if cell == "lstm" else h0
        with torch.no_grad():
            _, out = net(torch.from_numpy(u), state)
        want = torch.cat([o.reshape(-1) for o in out]).numpy() if cell == "lstm" else out.reshape(-1).numpy()
        for t in range(T):
            x = s.step(x, u[t, 0])
        np.testing.assert_allclose(x, want, rtol=1e-12, atol=1e-13)
