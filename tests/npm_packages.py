"""npm packages the tests run (the graphql-http audit, Lighthouse), each installed with ``npm ci`` from a folder
of the tests (package.json and its lockfile) into a cache outside the checkout, once per lockfile: the README's
test command needs nothing installed beforehand but node and npm, and the work tree stays clean."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing

TESTS = Path(__file__).resolve().parent


def installed(name: str, files: tuple[str, ...] = ("package.json", "package-lock.json")) -> Path:
    """``tests/<name>`` installed into ``$XDG_CACHE_HOME/qapress/npm/<name>-<hash of its files>``; skips (fails
    under CI) without node and npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing(f"node and npm are needed for tests/{name} (apt-get install nodejs npm)")
    source = TESTS / name
    digest = hashlib.sha256(b"".join((source / file).read_bytes() for file in files)).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "qapress" / "npm" / f"{name}-{digest}"
    done = folder / ".installed"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for file in files:
            shutil.copy(source / file, folder / file)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=600,
        )
        done.touch()
    return folder
