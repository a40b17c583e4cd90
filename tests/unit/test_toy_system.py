"""Seed 003's 2-D system: the three fixed points found and classified against the closed forms, the seed's
misplaced point, the phase-portrait Dataset (q, nullclines, trajectories, determinism) and its drawing."""

import matplotlib
import numpy as np
import pytest
import xarray as xr

from rnnchaos import io
from rnnchaos.fixed_points import model_fixed_points
from rnnchaos.model import Model
from rnnchaos.plotting_toy import toy_phase_portrait
from rnnchaos.toy_system import (
    ANALYTIC_EIGVALS,
    ANALYTIC_POINTS,
    SEED_STATED,
    TYPES,
    ToySystem,
    phase_portrait,
    planar_type,
)

matplotlib.use("Agg")

SQRT3 = np.sqrt(3.0)
#: the closed forms, ordered by x: stable node (-1, -1/2), saddle (0, 0), stable node (1, 1/2)
POINTS = np.array([[-1.0, -0.5], [0.0, 0.0], [1.0, 0.5]])
EIGS = np.array([[-1.0, -1.0], [(-1 - SQRT3) / 2, (-1 + SQRT3) / 2], [-1.0, -1.0]])


@pytest.fixture(scope="module")
def portrait():
    return phase_portrait(rng=np.random.default_rng(0), n_grid=61, n_fp_starts=80, n_trajectories=6,
                          n_slow_starts=24)


def test_the_toy_is_a_model_with_the_stated_derivatives():
    toy = ToySystem(dt=0.01)
    assert isinstance(toy, Model) and toy.flow
    v, h = np.array([0.7, -0.3]), 1e-6
    fd = np.column_stack([(toy.residual(v + h * e) - toy.residual(v - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(toy.residual_jacobian(v), fd, atol=1e-9)
    np.testing.assert_allclose(toy.step(v), v + 0.01 * toy.residual(v), rtol=0, atol=0)
    np.testing.assert_allclose(toy.tangent(v, np.eye(2)), np.eye(2) + 0.01 * fd, atol=1e-10)
    with pytest.raises(ValueError, match="dt"):
        ToySystem(dt=0.0)


def test_analytic_points_and_the_seed_statement():
    """(0,0), (1,1/2), (-1,-1/2) are zeros of F with the stated eigenvalues; the seed's (1, -1/2) is not a zero."""
    toy = ToySystem()
    for x, ev in zip(ANALYTIC_POINTS, ANALYTIC_EIGVALS, strict=True):
        assert np.all(toy.residual(x) == 0)
        np.testing.assert_allclose(np.sort(np.linalg.eigvals(toy.residual_jacobian(x)).real), ev, atol=1e-12)
    misplaced = [x for x in SEED_STATED if np.any(toy.residual(x) != 0)]
    assert len(misplaced) == 1 and np.array_equal(misplaced[0], [1.0, -0.5])
    assert toy.residual(misplaced[0]) == pytest.approx([0.0, 1.0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_library_search_finds_and_classifies_the_three_points(seed):
    fp = model_fixed_points(ToySystem(), np.random.default_rng(seed).uniform([-2, -1.5], [2, 1.5], (60, 2)),
                            tol=1e-12)
    order = np.argsort(fp.x[:, 0])
    np.testing.assert_allclose(fp.x[order], POINTS, atol=1e-8)
    ev = np.sort(fp.eigvals[order].real, axis=1)
    np.testing.assert_allclose(ev, EIGS, atol=1e-8)
    np.testing.assert_allclose(fp.eigvals.imag, 0.0, atol=1e-8)
    assert list(fp.n_unstable[order]) == [0, 1, 0]
    assert [planar_type(e) for e in fp.eigvals[order]] == ["stable node", "saddle", "stable node"]


def test_phase_portrait_points_types_and_agreement_numbers(portrait):
    ds = portrait
    np.testing.assert_allclose(ds["fp_x"].values, POINTS, atol=1e-8)
    np.testing.assert_allclose(ds["fp_eig_real"].values, EIGS, atol=1e-8)
    assert [TYPES[k] for k in ds["fp_type"].values] == ["stable node", "saddle", "stable node"]
    assert float(ds["fp_max_distance"]) < 1e-8 and float(ds["fp_max_eig_error"]) < 1e-8
    assert np.all(ds["fp_residual"].values < 1e-12)
    assert ds["seed_stated_q"].values.tolist() == [0.0, 0.5, 0.0]


def test_phase_portrait_fields_nullclines_and_trajectories(portrait):
    ds = portrait
    X, Y = np.meshgrid(ds.x.values, ds.y.values)
    np.testing.assert_allclose(ds["dxdt"].values, (1 - X**2) * Y, atol=1e-14)
    np.testing.assert_allclose(ds["q"].values, 0.5 * (ds["dxdt"] ** 2 + ds["dydt"] ** 2).values, rtol=1e-14)
    on_line = ds["dydt"].interp(x=0.5, y=0.25)  # y = x/2 is the y-nullcline
    assert abs(float(on_line)) < 1e-12
    # every trajectory heads for one of the two stable nodes (the saddle's stable manifold has measure zero)
    end = np.stack([ds["trajectory_x"].values[:, -1], ds["trajectory_y"].values[:, -1]], axis=1)
    d = np.linalg.norm(end[:, None] - POINTS[[0, 2]][None], axis=2).min(axis=1)
    assert np.all(d < 0.05)
    # no slow point: every q-minimisation from the trajectories ends on a fixed point
    assert ds.sizes["slow"] == 0 and int(ds["slow_outcome_count"].sel(outcome="fixed")) == 24


def test_phase_portrait_is_deterministic_per_seed(portrait):
    again = phase_portrait(rng=np.random.default_rng(0), n_grid=61, n_fp_starts=80, n_trajectories=6,
                           n_slow_starts=24)
    xr.testing.assert_identical(portrait, again)
    other = phase_portrait(rng=np.random.default_rng(5), n_grid=61, n_fp_starts=80, n_trajectories=6,
                           n_slow_starts=24)
    assert not np.array_equal(other["trajectory_x"].values, portrait["trajectory_x"].values)
    np.testing.assert_allclose(other["fp_x"].values, portrait["fp_x"].values, atol=1e-8)


@pytest.mark.parametrize(("kw", "name"), [({"n_grid": 2}, "n_grid"), ({"x_range": (1.0, -1.0)}, "x_range"),
                                          ({"t_trajectory": 0.01}, "t_trajectory")])
def test_bad_arguments_name_themselves(kw, name):
    with pytest.raises(ValueError, match=name):
        phase_portrait(rng=np.random.default_rng(0), **kw)


def test_planar_types():
    assert planar_type(np.array([-1.0 + 1e-9j, -1.0 - 1e-9j])) == "stable node"  # a Jordan pair out of LAPACK
    assert planar_type(np.array([-0.5 + 2j, -0.5 - 2j])) == "stable focus"
    assert planar_type(np.array([0.3, 2.0])) == "unstable node"
    assert planar_type(np.array([-1.3, 0.4])) == "saddle"
    assert planar_type(np.array([2j, -2j])) == "center"
    assert planar_type(np.array([0.0, -1.0])) == "degenerate"


def test_drawing_states_the_numbers_and_is_labelled(portrait, tmp_path):
    d = toy_phase_portrait(portrait)
    ax = d.figure.get_axes()[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert "found 3 fixed points, equal to the analytic ones" in d.agreement
    assert "(1, -0.5), where q = 0.5: no fixed point" in d.agreement
    assert "(-1.36603, 0.366025)" in d.agreement and "Slow points" in d.agreement
    assert "80 seeded starts" in d.caption and "6 trajectories" in d.caption
    d.figure.savefig(tmp_path / "toy.png")
    assert (tmp_path / "toy.png").stat().st_size > 10_000
    # a search that missed a point says so
    broken = portrait.isel(fp=[0, 1]).assign(fp_max_distance=np.nan, fp_max_eig_error=np.nan)
    assert "not the three analytic ones" in toy_phase_portrait(broken).agreement


def test_the_file_round_trips_and_draws_the_same(portrait, tmp_path):
    io.write_dataset(portrait, tmp_path / "toy.nc", stage="toy_phase_portrait", params={"seed": 0})
    back = io.read_dataset(tmp_path / "toy.nc")
    assert np.array_equal(back["fp_x"].values, portrait["fp_x"].values)
    assert back["outcome"].values.tolist() == portrait["outcome"].values.tolist()
    assert all(back[v].attrs.get("units") for v in back.data_vars)
    assert toy_phase_portrait(back).agreement == toy_phase_portrait(portrait).agreement
