"""``python -m bench endpoint``: ``POST /v1/graphql`` against its floor (``bench.graphql_floor``) under the same
uvicorn, on SQLite and PostgreSQL, with one and two workers; and the engine in process against the floor.

Sequential: one keep-alive connection, the two servers asked in interleaved rounds with the same random
variables (a busy moment of the shared machine hits both alike), qapress also by ``GET /v1/graphql?query=...``
(the GET fast path, same reads, with its caching headers); the medians' ratios. Under load: wrk -c32
with the seed's variables, requests per second and p99 of each, one after the other. The issue's targets
(issue 14): at most 1.15x the floor's median, at least 85% of its throughput, in process at most 1.2x.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from bench import data
from bench.floor import floors
from bench.machine import describe_machine
from bench.pages import Server, _env, free_port, graphql_lua, parse_wrk, qapress_server, run_wrk
from bench.qapress_engine import engine_contenders
from bench.seed import random_variables, seed_query, seed_variables
from bench.timing import percentile, time_side_by_side

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class EndpointRow:
    backend: str
    workers: int
    seq_qapress_us: float = float("nan")
    seq_floor_us: float = float("nan")
    rps_qapress: float = float("nan")
    rps_floor: float = float("nan")
    p99_qapress_ms: float = float("nan")
    p99_floor_ms: float = float("nan")
    rps_postgraphile: float = float("nan")
    p99_postgraphile_ms: float = float("nan")
    #: qapress answering the same reads by ``GET /v1/graphql?query=...`` (the floor takes POST only).
    seq_qapress_get_us: float = float("nan")
    #: Another checkout's qapress (``--baseline-src``) in the same run: sequential, wrk, p99.
    seq_before_us: float = float("nan")
    seq_before_get_us: float = float("nan")
    rps_before: float = float("nan")
    p99_before_ms: float = float("nan")
    notes: list[str] = field(default_factory=list)

    @property
    def seq_ratio(self) -> float:
        return self.seq_qapress_us / self.seq_floor_us

    @property
    def rps_ratio(self) -> float:
        return self.rps_qapress / self.rps_floor

    @property
    def p99_ratio(self) -> float:
        return self.p99_qapress_ms / self.p99_floor_ms


def floor_server(network: data.Network, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.graphql_floor:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return Server(command, _env({"BENCH_FLOOR_URL": network.url}), port)


#: PostGraphile 4 with the connection-filter plugin, from ``npm install postgraphile@4
#: postgraphile-plugin-connection-filter@2`` in this directory (``BENCH_POSTGRAPHILE_DIR``).
POSTGRAPHILE_DIR = Path(os.environ.get("BENCH_POSTGRAPHILE_DIR", "/tmp/floor_postgraphile"))
#: The seed query's nearest PostGraphile form (``allQaAis`` with the filter plugin; ``nodes`` lists), the rows
#: filtered on ``status`` as qapress's anonymous permission filters them.
POSTGRAPHILE_QUERY = (
    "query($id:Int!,$domain:Int!){"
    ' self: allQaAis(filter:{id:{equalTo:$id},status:{equalTo:"published"}}, first:1){nodes{id title text date}}'
    ' linksarticle: allQaAis(filter:{domain:{equalTo:$domain},id:{notEqualTo:$id},status:{equalTo:"published"}},'
    " orderBy:ID_DESC, first:8){nodes{id title}}"
    ' linksbottom: allQaAis(filter:{domain:{notEqualTo:$domain},id:{lessThan:$id},status:{equalTo:"published"}},'
    " orderBy:ID_DESC, first:3){nodes{id title domain}} }"
)


def postgraphile_server(network: data.Network) -> Server | None:
    binary = POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        return None
    port = free_port()
    dsn = network.url.replace("postgresql+psycopg://", "postgresql://")
    command = [str(binary), "-c", dsn, "--schema", "public", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--append-plugins", "postgraphile-plugin-connection-filter", "--disable-query-log"]
    command += ["--disable-graphiql"]
    return Server(command, {**os.environ, "NODE_ENV": "production"}, port)


def bench_postgraphile(
    network: data.Network, row: EndpointRow, target: dict[str, object], seconds: int
) -> None:
    server = postgraphile_server(network)
    if server is None:
        row.notes.append(f"PostGraphile not installed in {POSTGRAPHILE_DIR}")
        return
    try:
        server.wait_ready(timeout=120)
        with tempfile.TemporaryDirectory() as tmp:
            body = orjson.dumps({"query": POSTGRAPHILE_QUERY, "variables": target})
            lua = graphql_lua(body, Path(tmp))
            output = run_wrk(
                f"http://127.0.0.1:{server.port}/graphql",
                seconds=seconds,
                connections=32,
                headers={},
                lua=lua,
            )
        rps, _p50, p99, failures = parse_wrk(output)
        row.rps_postgraphile, row.p99_postgraphile_ms = rps, p99
        if failures:
            row.notes.append(f"PostGraphile: {failures} failed or non-2xx responses under wrk")
    finally:
        server.stop()


def as_get(body: bytes) -> str:
    """The GET request of a POST body: ``/v1/graphql?query=...&variables=...``."""
    payload = orjson.loads(body)
    query = {"query": payload["query"], "variables": orjson.dumps(payload["variables"]).decode()}
    return "/v1/graphql?" + urllib.parse.urlencode(query)


def sequential(
    ports: dict[str, int], bodies: list[bytes], seconds: float, rounds: int = 10
) -> dict[str, float]:
    """Median microseconds per request of each server, over one keep-alive connection each; a name ending in
    ``GET`` asks its server by ``GET /v1/graphql?query=...``."""
    connections = {name: http.client.HTTPConnection("127.0.0.1", port) for name, port in ports.items()}
    headers = {"Content-Type": "application/json"}
    gets = [as_get(body) for body in bodies]
    times: dict[str, list[float]] = {name: [] for name in ports}
    clock = time.perf_counter_ns

    def ask(name: str, connection: http.client.HTTPConnection, index: int) -> None:
        if name.endswith("GET"):
            connection.request("GET", gets[index], headers={})
        else:
            connection.request("POST", "/v1/graphql", bodies[index], headers)

    for name, connection in connections.items():  # warm-up: plans, prepared statements
        for index in range(min(20, len(bodies))):
            ask(name, connection, index)
            answer = connection.getresponse().read()
            if b'"data"' not in answer:
                raise RuntimeError(f"{name} answered {answer[:200]!r}")
    budget = seconds / rounds * 1e9
    index = 0
    for _ in range(rounds):
        for name, connection in connections.items():
            started = clock()
            while clock() - started < budget:
                at = index % len(bodies)
                index += 1
                t0 = clock()
                ask(name, connection, at)
                connection.getresponse().read()
                times[name].append((clock() - t0) / 1000)
    for connection in connections.values():
        connection.close()
    return {name: percentile(values, 50) for name, values in times.items()}


def bench_http(
    network: data.Network,
    workers: int,
    seconds: float,
    load_seconds: int,
    baseline: Path | None = None,
    load_rounds: int = 1,
) -> EndpointRow:
    row = EndpointRow(network.backend, workers)
    bodies = [orjson.dumps({"query": seed_query(), "variables": v}) for v in random_variables(network, 200)]
    target = random_variables(network, 1, seed=7)[0]
    servers = {"qapress": qapress_server(network, workers), "floor": floor_server(network, workers)}
    if baseline is not None:
        servers["before"] = qapress_server(network, workers, baseline)
    try:
        for server in servers.values():
            server.wait_ready(timeout=180)
        ports = {n: s.port for n, s in servers.items()}
        gets = {f"{name} GET": ports[name] for name in ("qapress", "before") if name in ports}
        medians = sequential({**ports, **gets}, bodies, seconds)
        row.seq_qapress_us, row.seq_floor_us = medians["qapress"], medians["floor"]
        row.seq_qapress_get_us = medians["qapress GET"]
        row.seq_before_us = medians.get("before", float("nan"))
        row.seq_before_get_us = medians.get("before GET", float("nan"))
        with tempfile.TemporaryDirectory() as tmp:
            lua = graphql_lua(orjson.dumps({"query": seed_query(), "variables": target}), Path(tmp))
            loads: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
            for _ in range(load_rounds):  # interleaved: a busy moment of the machine hits each alike
                for name, server in servers.items():
                    url = f"http://127.0.0.1:{server.port}/v1/graphql"
                    output = run_wrk(url, seconds=load_seconds, connections=32, headers={}, lua=lua)
                    rps, _p50, p99, failures = parse_wrk(output)
                    if failures:
                        row.notes.append(f"{name}: {failures} failed or non-2xx responses under wrk")
                    loads[name].append((rps, p99))
            for name, runs in loads.items():
                rps = statistics.median(r for r, _ in runs)
                p99 = statistics.median(p for _, p in runs)
                if name == "qapress":
                    row.rps_qapress, row.p99_qapress_ms = rps, p99
                elif name == "before":
                    row.rps_before, row.p99_before_ms = rps, p99
                else:
                    row.rps_floor, row.p99_floor_ms = rps, p99
    finally:
        for server in servers.values():
            server.stop()
    if network.backend == "postgresql" and workers == 1:
        bench_postgraphile(network, row, target, load_seconds)
    return row


def in_process(network: data.Network, seconds: float) -> tuple[float, float]:
    """(engine median µs, floor median µs): ``execute_bytes`` as anonymous against the faster floor shape."""
    contenders = [engine_contenders(network, seed_query(), "anonymous")[0], *floors(network, True)]
    try:
        samples = time_side_by_side(contenders, random_variables(network, 200), seconds_each=seconds)
    finally:
        for contender in contenders:
            contender.close()
    for sample in samples:
        if sample.error:
            raise RuntimeError(f"{sample.contender.name}: {sample.error}")
    engine = samples[0].median
    return engine, min(s.median for s in samples[1:])


def row_line(r: EndpointRow) -> str:
    return (
        f"| {r.backend} | {r.workers} | {r.seq_qapress_us:.0f} / {r.seq_floor_us:.0f} | {r.seq_ratio:.2f}x"
        f" | {r.seq_qapress_get_us:.0f} | {r.seq_qapress_get_us / r.seq_floor_us:.2f}x"
        f" | {r.rps_qapress:,.0f} / {r.rps_floor:,.0f} | {r.rps_ratio:.0%}"
        f" | {r.p99_qapress_ms:.2f} / {r.p99_floor_ms:.2f}"
        + (
            f" | {r.rps_postgraphile:,.0f}, {r.p99_postgraphile_ms:.2f} |"
            if r.rps_postgraphile == r.rps_postgraphile
            else " | |"
        )
    )


def before_line(r: EndpointRow) -> str:
    return (
        f"| {r.backend} | {r.workers} | {r.seq_before_us:.0f} / {r.seq_qapress_us:.0f} / {r.seq_floor_us:.0f}"
        f" | {r.seq_before_us / r.seq_floor_us:.2f}x → {r.seq_ratio:.2f}x"
        f" | {r.seq_before_get_us:.0f} / {r.seq_qapress_get_us:.0f}"
        f" | {r.seq_before_get_us / r.seq_floor_us:.2f}x → {r.seq_qapress_get_us / r.seq_floor_us:.2f}x"
        f" | {r.rps_before:,.0f} / {r.rps_qapress:,.0f} / {r.rps_floor:,.0f}"
        f" | {r.rps_before / r.rps_floor:.0%} → {r.rps_ratio:.0%}"
        f" | {r.p99_before_ms:.2f} / {r.p99_qapress_ms:.2f} |"
    )


def render(rows: list[EndpointRow], inproc: dict[str, tuple[float, float]], articles: int) -> str:
    m = describe_machine()
    lines = [
        f"## GraphQL endpoint against its floor ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {m.cores} cores, {m.cpu_model}, {m.memory_gb:.0f} GB; load {m.load} at the start; Python"
        f" {m.python}, SQLite {m.sqlite}, PostgreSQL {m.postgresql}; qapress {m.libraries.get('qapress', '?')}."
        " The machine may be shared (the load says how busy): compare the ratios of the same run, not the",
        f"absolute times. Network: {articles:,} articles. `python -m bench endpoint`.",
        "",
        "| backend | workers | sequential median qapress / floor (µs) | ratio | qapress by GET (µs) | GET ÷ floor"
        " | wrk -c32 req/s qapress / floor | share | p99 qapress / floor (ms) | PostGraphile 4 req/s, p99 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [row_line(r) for r in rows]
    lines.append("")
    befores = [r for r in rows if r.seq_before_us == r.seq_before_us]
    if befores:
        lines += [
            "The checkout before the change (`--baseline-src`), served in the same run:",
            "",
            "| backend | workers | sequential before / after / floor (µs) | ratio before → after"
            " | GET before / after (µs) | GET ÷ floor before → after"
            " | wrk req/s before / after / floor | share before → after | p99 before / after (ms) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        lines += [before_line(r) for r in befores]
        lines.append("")
    for backend, (engine, floor) in inproc.items():
        lines.append(
            f"- In process, {backend}: engine {engine:.0f} µs, floor {floor:.0f} µs (medians): {engine / floor:.2f}x."
        )
    for r in rows:
        for note in r.notes:
            lines.append(f"- {r.backend}, {r.workers} worker(s): {note}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench endpoint")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=4.0, help="sequential time per server")
    parser.add_argument("--load-seconds", type=int, default=8, help="wrk duration per server")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="another checkout's src folder, served beside this one in the same run (before/after)",
    )
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument(
        "--load-rounds", type=int, default=1, help="wrk runs per server, interleaved; medians reported"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed", file=sys.stderr)
        return 1
    rows: list[EndpointRow] = []
    inproc: dict[str, tuple[float, float]] = {}
    for backend in args.backends:
        network = data.ensure(args.articles, backend, data.DATA_DIR)
        if not args.skip_in_process:
            print(f"[bench] in process, {backend}", flush=True)
            inproc[backend] = in_process(network, args.seconds)
            print(f"in process: {inproc[backend][0]:.0f} / {inproc[backend][1]:.0f} µs", flush=True)
        for workers in args.workers:
            print(f"[bench] endpoint, {backend}, {workers} worker(s)", flush=True)
            rows.append(
                bench_http(
                    network, workers, args.seconds, args.load_seconds, args.baseline_src, args.load_rounds
                )
            )
            print(row_line(rows[-1]), *rows[-1].notes, flush=True)
    report = render(rows, inproc, args.articles)
    print(report)
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n" + report)
    return 0


__all__ = ["main", "seed_variables"]
