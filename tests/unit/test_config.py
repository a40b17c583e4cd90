"""Bad configurations fail at parse time with a message naming the key and the allowed range."""

import copy

import pytest
import yaml
from snakemake.utils import validate

from rnnchaos.config import (
    ConfigError,
    check_config,
    exponent_count,
    format_value,
    lyapunov_backend,
    qr_intervals,
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
    (("g",), [-1.0], ["'g'", "minimum of 0"]),
    (("g",), [], ["'g'", "non-empty"]),
    (("g",), [1.0, 1.0], ["'g'", "non-unique"]),
    (("g",), ["two"], ["'g'", "not of type 'number'"]),
    (("g",), 2.0, ["'g'", "not of type 'array'"]),
    (("g",), [1.0, 1.00000000001], ["g:", "distinct"]),
    (("sigma_b",), [-0.1], ["'sigma_b'", "minimum of 0"]),
    (("N",), [0], ["'N'", "minimum of 2"]),
    (("N",), [100.5], ["'N'", "not of type 'integer'"]),
    (("N",), [10, 10], ["'N'", "non-unique"]),
    (("seeds",), 0, ["'seeds'", "minimum of 1"]),
    (("seeds",), DELETE, ["'seeds' is a required property"]),
    (("model",), ["lif"], ["'model'", "is not one of ['rate', 'map']"]),
    (("unknown_key",), 1, ["unknown_key", "Additional properties"]),
    (("simulate", "dt"), 0.0, ["'dt'", "less than or equal to the minimum of 0"]),
    (("simulate", "dt"), 1.5, ["'dt'", "maximum of 1"]),
    (("simulate", "n_blocks"), 1, ["'n_blocks'", "minimum of 2"]),
    (("simulate", "tau_max"), 100, ["simulate.tau_max", "t_sim / n_blocks"]),
    (("simulate", "sample_dt"), 0.15, ["simulate.sample_dt", "multiple of the step"]),
    (("simulate", "n_units_stored"), 500, ["simulate.n_units_stored", "min(N) = 100"]),
    (("simulate", "method"), "rk2", ["'method'", "is not one of"]),
    (("simulate", "t_sim"), -5, ["'t_sim'", "minimum of 0"]),
    (("lyapunov", "k"), 1000, ["lyapunov.k", "[1, min(N) = 100]"]),
    (("lyapunov", "k"), 0, ["'k'", "is not valid under any of the given schemas"]),
    (("lyapunov", "k"), "most", ["'k'", "is not valid under any of the given schemas"]),
    (("lyapunov", "t_ons"), 0.05, ["lyapunov.t_ons", ">= lyapunov.dt"]),
    (("lyapunov", "t_ons"), 1.5, ["lyapunov.t_ons", "whole number of steps"]),
    (("lyapunov", "dtype"), "float16", ["'dtype'", "is not one of"]),
    (("lyapunov", "t_sim"), 5, ["lyapunov.t_sim", "n_batches * t_ons"]),
    (("lyapunov", "tyop"), 3, ["tyop", "Additional properties"]),
    (("lyapunov", "backend"), "torch", ["'backend'", "is not one of ['numpy', 'cupy', 'auto']"]),
    (("lyapunov", "backend"), "CuPy", ["'backend'", "is not one of"]),
    (("lyapunov", "gpu_from_N"), 1, ["'gpu_from_N'", "minimum of 2"]),
    (("lyapunov", "gpu_from_N"), 2000.5, ["'gpu_from_N'", "not of type 'integer'"]),
    (("fixed_points", "tol"), 1e-3, ["'tol'", "maximum of 1e-06"]),
    (("fixed_points", "n_init"), 0, ["'n_init'", "minimum of 1"]),
    (("fixed_points", "n_paths"), -1, ["'n_paths'", "minimum of 0"]),
    (("fixed_points", "path_solves"), 0, ["'path_solves'", "minimum of 1"]),
    (("dmft", "n_tau"), 1, ["'n_tau'", "minimum of 2"]),
    (("figures",), ["phase_diagrams"], ["'figures'", "is not one of"]),
    (("g",), [7.0], ["'g'", "maximum of 6"]),
    (("trained", "enabled"), "yes", ["'enabled'", "not of type 'boolean'"]),
    (("trained", "N"), 1, ["'N'", "minimum of 2"]),
    (("trained", "dt"), 20.0, ["trained.dt", "trained.tau = 10.0"], {"enabled": True}),
    (("trained", "min_interval"), 5.0, ["pulse_width (10.0) <= min_interval (5.0)"], {"enabled": True}),
    (("external", "path"), "", ["external.path must name"], {"enabled": True}),
    (("external", "name"), "a/b", ["'name'", "does not match"]),
    (("paper", "t_ons"), [0.05, 0.5], ["paper.t_ons", "no interval usable by the map model"]),
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
    with pytest.raises((ConfigError, Exception)) as info:
        parse(config)
    message = str(info.value)
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
