"""Verbs that serve the network: ``serve`` and ``demo``."""

from __future__ import annotations

import errno
import os
import secrets
import socket
from importlib import resources
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import Engine
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.settings import get_settings
from qapress.site.domains import load_domains, normalize_host
from qapress.store.demo import SEED_ARTICLE_ID, load_demo

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option(min=1, help="Worker processes.")]
DomainOption = Annotated[
    str | None,
    typer.Option("--domain", help="Pin one site by host: any unknown Host (127.0.0.1...) gets it."),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show each page's GraphQL query, variables and timing on the page.")
]


def configure_site(port: int, domain: str | None, debug: bool, *, local: bool) -> None:
    """Hand the site options to the worker processes, which read their settings from the environment."""
    if domain:
        os.environ["QAPRESS_DOMAIN"] = domain
    if debug:
        os.environ["QAPRESS_DEBUG"] = "1"
    if local or domain:
        # Local use: canonical URLs on this port (Chromium resolves *.localhost to 127.0.0.1).
        os.environ.setdefault("QAPRESS_PUBLIC_BASE_URL", f"http://{{host}}:{port}")
    # Every worker must accept the forms the others rendered.
    os.environ.setdefault("QAPRESS_SECRET_KEY", secrets.token_urlsafe(32))
    get_settings.cache_clear()


def check_domain(engine: Engine, host: str | None) -> None:
    """``--domain`` must name a site of the store; say which exist when it does not."""
    if not host:
        return
    with engine.connect() as connection:
        hosts = [domain.host for domain in load_domains(connection)]
    if normalize_host(host) not in hosts:
        fail(f"--domain {host}: no site has that host; the sites are: {', '.join(hosts) or 'none yet'}")


def listening_socket(host: str, port: int) -> socket.socket:
    """The bound TCP socket every worker accepts on; one line, not a traceback, when the port is taken.

    The socket is made with ``IPPROTO_TCP`` explicitly: asyncio sets ``TCP_NODELAY`` on accepted connections
    only when the listening socket's ``proto`` says TCP, and uvicorn's own multi-process socket says 0, so
    each response then waited ~40 ms on the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} on {host} is already in use; pick another with --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
    sock.set_inheritable(True)
    return sock


def run_server(host: str, port: int, workers: int) -> None:
    """Serve on our own TCP socket: in this process for one worker, else through uvicorn's supervisor."""
    sock = listening_socket(host, port)
    config = uvicorn.Config(
        "qapress.site.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    with sock:
        try:
            if workers > 1:
                Multiprocess(config, sockets=[sock]).run()
                return
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            return
    if not server.started:
        raise typer.Exit(code=STARTUP_FAILURE)


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    domain: DomainOption = None,
    debug: DebugOption = False,
) -> None:
    """Serve the sites and the GraphQL endpoint."""
    configure_site(port, domain, debug, local=False)
    check_domain(open_store(), domain)
    stderr.print(f"serving on http://{host}:{port}/", markup=False)
    run_server(host, port, workers)


def demo(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    domain: DomainOption = None,
    debug: DebugOption = False,
) -> None:
    """Create the database if missing, load the demo network (once) and serve it."""
    configure_site(port, domain, debug, local=True)
    engine = open_store()
    source_text = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    created = load_demo(engine, source_text)
    check_domain(engine, domain)
    settings = get_settings()
    stderr.print(
        ("loaded the demo network into " if created else "reusing the demo network in ")
        + settings.resolved_database_url(),
        markup=False,
    )
    stderr.print(f"the seed article: http://screen.localhost:{port}/a/{SEED_ARTICLE_ID}", markup=False)
    stderr.print(f"GraphQL: http://{host}:{port}/v1/graphql", markup=False)
    run_server(host, port, workers)
