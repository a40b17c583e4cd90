"""The example of docs/trained_rnns.md, run from the page itself (in a temporary directory): its printed claims."""

import os
import re

import numpy as np

from ..conftest import ROOT

PAGE = ROOT / "docs" / "trained_rnns.md"


def test_the_pages_example_runs_and_its_comments_hold(tmp_path, capsys):
    code = re.search(r"```python\n(.*?)```", PAGE.read_text(), re.S).group(1)
    namespace = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102 - the documentation's own example
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "gru 2 8 3 16" and out[-1] == "True"
    r = namespace["result"]
    assert r.exponents.shape == (16,) and np.all(np.isfinite(r.sem)) and (tmp_path / "gru.safetensors").exists()
