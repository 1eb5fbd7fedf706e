"""Verbs that serve the network: ``serve`` and ``demo``."""

from __future__ import annotations

import errno
import socket
from importlib import resources
from typing import Annotated

import typer
import uvicorn

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.settings import get_settings
from qapress.store.demo import SEED_ARTICLE_ID, load_demo

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option(min=1, help="Worker processes.")]


def check_port_free(host: str, port: int) -> None:
    """Fail with one line when the port is taken, before uvicorn would print a traceback-like log."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use; pick another with --port")
            fail(f"cannot listen on {host}:{port}: {exc.strerror}")


def run_server(host: str, port: int, workers: int) -> None:
    check_port_free(host, port)
    uvicorn.run(
        "qapress.site.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Serve the sites and the GraphQL endpoint."""
    open_store()
    stderr.print(f"serving on http://{host}:{port}/", markup=False)
    run_server(host, port, workers)


def demo(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Create the database if missing, load the demo network (once) and serve it."""
    engine = open_store()
    source_text = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    created = load_demo(engine, source_text)
    settings = get_settings()
    stderr.print(
        ("loaded the demo network into " if created else "reusing the demo network in ")
        + settings.resolved_database_url(),
        markup=False,
    )
    stderr.print(f"the seed article: http://{host}:{port}/a/{SEED_ARTICLE_ID}", markup=False)
    stderr.print(f"GraphQL: http://{host}:{port}/v1/graphql", markup=False)
    run_server(host, port, workers)
