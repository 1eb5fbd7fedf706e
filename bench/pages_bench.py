"""``python -m bench pages``: cached pages against the fixed-bytes floor, and what a miss costs beyond its query.

For each database and worker count, ``qapress serve`` and two floors (``bench/fixed_bytes.py`` under the same
uvicorn) run side by side; wrk loads one at a time, in alternating rounds, and the ratio of the median
requests/s is reported, without and with ``Accept-Encoding: gzip`` (each floor answers the very body qapress
sent for that encoding). The *plain* floor sends that body with a content type and a length; the *same-headers*
floor also sends every header qapress sent (ETag, Cache-Control, CSP, cache tags ...), so the gap between the
two floors is what the header bytes alone cost uvicorn. The miss cost is measured in process
(``bench/page_miss.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import data
from bench.machine import describe_machine
from bench.page_miss import MissCost, measure_misses
from bench.pages import (
    Server,
    _env,
    fetch_page,
    free_port,
    parse_wrk,
    process_tree,
    qapress_server,
    run_wrk,
)

ROOT = Path(__file__).resolve().parents[1]
#: Targets of issue 14.
HIT_TARGET = 0.80
MISS_TARGET_MS = 1.0


@dataclass
class HitRatio:
    backend: str
    workers: int
    encoding: str
    page_rps: list[float] = field(default_factory=list)
    floor_rps: list[float] = field(default_factory=list)
    same_headers_rps: list[float] = field(default_factory=list)
    #: Server CPU time (user + system, every process of the server) per request answered, in µs.
    page_cpu_us: list[float] = field(default_factory=list)
    floor_cpu_us: list[float] = field(default_factory=list)
    same_headers_cpu_us: list[float] = field(default_factory=list)
    note: str = ""

    def ratio(self, floor: list[float]) -> float:
        if not self.page_rps or not floor:
            return float("nan")
        return statistics.median(self.page_rps) / statistics.median(floor)


def floor_server(body: bytes, headers: list[tuple[str, str]], workers: int, directory: Path) -> Server:
    """The fixed-bytes app answering ``body`` with ``headers`` (content type and length at least)."""
    port = free_port()
    body_file = directory / f"floor-{port}.bin"
    body_file.write_bytes(body)
    header_file = directory / f"floor-{port}.headers"
    header_file.write_text("".join(f"{name}: {value}\n" for name, value in headers), "latin-1")
    command = [sys.executable, "-m", "uvicorn", "bench.fixed_bytes:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    command += ["--no-server-header", "--http", "httptools", "--loop", "uvloop"]
    env = _env({"BENCH_FIXED_BYTES_FILE": str(body_file), "BENCH_FIXED_HEADERS_FILE": str(header_file)})
    return Server(command, env, port)


#: uvicorn writes these itself (and the length it is given); a floor that sent them would send them twice.
_OWN_HEADERS = {"date", "server", "content-length"}


def hit_ratios(
    network: data.Network, host: str, path: str, *, workers: int, seconds: int, rounds: int, connections: int
) -> tuple[list[HitRatio], str]:
    """Median requests/s of the cached page and both floors, per encoding; and the page's canonical path."""
    results = []
    server = qapress_server(network, workers)
    floors: list[Server] = []
    try:
        server.wait_ready()
        base = f"http://127.0.0.1:{server.port}"
        path, _ = fetch_page(base, path, {"Host": host})
        with tempfile.TemporaryDirectory() as tmp:
            for encoding in ("identity", "gzip"):
                headers = {"Host": host, "Accept-Encoding": encoding}
                result = HitRatio(network.backend, workers, encoding)
                results.append(result)
                with httpx.Client() as client:
                    page = client.get(base + path, headers=headers)
                    page = client.get(base + path, headers=headers)  # the hit, with its variant stored
                if page.status_code != 200:
                    result.note = f"error: HTTP {page.status_code}"
                    continue
                raw = page.read() if encoding == "identity" else _raw_body(base + path, headers)
                sent = [(k, v) for k, v in page.headers.multi_items() if k not in _OWN_HEADERS]
                plain = [("content-type", page.headers["content-type"])]
                if encoding == "gzip":
                    plain.append(("content-encoding", "gzip"))
                floor = floor_server(raw, plain, workers, Path(tmp))
                same = floor_server(raw, sent, workers, Path(tmp))
                floors += [floor, same]
                floor.wait_ready()
                same.wait_ready()
                # Every worker has a cache of its own: load until each one has the page (a miss on the
                # bench's network takes a while), then measure.
                for _ in range(2):
                    run_wrk(
                        f"http://127.0.0.1:{server.port}{path}",
                        seconds=3,
                        connections=connections,
                        headers=headers,
                    )
                for _ in range(rounds):
                    for name, target, into, cpu_into in (
                        ("page", server, result.page_rps, result.page_cpu_us),
                        ("plain floor", floor, result.floor_rps, result.floor_cpu_us),
                        ("same-headers floor", same, result.same_headers_rps, result.same_headers_cpu_us),
                    ):
                        cpu_before = server_cpu_seconds(target)
                        output = run_wrk(
                            f"http://127.0.0.1:{target.port}{path}",
                            seconds=seconds,
                            connections=connections,
                            headers=headers,
                        )
                        cpu = server_cpu_seconds(target) - cpu_before
                        rps, _, _, failures = parse_wrk(output)
                        if failures:
                            result.note = f"{name}: {failures} failed or non-2xx responses"
                        into.append(rps)
                        answered = _requests(output)
                        if cpu_into is not None and answered:
                            cpu_into.append(cpu / answered * 1e6)
                floor.stop()
                same.stop()
                print(
                    f"[bench] {result.backend} {workers}w {encoding}: page {result.page_rps}, plain floor"
                    f" {result.floor_rps}, same-headers floor {result.same_headers_rps}; CPU µs/req page"
                    f" {result.page_cpu_us} floor {result.floor_cpu_us} same {result.same_headers_cpu_us}"
                    f" {result.note}",
                    flush=True,
                )
    finally:
        server.stop()
        for floor in floors:
            floor.stop()
    return results, path


def server_cpu_seconds(server: Server) -> float:
    """User + system CPU time of the server's processes so far (``/proc/<pid>/stat``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(server.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _requests(output: str) -> int:
    match = re.search(r"(\d+) requests in", output)
    return int(match.group(1)) if match else 0


def _raw_body(url: str, headers: dict[str, str]) -> bytes:
    """The body as sent (still compressed)."""
    with httpx.Client() as client, client.stream("GET", url, headers=headers) as response:
        return b"".join(response.iter_raw())


def render(hits: list[HitRatio], misses: list[MissCost], machine: list[str], args: argparse.Namespace) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Pages: cached hits and misses ({when})",
        "",
        *machine,
        f"- {args.articles:,} articles per database; wrk -t2 -c{args.connections}, {args.seconds} s a run,"
        f" {args.rounds} alternating rounds per target (medians); misses: {'/'.join(map(str, args.miss_rounds))} in process"
        " per database and encoding (medians).",
        "- **The machine may be shared** (2 cores; the load above says how busy): read the ratios, measured side by"
        " side, not the absolute figures.",
        "",
        "Cached article page ÷ fixed-bytes floor (same uvicorn: httptools, uvloop; the same body). *Plain*:"
        " the floor sends the body with its type and length; *same headers*: also every header qapress sent."
        f" Target ≥ {HIT_TARGET:.0%} of the plain floor. *CPU*: the servers' CPU time per request answered (all"
        " their processes, from /proc), whose ratio an overloaded machine disturbs far less than requests/s.",
        "",
        "| database | workers | Accept-Encoding | page req/s | plain floor req/s | ÷ plain | same-headers"
        " floor req/s | ÷ same headers | page CPU µs/req | plain floor CPU µs/req | ÷ plain, CPU |"
        " same-headers floor CPU µs/req | ÷ same headers, CPU | verdict | note |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for hit in hits:
        ratio = hit.ratio(hit.floor_rps)
        cpu_ratio = (
            statistics.median(hit.floor_cpu_us) / statistics.median(hit.page_cpu_us)
            if hit.page_cpu_us and hit.floor_cpu_us
            else float("nan")
        )
        verdict = "met" if ratio >= HIT_TARGET else "met in CPU" if cpu_ratio >= HIT_TARGET else "missed"
        lines.append(
            f"| {hit.backend} | {hit.workers} | {hit.encoding} | {_median(hit.page_rps)} |"
            f" {_median(hit.floor_rps)} | {ratio:.0%} | {_median(hit.same_headers_rps)} |"
            f" {hit.ratio(hit.same_headers_rps):.0%} | {_median(hit.page_cpu_us, 1)} |"
            f" {_median(hit.floor_cpu_us, 1)} | {_cpu_ratio(hit, hit.floor_cpu_us)} |"
            f" {_median(hit.same_headers_cpu_us, 1)} | {_cpu_ratio(hit, hit.same_headers_cpu_us)} | {verdict} |"
            f" {hit.note} |"
        )
    lines += [
        "",
        "A page-cache miss beyond its query, in process (the app called as ASGI after the cache was emptied)."
        " *Paired*: the median over misses of the miss minus its own query's time inside it; *difference*: the"
        " median miss minus the median of the query run alone; *paired CPU*: the paired figure in the process's"
        " CPU time, which the waits of an overloaded machine (every thread hop) do not inflate. Target ≤ 1 ms.",
        "",
        "| database | Accept-Encoding | miss ms | query alone ms | difference ms | paired ms | paired CPU ms"
        " | verdict | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for miss in misses:
        verdict = (
            "met"
            if miss.paired_beyond_ms <= MISS_TARGET_MS
            else "met in CPU"
            if miss.paired_cpu_ms <= MISS_TARGET_MS
            else "missed"
        )
        lines.append(
            f"| {miss.backend} | {miss.encoding} | {miss.miss_ms:.2f} | {miss.query_ms:.2f} |"
            f" {miss.beyond_ms:.2f} | {miss.paired_beyond_ms:.2f} | {miss.paired_cpu_ms:.2f} | {verdict} |"
            f" {miss.note} |"
        )
    return "\n".join(lines) + "\n"


def _median(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f}" if values else "–"


def _cpu_ratio(hit: HitRatio, floor: list[float]) -> str:
    """The page's throughput as a share of the floor's, from CPU per request (floor ÷ page)."""
    if not hit.page_cpu_us or not floor:
        return "–"
    return f"{statistics.median(floor) / statistics.median(hit.page_cpu_us):.0%}"


def main(argv: list[str]) -> int:
    from bench.__main__ import page_target

    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--miss-rounds", type=int, nargs="+", default=[100], help="per backend, in order")
    parser.add_argument("--skip-hits", action="store_true")
    parser.add_argument("--skip-misses", action="store_true")
    parser.add_argument("--write", action="store_true", help="append the section to BENCHMARKS.md")
    args = parser.parse_args(argv)
    hits: list[HitRatio] = []
    misses: list[MissCost] = []
    for backend in args.backends:
        network = data.ensure(args.articles, backend)
        target = page_target(network)
        path = target.path
        if not args.skip_hits:
            for workers in args.workers:
                print(f"[bench] cached pages, {backend}, {workers} worker(s)", flush=True)
                found, path = hit_ratios(
                    network,
                    target.host,
                    target.path,
                    workers=workers,
                    seconds=args.seconds,
                    rounds=args.rounds,
                    connections=args.connections,
                )
                hits += found
        if not args.skip_misses:
            print(f"[bench] misses, {backend}", flush=True)
            rounds = args.miss_rounds[min(args.backends.index(backend), len(args.miss_rounds) - 1)]
            misses += measure_misses(
                network, target.host, path, target.article_id, target.domain, rounds=rounds
            )
            for miss in misses[-2:]:
                print(f"[bench] {miss}", flush=True)
    report = render(hits, misses, describe_machine().lines(), args)
    print(report)
    if args.write:
        output = ROOT / "BENCHMARKS.md"
        output.write_text(output.read_text("utf-8").rstrip("\n") + "\n\n" + report, "utf-8")
        print(f"[bench] appended to {output}")
    return 0
