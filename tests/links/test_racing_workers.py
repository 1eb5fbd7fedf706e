"""Workers on several hosts: real ``qapress worker --once`` processes racing over one store check each due
link exactly once (the claim is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``store.claims``).

The proof is the page server's own log: every link's page is fetched once, by one of the processes, and
each link is reported checked by exactly one of them. Pages answer slowly, so the processes overlap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.submit import Accepted, submit_link
from qapress.store.schema import link

from .conftest import add_article, open_rules
from .servers import PageServer, send

LINKS = 24
PROCESSES = 4


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def test_racing_worker_processes_check_each_due_link_exactly_once(
    engine: Engine, site: int, server: PageServer
) -> None:
    ids = []
    for n in range(LINKS):
        article = add_article(engine, site, slug="heat-2")
        path = f"/review-{n}"

        def page(handler: BaseHTTPRequestHandler, article: int = article) -> None:
            time.sleep(0.05)
            backlink = f"{server.base_url}/a/{article}/heat-2"
            send(handler, f'<!doctype html><title>Review</title><a href="{backlink}">Heat 2</a>')

        server.routes[path] = page
        accepted = submit_link(engine, article, f"{server.base_url}{path}", True, None, rules=open_rules())
        assert isinstance(accepted, Accepted), accepted
        ids.append(accepted.id)
    env = {
        **os.environ,
        "QAPRESS_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "QAPRESS_PUBLIC_BASE_URL": server.base_url,
        "QAPRESS_FETCH_ALLOW_NETWORKS": json.dumps(["127.0.0.1/32"]),
        "QAPRESS_FETCH_ALLOWED_PORTS": json.dumps([server.port]),
        "QAPRESS_FEEDS_IN_WORKER": "false",
    }
    command = [sys.executable, "-m", "qapress", "worker", "--once"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(PROCESSES)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0] * PROCESSES, outputs
    # ``qapress worker --once`` prints one line per checked link: "<id>\t<before> -> <after>\t<url>...".
    checked = [
        [line for line in stdout.splitlines() if line.split("\t")[0].isdigit()] for stdout, _ in outputs
    ]
    reported = [int(line.split("\t")[0]) for lines in checked for line in lines]
    assert Counter(reported) == Counter(ids), outputs
    fetched = Counter(path for path, _host in server.requests)
    assert fetched == Counter(f"/review-{n}" for n in range(LINKS))
    # More than one process took part (the race was real), and every link went live.
    assert sum(1 for lines in checked if lines) >= 2, outputs
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(link.c.status).where(link.c.id.in_(ids))).scalars().all()
    assert set(statuses) == {"live"}
