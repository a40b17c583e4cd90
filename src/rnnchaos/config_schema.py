"""Reading a pipeline configuration and checking it against its JSON schema.

:func:`load_yaml` reads a config file and names the file and line of a syntax error, an empty file or a duplicate
key (:func:`check_config_files` for every file of a run); :func:`validate` checks a config against
``workflow/schemas/config.schema.yaml`` (types, ranges, unknown keys, defaults filled in), first rejecting NaN and
+-inf anywhere, and its figure names against the figure registry (:func:`figure_problems`); one line per problem,
naming the key and what is allowed. The cross-key constraints follow in :func:`rnnchaos.config.check_config`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from rnnchaos.figures import FIGURES, default_figures, grid_figures
from rnnchaos.grid import ConfigError


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
    does not hold (a figure of a config section is drawn with its section, not named here); the registry's
    default figures filled in where the key is missing."""
    names = config.setdefault("figures", default_figures())
    if not isinstance(names, list):
        return []  # the schema names the type
    allowed = grid_figures()
    lines = [f"figures[{i}] = {name!r}: must be one of {', '.join(allowed)}"
             + (" (it is drawn with its config section)" if name in FIGURES else "")
             for i, name in enumerate(names) if isinstance(name, str) and name not in allowed]
    noise = config.get("sigma_xi", [0.0])
    valid = isinstance(noise, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                                            for v in noise)  # a bad value is the schema's line, not this one
    if valid and noise:
        noise_free = [f for f in names if f in FIGURES and not FIGURES[f].noise]
        if noise_free:
            lines.append(f"figures {noise_free} are drawn from the noise-free networks: sigma_xi = {noise} must "
                         f"contain 0 (or leave them out of figures)")
    for f in names:
        for key, n in FIGURES[f].needs if f in FIGURES else ():
            values = config.get(key, [0.0] if key == "sigma_xi" else [])
            if isinstance(values, list) and len(values) < n:
                lines.append(f"figures: {f} needs at least {n} values of {key}, got {key} = {values} (add values or "
                             f"leave it out of figures)")
    return lines
