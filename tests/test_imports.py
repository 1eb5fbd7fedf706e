"""Every module of the package can be the first one a program imports: no import cycle hides behind an order.

A cycle (``qapress.engine.connections`` -> ``qapress.store`` -> back) only breaks when one particular module is
imported first, which the test suite, importing ``qapress.store`` early, never does. So each module is
imported first in a fresh process: a forked child of a parent that holds the third-party libraries but no
``qapress`` module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

CHILD = r"""
import ast, importlib, os, sys, traceback
from pathlib import Path
# Preload every third-party module the package imports at its top level, so that each child does only
# qapress's own work (fast), and a cycle among qapress modules is all that can fail.
for path in Path(os.environ["QAPRESS_SRC"], "qapress").rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for name in names:
            if not name.startswith("qapress"):
                try:
                    importlib.import_module(name)
                except Exception:
                    pass  # optional (redis, a test-only package): the child meets it as the package does
assert not any(name == "qapress" or name.startswith("qapress.") for name in sys.modules)
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
print("FAILED " + " ".join(failed) if failed else "ALL OK")
"""


def module_names() -> list[str]:
    names = []
    for path in sorted((SRC / "qapress").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if "migrations" in parts or parts[-1] == "__main__":
            continue  # migrations are loaded by Alembic; __main__ runs the CLI
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_every_module_imports_first_in_a_fresh_process() -> None:
    names = module_names()
    assert "qapress.engine.connections" in names and "qapress.store.database" in names
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *names],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "QAPRESS_SRC": str(SRC)},
    )
    assert result.stdout.strip() == "ALL OK", result.stdout + result.stderr[-3000:]
