"""Gaussian white noise in the dynamics of both networks (issue 18, item 1), against closed forms and identities.

* ``sigma_xi = 0`` is today's code path: bitwise the numbers of a call without noise, and stored numbers.
* The noise path of ``(N, seed)`` is row ``n`` of ``rng_for(N, seed, "noise")`` at step ``n``, whatever the
  blocking, the kernel or the other grid points; simulation and Lyapunov spectrum follow it from the shared start.
* With noise, ``sum_i lambda_i = <log|det DS(x_n)|> / h`` along the noisy trajectory (``k = N``, exact).
* ``g = 0``: the rate network is an Ornstein-Uhlenbeck process; Euler-Maruyama ``x <- (1 - dt) x + sigma sqrt(dt) xi``
  has the stationary variance ``sigma^2 dt / (1 - (1 - dt)^2) = sigma^2 / (2 - dt)`` exactly (the discrete value,
  not the continuous ``sigma^2 / 2``); the map's variance is ``sigma_xi^2`` plus the static ``(1/N) sum theta_i^2``.
* The map's mean field with noise, ``q = g^2 <phi^2>_q + sigma_b^2 + sigma_xi^2`` (slow), and noise suppressing
  chaos (Molgedey, Schuchhardt & Schuster 1992).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnchaos import dynamics, gaussian, lyapunov, models, network, noise, simulate
from rnnchaos.lyapunov_backends import ArrayWorkspace
from rnnchaos.lyapunov_blas import BlasWorkspace
from rnnchaos.lyapunov_kernel import ModelWorkspace


def _net(name, N, seed, *, g=2.0, sigma_b=0.3, sigma_xi=0.0, dt=0.1, method="euler"):
    d = network.draw_disorder(N, seed)
    return models.make(name, d.couplings(g), d.biases(sigma_b), dt=dt, method=method, sigma_xi=sigma_xi)


def _ly(model, seed=3, **kw):
    opts = {"k": 4, "t_transient": 10.0, "t_transient_tangent": 5.0, "t_sim": 40.0,
            "rng": network.rng_for(model.n, seed, "lyapunov"), "x0": network.initial_state(model.n, seed)}
    return lyapunov.lyapunov_spectrum(model, **{**opts, **kw})


def _sim(model, seed=3, **kw):
    opts = {"t_transient": 10.0, "t_sim": 40.0, "tau_max": 2.0, "n_blocks": 4,
            "rng": network.rng_for(model.n, seed, "simulate"), "x0": network.initial_state(model.n, seed)}
    return simulate.simulate(model, **{**opts, **kw})


class Hidden:
    """A network seen only through the protocol (no fused kernel, not a ``Network``): the generic paths. Records
    the state every ``step`` starts from (column 0 of a batch)."""

    def __init__(self, net):
        self.net, self.visited = net, []
        self.name, self.n, self.n_inputs, self.time_step = net.name, net.n, 0, net.time_step
        self.sigma_xi, self.noise_scale = net.sigma_xi, net.noise_scale

    def step(self, x, u=None, xi=None):
        self.visited.append(np.array(x if x.ndim == 1 else x[:, 0]))
        return self.net.step(x, u, xi=xi)

    def __getattr__(self, name):  # tangent, jacobian, residual, ..., attrs
        return getattr(self.net, name)


# ---- sigma_xi = 0 is today's code path ----

#: ``float.hex`` of numbers computed before noise existed (N = 60, seed 3, g = 2, sigma_b = 0.3; see _ly, _sim):
#: lambda_1, lambda_2 (float64) and Delta0, Delta_inf (overlap). Compared at 1e-9: another BLAS may round the last
#: bits differently; a changed code path moves them by far more.
STORED = {
    ("rate", "lyapunov"): ("-0x1.79c83411bf76ap-7", "-0x1.a7d04c08fa592p-4"),
    ("map", "lyapunov"): ("0x1.3054a9610ef4ep-3", "0x1.b5b8ed6660d45p-4"),
    ("rate", "simulate"): ("0x1.27d96d6be692bp+1", "0x1.91379dc56fcaap-1"),
    ("map", "simulate"): ("0x1.2023ddb09e3fdp+1", "0x1.f62af0f455fdep-1"),
}


@pytest.mark.parametrize("name", ["rate", "map"])
def test_zero_noise_is_bitwise_the_noise_free_run_and_the_stored_numbers(name):
    bare = _net(name, 60, 3)
    zero = _net(name, 60, 3, sigma_xi=0.0)
    a, b = _ly(bare), _ly(zero, noise_rng=network.rng_for(60, 3, "noise"))
    assert np.array_equal(a.exponents, b.exponents) and np.array_equal(a.running, b.running)
    s, t = _sim(bare), _sim(zero, noise_rng=network.rng_for(60, 3, "noise"))
    assert np.array_equal(s.trajectory, t.trajectory) and np.array_equal(s.delta, t.delta)
    assert s.delta_inf_overlap == t.delta_inf_overlap
    stored_ly, stored_sim = STORED[(name, "lyapunov")], STORED[(name, "simulate")]
    np.testing.assert_allclose(b.exponents[:2], [float.fromhex(v) for v in stored_ly], rtol=1e-9)
    np.testing.assert_allclose([t.delta0, t.delta_inf_overlap], [float.fromhex(v) for v in stored_sim], rtol=1e-9)
    assert b.model_attrs["sigma_xi"] == 0.0 and simulate.to_dataset(t).attrs["sigma_xi"] == 0.0


@pytest.mark.parametrize("kind", ["fused", "split", "rows", "array", "generic"])
def test_zero_noise_leaves_every_kernel_unchanged(kind):
    """A stream given to a kernel of a noise-free model draws nothing and changes nothing."""
    N, k = 30, 3
    net, rng = _net("rate", N, 1), np.random.default_rng(0)
    x, Q = rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    spent = np.random.default_rng(5)
    kw = {"noise": noise.NoiseStream(spent, N), "noise_scale": net.noise_scale}
    a, b = (_workspace(kind, net, x, Q, **opts) for opts in ({}, kw))
    a.advance(37)
    b.advance(37)
    assert np.array_equal(a.state(), b.state()) and np.array_equal(np.asarray(a.Q), np.asarray(b.Q))
    assert spent.standard_normal() == np.random.default_rng(5).standard_normal()  # the stream was not touched


def _workspace(kind, net, x, Q, **kw):
    if kind == "generic":
        return ModelWorkspace(Hidden(net), x, Q, noise=kw.get("noise"))
    if kind == "array":
        return ArrayWorkspace(np, net.name, net.J, net.theta, x, Q, dt=net.time_step, **kw)
    opts = {"split": {"dtype": "float32"}, "rows": {"row_block": 8},
            "fused32": {"dtype": "float32", "coupling_dtype": "float32"}}.get(kind, {})
    return BlasWorkspace(net.name, net.J, net.theta, x, Q, dt=net.time_step, **opts, **kw)


# ---- the noise path ----

def test_stream_rows_do_not_depend_on_blocking():
    ref = np.random.default_rng(9).standard_normal((50, 7))
    for block, takes in ((1, [50]), (3, [1, 4, 2, 43]), (64, [16] * 3 + [2]), (None, [49, 1])):
        s = noise.NoiseStream(np.random.default_rng(9), 7, block=block)
        got = np.concatenate([s.take(m) for m in takes])
        assert np.array_equal(got, ref) and s.steps == 50, block


def _stream_for(N, seed):
    return noise.NoiseStream(network.rng_for(N, seed, noise.PURPOSE), N)


def test_noise_path_of_a_network_depends_only_on_its_size_and_seed():
    path = _stream_for(50, 4).take(20)
    assert noise.PURPOSE == "noise"
    assert np.array_equal(path, network.rng_for(50, 4, "noise").standard_normal((20, 50)))
    # other grid points and stages drawn before it leave it unchanged
    for N, seed in ((50, 5), (60, 4), (10, 0)):
        _stream_for(N, seed).take(30)
        network.draw_disorder(N, seed)
    assert np.array_equal(_stream_for(50, 4).take(20), path)
    assert not np.allclose(_stream_for(50, 5).take(20), path)  # another seed, another path
    assert not np.allclose(network.draw_disorder(50, 4).z_J[:20], path)  # and not the disorder's numbers
    assert not np.allclose(network.initial_state(50, 4), path[0])


@pytest.mark.parametrize("name", ["rate", "map"])
@pytest.mark.parametrize("kind", ["fused", "split", "rows", "fused32", "array", "generic"])
def test_every_kernel_follows_the_noise_path_and_its_tangent(name, kind):
    """Each workspace's state equals the model's noisy steps on the same stream, and its frame equals the product
    of the step Jacobians along that noisy path (no QR)."""
    N, k, n = 25, 4, 37
    net, rng = _net(name, N, 2, sigma_xi=0.6), np.random.default_rng(1)
    x0, Q0 = rng.standard_normal(N), np.linalg.qr(rng.standard_normal((N, k)))[0]
    ws = _workspace(kind, net, x0, Q0, noise=noise.NoiseStream(np.random.default_rng(8), N, block=5),
                    noise_scale=net.noise_scale)
    ws.advance(n)
    ref, x, Q = noise.NoiseStream(np.random.default_rng(8), N), x0.copy(), Q0.copy()
    for _ in range(n):
        Q = net.jacobian(x) @ Q
        x = net.step(x, xi=ref.next())
    tol = 1e-4 if kind in ("split", "fused32") else 1e-10
    np.testing.assert_allclose(ws.state(), x, atol=1e-4 if kind == "fused32" else 1e-10)  # float32 products
    np.testing.assert_allclose(np.asarray(ws.Q, dtype=float) / np.abs(Q).max(), Q / np.abs(Q).max(), atol=tol)
    # and it is the noise that moved it: the noise-free path is elsewhere
    assert np.abs(ws.state() - dynamics.run(net, x0, n_steps=n)).max() > 0.1


@pytest.mark.parametrize("name", ["rate", "map"])
def test_simulation_and_lyapunov_follow_one_noise_path(name):
    """At g = 0.5 (contracting: rounding differences do not grow) the simulation's trajectory, the generic
    Lyapunov path and the fused kernel visit the same noisy states from the shared start; the replica does not."""
    N, seed = 40, 7
    net = _net(name, N, seed, g=0.5, sigma_xi=0.4)
    sim_model, ly_model = Hidden(net), Hidden(net)
    sim = _sim(sim_model, seed, noise_rng=network.rng_for(N, seed, "noise"), n_snapshots=0)
    gen = _ly(ly_model, seed, noise_rng=network.rng_for(N, seed, "noise"), t_ons=1.0)
    fused = _ly(net, seed, noise_rng=network.rng_for(N, seed, "noise"), t_ons=1.0)
    n = min(len(sim_model.visited), len(ly_model.visited))
    assert n >= 50
    np.testing.assert_allclose(np.array(ly_model.visited[:n]), np.array(sim_model.visited[:n]), atol=1e-12)
    np.testing.assert_allclose(fused.exponents, gen.exponents, rtol=1e-9)
    every = int(round(1.0 / net.time_step))
    n_tr = int(round(10.0 / net.time_step))
    recorded = np.array(sim_model.visited)[n_tr + every::every, 0]  # the last sample starts no step
    np.testing.assert_allclose(sim.trajectory[:-1, 0], recorded, atol=1e-12)
    assert sim.delta_inf_overlap < 0.9 * sim.delta0  # independent replica noise: no synchronisation
    assert _ly(net, seed, noise_rng=network.rng_for(N, seed + 1, "noise"), t_ons=1.0).lambda_max != fused.lambda_max


# ---- identities and closed forms ----

@pytest.mark.parametrize(("name", "generic"), [("rate", False), ("map", False), ("rate", True), ("map", True)])
def test_sum_of_exponents_is_mean_log_det_along_the_noisy_path(name, generic):
    N = 12
    net = _net(name, N, 5, g=2.5, sigma_xi=0.5, dt=0.2)
    model = Hidden(net) if generic else net
    opts = {"k": N, "t_transient": 20.0, "t_sim": 200.0, "t_ons": net.time_step, "rng": np.random.default_rng(2)}
    r = lyapunov.lyapunov_spectrum(model, noise_rng=np.random.default_rng(3), exact_log_det=generic or name == "rate",
                                   **opts)
    assert np.isfinite(r.log_det_mean)
    assert r.mean_exponent == pytest.approx(r.log_det_mean, rel=1e-10)
    free = lyapunov.lyapunov_spectrum(_net(name, N, 5, g=2.5, dt=0.2), exact_log_det=name == "rate", **opts)
    assert abs(free.log_det_mean - r.mean_exponent) > 1e-5  # the noise-free path's log-determinant is another


def test_rate_network_at_g0_is_the_discrete_ornstein_uhlenbeck_process():
    """Euler-Maruyama at g = 0: x <- (1 - dt) x + sigma sqrt(dt) xi, stationary variance sigma^2 / (2 - dt)
    exactly (0.2722 at sigma = 0.7, dt = 0.2), within the simulation's standard error; the continuous value
    sigma^2 / 2 = 0.245 is O(dt) away, beyond it."""
    N, sigma, dt = 200, 0.7, 0.2
    net = _net("rate", N, 2, g=0.0, sigma_b=0.0, sigma_xi=sigma, dt=dt)
    sim = simulate.simulate(net, rng=network.rng_for(N, 2, "simulate"), noise_rng=network.rng_for(N, 2, "noise"),
                            t_transient=20.0, t_sim=400.0, tau_max=2.0, n_blocks=10)
    exact = sigma**2 * dt / (1 - (1 - dt) ** 2)
    assert exact == pytest.approx(sigma**2 / (2 - dt), rel=1e-14)
    assert abs(sim.delta0 - exact) < 4 * sim.delta0_sem
    assert abs(sim.delta0 - sigma**2 / 2) > 8 * sim.delta0_sem
    # autocorrelation of the AR(1) process: (1 - dt)^(tau / dt)
    np.testing.assert_allclose(sim.delta[1:] / sim.delta0, (1 - dt) ** (sim.tau[1:] / dt), atol=0.02)
    assert abs(sim.delta_inf_overlap) < 4 * sim.delta_inf_overlap_sem + 1e-3


def test_map_at_g0_has_the_noise_variance_plus_the_static_bias():
    N, sigma, sigma_b = 200, 0.7, 0.5
    net = _net("map", N, 2, g=0.0, sigma_b=sigma_b, sigma_xi=sigma)
    sim = simulate.simulate(net, rng=network.rng_for(N, 2, "simulate"), noise_rng=network.rng_for(N, 2, "noise"),
                            t_transient=5.0, t_sim=400.0, tau_max=2.0, n_blocks=10)
    static = np.mean(net.theta**2)  # the realised (1/N) sum theta_i^2
    assert abs(sim.delta0 - (sigma**2 + static)) < 4 * sim.delta0_sem
    assert abs(sim.delta[1] - static) < 4 * sim.delta_sem[1]  # white: no memory beyond the static part
    assert abs(sim.delta_inf_overlap - static) < 4 * sim.delta_inf_overlap_sem + 1e-3


@pytest.mark.slow
def test_map_variance_with_noise_meets_the_mean_field():
    """N = 1000, g = 2, sigma_b = 0.3, sigma_xi = 0.5: Delta0 = q of q = g^2 <phi^2>_q + sigma_b^2 + sigma_xi^2
    (the white noise adds its variance to the static bias's: the static equation at sigma_b^2 + sigma_xi^2), within
    the standard error and a 1/N finite-size allowance; the noise-free q is far below."""
    N, g, sigma_b, sigma = 1000, 2.0, 0.3, 0.5
    q = gaussian.static_variance(g, np.hypot(sigma_b, sigma))
    assert q == pytest.approx(g**2 * gaussian.phi_moments(q)[0] + sigma_b**2 + sigma**2, rel=1e-12)
    net = _net("map", N, 0, g=g, sigma_b=sigma_b, sigma_xi=sigma)
    sim = simulate.simulate(net, rng=network.rng_for(N, 0, "simulate"), noise_rng=network.rng_for(N, 0, "noise"),
                            t_transient=100.0, t_sim=2000.0, tau_max=2.0, n_blocks=10)
    tol = 4 * np.hypot(sim.delta0_sem, q / N)
    assert abs(sim.delta0 - q) < tol
    assert abs(sim.delta0 - gaussian.static_variance(g, sigma_b)) > 10 * tol


def test_noise_suppresses_chaos_in_the_map():
    """g = 2, N = 400, one network and start: lambda_max falls as sigma_xi grows (0, 0.3, 1: measured 0.151, 0.139,
    0.045, +-0.002), each step by more than three combined standard errors; mean field 0.155, 0.141, 0.046."""
    N = 400
    lam, sem = [], []
    for s in (0.0, 0.3, 1.0):
        r = lyapunov.lyapunov_spectrum(_net("map", N, 1, sigma_b=0.0, sigma_xi=s), k=1, t_transient=100.0,
                                       t_sim=2000.0, rng=network.rng_for(N, 1, "lyapunov"),
                                       noise_rng=network.rng_for(N, 1, "noise"))
        lam.append(r.lambda_max)
        sem.append(r.lambda_max_sem)
    assert lam[0] > 0.1
    for i in range(2):
        assert lam[i] - lam[i + 1] > 3 * np.hypot(sem[i], sem[i + 1]), lam
    # and each near the mean field, 1/2 ln(g^2 <phi'^2>_q) at q of sigma_b^2 + sigma_xi^2 = sigma_xi^2 (finite N)
    theory = [0.5 * np.log(4.0 * gaussian.phi_moments(gaussian.static_variance(2.0, s))[1]) for s in (0.0, 0.3, 1.0)]
    np.testing.assert_allclose(lam, theory, atol=0.015)


# ---- bad input ----

@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "x", None])
@pytest.mark.parametrize("name", ["rate", "map"])
def test_bad_sigma_xi_is_named(name, bad):
    with pytest.raises(ValueError, match="sigma_xi"):
        _net(name, 5, 0, sigma_xi=bad)


def test_rk4_with_noise_is_rejected_naming_sigma_xi_and_method():
    with pytest.raises(ValueError, match=r"sigma_xi.*method.*rk4"):
        _net("rate", 5, 0, sigma_xi=0.1, method="rk4")
    d = network.draw_disorder(5, 0)
    with pytest.raises(ValueError, match=r"sigma_xi.*method"):
        models.from_settings("rate", d.couplings(1.0), d.biases(0.0), {"method": "rk4"}, sigma_xi=0.2)
    assert _net("rate", 5, 0, sigma_xi=0.0, method="rk4").method == "rk4"
    assert _net("map", 5, 0, sigma_xi=0.3, method="rk4").noise_scale == 0.3  # the map has no integrator


@pytest.mark.parametrize("name", ["rate", "map"])
def test_noise_without_its_stream_is_named(name):
    net = _net(name, 10, 0, sigma_xi=0.2)
    with pytest.raises(ValueError, match="noise_rng"):
        _ly(net, 0)
    with pytest.raises(ValueError, match="noise_rng"):
        _sim(net, 0)


def test_settings_attrs_and_scale():
    d = network.draw_disorder(8, 0)
    model, rest = models.from_settings("rate", d.couplings(1.0), d.biases(0.0), {"dt": 0.25, "t_sim": 3},
                                       sigma_xi=0.4)
    assert rest == {"t_sim": 3} and model.attrs()["sigma_xi"] == 0.4
    assert model.noise_scale == pytest.approx(0.4 * 0.5) and "sigma_xi=0.4" in repr(model)
    r = _ly(model, 0, k=2, noise_rng=network.rng_for(8, 0, "noise"))
    assert lyapunov.to_dataset(r).attrs["sigma_xi"] == 0.4
    assert simulate.to_dataset(_sim(model, 0, noise_rng=network.rng_for(8, 0, "noise"))).attrs["sigma_xi"] == 0.4
