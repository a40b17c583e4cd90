"""End to end: the noise axis sigma_xi through Snakemake on a tiny grid (issue 18, item 1): files at every sigma_xi,
the summary's sigma_xi dimension, the noise_suppression figure, sigma_xi = 0 bitwise today's numbers, and one noise
path per seed whatever else the grid holds."""

import numpy as np
import pytest

from rnnchaos import io, lyapunov, models, network, simulate
from rnnchaos.attractor import ATTRACTOR_CLASSES

from .test_pipeline import snakemake

NOISY = {
    "model": ["rate", "map"],
    "g": [0.5, 2.0],
    "sigma_b": [0.0],
    "sigma_xi": [0.0, 0.5],
    "N": [30],
    "seeds": 2,
    "simulate": {"t_transient": 20, "t_sim": 60, "tau_max": 5, "n_blocks": 5, "n_snapshots": 8},
    "lyapunov": {"k": 4, "t_transient": 20, "t_transient_tangent": 4, "t_sim": 40, "n_batches": 4},
    "fixed_points": {"n_init": 8, "n_paths": 0},
    "dmft": {"tau_max": 5, "n_tau": 51, "n_dense": 8, "g_max": 3.0, "sigma_b_max": 1.0},
    "figures": ["noise_suppression", "lambda_max_vs_g"],
}
POINT = "results/{stage}/{model}/g~2/sigma_b~0/sigma_xi~{xi}/N~30/seed~1.nc"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    wd = tmp_path_factory.mktemp("noise")
    run = snakemake(wd, config=NOISY)
    assert run.returncode == 0, run.stderr[-4000:]
    return wd


def test_every_noise_dependent_stage_has_a_file_per_sigma_xi(workdir):
    r = workdir / "results"
    for model in NOISY["model"]:
        for xi in ("0", "0.5"):
            for stage in ("simulate", "lyapunov", "fixed_points"):
                ds = io.read_dataset(workdir / POINT.format(stage=stage, model=model, xi=xi), stage=stage)
                assert ds["sigma_xi"].values.tolist() == [float(xi)] and ds["sigma_xi"].attrs["units"] == "1"
            assert (r / f"dmft/{model}/g~2/sigma_b~0/sigma_xi~{xi}.nc").exists()
            assert (r / f"dmft/{model}/g_sweep/sigma_b~0/sigma_xi~{xi}.nc").exists()
        for name in NOISY["figures"]:
            assert (r / f"figures/{name}_{model}.png").stat().st_size > 1000
    assert sorted(p.name for p in (r / "network").iterdir()) == ["N~30"]


def test_summary_has_the_sigma_xi_dimension_and_noisy_networks_are_never_fixed_points(workdir):
    for model in NOISY["model"]:
        s = io.read_dataset(workdir / f"results/summary/{model}.nc", stage="summary")
        assert s["lyap_lambda_max"].dims == ("g", "sigma_b", "sigma_xi", "N", "seed")
        assert s["dmft_lambda_max"].dims == ("g", "sigma_b", "sigma_xi")
        assert (s["lyap_status"] == 0).all() and (s["sim_status"] == 0).all() and (s["dmft_status"] == 0).all()
        noisy = s["attractor"].sel(sigma_xi=0.5).values.ravel()
        assert set(noisy) <= {ATTRACTOR_CLASSES[c] for c in ("chaotic", "noise_driven", "undecided")}
        # below the transition the noise keeps the state moving: no fixed point, and the exponent stays negative
        assert (s["attractor"].sel(g=0.5, sigma_xi=0.0) == ATTRACTOR_CLASSES["fixed_point"]).all()
        assert (s["attractor"].sel(g=0.5, sigma_xi=0.5) == ATTRACTOR_CLASSES["noise_driven"]).all()
        assert (s["sim_delta0"].sel(g=0.5, sigma_xi=0.5) > 1e-3).all()
        # the theory with noise, per grid point: a lower lambda_max than without
        theory = s["dmft_lambda_max"].sel(g=2.0, sigma_b=0.0)
        assert float(theory.sel(sigma_xi=0.5)) < float(theory.sel(sigma_xi=0.0))
        text = (workdir / f"results/figures/noise_suppression_{model}.agreement.rst").read_text()
        assert "z = " in text and "sigma\\_xi = 0.5" in text


@pytest.mark.parametrize("model", ["rate", "map"])
def test_sigma_xi_0_is_todays_computation_bitwise(workdir, model):
    """The sigma_xi = 0 files hold the numbers of the library called as before the noise axis (no sigma_xi, no
    noise stream)."""
    disorder = io.read_network(workdir / "results/network/N~30/seed~1.nc")
    settings = {k: v for k, v in NOISY["simulate"].items() if k != "n_snapshots"}
    sim_model, sim_settings = models.from_settings(model, disorder.couplings(2.0), disorder.biases(0.0),
                                                   {"dt": 0.1, "method": "euler", "sample_dt": 1.0,
                                                    "n_units_stored": 5, "n_snapshots": 8, **settings})
    old_sim = simulate.to_dataset(simulate.simulate(sim_model, rng=network.rng_for(30, 1, "simulate"),
                                                    x0=network.initial_state(30, 1), **sim_settings))
    lyap_model, lyap_settings = models.from_settings(model, disorder.couplings(2.0), disorder.biases(0.0),
                                                     {"dt": 0.1, "method": "euler", "t_ons": "auto",
                                                      "dtype": "float64", **NOISY["lyapunov"]})
    old_lyap = lyapunov.to_dataset(lyapunov.lyapunov_spectrum(lyap_model, rng=network.rng_for(30, 1, "lyapunov"),
                                                              x0=network.initial_state(30, 1), **lyap_settings))
    for stage, old in (("simulate", old_sim), ("lyapunov", old_lyap)):
        new = io.read_dataset(workdir / POINT.format(stage=stage, model=model, xi="0"), stage=stage)
        names = [v for v in io.reproducible_variables(old) if v in new]
        assert len(names) > 5
        for v in names:
            np.testing.assert_array_equal(io.point_values(new, v), np.asarray(old[v].values), err_msg=f"{stage}.{v}")


def test_one_noise_path_per_seed_whatever_the_grid_holds(workdir, tmp_path):
    """The sigma_xi = 0.5 point computed in a grid of that amplitude alone (and one gain) is bitwise the one of the
    two-amplitude, two-gain grid, and its noise differs from the noise-free point's."""
    alone = {**NOISY, "g": [2.0], "sigma_xi": [0.5], "figures": ["noise_suppression"]}
    targets = [POINT.format(stage=s, model="rate", xi="0.5") for s in ("simulate", "lyapunov")]
    run = snakemake(tmp_path, *targets, config=alone, cores=1)
    assert run.returncode == 0, run.stderr[-4000:]
    for rel in targets:
        a, b = io.read_dataset(workdir / rel), io.read_dataset(tmp_path / rel)
        for v in io.reproducible_variables(a):
            np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=f"{rel}: {v}")
    noisy = io.read_dataset(workdir / POINT.format(stage="lyapunov", model="rate", xi="0.5"))
    quiet = io.read_dataset(workdir / POINT.format(stage="lyapunov", model="rate", xi="0"))
    assert float(io.point_values(noisy, "lambda_max")) != float(io.point_values(quiet, "lambda_max"))
