"""``python -m bench large``: large answers, JSON built by the database against rows assembled in Python.

For 1,000 articles with their site nested as an object, with small columns only (id, title, date) and with a
large one too (the article's text), on SQLite and PostgreSQL, three ways to get the same answer:

- the engine (``execute_bytes``), which measures per plan its statement that builds the whole JSON in the
  database against its flat statement whose rows it assembles with orjson (``engine/flat.py``), and runs the
  faster (``engine/strategy.py``); the way it chose is printed;
- hand-written SQL that builds the same JSON in the database (the floor of that strategy);
- hand-written SQL that fetches flat joined rows through the raw driver, assembled with orjson (the floor of
  the other strategy).

It prints medians and each one's ratio to the fastest, which is what the issue's target (at most 1.1x the
fastest hand-written way) and the choice of strategy per plan shape are measured by. Every answer is checked
against the engine's before anything is timed.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench import data
from bench.contender import Contender, Variables
from bench.machine import describe_machine
from bench.timing import Sample, time_side_by_side

ROWS = 1_000
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Shape:
    """One kind of large answer: the GraphQL selection and the columns the hand-written ways read."""

    name: str
    fields: tuple[str, ...]

    def query(self) -> str:
        columns = " ".join(self.fields)
        return (
            "query Large($after: Int!) { qa_ai(where: {id: {_gt: $after}}, order_by: {id: asc}, "
            f"limit: {ROWS}) {{ {columns} site {{ host name }} }} }}"
        )


SHAPES = (
    Shape("small columns", ("id", "title", "date")),
    Shape("with a large column", ("id", "title", "date", "text")),
)


def _flat_sql(shape: Shape, placeholder: str) -> str:
    columns = ", ".join(f"a.{name}" for name in shape.fields)
    return (
        f"SELECT {columns}, d.host, d.name FROM qa_ai a JOIN domain d ON d.id = a.domain "
        f"WHERE a.id > {placeholder} ORDER BY a.id LIMIT {ROWS}"
    )


def _sqlite_json_sql(shape: Shape) -> str:
    members = ", ".join(f"'{name}', a.{name}" for name in shape.fields)
    return (
        "SELECT json_object('data', json_object('qa_ai', json(coalesce(json_group_array(json(j)), '[]')))) "
        f"FROM (SELECT json_object({members}, 'site', json_object('host', d.host, 'name', d.name)) AS j "
        f"FROM qa_ai a JOIN domain d ON d.id = a.domain WHERE a.id > ? ORDER BY a.id LIMIT {ROWS})"
    )


def _pg_json_sql(shape: Shape) -> str:
    members = ", ".join(f"'{name}', a.{name}" for name in shape.fields)
    return (
        "SELECT json_build_object('data', json_build_object('qa_ai', coalesce(json_agg(j ORDER BY id), "
        f"'[]'::json)))::text FROM (SELECT a.id, json_build_object({members}, 'site', json_build_object("
        "'host', d.host, 'name', d.name)) AS j FROM qa_ai a JOIN domain d ON d.id = a.domain "
        f"WHERE a.id > %s ORDER BY a.id LIMIT {ROWS}) s"
    )


def _small_row(r: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": r[0], "title": r[1], "date": r[2], "site": {"host": r[3], "name": r[4]}}


def _large_row(r: tuple[Any, ...]) -> dict[str, Any]:
    return {"id": r[0], "title": r[1], "date": r[2], "text": r[3], "site": {"host": r[4], "name": r[5]}}


#: Each shape's row written out by hand: a dict literal per row is the quickest plain Python has.
_ROW_BUILDERS = {SHAPES[0].fields: _small_row, SHAPES[1].fields: _large_row}


def _assemble(shape: Shape, rows: list[tuple[Any, ...]]) -> bytes:
    """The answer from flat rows: one dict per row, the site's two columns nested, orjson for the bytes."""
    build = _ROW_BUILDERS[shape.fields]
    return orjson.dumps({"data": {"qa_ai": [build(row) for row in rows]}})


def contenders(network: data.Network, shape: Shape) -> tuple[list[Contender], Callable[[], str]]:
    """The three ways, and what tells the way the engine chose once they ran."""
    from qapress.engine import GraphQLEngine, qapress_metadata
    from qapress.store import open_engine

    sa_engine = open_engine(network.url)
    gql = GraphQLEngine(sa_engine, qapress_metadata())
    query = shape.query()

    def engine_run(variables: Variables) -> bytes:
        return gql.execute_bytes(query, variables, None, role="admin")

    built: list[Contender] = [Contender("qapress engine", "engine", engine_run, sa_engine.dispose)]
    if network.backend == "sqlite":
        connection = sqlite3.connect(network.sqlite_path, check_same_thread=False)
        json_sql, flat_sql = _sqlite_json_sql(shape), _flat_sql(shape, "?")

        def sqlite_json(variables: Variables) -> bytes:
            (text,) = connection.execute(json_sql, (variables["after"],)).fetchone()
            return str(text).encode()

        def sqlite_rows(variables: Variables) -> bytes:
            return _assemble(shape, connection.execute(flat_sql, (variables["after"],)).fetchall())

        built += [
            Contender("hand SQL, database JSON (sqlite3)", "floor", sqlite_json, connection.close),
            Contender("hand SQL, rows + orjson (sqlite3)", "floor", sqlite_rows),
        ]
    else:
        import psycopg

        pg = psycopg.connect(network.pg_dsn, autocommit=True, prepare_threshold=0)
        pg_json, pg_flat = _pg_json_sql(shape), _flat_sql(shape, "%s")
        cursor = pg.cursor()  # one cursor kept, as the engine keeps one per connection

        def pg_json_run(variables: Variables) -> bytes:
            row = cursor.execute(pg_json, (variables["after"],)).fetchone()
            assert row is not None
            return str(row[0]).encode()

        def pg_rows(variables: Variables) -> bytes:
            return _assemble(shape, cursor.execute(pg_flat, (variables["after"],)).fetchall())

        built += [
            Contender("hand SQL, database JSON (psycopg)", "floor", pg_json_run, pg.close),
            Contender("hand SQL, rows + orjson (psycopg)", "floor", pg_rows),
        ]
    return built, lambda: engine_way(gql, query)


def cross_check(built: list[Contender], variables: Variables) -> list[str]:
    """The ways whose answer is not the engine's (parsed: key order and number spelling aside)."""
    expected = orjson.loads(built[0].run(variables))
    if len(expected["data"]["qa_ai"]) != ROWS:
        return [f"the network is too small: fewer than {ROWS} articles after id {variables['after']}"]
    return [c.name for c in built[1:] if orjson.loads(c.run(variables)) != expected]


def rows_of(samples: list[Sample], engine_way: str) -> list[tuple[str, float, float]]:
    fastest_floor = min(s.median for s in samples if s.contender.role == "floor" and s.error is None)
    return [
        (
            f"{s.contender.name} ({engine_way})" if s.contender.role == "engine" else s.contender.name,
            s.median,
            s.median / fastest_floor,
        )
        for s in samples
        if s.error is None
    ]


def engine_way(gql: Any, query: str) -> str:
    """The way the engine's per-plan choice settled on for ``query`` (as the admin runs it)."""
    family = gql.plans.family((query, None, "admin"))
    plans = list(family.plans.values()) if family is not None else []
    flat = plans[0].flat if plans else None
    if flat is None:
        return "database JSON: no flat statement for this plan"
    if not flat.choice.measured:
        return "still measuring"
    return "rows + orjson" if flat.choice.rows_faster else "database JSON"


def run(backends: list[str], articles: int, seconds: float, report: Callable[[str], None]) -> list[str]:
    lines = [
        "| database | answer | way | median ms | ÷ fastest hand-written |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for backend in backends:
        network = data.ensure(articles, backend, log=True)
        for shape in SHAPES:
            built, chosen = contenders(network, shape)
            try:
                step = max(1, (articles - ROWS - 1) // 50)
                variables = [{"after": i * step} for i in range(50) if i * step + ROWS < articles]
                wrong = cross_check(built, variables[0])
                if wrong:
                    raise SystemExit(f"{backend}, {shape.name}: answers differ from the engine's: {wrong}")
                # Fine-grained interleaving: on the shared machine the load moves within seconds.
                samples = time_side_by_side(built, variables, seconds_each=seconds, rounds=25)
                way = chosen()
            finally:
                for contender in built:
                    contender.close()
            for name, median, ratio in rows_of(samples, way):
                line = f"| {backend} | {shape.name} | {name} | {median / 1000:.2f} | {ratio:.2f}x |"
                report(line)
                lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench large", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--articles", type=int, default=100_000, help="network size (the bench's cached networks)"
    )
    parser.add_argument("--seconds", type=float, default=6.0, help="timing budget per way and answer")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    lines = run(args.backends, args.articles, args.seconds, print)
    if not args.no_write:
        machine = describe_machine()
        section = [
            "",
            f"## Large answers: database JSON vs rows + orjson ({machine.date})",
            "",
            *machine.lines(),
            "",
            f"`python -m bench large`: {ROWS:,} articles of a {args.articles:,}-article network with their site",
            "nested, by the engine (in brackets the way its per-plan choice had settled on) and by",
            "two hand-written ways through the raw driver. Medians.",
            "",
            *lines,
        ]
        with (ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write("\n".join(section) + "\n")
    return 0
