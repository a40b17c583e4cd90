"""Pooled fixed-point statistics: one network's statistics and their pooling over networks on synthetic point sets
with known answers, the Kac-Rice predictions, the extrapolation against theory and the count's growth rate."""

import numpy as np
import pytest
from scipy import stats as sps

from rnnchaos import io, models, network
from rnnchaos.finite_size import fit_growth_rate
from rnnchaos.fixed_point_pooling import (
    KacRicePrediction,
    compare,
    kac_rice_prediction,
    pool,
    study_dataset,
)
from rnnchaos.fixed_point_statistics import (
    DENSITY_EDGES,
    fixed_point_statistics,
    ks_distance,
    late_fraction,
    mean_sq_radius,
    network_statistics,
)
from rnnchaos.fixed_points import network_fixed_points
from rnnchaos.kac_rice import kac_rice_solution


def gaussian_points(rng, n, N, var):
    return np.sqrt(var) * rng.standard_normal((n, N))


def test_gaussian_coordinates_give_their_variance_and_a_small_ks_distance():
    rng = np.random.default_rng(0)
    X = gaussian_points(rng, 200, 50, 1.7)
    s = network_statistics(X, cdf=sps.norm(scale=np.sqrt(1.7)).cdf)
    n = X.size
    assert s.mean_sq_radius == pytest.approx(1.7, abs=4 * 1.7 * np.sqrt(2 / n))
    assert s.ks_distance < 1.95 / np.sqrt(n)  # 0.1 % critical value
    wrong = network_statistics(X, cdf=sps.norm(scale=1.0).cdf)
    assert wrong.ks_distance > 5 / np.sqrt(n)
    assert np.sum(s.density * np.diff(DENSITY_EDGES)) == pytest.approx(1.0)
    expected = n * np.diff(sps.norm(scale=np.sqrt(1.7)).cdf(DENSITY_EDGES))  # counts per bin
    counts = s.density * n * np.diff(DENSITY_EDGES)
    big = expected > 20
    assert big.sum() > 40 and np.all(np.abs(counts - expected)[big] < 4.5 * np.sqrt(expected[big]))


def test_ks_distance_of_known_samples():
    assert ks_distance(np.array([0.5]), lambda y: y) == pytest.approx(0.5)
    assert ks_distance(np.array([0.25, 0.75]), lambda y: y) == pytest.approx(0.25)
    assert np.isnan(ks_distance(np.empty(0), lambda y: y))


def test_trivial_point_is_counted_apart_and_left_out_of_every_coordinate_statistic():
    rng = np.random.default_rng(1)
    X = gaussian_points(rng, 10, 20, 1.0)
    ev = rng.standard_normal((10, 20)) + 1j * rng.standard_normal((10, 20))
    nu = rng.integers(0, 20, 10)
    with0 = np.vstack([X, np.zeros(20)])
    a = network_statistics(X, eigvals=ev, n_unstable=nu)
    b = network_statistics(with0, eigvals=np.vstack([ev, -np.ones(20)]), n_unstable=np.append(nu, 0))
    assert (a.n_trivial, b.n_trivial, b.n_nontrivial, b.n_points) == (0, 1, 10, 11)
    for name in ("mean_sq_radius", "near_zero_fraction", "rms_modulus", "index_fraction"):
        assert getattr(a, name) == getattr(b, name)
    np.testing.assert_array_equal(a.density, b.density)
    assert b.mean_sq_radius == mean_sq_radius(with0)  # the one helper the summary and fixed_points use
    assert b.count == 11  # the count includes x* = 0
    only0 = network_statistics(np.zeros((1, 20)))
    assert only0.n_trivial == 1 and np.isnan(only0.mean_sq_radius) and np.isnan(only0.density).all()


def test_near_zero_fraction_jacobian_and_index_of_a_known_mixture():
    N = 8
    X = np.array([[0.05, -0.05, 1.0, -1.0, 2.0, -2.0, 0.09, 3.0]] * 3)  # 3 of 8 coordinates within 0.1 of 0
    mu = np.array([0.5, 0.5j, -0.5, 1.5, 2.0, 0.0, 1.0, -1.0j])  # eigenvalues of J diag(phi')
    s = network_statistics(X, eigvals=np.tile(mu - 1.0, (3, 1)), n_unstable=np.array([1, 2, 3]), near_zero=0.1)
    assert s.near_zero_fraction == pytest.approx(3 / 8)
    assert s.rms_modulus == pytest.approx(np.sqrt(np.mean(np.abs(mu) ** 2)))
    assert s.index_fraction == pytest.approx(2 / N)
    m = network_statistics(X, eigvals=np.tile(mu, (3, 1)), continuous=False)  # the map's eigenvalues are mu
    assert m.rms_modulus == pytest.approx(s.rms_modulus)


def test_saturation_from_the_curve_and_the_capture_recapture_estimate():
    solves = np.arange(1, 101)
    assert late_fraction(solves, np.minimum(solves, 10)) == 0.0  # nothing new after solve 10
    assert late_fraction(solves, solves) == pytest.approx(0.5)
    X = np.random.default_rng(2).standard_normal((8, 5))
    s = network_statistics(X, count=10.0, count_se=1.5, saturation=(solves, np.minimum(solves, 8)))
    assert (s.count, s.completeness, s.late_fraction) == (10.0, 0.8, 0.0)
    assert network_statistics(X, count=3.0).count == 8  # the total is at least what was found


def test_a_saturated_search_is_reported_saturated():
    """A small network (N = 10, g = 2) searched with many solves: every point is found many times, Chao2 equals
    the number found and the second half of the solves adds nothing."""
    d = network.draw_disorder(10, 2)
    fp = network_fixed_points(models.make("rate", d.couplings(2.0), d.biases(0.0)), n_init=300,
                              rng=np.random.default_rng(0))
    s = fixed_point_statistics(fp)
    assert s.n_points == fp.x.shape[0] > 1 and s.n_trivial == 1
    assert s.completeness == 1.0 and s.late_fraction == 0.0
    p = pool([s, s])
    assert p.saturated
    short = network_statistics(fp.x, count=2.0 * fp.x.shape[0])
    assert not pool([s, short]).saturated


def test_pool_means_and_errors_over_networks():
    rng = np.random.default_rng(3)
    nets = [network_statistics(gaussian_points(rng, 20, 30, v), count=c, n_unstable=np.full(20, k))
            for v, c, k in ((0.8, 25.0, 3), (1.0, 30.0, 6), (1.2, 60.0, 9))]
    p = pool(nets)
    r = np.array([n.mean_sq_radius for n in nets])
    assert p.mean["mean_sq_radius"] == pytest.approx(r.mean())
    assert p.sem["mean_sq_radius"] == pytest.approx(r.std(ddof=1) / np.sqrt(3))
    assert p.mean["index_fraction"] == pytest.approx(0.2)
    assert p.log_mean_count == pytest.approx(np.log(115 / 3))
    assert p.log_mean_count_sem == pytest.approx(np.std([25, 30, 60], ddof=1) / np.sqrt(3) / (115 / 3))
    assert p.mean_log_count == pytest.approx(np.mean(np.log([25, 30, 60])))
    np.testing.assert_allclose(p.density_mean, np.mean([n.density for n in nets], axis=0))
    assert (p.n_networks, p.n_nontrivial, p.n_trivial) == (3, 60, 0)
    with pytest.raises(ValueError, match="one size"):
        pool([nets[0], network_statistics(gaussian_points(rng, 2, 5, 1.0))])


def test_kac_rice_prediction_at_g_2():
    p = kac_rice_prediction(kac_rice_solution(2.0, 0.0))
    assert p.mean_sq_radius == pytest.approx(1.1462, abs=1e-4)
    assert p.complexity == pytest.approx(0.0248, abs=1e-4)
    assert p.cdf(0.0) == pytest.approx(0.5, abs=1e-10)  # mu* is even at sigma_b = 0
    assert np.sum(p.density * np.diff(DENSITY_EDGES)) == pytest.approx(1.0, abs=1e-6)
    assert p.rms_modulus < p.bulk_edge
    assert 0 < p.index_fraction < 0.5


def test_bulk_rms_modulus_against_sampled_jacobians():
    """sqrt(int r^2 dF) of the single-ring law against the eigenvalues of X diag(phi'(y)), y drawn from mu*,
    X Ginibre of variance g^2/N (N = 600, four draws): within 3 standard errors of the draws."""
    g = 2.0
    p = kac_rice_prediction(kac_rice_solution(g, 0.0))
    rng = np.random.default_rng(4)
    N, v = 600, []
    for _ in range(4):
        y = np.interp(rng.random(N), p.cdf_values, p.y)
        A = g / np.sqrt(N) * rng.standard_normal((N, N)) / np.cosh(y)[None, :] ** 2
        v.append(np.mean(np.abs(np.linalg.eigvals(A)) ** 2))
    assert np.mean(v) == pytest.approx(p.rms_modulus**2, abs=3 * np.std(v, ddof=1) / 2 + 1e-3)


def test_trivial_solution_has_no_coordinate_prediction():
    p = kac_rice_prediction(kac_rice_solution(0.5, 0.0))
    assert p.mean_sq_radius == 0.0 and np.isnan(p.near_zero_fraction) and p.complexity == 0.0


def test_fit_growth_rate_recovers_a_line_and_needs_two_sizes():
    N = np.array([50, 100, 150, 200])
    rate, sem, chi2 = fit_growth_rate(N, 0.3 + 0.025 * N, np.full(4, 0.1))
    assert rate == pytest.approx(0.025, abs=1e-12) and chi2 == pytest.approx(0.0, abs=1e-12) and sem > 0
    assert np.isnan(fit_growth_rate(N[:1], [1.0], [0.1])[0])


def synthetic_study(rng, *, a_inf, sigma, n_seeds=8, sizes=(50, 100, 150, 200), saturated=(True,) * 4):
    """Pooled statistics whose per-network <x*^2> is a_inf - 20/N plus a spread, and whose capture-recapture
    counts are exp(0.5 + sigma N) times a 10 % spread; a search found 95 % of them (saturated) or a third."""
    out = []
    for N, sat in zip(sizes, saturated, strict=True):
        nets = []
        for _ in range(n_seeds):
            var = a_inf - 20.0 / N + 0.05 * rng.standard_normal()
            c = np.exp(0.5 + sigma * N) * (1 + 0.1 * rng.standard_normal())
            n = max(2, int(np.ceil((0.95 if sat else 0.33) * c)))
            nets.append(network_statistics(gaussian_points(rng, n, N, var), count=c, n_unstable=np.full(n, N // 10)))
        out.append(pool(nets))
    return out


def theory(mean_sq, sigma):
    return KacRicePrediction(mean_sq_radius=mean_sq, near_zero_fraction=np.nan, rms_modulus=np.nan,
                             bulk_edge=np.nan, index_fraction=0.1, complexity=sigma, density=np.empty(0),
                             y=np.array([0.0, 1.0]), cdf_values=np.array([0.0, 1.0]))


def test_compare_recovers_the_truth_and_flags_a_wrong_theory():
    rng = np.random.default_rng(5)
    study = synthetic_study(rng, a_inf=1.15, sigma=0.025)
    good = compare(study, theory(1.15, 0.025))
    assert abs(good.z["mean_sq_radius"]) < 3
    assert good.fits["mean_sq_radius"].slope == pytest.approx(-20.0, abs=6.0)
    assert good.theory["index_fraction"] == 0.1 and good.fits["index_fraction"].value == pytest.approx(0.1)
    assert good.growth_rate == pytest.approx(0.025, abs=3 * good.growth_rate_sem)
    assert abs(good.growth_z) < 3
    bad = compare(study, theory(1.35, 0.05))
    assert abs(bad.z["mean_sq_radius"]) > 5 and abs(bad.growth_z) > 5


def test_growth_rate_uses_only_saturated_sizes():
    rng = np.random.default_rng(6)
    study = synthetic_study(rng, a_inf=1.15, sigma=0.025, saturated=(True, True, True, False))
    c = compare(study, theory(1.15, 0.025))
    np.testing.assert_array_equal(c.growth_sizes, [50, 100, 150])
    assert [p.saturated for p in study] == [True, True, True, False]


def test_study_dataset_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    study = synthetic_study(rng, a_inf=1.15, sigma=0.025, n_seeds=3)
    prediction = theory(1.15, 0.025)
    prediction = KacRicePrediction(**{**prediction.__dict__, "density": np.zeros(DENSITY_EDGES.size - 1)})
    ds = study_dataset(study, compare(study, prediction), prediction, g=2.0, sigma_b=0.0)
    assert ds["mean_sq_radius_sample"].sizes == {"g": 1, "sigma_b": 1, "N": 4, "seed": 3}
    assert float(ds["mean_sq_radius_kac_rice"].squeeze()) == 1.15
    io.write_dataset(ds, tmp_path / "study.nc", stage="fixed_point_study", params={"g": 2.0})
    back = io.read_dataset(tmp_path / "study.nc", stage="fixed_point_study")
    np.testing.assert_array_equal(back["saturated"].values, ds["saturated"].values)
    np.testing.assert_allclose(back["growth_rate"].values, ds["growth_rate"].values)
