"""NetCDF round trips: dims, coordinates, attributes, completeness marker and atomic writes."""

import numpy as np
import pytest
import xarray as xr

from rnnchaos import __version__, io, network
from rnnchaos.status import NumericalFailure


def small_dataset():
    return xr.Dataset({"a": (("i",), np.arange(3.0), {"units": "1", "long_name": "test values"})})


def test_round_trip_keeps_values_coords_and_attributes(tmp_path):
    ds = io.with_grid_coords(small_dataset(), g=1.5, sigma_b=0.0, N=3, seed=2)
    path = tmp_path / "p.nc"
    io.write_dataset(ds, path, stage="test", params={"g": 1.5, "x": np.float64(2.0)})
    back = io.read_dataset(path, stage="test", required=("a",))
    assert back["a"].dims == ("g", "sigma_b", "N", "seed", "i")
    assert back.g.item() == 1.5 and back.N.item() == 3 and back.g.attrs["units"] == "1"
    assert back.attrs["rnnchaos_version"] == __version__
    assert io.parameters(back) == {"g": 1.5, "x": 2.0}
    assert np.array_equal(io.point_values(back, "a"), np.arange(3.0))


def test_network_round_trip_is_bitwise(tmp_path):
    d = network.draw_disorder(12, 5)
    io.write_network(d, tmp_path / "n.nc")
    e = io.read_network(tmp_path / "n.nc")
    assert np.array_equal(d.z_J, e.z_J) and np.array_equal(d.z_theta, e.z_theta) and (e.N, e.seed) == (12, 5)


def test_variables_without_units_are_refused(tmp_path):
    with pytest.raises(ValueError, match="without units"):
        io.write_dataset(xr.Dataset({"a": ("i", [1.0])}), tmp_path / "x.nc", stage="t", params={})


def test_foreign_truncated_and_wrong_stage_files_fail_naming_the_file(tmp_path):
    foreign = tmp_path / "foreign.nc"
    small_dataset().to_netcdf(foreign)
    with pytest.raises(io.IncompleteOutputError, match="foreign.nc.*completeness"):
        io.read_dataset(foreign)
    good = tmp_path / "good.nc"
    io.write_dataset(small_dataset(), good, stage="simulate", params={})
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(io.IncompleteOutputError, match="truncated.nc"):
        io.read_dataset(truncated)
    with pytest.raises(io.IncompleteOutputError, match="expected 'lyapunov'"):
        io.read_dataset(good, stage="lyapunov")
    with pytest.raises(io.IncompleteOutputError, match=r"missing expected variable\(s\) \['b'\]"):
        io.read_dataset(good, required=("a", "b"))


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def boom(self, path, *args, **kwargs):  # half a file written, then the job is interrupted
        with open(path, "wb") as fh:
            fh.write(b"CDF\x01 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
    with pytest.raises(KeyboardInterrupt):
        io.write_dataset(small_dataset(), tmp_path / "out.nc", stage="t", params={})
    assert list(tmp_path.iterdir()) == []


def test_save_stage_records_failure_as_status_not_numbers(tmp_path):
    def fails():
        raise NumericalFailure("diverged", "state left the bounded region at t = 3")

    code = io.save_stage(tmp_path / "f.nc", fails, stage="simulate", params={}, point={"g": 1.0, "N": 4})
    ds = io.read_dataset(tmp_path / "f.nc", stage="simulate", required=("status",))
    assert code == 1 and list(ds.data_vars) == ["status"]
    assert "t = 3" in ds["status"].attrs["detail"] and ds["status"].attrs["flag_meanings"].startswith("ok ")
    assert io.snapshot_states(ds) is None
    ok = io.save_stage(tmp_path / "o.nc", small_dataset, stage="simulate", params={}, point={"g": 1.0})
    assert ok == 0 and int(io.point_values(io.read_dataset(tmp_path / "o.nc"), "status")) == 0


def test_stale_temporary_files_of_a_killed_write_are_removed(tmp_path):
    stale = tmp_path / ".out.nc.abc123.tmp.nc"
    stale.write_bytes(b"half a file")
    other = tmp_path / ".other.nc.abc123.tmp.nc"
    other.write_bytes(b"another job's file")
    io.write_dataset(small_dataset(), tmp_path / "out.nc", stage="t", params={})
    assert not stale.exists() and other.exists() and (tmp_path / "out.nc").exists()
