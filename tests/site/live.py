"""A real uvicorn server on 127.0.0.1 (ephemeral port) running the site over a demo store, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from qapress.http_protocol import RESPONSE_STARTS, protocol_class
from qapress.settings import Settings
from qapress.site.app import SiteApp, create_app
from qapress.store import migrate, open_engine
from qapress.store.demo import load_demo


def demo_store(url: str) -> Engine:
    """A migrated store at ``url`` holding the demo network."""
    engine = open_engine(url)
    migrate(engine)
    source = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    load_demo(engine, source)
    return engine


@dataclass
class LiveSite:
    """A running site: ``get`` sends a request with the Host of a demo site; ``statements`` logs the SQL."""

    port: int
    engine: Engine
    app: Starlette
    statements: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)  # (path, status) as the server sent them
    #: The ASGI message type that started each response (``http_protocol.PREPARED_RESPONSE`` for one write).
    starts: list[str] = field(default_factory=list)

    @property
    def site(self) -> SiteApp:
        site: SiteApp = self.app.state.site
        return site

    def url(self, path: str, host: str = "screen.localhost") -> str:
        return f"http://{host}:{self.port}{path}"

    def get(self, path: str, host: str = "screen.localhost", **headers: str) -> httpx.Response:
        return self.request("GET", path, host, headers=headers)

    def request(
        self, method: str, path: str, host: str = "screen.localhost", **kwargs: Any
    ) -> httpx.Response:
        headers = {"Host": f"{host}:{self.port}", **kwargs.pop("headers", {})}
        return httpx.request(
            method,
            f"http://127.0.0.1:{self.port}{path}",
            headers=headers,
            follow_redirects=False,
            timeout=30,
            **kwargs,
        )

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """The SQL statements sent while the block runs."""
        start = len(self.statements)
        seen: list[str] = []
        yield seen
        seen.extend(self.statements[start:])


@contextmanager
def serve_site(engine: Engine, http: Any = None, **settings: Any) -> Iterator[LiveSite]:
    """Run the site over ``engine`` until the block ends, with the HTTP protocol ``qapress serve`` uses
    (``http_protocol.protocol_class``) unless ``http`` names another."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        public_base_url=settings.pop("public_base_url", f"http://{{host}}:{port}"),
        secret_key="test-secret",
        ip_hash_salt="test-salt",
        links_worker_in_serve=settings.pop("links_worker_in_serve", False),
        purge_worker_in_serve=settings.pop("purge_worker_in_serve", False),
        **settings,
    )
    app = create_app(config, engine)
    live = LiveSite(port, engine, app)

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        live.statements.append(statement)

    # Statements go two ways: SQLAlchemy (seen by its event), and the raw per-thread connections of the
    # engine (seen by wrapping their one entry point; the real call still runs). The change watch's
    # ``PRAGMA data_version`` on its own connections is not a statement to the store's data.
    sa.event.listen(engine, "before_cursor_execute", record)
    for connections in (live.site.gql.connections,):
        fetch_text, fetch_rows = connections.fetch_text, connections.fetch_rows

        def recording(sql: str, params: Any, *limits: Any, fetch_text: Any = fetch_text) -> Any:
            live.statements.append(sql)
            return fetch_text(sql, params, *limits)

        def recording_rows(sql: str, params: Any, *limits: Any, fetch_rows: Any = fetch_rows) -> Any:
            live.statements.append(sql)  # a large answer's flat statement (engine/flat.py)
            return fetch_rows(sql, params, *limits)

        connections.fetch_text = recording  # type: ignore[method-assign]
        connections.fetch_rows = recording_rows  # type: ignore[method-assign]

    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        async def send_recorded(message: Any) -> None:
            if message["type"] in RESPONSE_STARTS:
                live.responses.append((scope["path"], message["status"]))
                live.starts.append(message["type"])
            await send(message)

        await app(scope, receive, send_recorded if scope["type"] == "http" else send)

    server = uvicorn.Server(
        uvicorn.Config(
            recording_app,
            log_level="warning",
            log_config=None,  # as ``qapress serve``: uvicorn's dictConfig would give its loggers handlers
            access_log=False,
            lifespan="on",
            http=protocol_class() if http is None else http,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sa.event.remove(engine, "before_cursor_execute", record)
        sock.close()
