"""``qapress serve --workers 2``: two processes, two page caches, one store; a change shows in both at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.postgres_cluster import free_port
from tests.served import qapress_serve

from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import qa_ai


@pytest.fixture(scope="module")
def server(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    from tests.site.live import demo_store

    demo_store(demo_url).dispose()
    folder = tmp_path_factory.mktemp("serve")
    with qapress_serve(demo_url, folder, workers=2, domain="screen.localhost") as served:
        yield served.port, demo_url


def seed_titles(port: int, requests: int = 16) -> set[str]:
    """The h1 of the seed page over fresh connections (each may land on either worker)."""
    titles = set()
    for _ in range(requests):
        first = httpx.get(
            f"http://127.0.0.1:{port}/a/{SEED_ARTICLE_ID}", headers={"Host": f"screen.localhost:{port}"}
        )
        assert first.status_code == 301
        location = httpx.URL(first.headers["location"])
        page = httpx.get(
            f"http://127.0.0.1:{port}{location.raw_path.decode()}", headers={"Host": location.netloc.decode()}
        )
        assert page.status_code == 200
        titles.add(HTMLParser(page.text).css_first("h1").text())
    return titles


def test_a_change_reaches_every_worker_cache(server: tuple[int, str]) -> None:
    port, url = server
    assert len(seed_titles(port)) == 1  # both workers render and cache the page
    from qapress.store import open_engine

    engine = open_engine(url)
    with engine.begin() as connection:
        connection.execute(
            qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title="Heat 2, retitled")
        )
    engine.dispose()
    assert seed_titles(port) == {"Heat 2, retitled"}


def test_every_edit_shows_on_the_very_next_request_in_either_worker(server: tuple[int, str]) -> None:
    """Edits from another process, each read back at once over a fresh connection (either worker): never
    the page from before, though hits ask the database nothing (SQLite: data_version; PostgreSQL: LISTEN)."""
    port, url = server
    from qapress.store import open_engine

    seed_titles(port)  # both workers have the page cached
    path = None
    engine = open_engine(url)
    stale = []
    try:
        for n in range(30):
            title = f"Heat 2, edit {n}"
            with engine.begin() as connection:
                connection.execute(qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title))
            if path is None:
                first = httpx.get(
                    f"http://127.0.0.1:{port}/a/{SEED_ARTICLE_ID}",
                    headers={"Host": f"screen.localhost:{port}"},
                )
                path = httpx.URL(first.headers["location"]).raw_path.decode()
            for _ in range(2):  # a new connection each: one request per worker, most of the time
                page = httpx.get(
                    f"http://127.0.0.1:{port}{path}", headers={"Host": f"screen.localhost:{port}"}
                )
                shown = HTMLParser(page.text).css_first("h1").text()
                if shown != title:
                    stale.append((n, shown))
    finally:
        engine.dispose()
    assert stale == []


def test_the_pinned_domain_serves_unknown_hosts(server: tuple[int, str]) -> None:
    port, _ = server
    home = httpx.get(f"http://127.0.0.1:{port}/")
    assert HTMLParser(home.text).css_first(".brand").text() == "Screen Q&A"
    canonical = HTMLParser(home.text).css_first("link[rel=canonical]").attributes["href"]
    assert canonical == f"http://screen.localhost:{port}/"


def test_an_unknown_domain_is_one_line(demo_url: str, tmp_path: Path) -> None:
    from tests.site.live import demo_store

    demo_store(demo_url).dispose()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qapress",
            "serve",
            "--port",
            str(free_port()),
            "--domain",
            "nowhere.localhost",
        ],
        env={**os.environ, "QAPRESS_DATABASE_URL": demo_url, "QAPRESS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--domain nowhere.localhost: no site has that host; the sites are: news.localhost" in result.stderr
