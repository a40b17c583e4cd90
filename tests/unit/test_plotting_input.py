"""The periodic_suppression figure (rnnchaos.plotting_input) on a tiny synthetic pooled dataset: labelled axes, a
zero line, the threshold in the agreement, the parameters in the caption; and the threshold rule itself."""

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from rnnchaos import io, plotting  # noqa: E402
from rnnchaos.plotting_input import threshold  # noqa: E402


def pooled():
    amp = np.array([0.0, 0.5, 1.0])
    mean = np.array([[[0.1], [0.05], [-0.2]], [[0.1], [0.08], [0.02]]])  # (drive, amplitude, N)
    sem = np.full_like(mean, 0.01)
    ds = xr.Dataset({"lambda_max_mean": (("drive", "amplitude", "N"), mean),
                     "lambda_max_seed_sem": (("drive", "amplitude", "N"), sem),
                     "status": (("drive", "amplitude", "N", "seed"), np.zeros((2, 3, 1, 2), dtype=np.int8))},
                    coords={"drive": ["frequency~0.04", "frequency~0.16"], "frequency": ("drive", [0.04, 0.16]),
                            "amplitude": amp, "N": [100], "seed": [0, 1], "i": [1, 2]})
    ds.attrs["parameters"] = json.dumps({"channels": 2, "scale": 0.7071, "dt": 0.1, "t_ons": 1.0, "t_sim": 600.0,
                                         "t_transient": 100.0, "t_transient_tangent": 50.0})
    return io.with_grid_coords(ds, g=2.0, sigma_b=0.0)


def test_threshold_is_the_first_amplitude_from_which_every_mean_is_below_zero():
    a = np.array([0.0, 0.5, 1.0, 1.5])
    assert threshold(a, np.array([0.1, -0.2, 0.01, -0.3]), np.full(4, 0.01)) == 1.5
    assert threshold(a, np.array([0.1, -0.2, -0.1, -0.3]), np.full(4, 0.01)) == 0.5
    assert np.isnan(threshold(a, np.array([0.1, 0.2, -0.001, 0.0]), np.full(4, 0.01)))


def test_figure_has_labelled_axes_zero_line_threshold_and_parameters(tmp_path):
    d = plotting.draw("periodic_suppression", "rate", pooled=[pooled()])
    ax = d.figure.axes[0]
    assert "amplitude" in ax.get_xlabel() and "lambda" in ax.get_ylabel()
    assert any(np.allclose(line.get_ydata(), 0.0) for line in ax.get_lines())
    assert "f = 0.04, N = 100: lambda_max = 0.100 +- 0.010 at A = 0, below 0 (2 SEM) from A = 1 on" in d.agreement
    assert "f = 0.16, N = 100" in d.agreement and "not suppressed up to A = 1" in d.agreement
    assert "d = 2 channels" in d.caption and "f = 0.04, 0.16" in d.caption and "Rajan" in d.lead
    plotting.save(d, png=str(tmp_path / "f.png"), pdf=str(tmp_path / "f.pdf"))
    assert (tmp_path / "f.png").stat().st_size > 1000
