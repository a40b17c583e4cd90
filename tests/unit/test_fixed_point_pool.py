"""Fixed points pooled over many networks (rnnchaos.fixed_point_pool): the jackknife against its closed form, pooled
statistics of synthetic point sets with known answers, failed networks left out, the config keys and the figure."""

import copy

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnchaos import figures, fixed_point_pool, fixed_point_study, io, network, plotting  # noqa: E402
from rnnchaos.config import ConfigError  # noqa: E402
from rnnchaos.fixed_point_statistics import network_statistics  # noqa: E402
from rnnchaos.plotting_fixed_point_pool import fixed_point_pooled  # noqa: E402
from rnnchaos.status import NumericalFailure  # noqa: E402

from .test_fixed_point_study import parsed  # noqa: E402

N = 50


def network_file(tmp_path, seed, points, *, g=2.0, sigma_b=0.0, fail=False):
    """A per-network file of the study holding ``points`` (rows: fixed points other than 0), as the rule writes."""
    def compute():
        if fail:
            raise NumericalFailure("stalled", "injected")
        X = np.vstack([np.zeros(N), points]) if sigma_b == 0 else points
        ev = np.ones(X.shape, dtype=complex)
        stats = network_statistics(X, eigvals=ev, n_unstable=np.zeros(X.shape[0], int), count=float(X.shape[0]),
                                   count_se=0.0, saturation=(np.arange(1, 3), np.full(2, X.shape[0])),
                                   cdf=lambda y: 0.5 * (1 + np.tanh(y)))
        return fixed_point_study.to_dataset(stats)

    path = tmp_path / f"seed~{seed}.nc"
    io.save_stage(path, compute, stage="fixed_point_study_network", params={"N": N, "seed": seed},
                  point={"g": g, "sigma_b": sigma_b, "N": N, "seed": seed})
    return io.read_dataset(path, stage="fixed_point_study_network")


def test_jackknife_of_a_mean_over_equal_groups_is_the_standard_error_of_the_group_means():
    rng = np.random.default_rng(0)
    groups = [rng.standard_normal(40) + 0.1 * k for k in range(12)]
    value, err = fixed_point_pool.jackknife(groups, np.mean)
    means = np.array([g.mean() for g in groups])
    assert value == pytest.approx(np.concatenate(groups).mean(), rel=1e-12)
    assert err == pytest.approx(means.std(ddof=1) / np.sqrt(means.size), rel=1e-10)
    assert np.isnan(fixed_point_pool.jackknife(groups[:1], np.mean)[1])


def test_pooled_gaussian_points_recover_their_variance_and_sit_closer_to_a_gaussian(tmp_path):
    rng = np.random.default_rng(1)
    variance = 1.7
    nets = [network_file(tmp_path, k, np.sqrt(variance) * rng.standard_normal((30, N))) for k in range(24)]
    ds = fixed_point_pool.pool_networks(nets, model="rate", g=2.0, sigma_b=0.0)
    f = lambda k: float(ds[k].values.ravel()[0])  # noqa: E731
    assert f("n_points") == 24 * 30 and f("n_coordinate_networks") == 24 and f("n_failed") == 0
    assert f("n_trivial") == 24  # x* = 0 counted apart, never a coordinate
    assert abs(f("mean_sq_radius_points") - variance) < 4 * f("mean_sq_radius_points_err")
    assert f("mean_sq_radius_points_err") == pytest.approx(variance * np.sqrt(2 / (24 * 30 * N)), rel=0.5)
    assert f("ks_gaussian") < 4 * f("ks_gaussian_err") + 0.01
    # mu* of (2, 0) has <y^2> = 1.146: these points are measurably farther from it than from their own Gaussian
    assert f("ks_kac_rice") > f("ks_gaussian") + 3 * f("ks_kac_rice_err")
    y, dens = ds.y.values, ds["density"].values.ravel()
    width = float(ds.attrs["bin_width"])
    assert np.sum(dens) * width == pytest.approx(1.0, abs=1e-3)
    assert np.sum(ds["density_kac_rice"].values) * width == pytest.approx(1.0, abs=1e-3)
    second = np.sum(y ** 2 * ds["density_gaussian"].values.ravel()) * width  # the pooled variance, + width^2/12
    assert second == pytest.approx(f("mean_sq_radius_points") + width ** 2 / 12, rel=1e-4)


def test_a_failed_network_is_left_out_with_its_status_and_a_mix_of_sizes_is_refused(tmp_path):
    rng = np.random.default_rng(2)
    nets = [network_file(tmp_path, k, rng.standard_normal((5, N)), sigma_b=0.5) for k in range(3)]
    nets.append(network_file(tmp_path, 3, None, sigma_b=0.5, fail=True))
    ds = fixed_point_pool.pool_networks(nets, model="rate", g=2.0, sigma_b=0.5)
    assert float(ds["n_failed"].values.ravel()[0]) == 1 and float(ds["n_points"].values.ravel()[0]) == 15
    assert list(ds["network_status"].values.ravel()) == [0, 0, 0, 4]
    with pytest.raises(ValueError, match="each seed once"):
        fixed_point_pool.pool_networks(nets + nets[:1], model="rate", g=2.0, sigma_b=0.5)
    with pytest.raises(ValueError, match="at least one"):
        fixed_point_pool.pool_networks([], model="rate", g=2.0, sigma_b=0.5)


def test_the_figure_draws_and_states_the_numbers_from_the_file(tmp_path):
    rng = np.random.default_rng(3)
    nets = [network_file(tmp_path, k, rng.standard_normal((8, N))) for k in range(6)]
    ds = fixed_point_pool.pool_networks(nets, model="rate", g=2.0, sigma_b=0.0)
    drawing = fixed_point_pooled(model="rate", pooled=[ds])
    ks = float(ds["ks_kac_rice"].values.ravel()[0])
    assert "48 points from 6 networks" in drawing.agreement and f"{ks:.3g}" in drawing.agreement
    assert "N = 100" not in drawing.caption and "N = 50" in drawing.caption
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_pooled_points_are_off_by_default_and_their_files_follow_the_section():
    base = parsed()
    assert base["fixed_point_study"]["pooled"]["points"] == []
    assert not [n for n, _ in figures.instances(base) if n == "fixed_point_pooled"]
    on = parsed({"enabled": True, "pooled": {"points": [[2.0, 0.0], [3, 0.5]], "N": 100, "seeds": 40}})
    assert [k for n, k in figures.instances(on) if n == "fixed_point_pooled"] == ["rate"]
    assert figures.FIGURES["fixed_point_pooled"].files(on, "rate")["pooled"] == [
        "results/fixed_point_study/rate/g~2/sigma_b~0/pooled_N~100.nc",
        "results/fixed_point_study/rate/g~3/sigma_b~0.5/pooled_N~100.nc"]


BAD = [
    ({"points": [[7.0, 0.0]]}, "fixed_point_study.pooled.points[0][0] = 7.0"),
    ({"points": [[2.0, -1.0]]}, "fixed_point_study.pooled.points[0][1] = -1.0"),
    ({"points": [[2.0]]}, "fixed_point_study.pooled.points[0]"),
    ({"points": [[2.0, 0.0], [2.0, 0.0]]}, "fixed_point_study.pooled.points: [g, sigma_b] pairs must be distinct"),
    ({"seeds": 1}, "fixed_point_study.pooled.seeds = 1: must be an integer in [2, 100000]"),
    ({"N": 1}, "fixed_point_study.pooled.N = 1: must be an integer in [2, 2000]"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_pooled_keys_fail_at_parse_time_naming_the_key(change, message):
    with pytest.raises(ConfigError) as info:
        parsed({"pooled": {**{"points": [], "N": 100, "seeds": 64}, **copy.deepcopy(change)}})
    assert message in str(info.value), str(info.value)


def test_a_batch_splits_back_into_the_networks_searched_alone_and_a_failure_is_its_status(monkeypatch):
    options = {"g": 2.0, "sigma_b": 0.0, "n_init": 12}
    batch = io.with_grid_coords(fixed_point_pool.batch_dataset("rate", 20, [3, 4], **options), g=2.0, sigma_b=0.0,
                                N=20)
    parts = fixed_point_pool.split_batch(batch)
    for seed, part in zip((3, 4), parts, strict=True):
        alone = fixed_point_study.network_dataset("rate", network.draw_disorder(20, seed), **options)
        assert int(part["seed"].values.ravel()[0]) == seed
        np.testing.assert_array_equal(part["coordinates"].values.ravel(), alone["coordinates"].values)
        assert float(part["mean_sq_radius"].values.ravel()[0]) == float(alone["mean_sq_radius"])

    real = fixed_point_study.network_dataset

    def fail_on_seed_4(model, disorder, **kw):
        if disorder.seed == 4:
            raise NumericalFailure("stalled", "injected")
        return real(model, disorder, **kw)

    monkeypatch.setattr(fixed_point_pool, "network_dataset", fail_on_seed_4)
    batch = io.with_grid_coords(fixed_point_pool.batch_dataset("rate", 20, [3, 4], **options), g=2.0, sigma_b=0.0,
                                N=20)
    assert list(batch["status"].values.ravel()) == [0, 4]
    assert np.isnan(batch["mean_sq_radius"].values.ravel()[1]) and batch["n_points"].values.ravel()[1] == 0
    pooled = fixed_point_pool.pool_networks(fixed_point_pool.split_batch(batch), model="rate", g=2.0, sigma_b=0.0)
    assert float(pooled["n_failed"].values.ravel()[0]) == 1


def test_batches_cover_the_seeds_once():
    seeds = [s for b in range(fixed_point_pool.n_batches(60, 25)) for s in fixed_point_pool.batch_seeds(60, b, 25)]
    assert seeds == list(range(60)) and fixed_point_pool.n_batches(60, 25) == 3
    with pytest.raises(ValueError, match="batch must be in"):
        fixed_point_pool.batch_seeds(60, 3, 25)
