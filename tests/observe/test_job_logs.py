"""Job logs: ``qapress worker --once`` with ``QAPRESS_LOG_FORMAT=json`` writes one JSON line per backlink
check, against pages served on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine
from tests.links.conftest import add_article, add_site, open_rules
from tests.links.servers import PageServer, html_page

from qapress.links.submit import Accepted, submit_link


def test_one_json_line_per_backlink_check(engine: Engine, database_url: str, tmp_path: Path) -> None:
    article = add_article(engine, add_site(engine))
    with PageServer() as server:
        server.routes["/with"] = html_page(
            "Fan page", f'<a href="{server.base_url}/a/{article}/heat-2">Heat 2</a>'
        )
        server.routes["/without"] = html_page("Other", "nothing")
        ids = {}
        for name in ("/with", "/without"):
            result = submit_link(
                engine, article, server.url(name), True, "203.0.113.1", rules=open_rules(), salt="s"
            )
            assert isinstance(result, Accepted)
            ids[name] = result.id
        env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
        env.update(
            QAPRESS_DATABASE_URL=database_url,
            QAPRESS_DATA_DIR=str(tmp_path / "data"),
            QAPRESS_FETCH_ALLOW_NETWORKS='["127.0.0.1/32"]',
            QAPRESS_PUBLIC_BASE_URL=server.base_url,
            QAPRESS_LOG_FORMAT="json",
        )
        done = subprocess.run(
            [sys.executable, "-m", "qapress", "worker", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    checks = {entry["link_id"]: entry for entry in entries if entry.get("event") == "backlink_check"}
    assert set(checks) == set(ids.values())
    assert checks[ids["/with"]]["after"] == "live"
    assert checks[ids["/without"]]["after"] == "rejected"
    assert all(entry["before"] == "pending" and entry["level"] == "info" for entry in checks.values())
