"""Verbs that serve the network: ``serve`` and ``demo``."""

from __future__ import annotations

import atexit
import errno
import os
import secrets
import shutil
import socket
import tempfile
from importlib import resources
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import Engine
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.http_protocol import protocol_class
from qapress.observe.logs import configure_logging
from qapress.settings import get_settings
from qapress.site.domains import load_domains, normalize_host
from qapress.store.demo import SEED_ARTICLE_ID, load_demo

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]
WorkersOption = Annotated[int, typer.Option(min=1, help="Worker processes.")]
DomainOption = Annotated[
    str | None,
    typer.Option("--domain", help="Pin one site by host: any unknown Host (127.0.0.1...) gets it."),
]
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client (qapress.observe.metrics)
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
    except OverflowError:
        sock.close()
        fail(f"--port {port}: pick a port from 1 to 65535")
    except OSError as exc:
        sock.close()
        if isinstance(exc, socket.gaierror):
            fail(
                f"cannot listen on {host}:{port}: unknown address; give --host an IP address such as 127.0.0.1"
            )
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} on {host} is already in use; pick another with --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
    sock.set_inheritable(True)
    # Listening now, before anything is printed: a browser opened on the printed URL waits in the backlog
    # until the workers accept.
    sock.listen(2048)
    return sock


def prepare_metrics_dir(workers: int) -> None:
    """Several workers share their metrics through files: a fresh folder in the data folder, set before any
    worker imports prometheus-client (one worker keeps them in memory)."""
    if workers < 2 or os.environ.get(MULTIPROC_ENV):
        return
    settings = get_settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix="metrics-", dir=settings.data_dir)
    except OSError as exc:
        fail(f"cannot make the metrics folder in {settings.data_dir}: {exc.strerror}; set QAPRESS_DATA_DIR")
    os.environ[MULTIPROC_ENV] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


def run_server(sock: socket.socket, host: str, port: int, workers: int) -> None:
    """Serve on our own TCP socket: in this process for one worker, else through uvicorn's supervisor."""
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    prepare_metrics_dir(workers)
    config = uvicorn.Config(
        "qapress.site.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        log_config=None,  # our logging (configure_logging), in the format asked for
        access_log=False,  # each request is logged by qapress.observe.requests when asked
        server_header=False,
        http=protocol_class(),  # prepared answers in one write (``qapress.http_protocol``)
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
    sock = listening_socket(host, port)
    stderr.print(f"listening on http://{host}:{port}/ with {workers} worker(s); Ctrl+C to stop", markup=False)
    run_server(sock, host, port, workers)


def site_urls(engine: Engine, port: int) -> list[tuple[str, str]]:
    """Each site's name and local address (``*.localhost`` is this machine for browsers)."""
    with engine.connect() as connection:
        return [(domain.name, f"http://{domain.host}:{port}/") for domain in load_domains(connection)]


def demo(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    domain: DomainOption = None,
    debug: DebugOption = False,
    check_links: Annotated[
        bool,
        typer.Option(
            "--check-links",
            help="Run the backlink worker, which fetches readers' links from the internet (off in the demo).",
        ),
    ] = False,
) -> None:
    """Create the database if missing, load the demo network (once) and serve it, logging each request."""
    configure_site(port, domain, debug, local=True)
    # Nothing leaves the machine unasked: the worker would fetch the demo's links from public hosts.
    os.environ["QAPRESS_LINKS_WORKER_IN_SERVE"] = "true" if check_links else "false"
    os.environ.setdefault("QAPRESS_ACCESS_LOG", "true")
    get_settings.cache_clear()
    engine = open_store(create=True)
    source_text = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    settings = get_settings()
    # The built network is kept in the data folder by its sources' and pipeline's hash: a store made
    # again there (deleted, or on another database URL) is restored in a moment instead of regenerated.
    created = load_demo(engine, source_text, cache_dir=settings.data_dir / "demo-cache")
    check_domain(engine, domain)
    sites = site_urls(engine, port)
    sock = listening_socket(host, port)
    width = max(len(name) for name, _url in sites) if sites else 0
    lines = [
        ("loaded the demo network into " if created else "reusing the demo network in ")
        + settings.resolved_database_url(),
        f"listening on http://{host}:{port}/ (every site answers there; *.localhost names pick one in a browser)",
        "",
        *[f"  {name.ljust(width)}  {url}" for name, url in sites],
        "",
        f"  the seed article  http://screen.localhost:{port}/a/{SEED_ARTICLE_ID}",
        f"  GraphQL           http://{host}:{port}/v1/graphql",
        f"  metrics, health   http://{host}:{port}/metrics  /healthz  /readyz",
        "",
        "backlink checks: " + ("on (--check-links)" if check_links else "off (--check-links turns them on)"),
        "Ctrl+C to stop; each request is logged below.",
    ]
    stderr.print("\n".join(lines), markup=False)
    run_server(sock, host, port, workers)
