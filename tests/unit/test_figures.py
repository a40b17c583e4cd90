"""The figure registry (rnnchaos.figures): each figure declared once, with its drawing function, its inputs as a
function of the config and its caption; the config accepts exactly the registry's names, and no other module or
workflow file lists figure names."""

from __future__ import annotations

import ast
import copy
import inspect
import re

import pytest

from rnnchaos import figures
from rnnchaos.config import ConfigError, check_config
from rnnchaos.config_schema import load_yaml, validate
from rnnchaos.figures import FIGURES, default_figures

from ..conftest import ROOT

SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"


def merged(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``, nested mappings merged (as Snakemake merges --configfile files)."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def parsed(*files, **changes):
    config = load_yaml(ROOT / "config.yaml")
    for f in files:
        config = merged(config, load_yaml(ROOT / f))
    config.update(changes)
    validate(config, SCHEMA)
    check_config(config)
    return config


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_entry_has_a_function_inputs_it_takes_and_a_caption(name):
    entry = FIGURES[name]
    assert callable(entry.draw) and entry.draw.__name__ == name
    params = inspect.signature(entry.draw).parameters
    assert "model" in params and params["model"].kind is inspect.Parameter.KEYWORD_ONLY
    datasets = {k for k, p in params.items() if k != "model"}
    required = {k for k in datasets if params[k].default is inspect.Parameter.empty}
    assert entry.inputs and required <= set(entry.inputs) <= datasets, (name, set(entry.inputs), datasets)
    assert len(entry.caption.split()) >= 8 and entry.caption.endswith("."), entry.caption


@pytest.mark.parametrize("config_file", [None, "config/paper.yaml", "config/finite_size.yaml"])
def test_inputs_are_result_paths_of_the_config(config_file):
    config = parsed(*([config_file] if config_file else []))
    for name in config["figures"]:
        for model in config["model"]:
            for key, files in FIGURES[name].files(config, model).items():
                files = [files] if isinstance(files, str) else files
                assert all(f.startswith("results/") and f.endswith(".nc") for f in files), (name, key)
                assert all(re.search(rf"/{model}[/.]", f) for f in files if "kac_rice" not in f), (name, key)


def test_inputs_follow_the_nonlinearity_results_root():
    tanh, erf = parsed(), parsed(nonlinearity="erf")
    for name in FIGURES:
        a, b = FIGURES[name].files(tanh, "rate"), FIGURES[name].files(erf, "rate")
        for key in a:
            xs, ys = ([a[key]], [b[key]]) if isinstance(a[key], str) else (a[key], b[key])
            assert [y.replace("results/phi~erf/", "results/", 1) for y in ys] == xs


def test_config_accepts_exactly_the_registry_names():
    config = parsed("config/finite_size.yaml", figures=list(FIGURES))
    assert config["figures"] == list(FIGURES)
    with pytest.raises(ConfigError, match=r"figures\[1\] = 'no_such_figure': must be one of phase_diagram, "):
        parsed(figures=["phase_diagram", "no_such_figure"])
    config = copy.deepcopy(load_yaml(ROOT / "config.yaml"))
    del config["figures"]
    assert validate(config, SCHEMA)["figures"] == default_figures()
    schema = (ROOT / "workflow/schemas/config.schema.yaml").read_text()
    assert "enum" not in schema[schema.index("  figures:"):schema.index("  finite_size:")]


def _names_in_collections(source: str) -> list[list[str]]:
    """The figure names in each list, tuple, set or dict literal of a Python source (two or more per literal)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and items:
            names = [i.value for i in items if isinstance(i, ast.Constant) and i.value in FIGURES]
            if len(names) >= 2:
                found.append(names)
    return found


def test_no_other_module_or_workflow_file_lists_figure_names():
    """Adding a figure touches rnnchaos/figures.py only: no other source lists figure names (a collection of two
    or more in Python, two or more in a rule file, the schema, a report caption or a script)."""
    offenders = []
    for path in sorted((ROOT / "src/rnnchaos").glob("*.py")) + sorted((ROOT / "workflow/scripts").glob("*.py")):
        if path.name != "figures.py" and _names_in_collections(path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    words = re.compile(r"\b(" + "|".join(FIGURES) + r")\b")
    others = [*(ROOT / "workflow").rglob("*.smk"), *(ROOT / "workflow/report").glob("*.rst"), SCHEMA,
              ROOT / "Snakefile"]
    for path in others:
        text = path.read_text()
        if path.suffix == ".smk" or path.name == "Snakefile":  # rule names equal to a figure's are no listing
            text = re.sub(r"\b(rule|include:)\s+\S+", "", text)
        if len(set(words.findall(text)) - {"finite_size"}) >= 2:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_the_check_finds_a_listing():
    """The listing check above fails where a module lists names (as plotting_grid.FIGURES once did)."""
    assert _names_in_collections('FIGURES = {"phase_diagram": f, "autocorrelation": g}')
    assert not _names_in_collections('if "qr_convergence" in figures: pass')


def test_unknown_figure_is_named_with_the_allowed_ones():
    with pytest.raises(ValueError, match="figure must be one of phase_diagram, lambda_max_vs_g"):
        figures.figure("bifurcation")
