"""External weights: schema round trips (.npz, .npy, .nc) through both analyses, and bad files named precisely."""

import pickle

import numpy as np
import pytest
import xarray as xr

from rnnchaos import dynamics, external, fixed_points, lyapunov, network
from rnnchaos.external import ExternalNetworkError

N = 30
SETTINGS = {"k": 6, "n_init": 32, "n_states": 8, "t_transient": 20.0, "t_transient_tangent": 5.0, "t_sim": 40.0,
            "n_batches": 4}


@pytest.fixture(scope="module")
def net():
    d = network.draw_disorder(N, 2)
    return d.couplings(2.0), d.biases(0.3)


@pytest.fixture
def files(tmp_path, net):
    J, theta = net
    paths = {"npz": tmp_path / "w.npz", "npy": tmp_path / "w.npy", "nc": tmp_path / "w.nc"}
    np.savez(paths["npz"], W=J, b=theta, model="rate", W_out=np.ones((3, N)))
    np.save(paths["npy"], J)
    xr.Dataset({"J": (("i", "j"), J), "theta": ("i", theta)}, attrs={"model": "rate"}).to_netcdf(paths["nc"])
    return paths


def test_every_format_loads_the_same_network(files, net):
    J, theta = net
    for fmt, path in files.items():
        model, J2, th2, meta = external.load_network(path)
        assert model == "rate" and meta["format"] == fmt and meta["N"] == N
        assert np.array_equal(J2, J) and J2.dtype == np.float64
        assert np.array_equal(th2, np.zeros(N) if fmt == "npy" else theta)
    assert external.load_network(files["npz"])[3]["ignored"] == ["W_out"]


def test_analysis_equals_the_generated_network_pipeline(files, net):
    """analyse_external = simulate -> network_fixed_points -> lyapunov_spectrum, bitwise, in every format."""
    J, theta = net
    ds = external.analyse_external(files["nc"], rng=np.random.default_rng(5), **SETTINGS)
    rng = np.random.default_rng(5)
    x = dynamics.run("rate", rng.standard_normal(N), J, theta, dt=0.1, n_steps=200)
    states = []
    for _ in range(8):
        x = dynamics.run("rate", x, J, theta, dt=0.1, n_steps=10)
        states.append(x)
    fp = fixed_points.network_fixed_points("rate", J, theta, n_init=32, rng=rng, init_states=np.array(states))
    ly = lyapunov.lyapunov_spectrum("rate", J, theta, rng=rng, k=6, dt=0.1, t_transient=20.0,
                                    t_transient_tangent=5.0, t_sim=40.0, n_batches=4, t_ons=1.0)  # its default
    assert np.array_equal(ds["lyap_exponent"].values, ly.exponents)
    assert np.array_equal(ds["fp_x"].values, fp.x) and int(ds["fp_n_fixed_points"]) == fp.x.shape[0] >= 1
    assert int(ds["fp_status"]) == int(ds["lyap_status"]) == 0
    for v in ds.data_vars:
        assert {"units", "long_name"} <= set(ds[v].attrs), v
    assert ds.attrs["model"] == "rate" and ds.attrs["time_unit"] == "tau"


def test_npy_npz_and_nc_give_the_same_analysis(tmp_path, net):
    J, _ = net
    np.save(tmp_path / "a.npy", J)
    np.savez(tmp_path / "a.npz", J=J)
    xr.Dataset({"W": (("i", "j"), J)}).to_netcdf(tmp_path / "a.nc")
    out = [external.analyse_external(tmp_path / f"a.{s}", rng=np.random.default_rng(1), **SETTINGS)
           for s in ("npy", "npz", "nc")]
    for ds in out[1:]:
        assert np.array_equal(ds["lyap_exponent"].values, out[0]["lyap_exponent"].values)
        assert np.array_equal(ds["fp_x"].values, out[0]["fp_x"].values)


def test_map_model_and_time_constant(tmp_path, net):
    J, theta = net
    np.savez(tmp_path / "m.npz", J=J, theta=theta, model="map")
    ds = external.analyse_external(tmp_path / "m.npz", rng=np.random.default_rng(0), **SETTINGS)
    assert ds.attrs["model"] == "map" and ds.attrs["step"] == 1.0 and ds["fp_eig_real"].size > 0
    np.savez(tmp_path / "t.npz", J=J, tau=10.0, dt=2.0)
    ds = external.analyse_external(tmp_path / "t.npz", rng=np.random.default_rng(0), **SETTINGS)
    assert ds.attrs["step"] == pytest.approx(0.2) and float(ds["lyap_dt"]) == pytest.approx(0.2)
    assert np.allclose(ds["lyap_exponent_per_time"].values, ds["lyap_exponent"].values / 10.0)


def test_model_override_fills_a_missing_entry_and_must_agree(files):
    assert external.load_network(files["npy"], model="map")[0] == "map"
    with pytest.raises(ExternalNetworkError, match="file says model 'rate' but 'map' was requested"):
        external.load_network(files["npz"], model="map")


def _fake_npy_header(path, shape):
    """A .npy file whose header claims ``shape`` but holds no data (the size check must not read the data)."""
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": shape})


BAD = {
    "nan": (lambda p: np.savez(p, J=np.where(np.eye(4) > 0, np.nan, 1.0)), "npz", r"'J' has 4 non-finite"),
    "non_square": (lambda p: np.savez(p, J=np.ones((3, 4))), "npz", r"'J' must be square, got shape \(3, 4\)"),
    "wrong_ndim": (lambda p: np.save(p, np.ones((2, 2, 2))), "npy", r"must be a 2-D matrix, got 3-D"),
    "bias_shape": (lambda p: np.savez(p, J=np.eye(3), b=np.ones(4)), "npz", r"'b' must have shape \(3,\)"),
    "missing_key": (lambda p: np.savez(p, K=np.eye(3)), "npz", r"exactly one coupling matrix .* found \['K'\]"),
    "both_keys": (lambda p: np.savez(p, J=np.eye(3), W=np.eye(3)), "npz", r"exactly one coupling matrix"),
    "object_npy": (lambda p: np.save(p, np.array([[{"a": 1}]], dtype=object), allow_pickle=True), "npy",
                   r"object array \(pickled Python objects\); refused"),
    "object_npz": (lambda p: np.savez(p, J=np.eye(2), theta=np.array([None, 1], dtype=object)), "npz",
                   r"\['theta'\]: 'theta' is an object array"),
    "pickle_file": (lambda p: p.write_bytes(pickle.dumps(np.eye(3))), "npy", r"looks like a Python pickle"),
    "complex": (lambda p: np.save(p, np.eye(3) * 1j), "npy", r"real floating-point or integer array, got dtype "
                                                             r"complex128"),
    "too_large": (lambda p: _fake_npy_header(p, (20001, 20001)), "npy", r"shape \(20001, 20001\); allowed N <= "
                                                                      r"20000"),
    "too_small": (lambda p: np.save(p, np.ones((1, 1))), "npy", r"N = 1; allowed 2 <= N"),
    "bad_model": (lambda p: np.savez(p, J=np.eye(3), model="lstm"), "npz", r"'model' must be one of"),
    "map_with_tau": (lambda p: np.savez(p, J=np.eye(3), model="map", tau=2.0), "npz", r"'tau' applies to model "
                                                                                     r"'rate' only"),
    "big_step": (lambda p: np.savez(p, J=np.eye(3), dt=2.0, tau=1.0), "npz", r"'dt' / 'tau' must be <= 1"),
    "negative_tau": (lambda p: np.savez(p, J=np.eye(3), tau=-1.0), "npz", r"'tau' must be a finite number > 0"),
    "nc_nan": (lambda p: xr.Dataset({"J": (("i", "j"), np.full((3, 3), np.nan))}).to_netcdf(p), "nc",
               r"'J' has 9 non-finite"),
    "nc_missing": (lambda p: xr.Dataset({"A": ("i", np.ones(3))}).to_netcdf(p), "nc", r"found \['A'\]"),
    "not_zip": (lambda p: p.write_bytes(b"hello"), "npz", r"not a valid .npz"),
    "not_netcdf": (lambda p: p.write_bytes(b"hello"), "nc", r"not a readable NetCDF"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_fail_naming_the_problem(tmp_path, case):
    write, suffix, match = BAD[case]
    path = tmp_path / f"{case}.{suffix}"
    write(path)
    with pytest.raises(ExternalNetworkError, match=match) as err:
        external.load_network(path)
    assert str(path) in str(err.value)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(ExternalNetworkError, match=r"unsupported file type '.pkl'"):
        external.load_network(tmp_path / "w.pkl")
    with pytest.raises(ExternalNetworkError, match="no such file"):
        external.load_network(tmp_path / "absent.npz")


def test_a_failed_stage_is_recorded_not_raised(files):
    ds = external.analyse_external(files["npz"], rng=np.random.default_rng(0), **{**SETTINGS, "n_init": 1,
                                                                                  "max_iter": 1})
    assert int(ds["fp_status"]) == 4 and "stalled" in ds["fp_status"].attrs["flag_meanings"]
    assert "fp_x" not in ds and int(ds["lyap_status"]) == 0 and ds["lyap_exponent"].size == 6


# --- headers claiming huge arrays are refused before any allocation --------------------------------------------
# (claims of tens of MB, not the TB of the issue: the same checks, and a failure of this test on broken code
# allocates no more than the machine has; 10^12 entries fail numpy's allocation at once)
def _npy_bytes(shape, descr="<f8"):
    """The bytes of a .npy header claiming ``shape`` (no data follows)."""
    import io as _io

    buf = _io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _npz_with(path, **members):
    """A .npz whose members are raw .npy bytes (possibly headers only) or arrays."""
    import io as _io
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for key, value in members.items():
            if isinstance(value, np.ndarray):
                buf = _io.BytesIO()
                np.save(buf, value)
                value = buf.getvalue()
            zf.writestr(f"{key}.npy", value)


def _nc_with(path, variables):
    """A NetCDF file whose variables (name -> shape) are declared but never written (compressed: no bytes)."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as nc:
        for name, shape in variables.items():
            dims = []
            for k, n in enumerate(shape):
                nc.createDimension(f"{name}_{k}", n)
                dims.append(f"{name}_{k}")
            nc.createVariable(name, "f8", dims, zlib=True, chunksizes=[min(n, 64) for n in shape] or None)


HUGE = {
    "npy_1d": (lambda p: p.write_bytes(_npy_bytes((10**12,))), "npy", r"'J' must be a 2-D matrix, got 1-D shape "
                                                                     r"\(1000000000000,\)"),
    "npy_3d": (lambda p: p.write_bytes(_npy_bytes((200, 200, 200))), "npy", r"'J' must be a 2-D matrix, got 3-D"),
    "npy_data_missing": (lambda p: p.write_bytes(_npy_bytes((2000, 2000))), "npy",
                         r"'J' claims shape \(2000, 2000\) of float64 \(32000000 bytes\) but the file holds only 0"),
    "npy_huge_string": (lambda p: p.write_bytes(_npy_bytes((3, 3), "<U100000000")), "npy",
                        r"must be a real floating-point or integer array, got dtype <U100000000"),
    "npz_theta": (lambda p: _npz_with(p, J=np.eye(3), theta=_npy_bytes((2 * 10**6,))), "npz",
                  r"\['theta'\]: 'theta' must be a vector of length N <= 20000, got shape \(2000000,\)"),
    "npz_theta_2d": (lambda p: _npz_with(p, J=np.eye(3), theta=_npy_bytes((3, 10**6))), "npz",
                     r"'theta' must be a vector"),
    "npz_scalar": (lambda p: _npz_with(p, J=np.eye(3), tau=_npy_bytes((10**6,))), "npz",
                   r"'tau' must be a single value, got shape \(1000000,\)"),
    "npz_truncated_member": (lambda p: _npz_with(p, J=_npy_bytes((2000, 2000))), "npz",
                             r"\['J'\]: 'J' claims shape \(2000, 2000\) of float64 \(32000000 bytes\)"),
    "nc_theta": (lambda p: _nc_with(p, {"J": (3, 3), "theta": (2 * 10**6,)}), "nc",
                 r"'theta' must be a vector of length N <= 20000, got shape \(2000000,\)"),
    "nc_3d": (lambda p: _nc_with(p, {"J": (200, 200, 200)}), "nc", r"'J' must be a 2-D matrix, got 3-D"),
    "nc_scalar": (lambda p: _nc_with(p, {"J": (3, 3), "dt": (10**6,)}), "nc", r"'dt' must be a single value"),
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_huge_headers_are_refused_before_any_allocation(tmp_path, case):
    import tracemalloc

    write, suffix, match = HUGE[case]
    path = tmp_path / f"{case}.{suffix}"
    write(path)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ExternalNetworkError, match=match) as err:
            external.load_network(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(path) in str(err.value) and peak < 4 * 2**20, peak


def test_arrays_outside_the_schema_are_not_read(tmp_path):
    _npz_with(tmp_path / "w.npz", J=np.eye(3), W_out=_npy_bytes((10**12,)))  # would not fit in any memory
    model, J, theta, meta = external.load_network(tmp_path / "w.npz")
    assert np.array_equal(J, np.eye(3)) and meta["ignored"] == ["W_out"]


def test_a_directory_is_named_as_one(tmp_path):
    (tmp_path / "x.npy").mkdir()
    with pytest.raises(ExternalNetworkError, match=r"x.npy: is a directory, not a weights file"):
        external.load_network(tmp_path / "x.npy")
