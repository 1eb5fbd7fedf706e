"""Link verifications per second: the links worker checking 1,000 pending links against local pages.

A small network of its own (never the cached query networks) gets 1,000 pending links, at most five per
article, pointing at ``bench.link_pages`` on 127.0.0.1 (reached through the fetcher's explicit allow-list
``fetch_allow_networks``); one in ten pages leaves out the backlink. One ``LinkWorker.run_once`` checks them
all, and the figure is links checked per second of wall time.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench import data
from bench.pages import Server, _env, free_port

LINKS = 1_000
PER_ARTICLE = 5


@dataclass
class LinksResult:
    backend: str
    links: int = 0
    checked: int = 0
    seconds: float = float("nan")
    live: int = 0
    rejected: int = 0
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.checked / self.seconds if self.seconds and self.checked else float("nan")

    def line(self) -> str:
        if self.note:
            return f"- {self.backend}: {self.note}"
        return (
            f"- {self.backend}: {self.per_second:,.0f} verifications/s ({self.checked:,} of {self.links:,}"
            f" pending links checked by one worker; {self.live:,} live, {self.rejected:,} rejected as"
            " expected for the pages without a backlink)"
        )


def links_available() -> str | None:
    try:
        from qapress.links.worker import LinkWorker  # noqa: F401
        from qapress.store.urls import article_url  # noqa: F401
    except ImportError:
        return "not yet: the links worker (qapress.links.worker) is not on this branch"
    return None


def pages_server() -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.link_pages:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    command += ["--log-level", "warning", "--no-access-log", "--lifespan", "off"]
    return Server(command, _env({}), port)


def seed_links(network: data.Network, base: str, count: int) -> int:
    """``count`` pending links over the first articles, ``PER_ARTICLE`` each; returns how many."""
    import sqlalchemy as sa

    from qapress.links.url_key import url_key
    from qapress.store import open_engine
    from qapress.store.schema import domain, link, qa_ai
    from qapress.store.urls import article_url

    engine = open_engine(network.url)
    try:
        with engine.begin() as connection:
            articles = connection.execute(
                sa.select(qa_ai.c.id, qa_ai.c.slug, domain.c.host)
                .join(domain, domain.c.id == qa_ai.c.domain)
                .order_by(qa_ai.c.id)
                .limit(-(-count // PER_ARTICLE))
            ).all()
            rows = []
            for n in range(count):
                article_id, slug, host = articles[n // PER_ARTICLE]
                canonical = article_url(host, article_id, slug, "http", None)
                params = {"to": canonical, "n": str(n)} | ({"nolink": "1"} if n % 10 == 9 else {})
                url = f"{base}/page?{urlencode(params)}"
                rows.append(
                    {
                        "article_id": article_id,
                        "url": url,
                        "url_key": url_key(url),
                        "consent": True,
                        "status": "pending",
                    }
                )
            connection.execute(link.delete())
            connection.execute(link.insert(), rows)
    finally:
        engine.dispose()
    return len(rows)


def bench_links(backend: str, count: int = LINKS) -> LinksResult:
    result = LinksResult(backend)
    reason = links_available()
    if reason is not None:
        result.note = reason
        return result
    from qapress.links.checker import BacklinkChecker
    from qapress.links.worker import LinkWorker
    from qapress.settings import Settings
    from qapress.store import open_engine

    with tempfile.TemporaryDirectory() as tmp:
        prefix = "qapress_bench_links"
        network = data.ensure(count, backend, Path(tmp), log=False, pg_prefix=prefix)
        server = pages_server()
        try:
            server.wait_ready()
            result.links = seed_links(network, f"http://127.0.0.1:{server.port}", count)
            settings = Settings(
                database_url=network.url,
                public_scheme="http",
                fetch_allow_networks=["127.0.0.1/32"],
                ip_hash_salt="bench",
            )
            engine = open_engine(network.url)
            try:
                worker = LinkWorker(BacklinkChecker.from_settings(engine, settings), poll_seconds=3600)
                started = time.perf_counter()
                checks = worker.run_once(batch_size=100, max_batches=count // 100 + 2)
                result.seconds = time.perf_counter() - started
            finally:
                engine.dispose()
            result.checked = len(checks)
            result.live = sum(1 for c in checks if c.after == "live")
            result.rejected = sum(1 for c in checks if c.after == "rejected")
        finally:
            server.stop()
            if backend == "postgresql":
                data.drop_pg(count, prefix)
    return result
