"""``python -m bench engine-split``: where the engine's in-process time on the seed query goes, beside the floor.

One process, one network per backend: ``GraphQLEngine.execute_bytes`` as the site calls it (a plan-cache hit),
the same request taken apart into its steps, and the raw-SQL floor (``bench.floor``: three prepared
statements, or one statement whose JSON the database builds; the faster is the floor), in interleaved rounds
with the same random variables. The steps, each timed on its own within one call:

- compile lookup: ``prepare`` (the plan cache's family and shape, the variables' fast check);
- bind: the plan's parameters from the variables and the session;
- execute: the statement on a kept connection and cursor, up to its first row;
- fetch: the row;
- encode: ``{"data": ...}`` around the database's JSON text, as bytes;
- the rest: ``execute_bytes``' median less the steps' (the cost check, ``run``, the connection and its
  statement timeout, the metrics).

``--baseline-src DIR``: the same measurement run in child processes alternately with ``DIR``'s
``qapress`` (another checkout's ``src``) and this one's, ``--pairs`` times; medians over the children and
the ratio of each to the baseline.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import data
from bench.contender import Variables
from bench.floor import floors
from bench.machine import describe_machine
from bench.seed import random_variables, seed_query
from bench.timing import percentile

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("compile lookup", "bind", "execute", "fetch", "encode")
ROLE = "anonymous"
PYCACHE = str(Path(os.environ.get("TMPDIR", "/tmp")) / "qapress-bench-pycache")


def _statement(backend: str, gql: Any) -> tuple[Callable[[str, list[Any]], Any], Callable[[], None]]:
    """(run a statement on a kept cursor, returning it; close) over the engine's own database."""
    if backend == "sqlite":
        raw = gql.connections._connection().raw
        cursor = raw.cursor()
        return (lambda sql, params: cursor.execute(sql, params)), cursor.close
    connection = gql.engine.raw_connection()
    driver = connection.dbapi_connection
    driver.autocommit = True
    cursor = driver.cursor()

    def close() -> None:
        cursor.close()
        driver.autocommit = False
        connection.close()

    return (lambda sql, params: cursor.execute(sql, params)), close


def measure(network: data.Network, seconds: float, rounds: int) -> dict[str, float]:
    """Medians in µs: ``engine``, each step, ``rest``, ``floor`` (and both floor shapes)."""
    from qapress.engine import GraphQLEngine, qapress_metadata
    from qapress.store import open_engine

    sa_engine = open_engine(network.url)
    gql = GraphQLEngine(sa_engine, qapress_metadata())
    query = seed_query()
    variables = random_variables(network, 200)
    execute, close = _statement(network.backend, gql)
    floor_contenders = floors(network, published_only=True)
    clock = time.perf_counter_ns
    times: dict[str, list[float]] = {name: [] for name in ("engine", *STEPS)}
    for contender in floor_contenders:
        times[contender.name] = []

    def engine(v: Variables) -> None:
        t0 = clock()
        gql.execute_bytes(query, v, None, role=ROLE)
        times["engine"].append((clock() - t0) / 1000)

    def steps(v: Variables) -> None:
        t0 = clock()
        prepared = gql.prepare(query, v, None, ROLE)
        t1 = clock()
        plan = prepared.plan
        params = plan.bind(prepared.variables, prepared.session)
        t2 = clock()
        cursor = execute(plan.sql, params)
        t3 = clock()
        row = cursor.fetchone()
        t4 = clock()
        answer = b'{"data":' + row[0].encode() + b"}"
        t5 = clock()
        assert answer
        for name, start, end in zip(STEPS, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            times[name].append((end - start) / 1000)

    def floor_of(run: Callable[[Variables], bytes], name: str) -> Callable[[Variables], None]:
        def timed(v: Variables) -> None:
            t0 = clock()
            run(v)
            times[name].append((clock() - t0) / 1000)

        return timed

    runners = [engine, steps, *(floor_of(c.run, c.name) for c in floor_contenders)]
    try:
        for v in variables[:50]:  # warm-up: the plan cached, statements prepared, pages in the cache
            answer = gql.execute_bytes(query, v, None, role=ROLE)
            if b'"data"' not in answer:
                raise RuntimeError(f"the engine answered {answer[:300]!r}")
            for runner in runners:
                runner(v)
        for values in times.values():
            values.clear()
        gc.collect()
        budget = seconds / rounds * 1e9
        index = 0
        for _ in range(rounds):
            for runner in runners:
                started = clock()
                while clock() - started < budget:
                    runner(variables[index % len(variables)])
                    index += 1
    finally:
        close()
        for contender in floor_contenders:
            contender.close()
        gql.close()
        sa_engine.dispose()
    medians = {name: percentile(values, 50) for name, values in times.items()}
    medians["rest"] = medians["engine"] - sum(medians[s] for s in STEPS)
    medians["floor"] = min(medians[c.name] for c in floor_contenders)
    return medians


def table(backend: str, medians: dict[str, float]) -> list[str]:
    floor, engine = medians["floor"], medians["engine"]
    lines = [
        f"| {backend} | µs (median) | share of the engine's | ÷ floor |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in (*STEPS, "rest"):
        value = medians[name]
        lines.append(f"| {name} | {value:.1f} | {value / engine:.0%} | {value / floor:.2f} |")
    lines.append(f"| **engine: execute_bytes** | {engine:.1f} | 100% | **{engine / floor:.2f}x** |")
    for name, value in medians.items():
        if name.startswith("floor:"):
            lines.append(f"| {name} | {value:.1f} | | {value / floor:.2f} |")
    return lines


def paired(args: argparse.Namespace, network: data.Network) -> list[str]:
    """Children alternately on ``--baseline-src`` and this checkout: medians over them, and the ratios."""
    sides = {"before": Path(args.baseline_src).resolve(), "after": ROOT / "src"}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for pair in range(args.pairs):
        order = list(sides) if pair % 2 == 0 else list(reversed(sides))
        for side in order:
            # Bytecode goes to a folder of its own: the other checkout's tree is only read.
            env = dict(os.environ, PYTHONPATH=f"{sides[side]}{os.pathsep}{ROOT}", PYTHONPYCACHEPREFIX=PYCACHE)
            command = [sys.executable, "-m", "bench", "engine-split", "--child", "--articles"]
            command += [str(args.articles), "--backends", network.backend]
            command += ["--seconds", str(args.seconds), "--rounds", str(args.rounds)]
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if Path(result.pop("source")).resolve() != sides[side] / "qapress":
                raise RuntimeError(f"the child of {side} imported qapress from elsewhere")
            runs[side].append(result)
            print(
                f"[engine-split] {network.backend} pair {pair + 1} {side}: engine {result['engine']:.1f} µs, "
                f"floor {result['floor']:.1f} µs",
                flush=True,
            )

    def median_of(side: str, key: str) -> float:
        if key == "ratio":
            return statistics.median(r["engine"] / r["floor"] for r in runs[side])
        return statistics.median(r[key] for r in runs[side])

    lines = [
        f"| {network.backend}, {args.pairs} pairs | before (µs) | after (µs) | after ÷ before |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in (*STEPS, "rest", "engine", "floor"):
        before, after = median_of("before", key), median_of("after", key)
        lines.append(f"| {key} | {before:.1f} | {after:.1f} | {after / before:.2f} |")
    before, after = median_of("before", "ratio"), median_of("after", "ratio")
    lines.append(f"| **engine ÷ floor** | **{before:.2f}x** | **{after:.2f}x** | |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench engine-split", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=float, default=4.0, help="time per contender")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--baseline-src", help="another checkout's src, measured alternately with this one")
    parser.add_argument("--pairs", type=int, default=6, help="children per side with --baseline-src")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import qapress

        network = data.ensure(args.articles, args.backends[0], data.DATA_DIR, log=False)
        medians = measure(network, args.seconds, args.rounds)
        print(json.dumps({**medians, "source": str(Path(qapress.__file__).parent)}))
        return 0
    machine = describe_machine()
    lines = [
        "",
        f"## The engine in process, step by step, against the floor ({machine.date})",
        "",
        *machine.lines(),
        "",
        f"`python -m bench engine-split`: the seed query as `{ROLE}`, {args.articles:,} articles; medians of "
        "interleaved rounds.",
    ]
    for backend in args.backends:
        network = data.ensure(args.articles, backend, data.DATA_DIR)
        lines.append("")
        if args.baseline_src:
            lines += paired(args, network)
        else:
            lines += table(backend, measure(network, args.seconds, args.rounds))
        print("\n".join(lines), flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
