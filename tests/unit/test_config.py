"""Bad configurations fail at parse time with a message naming the key and the allowed range."""

import copy
import math
import re

import pytest
import yaml

from rnnchaos import resources
from rnnchaos.config import (
    ConfigError,
    check_config,
    check_config_files,
    exponent_count,
    format_value,
    load_schema,
    load_yaml,
    lyapunov_backend,
    qr_intervals,
    validate,
)

from ..conftest import ROOT

SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")
DEFAULT = yaml.safe_load((ROOT / "config.yaml").read_text())


def parse(config):
    config = copy.deepcopy(config)
    validate(config, SCHEMA)
    check_config(config)
    return config


def mutate(path, value):
    config = copy.deepcopy(DEFAULT)
    *parents, last = path
    node = config
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return config


DELETE = object()

BAD = [  # (key path, bad value, substrings of the message[, section updates that make the value matter])
    (("g",), [-1.0], ["g[0] = -1.0: must be a number in [0, 6]"]),
    (("g",), [], ["g = []: must be a non-empty list"]),
    (("g",), [1.0, 1.0], ["g = [1.0, 1.0]", "(a value is repeated)"]),
    (("g",), ["two"], ["g[0] = 'two': must be a number in [0, 6]"]),
    (("g",), 2.0, ["g = 2.0: must be a non-empty list of distinct values, each a number in [0, 6]"]),
    (("g",), [1.0, 1.00000000001], ["g:", "distinct"]),
    (("sigma_b",), [-0.1], ["sigma_b[0] = -0.1: must be a number in [0, 4]"]),
    (("N",), [0], ["N[0] = 0: must be an integer in [2, 20000]"]),
    (("N",), [100.5], ["N[0] = 100.5: must be an integer in [2, 20000]"]),
    (("N",), [10, 10], ["N = [10, 10]", "repeated"]),
    (("seeds",), 0, ["seeds = 0: must be an integer in [1, 10000]"]),
    (("seeds",), DELETE, ["seeds: missing; give an integer in [1, 10000]"]),
    (("model",), ["lif"], ["model[0] = 'lif': must be one of rate, map"]),
    (("unknown_key",), 1, ["unknown_key: unknown key (allowed: model, g, sigma_b"]),
    (("seed",), 3, ["seed: unknown key (did you mean `seeds`?)"]),
    (("simulate", "dt"), 0.0, ["simulate.dt = 0.0: must be a number in (0, 1]"]),
    (("simulate", "dt"), 1.5, ["simulate.dt = 1.5: must be a number in (0, 1]"]),
    (("simulate", "n_blocks"), 1, ["simulate.n_blocks = 1: must be an integer in [2, 1000]"]),
    (("simulate", "tau_max"), 100, ["simulate.tau_max", "t_sim / n_blocks"]),
    (("simulate", "sample_dt"), 0.15, ["simulate.sample_dt", "multiple of the step"]),
    (("simulate", "n_units_stored"), 500, ["simulate.n_units_stored", "min(N) = 100"]),
    (("simulate", "method"), "rk2", ["simulate.method = 'rk2': must be one of euler, rk4"]),
    (("simulate", "t_sim"), -5, ["simulate.t_sim = -5: must be a number in (0, 1000000]"]),
    (("lyapunov", "k"), 1000, ["lyapunov.k", "[1, min(N) = 100]"]),
    (("lyapunov", "k"), 0, ["lyapunov.k = 0: must be an integer in [1, 20000] or one of all"]),
    (("lyapunov", "k"), "most", ["lyapunov.k = 'most': must be an integer in [1, 20000] or one of all"]),
    (("lyapunov", "t_ons"), 0.05, ["lyapunov.t_ons", ">= lyapunov.dt"]),
    (("lyapunov", "t_ons"), 1.5, ["lyapunov.t_ons = 1.5 must be a whole multiple of the map's step = 1"]),
    (("lyapunov", "dtype"), "float16", ["lyapunov.dtype = 'float16': must be one of float64, float32"]),
    (("lyapunov", "t_sim"), 5, ["lyapunov.t_sim", "n_batches * t_ons"]),
    (("lyapunov", "tyop"), 3, ["lyapunov.tyop: unknown key (did you mean `dtype`?)"]),
    (("lyapunov", "t_on"), 3, ["lyapunov.t_on: unknown key (did you mean `t_ons`?)"]),
    (("lyapunov", "backend"), "torch", ["lyapunov.backend = 'torch': must be one of numpy, cupy, auto"]),
    (("lyapunov", "backend"), "CuPy", ["lyapunov.backend = 'CuPy'", "one of"]),
    (("lyapunov", "gpu_from_N"), 1, ["lyapunov.gpu_from_N = 1: must be an integer in [2, 20000]"]),
    (("lyapunov", "gpu_from_N"), 2000.5, ["lyapunov.gpu_from_N = 2000.5: must be an integer"]),
    (("fixed_points", "tol"), 1e-3, ["fixed_points.tol = 0.001: must be a number in (0, 1e-06]"]),
    (("fixed_points", "n_init"), 0, ["fixed_points.n_init = 0", "[1, 100000]"]),
    (("fixed_points", "n_paths"), -1, ["fixed_points.n_paths = -1", "[0, 1000]"]),
    (("fixed_points", "path_solves"), 0, ["fixed_points.path_solves = 0", "[1, 10000000]"]),
    (("dmft", "n_tau"), 1, ["dmft.n_tau = 1", "[2, 100000]"]),
    (("figures",), ["phase_diagrams"], ["figures[0] = 'phase_diagrams': must be one of phase_diagram"]),
    (("g",), [7.0], ["g[0] = 7.0", "[0, 6]"]),
    (("trained", "enabled"), "yes", ["trained.enabled = 'yes': must be true or false"]),
    (("trained", "N"), 1, ["trained.N = 1", "[2, 5000]"]),
    (("trained", "dt"), 20.0, ["trained.dt", "trained.tau = 10.0"], {"enabled": True}),
    (("trained", "min_interval"), 5.0, ["pulse_width (10.0) <= min_interval (5.0)"], {"enabled": True}),
    (("external", "path"), "", ["external.path must name"], {"enabled": True}),
    (("external", "name"), "a/b", ["external.name = 'a/b': must be a string matching ^[A-Za-z0-9_]+$"]),
    (("paper", "t_ons"), [0.05, 0.5], ["paper.t_ons", "no interval usable by the map model"]),
    # values the stages would round to their step grid (item 11 of issue 16), with the nearest allowed values
    (("lyapunov", "t_ons"), 0.25, ["lyapunov.t_ons = 0.25", "multiple of lyapunov.dt = 0.1", "0.2, 0.3"]),
    (("simulate", "tau_max"), 2.5, ["simulate.tau_max = 2.5", "multiple of simulate.sample_dt = 1", "2, 3"]),
    (("simulate", "t_sim"), 400.55, ["simulate.t_sim = 400.55", "sample_dt = 1", "400, 401"]),
    (("simulate", "t_transient"), 100.05, ["simulate.t_transient = 100.05", "simulate.dt = 0.1", "100, 100.1"]),
    (("lyapunov", "t_transient"), 0.5, ["lyapunov.t_transient = 0.5", "the map's step = 1", "0, 1"]),
    (("lyapunov", "t_sim"), 400.5, ["lyapunov.t_sim = 400.5", "multiple of lyapunov.t_ons = 1", "400, 401"]),
    (("lyapunov", "t_transient_tangent"), 2.5, ["lyapunov.t_transient_tangent = 2.5", "lyapunov.t_ons = 1"]),
    (("dmft", "tau_max"), 20.5, ["dmft.tau_max = 20.5", "the map's step = 1", "20, 21"]),
    (("trained", "analysis"), {"t_ons": 0.25}, ["trained.analysis.t_ons = 0.25", "trained.dt / trained.tau = 0.1",
                                                "0.2, 0.3"], {"enabled": True}),
]
def test_default_config_is_valid():
    config = parse(DEFAULT)
    assert config["lyapunov"]["k"] <= min(config["N"])


def test_defaults_are_filled_in():
    config = copy.deepcopy(DEFAULT)
    del config["lyapunov"], config["figures"]
    config = parse(config)
    assert config["lyapunov"]["t_ons"] == 1.0 and "phase_diagram" in config["figures"]


@pytest.mark.parametrize("case", BAD, ids=[".".join(b[0]) + "=" + repr(b[1]) for b in BAD])
def test_bad_config_fails_naming_key_and_range(case):
    path, value, needles, *updates = case
    config = mutate(path, value)
    if updates:
        config[path[0]].update(updates[0])
    with pytest.raises(ConfigError) as info:
        parse(config)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message  # one line per problem
    for needle in needles:
        assert needle in message, message


def test_value_formatting_is_canonical():
    assert format_value(1) == format_value(1.0) == format_value(1.00) == "1"
    assert format_value(0.5) == "0.5" and format_value(2.25) == "2.25" and format_value(1e-3) == "0.001"
    with pytest.raises(ConfigError):
        format_value(float("nan"))


def test_qr_intervals_keep_what_each_model_can_use():
    assert qr_intervals([0.2, 0.5, 1.0, 2.0, 5.0], "map", 0.1) == [1.0, 2.0, 5.0]
    assert qr_intervals([0.05, 0.2, 1.0], "rate", 0.1) == [0.2, 1.0]


def test_exponent_count():
    assert exponent_count("all", 50) == 50 and exponent_count(20, 50) == 20 and exponent_count(80, 50) == 50


def test_lyapunov_backend_defaults_to_numpy_and_auto_switches_at_gpu_from_N():
    config = parse(DEFAULT)
    assert config["lyapunov"]["backend"] == "numpy" and config["lyapunov"]["gpu_from_N"] == 2000
    assert lyapunov_backend("numpy", 10**4, 100) == "numpy" and lyapunov_backend("cupy", 10, 100) == "cupy"
    assert lyapunov_backend("auto", 99, 100) == "numpy" and lyapunov_backend("auto", 100, 100) == "cupy"
    with pytest.raises(ConfigError, match="lyapunov.backend"):
        lyapunov_backend("gpu", 10, 100)
