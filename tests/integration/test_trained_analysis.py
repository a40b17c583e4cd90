"""A FORCE-trained 3-bit flip-flop (N = 200, seeded) and its analysis: the 8 memories are 8 stable fixed points
at the corners (+-1)^3, saddles between them, Lyapunov exponents equal to the linearisation at the attracting point,
NetCDF round trips and the figure."""

import itertools

import matplotlib
import numpy as np
import pytest

from rnnchaos import dynamics, io, plotting, plotting_trained, trained_analysis, training

matplotlib.use("Agg")

N, SEED = 200, 0
#: stated accuracy of the N = 200 network after 40000 time units of FORCE: test MSE (transitions included, each
#: flip costs about tau of error) and fraction of wrong signs; measured 0.029 and 0.005
MAX_TEST_MSE, MAX_SIGN_ERROR = 0.05, 0.02
#: a stable point's readout lies within this max-norm distance of its corner (measured: 0.11)
CORNER_TOL = 0.2


@pytest.fixture(scope="module")
def trained():
    return training.train_flipflop(rng=np.random.default_rng(SEED), N=N, train_time=40000.0, test_time=5000.0)


@pytest.fixture(scope="module")
def analysis(trained):
    return trained_analysis.analyse_trained(trained, rng=np.random.default_rng(1), k=10, t_sim=100.0,
                                            corner_tol=CORNER_TOL)


def test_network_learns_the_flipflop_to_the_stated_error(trained):
    assert trained.test_mse < MAX_TEST_MSE
    assert trained.test_sign_error < MAX_SIGN_ERROR
    # FORCE keeps the error small while it learns (the readout z = 0 it starts from has MSE 1)
    assert trained.curve_error[0] == 1.0 and trained.curve_error[trained.n_updates // 20:].mean() < 0.1


def test_eight_stable_fixed_points_hold_the_eight_memories(trained, analysis):
    stable = analysis.fp.n_unstable == 0
    assert stable.sum() == 8
    z = analysis.readout[stable]
    corners = trained_analysis.corners(3)
    nearest = np.abs(z[:, None, :] - corners[None]).max(axis=2)
    assert sorted(nearest.argmin(axis=1)) == list(range(8))  # each corner exactly once
    assert nearest.min(axis=1).max() < CORNER_TOL
    assert analysis.n_memories == 8
    assert sorted(map(tuple, corners)) == sorted(itertools.product((-1.0, 1.0), repeat=3))


def test_fixed_points_are_verified_symmetric_and_include_saddles(trained, analysis):
    fp = analysis.fp
    J_eff, tau = trained.J_eff, trained.params["tau"]
    F = (np.tanh(fp.x) @ J_eff.T - fp.x) / tau
    assert np.abs(F).max() < 1e-9 and np.all(fp.residual < 1e-9)
    for x in fp.x:  # F is odd: -x* is a fixed point of the same index
        j = np.argmin(np.abs(fp.x + x).max(axis=1))
        assert np.abs(fp.x[j] + x).max() < 1e-6
    origin = np.argmin(np.abs(fp.x).max(axis=1))
    assert np.abs(fp.x[origin]).max() < 1e-12 and fp.n_unstable[origin] >= 1
    assert np.sum((fp.n_unstable > 0) & (fp.n_unstable < N)) >= 6  # saddles between the memories


def test_autonomous_jacobian_matches_finite_differences(trained):
    F, jac = trained_analysis.autonomous_system(trained.J_eff, 10.0)
    x = trained.test_states[:2]
    D = jac(x)
    eps, e = 1e-6, np.eye(N)[:5]
    for b in range(2):
        fd = (F(x[b] + eps * e) - F(x[b] - eps * e)) / (2 * eps)
        assert np.allclose(fd.T, D[b][:, :5], atol=1e-8)


def test_trained_exponents_are_the_linearisation_at_the_attracting_fixed_point(trained, analysis):
    """From the last test state the input-off network falls into a memory; in s = t / tau its Euler step
    (h = dt / tau) has exponents log|1 + h mu_i| / h, mu_i the eigenvalues of -I + J_eff diag(phi'(x*))."""
    h = trained.params["dt"] / trained.params["tau"]
    x = dynamics.run("rate", trained.test_states[-1], trained.J_eff, np.zeros(N), dt=h, n_steps=3000)
    i = np.argmin(np.abs(analysis.fp.x - x).max(axis=1))
    assert np.abs(analysis.fp.x[i] - x).max() < 1e-8 and analysis.fp.n_unstable[i] == 0
    mu = analysis.fp.eigvals[i] * analysis.tau  # fixed-point eigenvalues are per time unit of dt
    expected = np.sort(np.log(np.abs(1 + h * mu)) / h)[::-1][:10]
    assert np.allclose(np.sort(analysis.lyap_trained.exponents)[::-1], expected, atol=0.015)
    assert analysis.lyap_trained.lambda_max < 0 < analysis.lyap_reservoir.lambda_max + 0.05
    assert analysis.lyap_trained.lambda_max < analysis.lyap_reservoir.lambda_max - 0.1


def test_pca_is_orthonormal_and_ordered(trained, analysis):
    C = analysis.components
    assert np.allclose(C @ C.T, np.eye(3), atol=1e-12)
    assert np.all(np.diff(analysis.explained) <= 0) and 0.3 < analysis.explained.sum() <= 1
    assert np.allclose(analysis.fp_pc, (analysis.fp.x - analysis.mean) @ C.T)


def test_files_round_trip_and_figure_is_labelled(tmp_path, trained, analysis):
    tds = io.with_grid_coords(training.to_dataset(trained), g=1.5, N=N, seed=SEED)
    ads = io.with_grid_coords(trained_analysis.to_dataset(analysis), g=1.5, N=N, seed=SEED)
    io.write_dataset(tds, tmp_path / "t.nc", stage="train", params=trained.params)
    io.write_dataset(ads, tmp_path / "a.nc", stage="trained_analysis", params={})
    t_back, a_back = io.read_dataset(tmp_path / "t.nc"), io.read_dataset(tmp_path / "a.nc")
    assert np.array_equal(io.point_values(a_back, "fp_x"), analysis.fp.x)
    assert a_back["trained_exponent"].dims[-1] == "exponent_index" and a_back["fp_readout"].dims[-2:] == ("fp", "bit")
    assert a_back["trained_exponent"].attrs["units"] == "1/tau"
    assert a_back["input_on_exponent"].attrs["units"] == "1/tau" and a_back["input_on_exponent"].sizes[
        "exponent_index"] == 10 and np.all(np.isfinite(io.point_values(a_back, "input_on_exponent_sem")))
    assert int(io.point_values(a_back, "n_memories")) == 8
    fig = plotting_trained.flipflop_figure(t_back, a_back)
    axes = fig.get_axes()
    assert len(axes) == 4 and all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert axes[0].get_zlabel().startswith("PC3") and axes[0].get_legend() is not None
    drawing = plotting.draw("trained_flipflop", trained=t_back, analysis=a_back)
    assert "8 of 8 memories held" in drawing.agreement and "N = " in drawing.caption and drawing.lead
    assert "Input on (test trial) against input off, per tau: lambda_1 " in drawing.agreement
    assert [t.get_text() for t in axes[-1].get_legend().get_texts()] == [
        "trained, input off", "trained, input on (test trial)", "untrained reservoir"]
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 10_000 and (tmp_path / "f.pdf").stat().st_size > 10_000


def test_failed_training_is_stated_on_the_figure(trained):
    import xarray as xr

    failed = xr.Dataset({"status": io.status_variable("diverged", "W_out became non-finite")})
    fig = plotting_trained.flipflop_figure(failed, failed)
    assert "failed" in fig.get_axes()[0].texts[0].get_text()
