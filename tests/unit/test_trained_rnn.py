"""The trained-RNN analysis end to end on a small GRU file: parts, features, fixed points, NetCDF, bad inputs."""

import numpy as np
import pytest
import xarray as xr

from rnnchaos import array_files, fixed_points, spectrum_features, trained_rnn
from rnnchaos.driven_fixed_points import driven_fixed_points
from rnnchaos.rnn_stack import random_stack

SETTINGS = dict(batch=2, steps=160, k=6, warmup=20, warmup_tangent=20, n_batches=4, n_fp_starts=6, n_extra=4)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "gru_net.safetensors"
    array_files.write_arrays(path, random_stack("gru", input_size=2, hidden_size=5, num_layers=2, scale=1.5,
                                                rng=np.random.default_rng(0)).state_dict())
    return path


def test_analysis_of_a_state_dict_file(weights, tmp_path):
    ds = trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(1), performance=0.9, **SETTINGS)
    assert int(ds.lyap_status) == 0 and int(ds.fp_status) == 0
    assert ds.lyap_exponent.shape == (6,) and ds.lyap_exponent_per_sequence.shape == (2, 6)
    feats = spectrum_features.spectrum_features(ds.lyap_exponent.values, 10)
    assert all(float(ds[f"feature_{f}"]) == feats[f] for f in spectrum_features.FEATURES)
    assert ds.fp_x.sizes["unit"] == 10 and int(ds.fp_n_fixed_points) >= 1 and (ds.fp_residual < 1e-10).all()
    assert ds.attrs["name"] == "gru_net" and ds.attrs["cell"] == "gru" and ds.attrs["performance"] == 0.9
    ds.to_netcdf(tmp_path / "out.nc")
    back = xr.load_dataset(tmp_path / "out.nc")
    assert back.lyap_exponent.attrs["units"] == "1/step" and back.attrs["num_layers"] == 2
    again = trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(1), performance=0.9, **SETTINGS)
    assert np.array_equal(again.lyap_exponent, ds.lyap_exponent) and np.array_equal(again.fp_x, ds.fp_x)


def test_inputs_from_a_file_must_match_the_network(weights, tmp_path):
    np.save(tmp_path / "u.npy", np.zeros((2, 100, 3)))
    with pytest.raises(ValueError, match=r"has shape \(2, 100, 3\): input dimension 3.*n_inputs = 2"):
        trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(0), inputs="file",
                                        input_path=tmp_path / "u.npy")
    np.save(tmp_path / "u.npy", np.zeros((1, 100, 2)))
    ds = trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(0), inputs="file",
                                         input_path=tmp_path / "u.npy", k=3, warmup=10, warmup_tangent=10,
                                         n_batches=2, n_fp_starts=2, n_extra=0)
    assert ds.attrs["batch"] == 1 and ds.attrs["steps"] == 100 and np.isnan(ds.lyap_exponent_sem).all()
    with pytest.raises(ValueError, match="inputs kind must be one of"):
        trained_rnn.make_inputs(2, kind="sine", rng=np.random.default_rng(0))


class NoFixedPoint:
    """``x' = x + x^2 + 0.1``: no fixed point, a slow point at 0 with q = 0.005."""

    name, time_step, n, n_inputs = "quadratic", 1.0, 1, 1

    def step(self, x, u=None):
        return x + x**2 + 0.1

    def jacobian(self, x, u=None):
        return np.array([[1 + 2 * x[0]]])


def test_a_search_without_fixed_points_keeps_its_slow_points():
    fp = driven_fixed_points(NoFixedPoint(), np.zeros(1), np.array([[0.5], [-0.7]]))
    assert fp.x.shape[0] == 0
    ds = fixed_points.to_dataset(fp)  # the one writer, also for zero points
    assert int(ds.n_fixed_points) == 0 and ds.slow_q.size >= 1 and np.allclose(ds.slow_q, 0.005)
    assert set(ds.slow_points.dims) == {"slow", "i"} and ds.n_solves == 2


def test_a_state_dict_in_memory_gives_the_file_s_analysis(weights):
    from rnnchaos.state_dict import read_state_dict

    arrays, _, _ = read_state_dict(weights)
    a = trained_rnn.analyse_trained_rnn(weights, rng=np.random.default_rng(1), **SETTINGS)
    b = trained_rnn.analyse_trained_rnn({**arrays, "readout.weight": np.ones((1, 5))}, name="gru_net",
                                        rng=np.random.default_rng(1), **SETTINGS)
    assert np.array_equal(a.lyap_exponent, b.lyap_exponent) and b.attrs["ignored_keys"] == "readout.weight"


def _analysed(lam, performance, status=0):
    """A minimal Dataset as analyse_trained_rnn writes it (spectrum ``lam`` of a 10-unit network)."""
    from rnnchaos.io import status_variable
    from rnnchaos.status import STATUS_CODES

    name = {v: k for k, v in STATUS_CODES.items()}[status]
    ds = xr.Dataset({"lyap_status": status_variable(name, "" if status == 0 else "QR failed")})
    if status == 0:
        feats = spectrum_features.spectrum_features(lam, 10)
        for f, v in feats.items():
            ds[f"feature_{f}"] = xr.DataArray(float(v), attrs={"units": "1/step", "long_name": f})
    ds.attrs.update(performance=performance, n=10, k=len(lam))
    return ds


def test_feature_table_marks_a_failed_network_nan_with_its_status_and_correlates_the_rest():
    lams = [np.array([0.1 * i, -0.2, -0.5]) for i in range(6)]
    datasets = [_analysed(lam, float(i)) for i, lam in enumerate(lams)]
    datasets.append(_analysed(np.zeros(3), 9.0, status=3))  # a failed spectrum: NaN and its status, no sentinel
    names = [f"net{i}" for i in range(7)]
    table = trained_rnn.network_features(datasets, names, rng=np.random.default_rng(0), n_boot=200)
    assert int(table.status.sel(network="net6")) == 3 and table.status_detail.sel(network="net6").item() == "QR failed"
    assert all(np.isnan(float(table[f].sel(network="net6"))) for f in spectrum_features.FEATURES)
    assert float(table.performance.sel(network="net6")) == 9.0
    assert table.attrs["n_networks"] == 6  # the failed network left out of the correlation
    assert float(table.rho.sel(feature="lambda_max")) == pytest.approx(1.0)  # lambda_max rises with performance
    frame = trained_rnn.features_frame(table)
    assert list(frame.index) == names and frame.loc["net6", "status"] == "qr_breakdown"
    few = trained_rnn.network_features(datasets[:4], names[:4], rng=np.random.default_rng(0))
    assert "rho" not in few and "fewer than 5" in few.attrs["correlation"]
