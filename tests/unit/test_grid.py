"""The result paths of rnnchaos.grid: the noise amplitude sigma_xi is a path segment after sigma_b in every stage whose
result depends on it, and a default (noise-free) config names today's files with /sigma_xi~0 inserted."""

import copy
import itertools
import re

import pytest
import yaml

from rnnchaos import figures
from rnnchaos.config import check_config
from rnnchaos.config_schema import validate
from rnnchaos.grid import (
    GRID_STAGES,
    finite_size_paths,
    g_sweep_paths,
    grid_values,
    kac_rice_paths,
    point_files,
    stage_seeds,
    stage_sizes,
    theory_files,
)

from ..conftest import ROOT

SCHEMA = str(ROOT / "workflow/schemas/config.schema.yaml")
DEFAULT = yaml.safe_load((ROOT / "config.yaml").read_text())
#: The paths before the noise axis (the results tree up to issue 18), written out here on purpose.
OLD_POINT = "{root}/{stage}/{model}/g~{g}/sigma_b~{sigma_b}/N~{N}/seed~{seed}.nc"
OLD_THEORY = "{root}/{stage}/{model}/g~{g}/sigma_b~{sigma_b}.nc"
OLD_SWEEP = "{root}/dmft/{model}/g_sweep/sigma_b~{sigma_b}.nc"


def parse(config):
    config = copy.deepcopy(config)
    validate(config, SCHEMA)
    check_config(config)
    return config


def with_noise_free_segment(old: str) -> str:
    """``old`` with ``/sigma_xi~0`` inserted after its sigma_b segment (before ``/N~`` or ``.nc``)."""
    new, n = re.subn(r"(/sigma_b~[0-9.]+?)(/|\.nc$)", r"\1/sigma_xi~0\2", old)
    assert n == 1, old
    return new


@pytest.mark.parametrize("nonlinearity", ["tanh", "erf"])
def test_default_paths_are_the_old_ones_with_sigma_xi_0_after_sigma_b(nonlinearity):
    config = parse({**DEFAULT, "nonlinearity": nonlinearity, "N": [100, 200, 300]})
    root = "results" if nonlinearity == "tanh" else f"results/phi~{nonlinearity}"
    gs, sbs = grid_values(config, "g"), grid_values(config, "sigma_b")
    assert grid_values(config, "sigma_xi") == ["0"]
    for model in config["model"]:
        for stage in (*GRID_STAGES, "lyapunov_full"):
            sizes = stage_sizes(config, "lyapunov" if stage == "lyapunov_full" else stage)
            seeds = range(stage_seeds(config, "lyapunov" if stage == "lyapunov_full" else stage))
            old = [OLD_POINT.format(root=root, stage=stage, model=model, g=g, sigma_b=s, N=n, seed=k)
                   for g, s, n, k in itertools.product(gs, sbs, sizes, seeds)]
            new = point_files(config, stage, model, gs, sbs, grid_values(config, "sigma_xi"), sizes, seeds)
            assert new == [with_noise_free_segment(p) for p in old]
        for stage, new in (("dmft", theory_files(config, "dmft", model)),
                           ("finite_size", finite_size_paths(config, model))):
            old = [OLD_THEORY.format(root=root, stage=stage, model=model, g=g, sigma_b=s)
                   for g, s in itertools.product(gs, sbs)]
            assert new == [with_noise_free_segment(p) for p in old], stage
        assert g_sweep_paths(config, model) == [
            with_noise_free_segment(OLD_SWEEP.format(root=root, model=model, sigma_b=s)) for s in sbs]
    # the noise-free fixed points' theory and the networks do not depend on the noise
    assert kac_rice_paths(config) == [f"{root}/kac_rice/g~{g}/sigma_b~{s}.nc" for g, s in itertools.product(gs, sbs)]


def test_every_figure_input_of_the_paper_config_names_sigma_xi_where_its_stage_depends_on_it():
    config = parse({**DEFAULT, **yaml.safe_load((ROOT / "config/paper.yaml").read_text())})
    for name, key in figures.instances(config):
        for files in figures.FIGURES[name].files(config, key).values():
            for path in [files] if isinstance(files, str) else files:
                noisy_stage = re.search(r"/(simulate|lyapunov|lyapunov_full|lyapunov_t_ons|fixed_points|dmft|"
                                        r"finite_size)/", path) and "critical_line" not in path
                assert ("/sigma_xi~0" in path) == bool(noisy_stage), (name, path)


def test_noise_amplitudes_multiply_the_noise_dependent_files_only():
    config = parse({**DEFAULT, "sigma_xi": [0.0, 0.3, 1.0]})
    gs, sbs, xis = (grid_values(config, k) for k in ("g", "sigma_b", "sigma_xi"))
    assert xis == ["0", "0.3", "1"]
    files = point_files(config, "lyapunov", "rate", gs, sbs, xis, [100], [0])
    assert len(files) == len(gs) * len(sbs) * 3 and "results/lyapunov/rate/g~2/sigma_b~0.5/sigma_xi~0.3/N~100/" \
        "seed~0.nc" in files
    assert len(theory_files(config, "dmft", "map")) == len(gs) * len(sbs) * 3
    assert len(g_sweep_paths(config, "map")) == len(sbs) * 3
    assert len(kac_rice_paths(config)) == len(gs) * len(sbs)
    # the figures drawn from the noise-free networks read the noise-free theory only; noise_suppression every one
    assert all("sigma_xi~0.nc" in p for p in figures.g_sweep_files(config, "rate"))
    assert len(figures.noise_g_sweep_files(config, "rate")) == len(sbs) * 3
