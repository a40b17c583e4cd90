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
    assert entry.per in figures.PER
    if entry.per == "model":
        assert "model" in params and params["model"].kind is inspect.Parameter.KEYWORD_ONLY
    else:
        assert "model" not in params
    datasets = {k for k, p in params.items() if k != "model"}
    required = {k for k in datasets if params[k].default is inspect.Parameter.empty}
    assert entry.inputs and required <= set(entry.inputs) <= datasets, (name, set(entry.inputs), datasets)
    assert len(entry.caption.split()) >= 8 and entry.caption.endswith("."), entry.caption


@pytest.mark.parametrize("config_file", [None, "config/paper.yaml", "config/finite_size.yaml"])
def test_inputs_are_result_paths_of_the_config(config_file):
    config = parsed(*([config_file] if config_file else []))
    for name, model in figures.instances(config):
        for key, files in FIGURES[name].files(config, model).items():
            files = [files] if isinstance(files, str) else files
            assert all(f.startswith("results/") and f.endswith(".nc") for f in files), (name, key)
            if FIGURES[name].per == "model":
                assert all(re.search(rf"/{model}[/.]", f) for f in files if "kac_rice" not in f), (name, key)


def test_inputs_follow_the_nonlinearity_results_root():
    tanh, erf = parsed(), parsed(nonlinearity="erf")
    for name in [n for n in figures.grid_figures() if FIGURES[n].per == "model"] + ["trained_flipflop"]:
        a, b = FIGURES[name].files(tanh, "rate"), FIGURES[name].files(erf, "rate")
        for key in a:
            xs, ys = ([a[key]], [b[key]]) if isinstance(a[key], str) else (a[key], b[key])
            assert [y.replace("results/phi~erf/", "results/", 1) for y in ys] == xs


def test_config_accepts_exactly_the_registry_names():
    grid = figures.grid_figures()
    config = parsed("config/finite_size.yaml", figures=grid, sigma_xi=[0.0, 0.3])  # input_phase_diagram needs 2
    assert config["figures"] == grid and set(FIGURES) - set(grid) == {"trained_flipflop", "trained_rnn_spectra",
                                                                       "trained_rnn_performance", "fixed_point_study",
                                                                       "training_evolution", "flipflop_geometry",
                                                                       "noise_robustness", "fixed_point_pooled",
                                                                       "periodic_suppression"}
    with pytest.raises(ConfigError, match=r"figures\[1\] = 'no_such_figure': must be one of phase_diagram, "):
        parsed(figures=["phase_diagram", "no_such_figure"])
    with pytest.raises(ConfigError, match=r"figures\[0\] = 'trained_flipflop': .* drawn with its config section"):
        parsed(figures=["trained_flipflop"])
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


@pytest.mark.parametrize("config_file", [None, "config/paper.yaml", "config/trained_rnn.yaml"])
def test_every_instance_has_one_stem_that_reads_back(config_file):
    """The file stems of the figures a config asks for are distinct, match the rule's wildcard pattern, and read
    back to the same (figure, key)."""
    config = parsed(*([config_file] if config_file else []))
    found = figures.instances(config)
    stems = [figures.stem(name, key) for name, key in found]
    assert len(set(stems)) == len(stems) and found
    pattern = re.compile(figures.stem_pattern())
    for (name, key), s in zip(found, stems, strict=True):
        assert pattern.fullmatch(s) and figures.parse_stem(s) == (name, key)
    models = [key for name, key in found if name == "phase_diagram"]
    assert models == config["model"]


def test_section_figures_follow_their_sections():
    base = parsed()
    assert (("trained_flipflop", 0) in figures.instances(base)) == base["trained"]["enabled"]
    off = parsed(trained={**base["trained"], "enabled": False})
    assert not [n for n, _ in figures.instances(off) if n == "trained_flipflop"]
    on = parsed(trained={**base["trained"], "enabled": True, "seeds": 2})
    assert [k for n, k in figures.instances(on) if n == "trained_flipflop"] == [0, 1]
    assert figures.stem("trained_flipflop", 1) == "trained_flipflop_seed~1"
    assert on["trained"]["enabled"] and figures.FIGURES["trained_flipflop"].files(on, 1) == {
        "trained": "results/trained/flipflop/seed~1.nc", "analysis": "results/trained/flipflop/analysis_seed~1.nc"}
    family = parsed("config/trained_rnn.yaml")
    names = [n for n, _ in figures.instances(family)]
    assert "trained_rnn_spectra" in names and "trained_rnn_performance" in names
    assert not [n for n, _ in figures.instances(base) if n.startswith("trained_rnn_")]


def test_a_stem_no_figure_makes_is_refused():
    for bad in ("phase_diagram", "phase_diagram_lstm", "trained_flipflop_seed~x", "trained_rnn_spectra_rate"):
        with pytest.raises(ValueError, match="no figure's file name"):
            figures.parse_stem(bad)
    with pytest.raises(ValueError, match="drawn per model"):
        figures.stem("phase_diagram")
