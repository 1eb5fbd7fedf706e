"""The graphql-http server audit (npm ``graphql-http``, ``auditServer``) against a real ``qapress serve``:
every audit of the GraphQL-over-HTTP spec passes, the MUSTs, the SHOULDs and the MAYs.

The audit's package is installed with ``npm ci`` from ``tests/npm`` (package.json and its lockfile) into a
cache folder outside the checkout, once per lockfile. Without node or npm the test skips and says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import missing
from tests.served import qapress_serve
from tests.site.live import demo_store

NPM = Path(__file__).resolve().parents[1] / "npm"
FILES = ("package.json", "package-lock.json", "audit.mjs")


def audit_folder() -> Path:
    """``tests/npm`` installed into ``$XDG_CACHE_HOME/qapress/npm/<lockfile hash>`` (once)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("node and npm are needed for the graphql-http audit (apt-get install nodejs npm)")
    digest = hashlib.sha256(b"".join((NPM / name).read_bytes() for name in FILES)).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "qapress" / "npm" / digest
    if not (folder / "node_modules" / "graphql-http").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copy(NPM / name, folder / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return folder


def test_the_graphql_http_audit_passes_against_qapress_serve(database_url: str, tmp_path: Path) -> None:
    folder = audit_folder()
    demo_store(database_url).dispose()
    with qapress_serve(database_url, tmp_path, clean_env=True) as served:
        base = served.base
        run = subprocess.run(
            ["node", "audit.mjs", f"{base}/v1/graphql"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 50  # the audit's whole list ran
    failed = [f"{r['status']} {r['id']} {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert failed == []
