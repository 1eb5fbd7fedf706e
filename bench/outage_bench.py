"""``python -m bench outages``: ``qapress serve`` under a steady mixed load while its database goes away.

Two outages, each with the real parts: a PostgreSQL cluster of the bench's own stopped (``immediate``, a
crash as clients see it) and started again, and on SQLite another process holding the write lock well past the
busy timeout while readers submit links. Clients keep sending article pages, the home page, GraphQL queries,
link submissions and ``/healthz`` throughout. What must hold: no 500 in any phase, ``/healthz`` answers during
the outage, the server recovers by itself, and the server logs no traceback. Printed per phase (before,
during, after): answers by status, p50/p99 latency, the slowest ``/healthz``; then the time from the database's
return to the first good page. ``--fuzz-examples N`` also runs the fuzz suite (tests/engine/test_fuzz.py) with N
examples per property: the long run of what CI runs with a few dozen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import httpx
import sqlalchemy as sa
from tests.postgres_cluster import PostgresCluster, postgres_bin_dir

from bench.machine import describe_machine
from bench.pages import ROOT, Server, free_port
from qapress.store import migrate, open_engine
from qapress.store.demo import SEED_ARTICLE_ID, load_demo
from qapress.store.schema import domain, qa_ai

PHASES = ("before", "during", "after")


@dataclass
class Answer:
    kind: str
    phase: str
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    ms: float


@dataclass
class OutageRun:
    """One outage under load: every answer, the server's log, and when the database came back."""

    name: str
    answers: list[Answer] = field(default_factory=list)
    back_at: float = 0.0
    first_good_after_back: float | None = None
    tracebacks: int = 0

    def table(self) -> list[str]:
        lines = [
            f"### {self.name}",
            "",
            "| phase | answers | by status | p50 ms | p99 ms | slowest /healthz ms |",
            "| --- | ---: | --- | ---: | ---: | ---: |",
        ]
        for phase in PHASES:
            here = [a for a in self.answers if a.phase == phase]
            if not here:
                continue
            statuses = Counter(a.status for a in here)
            shown = ", ".join(f"{status or 'none'}: {n}" for status, n in sorted(statuses.items()))
            times = sorted(a.ms for a in here)
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            health = max((a.ms for a in here if a.kind == "healthz"), default=float("nan"))
            lines.append(
                f"| {phase} | {len(here)} | {shown} | {statistics.median(times):.1f} | {p99:.1f} | {health:.1f} |"
            )
        five_hundreds = sum(1 for a in self.answers if a.status >= 500 and a.status != 503)
        recovered = (
            f"{self.first_good_after_back * 1000:.0f} ms"
            if self.first_good_after_back is not None
            else "never"
        )
        lines += [
            "",
            f"Answers other than 503 in the 5xx range: {five_hundreds}. First good page after the database was back:"
            f" {recovered}. Tracebacks in the server's log: {self.tracebacks}.",
            "",
        ]
        return lines

    @property
    def ok(self) -> bool:
        return (
            not any(a.status >= 500 and a.status != 503 for a in self.answers)
            and self.first_good_after_back is not None
            and self.tracebacks == 0
        )


def demo_network(url: str) -> tuple[str, str]:
    """Load the demo network at ``url``; (the seed site's host, the seed page's path)."""
    engine = open_engine(url)
    migrate(engine)
    source = resources.files("qapress.store").joinpath("demo_data/heat-2-source.txt").read_text("utf-8")
    load_demo(engine, source)
    with engine.connect() as connection:
        slug, host = connection.execute(
            sa.select(qa_ai.c.slug, domain.c.host)
            .join(domain, domain.c.id == qa_ai.c.domain)
            .where(qa_ai.c.id == SEED_ARTICLE_ID)
        ).one()
    engine.dispose()
    return str(host), f"/a/{SEED_ARTICLE_ID}/{slug}"


def start_server(url: str, workers: int, log_dir: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "qapress", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env.update(
        {
            "QAPRESS_DATABASE_URL": url,
            "QAPRESS_DATA_DIR": str(log_dir),
            "QAPRESS_SECRET_KEY": "bench-outage",
            "QAPRESS_IP_HASH_SALT": "bench-outage",
            "QAPRESS_LINKS_WORKER_IN_SERVE": "false",  # the links it would check point nowhere
            "QAPRESS_RATE_LIMIT_ANONYMOUS": "1000000000",  # every client is 127.0.0.1
        }
    )
    server = Server(command, env, port)
    try:
        server.wait_ready(timeout=120)
    except RuntimeError:
        server.stop()
        raise
    return server


async def load(
    port: int,
    host: str,
    page: str,
    clock: Callable[[], str],
    answers: list[Answer],
    stop: asyncio.Event,
    clients: int,
) -> None:
    """``clients`` loops, each sending the mix in turn until ``stop``."""
    graphql = {"query": "{ qa_ai(limit: 3, order_by: {id: desc}) { id title } }"}
    link = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"
    mix: list[tuple[str, str, str, dict[str, object]]] = [
        ("page", "GET", page, {}),
        ("home", "GET", "/", {}),
        ("graphql", "POST", "/v1/graphql", {"json": graphql}),
        ("link", "POST", "/v1/graphql", {"json": {"query": link}}),
        ("healthz", "GET", "/healthz", {}),
    ]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Host": f"{host}:{port}"}, timeout=30, limits=limits
    ) as client:

        async def one_client(number: int) -> None:
            turn = number
            while not stop.is_set():
                kind, method, path, extra = mix[turn % len(mix)]
                turn += 1
                if (
                    kind == "link"
                ):  # a new URL each time: the rules refuse most (page full), after a write lock
                    variables = {
                        "o": {
                            "article_id": SEED_ARTICLE_ID,
                            "url": f"https://r{turn}.example/",
                            "consent": True,
                        }
                    }
                    extra = {"json": {**extra["json"], "variables": variables}}  # type: ignore[dict-item]
                started = time.perf_counter()
                phase = clock()
                try:
                    response = await client.request(method, path, **extra)  # type: ignore[arg-type]
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                answers.append(Answer(kind, phase, status, (time.perf_counter() - started) * 1000))

        await asyncio.gather(*(one_client(n) for n in range(clients)))


def run_outage(
    name: str,
    url: str,
    begin: Callable[[], None],
    end: Callable[[], None],
    *,
    warm: float,
    outage: float,
    after: float,
    clients: int,
    workers: int,
) -> OutageRun:
    host, page = demo_network(url)
    run = OutageRun(name)
    with tempfile.TemporaryDirectory(prefix="qapress-outage-") as folder:
        server = start_server(url, workers, Path(folder))
        phase = ["before"]
        stop = asyncio.Event()

        async def timeline() -> None:
            task = asyncio.create_task(
                load(server.port, host, page, lambda: phase[0], run.answers, stop, clients)
            )
            await asyncio.sleep(warm)
            await asyncio.to_thread(begin)
            phase[0] = "during"
            await asyncio.sleep(outage)
            await asyncio.to_thread(end)
            run.back_at = time.perf_counter()
            phase[0] = "after"
            mark = len(run.answers)
            deadline = time.monotonic() + after
            while time.monotonic() < deadline:
                good = [a for a in run.answers[mark:] if a.kind == "page" and a.status == 200]
                if good and run.first_good_after_back is None:
                    run.first_good_after_back = time.perf_counter() - run.back_at
                await asyncio.sleep(0.01)
            stop.set()
            await task

        try:
            asyncio.run(timeline())
        finally:
            server.log.seek(0)
            run.tracebacks = server.log.read().decode(errors="replace").count("Traceback")
            server.stop()
    return run


def postgres_outage(args: argparse.Namespace) -> OutageRun:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise SystemExit("bench outages: PostgreSQL's server binaries (initdb) are not installed")
    cluster = PostgresCluster(bin_dir, max_connections=100)
    cluster.start()
    try:
        url = cluster.create_database("qapress_outage")
        return run_outage(
            f"PostgreSQL stopped for {args.outage:g} s (pg_ctl stop -m immediate), then started",
            url,
            lambda: cluster.stop("immediate"),
            cluster.start,
            warm=args.warm,
            outage=args.outage,
            after=args.after,
            clients=args.clients,
            workers=args.workers,
        )
    finally:
        cluster.destroy()


def sqlite_lock(args: argparse.Namespace) -> OutageRun:
    with tempfile.TemporaryDirectory(prefix="qapress-outage-db-") as folder:
        path = Path(folder) / "qapress.db"
        holder: list[sqlite3.Connection] = []

        def begin() -> None:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN EXCLUSIVE")  # readers in WAL mode still read; writers wait, then "busy"
            holder.append(connection)

        def end() -> None:
            holder.pop().rollback()

        return run_outage(
            f"SQLite write lock held for {args.sqlite_lock:g} s by another process (the busy timeout is 10 s)",
            f"sqlite:///{path}",
            begin,
            end,
            warm=args.warm,
            outage=args.sqlite_lock,
            after=args.after,
            clients=args.clients,
            workers=args.workers,
        )


def fuzz(examples: int) -> int:
    """The fuzz suite with ``examples`` per property; its exit code."""
    env = dict(os.environ, QAPRESS_FUZZ_EXAMPLES=str(examples))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/engine/test_fuzz.py"]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench outages", description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=float, default=5.0, help="seconds of load before the outage")
    parser.add_argument("--outage", type=float, default=8.0, help="seconds the database is away")
    parser.add_argument(
        "--sqlite-lock",
        type=float,
        default=14.0,
        help="seconds the SQLite write lock is held (past the 10 s busy timeout)",
    )
    parser.add_argument("--after", type=float, default=8.0, help="seconds of load after it is back")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--only", choices=["postgresql", "sqlite"], help="one of the two outages")
    parser.add_argument("--fuzz-examples", type=int, default=0, help="also run the fuzz suite this long")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    runs = []
    if args.only in (None, "postgresql"):
        runs.append(postgres_outage(args))
    if args.only in (None, "sqlite"):
        runs.append(sqlite_lock(args))
    machine = describe_machine()
    stamp = machine.date
    lines = [
        f"## Outages under load ({stamp})",
        "",
        f"Machine: {machine.cores} cores {machine.cpu_model}, Python {machine.python}, load {machine.load}."
        f" `python -m bench outages`: {args.clients} clients over"
        f" {args.workers} workers sending the article page, the home page, a GraphQL query, a reader's link"
        f" (the GraphQL mutation: a write) and /healthz in turn; {args.warm:g} s before, {args.outage:g} s of outage, {args.after:g} s after.",
        "",
    ]
    for run in runs:
        lines += run.table()
    fuzz_code = fuzz(args.fuzz_examples) if args.fuzz_examples else 0
    if args.fuzz_examples:
        lines += [f"Fuzz suite with {args.fuzz_examples} examples per property: exit code {fuzz_code}.", ""]
    print("\n".join(lines))
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(lines))
        print(f"[bench] appended to {args.output}")
    return 0 if all(run.ok for run in runs) and fuzz_code == 0 else 1
