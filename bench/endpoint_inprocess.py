"""``python -m bench endpoint-inprocess``: ``/v1/graphql`` driven in process as uvicorn drives it, against its floor.

No socket and no uvicorn: a fresh HTTP scope (the headers ``http.client`` sends), a ``receive`` that hands
over the body in one message and a ``send`` that keeps the answer are given to ``qapress``'s application
(``create_app``, as ``qapress serve`` builds it, its lifespan started) and to the raw ASGI floor
(``bench.graphql_floor``) on one uvloop loop, in interleaved rounds with the same random variables; qapress
also by ``GET /v1/graphql?query=...``. What is left is the application's own cost per request over the
floor's: the median microseconds of each and their ratio.

``--profile``: py-spy samples this process while only qapress is driven (POST), and each sample is put in
the step of ``bench.endpoint_profile``'s rules: where the fast path's time goes without uvicorn's share.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import uvloop

from bench import data
from bench.endpoint_profile import DEBUG_STACKS, steps
from bench.machine import describe_machine
from bench.seed import random_variables, seed_query
from bench.timing import percentile

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/graphql"
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
#: What ``qapress serve`` is given by ``bench.pages.qapress_server`` (wrk's one address would be rate limited).
SERVE_ENV = {
    "QAPRESS_RATE_LIMIT_ANONYMOUS": "1000000000",
    "QAPRESS_LINKS_WORKER_IN_SERVE": "0",
    "QAPRESS_PURGE_WORKER_IN_SERVE": "0",
}
PROFILE_RATE = 1000


def post_scope(body: bytes) -> dict[str, Any]:
    """The scope uvicorn's httptools protocol builds for ``http.client``'s POST of ``body``."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50312),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"accept-encoding", b"identity"),
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
        ],
        "state": {},
    }


def get_scope(body: bytes) -> dict[str, Any]:
    """The GET of the same request: ``query`` and ``variables`` in the query string."""
    payload = orjson.loads(body)
    query = {"query": payload["query"], "variables": orjson.dumps(payload["variables"]).decode()}
    scope = post_scope(b"")
    scope["method"] = "GET"
    scope["query_string"] = urllib.parse.urlencode(query).encode()
    scope["headers"] = [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"identity")]
    return scope


class Call:
    """One request ready to be sent again and again: its scope (copied per call: apps write to it) and body."""

    def __init__(self, scope: dict[str, Any], body: bytes) -> None:
        self.scope = scope
        self.message = {"type": "http.request", "body": body, "more_body": False}

    async def __call__(self, app: App) -> bytes:
        sent: list[bytes] = []
        message = self.message
        given = False

        async def receive() -> dict[str, Any]:
            nonlocal given
            if given:
                await asyncio.sleep(3600)  # uvicorn's receive after the body: waits for a disconnect
            given = True
            return message

        async def send(out: dict[str, Any]) -> None:
            if out["type"] == "http.response.body":
                sent.append(out.get("body", b""))

        await app(dict(self.scope), receive, send)
        return b"".join(sent)


async def start_lifespan(app: App) -> Callable[[], Awaitable[None]]:
    """Run ``app``'s lifespan startup; the returned coroutine function shuts it down."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan startup failed: {started}")

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task

    return stop


def apps(network: data.Network) -> tuple[App, App]:
    """(qapress's application as ``qapress serve`` builds it, the floor) over ``network``."""
    os.environ.update(SERVE_ENV)
    os.environ["QAPRESS_DATABASE_URL"] = network.url
    os.environ["QAPRESS_DATA_DIR"] = tempfile.mkdtemp(prefix="qapress-bench-inprocess-")
    os.environ["BENCH_FLOOR_URL"] = network.url
    from qapress.settings import get_settings
    from qapress.site.app import create_app

    get_settings.cache_clear()
    qapress: App = create_app()
    module = sys.modules.get("bench.graphql_floor")
    # The floor opens its connection at import, from the URL then in the environment.
    floor: App = (importlib.reload(module) if module else importlib.import_module("bench.graphql_floor")).app
    return qapress, floor


async def drive(
    contenders: dict[str, tuple[App, list[Call]]], seconds: float, rounds: int
) -> dict[str, list[float]]:
    """Each contender's per-request microseconds, ``seconds`` each split over interleaved rounds."""
    clock = time.perf_counter_ns
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for name, (app, calls) in contenders.items():  # warm-up: plans cached, placed on the loop, statements
        for call in calls[:50]:
            answer = await call(app)
            if b'"data"' not in answer:
                raise RuntimeError(f"{name} answered {answer[:300]!r}")
    gc.collect()
    budget = seconds / rounds * 1e9
    index = 0
    for _ in range(rounds):
        for name, (app, calls) in contenders.items():
            out = times[name]
            started = clock()
            while clock() - started < budget:
                call = calls[index % len(calls)]
                index += 1
                t0 = clock()
                await call(app)
                out.append((clock() - t0) / 1000)
    return times


CONTENDERS = ("qapress", "floor", "qapress GET")
#: The frame every sample of a request's work is under (start-up and the lifespan are not).
DRIVER_FRAME = "drive (bench/endpoint_inprocess.py"


async def measure(network: data.Network, seconds: float, rounds: int, only: str | None) -> dict[str, float]:
    qapress, floor = apps(network)
    stop = await start_lifespan(qapress)
    try:
        bodies = [
            orjson.dumps({"query": seed_query(), "variables": v}) for v in random_variables(network, 200)
        ]
        posts = [Call(post_scope(body), body) for body in bodies]
        contenders: dict[str, tuple[App, list[Call]]] = {
            "qapress": (qapress, posts),
            "floor": (floor, posts),
            "qapress GET": (qapress, [Call(get_scope(body), b"") for body in bodies]),
        }
        if only is not None:
            contenders = {only: contenders[only]}
        times = await drive(contenders, seconds, rounds)
    finally:
        await stop()
    return {name: percentile(values, 50) for name, values in times.items()}


def run(network: data.Network, seconds: float, rounds: int, only: str | None = None) -> dict[str, float]:
    return uvloop.run(measure(network, seconds, rounds, only))


def profile(network: data.Network, seconds: int, only: str) -> list[str]:
    """py-spy over a child process that drives only ``only``: the steps' shares of the samples of its
    requests (the stacks through the driver's loop, so no start-up)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        child = [sys.executable, "-m", "bench", "endpoint-inprocess", "--only", only, "--no-write"]
        child += ["--articles", str(network.articles), "--backends", network.backend]
        child += ["--seconds", str(seconds), "--rounds", "1"]
        spy = [str(Path(sys.executable).with_name("py-spy")), "record", "--rate", str(PROFILE_RATE)]
        spy += ["--nonblocking", "--format", "raw", "--gil", "--output", str(out), "--", *child]
        subprocess.run(spy, check=True, capture_output=True, timeout=seconds + 300)
        stacks = out.read_text()
        if DEBUG_STACKS:
            Path(DEBUG_STACKS).write_text(stacks)
        requests = [line for line in stacks.splitlines() if DRIVER_FRAME in line]
        counts, total = steps("\n".join(line for line in requests if "(qapress/" in line))
        # The rest is the driver's own work (its scope, receive and send), no part of the app's cost.
        driver = sum(int(line.rpartition(" ")[2]) for line in requests if "(qapress/" not in line)
        counts["the driver (bench: scope, receive, send)"] += driver
        total += driver
    lines = [f"| step ({network.backend}, {only}, in process) | share of GIL samples |", "| --- | ---: |"]
    for step, count in counts.most_common():
        lines.append(f"| {step} | {count / max(total, 1):.1%} |")
    lines.append(f"| **all** | {total} samples |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench endpoint-inprocess", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=4.0, help="time per contender")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--only", choices=CONTENDERS, help="drive this one alone (what --profile samples)")
    parser.add_argument("--profile", action="store_true", help="py-spy the fast path's steps, in process")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    machine = describe_machine()
    lines = [
        "",
        f"## /v1/graphql in process against its floor ({machine.date})",
        "",
        *machine.lines(),
        "",
        f"`python -m bench endpoint-inprocess`: {args.articles:,} articles; medians of interleaved rounds.",
        "",
        "| backend | qapress POST (µs) | floor (µs) | ratio | qapress GET (µs) | GET ÷ floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    profiles: list[str] = []
    for backend in args.backends:
        network = data.ensure(args.articles, backend, data.DATA_DIR)
        if args.profile:
            profiles += ["", *profile(network, int(args.seconds), args.only or "qapress")]
            continue
        medians = run(network, args.seconds, args.rounds, args.only)
        if args.only:
            print(f"{backend}: {args.only} {medians[args.only]:.1f} µs", flush=True)
            continue
        q, f, g = medians["qapress"], medians["floor"], medians["qapress GET"]
        line = f"| {backend} | {q:.1f} | {f:.1f} | {q / f:.2f}x | {g:.1f} | {g / f:.2f}x |"
        print(line, flush=True)
        lines.append(line)
    lines += profiles
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_write and not args.only:
        with args.output.open("a", encoding="utf-8") as out:
            out.write(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
