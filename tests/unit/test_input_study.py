"""rnnchaos.input_study: the response statistics against the closed form of the driven linear network, the
entrained fraction, a run's dataset, the pooling of networks with failures, and fixed points under a constant
input (residual, closed form at g = 0)."""

import numpy as np
import pytest
import xarray as xr

from rnnchaos import input_study, io, network
from rnnchaos.driven_network import driven_network, input_weights
from rnnchaos.periodic_input import sinusoid
from rnnchaos.status import NumericalFailure


def linear_net(N=10, dt=0.1, channels=1):
    d = network.draw_disorder(N, 5)
    return driven_network("rate", d.couplings(0.0), d.biases(0.0), input_weights(N, 5, channels=channels, scale=1.0),
                          dt=dt)


def test_variance_of_the_driven_linear_network_is_its_closed_form():
    """g = 0, sigma_b = 0, one channel: x_i is the Euler filter of dt W_i A cos(w t), steady amplitude
    A |W_i| dt / |e^{i w dt} - (1 - dt)|; over whole periods <x_i^2> = that^2 / 2 exactly (uniform samples)."""
    dt, f, A = 0.1, 0.05, 1.3
    m = linear_net(dt=dt)
    start, n_acc = 400, 2000  # 40 time units of transient (e^-40), 10 periods of 200 steps
    u = sinusoid(steps=start + n_acc, time_step=dt, amplitude=A, frequency=f, channels=1)
    s = input_study.response_statistics(m, u, np.zeros(m.n), start=start, frequency=f, n_bins=20)
    gain = dt / abs(np.exp(2j * np.pi * f * dt) - (1 - dt))
    expected = np.mean((A * m.W_in[:, 0] * gain) ** 2) / 2
    np.testing.assert_allclose(s.variance, expected, rtol=1e-9)
    np.testing.assert_allclose(s.temporal_variance, expected, rtol=1e-9)
    # a response periodic with the drive: the phase-averaged waveform carries all but the binning's share
    # (a sinusoid averaged over bins of width 1/20 period keeps sinc^2(pi/20) = 0.9918 of its variance)
    np.testing.assert_allclose(s.entrained_fraction, np.sinc(1 / 20) ** 2, rtol=2e-3)
    assert s.n_cycles == pytest.approx(10.0)


def test_entrained_fraction_is_small_for_a_chaotic_network_that_ignores_the_drive():
    d = network.draw_disorder(200, 0)
    m = driven_network("rate", d.couplings(2.5), d.biases(0.0), input_weights(200, 0, channels=2, scale=0.0))
    u = sinusoid(steps=8000, time_step=0.1, amplitude=1.0, frequency=0.013, channels=2)
    s = input_study.response_statistics(m, u, network.initial_state(200, 0), start=1000, frequency=0.013)
    assert s.entrained_fraction < 0.2 and s.variance > 0.5
    none = input_study.response_statistics(m, u, network.initial_state(200, 0), start=1000, frequency=None)
    assert np.isnan(none.entrained_fraction) and none.variance == s.variance


def test_a_diverging_run_raises_diverged():
    m = linear_net()
    u = np.full((50, 1), 1e9)
    with pytest.raises(NumericalFailure, match="diverged"):
        input_study.response_statistics(m, u, np.zeros(m.n), start=10, frequency=0.1)


def point(N=40, seed=0, amplitude=0.5, **kw):
    d = network.draw_disorder(N, seed)
    settings = dict(signal="sinusoid", amplitude=amplitude, frequency=0.05, channels=2, scale=0.7, dt=0.1,
                    t_transient=10.0, t_transient_tangent=5.0, t_sim=50.0, t_ons=1.0, k=3, n_batches=5)
    return input_study.network_dataset("rate", d, g=2.0, sigma_b=0.0, **{**settings, **kw})


def test_network_dataset_records_the_spectrum_its_errors_and_the_frame_diagnostics():
    ds = point()
    assert ds["exponent"].shape == (3,) and (np.diff(ds["exponent"].values) <= 1e-12).all()
    assert float(ds["lambda_max"]) == float(ds["exponent"][0]) and float(ds["lambda_max_sem"]) > 0
    assert int(ds["n_steps"]) == 500 and int(ds["qr_steps"]) == 10 and int(ds["n_qr"]) == 50
    assert 0 < float(ds["spread_max"]) < float(ds["spread_bound"])
    assert float(ds["amplitude"]) == 0.5 and float(ds["frequency"]) == 0.05
    assert all({"units", "long_name"} <= set(ds[v].attrs) for v in ds.data_vars)
    again = point()
    xr.testing.assert_identical(ds, again)  # explicit seeds: the same numbers
    with pytest.raises(ValueError, match="input.t_ons = 0.15 must be a whole multiple"):
        point(t_ons=0.15)


def test_pool_gathers_networks_with_failures_as_nan_and_seed_statistics():
    nets = {}
    for a in (0.0, 0.5):
        for s in range(3):
            if (a, s) == (0.5, 1):
                nets[("frequency~0.05", a, 40, s)] = xr.Dataset({"status": io.status_variable("diverged")})
                continue
            ds = point(seed=s, amplitude=a)
            ds["status"] = io.status_variable("ok")
            nets[("frequency~0.05", a, 40, s)] = io.with_grid_coords(ds, N=40, seed=s)
    pooled = input_study.pool(nets, drives=["frequency~0.05"], frequencies=[0.05], amplitudes=[0.0, 0.5], sizes=[40],
                              seeds=3)
    lam = pooled["lambda_max"].sel(drive="frequency~0.05", N=40)
    assert np.isnan(float(lam.sel(amplitude=0.5, seed=1))) and int(pooled["status"].sel(amplitude=0.5, seed=1,
                                                                                         N=40).item()) == 1
    ok = lam.sel(amplitude=0.5).values[[0, 2]]
    cell = pooled.sel(drive="frequency~0.05", amplitude=0.5, N=40)
    assert int(cell["n_ok"]) == 2
    np.testing.assert_allclose(float(cell["lambda_max_mean"]), ok.mean())
    np.testing.assert_allclose(float(cell["lambda_max_seed_sem"]), ok.std(ddof=1) / np.sqrt(2))
    assert pooled["exponent"].shape == (1, 2, 1, 3, 3) and float(pooled.frequency[0]) == 0.05


def test_fixed_points_under_a_constant_input_satisfy_the_residual_and_the_linear_closed_form():
    d = network.draw_disorder(30, 2)
    ds = input_study.constant_input_dataset("rate", d, g=2.0, sigma_b=0.2, values=[0.0, 1.0], channels=2, scale=0.7,
                                            dt=0.1, n_starts=4)
    assert (ds["count"].values >= 1).all() and (ds["residual_max"].values < 1e-8).all()
    # g = 0: the one point x* = theta + W_in u, stable
    lin = input_study.constant_input_dataset("map", d, g=0.0, sigma_b=0.5, values=[1.5], channels=2, scale=0.7,
                                             dt=0.1, n_starts=3)
    x = d.biases(0.5) + input_weights(30, 2, channels=2, scale=0.7) @ np.full(2, 1.5)
    assert int(lin["count"][0]) == 1 and int(lin["n_stable"][0]) == 1
    np.testing.assert_allclose(float(lin["stable_mean_sq"][0]), np.mean(x**2), rtol=1e-10)
