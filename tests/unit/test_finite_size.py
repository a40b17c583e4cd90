"""Finite-size extrapolation: exact recovery, error-bar coverage over many draws, failures reported by status."""

import numpy as np
import pytest

from rnnchaos.finite_size import extrapolate, size_means

SIZES = np.array([250, 500, 1000, 2000, 4000])


def synthetic(rng, n_seeds, *, a_inf=0.11, a=-10.0, spread=0.03):
    """Per-network samples of A_N = a_inf + a/N with a network spread shrinking like N^-1/2."""
    return [a_inf + a / n + spread * np.sqrt(250 / n) * rng.standard_normal(n_seeds) for n in SIZES]


def test_exact_data_are_recovered_exactly():
    samples = [0.11 - 10.0 / n + np.array([-1e-3, 0.0, 1e-3]) for n in SIZES]
    r = extrapolate(SIZES, samples)
    assert r.status == "ok"
    assert r.value == pytest.approx(0.11, abs=1e-12)
    assert r.slope == pytest.approx(-10.0, abs=1e-9)
    assert r.chi2_dof == pytest.approx(0.0, abs=1e-12)
    assert r.value_quad == pytest.approx(0.11, abs=1e-10)  # the quadratic form contains the linear one


def test_quadratic_form_recovers_a_curved_approach():
    samples = [1.0 + 20.0 / n + 4000.0 / n**2 + np.array([-1e-4, 0.0, 1e-4]) for n in SIZES]
    r = extrapolate(SIZES, samples)
    assert r.value_quad == pytest.approx(1.0, abs=1e-6)
    assert r.chi2_dof > 10  # the linear form does not describe it, and says so
    assert abs(r.value - 1.0) > 3 * 1e-4 / np.sqrt(3)


@pytest.mark.parametrize(("n_seeds", "one_sem", "two_sem"), [(4, (0.56, 0.70), (0.86, 0.94)),
                                                              (10, (0.62, 0.75), (0.91, 0.97))])
def test_error_bar_covers_the_truth_at_the_measured_rate(n_seeds, one_sem, two_sem):
    """Over 1500 synthetic studies the interval A_inf +- sem covers the truth at close to the nominal 68 %
    (a little less with 4 networks per size, whose weights are estimated from 3 degrees of freedom)."""
    rng = np.random.default_rng(7)
    z = []
    for _ in range(1500):
        r = extrapolate(SIZES, synthetic(rng, n_seeds))
        z.append(abs(r.value - 0.11) / r.value_sem)
    z = np.array(z)
    assert one_sem[0] < np.mean(z < 1) < one_sem[1]
    assert two_sem[0] < np.mean(z < 2) < two_sem[1]


def test_a_biased_theory_gets_a_large_z_score():
    rng = np.random.default_rng(3)
    r = extrapolate(SIZES, synthetic(rng, 8))
    assert abs(r.z_score(0.11)) < 3
    assert r.z_score(0.11 + 10 * r.value_sem) < -7
    assert np.isnan(r.z_score(float("nan")))


def test_failed_networks_are_left_out_and_counted():
    rng = np.random.default_rng(0)
    samples = synthetic(rng, 5)
    samples[0][:4] = np.nan  # one finite sample left at N = 250: that size drops out
    mean, sem, n = size_means(samples)
    assert n.tolist() == [1, 5, 5, 5, 5]
    assert np.isnan(mean[0]) and np.isnan(sem[0])
    r = extrapolate(SIZES, samples)
    assert r.status == "ok" and np.isfinite(r.value)


def test_too_few_sizes_is_a_status_not_a_number():
    rng = np.random.default_rng(0)
    r = extrapolate(SIZES[:2], synthetic(rng, 5)[:2])
    assert r.status == "too_few_sizes" and np.isnan(r.value) and np.isnan(r.value_sem)
    assert "need >= 3" in r.detail
    samples = [np.array([1.0]) for _ in SIZES]  # one network per size: no spread to weight by
    r = extrapolate(SIZES, samples)
    assert r.status == "too_few_samples" and np.isnan(r.value)
    assert np.isnan(r.z_score(0.0))


def test_bad_arguments_name_the_problem():
    with pytest.raises(ValueError, match="same length"):
        extrapolate([100, 200, 400], [np.ones(3)] * 2)
    with pytest.raises(ValueError, match="distinct"):
        extrapolate([100, 100, 400], [np.ones(3)] * 3)
