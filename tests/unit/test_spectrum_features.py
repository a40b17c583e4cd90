"""Spectrum features against hand-computed values, and Spearman correlations with bootstrap intervals."""

import numpy as np
import pytest
from scipy.stats import spearmanr

from rnnchaos import spectrum_features as sf


def test_features_of_a_known_spectrum():
    f = sf.spectrum_features([-0.2, 0.5, -1.0, 0.1], 4)  # any order: sorted inside
    assert f["lambda_max"] == 0.5 and f["mean_exponent"] == pytest.approx(-0.15)
    assert f["d_ky"] == pytest.approx(3 + 0.4 / 1.0)  # partial sums 0.5, 0.6, 0.4, -0.6
    assert f["entropy_rate"] == pytest.approx(0.6) and f["n_positive"] == 2
    assert f["q50"] == pytest.approx(-0.05) and f["q10"] == pytest.approx(np.quantile([-1, -0.2, 0.1, 0.5], 0.1))
    assert not f["d_ky_lower_bound"] and not f["entropy_rate_lower_bound"]
    part = sf.spectrum_features([0.3, 0.2], 10)  # k < n, all positive: both are lower bounds
    assert part["d_ky"] == 2 and part["d_ky_lower_bound"] and part["entropy_rate_lower_bound"]
    assert sf.spectrum_features([-0.1, -0.3], 2)["d_ky"] == 0
    with pytest.raises(ValueError, match=r"n must be an integer >= k = 2"):
        sf.spectrum_features([0.1, 0.2], 1)
    with pytest.raises(ValueError, match="finite 1-D array"):
        sf.spectrum_features([np.nan], 3)


def test_feature_table_and_correlations_with_bootstrap_intervals():
    rng = np.random.default_rng(0)
    lam_max = np.linspace(-0.5, 0.5, 8)
    spectra = [np.array([m, m - 0.3, m - 0.8]) for m in lam_max]
    perf = -3 * lam_max + 0.01 * rng.normal(size=8)  # decreasing in lambda_max: rho = -1
    perf[2] = np.nan  # a network without a performance value is left out
    table = sf.feature_table(spectra, 3, [f"net{i}" for i in range(8)], performance=perf)
    assert list(table.network.values) == [f"net{i}" for i in range(8)]
    np.testing.assert_allclose(table["lambda_max"], lam_max)
    corr = sf.feature_correlations(table, rng=np.random.default_rng(1), n_boot=300)
    assert corr.attrs["n_networks"] == 7
    lm = corr.sel(feature="lambda_max")
    assert lm["rho"] == pytest.approx(-1.0) and lm["ci_low"] == pytest.approx(-1) and lm["ci_high"] == pytest.approx(-1)
    assert 0 < float(lm["n_boot_used"]) <= 300
    with pytest.raises(ValueError, match=r"needs >= 5 networks with a performance value, got 4"):
        sf.feature_correlations(table.isel(network=slice(0, 5)), rng=rng)


def test_spearman_bootstrap_matches_scipy_and_brackets_rho():
    rng = np.random.default_rng(2)
    x = rng.normal(size=30)
    y = x + rng.normal(size=30)
    r = sf.spearman_bootstrap(x, y, rng=np.random.default_rng(3), n_boot=500)
    ref = spearmanr(x, y)
    assert r["rho"] == pytest.approx(ref.statistic) and r["p_value"] == pytest.approx(ref.pvalue)
    assert r["ci_low"] < r["rho"] < r["ci_high"] and r["ci_high"] - r["ci_low"] < 0.6 and r["n"] == 30
    again = sf.spearman_bootstrap(x, y, rng=np.random.default_rng(3), n_boot=500)
    assert again == r
    with pytest.raises(ValueError, match="one length >= 5"):
        sf.spearman_bootstrap(x[:4], y[:4], rng=rng)
