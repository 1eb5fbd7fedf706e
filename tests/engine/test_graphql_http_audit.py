"""The graphql-http server audit (npm ``graphql-http``, ``auditServer``) against a real ``qapress serve``:
every audit of the GraphQL-over-HTTP spec passes, the MUSTs, the SHOULDs and the MAYs.

The audit's package is installed with ``npm ci`` from ``tests/npm`` (``tests.npm_packages``) into a cache
folder outside the checkout, once per lockfile. Without node or npm the test skips and says why.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.npm_packages import installed
from tests.served import qapress_serve
from tests.site.live import demo_store


def audit_folder() -> Path:
    """``tests/npm`` (graphql-http and the audit script) installed in the tests' npm cache."""
    return installed("npm", ("package.json", "package-lock.json", "audit.mjs"))


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
