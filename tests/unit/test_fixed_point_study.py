"""The fixed-point study as a stage (rnnchaos.fixed_point_study): one network's statistics through its file and
back, a failed network as NaN with its status, the pooled study of tiny networks, the section's config checks, and
its figure (rnnchaos.plotting_fixed_point_study) on the tiny study."""

import copy
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnchaos import figures, fixed_point_study, io, network, plotting  # noqa: E402
from rnnchaos.config import ConfigError, check_config  # noqa: E402
from rnnchaos.config_schema import load_yaml, validate  # noqa: E402
from rnnchaos.fixed_point_statistics import DENSITY_EDGES, network_statistics  # noqa: E402
from rnnchaos.status import STATUS_CODES, NumericalFailure  # noqa: E402

from ..conftest import ROOT  # noqa: E402

SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
SIZES, SEEDS = (20, 30, 40), (0, 1, 2)
SETTINGS = {"n_init": 16, "near_zero": 0.1}
POINT = {"g": 2.0, "sigma_b": 0.0}


def fields(s):
    return {k: getattr(s, k) for k in s.__dataclass_fields__}


def assert_same(a, b):
    fa, fb = fields(a), fields(b)
    assert fa.keys() == fb.keys()
    for k in fa:
        np.testing.assert_array_equal(np.asarray(fa[k], dtype=float), np.asarray(fb[k], dtype=float), err_msg=k)
        assert type(fa[k]) is type(fb[k]), k


def save(path, compute, N, seed, **point):
    io.save_stage(path, compute, stage="fixed_point_study_network", params={"N": N, "seed": seed},
                  point={**POINT, **point, "N": N, "seed": seed})
    return io.read_dataset(path, stage="fixed_point_study_network")


def failing():
    raise NumericalFailure("stalled", "none of 16 Newton solves converged (injected)")


@pytest.mark.parametrize("trivial_only", [False, True])
def test_network_statistics_round_trip_through_the_stage_file(tmp_path, trivial_only):
    rng = np.random.default_rng(3)
    N = 12
    X = np.zeros((1, N)) if trivial_only else np.vstack([np.zeros(N), rng.standard_normal((5, N))])
    ev = rng.standard_normal(X.shape) + 1j * rng.standard_normal(X.shape)
    stats = network_statistics(X, eigvals=ev, n_unstable=rng.integers(0, N, X.shape[0]), count=7.5, count_se=1.2,
                               saturation=(np.arange(1, 9), np.minimum(np.arange(1, 9), X.shape[0])),
                               cdf=lambda y: 0.5 * (1 + np.tanh(y)))
    ds = fixed_point_study.to_dataset(stats)
    assert all({"units", "long_name"} <= set(ds[v].attrs) for v in ds.data_vars)
    back = fixed_point_study.from_dataset(save(tmp_path / "net.nc", lambda: ds, N, 4))
    assert_same(back, stats)
    assert back.coordinates.size == (0 if trivial_only else 5 * N)


def test_failed_network_reads_back_as_nan_never_data(tmp_path):
    ds = save(tmp_path / "failed.nc", failing, 30, 1)
    assert fixed_point_study.status_code(ds) == STATUS_CODES["stalled"]
    s = fixed_point_study.from_dataset(ds)
    assert s.N == 30 and s.n_points == 0 and s.coordinates.size == 0
    for k in ("mean_sq_radius", "near_zero_fraction", "rms_modulus", "index_fraction", "count", "completeness"):
        assert np.isnan(getattr(s, k)), k
    assert s.density.shape == (DENSITY_EDGES.size - 1,) and np.isnan(s.density).all()


def test_from_dataset_needs_the_grid_coordinate():
    ds = fixed_point_study.to_dataset(network_statistics(np.ones((1, 4))))
    with pytest.raises(ValueError, match="grid coordinate N"):
        fixed_point_study.from_dataset(ds)


def test_network_study_is_the_same_network_and_stream_every_time():
    d = network.draw_disorder(20, 1)
    a = fixed_point_study.network_study("rate", d, **POINT, **SETTINGS)
    b = fixed_point_study.network_study("rate", network.draw_disorder(20, 1), **POINT, **SETTINGS)
    assert_same(a, b)
    assert a.n_nontrivial >= 2 and a.mean_sq_radius > 0 and 0 <= a.index_fraction <= 1


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Per-network files of N = 20, 30, 40 x seeds 0, 1, 2 (g = 2, sigma_b = 0, 16 solves), with (30, 1) failed by
    hand, pooled; and the networks."""
    tmp = tmp_path_factory.mktemp("study")
    networks = []
    for N in SIZES:
        for seed in SEEDS:
            d = network.draw_disorder(N, seed)
            compute = failing if (N, seed) == (30, 1) else (
                lambda d=d: fixed_point_study.network_dataset("rate", d, **POINT, **SETTINGS))
            networks.append(save(tmp / f"N~{N}_seed~{seed}.nc", compute, N, seed))
    ds = fixed_point_study.study(networks[::-1], model="rate", **POINT, near_zero=0.1, min_completeness=0.9)
    io.write_dataset(ds, tmp / "study.nc", stage="fixed_point_study",
                     params={"model": "rate", **POINT, "N": list(SIZES), "seeds": 3, **SETTINGS})
    return io.read_dataset(tmp / "study.nc", stage="fixed_point_study"), networks


def test_study_pools_every_network_and_a_failed_one_is_nan_with_its_status(tiny):
    ds, networks = tiny
    v = lambda name: ds[name].squeeze(("g", "sigma_b"), drop=True)  # noqa: E731
    assert list(ds.N.values) == list(SIZES) and list(ds.seed.values) == list(SEEDS)
    status = v("network_status")
    for net in networks:
        N, seed = int(net.N.values[0]), int(net.seed.values[0])
        code = fixed_point_study.status_code(net)
        assert int(status.sel(N=N, seed=seed)) == code
        sample = float(v("mean_sq_radius_sample").sel(N=N, seed=seed))
        if code:
            assert np.isnan(sample) and np.isnan(float(v("count").sel(N=N, seed=seed)))
        else:
            np.testing.assert_equal(sample, fixed_point_study.from_dataset(net).mean_sq_radius)
    assert int(status.sel(N=30, seed=1)) == STATUS_CODES["stalled"]
    failed = (status != 0).sum("seed").values
    np.testing.assert_array_equal(v("n_failed").values, failed)
    # the mean over networks leaves the failed one out, and its size cannot be saturated
    ok = v("mean_sq_radius_sample").sel(N=30, seed=[0, 2]).values
    assert float(v("mean_sq_radius_mean").sel(N=30)) == pytest.approx(np.mean(ok))
    assert float(v("mean_sq_radius_sem").sel(N=30)) == pytest.approx(np.std(ok, ddof=1) / np.sqrt(2))
    assert int(v("saturated").sel(N=30)) == 0
    assert float(v("mean_sq_radius_kac_rice")) == pytest.approx(1.146, abs=0.01)
    assert ds["network_status"].attrs["flag_meanings"].split()[STATUS_CODES["stalled"]] == "stalled"


def test_study_needs_every_network_once(tiny):
    _, networks = tiny
    with pytest.raises(ValueError, match=r"missing \[\(40, 2\)\]"):
        fixed_point_study.study(networks[:-1], model="rate", **POINT)
    with pytest.raises(ValueError, match=r"\(20, 0\) twice"):
        fixed_point_study.study([networks[0], *networks], model="rate", **POINT)


def test_figure_draws_every_panel_and_states_the_numbers(tiny, tmp_path):
    ds, _ = tiny
    drawing = plotting.draw("fixed_point_study", "rate", study=[ds])
    axes = drawing.figure.axes
    assert len(axes) == 5 and all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert "g = 2, sigma_b = 0: <x*^2>(N -> inf) = " in drawing.agreement
    assert "vs Kac-Rice 1.14" in drawing.agreement and "Sigma = 0.02" in drawing.agreement
    assert "not at N = 30" in drawing.agreement and "1 of 3 at N = 30" in drawing.agreement
    assert "N = 20, 30, 40, 3 networks per size, 16 Newton solves per network" in drawing.caption
    plotting.save(drawing, png=tmp_path / "f.png", pdf=tmp_path / "f.pdf", caption=tmp_path / "f.rst")
    assert (tmp_path / "f.png").stat().st_size > 1000 and (tmp_path / "f.rst").read_text().count("\n\n") == 2


# --- the config section -----------------------------------------------------------------------------------------
def parsed(section=None, *files):
    config = load_yaml(ROOT / "config.yaml")
    for f in files:
        config.update(load_yaml(ROOT / f))  # the overlay holds the whole section
    if section is not None:
        config["fixed_point_study"] = {**config["fixed_point_study"], **section}
    validate(config, SCHEMA)
    check_config(config)
    return config


def test_section_is_off_by_default_and_the_overlay_turns_it_on():
    base = parsed()
    assert base["fixed_point_study"]["enabled"] is False
    assert not [n for n, _ in figures.instances(base) if n == "fixed_point_study"]
    on = parsed(None, "config/fixed_point_study.yaml")
    overlay = load_yaml(ROOT / "config/fixed_point_study.yaml")["fixed_point_study"]
    assert set(overlay) == set(base["fixed_point_study"]) and on["fixed_point_study"]["enabled"]
    assert [k for n, k in figures.instances(on) if n == "fixed_point_study"] == ["rate"]
    files = figures.FIGURES["fixed_point_study"].files(on, "rate")["study"]
    assert len(files) == 6 and "results/fixed_point_study/rate/g~2/sigma_b~0.5.nc" in files
    assert figures.stem("fixed_point_study", "rate") == "fixed_point_study_rate"
    erf = parsed({"g": [2]}, "config/fixed_point_study.yaml")
    erf["nonlinearity"] = "erf"
    assert figures.FIGURES["fixed_point_study"].files(erf, "map")["study"] == [
        "results/phi~erf/fixed_point_study/map/g~2/sigma_b~0.nc", "results/phi~erf/fixed_point_study/map/g~2/"
        "sigma_b~0.5.nc"]


BAD = [
    ({"N": [50, 100]}, "fixed_point_study.N = [50, 100]: needs at least 3 sizes"),
    ({"N": [50, 100, 100]}, "fixed_point_study.N = [50, 100, 100]", ),
    ({"N": [1, 50, 100]}, "fixed_point_study.N[0] = 1: must be an integer in [2, 2000]"),
    ({"n_init": 0}, "fixed_point_study.n_init = 0: must be an integer in [1, 100000]"),
    ({"near_zero": 0}, "fixed_point_study.near_zero = 0: must be a number in (0, 8]"),
    ({"near_zero": -0.1}, "fixed_point_study.near_zero = -0.1: must be a number in (0, 8]"),
    ({"min_completeness": 0}, "fixed_point_study.min_completeness = 0: must be a number in (0, 1]"),
    ({"min_completeness": 1.5}, "fixed_point_study.min_completeness = 1.5: must be a number in (0, 1]"),
    ({"seeds": 1}, "fixed_point_study.seeds = 1: must be an integer in [2, 10000]"),
    ({"model": ["lif"]}, "fixed_point_study.model[0] = 'lif': must be one of rate, map"),
    ({"g": [2.0, 2.00000000001]}, "fixed_point_study.g: values must be distinct to 10 significant digits"),
    ({"sigma_b": [5.0]}, "fixed_point_study.sigma_b[0] = 5.0: must be a number in [0, 4]"),
    ({"n_inits": 3}, "fixed_point_study.n_inits: unknown key (did you mean `n_init`?)"),
    ({"enabled": "yes"}, "fixed_point_study.enabled = 'yes': must be true or false"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[next(iter(c)) + "=" + repr(next(iter(c.values())))
                                                          for c, _ in BAD])
def test_bad_section_fails_at_parse_time_naming_the_key(change, message):
    with pytest.raises(ConfigError) as info:
        parsed(copy.deepcopy(change))
    assert message in str(info.value) and len(str(info.value).splitlines()) == 1, str(info.value)


def test_study_file_records_the_design_for_the_caption(tiny):
    ds, _ = tiny
    assert json.loads(ds.attrs["parameters"])["n_init"] == 16


def _counts(ln, sem, sigma):
    import xarray as xr
    return xr.Dataset({"log_mean_count": (("g", "sigma_b", "N"), np.array(ln, float)[None, None]),
                       "log_mean_count_sem": (("g", "sigma_b", "N"), np.array(sem, float)[None, None]),
                       "complexity": (("g", "sigma_b"), [[sigma]])},
                      coords={"g": [2.0], "sigma_b": [0.5], "N": [100, 200, 300]})


def test_a_count_growing_slower_than_sigma_is_reported_as_missed_points():
    from rnnchaos.plotting_fixed_point_study import _missed

    # Sigma = 0.0123: ln E[#] should rise by 1.23 per 100 units; it rises 1.0 then falls 0.3 (errors 0.1)
    text = _missed(_counts([2.15, 3.15, 2.85], [0.1, 0.1, 0.1], 0.0123))
    assert "-0.0030 +- 0.0014 per unit from N = 200 to 300" in text and "from N = 100 to 200" not in text
    assert "miss points" in text
    assert _missed(_counts([2.15, 3.3, 4.6], [0.1, 0.1, 0.1], 0.0123)) == ""  # growing at Sigma: nothing to say
    assert _missed(_counts([2.15, 2.0, 1.0], [0.1, 0.1, 0.1], 0.0)) == ""  # no complexity: no expected growth
    assert _missed(_counts([2.15, 3.05, 2.75], [0.6, 0.6, 0.6], 0.0123)) == ""  # within errors
