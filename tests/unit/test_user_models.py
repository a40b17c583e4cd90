"""The example of docs/user_models.md, run from the page itself: a user-defined 2-D flow analysed by the library."""

import re

import numpy as np
import pytest

from rnnchaos.model import Model
from rnnchaos.toy_system import ToySystem

from ..conftest import ROOT

PAGE = ROOT / "docs" / "user_models.md"


@pytest.fixture(scope="module")
def example():
    """The namespace after running the page's Python block (its prints are the page's stated output)."""
    code = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)
    namespace = {}
    exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102 - the documentation's own example
    return namespace


def test_the_toy_is_a_model(example):
    assert isinstance(example["toy"], Model)


def test_the_page_runs_the_library_toy(example):
    """One definition: the page's system is rnnchaos.toy_system.ToySystem, not a copy of it."""
    assert type(example["toy"]) is ToySystem
    assert "class " not in re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)


def test_fixed_points_and_their_types(example):
    fp = example["fp"]
    order = np.argsort(fp.x[:, 0])
    np.testing.assert_allclose(fp.x[order], [[-1.0, -0.5], [0.0, 0.0], [1.0, 0.5]], atol=1e-10)
    assert list(fp.kind[order]) == ["stable", "saddle", "stable"]
    np.testing.assert_allclose(np.sort(fp.eigvals[order[1]].real), [(-1 - 3**0.5) / 2, (-1 + 3**0.5) / 2],
                               atol=1e-10)
    np.testing.assert_allclose(fp.eigvals[order[[0, 2]]], -1.0, atol=1e-6)  # Jordan block: a double root


def test_lyapunov_exponents_of_the_stable_node(example):
    """Both exponents tend to log(1 - dt)/dt, approached as +-log(t)/t (Jordan block); their sum is the mean
    log-determinant of the step exactly (the R diagonals telescope)."""
    ly, dt = example["ly"], example["toy"].time_step
    node = np.log(1 - dt) / dt
    np.testing.assert_allclose(ly.exponents, node, atol=0.02)
    assert ly.exponents[0] > node > ly.exponents[1]
    assert ly.exponents.sum() == pytest.approx(2 * ly.log_det_mean, rel=1e-10)
    assert ly.exponents.sum() == pytest.approx(2 * node, rel=1e-3)


def test_the_page_states_what_the_code_prints(example, capsys):
    """The output block under the example is what the example prints."""
    text = PAGE.read_text()
    stated = re.search(r"prints\n\n```\n(.*?)```", text, re.S).group(1)
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, str(PAGE), "exec"), {})  # noqa: S102
    assert capsys.readouterr().out == stated
