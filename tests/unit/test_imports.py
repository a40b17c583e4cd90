"""Module structure: every rnnchaos module imports alone, and no module hides a cycle or reaches into another's
private names.

* Import check: each module is imported first, alone, in an interpreter where no rnnchaos module is loaded (a child
  forked per module from one fresh interpreter that has loaded only numpy, scipy, xarray and matplotlib, so that 40
  modules take seconds; one interpreter per module where ``os.fork`` is missing). An import cycle fails there as an
  ImportError ("partially initialized module") or as an AttributeError at import time.
* Static check (ast): ``from rnnchaos.<m> import _name``, ``<module>._name`` on an imported rnnchaos module, and an
  ``import`` of an rnnchaos module inside a function (the usual way to hide a cycle) are listed as offenders.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import rnnchaos

PACKAGE = Path(rnnchaos.__file__).parent
MODULES = sorted(["rnnchaos"] + [f"rnnchaos.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"])

#: Offenders tolerated for now, as "<module>: <what>" prefixes (empty: none).
ALLOWED: tuple[str, ...] = ()

_CHILD = r"""
import importlib, os, sys, traceback
names = sys.argv[1:]
if hasattr(os, "fork"):
    import matplotlib.figure, numpy, scipy.linalg, scipy.optimize, scipy.special, xarray  # noqa: F401, E401
failed = []
for name in names:
    if hasattr(os, "fork"):
        pid = os.fork()
        if pid == 0:
            try:
                importlib.import_module(name)
            except BaseException:
                traceback.print_exc()
                os._exit(1)
            os._exit(0)
        ok = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    else:
        ok = __import__("subprocess").run([sys.executable, "-c", f"import {name}"]).returncode == 0
    if not ok:
        failed.append(name)
print("FAILED:" + ",".join(failed))
"""


def import_alone(names: list[str], path: str | None = None) -> list[str]:
    """The modules of ``names`` that fail to import alone (``path``: prepended to ``sys.path``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [path, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", _CHILD, *names], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    failed = out.stdout.strip().rsplit("FAILED:", 1)[-1]
    return failed.split(",") if failed else []


def test_every_module_imports_alone_in_a_fresh_interpreter():
    assert import_alone(MODULES) == []


def test_import_alone_fails_on_a_cycle_and_a_missing_module(tmp_path):
    (tmp_path / "cyc").mkdir()
    (tmp_path / "cyc" / "__init__.py").write_text("")
    (tmp_path / "cyc" / "a.py").write_text("from cyc.b import B\nA = 1\n")
    (tmp_path / "cyc" / "b.py").write_text("from cyc.a import A\nB = 2\n")
    assert import_alone(["cyc.a", "cyc.b", "rnnchaos.status", "rnnchaos.missing"], str(tmp_path)) == [
        "cyc.a", "cyc.b", "rnnchaos.missing"]


def offenders(source: str, module: str) -> list[str]:
    """Private names of other rnnchaos modules that ``source`` (the text of ``module``) uses, and rnnchaos imports
    inside functions, as ``"<module>:<line>: <what>"``."""
    tree = ast.parse(source)
    found: list[str] = []
    bound: set[str] = set()  # local names of imported rnnchaos modules

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    def rnnchaos_module(node) -> str | None:
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative import inside the package
                return "rnnchaos" + ("." + node.module if node.module else "")
            return node.module if node.module and node.module.split(".")[0] == "rnnchaos" else None
        hits = [a.name for a in node.names if a.name.split(".")[0] == "rnnchaos"]
        return hits[0] if hits else None

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, (ast.Import, ast.ImportFrom)) and (target := rnnchaos_module(child)):
                if in_function:
                    found.append(f"{module}:{child.lineno}: imports {target} inside a function")
                if isinstance(child, ast.ImportFrom):
                    for a in child.names:
                        if private(a.name):
                            found.append(f"{module}:{child.lineno}: imports private {a.name} from {target}")
                        elif target == "rnnchaos" and (PACKAGE / f"{a.name}.py").exists():
                            bound.add(a.asname or a.name)
                else:
                    bound.update(a.asname for a in child.names if a.asname)
            if (isinstance(child, ast.Attribute) and private(child.attr) and isinstance(child.value, ast.Name)
                    and child.value.id in bound):
                found.append(f"{module}:{child.lineno}: uses private {child.value.id}.{child.attr}")
            visit(child, inner)

    visit(tree, False)
    return found


def test_offenders_finds_private_imports_attributes_and_imports_inside_functions():
    source = ("from rnnchaos.dmft import G_MAX, _left_root\nfrom rnnchaos import lyapunov as ly, status\n"
              "import rnnchaos.io as rio\n\ndef f():\n    from rnnchaos import io\n    return ly._check_r, "
              "rio._tmp, status.__name__, ly.qr_step\n")
    assert offenders(source, "m") == ["m:1: imports private _left_root from rnnchaos.dmft",
                                      "m:6: imports rnnchaos inside a function",
                                      "m:7: uses private ly._check_r", "m:7: uses private rio._tmp"]
    assert offenders("import numpy as np\ndef f():\n    from numpy import _core\n    return np._x\n", "m") == []
    assert offenders("from .io import _tmp\n", "m") == ["m:1: imports private _tmp from rnnchaos.io"]


def test_no_private_names_across_modules_and_no_imports_inside_functions():
    found = [f for name in MODULES
             for f in offenders((PACKAGE / (name.split(".", 1)[1] if "." in name else "__init__")).with_suffix(".py")
                                .read_text(), name)]
    left = [f for f in found if not any(f.startswith(a) for a in ALLOWED)]
    assert not left, "private names imported across rnnchaos modules, or imports hiding a cycle:\n" + "\n".join(left)
