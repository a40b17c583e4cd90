"""Finite-size extrapolation: exact recovery, error-bar coverage over many draws, failures reported by status."""

import numpy as np
import pytest
import xarray as xr

from rnnchaos.attractor import ATTRACTOR_CLASSES
from rnnchaos.finite_size import (
    FIT_STATUS,
    SEED_USE,
    comparison_seeds,
    extrapolate,
    finite_size_dataset,
    size_means,
)
from rnnchaos.status import NOT_COMPUTED, STATUS_CODES

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


# --- the finite-size stage's Dataset (issue 15, item 4) ----------------------------------------------------------
FS_SIZES, FS_SEEDS = [100, 200, 400, 800], [0, 1, 2]
OFFSET = np.array([-1e-3, 0.0, 1e-3])  # per-seed spread, the same at every size
A1 = {"units": "1", "long_name": "synthetic"}


def fs_summary(*, chaotic=1, classes=None, lyap_status=None, full_spectrum=False):
    """A summary at one (g, sigma_b) = (2, 0.5): lambda_max = 0.11 - 10/N, Delta0 = 1.5 + 20/N,
    Delta_inf = 0.4 - 5/N (+ the seed offsets), DMFT 0.1125, 1.5, 0.4; every network chaotic unless ``classes``."""
    shape = (1, 1, len(FS_SIZES), len(FS_SEEDS))
    inv = 1.0 / np.array(FS_SIZES, dtype=float)[:, None]
    coords = {"g": [2.0], "sigma_b": [0.5], "N": FS_SIZES, "seed": FS_SEEDS}
    dims = ("g", "sigma_b", "N", "seed")

    def grid(values, dtype=float):
        return (dims, np.broadcast_to(values, shape).astype(dtype), A1)

    k = max(FS_SIZES)
    exponent = np.full((*shape, k), np.nan)
    if full_spectrum:
        for j, n in enumerate(FS_SIZES):
            exponent[:, :, j, :, :n] = -1.0
    ds = xr.Dataset({
        "lyap_lambda_max": grid(0.11 - 10 * inv + OFFSET),
        "lyap_lambda_max_sem": grid(1e-3),
        "lyap_d_ky": grid(0.2 * np.array(FS_SIZES)[:, None] - 2 + 100 * OFFSET),
        "lyap_exponent": ((*dims, "i"), exponent, A1),
        "lyap_status": grid(0 if lyap_status is None else lyap_status, np.int8),
        "sim_delta0": grid(1.5 + 20 * inv + OFFSET),
        "sim_delta_inf_overlap": grid(0.4 - 5 * inv + OFFSET),
        "sim_status": grid(0, np.int8),
        "attractor": grid(0 if classes is None else classes, np.int8),
        "dmft_lambda_max": (("g", "sigma_b"), [[0.1125]], A1),
        "dmft_delta0": (("g", "sigma_b"), [[1.5]], A1),
        "dmft_delta_inf": (("g", "sigma_b"), [[0.4]], A1),
        "dmft_chaotic": (("g", "sigma_b"), [[float(chaotic)]], A1),
        "dmft_status": (("g", "sigma_b"), np.zeros((1, 1), np.int8), A1),
    }, coords={**coords, "i": np.arange(1, k + 1)})
    return ds


def stage(summary, **kw):
    """The finite-size Dataset at (2, 0.5) without its length-1 g and sigma_b dimensions."""
    return finite_size_dataset(summary, g=2.0, sigma_b=0.5, **kw).squeeze(("g", "sigma_b"))


def test_stage_dataset_recovers_every_observable_and_its_z_score():
    ds = stage(fs_summary())
    for o, (inf, theory) in {"lambda_max": (0.11, 0.1125), "delta0": (1.5, 1.5), "delta_inf": (0.4, 0.4)}.items():
        assert int(ds[f"{o}_status"]) == FIT_STATUS["ok"]
        assert float(ds[f"{o}_inf"]) == pytest.approx(inf, abs=1e-10)
        assert float(ds[f"{o}_dmft"]) == theory
        z = (float(ds[f"{o}_inf"]) - theory) / float(ds[f"{o}_inf_sem"])
        assert float(ds[f"{o}_z"]) == pytest.approx(z, rel=1e-9)
        assert ds[f"{o}_mean"].dims == ("N",) and ds[f"{o}_n_included"].values.ravel().tolist() == [3] * 4
        assert np.isfinite(float(ds[f"{o}_inf_quad"]))  # 4 sizes: the quadratic form too
    # means on the exact line, error bars from the seeds' spread (1e-3 / sqrt(3) per size): the 0.0025 gap is ~5 sem
    assert -6 < float(ds["lambda_max_z"]) < -4
    assert float(ds["lambda_max_slope"]) == pytest.approx(-10.0, abs=1e-7)
    # D_KY/N only where the spectrum is full (k = N): none here, so no value and no fit
    assert int(ds["d_ky_per_n_status"]) != FIT_STATUS["ok"]
    assert (ds["d_ky_per_n_seed_use"] == SEED_USE["no_value"]).all()


def test_euler_step_gets_the_theory_of_the_integrated_map():
    """With ``euler_dt`` the stage also compares lambda_max and Delta0 with the mean field of the forward-Euler map
    (rnnchaos.dmft_euler); without it (maps, RK4) no such variable."""
    from rnnchaos.dmft_euler import euler_dmft_point

    ds = stage(fs_summary(), euler_dt=0.1)
    th = euler_dmft_point(2.0, 0.5, h=0.1)
    for o, value in (("lambda_max", th.lambda_max), ("delta0", th.delta0)):
        assert float(ds[f"{o}_dmft_euler"]) == value and ds[f"{o}_dmft_euler"].attrs["units"]
        z = (float(ds[f"{o}_inf"]) - value) / float(ds[f"{o}_inf_sem"])
        assert float(ds[f"{o}_z_euler"]) == pytest.approx(z, rel=1e-12)
    assert th.lambda_max < 0.0818  # the step lowers lambda_max below the flow's (0.08175 at g = 2, sigma_b = 0.5)
    assert "lambda_max_dmft_euler" not in stage(fs_summary())


def test_full_spectra_give_the_kaplan_yorke_density():
    ds = stage(fs_summary(full_spectrum=True))
    assert int(ds["d_ky_per_n_status"]) == FIT_STATUS["ok"]
    assert float(ds["d_ky_per_n_inf"]) == pytest.approx(0.2, abs=1e-9)  # D_KY = 0.2 N - 2
    assert np.isnan(float(ds["d_ky_per_n_dmft"])) and np.isnan(float(ds["d_ky_per_n_z"]))


def test_non_chaotic_networks_are_left_out_where_theory_is_chaotic_and_say_why():
    classes = np.zeros((len(FS_SIZES), len(FS_SEEDS)), dtype=np.int8)
    classes[0, 2] = ATTRACTOR_CLASSES["fixed_point"]  # N = 100, seed 2
    classes[1, 0] = ATTRACTOR_CLASSES["limit_cycle"]  # N = 200, seed 0
    summary = fs_summary(classes=classes)
    summary["lyap_lambda_max"][0, 0, 0, 2] = -0.2  # the fixed-point network's exponent
    ds = stage(summary)
    use = ds["lambda_max_seed_use"]
    assert int(use.sel(N=100, seed=2)) == SEED_USE["fixed_point"]
    assert int(use.sel(N=200, seed=0)) == SEED_USE["limit_cycle"]
    assert ds["lambda_max_n_included"].values.ravel().tolist() == [2, 2, 3, 3]
    assert ds["lambda_max_n_excluded"].values.ravel().tolist() == [1, 1, 0, 0]
    assert "N=100: 2 of 3 included, left out: fixed_point seed 2" in ds["lambda_max_status"].attrs["detail"]
    # the included chaotic networks still lie on 0.11 - 10/N: the fit is not pulled by the fixed point
    assert float(ds["lambda_max_mean"].sel(N=100)) == pytest.approx(0.11 - 0.1 - 0.5e-3)
    assert abs(float(ds["lambda_max_inf"]) - 0.11) < 1e-3
    every = stage(summary, attractor="all")
    assert every["lambda_max_n_included"].values.ravel().tolist() == [3, 3, 3, 3]
    assert float(every["lambda_max_mean"].sel(N=100)) < 0.11 - 0.1 - 0.05  # the fixed point drags the mean down
    # where DMFT says the point is not chaotic, every network enters
    quiet = stage(fs_summary(classes=classes, chaotic=0))
    assert quiet["lambda_max_n_included"].values.ravel().tolist() == [3, 3, 3, 3]


def test_sizes_a_stage_did_not_compute_are_left_out_not_failed():
    status = np.zeros((len(FS_SIZES), len(FS_SEEDS)), dtype=np.int8)
    status[0, :] = NOT_COMPUTED  # no Lyapunov file at N = 100
    status[1, 1] = STATUS_CODES["qr_breakdown"]
    ds = stage(fs_summary(lyap_status=status))
    use = ds["lambda_max_seed_use"]
    assert (use.sel(N=100) == SEED_USE["not_computed"]).all()
    assert int(use.sel(N=200, seed=1)) == SEED_USE["failed"]
    assert np.isnan(float(ds["lambda_max_mean"].sel(N=100)))
    assert ds["lambda_max_n_excluded"].values.ravel().tolist() == [0, 1, 0, 0]
    assert int(ds["lambda_max_status"]) == FIT_STATUS["ok"]  # three computed sizes remain
    assert np.isnan(float(ds["lambda_max_inf_quad"]))  # ... too few for the quadratic form
    assert float(ds["lambda_max_inf"]) == pytest.approx(0.11, abs=1e-10)
    assert int(ds["delta0_status"]) == FIT_STATUS["ok"]  # the simulation has all four


def test_stage_dataset_has_no_integer_sentinel_and_carries_units():
    ds = finite_size_dataset(fs_summary(), g=2.0, sigma_b=0.5)
    assert ds["lambda_max_inf"].dims == ("g", "sigma_b") and ds.g.item() == 2.0
    for name, var in ds.data_vars.items():
        assert {"units", "long_name"} <= set(var.attrs), name
        if var.dtype.kind in "iu":
            assert "flag_values" in var.attrs, f"{name}: integer without flags"
            assert var.values.min() >= -1, name


def test_selection_must_be_known():
    with pytest.raises(ValueError, match="attractor must be one of"):
        comparison_seeds(fs_summary(), attractor="stable")
