"""The conda environments of the rules (envs/*.yaml) agree with pyproject.toml.

Every env must pin exactly the packages of ``[project.dependencies]`` except :data:`DRIVER_ONLY`, each at a
version that satisfies pyproject's specifier, a Python that satisfies ``requires-python``, and install this
package from the repository root with ``--no-deps`` (so pip cannot replace the pinned stack).

``snakemake`` is driver-only: rule jobs run the workflow's scripts under the env's Python, and Snakemake injects
the ``snakemake`` object through a preamble that puts the driver's own Snakemake on ``sys.path``, so the env
needs no copy. ``pyyaml`` and ``jsonschema`` are used by the driver too (config loading and ``validate()`` in
common.smk) but stay in the envs, so that ``import rnnchaos`` and the tests also work inside an env.
"""

from __future__ import annotations

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..conftest import ROOT

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")

#: dependencies of pyproject.toml that the rule envs do not carry (see the module docstring)
DRIVER_ONLY = {"snakemake", "pygments"}  # pygments: only `snakemake --report` (the driver) needs it
#: conda-forge names whose PyPI name differs (after PEP 503 normalisation)
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
#: env entries that are tools, not dependencies of the package
NOT_DEPENDENCIES = {"python", "pip"}

ENVS = sorted((ROOT / "envs").glob("*.yaml"))


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def project_requirements() -> dict[str, SpecifierSet]:
    """``[project.dependencies]`` as {normalised name: specifier}."""
    return {canonicalize_name(r.name): r.specifier for r in map(Requirement, project()["dependencies"])}


def conda_pins(env: dict) -> dict[str, str]:
    """The conda packages of an env as {normalised PyPI name: pinned version ('' if unpinned)}.

    A conda spec is ``name``, ``name=1.2.3`` (conda's fuzzy ``1.2.3*``) or ``name==1.2.3``; a build string after
    a second ``=`` is ignored.
    """
    pins = {}
    for dep in env.get("dependencies", []):
        if not isinstance(dep, str):
            continue  # the pip: section
        name, _, version = dep.replace("==", "=").partition("=")
        name = canonicalize_name(name.strip())
        pins[CONDA_TO_PYPI.get(name, name)] = version.partition("=")[0].strip()
    return pins


def pip_lines(env: dict) -> list[str]:
    return [line for dep in env.get("dependencies", []) if isinstance(dep, dict) for line in dep.get("pip", [])]


def mismatches(env: dict, required: dict[str, SpecifierSet], requires_python: str) -> list[str]:
    """Every way in which `env` disagrees with the project's dependencies (empty when it agrees)."""
    pins = conda_pins(env)
    wanted = {name: spec for name, spec in required.items() if name not in DRIVER_ONLY}
    problems = [f"missing {name} (pyproject: {name}{spec})" for name, spec in wanted.items() if name not in pins]
    problems += [f"{name} is not in pyproject's [project.dependencies]"
                 for name in pins if name not in wanted and name not in NOT_DEPENDENCIES]
    for name, version in pins.items():
        spec = wanted.get(name) if name != "python" else SpecifierSet(requires_python)
        if spec is None:
            continue
        if not version:
            problems.append(f"{name} is not pinned")
            continue
        try:
            ok = Version(version) in spec
        except InvalidVersion:
            ok = False
        if not ok:
            problems.append(f"{name}={version} does not satisfy {name}{spec}")
    if "python" not in pins:
        problems.append("python is not pinned")
    pip = pip_lines(env)
    if "--no-deps" not in pip or not any(line.startswith("-e") for line in pip):
        problems.append(f"pip section must install the package with --no-deps and -e <repo root>, got {pip}")
    return problems


def test_there_are_envs():
    assert ENVS, "no envs/*.yaml"


@pytest.mark.parametrize("path", ENVS, ids=[p.name for p in ENVS])
def test_env_pins_the_project_dependencies(path):
    env = yaml.safe_load(path.read_text())
    assert mismatches(env, project_requirements(), project()["requires-python"]) == []


def test_driver_only_packages_are_project_dependencies():
    assert DRIVER_ONLY <= set(project_requirements())


def test_mismatches_are_caught():
    """The check itself: a missing package, a pin below the specifier, an extra package, a bad Python."""
    good = yaml.safe_load(ENVS[0].read_text())
    required = project_requirements()
    rp = project()["requires-python"]
    deps = good["dependencies"]
    broken = [d for d in deps if not (isinstance(d, str) and d.startswith("scipy"))]
    assert any("missing scipy" in p for p in mismatches({**good, "dependencies": broken}, required, rp))
    old = [("numpy=1.20.0" if isinstance(d, str) and d.startswith("numpy") else d) for d in deps]
    assert any("numpy=1.20.0 does not satisfy" in p for p in mismatches({**good, "dependencies": old}, required, rp))
    extra = [*deps[:-1], "pandas=2.2.0", deps[-1]]
    assert any("pandas is not in pyproject" in p for p in mismatches({**good, "dependencies": extra}, required, rp))
    py = [("python=3.8" if isinstance(d, str) and d.startswith("python") else d) for d in deps]
    assert any("python=3.8 does not satisfy" in p for p in mismatches({**good, "dependencies": py}, required, rp))
    nodeps = [d if isinstance(d, str) else {"pip": ["-e .."]} for d in deps]
    assert any("--no-deps" in p for p in mismatches({**good, "dependencies": nodeps}, required, rp))


def test_conda_spec_parsing():
    env = {"dependencies": ["numpy=2.4.6", "scipy==1.17.1", "matplotlib-base=3.11.2=py311_0", "netCDF4", "pip"]}
    assert conda_pins(env) == {"numpy": "2.4.6", "scipy": "1.17.1", "matplotlib": "3.11.2", "netcdf4": "",
                               "pip": ""}
