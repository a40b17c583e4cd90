"""The input_phase_diagram figure on a tiny synthetic summary: labelled axes, a file, the theory's line, and the
sign change of lambda_max per sigma_xi stated from the data against g_c."""

import itertools

import matplotlib
import numpy as np
import pytest
import xarray as xr

from rnnchaos import plotting
from rnnchaos.dmft_noise import noisy_critical_gain
from rnnchaos.plotting_noise_phase import cell_edges, critical_line, sign_change

matplotlib.use("Agg")

G, XI, SEEDS = [0.5, 1.0, 1.5, 2.0, 3.0], [0.0, 0.5, 1.0], [0, 1]


def summary(model="map", flip=None):
    """lambda_max = ln(g / g_c(0, sigma_xi)) per seed (+- 0.01), so its sign changes at the theory's g_c; ``flip``
    (g, sigma_xi): a point given the wrong sign."""
    dims = ("g", "sigma_b", "sigma_xi", "N", "seed")
    lam = np.empty((len(G), 1, len(XI), 2, len(SEEDS)))
    for (i, g), (j, xi), k in itertools.product(enumerate(G), enumerate(XI), SEEDS):
        lam[i, 0, j, :, k] = np.log(g / noisy_critical_gain(0.0, xi, model)) + 0.01 * (2 * k - 1)
    if flip is not None:
        i, j = G.index(flip[0]), XI.index(flip[1])
        lam[i, 0, j] = -lam[i, 0, j]
    status = np.zeros(lam.shape, np.int8)
    status[0, 0, 2, 1, 1] = 3  # one failed seed at g = 0.5, sigma_xi = 1, N = 100
    unit = {"units": "1", "long_name": "test"}
    return xr.Dataset({"lyap_lambda_max": (dims, lam, unit), "lyap_status": (dims, status, unit)},
                      coords={"g": G, "sigma_b": [0.0], "sigma_xi": XI, "N": [50, 100], "seed": SEEDS})


def test_input_phase_diagram_draws_the_map_with_the_critical_line(tmp_path):
    sweep = xr.Dataset(attrs={"nonlinearity": "tanh"})
    drawing = plotting.draw("input_phase_diagram", "map", summary=summary("map"), g_sweep=[sweep])
    ax = drawing.figure.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and drawing.figure.axes[-1].get_ylabel()  # colour bar
    theory = [line for line in ax.get_lines() if line.get_label().startswith("DMFT")][0]
    assert theory.get_xydata().shape[0] == 41
    assert theory.get_xdata()[-1] == pytest.approx(noisy_critical_gain(0.0, 1.0, "map"))
    mesh = ax.collections[0]
    assert mesh.norm.vcenter == 0.0 and mesh.get_cmap().name == "RdBu_r"
    calm = [line for line in ax.get_lines() if line.get_label().startswith("not chaotic")][0]
    assert calm.get_xydata().shape[0] == 8  # g = 0.5, 1 at sigma_xi = 0 (mean ln 1 = 0 counts), 0.5-1.5 above
    text = drawing.agreement
    # g_c(map) = 1, 1.55, 1.86 at sigma_xi = 0, 0.5, 1: every sign change lies around it
    assert "brackets the mean-field g_c(sigma_b, sigma_xi) at 3 of 3 noise amplitudes" in text
    assert "sigma_xi = 0.5: largest g with lambda_max < 0 1.5, smallest with lambda_max > 0 2, g_c = 1.55" in text
    assert "sigma_xi = 1: largest g with lambda_max < 0 1.5, smallest with lambda_max > 0 2, g_c = 1.86" in text
    assert "At N = 100" in text and "sigma_xi = 0, 0.5, 1" in drawing.caption and "41 values" in drawing.caption
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_a_sign_change_beyond_the_line_is_counted_outside():
    drawing = plotting.draw("input_phase_diagram", "map", summary=summary("map", flip=(2.0, 1.0)))
    text = drawing.agreement
    assert "at 2 of 3 noise amplitudes" in text
    assert "sigma_xi = 1: largest g with lambda_max < 0 2, smallest with lambda_max > 0 3, g_c = 1.86 (outside)" in text


def test_rate_network_line_is_the_noisy_dmft():
    line = critical_line("rate", 0.0, np.array([0.0, 1.0]))
    assert line[0] == pytest.approx(1.0, abs=1e-9) and line[1] == pytest.approx(1.96, abs=0.01)
    drawing = plotting.draw("input_phase_diagram", "rate", summary=summary("rate"))
    assert "at 3 of 3 noise amplitudes" in drawing.agreement and "rate model (tanh)" in drawing.caption


def test_helpers():
    assert np.allclose(cell_edges([0.0, 0.5, 1.0]), [0.0, 0.25, 0.75, 1.25])
    assert np.allclose(cell_edges([1.0, 2.0, 4.0]), [0.5, 1.5, 3.0, 5.0])
    assert sign_change(np.array([1.0, 2.0, 3.0]), np.array([-1.0, np.nan, 0.5])) == (1.0, 3.0)
    neg, pos = sign_change(np.array([1.0, 2.0]), np.array([-1.0, -0.5]))
    assert neg == 2.0 and np.isnan(pos)


def test_the_figure_needs_a_plane_of_g_and_sigma_xi():
    from rnnchaos.config_schema import figure_problems

    ok = {"figures": ["input_phase_diagram"], "g": [1.0, 2.0], "sigma_xi": [0.0, 0.5]}
    assert figure_problems(ok) == []
    lines = figure_problems(ok | {"sigma_xi": [0.0]})
    assert lines == ["figures: input_phase_diagram needs at least 2 values of sigma_xi, got sigma_xi = [0.0] (add "
                     "values or leave it out of figures)"]
    assert "at least 2 values of sigma_xi" in figure_problems({"figures": ["input_phase_diagram"], "g": [1.0, 2.0]})[0]
    assert "at least 2 values of g" in figure_problems(ok | {"g": [2.0]})[0]
