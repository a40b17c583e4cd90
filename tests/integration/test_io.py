"""NetCDF round trips: dims, coordinates, attributes, completeness marker and atomic writes."""

import numpy as np
import pytest
import xarray as xr

from rnnchaos import __version__, atomic_files, grid_files, io, network
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


# --- damaged files: checksums, quarantine, parse-time check ----------------------------------------------------
MARKER = np.arange(512.0) + 0.1234567  # a recognisable array whose bytes are searched for in the file


def marked_file(path):
    ds = io.with_grid_coords(xr.Dataset({"a": (("i",), MARKER, {"units": "1", "long_name": "marker values"})}),
                             g=1.0, N=4)
    ds["s"] = xr.DataArray(3.25, attrs={"units": "1", "long_name": "a 0-d value"})
    io.write_dataset(ds, path, stage="simulate", params={})
    return path


def flip(path, needle, offset=0):
    """Flip one bit of the byte ``offset`` bytes into the first occurrence of ``needle`` in the file."""
    raw = bytearray(path.read_bytes())
    at = raw.find(needle)
    assert at >= 0 and raw.find(needle, at + 1) < 0  # exactly one copy: the variable's data
    raw[at + offset] ^= 0x10
    path.write_bytes(bytes(raw))


def test_every_variable_has_a_fletcher32_checksum(tmp_path):
    import netCDF4

    with netCDF4.Dataset(marked_file(tmp_path / "m.nc")) as nc:
        filtered = {name: var.filters()["fletcher32"] for name, var in nc.variables.items() if var.ndim}
        assert filtered and all(filtered.values()), filtered
        assert set(io.json.loads(nc.getncattr(io.SCALAR_CRC_ATTR))) == {"s"}  # 0-d: HDF5 cannot filter them


@pytest.mark.parametrize("damage", ["flip_data", "flip_scalar", "truncate", "no_marker"])
def test_damaged_file_is_moved_aside_with_a_message(tmp_path, damage):
    path = marked_file(tmp_path / "seed~0.nc")
    original = path.read_bytes()
    if damage == "flip_data":
        flip(path, MARKER.tobytes()[:64], offset=8 * 300 + 7)  # an exponent byte: 1e305-scale damage
    elif damage == "flip_scalar":
        flip(path, np.float64(3.25).tobytes(), offset=7)
    elif damage == "truncate":
        path.write_bytes(original[: len(original) // 2])
    else:
        xr.load_dataset(path).drop_attrs().to_netcdf(path)
    damaged = path.read_bytes()
    with pytest.raises(io.IncompleteOutputError) as err:
        io.read_dataset(path, stage="simulate")
    moved = tmp_path / "seed~0.nc.corrupt"
    assert str(path) in str(err.value) and f"moved to {moved}" in str(err.value)
    assert "rerunning snakemake recomputes it" in str(err.value)
    assert not path.exists() and moved.read_bytes() == damaged


def test_undamaged_file_reads_and_a_second_quarantine_keeps_the_first(tmp_path):
    path = marked_file(tmp_path / "p.nc")
    assert np.array_equal(io.point_values(io.read_dataset(path), "a"), MARKER)
    assert io.SCALAR_CRC_ATTR not in io.read_dataset(path).attrs
    for _ in range(2):
        path.write_bytes(b"garbage")
        with pytest.raises(io.IncompleteOutputError, match="damaged file"):
            io.read_dataset(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nc.corrupt", "p.nc.corrupt.1"]


def test_without_quarantine_and_for_missing_files_nothing_moves(tmp_path):
    path = tmp_path / "bad.nc"
    path.write_bytes(b"garbage")
    with pytest.raises(io.IncompleteOutputError, match="not a readable NetCDF"):
        io.read_dataset(path, quarantine=False)
    assert path.exists()
    with pytest.raises(io.IncompleteOutputError, match="no such file"):
        io.read_dataset(tmp_path / "absent.nc")
    (tmp_path / "dir.nc").mkdir()
    with pytest.raises(io.IncompleteOutputError, match="is a directory"):
        io.read_dataset(tmp_path / "dir.nc")


def test_header_check_finds_truncated_and_foreign_files_only(tmp_path):
    good = marked_file(tmp_path / "results/simulate/good.nc")
    (tmp_path / "results/simulate/truncated.nc").write_bytes(good.read_bytes()[:-100])
    (tmp_path / "results/simulate/classic.nc").write_bytes(b"CDF\x01" + bytes(100))
    (tmp_path / "results/simulate/empty.nc").write_bytes(b"")
    (tmp_path / "results/simulate/.good.nc.x.tmp.nc").write_bytes(b"a running job's file")
    assert atomic_files.hdf5_damage(good) is None
    assert atomic_files.hdf5_damage(tmp_path / "results/simulate/truncated.nc").startswith("truncated")
    messages = atomic_files.quarantine_damaged(tmp_path / "results")
    assert len(messages) == 3 and all("moved to" in m for m in messages)
    left = sorted(p.name for p in (tmp_path / "results/simulate").iterdir())
    assert left == [".good.nc.x.tmp.nc", "classic.nc.corrupt", "empty.nc.corrupt", "good.nc",
                    "truncated.nc.corrupt"]


# --- files: modes, atomic figures, full disk --------------------------------------------------------------------
def test_files_respect_the_umask(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        io.write_dataset(small_dataset(), tmp_path / "a.nc", stage="t", params={})
        io.write_text(tmp_path / "a.rst", "text\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.nc").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "a.rst").stat().st_mode & 0o777 == 0o640


def test_figures_are_written_atomically_with_the_format_of_their_suffix(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1])
    io.write_figure(fig, tmp_path / "f.pdf")
    io.write_figure(fig, tmp_path / "f.png", dpi=50)
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")

    class Failing:
        def savefig(self, fname, **kwargs):  # half a file, then the job is killed
            with open(fname, "wb") as fh:
                fh.write(b"%PDF-1.4 half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        io.write_figure(Failing(), tmp_path / "g.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]


def test_a_figure_save_leaves_nothing_when_savefig_fails(tmp_path):
    from rnnchaos import plotting

    class Failing:
        def savefig(self, fname, **kwargs):
            with open(fname, "wb") as fh:
                fh.write(b"\x89PNG half")
            raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError, match="renderer failed"):
        plotting.save(plotting.Drawing(Failing(), "agreement"), png=str(tmp_path / "f.png"),
                      pdf=str(tmp_path / "f.pdf"), caption=str(tmp_path / "f.rst"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError("NetCDF: HDF error"), PermissionError(13, "Permission denied"),
                                   OSError(28, "No space left on device")])
def test_a_full_disk_is_named(tmp_path, monkeypatch, error):
    import shutil

    def fails(self, path, *args, **kwargs):
        raise error

    monkeypatch.setattr(xr.Dataset, "to_netcdf", fails)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9, 0))
    full = r"out.nc: not written, the disk holding .* is full \(0.0 MiB free"
    with pytest.raises(atomic_files.DiskFullError, match=full):
        io.write_dataset(small_dataset(), tmp_path / "out.nc", stage="t", params={})
    assert list(tmp_path.iterdir()) == []


def test_other_write_errors_are_not_called_a_full_disk(tmp_path, monkeypatch):
    def fails(self, path, *args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", fails)
    with pytest.raises(RuntimeError, match="HDF error") as err:
        io.write_dataset(small_dataset(), tmp_path / "out.nc", stage="t", params={})
    assert not isinstance(err.value, atomic_files.DiskFullError)


# --- README's code on a tiny results tree -----------------------------------------------------------------------
def _tiny_results_tree(root):
    """Per-point lyapunov and fixed_points files (ragged: k, N, number of fixed points; one failed point) and a
    summary, as the pipeline writes them."""
    from rnnchaos.status import NumericalFailure

    unit = {"units": "1", "long_name": "test"}
    grid = [(g, sb, n, seed) for g in (1.5, 2.0) for sb in (0.0, 0.5) for n in (4, 6) for seed in (0, 1)]
    for g, sb, n, seed in grid:
        point = {"g": g, "sigma_b": sb, "sigma_xi": 0.0, "N": n, "seed": seed}
        where = f"g~{g:g}/sigma_b~{sb:g}/sigma_xi~0/N~{n}/seed~{seed}.nc"
        n_fp = 1 + seed + (g > 1.5)

        def fixed_points(n=n, n_fp=n_fp):
            return xr.Dataset({"x": (("fp", "i"), np.full((n_fp, n), float(n_fp)), unit),
                               "n_unstable": ("fp", np.arange(n_fp), unit), "n_fixed_points": ((), n_fp, unit),
                               "iterations": ("solve", np.arange(n_fp + 2), unit)},
                              coords={"solve": np.arange(n_fp + 2)})

        def lyapunov(n=n, g=g):
            if g == 2.0 and n == 6:
                raise NumericalFailure("diverged", "a failed point: status only")
            return xr.Dataset({"exponent": ("i", np.linspace(0, -1, n), unit), "lambda_max": ((), g - 1.9, unit)},
                              coords={"i": np.arange(1, n + 1)})

        io.save_stage(root / f"results/fixed_points/rate/{where}", fixed_points, stage="fixed_points", params={},
                      point=point)
        io.save_stage(root / f"results/lyapunov/rate/{where}", lyapunov, stage="lyapunov", params={}, point=point)
    lam = xr.DataArray(np.arange(16.0).reshape(2, 2, 2, 2), dims=("g", "sigma_b", "N", "seed"),
                       coords={"g": [1.5, 2.0], "sigma_b": [0.0, 0.5], "N": [4, 6], "seed": [0, 1]}, attrs=unit)
    io.write_dataset(xr.Dataset({"lyap_lambda_max": lam}), root / "results/summary/rate.nc", stage="summary",
                     params={})


def test_readme_results_code_runs_as_written(tmp_path, monkeypatch):
    import re

    import matplotlib

    from ..conftest import ROOT

    matplotlib.use("Agg")
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Results\n")[1].split("\n## ")[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    _tiny_results_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)
    lyap, fps = ns["lyap"], ns["fps"]
    assert dict(lyap.sizes) == {"g": 2, "sigma_b": 2, "sigma_xi": 1, "N": 2, "seed": 2, "i": 6}
    assert np.isnan(lyap["exponent"].sel(N=4).values[..., 4:]).all()  # k = N = 4 padded to 6
    failed = lyap.sel(g=2.0, N=6)
    assert (failed["status"] == 1).all() and np.isnan(failed["exponent"]).all()
    assert dict(fps.sizes) == {"g": 2, "sigma_b": 2, "sigma_xi": 1, "N": 2, "seed": 2, "fp": 3, "i": 6, "solve": 5}
    one = fps["x"].sel(g=1.5, sigma_b=0.0, sigma_xi=0.0, N=4, seed=0)
    assert np.array_equal(one.values[0, :4], np.ones(4)) and np.isnan(one.values[1:]).all()
    assert ns["x_star"].shape == (2, 6) and (ns["x_star"] == 2.0).all()  # g = 2, N = 6, seed 0: 2 points


def test_open_grid_refuses_files_of_two_models_or_stages(tmp_path):
    _tiny_results_tree(tmp_path)
    r = tmp_path / "results"
    with pytest.raises(ValueError, match="hold the same grid point of stage 'lyapunov'"):
        grid_files.open_grid([*r.glob("lyapunov/rate/g~1.5/*/*/*/*.nc"),
                              r / "lyapunov/rate/g~1.5/sigma_b~0/sigma_xi~0/N~4/seed~0.nc"])
    with pytest.raises(ValueError, match="different stages"):
        grid_files.open_grid([r / "lyapunov/rate/g~1.5/sigma_b~0/sigma_xi~0/N~4/seed~0.nc",
                      r / "fixed_points/rate/g~1.5/sigma_b~0/sigma_xi~0/N~6/seed~0.nc"])
    with pytest.raises(FileNotFoundError, match="no file matches"):
        grid_files.open_grid(str(r / "simulate/*/*.nc"))
