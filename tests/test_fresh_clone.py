"""The README's test command on a fresh machine: a plain clone, with no ``../shared`` beside it.

The repository's HEAD is cloned into a temporary folder and a small part of the suite runs there with this
venv's Python (the clone's ``src`` first on the path): what needs the conformance corpus skips with its one
reason, or fails under ``CI=true``, and the run leaves the clone's work tree unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import missing

REPOSITORY = Path(__file__).resolve().parents[1]
#: The conformance suite (which needs the corpus) and a few quick tests that need nothing beside the clone.
PART = ["tests/engine/conformance", "tests/store/test_demo.py"]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        missing("git is not installed")
    if not (REPOSITORY / ".git").exists():
        missing(f"{REPOSITORY} is not a git checkout")
    target = tmp_path_factory.mktemp("fresh") / "qapress"
    subprocess.run(["git", "clone", "-q", str(REPOSITORY), str(target)], check=True, timeout=120)
    assert not (target.parent / "shared").exists()
    return target


def run_in(clone: Path, *args: str, ci: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "CI": "true" if ci else ""}
    env.pop("QAPRESS_REFRESH_SCREENSHOTS", None)
    return subprocess.run(
        [sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_clone_imports_its_own_source(clone: Path) -> None:
    result = run_in(clone, "-c", "import qapress; print(qapress.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(clone / "src")


def test_a_plain_clone_passes_and_says_why_it_skips(clone: Path) -> None:
    result = run_in(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(clone), *PART)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert "no Hasura conformance corpus at" in output
    assert " passed" in output
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == "", f"the test run changed the work tree:\n{status.stdout}"


def test_under_ci_the_missing_corpus_fails(clone: Path) -> None:
    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(clone))
    ci = run_in(clone, *pytest_args, "tests/engine/conformance", ci=True)
    assert ci.returncode == 1, ci.stdout[-4000:]
    assert "CI=true and no Hasura conformance corpus at" in ci.stdout
