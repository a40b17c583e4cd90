"""Loading and checking a pipeline configuration: YAML files, the JSON schema, and what a schema cannot express.

:func:`load_yaml` reads a config file and names the file and line of a syntax error, an empty file or a duplicate
key; :func:`validate` checks a config against ``workflow/schemas/config.schema.yaml`` (types, ranges, unknown
keys, defaults filled in) and first rejects NaN and +-inf anywhere; :func:`check_config` adds the cross-key
constraints (``k <= min(N)``, ``tau_max < t_sim / n_blocks``, times on the step grid, ...). All run when the
Snakefile is parsed, before any job, and every message names the key and its allowed range or values.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from rnnchaos import nonlinearity as nl
from rnnchaos.figures import FIGURES, default_figures
from rnnchaos.grid import (
    FINITE_SIZE_MIN_SIZES,
    GRID_STAGES,
    ConfigError,
    format_value,
    qr_intervals,
    stage_seeds,
    stage_sizes,
)
from rnnchaos.lyapunov_schedule import max_fixed_t_ons
from rnnchaos.trained_rnn_config import check_trained_rnn


# --- YAML files ------------------------------------------------------------------------------------------------
class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice in one mapping (PyYAML and Snakemake keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConfigError(f"{self.name}, line {key_node.start_mark.line + 1}: duplicate key `{key}` (first "
                                  f"given on line {seen[key]}); give each key once")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path) -> dict:
    """The mapping in the YAML (or JSON) config file ``path``; :class:`ConfigError` naming the file and line for a
    syntax error or a duplicate key, and the file for an empty file or a top level that is not a mapping."""
    text = Path(path).read_text(encoding="utf-8")
    loader = _UniqueKeyLoader(text)
    loader.name = str(path)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: YAML syntax error: {e.problem or e.context}") from None
    finally:
        loader.dispose()
    if data is None:
        raise ConfigError(f"{path} is empty: a config file holds a mapping of keys (see config.yaml)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys (see config.yaml), got a "
                          f"{type(data).__name__}")
    return data


def check_config_files(paths) -> None:
    """Load every existing file of ``paths`` with :func:`load_yaml` (syntax, empty file, duplicate keys)."""
    for path in paths:
        if Path(path).is_file():
            load_yaml(path)


# --- the schema ---------------------------------------------------------------------------------------------------
def load_schema(path: str | Path) -> dict:
    """The config schema with its local ``$ref``s replaced by the definitions they name."""
    schema = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    def deref(node):
        if isinstance(node, dict):
            if "$ref" in node:
                target = schema
                for part in node["$ref"].removeprefix("#/").split("/"):
                    target = target[part]
                node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return {k: deref(v) for k, v in node.items()}
        return [deref(v) for v in node] if isinstance(node, list) else node

    return {k: deref(v) for k, v in schema.items() if k != "definitions"}


def key_path(path) -> str:
    """``("simulate", "t_sim")`` -> ``simulate.t_sim``; ``("g", 1)`` -> ``g[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def non_finite(config, path=()) -> Iterator[tuple[str, float]]:
    """(key path, value) of every NaN or +-inf number in a nested config."""
    if isinstance(config, Mapping):
        for key, value in config.items():
            yield from non_finite(value, (*path, key))
    elif isinstance(config, list):
        for i, value in enumerate(config):
            yield from non_finite(value, (*path, i))
    elif isinstance(config, float) and not math.isfinite(config):
        yield key_path(path), config


def _number(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def describe(schema: Mapping) -> str:
    """What a schema node allows, in words: ``a number in (0, 1]``, ``one of rate, map``, ``a list of ...``."""
    if "oneOf" in schema or "anyOf" in schema:
        return " or ".join(describe(s) for s in schema.get("oneOf", schema.get("anyOf")))
    if "enum" in schema:
        return "one of " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "a non-empty list of distinct values, each " + describe(schema.get("items", {}))
    if kind == "boolean":
        return "true or false"
    if kind == "null":
        return "null"
    if kind == "object":
        return "a mapping of keys"
    if kind == "string":
        return "a string" + (f" matching {schema['pattern']}" if "pattern" in schema else "")
    noun = "an integer" if kind == "integer" else "a number"
    lo = ("(", schema["exclusiveMinimum"]) if "exclusiveMinimum" in schema else ("[", schema.get("minimum"))
    hi = (")", schema["exclusiveMaximum"]) if "exclusiveMaximum" in schema else ("]", schema.get("maximum"))
    if lo[1] is not None and hi[1] is not None:
        return f"{noun} in {lo[0]}{_number(lo[1])}, {_number(hi[1])}{hi[0]}"
    if lo[1] is not None:
        return f"{noun} {'>' if lo[0] == '(' else '>='} {_number(lo[1])}"
    return noun


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _messages(error) -> list[str]:
    """One line per problem of a jsonschema ValidationError: the key path, the value and what is allowed."""
    path, kind, schema = tuple(error.absolute_path), error.validator, error.schema
    where = key_path(path)
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        lines = []
        for key in sorted(set(error.instance) - set(allowed), key=str):
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else "allowed: " + ", ".join(allowed)
            lines.append(f"{key_path((*path, key))}: unknown key ({hint})")
        return lines
    if kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return [f"{key_path((*path, k))}: missing; give {describe(schema['properties'][k])}" for k in missing]
    if kind in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "oneOf", "anyOf",
                "pattern", "minItems", "uniqueItems"):
        repeated = " (a value is repeated)" if kind == "uniqueItems" else ""
        return [f"{where} = {_shown(error.instance)}: must be {describe(schema)}{repeated}"]
    return [f"{where}: {error.message[:200]}"]


def validate(config: dict, schema_path: str | Path) -> dict:
    """Check ``config`` against the schema at ``schema_path`` and fill in its defaults (in place, as
    ``snakemake.utils.validate`` does); return it. Raises :class:`ConfigError` with one line per problem: NaN or
    +-inf anywhere (which a schema's range checks let through), then unknown, missing, mistyped or out-of-range
    keys, each naming its key path and what is allowed, and figure names the registry does not hold
    (:func:`figure_problems`)."""
    from jsonschema import Draft202012Validator, validators

    bad = [f"{key}: must be a finite number, got {value}" for key, value in non_finite(config)]
    if bad:
        raise ConfigError("\n".join(bad))
    schema = load_schema(schema_path)
    properties = Draft202012Validator.VALIDATORS["properties"]

    def fill_defaults(validator, props, instance, subschema):
        if isinstance(instance, dict):
            for key, sub in props.items():
                if "default" in sub:
                    instance.setdefault(key, copy_of(sub["default"]))
        yield from properties(validator, props, instance, subschema)

    def copy_of(value):
        return yaml.safe_load(yaml.safe_dump(value))

    Validator = validators.extend(Draft202012Validator, {"properties": fill_defaults})
    errors = sorted(Validator(schema).iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    lines = [line for error in errors for line in _messages(error)] + figure_problems(config)
    if lines:
        raise ConfigError("\n".join(dict.fromkeys(lines)))
    return config


def figure_problems(config: dict) -> list[str]:
    """The ``figures`` key against the figure registry (:data:`rnnchaos.figures.FIGURES`): one line per name it
    does not hold; the registry's default figures filled in where the key is missing."""
    names = config.setdefault("figures", default_figures())
    if not isinstance(names, list):
        return []  # the schema names the type
    return [f"figures[{i}] = {name!r}: must be one of {', '.join(FIGURES)}" for i, name in enumerate(names)
            if isinstance(name, str) and name not in FIGURES]


# --- cross-key checks ---------------------------------------------------------------------------------------------
def _multiple(key: str, value: float, step: float, step_name: str) -> None:
    """Raise unless ``value`` is a whole multiple of ``step`` (no silent rounding to the step grid)."""
    n = value / step
    if abs(n - round(n)) > 1e-9 * max(1.0, abs(n)):
        lo, hi = math.floor(n) * step, math.ceil(n) * step
        raise ConfigError(f"{key} = {value:g} must be a whole multiple of {step_name} = {step:g} (it would be "
                          f"rounded); nearest allowed values: {lo:.10g}, {hi:.10g}")


def check_t_ons_bound(config: Mapping) -> None:
    """A fixed lyapunov.t_ons of the rate network within the longest interval whose worst-case R-diagonal spread
    stays below the precision's bound (:func:`rnnchaos.lyapunov_schedule.max_fixed_t_ons` at the largest g,
    smallest N); the map has no such bound (checked at run time only). With t_ons 'auto', t_sim holds a step per
    batch."""
    lyap = config["lyapunov"]
    t_ons = _number_or_none(lyap["t_ons"])
    if t_ons is None:  # auto: whole steps, at least one per batch
        for model in config["model"]:
            h, h_name = (lyap["dt"], "lyapunov.dt") if model == "rate" else (1.0, "the map's step")
            _multiple("lyapunov.t_sim", lyap["t_sim"], h, h_name)
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], h, h_name)
            if "spectra_collapse" in config["figures"]:
                _multiple("paper.spectra_t_sim", config["paper"]["spectra_t_sim"], h, h_name)
            if lyap["t_sim"] < lyap["n_batches"] * h * (1 - 1e-9):
                raise ConfigError(f"lyapunov.t_sim = {lyap['t_sim']:g} must be >= n_batches * t_ons >= n_batches "
                                  f"* {h_name} = {lyap['n_batches'] * h:g} (t_ons: auto)")
        return
    if "rate" not in config["model"]:
        return
    bound = max_fixed_t_ons(max(config["g"]), min(stage_sizes(config, "lyapunov")), lyap["dtype"])
    if t_ons > bound:
        raise ConfigError(
            f"lyapunov.t_ons = {t_ons:g} must be <= {bound:.3g} for the rate network at g = {max(config['g']):g} "
            f"in {lyap['dtype']} (worst-case frame spread 4 g (1 + N^-1/2) per time unit against the bound "
            f"ln(1/eps) - ln(10)); or use lyapunov.t_ons: auto")


def _number_or_none(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def check_steps(config: Mapping) -> None:
    """Every configured time the stages turn into a number of steps or samples is on its step grid: simulate's
    (step: simulate.dt for the rate network, 1 for the map; sampling: sample_dt), lyapunov's (step lyapunov.dt or
    1; QR interval t_ons), the QR intervals and full-spectrum time of the paper studies, the map's dmft.tau_max,
    and the trained network's (step trained.dt, Lyapunov step dt / tau)."""
    sim, lyap, paper, figures = config["simulate"], config["lyapunov"], config["paper"], config["figures"]
    t_ons = _number_or_none(lyap["t_ons"])
    for model in config["model"]:
        step, step_name = (sim["dt"], "simulate.dt") if model == "rate" else (1.0, "the map's step")
        _multiple("simulate.t_transient", sim["t_transient"], step, step_name)
        h, h_name = (lyap["dt"], "lyapunov.dt") if model == "rate" else (1.0, "the map's step")
        if t_ons is not None and t_ons < h * (1 - 1e-9):
            raise ConfigError(f"lyapunov.t_ons = {t_ons:g} must be >= {h_name} = {h:g}")
        if t_ons is not None:
            _multiple("lyapunov.t_ons", t_ons, h, h_name)
        _multiple("lyapunov.t_transient", lyap["t_transient"], h, h_name)
        if t_ons is None:  # the job chooses whole steps: the durations it divides are at least whole steps
            _multiple("lyapunov.t_sim", lyap["t_sim"], h, h_name)
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], h, h_name)
        studies = qr_intervals(paper["t_ons"], model, lyap["dt"]) if "qr_convergence" in figures else []
        for t_ons in studies:
            _multiple("paper.t_ons value", t_ons, h, h_name)
            _multiple("lyapunov.t_sim", lyap["t_sim"], t_ons, "the paper.t_ons value")
            _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], t_ons, "the paper.t_ons value")
            if lyap["t_sim"] < lyap["n_batches"] * t_ons:
                raise ConfigError(f"lyapunov.t_sim = {lyap['t_sim']:g} must be >= n_batches * paper.t_ons value = "
                                  f"{lyap['n_batches'] * t_ons:g}")
        if model == "map":
            _multiple("dmft.tau_max", config["dmft"]["tau_max"], 1.0, "the map's step")
    _multiple("simulate.t_sim", sim["t_sim"], sim["sample_dt"], "simulate.sample_dt")
    _multiple("simulate.tau_max", sim["tau_max"], sim["sample_dt"], "simulate.sample_dt")
    if t_ons is not None:  # (a t_ons chosen by the job itself, such as 'auto', is checked there)
        _multiple("lyapunov.t_sim", lyap["t_sim"], t_ons, "lyapunov.t_ons")
        _multiple("lyapunov.t_transient_tangent", lyap["t_transient_tangent"], t_ons, "lyapunov.t_ons")
        if "spectra_collapse" in figures:
            _multiple("paper.spectra_t_sim", paper["spectra_t_sim"], t_ons, "lyapunov.t_ons")
    t = config["trained"]
    if t["enabled"]:
        a, h = t["analysis"], t["dt"] / t["tau"]
        _multiple("trained.pulse_width", t["pulse_width"], t["dt"], "trained.dt")
        for key in ("t_ons", "t_transient"):
            _multiple(f"trained.analysis.{key}", a[key], h, "trained.dt / trained.tau")
        for key in ("t_sim", "t_transient_tangent"):
            _multiple(f"trained.analysis.{key}", a[key], a["t_ons"], "trained.analysis.t_ons")


def check_nonlinearity(config: Mapping) -> None:
    """``nonlinearity`` names a :class:`rnnchaos.nonlinearity.Nonlinearity`; the GPU backend runs tanh only."""
    name = config.get("nonlinearity", "tanh")
    try:
        nl.get(name)
    except ValueError:
        raise ConfigError(f"nonlinearity must be one of {sorted(nl.NONLINEARITIES)}, got {name!r}") from None
    backend = config.get("lyapunov", {}).get("backend", "numpy")
    if name != "tanh" and backend != "numpy":
        raise ConfigError(f"lyapunov.backend = {backend} runs tanh networks only; set lyapunov.backend: numpy for "
                          f"nonlinearity {name}")


def check_config(config: Mapping) -> None:
    """Raise :class:`ConfigError` on the first cross-key inconsistency of a schema-validated config."""
    check_nonlinearity(config)
    for key in ("g", "sigma_b"):
        texts = [format_value(v) for v in config[key]]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"{key}: values must be distinct to 10 significant digits, got {config[key]}")
    check_stage_grids(config)
    sim, lyap = config["simulate"], config["lyapunov"]
    n_min = min(stage_sizes(config, "lyapunov"))
    if isinstance(lyap["k"], int) and lyap["k"] > n_min:
        raise ConfigError(f"lyapunov.k = {lyap['k']} must be in [1, min(N) = {n_min}] (or 'all'; N of the lyapunov "
                          f"stage)")
    if lyap.get("coupling_dtype") == "float32" and lyap["dtype"] != "float32":
        raise ConfigError(f"lyapunov.coupling_dtype = 'float32' needs lyapunov.dtype: float32 (float32 products "
                          f"resolve the frame only to float32 precision), got lyapunov.dtype = {lyap['dtype']!r}")
    n_min = min(stage_sizes(config, "simulate"))
    if sim["n_units_stored"] > n_min:
        raise ConfigError(f"simulate.n_units_stored = {sim['n_units_stored']} must be in [0, min(N) = {n_min}] (N of "
                          f"the simulate stage)")
    if not sim["tau_max"] < sim["t_sim"] / sim["n_blocks"]:
        raise ConfigError(
            f"simulate.tau_max = {sim['tau_max']} must be in [0, t_sim / n_blocks = "
            f"{sim['t_sim'] / sim['n_blocks']:g})")
    steps = [sim["dt"]] if "rate" in config["model"] else []
    steps += [1.0] if "map" in config["model"] else []
    for step in steps:
        ratio = sim["sample_dt"] / step
        if ratio < 1 - 1e-9 or abs(ratio - round(ratio)) > 1e-9:
            raise ConfigError(
                f"simulate.sample_dt = {sim['sample_dt']} must be a positive multiple of the step {step:g} "
                f"(simulate.dt for the rate network, 1 for the map)")
    if sim["n_snapshots"] > sim["t_sim"] / sim["sample_dt"]:
        raise ConfigError(
            f"simulate.n_snapshots = {sim['n_snapshots']} must be in [0, t_sim / sample_dt = "
            f"{sim['t_sim'] / sim['sample_dt']:g}]")
    _check_trained(config)
    check_trained_rnn(config, ConfigError)
    for model in config["model"]:
        if not qr_intervals(config["paper"]["t_ons"], model, lyap["dt"]):
            raise ConfigError(
                f"paper.t_ons = {config['paper']['t_ons']} has no interval usable by the {model} model "
                f"(>= lyapunov.dt for the rate network, whole numbers >= 1 for the map)")
    if _number_or_none(lyap["t_ons"]) is not None and lyap["t_sim"] < lyap["n_batches"] * lyap["t_ons"]:
        raise ConfigError(
            f"lyapunov.t_sim = {lyap['t_sim']} must be >= n_batches * t_ons = {lyap['n_batches'] * lyap['t_ons']:g}")
    check_t_ons_bound(config)
    check_steps(config)


def check_stage_grids(config: Mapping) -> None:
    """Each stage's ``N`` within the grid's ``N`` and its ``seeds`` at most the grid's; the fixed-point stage's
    points within the simulate stage's (its search starts from the simulation's states); at least
    :data:`FINITE_SIZE_MIN_SIZES` sizes in simulate and lyapunov where the finite_size figure is asked for."""
    grid = [int(n) for n in config["N"]]
    for stage in GRID_STAGES:
        own, seeds = config[stage].get("N"), config[stage].get("seeds")
        if own is not None:
            outside = [n for n in own if n not in grid]
            if outside:
                raise ConfigError(f"{stage}.N = {list(own)}: {outside} not in the grid's N = {grid}; give a subset of "
                                  f"N (or null for all of them)")
        if seeds is not None and seeds > config["seeds"]:
            raise ConfigError(f"{stage}.seeds = {seeds} must be in [1, seeds = {config['seeds']}] (the grid's; or "
                              f"null for all of them)")
    sim, fp = stage_sizes(config, "simulate"), stage_sizes(config, "fixed_points")
    if set(fp) - set(sim):
        raise ConfigError(f"fixed_points.N = {fp} must be within simulate.N = {sim} (the fixed-point search starts "
                          f"from the simulation's states): add {sorted(set(fp) - set(sim))} to simulate.N or remove "
                          f"them from fixed_points.N")
    if stage_seeds(config, "fixed_points") > stage_seeds(config, "simulate"):
        raise ConfigError(f"fixed_points.seeds = {stage_seeds(config, 'fixed_points')} must be in [1, simulate.seeds "
                          f"= {stage_seeds(config, 'simulate')}] (the search starts from the simulation's states)")
    if "finite_size" in config["figures"]:
        for stage in ("simulate", "lyapunov"):
            sizes = stage_sizes(config, stage)
            if len(sizes) < FINITE_SIZE_MIN_SIZES:
                key = f"{stage}.N" if config[stage].get("N") is not None else "N"
                raise ConfigError(f"figures: finite_size needs at least {FINITE_SIZE_MIN_SIZES} sizes in {key}, got "
                                  f"{sizes} (add sizes, or leave finite_size out of figures)")


def _check_trained(config: Mapping) -> None:
    t, e = config["trained"], config["external"]
    if t["enabled"]:
        if t["dt"] > t["tau"]:
            raise ConfigError(f"trained.dt = {t['dt']} must be in (0, trained.tau = {t['tau']}]")
        if not t["pulse_width"] <= t["min_interval"] <= t["pulse_interval"]:
            raise ConfigError(
                f"trained: need pulse_width ({t['pulse_width']}) <= min_interval ({t['min_interval']}) <= "
                f"pulse_interval ({t['pulse_interval']})")
        if t["analysis"]["k"] > t["N"]:
            raise ConfigError(f"trained.analysis.k = {t['analysis']['k']} must be in [1, trained.N = {t['N']}]")
    if e["enabled"] and not e["path"]:
        raise ConfigError("external.path must name a weights file (.npy, .npz or .nc) when external.enabled is true")


#: array backends of the Lyapunov stage that run on a GPU (their jobs request one: workflow/rules/resources.smk)
GPU_BACKENDS = ("cupy",)


def lyapunov_backend(backend: str, N: int, gpu_from_N: int) -> str:
    """Array backend of one Lyapunov job: ``backend`` itself, or for ``"auto"`` ``"cupy"`` from ``N >= gpu_from_N``
    on and ``"numpy"`` below. Decided from the config alone (not from the machine), so that the job's GPU request
    and its backend agree; a job given ``"cupy"`` fails with a clear error where CuPy or a GPU is missing.
    """
    if backend not in ("numpy", "cupy", "auto"):
        raise ConfigError(f"lyapunov.backend must be one of numpy, cupy, auto, got {backend!r}")
    if backend == "auto":
        return "cupy" if int(N) >= int(gpu_from_N) else "numpy"
    return backend


def exponent_count(k: int | str, N: int) -> int:
    """Number of Lyapunov exponents for a network of size ``N``: ``k`` capped at N, or N for ``'all'``."""
    return N if k == "all" else min(int(k), int(N))
