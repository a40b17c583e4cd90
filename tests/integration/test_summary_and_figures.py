"""Summary assembly and figures on tiny synthetic per-point datasets (Agg backend)."""

import itertools
import warnings

import matplotlib
import numpy as np
import pytest
import xarray as xr

from rnnchaos import io, plotting, plotting_base, plotting_grid, plotting_phase, summary
from rnnchaos.figures import FIGURES, default_figures
from rnnchaos.status import NOT_COMPUTED, STATUS_CODES, SUMMARY_STATUS_CODES

matplotlib.use("Agg")

G, SB, SIZES, SEEDS = (0.5, 2.0), (0.0, 0.5), (10, 20), (0, 1)
A = {"units": "1", "long_name": "synthetic"}


def _status(ok=True):
    return io.status_variable("ok" if ok else "diverged")


def stage_files(fail=None):
    """Per-point datasets shaped like the stages' outputs; ``fail`` = (g, sigma_b, N, seed) of a failed point."""
    sim, lyap, fps, dm = [], [], [], []
    for g, sb, n, s in itertools.product(G, SB, SIZES, SEEDS):
        point = {"g": g, "sigma_b": sb, "N": n, "seed": s}
        tau = np.arange(5.0)
        sim.append(io.with_grid_coords(xr.Dataset({
            "delta0": ((), g + sb, A), "delta0_sem": ((), 0.1, A), "mean_activity": ((), 0.0, A),
            "delta": (("tau",), (g + sb) * np.exp(-tau), A), "delta_sem": (("tau",), 0.1 * np.ones(5), A),
            "end_speed": ((), 0.0 if g < 1 else 0.2, A), "recurrence": ((), np.inf if g < 1 else 0.5, A),
            "status": _status()}, coords={"tau": tau}), **point))
        if (g, sb, n, s) == fail:
            lyap.append(io.with_grid_coords(xr.Dataset({"status": _status(False)}), **point))
        else:
            lyap.append(io.with_grid_coords(xr.Dataset({
                "lambda_max": ((), g - 1 + 0.01 * s, A), "lambda_max_sem": ((), 0.01, A), "d_ky": ((), 1.0, A),
                "entropy_rate": ((), 0.0, A), "mean_exponent": ((), -1.0, A), "jacobian_trace_mean": ((), -1.0, A),
                "exponent": (("i",), np.linspace(g - 1, -2, 5), A), "exponent_sem": (("i",), 0.01 * np.ones(5), A),
                "status": _status()}, coords={"i": np.arange(1, 6)}), **point))
        x = np.random.default_rng(s).standard_normal((3, n)) * g
        fps.append(io.with_grid_coords(xr.Dataset({
            "x": (("fp", "i"), x, A), "n_fixed_points": ((), 3, A), "n_stable": ((), 1, A),
            "status": _status()}), **point))
    for g, sb in itertools.product(G, SB):
        dm.append(io.with_grid_coords(xr.Dataset({
            "delta0": ((), g + sb, A), "delta_inf": ((), sb, A), "lambda_max": ((), g - 1, A), "g_c": ((), 1 + sb, A),
            "chaotic": ((), np.int8(g > 1), A), "delta": (("tau",), (g + sb) * np.exp(-np.arange(7.0) / 2), A),
            "status": _status()}, coords={"tau": np.arange(7.0) / 2}), g=g, sigma_b=sb))
    return {"simulate": sim, "lyapunov": lyap, "fixed_points": fps, "dmft": dm}


@pytest.fixture(scope="module")
def combined():
    return summary.summarise(**stage_files(fail=(2.0, 0.5, 20, 1)))


def test_summary_is_the_full_grid_with_prefixed_variables(combined):
    assert {k: combined.sizes[k] for k in ("g", "sigma_b", "N", "seed")} == {"g": 2, "sigma_b": 2, "N": 2, "seed": 2}
    assert combined["lyap_lambda_max"].dims == ("g", "sigma_b", "N", "seed")
    assert combined["dmft_lambda_max"].dims == ("g", "sigma_b")
    assert combined["sim_delta"].dims[-1] == "tau" and "tau_dmft" in combined["dmft_delta"].dims
    v = combined["lyap_lambda_max"].sel(g=2.0, sigma_b=0.0, N=10, seed=1).item()
    assert v == pytest.approx(1.01)
    counts = combined["fp_coordinate_counts"].sel(g=0.5, sigma_b=0.0, N=10, seed=0)
    assert int(counts.sum()) == 30
    assert combined["fp_mean_sq_radius"].sel(g=2.0, sigma_b=0.0, N=20, seed=0).item() > 1.0


def test_attractor_class_of_every_simulated_network(combined):
    """g = 0.5: the state stopped (fixed point); g = 2: lambda_max = 1 +- 0.01 (chaotic); the point whose Lyapunov
    stage failed keeps moving without an exponent (undecided, never guessed)."""
    att = combined["attractor"]
    assert att.dtype == np.int8 and "chaotic" in att.attrs["flag_meanings"]
    meaning = dict(zip(att.attrs["flag_values"].tolist(), att.attrs["flag_meanings"].split(), strict=True))
    assert {meaning[int(v)] for v in att.sel(g=0.5).values.ravel()} == {"fixed_point"}
    assert meaning[int(att.sel(g=2.0, sigma_b=0.5, N=20, seed=1))] == "undecided"
    assert meaning[int(att.sel(g=2.0, sigma_b=0.5, N=20, seed=0))] == "chaotic"


def test_network_with_lyapunov_but_no_simulation_is_classed_from_lambda_max_alone():
    """Per-stage seeds: simulate skipped seed 1. At g = 2 its lambda_max = 1.01 +- 0.01 is > 3 sem (chaotic, the
    test a simulated network passes too); at g = 0.5 (lambda_max = -0.49) a fixed point and a limit cycle cannot be
    told apart without the trajectory (undecided); where the Lyapunov stage failed too, nothing tells
    (not_computed). The simulated seed 0 keeps its classes."""
    files = stage_files(fail=(2.0, 0.5, 20, 1))
    files["simulate"] = [ds for ds in files["simulate"] if int(ds["seed"].values.ravel()[0]) == 0]
    att = summary.summarise(**files)["attractor"]
    meaning = dict(zip(att.attrs["flag_values"].tolist(), att.attrs["flag_meanings"].split(), strict=True))
    assert meaning[int(att.sel(g=2.0, sigma_b=0.0, N=10, seed=1))] == "chaotic"
    assert meaning[int(att.sel(g=0.5, sigma_b=0.0, N=10, seed=1))] == "undecided"
    assert meaning[int(att.sel(g=2.0, sigma_b=0.5, N=20, seed=1))] == "not_computed"
    assert meaning[int(att.sel(g=0.5, sigma_b=0.0, N=10, seed=0))] == "fixed_point"
    assert meaning[int(att.sel(g=2.0, sigma_b=0.5, N=20, seed=0))] == "chaotic"
def test_failed_point_is_flagged_and_carries_no_value(combined):
    p = combined.sel(g=2.0, sigma_b=0.5, N=20, seed=1)
    assert int(p["lyap_status"]) == 1 and np.isnan(p["lyap_lambda_max"].item())
    mean, _, failed = plotting_base.seed_stats(combined["lyap_lambda_max"], combined["lyap_status"])
    assert int(failed.sel(g=2.0, sigma_b=0.5, N=20)) == 1
    assert mean.sel(g=2.0, sigma_b=0.5, N=20).item() == pytest.approx(1.0)  # the good seed only


def theory():
    line = xr.Dataset({"g_c": (("sigma_b",), 1 + np.linspace(0, 1, 9) ** 2, A)},
                      coords={"sigma_b": np.linspace(0, 1, 9)})
    sweeps = [io.with_grid_coords(xr.Dataset({"lambda_max": (("g",), np.linspace(-1, 1, 9), A)},
                                             coords={"g": np.linspace(0, 2, 9)}), sigma_b=sb) for sb in SB]
    ys = np.linspace(-4, 4, 81)
    kr = [io.with_grid_coords(xr.Dataset({"mu": (("y",), np.exp(-ys**2 / 2) / np.sqrt(2 * np.pi), A),
                                          "mean_sq_radius": ((), 1.0, A), "status": _status()},
                                         coords={"y": ys}), g=g, sigma_b=sb)
          for g, sb in itertools.product(G, SB)]
    return {"critical_line": line, "g_sweep": sweeps, "kac_rice": kr}


@pytest.mark.parametrize("name", default_figures())
def test_every_figure_has_labelled_axes_and_a_non_empty_file(combined, tmp_path, name):
    data = {"summary": combined, **theory()}
    drawing = plotting.draw(name, model="rate", **{k: data[k] for k in FIGURES[name].inputs if k in data})
    fig, agreement = drawing.figure, drawing.agreement
    assert any(ch.isdigit() for ch in agreement), agreement
    assert "rate model" in drawing.caption and any(ch.isdigit() for ch in drawing.caption), drawing.caption
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for ax in axes:
        assert ax.get_xlabel() and "[" in ax.get_xlabel()
        assert any(a.get_ylabel() for a in axes)
        assert ax.has_data()
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf",
                  caption=tmp_path / "f.rst")
    assert drawing.lead == FIGURES[name].caption
    assert (tmp_path / "f.rst").read_text().startswith(
        plotting.rst_escape(drawing.lead) + "\n\n" + plotting.rst_escape(drawing.caption) + "\n\n")
    assert (tmp_path / "f.png").stat().st_size > 5000 and (tmp_path / "f.pdf").stat().st_size > 1000


def test_failed_points_are_drawn_as_failed(combined):
    fig = plotting_phase.lambda_max_vs_g(combined, theory()["g_sweep"], model="rate").figure
    labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()]
    assert "failed" in labels


def test_unknown_figure_is_rejected(combined):
    with pytest.raises(ValueError, match="figure must be one of"):
        plotting.draw("bifurcation", model="rate", summary=combined)


def test_summary_variables_keep_units_and_names(combined):
    for v in combined.data_vars:
        assert {"units", "long_name"} <= set(combined[v].attrs), v


def _fp_failed(ds, status="stalled"):
    point = {d: ds[d].values.item() for d in ("g", "sigma_b", "N", "seed")}
    return io.with_grid_coords(xr.Dataset({"status": io.status_variable(status, "none of 4 solves converged")}),
                               **point)


@pytest.fixture(scope="module")
def mixed_fixed_points(tmp_path_factory):
    """Per-point fixed-point files written and read back (integer counts on disk): one failed point, one point
    with no file at all; the summary of them written and reopened."""
    files = stage_files()
    fps = files["fixed_points"]
    fps[1] = _fp_failed(fps[1])  # g=0.5, sigma_b=0, N=10, seed=1
    fps.pop(2)  # g=0.5, sigma_b=0, N=20, seed=0: not computed
    root = tmp_path_factory.mktemp("fp")
    for i, ds in enumerate(fps):
        ds = ds.copy()
        for v in ("n_fixed_points", "n_stable"):
            if v in ds:
                ds[v] = ds[v].astype(np.int64)
        io.write_dataset(ds, root / f"{i}.nc", stage="fixed_points", params={})
    files["fixed_points"] = [io.read_dataset(root / f"{i}.nc", stage="fixed_points") for i in range(len(fps))]
    combined = summary.summarise(**files)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        io.write_dataset(combined, root / "summary.nc", stage="summary", params={})
        reopened = xr.load_dataset(root / "summary.nc")
    return combined, reopened, [str(w.message) for w in caught]


def test_summary_file_is_written_and_read_without_warnings(mixed_fixed_points):
    assert mixed_fixed_points[2] == []  # e.g. SerializationWarning: integer dtype without any _FillValue


def test_summary_of_failed_and_missing_points_has_no_integer_sentinel(mixed_fixed_points):
    for ds in mixed_fixed_points[:2]:
        for v in ds.data_vars:
            values = ds[v].values
            if values.dtype.kind in "iuf":
                assert not np.any(values <= -(2.0**62)), v
            if values.dtype.kind in "iu":  # only flag variables (status, attractor) stay integer
                assert "flag_meanings" in ds[v].attrs, f"{v} is {values.dtype}: counts must be float (NaN if missing)"


def test_summary_counts_are_nan_where_failed_or_not_computed(mixed_fixed_points):
    for ds in mixed_fixed_points[:2]:
        failed, missing = (ds.sel(g=0.5, sigma_b=0.0, N=n, seed=s) for n, s in ((10, 1), (20, 0)))
        for p in (failed, missing):
            for v in ("fp_n_fixed_points", "fp_n_stable", "fp_n_nontrivial", "fp_mean_sq_radius"):
                assert np.isnan(p[v].item()), v
        assert int(failed["fp_status"]) == STATUS_CODES["stalled"]
        assert int(missing["fp_status"]) == NOT_COMPUTED
        assert ds["fp_n_fixed_points"].sel(g=2.0, sigma_b=0.5, N=20, seed=1).item() == 3.0


def test_summary_status_is_int8_with_flags_and_the_failures_detail(mixed_fixed_points):
    for ds in mixed_fixed_points[:2]:
        for v in ("sim_status", "lyap_status", "fp_status", "dmft_status"):
            assert ds[v].dtype == np.int8, v
            assert ds[v].attrs["flag_meanings"].split() == list(SUMMARY_STATUS_CODES), v
            np.testing.assert_array_equal(ds[v].attrs["flag_values"], list(SUMMARY_STATUS_CODES.values()))
        detail = ds["fp_status"].attrs["detail"]
        assert "g=0.5, sigma_b=0, N=10, seed=1: stalled: none of 4 solves converged" in detail
        assert "N=20, seed=0" not in detail  # not computed is not a failure
        assert ds["lyap_status"].attrs["detail"] == ""


def test_seed_without_a_file_is_not_drawn_as_failed(mixed_fixed_points):
    combined = mixed_fixed_points[0]
    _, _, failed = plotting_base.seed_stats(combined["fp_n_fixed_points"], combined["fp_status"])
    assert int(failed.sel(g=0.5, sigma_b=0.0, N=10)) == 1
    assert int(failed.sel(g=0.5, sigma_b=0.0, N=20)) == 0


def trivial_and_chaotic(n=10):
    """sigma_b = 0: at g = 0.5 every seed found only x* = 0; at g = 2 x* = 0 and two mirror pairs (coordinates
    +-1, +-2, never 0); Kac-Rice: the trivial branch (mean_sq_radius 0, mu* a unit mass at 0) and a density."""
    fps, kr = [], []
    ys = np.linspace(-4, 4, 81)
    for g, s in itertools.product((0.5, 2.0), (0, 1)):
        rows = np.zeros((1, n)) if g < 1 else np.array([np.zeros(n), np.ones(n), -np.ones(n),
                                                        np.full(n, 2.0), np.full(n, -2.0)])
        fps.append(io.with_grid_coords(xr.Dataset({
            "x": (("fp", "i"), rows, A), "n_fixed_points": ((), rows.shape[0], A), "n_stable": ((), 1, A),
            "status": _status()}), g=g, sigma_b=0.0, N=n, seed=s))
    for g in (0.5, 2.0):
        mu = np.where(np.abs(ys) < 0.05, 10.0, 0.0) if g < 1 else np.exp(-ys**2 / 5) / np.sqrt(5 * np.pi)
        kr.append(io.with_grid_coords(xr.Dataset({"mu": (("y",), mu, A), "mean_sq_radius": ((), 2.5 * (g > 1), A),
                                                  "status": _status()}, coords={"y": ys}), g=g, sigma_b=0.0))
    return summary.summarise(simulate=[], lyapunov=[], dmft=[], fixed_points=fps), kr


def test_trivial_point_is_left_out_of_the_coordinate_histogram_and_radius():
    s, _ = trivial_and_chaotic()
    chaotic = s.sel(g=2.0, sigma_b=0.0, N=10, seed=0)
    assert chaotic["fp_coordinate_counts"].sum().item() == 4 * 10  # the 4 points other than 0, not 5
    bin0 = np.argmin(np.abs(s.y.values))
    assert chaotic["fp_coordinate_counts"].isel(y=bin0).item() == 0
    assert chaotic["fp_mean_sq_radius"].item() == pytest.approx(2.5)  # (1 + 1 + 4 + 4) / 4, not 10 / 5
    assert chaotic["fp_n_nontrivial"].item() == 4 and chaotic["fp_n_fixed_points"].item() == 5
    quiet = s.sel(g=0.5, sigma_b=0.0, N=10, seed=0)
    assert quiet["fp_coordinate_counts"].sum().item() == 0 and quiet["fp_n_nontrivial"].item() == 0
    assert quiet["fp_mean_sq_radius"].item() == 0.0  # as Kac-Rice below g_c


def test_unique_trivial_point_is_stated_not_drawn():
    s, kr = trivial_and_chaotic()
    drawing = plotting_grid.fixed_point_coordinates(s, kr, model="rate")
    fig, agreement = drawing.figure, drawing.agreement
    quiet, chaotic = fig.axes[:2]
    assert [t.get_text() for t in quiet.texts] == ["only $x^*=0$ (unique)"]
    assert not quiet.patches and not quiet.get_lines()  # no spike: neither a bar nor the point mass mu*
    assert chaotic.patches and chaotic.get_lines() and not chaotic.texts
    assert "8 fixed points other than $x^*=0$" in [t.get_text() for t in chaotic.get_legend().get_texts()]
    heights = np.array([b.get_height() for b in chaotic.patches])
    assert heights[np.argmin(np.abs(np.array([b.get_x() + b.get_width() / 2 for b in chaotic.patches])))] == 0
    assert "other than x* = 0" in agreement and "g = 0.5: only x* = 0, unique as Kac-Rice predicts" in agreement
    assert "g = 2: 2.500 vs 2.500" in agreement


def test_failed_searches_are_counted_in_the_panel():
    s, kr = trivial_and_chaotic()
    s["fp_status"].loc[{"g": 2.0, "seed": 1}] = STATUS_CODES["trivial_only"]
    drawing = plotting_grid.fixed_point_coordinates(s, kr, model="rate")
    fig, agreement = drawing.figure, drawing.agreement
    assert [t.get_text() for t in fig.axes[1].texts] == ["1 of 2 searches failed"]
    assert "g = 2: 1 of 2 searches failed" in agreement


def origins_grid():
    """sigma_b = 0, N = 20, 3 seeds. g = 0.5: only x* = 0. g = 2: unbiased (Gaussian-start) <x*^2> 1.0, 1.2, 1.4
    per network, trajectory-started 2.0, 2.2 and none. g = 3: no Gaussian start converged anywhere (a homotopy
    path found points, <x*^2> 4.8) and seed 2's search failed (trivial_only)."""
    fps, sims, dm, kr = [], [], [], []
    unbiased = {0.5: [np.nan] * 3, 2.0: [1.0, 1.2, 1.4], 3.0: [np.nan] * 3}
    trajectory = {0.5: [np.nan] * 3, 2.0: [2.0, 2.2, np.nan], 3.0: [np.nan] * 3}
    homotopy = {0.5: [np.nan] * 3, 2.0: [np.nan] * 3, 3.0: [4.8] * 3}
    for g, s in itertools.product((0.5, 2.0, 3.0), range(3)):
        point = {"g": g, "sigma_b": 0.0, "N": 20, "seed": s}
        sims.append(io.with_grid_coords(xr.Dataset({"delta0": ((), 2 * g, A), "delta0_sem": ((), 0.1, A),
                                                    "status": _status()}), **point))
        if (g, s) == (3.0, 2):
            fps.append(_fp_failed(io.with_grid_coords(xr.Dataset(), **point), "trivial_only"))
            continue
        per = {}
        for c, values in (("unbiased", unbiased), ("gaussian", unbiased), ("trajectory", trajectory),
                          ("homotopy", homotopy)):
            per[f"mean_sq_radius_from_{c}"] = ((), values[g][s], A)
            per[f"n_from_{c}"] = ((), 0.0 if np.isnan(values[g][s]) else 4.0, A)
        x = np.zeros((1, 20)) if g < 1 else np.full((5, 20), 2.0)
        fps.append(io.with_grid_coords(xr.Dataset({"x": (("fp", "i"), x, A), "n_fixed_points": ((), len(x), A),
                                                   "n_stable": ((), 0, A), "status": _status(), **per}), **point))
    for g in (0.5, 2.0, 3.0):
        dm.append(io.with_grid_coords(xr.Dataset({"delta0": ((), 2 * g - 0.1, A), "chaotic": ((), np.int8(g > 1), A),
                                                  "status": _status()}), g=g, sigma_b=0.0))
        kr.append(io.with_grid_coords(xr.Dataset({"mean_sq_radius": ((), 1.1 * (g > 1), A), "status": _status()}),
                                      g=g, sigma_b=0.0))
    return summary.summarise(simulate=sims, lyapunov=[], fixed_points=fps, dmft=dm), kr


def test_summary_keeps_fixed_point_origins_apart_with_networks_as_samples():
    s, _ = origins_grid()
    at = s.sel(sigma_b=0.0, N=20)
    assert at["fp_mean_sq_radius_from_unbiased"].sel(g=2.0, seed=1).item() == 1.2
    mean = at["fp_mean_sq_radius_from_unbiased_seed_mean"]
    assert mean.sel(g=2.0).item() == pytest.approx(1.2)
    assert at["fp_mean_sq_radius_from_unbiased_seed_sem"].sel(g=2.0).item() == pytest.approx(0.2 / np.sqrt(3))
    assert at["fp_networks_from_unbiased"].sel(g=2.0).item() == 3
    assert at["fp_mean_sq_radius_from_trajectory_seed_mean"].sel(g=2.0).item() == pytest.approx(2.1)
    assert at["fp_networks_from_trajectory"].sel(g=2.0).item() == 2
    assert at["fp_networks_from_unbiased"].sel(g=3.0).item() == 0 and np.isnan(mean.sel(g=3.0).item())
    assert at["fp_networks_from_homotopy"].sel(g=3.0).item() == 2  # the failed search is no network sample
    for v in ("fp_mean_sq_radius_from_unbiased_seed_mean", "fp_networks_from_gaussian"):
        assert {"units", "long_name"} <= set(s[v].attrs)


def test_radial_separation_compares_only_the_unbiased_sample_and_says_where_there_is_none():
    s, kr = origins_grid()
    drawing = plotting.draw("radial_separation", model="rate", summary=s, kac_rice=kr)
    ax = drawing.figure.axes[0]
    drawn = {c.get_label(): c.lines[0].get_ydata() for c in ax.containers}
    np.testing.assert_allclose(drawn["fixed points, Gaussian starts (unbiased)"], [np.nan, 1.2, np.nan])
    np.testing.assert_allclose(drawn["fixed points, trajectory starts"], [np.nan, 2.1, np.nan])
    np.testing.assert_allclose(drawn["fixed points, homotopy path"], [np.nan, np.nan, 4.8])
    assert [t.get_text() for t in ax.texts] == ["no unbiased sample"]  # at g = 3 only (g = 0.5 is not chaotic)
    assert ax.texts[0].xy[0] == 3.0
    text = drawing.agreement
    assert "g = 2: unbiased <x*^2> 1.20 +- 0.12 (3 network(s)) vs Kac-Rice 1.10; trajectory-started 2.10" in text
    assert ("g = 3: no unbiased sample (no Gaussian start reached a fixed point in 2 network(s), 1 search(es) "
            "failed); the points found (<x*^2> 4.00) are not the population's") in text
    assert "g = 0.5" not in text and "from Gaussian draws of the" in drawing.caption


def test_radial_separation_where_every_search_failed():
    s, kr = origins_grid()
    s["fp_status"].loc[{"g": 3.0}] = STATUS_CODES["trivial_only"]
    s = s.drop_vars([v for v in s.data_vars if v.endswith(("_seed_mean", "_seed_sem")) or "networks_from" in v])
    s = s.merge(summary.origin_means(s))
    text = plotting.draw("radial_separation", model="rate", summary=s, kac_rice=kr).agreement
    assert ("g = 3: no unbiased sample (no Gaussian start reached a fixed point in 0 network(s), 3 search(es) "
            "failed); no other point was found, Kac-Rice 1.10") in text


# --- per-stage sizes, attractor marks and the finite-size figure (issue 15, items 1, 4, 7) -----------------------
STAGE_SIZES = {"simulate": (10, 20, 40), "lyapunov": (10, 20, 40), "fixed_points": (10,)}
STAGE_SEEDS = (0, 1, 2)


def per_stage_files():
    """Files of each stage at its own sizes (fixed points only at N = 10), lambda_max = g - 1 - 2/N (+ seed offset),
    and one network that stopped on a fixed point at g = 2, sigma_b = 0, N = 10, seed 1."""
    files = {"simulate": [], "lyapunov": [], "fixed_points": [], "dmft": stage_files()["dmft"]}
    for stage, sizes in STAGE_SIZES.items():
        for g, sb, n, s in itertools.product(G, SB, sizes, STAGE_SEEDS):
            point = {"g": g, "sigma_b": sb, "N": n, "seed": s}
            if stage == "simulate":
                stopped = g < 1 or (g, sb, n, s) == (2.0, 0.0, 10, 1)
                ds = xr.Dataset({
                    "delta0": ((), g + sb + 1 / n + 0.01 * s, A), "delta0_sem": ((), 0.01, A),
                    "delta_inf_overlap": ((), sb + 1 / n + 0.01 * s, A), "end_speed": ((), 0.0 if stopped else 0.2, A),
                    "recurrence": ((), np.inf if stopped else 0.5, A), "status": _status()})
            elif stage == "lyapunov":
                lam = -0.1 if (g, sb, n, s) == (2.0, 0.0, 10, 1) else g - 1 - 2 / n + 0.01 * s
                ds = xr.Dataset({"lambda_max": ((), lam, A), "lambda_max_sem": ((), 0.01, A), "d_ky": ((), 1.0, A),
                                 "status": _status()})
            else:
                ds = xr.Dataset({"x": (("fp", "i"), np.ones((1, n)) * g, A), "n_fixed_points": ((), 1, A),
                                 "status": _status()})
            files[stage].append(io.with_grid_coords(ds, **point))
    return files


@pytest.fixture(scope="module")
def per_stage():
    from rnnchaos import finite_size

    combined = summary.summarise(**per_stage_files())
    return combined, list(finite_size.finite_size_datasets(combined).values())


def test_points_a_stage_skipped_are_not_computed_not_failed(per_stage):
    combined, _ = per_stage
    assert combined.N.values.tolist() == [10, 20, 40]
    fp = combined["fp_status"]
    assert (fp.sel(N=[20, 40]) == NOT_COMPUTED).all() and (fp.sel(N=10) == 0).all()
    assert np.isnan(combined["fp_n_fixed_points"].sel(N=40)).all()
    assert (combined["lyap_status"] == 0).all()
    assert "not_computed" in fp.attrs["flag_meanings"] and fp.attrs["detail"] == ""


def test_finite_size_files_extrapolate_the_chaotic_networks_only(per_stage):
    _, files = per_stage
    ds = next(d for d in files if float(d.g[0]) == 2.0 and float(d.sigma_b[0]) == 0.0)
    assert float(ds["lambda_max_inf"].item()) == pytest.approx(1.01, abs=1e-9)  # g - 1 + mean seed offset
    assert ds["lambda_max_n_included"].values.ravel().tolist() == [2, 3, 3]  # the fixed-point network left out
    assert float(ds["lambda_max_z"].item()) == pytest.approx((1.01 - 1.0) / ds["lambda_max_inf_sem"].item())


def test_phase_diagram_marks_the_non_chaotic_network_and_shows_the_extrapolation(per_stage):
    combined, files = per_stage
    drawing = plotting_phase.phase_diagram(combined, theory()["critical_line"], model="rate", finite_size=files)
    labels = [line.get_label() for ax in drawing.figure.axes for line in ax.get_lines()]
    assert "network: fixed point" in labels
    assert len([ax for ax in drawing.figure.axes if ax.get_label() != "<colorbar>"]) == 2  # N = 40 and N -> inf
    assert "(N = 40, mean over every network" in drawing.agreement
    # at N = 40 (the largest) the g = 0.5 networks are fixed points, the g = 2 ones all chaotic
    assert "where DMFT is chaotic, 6 of 6 networks are chaotic (no other attractor); where it is not, 0 of 6" in \
        drawing.agreement
    plain = plotting_phase.phase_diagram(combined, theory()["critical_line"], model="rate")
    assert len([ax for ax in plain.figure.axes if ax.get_label() != "<colorbar>"]) == 1


def test_lambda_max_vs_g_averages_chaotic_networks_and_states_which(per_stage):
    combined, files = per_stage
    drawing = plotting_phase.lambda_max_vs_g(combined, theory()["g_sweep"], model="rate", finite_size=files)
    labels = [line.get_label() for ax in drawing.figure.axes for line in ax.get_lines()]
    assert "left out: fixed point" in labels
    assert "networks: the chaotic ones where DMFT is chaotic" in drawing.agreement
    assert "Extrapolated to N -> infinity" in drawing.agreement and "largest |z|" in drawing.agreement
    # the mean at g = 2, sigma_b = 0, N = 10 is the chaotic seed 0's value, not pulled down by the fixed point
    ax = drawing.figure.axes[0]
    n10 = next(c for c in ax.containers if c.get_label() == "N = 10")
    y = n10.lines[0].get_ydata()
    assert y[list(G).index(2.0)] == pytest.approx(2.0 - 1 - 0.2 + 0.01)  # seeds 0 and 2


def test_finite_size_figure_states_z_scores_and_the_trend(per_stage, tmp_path):
    _, files = per_stage
    drawing = plotting.draw("finite_size", model="rate", finite_size=files)
    assert len(drawing.figure.axes) == 2 * len(files)
    for ax in drawing.figure.axes:
        assert ax.get_xlabel() == r"$1/N$ [1]" and ax.get_ylabel() and ax.has_data()
    assert "lambda_max(N -> inf) = 1.01" in drawing.agreement and "z = " in drawing.agreement
    assert "per-N means" not in drawing.agreement  # every |z| < 2 here
    biased = [ds.copy() for ds in files]  # a theory 0.1 below: |z| ~ 19, so the per-N means show the gap
    biased[0]["lambda_max_dmft"] = biased[0]["lambda_max_inf"] - 0.1
    biased[0]["lambda_max_z"] = 0.1 / biased[0]["lambda_max_inf_sem"]
    text = plotting.draw("finite_size", model="rate", finite_size=biased).agreement
    assert text.count("per-N means") == 1 and "against DMFT" in text
    assert "is rejected" not in drawing.agreement  # the synthetic data are linear in 1/N
    curved = [ds.copy() for ds in files]  # chi2/dof 16 over 1 dof (3 sizes): p ~ 6e-5, the linear form rejected
    curved[0]["lambda_max_chi2_dof"] = xr.full_like(curved[0]["lambda_max_chi2_dof"], 16.0)
    curved[0]["lambda_max_inf_quad"] = curved[0]["lambda_max_dmft"] + 0.002
    curved[0]["lambda_max_inf_quad_sem"] = xr.full_like(curved[0]["lambda_max_inf_quad_sem"], 0.004)
    text = plotting.draw("finite_size", model="rate", finite_size=curved).agreement
    assert "the form A + a/N is rejected (chi2/dof 16 over 1 degrees of freedom, p = 6e-05)" in text
    assert "A + a/N + b/N^2 gives" in text and "(z = 0.5" in text
    assert "N = 10, 20, 40" in drawing.caption and "rate model" in drawing.caption
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 5000


def test_variables_whose_attributes_differ_between_files_keep_units_and_a_name():
    """Files written by two versions of the code may word a long_name differently; xarray then drops it, and the
    summary must still be writable (every variable with units and long_name)."""
    files = stage_files()
    for ds in files["lyapunov"]:
        if "d_ky" in ds and float(ds["g"][0]) == 2.0:
            ds["d_ky"].attrs = {"units": "1", "long_name": "Kaplan-Yorke dimension (older wording)"}
    out = summary.summarise(**files)
    assert out["lyap_d_ky"].attrs["units"] == "1"
    assert out["lyap_d_ky"].attrs["long_name"].endswith("(as in the first file)")
