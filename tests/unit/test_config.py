"""Bad configurations fail at parse time with a message naming the key and the allowed range."""

import copy
import math
import re

import pytest
import yaml

from rnnchaos import resources
from rnnchaos.config import ConfigError, check_config, exponent_count, lyapunov_backend
from rnnchaos.config_schema import check_config_files, load_schema, load_yaml, validate
from rnnchaos.grid import format_value, qr_intervals

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
    (("lyapunov", "coupling_dtype"), "half", ["lyapunov.coupling_dtype = 'half': must be one of float64, float32"]),
    (("lyapunov", "coupling_dtype"), "float32", ["lyapunov.coupling_dtype = 'float32' needs lyapunov.dtype: float32"]),
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
    (("lyapunov", "t_sim"), 400.5, ["lyapunov.t_sim = 400.5", "multiple of lyapunov.t_ons = 1", "400, 401"],
     {"t_ons": 1.0}),
    (("lyapunov", "t_transient_tangent"), 2.5, ["lyapunov.t_transient_tangent = 2.5", "lyapunov.t_ons = 1"],
     {"t_ons": 1.0}),
    (("lyapunov", "t_sim"), 400.05, ["lyapunov.t_sim = 400.05", "multiple of lyapunov.dt = 0.1", "400, 400.1"],
     {"t_ons": "auto"}),
    (("dmft", "tau_max"), 20.5, ["dmft.tau_max = 20.5", "the map's step = 1", "20, 21"]),
    (("trained", "analysis"), {"t_ons": 0.25}, ["trained.analysis.t_ons = 0.25", "trained.dt / trained.tau = 0.1",
                                                "0.2, 0.3"], {"enabled": True}),
    # per-stage sizes and seeds (issue 15, item 1)
    (("simulate", "N"), [300], ["simulate.N = [300]: [300] not in the grid's N = [100, 200]"]),
    (("fixed_points", "N"), [100, 400], ["fixed_points.N = [100, 400]: [400] not in the grid's N"]),
    (("lyapunov", "seeds"), 5, ["lyapunov.seeds = 5 must be in [1, seeds = 2]"]),
    (("lyapunov", "seeds"), 0, ["lyapunov.seeds = 0: must be null or an integer in [1, 10000]"]),
    (("simulate", "N"), [], ["simulate.N = []: must be null or a non-empty list"]),
    (("lyapunov", "N"), [1.5], ["lyapunov.N = [1.5]: must be null or a non-empty list"]),
    (("figures",), ["finite_size"], ["figures: finite_size needs at least 3 sizes in N, got [100, 200]"]),
    (("finite_size", "attractor"), "most", ["finite_size.attractor = 'most': must be one of chaotic, all"]),
    (("nonlinearity",), "relu", ["nonlinearity must be one of ['erf', 'logistic', 'tanh'], got 'relu'"]),
    (("nonlinearity",), 3, ["nonlinearity = 3: must be"]),
    # the noise axis (issue 18, item 1)
    (("sigma_xi",), [-0.5], ["sigma_xi[0] = -0.5: must be a number in [0, 4]"]),
    (("sigma_xi",), [0.0, 0.0], ["sigma_xi = [0.0, 0.0]", "repeated"]),
    (("sigma_xi",), [0.0, 0.3, 0.30000000001], ["sigma_xi:", "distinct"]),
    (("sigma_xi",), 0.3, ["sigma_xi = 0.3: must be a non-empty list"]),
]
def test_default_config_is_valid():
    config = parse(DEFAULT)
    assert config["lyapunov"]["k"] <= min(config["N"])


def test_defaults_are_filled_in():
    config = copy.deepcopy(DEFAULT)
    del config["lyapunov"], config["figures"]
    config = parse(config)
    assert config["lyapunov"]["t_ons"] == "auto" and "phase_diagram" in config["figures"]


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


# --- NaN and +-inf (issue 16, item 9) -------------------------------------------------------------------------
def _numeric_keys(node, path=()):
    """Key paths of every number in a config (lists: their first element)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numeric_keys(value, (*path, key))
    elif isinstance(node, list) and node:
        yield from _numeric_keys(node[0], (*path, 0))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path


NUMERIC_KEYS = list(_numeric_keys(parse(DEFAULT)))


@pytest.mark.parametrize("bad", [math.nan])
@pytest.mark.parametrize("path", NUMERIC_KEYS, ids=[".".join(map(str, p)) for p in NUMERIC_KEYS])
def test_non_finite_value_fails_naming_its_key(path, bad):
    config = parse(DEFAULT)
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    name = re.sub(r"\.(\d+)", r"[\1]", ".".join(map(str, path)))
    with pytest.raises(ConfigError, match=r"^" + re.escape(f"{name}: must be a finite number, got {bad}") + "$"):
        parse(config)


def test_non_finite_values_are_all_named_before_any_cross_key_check():
    config = mutate(("lyapunov", "dt"), math.nan)
    config["simulate"]["t_sim"] = math.inf
    config["g"] = [1.0, math.nan]
    config["trained"]["analysis"]["tol"] = -math.inf
    with pytest.raises(ConfigError) as info:
        parse(config)
    assert str(info.value).splitlines() == ["g[1]: must be a finite number, got nan",
                                            "simulate.t_sim: must be a finite number, got inf",
                                            "lyapunov.dt: must be a finite number, got nan",
                                            "trained.analysis.tol: must be a finite number, got -inf"]
    with pytest.raises(ConfigError, match="g must be a finite number, got nan"):
        format_value(math.nan, "g")


# --- times on the step grid (items 10, 11) ----------------------------------------------------------------------
def test_whole_multiples_pass_despite_float_division():
    config = mutate(("lyapunov", "t_ons"), 0.3)  # 0.3 / 0.1 = 2.9999999999999996
    config["model"] = ["rate"]
    config["lyapunov"]["t_sim"], config["lyapunov"]["t_transient_tangent"] = 300.0, 0.9
    parse(config)


def test_paper_study_intervals_must_be_on_the_step_grid_when_their_figure_is_drawn():
    config = mutate(("paper", "t_ons"), [0.25, 1.0])
    parse(config)  # qr_convergence not drawn: the study does not run
    config["figures"] = ["qr_convergence"]
    with pytest.raises(ConfigError, match=r"paper.t_ons value = 0.25 must be a whole multiple of lyapunov.dt = 0.1"):
        parse(config)
    config = mutate(("paper", "t_ons"), [3.0])  # the map uses it; 400 / 3 and 20 / 3 are not whole
    config["figures"] = ["qr_convergence"]
    with pytest.raises(ConfigError, match=r"lyapunov.t_sim = 400 must be a whole multiple of the paper.t_ons value = 3"
                                          r" \(it would be rounded\); nearest allowed values: 399, 402"):
        parse(config)
    config = mutate(("paper", "spectra_t_sim"), 200.5)
    config["lyapunov"]["t_ons"] = 1.0
    parse(config)
    config["figures"] = ["spectra_collapse"]
    with pytest.raises(ConfigError, match="paper.spectra_t_sim = 200.5 must be a whole multiple of lyapunov.t_ons"):
        parse(config)


def test_lyapunov_t_ons_that_is_not_a_number_skips_the_t_ons_grid_checks():
    """Another setting (e.g. a t_ons chosen per job) is left to its own checks."""
    from rnnchaos.config import check_steps

    config = parse(DEFAULT)
    config["lyapunov"]["t_ons"] = "auto"
    check_steps(config)


# --- YAML files (item 12) -----------------------------------------------------------------------------------------
def test_yaml_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("g: [1.0, 2.0]\nN: [20\nseeds: 1\n")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(bad))}, line 3, column \d+: YAML syntax error"):
        load_yaml(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(empty))} is empty"):
        load_yaml(empty)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="top level must be a mapping of keys .*got a list"):
        load_yaml(listed)


def test_duplicate_keys_are_rejected_at_every_depth(tmp_path):
    top = tmp_path / "top.yaml"
    top.write_text("g: [1.0]\nN: [20]\ng: [2.0]\n")
    message = rf"^{re.escape(str(top))}, line 3: duplicate key `g` \(first given on line 1\)"
    with pytest.raises(ConfigError, match=message):
        check_config_files([tmp_path / "missing.yaml", top])
    nested = tmp_path / "nested.yaml"
    nested.write_text("lyapunov:\n  k: 5\n  dt: 0.1\n  k: 6\n")
    with pytest.raises(ConfigError, match=r"line 4: duplicate key `k`"):
        load_yaml(nested)
    assert load_yaml(ROOT / "config.yaml") == DEFAULT
    check_config_files([ROOT / "config.yaml", ROOT / "config/paper.yaml"])


# --- schema and config.yaml agree (item 8) -----------------------------------------------------------------------
def _schema_leaves(schema, path=()):
    """(key path, subschema) of every key of the schema."""
    for key, sub in schema.get("properties", {}).items():
        yield (*path, key), sub
        if sub.get("type") == "object":
            yield from _schema_leaves(sub, (*path, key))


LEAVES = list(_schema_leaves(load_schema(SCHEMA)))


def test_every_schema_key_is_in_config_yaml_with_the_schema_default():
    for path, sub in LEAVES:
        node = DEFAULT
        for key in path:
            assert key in node, f"{'.'.join(path)} is missing from config.yaml"
            node = node[key]
        if "default" in sub and sub.get("type") != "object":
            assert node == sub["default"], f"{'.'.join(path)}: config.yaml {node!r}, schema default {sub['default']!r}"


RANGE = re.compile(r"([\[(])\s*(-?[0-9.e+]+)\s*,\s*(-?[0-9.e+]+)\s*([\])])")


def _bounds(sub):
    """The numeric (lower, upper) bounds, with their brackets, of a key's (or its items') schema."""
    sub = sub.get("items", sub)
    if "oneOf" in sub:
        sub = next(s for s in sub["oneOf"] if s.get("type") in ("integer", "number"))
    lo = ("(", sub["exclusiveMinimum"]) if "exclusiveMinimum" in sub else ("[", sub.get("minimum"))
    hi = (")", sub["exclusiveMaximum"]) if "exclusiveMaximum" in sub else ("]", sub.get("maximum"))
    return lo, hi


def test_every_stated_range_matches_the_schema_bounds():
    checked = 0
    for path, sub in LEAVES:
        for match in RANGE.finditer(sub.get("description", "")):
            (lo_b, lo), (hi_b, hi) = _bounds(sub)
            assert (match[1], float(match[2]), float(match[3]), match[4]) == (lo_b, lo, hi, hi_b), (
                f"{'.'.join(path)}: description says {match[0]}, schema bounds {lo_b}{lo}, {hi}{hi_b}")
            checked += 1
    assert checked > 40


def test_range_check_catches_a_drifted_description():
    sub = {"description": "gains; each in [0, 100]", "items": {"type": "number", "minimum": 0, "maximum": 6}}
    (_, lo), (_, hi) = _bounds(sub)
    match = RANGE.search(sub["description"])
    assert (float(match[2]), float(match[3])) != (lo, hi)


# --- planned memory and core-hours (item 13) -----------------------------------------------------------------------
def test_plan_of_the_default_config_counts_every_job_once():
    config = parse(DEFAULT)
    plan = resources.plan_run(config)
    n_points = len(config["model"]) * len(config["g"]) * len(config["sigma_b"]) * len(config["N"]) * config["seeds"]
    assert len(plan.jobs) == len(config["N"]) * config["seeds"] + 3 * n_points
    assert plan.core_hours == pytest.approx(sum(j.cpu_seconds for j in plan.jobs) / 3600)
    assert plan.largest.N == max(config["N"]) and plan.largest.mem_mb < 2000
    assert "core-hours" in plan.summary()


def test_lyapunov_memory_follows_the_closed_form():
    settings = {"k": 20000}
    assert resources.array_bytes("lyapunov", 20000, settings) == 8 * (4 * 20000**2 + 6 * 20000 * 20001)
    expected = int(500 + 1.5 * 8 * (4 * 20000**2 + 6 * 20000 * 20001) / 1e6)
    assert resources.mem_mb("lyapunov", 20000, settings) == expected


def test_lyapunov_time_is_bound_by_streaming_J_at_small_k():
    """Few exponents: each step reads J once (8 or 4 bytes per entry at MEMORY_BANDWIDTH), more than its flops."""
    s = {"k": 1, "dt": 0.1, "method": "euler", "t_transient": 0.0, "t_transient_tangent": 0.0, "t_sim": 100.0,
         "t_ons": "auto", "dtype": "float64"}
    n_qr_s = 100 * 4 * 16000 / resources.GEMM_FLOPS
    stream = 1000 * (8 * 16000**2 / resources.MEMORY_BANDWIDTH + resources.STEP_OVERHEAD_S)
    assert resources.cpu_seconds("lyapunov", 16000, "rate", s) == pytest.approx(stream + n_qr_s)
    f32 = {**s, "dtype": "float32", "coupling_dtype": "float32"}
    assert resources.cpu_seconds("lyapunov", 16000, "rate", f32) == pytest.approx(stream / 2 + n_qr_s, rel=1e-3)
    big_k = {**s, "k": 400}  # many exponents: flop-bound, as before
    flops = 1000 * (2 * 400**2 * 401 / resources.GEMM_FLOPS + resources.STEP_OVERHEAD_S)
    assert resources.cpu_seconds("lyapunov", 400, "rate", big_k) == pytest.approx(
        flops + 100 * 4 * 400 * 400**2 / resources.GEMM_FLOPS)


def test_local_run_too_large_for_the_machine_is_refused_naming_N_and_k():
    config = mutate(("N",), [20000])
    config["lyapunov"]["k"] = "all"
    plan = resources.plan_run(parse(config))
    lyap = max((j for j in plan.jobs if j.stage == "lyapunov"), key=lambda j: j.mem_mb)
    assert (lyap.N, lyap.k) == (20000, 20000) and 48e3 < lyap.mem_mb < 49e3  # the 48 GB
    big = plan.largest  # the fixed-point search's Jacobians need as much, whatever k
    assert big.N == 20000 and 48e3 < big.mem_mb < 49e3
    with pytest.raises(ConfigError, match=r"\(fixed_points, N = 20000\) plans 48.\d GB of memory, more than this "
                                          r"machine's 25.8 GB: lower N, or run it on a cluster"):
        resources.check_local_memory(plan, 24 * 2**30)
    with pytest.raises(ConfigError, match=r"\(lyapunov, N = 20000 and lyapunov.k = 20000\) plans 48.\d GB"):
        resources.check_local_memory(resources.RunPlan((lyap,)), 24 * 2**30)
    resources.check_local_memory(plan, 64 * 2**30)
    assert resources.machine_memory_bytes() > 2**30


# --- per-stage sizes and seeds (issue 15, item 1) ----------------------------------------------------------------
def _grid(**sections):
    config = mutate(("N",), [100, 200, 400])
    config["seeds"] = 3
    for stage, keys in sections.items():
        config[stage].update(keys)
    return config


def test_stage_sizes_and_seeds_default_to_the_grid_and_take_subsets_in_grid_order():
    from rnnchaos.grid import stage_seeds, stage_settings, stage_sizes

    config = parse(_grid(lyapunov={"N": [400, 100], "seeds": 2}))
    assert stage_sizes(config, "lyapunov") == [100, 400] and stage_seeds(config, "lyapunov") == 2
    assert stage_sizes(config, "simulate") == [100, 200, 400] and stage_seeds(config, "simulate") == 3
    assert "N" not in stage_settings(config, "lyapunov") and "seeds" not in stage_settings(config, "simulate")


def test_fixed_points_must_lie_within_the_simulated_points():
    with pytest.raises(ConfigError, match=r"fixed_points.N = \[100, 200\] must be within simulate.N = \[200, 400\]"):
        parse(_grid(simulate={"N": [200, 400]}, fixed_points={"N": [100, 200]}))
    with pytest.raises(ConfigError, match=r"fixed_points.seeds = 3 must be in \[1, simulate.seeds = 2\]"):
        parse(_grid(simulate={"seeds": 2}))
    parse(_grid(simulate={"N": [200, 400]}, fixed_points={"N": [200], "seeds": 1}))


def test_finite_size_figure_needs_three_sizes_in_the_stage_that_has_fewer():
    parse({**_grid(), "figures": ["finite_size"]})
    with pytest.raises(ConfigError, match=r"finite_size needs at least 3 sizes in lyapunov.N, got \[100, 400\]"):
        parse({**_grid(lyapunov={"N": [100, 400]}), "figures": ["finite_size"]})


def test_size_bounds_use_the_stage_own_sizes():
    """k <= min(N) and n_units_stored <= min(N) of the stage that uses them: a large-N-only Lyapunov stage takes
    k = 150 although the grid has N = 100."""
    parse(_grid(lyapunov={"N": [200, 400], "k": 150}))
    with pytest.raises(ConfigError, match=r"lyapunov.k = 150 must be in \[1, min\(N\) = 100\]"):
        parse(_grid(lyapunov={"k": 150}))
    parse(_grid(simulate={"N": [200, 400], "n_units_stored": 150}, fixed_points={"N": [200]}))
    with pytest.raises(ConfigError, match=r"simulate.n_units_stored = 250 must be in \[0, min\(N\) = 200\]"):
        parse(_grid(simulate={"N": [200, 400], "n_units_stored": 250}, fixed_points={"N": [200]}))


def test_plan_counts_only_each_stage_own_points():
    config = parse(_grid(fixed_points={"N": [100], "seeds": 1}, lyapunov={"N": [200, 400]}))
    plan = resources.plan_run(config)
    per_stage = {s: sorted({j.N for j in plan.jobs if j.stage == s}) for s in ("simulate", "lyapunov", "fixed_points")}
    assert per_stage == {"simulate": [100, 200, 400], "lyapunov": [200, 400], "fixed_points": [100]}
    points = len(config["model"]) * len(config["g"]) * len(config["sigma_b"])
    assert sum(j.stage == "fixed_points" for j in plan.jobs) == points * 1 * 1
    assert sum(j.stage == "lyapunov" for j in plan.jobs) == points * 2 * 3
    assert sum(j.stage == "network" for j in plan.jobs) == 3 * 3


def test_nonlinearity_defaults_to_tanh_and_moves_other_results_aside():
    """tanh keeps the plain results/ tree; any other phi gets results/phi~<name>/; the GPU backend is tanh-only."""
    from rnnchaos.grid import results_root

    config = copy.deepcopy(DEFAULT)
    del config["nonlinearity"]
    assert parse(config)["nonlinearity"] == "tanh"
    assert results_root("tanh") == "results" and results_root("erf") == "results/phi~erf"
    assert parse(mutate(("nonlinearity",), "logistic"))["nonlinearity"] == "logistic"
    config = mutate(("nonlinearity",), "erf")
    config["lyapunov"]["backend"] = "auto"
    with pytest.raises(ConfigError, match="lyapunov.backend = auto runs tanh networks only"):
        parse(config)


# --- the noise axis sigma_xi (issue 18, item 1) --------------------------------------------------------------
def test_sigma_xi_defaults_to_noise_free():
    config = copy.deepcopy(DEFAULT)
    del config["sigma_xi"]
    assert parse(config)["sigma_xi"] == [0.0]


@pytest.mark.parametrize("stage", ["simulate", "lyapunov"])
def test_rk4_with_noise_fails_naming_the_key(stage):
    config = mutate(("sigma_xi",), [0.0, 0.5])
    config[stage]["method"] = "rk4"
    with pytest.raises(ConfigError, match=rf"^{stage}\.method = rk4 cannot integrate the noise sigma_xi = \[0\.5\]"):
        parse(config)
    parse(mutate(("sigma_xi",), [0.0]) | {stage: {**DEFAULT[stage], "method": "rk4"}})  # rk4 without noise: fine
    parse(config | {"model": ["map"]})  # the map has no integrator


@pytest.mark.parametrize("bad", [math.nan, -0.1, math.inf, "x"])
def test_bad_sigma_xi_fails_in_the_cross_key_check_too(bad):
    config = parse(DEFAULT)
    config["sigma_xi"] = [0.0, bad]
    with pytest.raises(ConfigError, match=r"^sigma_xi: each value must be a finite number >= 0"):
        check_config(config)


def test_noise_beyond_the_theory_range_fails_naming_sigma_xi():
    config = mutate(("sigma_xi",), [0.0, 4.0])
    with pytest.raises(ConfigError, match=r"^sigma_xi = 4 with sigma_b = 1: sigma_b\^2 \+ sigma_xi\^2 must be <= 16"):
        parse(config)


def test_noise_free_figures_need_a_noise_free_point():
    config = mutate(("sigma_xi",), [0.3, 1.0])
    with pytest.raises(ConfigError, match=r"^figures \['phase_diagram', .*drawn from the noise-free networks"):
        parse(config)
    parse(config | {"figures": ["noise_suppression"]})


def test_plan_counts_every_noise_amplitude():
    one = resources.plan_run(parse(DEFAULT))
    two = resources.plan_run(parse(mutate(("sigma_xi",), [0.0, 0.5])))
    per_stage = {s: sum(j.stage == s for j in one.jobs) for s in ("network", "simulate", "lyapunov")}
    assert sum(j.stage == "network" for j in two.jobs) == per_stage["network"]
    for stage in ("simulate", "lyapunov"):
        assert sum(j.stage == stage for j in two.jobs) == 2 * per_stage[stage]


def _overlaid(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``, nested mappings merged (as Snakemake merges --configfile files)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _overlaid(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.mark.parametrize("overlay", sorted(p.name for p in (ROOT / "config").glob("*.yaml")))
def test_every_overlay_parses_on_top_of_the_default_config(overlay):
    """Each config/*.yaml, as its header says to use it (on top of config.yaml), passes the schema and the checks:
    a study's overlay never fails at parse time after a change to the keys."""
    config = _overlaid(load_yaml(ROOT / "config.yaml"), load_yaml(ROOT / "config" / overlay))
    check_config(validate(config, SCHEMA))


def test_threshold_overlay_shares_the_paper_studys_files():
    """config/finite_size_threshold.yaml adds networks to one point of config/finite_size_paper.yaml: its stage
    settings, sizes and simulated seeds must equal the paper study's, or its first networks would be recomputed
    (and the paper study's files replaced) with other settings."""
    base = load_yaml(ROOT / "config.yaml")
    paper = _overlaid(base, load_yaml(ROOT / "config" / "finite_size_paper.yaml"))
    threshold = _overlaid(base, load_yaml(ROOT / "config" / "finite_size_threshold.yaml"))
    for key in ("N", "simulate", "lyapunov", "fixed_points"):
        assert threshold[key] == paper[key], key
    assert set(threshold["model"]) <= set(paper["model"]) and set(threshold["g"]) <= set(paper["g"])
    assert set(threshold["sigma_b"]) <= set(paper["sigma_b"]) and threshold["seeds"] > paper["seeds"]
