"""``python -m bench endpoint-profile``: where a ``/v1/graphql`` fast-path request's time goes, by py-spy.

``qapress serve`` (one worker) answers the seed query under ``wrk -c32`` (POST, the plan cached) while
py-spy samples the server's process from outside, only the thread that holds the GIL (``--gil``): py-spy's own
idle test does not work in this container (threads asleep in epoll, a queue or ``time.sleep`` come out busy),
and the GIL holder is the one doing a request's Python work. What runs without the GIL, the database's own
work (SQLite's ``sqlite3_step``, the wait for PostgreSQL's answer), is read from the server's
``qapress_database_duration_seconds`` histogram instead (``/metrics`` before and after: wall time per
statement, the driver's call included). Each sample's stack is put in the step
of the request it is in, read from the leaf up: the first frame that names a step decides (the database
call under the engine's run is "database", the engine's own code around it "engine"). A step's CPU
microseconds per request are its samples over the sampling rate, divided by the requests answered while
py-spy sampled (wrk's rate times the seconds sampled).

The steps: uvicorn's HTTP parsing and transport, and uvloop's own C (callbacks, socket I/O); the site's
dispatch; the fast path's header scan, body read and JSON parse; the caller and rate-limit admission; the
plan-cache lookup with its variable check, or for a repeated body the memo's lookup and epoch check; the engine around the statement (binding, the answer's wrapping);
the driver's call while it holds the GIL; the threadpool hop; the response's headers; the ASGI send (uvicorn
writing the answer); metrics; the event loop's scheduling. Then the database statement's wall time.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

from bench import data
from bench.machine import describe_machine
from bench.pages import graphql_lua, parse_wrk, qapress_server, run_wrk
from bench.profile import collapsed_stacks
from bench.seed import random_variables, seed_query

ROOT = Path(__file__).resolve().parents[1]
FAST_HTTP = ROOT / "src" / "qapress" / "engine" / "fast_http.py"
RATE = 500
DEBUG_STACKS = __import__("os").environ.get("BENCH_PROFILE_STACKS", "")

#: (substring of a py-spy frame, step), tried in order on each frame from the leaf up.
RULES: tuple[tuple[str, str], ...] = (
    ("(qapress/engine/connections.py", "driver call, with the GIL (psycopg, sqlite3)"),
    ("(<flat plan>", "JSON assembly (rows + orjson)"),
    ("prepare_cached (qapress/engine/engine.py", "plan lookup, variable check"),
    ("still_current (qapress/engine/engine.py", "body memo: key, lookup, epoch check"),
    ("(qapress/engine/body_memo.py", "body memo: key, lookup, epoch check"),
    ("(qapress/engine/plan.py", "plan lookup, variable check"),
    ("(qapress/engine/engine.py", "engine around the statement (bind, wrap)"),
    ("(qapress/engine/admission.py", "caller, rate-limit admission"),
    ("(qapress/engine/ratelimit.py", "caller, rate-limit admission"),
    ("_caller (qapress/engine/fast_http.py", "caller, rate-limit admission"),
    ("(starlette/requests.py", "caller, rate-limit admission"),
    ("(starlette/datastructures.py", "caller, rate-limit admission"),
    ("(qapress/engine/media.py", "header scan, body read, JSON parse"),
    ("_body (qapress/engine/fast_http.py", "header scan, body read, JSON parse"),
    ("_received_now (qapress/engine/fast_http.py", "header scan, body read, JSON parse"),
    ("_receive_timed (qapress/engine/fast_http.py", "header scan, body read, JSON parse"),
    ("__init__ (qapress/engine/fast_http.py", "header scan, body read, JSON parse"),
    ("_prepared_headers (qapress/engine/fast_http.py", "response headers"),
    ("_known_headers (qapress/engine/fast_http.py", "response headers"),
    ("_headers_key (qapress/engine/fast_http.py", "response headers"),
    ("(qapress/observe/", "metrics"),
    ("send (uvicorn/", "ASGI send (uvicorn writes the answer)"),
    ("_send (qapress/engine/fast_http.py", "ASGI send (uvicorn writes the answer)"),
    ("(uvicorn/", "uvicorn: HTTP parsing, transport"),
    ("(httptools/", "uvicorn: HTTP parsing, transport"),
    ("(anyio/", "threadpool hop"),
    ("(starlette/concurrency.py", "threadpool hop"),
    ("(concurrent/futures/", "threadpool hop"),
    ("(threading.py", "threadpool hop"),
    ("_timed_run (qapress/engine/fast_http.py", "threadpool hop"),
    ("(qapress/engine/placement.py", "fast path's own code"),
    ("(qapress/engine/fast_http.py", "fast path's own code"),
    ("(qapress/site/app.py", "site dispatch (SiteServer.__call__)"),
    ("Runner.run (asyncio/runners.py", "event loop: uvloop's C (callbacks, httptools parsing, socket I/O)"),
    ("(asyncio/", "event loop scheduling"),
    ("(uvloop/", "event loop scheduling"),
)


#: Leaf frames of a thread that waits (py-spy's idle test sees only I/O waits of the OS).
_WAITS = ("Condition.wait (threading.py", "Event.wait (threading.py", "Queue.get (queue.py")


def _parse_line() -> str:
    """The fast path's frame of the line that parses the POST body (orjson.loads is C: py-spy charges its
    time to that line)."""
    for number, line in enumerate(FAST_HTTP.read_text(encoding="utf-8").splitlines(), start=1):
        if "payload = orjson.loads(body)" in line:
            return f"(qapress/engine/fast_http.py:{number})"
    return "(qapress/engine/fast_http.py:?)"


def steps(collapsed: str) -> tuple[collections.Counter[str], int]:
    """Samples per step from py-spy's collapsed stacks, and the samples counted."""
    parse = _parse_line()
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for frames, count in collapsed_stacks(collapsed):
        if any(frames[-1].startswith(wait) for wait in _WAITS):
            continue  # a thread blocked on a lock or a queue: not work of a request
        total += count
        counts[_step(frames, parse)] += count
    return counts, total


def _step(frames: list[str], parse: str) -> str:
    for frame in reversed(frames):
        if parse in frame:
            return "header scan, body read, JSON parse"
        for needle, step in RULES:
            if needle in frame:
                return step
    return "other (Python start-up frames, libraries)"


def database_seconds(port: int) -> tuple[float, float]:
    """(sum of seconds, statements) of the server's ``qapress_database_duration_seconds``."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    total = count = 0.0
    for line in text.splitlines():
        if line.startswith("qapress_database_duration_seconds_sum"):
            total += float(line.rsplit(" ", 1)[1])
        elif line.startswith("qapress_database_duration_seconds_count"):
            count += float(line.rsplit(" ", 1)[1])
    return total, count


def profile(network: data.Network, seconds: int) -> tuple[list[str], float]:
    """The table of steps for one backend, and wrk's requests per second while sampled."""
    server = qapress_server(network, 1)
    variables = random_variables(network, 1, seed=7)[0]
    body = orjson.dumps({"query": seed_query(), "variables": variables})
    try:
        server.wait_ready(timeout=180)
        with tempfile.TemporaryDirectory() as tmp:
            lua = graphql_lua(body, Path(tmp))
            url = f"http://127.0.0.1:{server.port}/v1/graphql"
            run_wrk(url, seconds=3, connections=32, headers={}, lua=lua)  # warm: the plan cached, measured
            out = Path(tmp) / "stacks.txt"
            spy = [str(Path(sys.executable).with_name("py-spy")), "record", "--rate", str(RATE)]
            spy += ["--format", "raw", "--subprocesses", "--gil", "--duration", str(seconds - 2)]
            spy += ["--output", str(out), "--pid", str(server.process.pid)]
            result: dict[str, str] = {}

            def load() -> None:
                result["wrk"] = run_wrk(url, seconds=seconds, connections=32, headers={}, lua=lua)

            time.sleep(1.5)  # the metrics flushed (once a second)
            before = database_seconds(server.port)
            loader = threading.Thread(target=load)
            loader.start()
            time.sleep(1.0)
            subprocess.run(spy, check=True, capture_output=True, timeout=seconds + 60)
            loader.join()
            time.sleep(1.5)
            after = database_seconds(server.port)
            rps, _p50, _p99, failures = parse_wrk(result["wrk"])
            counts, total = steps(out.read_text())
            if DEBUG_STACKS:
                Path(DEBUG_STACKS).write_text(out.read_text())
    finally:
        server.stop()
    requests = rps * (seconds - 2)
    lines = [
        f"| step | share of GIL samples | CPU µs per request ({network.backend}) |",
        "| --- | ---: | ---: |",
    ]
    for step, count in counts.most_common():
        lines.append(f"| {step} | {count / max(total, 1):.0%} | {count / RATE / requests * 1e6:.0f} |")
    lines.append(
        f"| **all sampled with the GIL** | {total} samples | {total / RATE / requests * 1e6:.0f} |"
        + (f" ({failures} failed under wrk)" if failures else "")
    )
    statements = after[1] - before[1]
    if statements > 0:
        mean = (after[0] - before[0]) / statements * 1e6
        lines.append(f"| database statement, wall (qapress_database_duration_seconds) | | {mean:.0f} |")
    return lines, rps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench endpoint-profile", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=int, default=12, help="wrk's run while py-spy samples")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    machine = describe_machine()
    section = [
        "",
        f"## Where a fast-path request's time goes, py-spy ({machine.date})",
        "",
        *machine.lines(),
        "",
        "`python -m bench endpoint-profile`: `qapress serve` (1 worker) under wrk -t2 -c32, the seed query by",
        f"POST (plan cached), py-spy sampling the worker at {RATE} Hz; {args.articles:,}",
        "articles. Each sample (of the thread holding the GIL) goes to the step its stack is in",
        "(bench/endpoint_profile.py's rules); the µs per request are those samples' time over the requests",
        "answered while sampled; the database's own time is the server's histogram's mean per statement.",
        "",
    ]
    for backend in args.backends:
        network = data.ensure(args.articles, backend, log=True)
        lines, rps = profile(network, args.seconds)
        print("\n".join(lines))
        section += [f"{backend}: {rps:,.0f} requests/s while sampled.", "", *lines, ""]
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n".join(section))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
