"""The noise_suppression figure on a tiny synthetic summary: labelled axes, a file, z-scores stated per point."""

import itertools

import matplotlib
import numpy as np
import xarray as xr

from rnnchaos import plotting
from rnnchaos.plotting_noise import z_scores

matplotlib.use("Agg")

G, XI, SEEDS = [1.0, 2.0, 3.0], [0.0, 0.5], [0, 1, 2]


def lam_theory(g, xi):
    return np.log(g) - 0.3 * xi


def summary():
    dims = ("g", "sigma_b", "sigma_xi", "N", "seed")
    coords = {"g": G, "sigma_b": [0.0], "sigma_xi": XI, "N": [50, 100], "seed": SEEDS}
    lam = np.empty((3, 1, 2, 2, 3))
    for (i, g), (j, xi), k in itertools.product(enumerate(G), enumerate(XI), SEEDS):
        lam[i, 0, j, :, k] = lam_theory(g, xi) + 0.01 * (k - 1)  # seed mean = theory, SEM = 0.01 / sqrt(3)
    status = np.zeros(lam.shape, np.int8)
    status[2, 0, 1, 1, 2] = 3  # one failed seed at g = 3, sigma_xi = 0.5, N = 100
    theory = np.array([[[lam_theory(g, xi) for xi in XI]] for g in G])
    unit = {"units": "1", "long_name": "test"}
    return xr.Dataset({"lyap_lambda_max": (dims, lam, unit), "lyap_status": (dims, status, unit),
                       "dmft_lambda_max": (dims[:3], theory, unit),
                       "dmft_status": (dims[:3], np.zeros(theory.shape, np.int8), unit)}, coords=coords)


def sweep(xi):
    gs = np.linspace(0.1, 3.0, 12)
    unit = {"units": "1", "long_name": "test"}
    ds = xr.Dataset({"lambda_max": ("g", lam_theory(gs, xi), unit), "status": ("g", np.zeros(12, np.int8), unit),
                     "g_c": ((), float(np.exp(0.3 * xi)), unit)}, coords={"g": gs})
    return ds.expand_dims(sigma_b=[0.0], sigma_xi=[xi])


def test_noise_suppression_draws_each_sigma_xi_against_theory_with_z_scores(tmp_path):
    drawing = plotting.draw("noise_suppression", "rate", summary=summary(), g_sweep=[sweep(x) for x in XI])
    ax = drawing.figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len([line for line in ax.get_lines() if line.get_linestyle() == "-"]) >= len(XI)  # a DMFT curve each
    text = drawing.agreement
    assert "At N = 100" in text and "sigma_b = 0, sigma_xi = 0.5: z = " in text and "theory g_c = 1.16" in text
    # the failed seed (+0.01) leaves two: their mean is off the theory by -0.005, SEM 0.005 -> z = -1
    assert "z = +0.0, +0.0, -1.0 at g = 1, 2, 3" in text
    assert "sigma_xi = 0, 0.5" in drawing.caption and "noise" in drawing.lead
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_noise_free_figures_get_the_sigma_xi_0_slice():
    s = summary()
    assert "sigma_xi" not in plotting.noise_free(s).dims
    assert float(plotting.noise_free(s)["dmft_lambda_max"].sel(g=3.0, sigma_b=0.0)) == lam_theory(3.0, 0.0)


def test_z_scores_need_a_finite_positive_sem():
    z = z_scores(xr.DataArray([1.0, 1.0, 1.0]), xr.DataArray([0.5, 0.0, np.nan]), xr.DataArray([0.0, 0.0, 0.0]))
    assert z.values[0] == 2.0 and np.isnan(z.values[1:]).all()
