"""The whole network as one JSON Lines stream: what ``qapress export --all`` writes and ``qapress import`` restores.

A dump is a header line (``{"format": "qapress-dump", ...}``) and then one line per row,
``{"table": NAME, "row": {...}}``, table by table in foreign-key order, each table read in keyset-paginated
batches, so both directions run in constant memory whatever the size of the network. Every table of
:data:`qapress.store.schema.metadata` is included unless it says otherwise in its ``info``: ``dump=False``
leaves a table out (sessions, caches of derived state), ``secret=True`` on a column leaves that column out
(password hashes; its ``restored_as`` value is written in its place on restore: an unusable password hash),
so a dump can be handed around without credentials. Restoring needs an empty store and
writes each table in batches of one transaction (articles as a bulk import's, ``store.bulk_import``), then
moves PostgreSQL's id sequences past the ids it wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.backend import advance_sequences
from qapress.store.bulk_import import ImportedArticle, bulk_transaction, index_batch
from qapress.store.database import StoreError
from qapress.store.schema import metadata, qa_ai

FORMAT = "qapress-dump"
VERSION = 1
BATCH_SIZE = 1_000


class DumpError(StoreError):
    """A dump cannot be read or restored; ``line`` is the 1-based line it stopped at, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


def dumped_tables() -> list[sa.Table]:
    """The tables a dump holds, parents before children."""
    return [table for table in metadata.sorted_tables if table.info.get("dump", True)]


def dumped_columns(table: sa.Table) -> list[sa.Column[Any]]:
    return [column for column in table.columns if not column.info.get("secret", False)]


def is_dump_header(line: str) -> bool:
    """Whether the first line of a file says it is a dump (rather than articles as JSON Lines)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def dump_network(engine: Engine, *, batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """Every dumped table's rows as dump lines, the header first."""
    tables = dumped_tables()
    yield json.dumps({"format": FORMAT, "version": VERSION, "tables": [t.name for t in tables]})
    for table in tables:
        for row in _rows(engine, table, batch_size):
            yield json.dumps({"table": table.name, "row": row}, ensure_ascii=False, default=_json_default)


def _rows(engine: Engine, table: sa.Table, batch_size: int) -> Iterator[dict[str, Any]]:
    columns = dumped_columns(table)
    key = list(table.primary_key.columns) or columns
    last: tuple[Any, ...] | None = None
    while True:
        query = sa.select(*columns).order_by(*key).limit(batch_size)
        if last is not None:
            query = query.where(sa.tuple_(*key) > sa.tuple_(*last))
        with engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            yield dict(row)
        if len(rows) < batch_size:
            return
        last = tuple(rows[-1][column.name] for column in key)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # SQLite hands back the UTC times it stores without their zone: say UTC, as PostgreSQL does.
        aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return aware.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a dump")


@dataclass
class RestoreReport:
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def restore_network(
    engine: Engine, lines: Iterable[str], *, progress: Callable[[int], None] | None = None
) -> RestoreReport:
    """Write a dump into an empty store. A bad line raises :class:`DumpError` naming it; the batches
    before it stay written, so the message says to start again on an empty store."""
    _require_empty(engine)
    report = RestoreReport()
    tables = {table.name: table for table in dumped_tables()}
    batch: list[dict[str, Any]] = []
    lines_of_batch: list[int] = []
    current: sa.Table | None = None

    def flush() -> None:
        if batch and current is not None:
            try:
                if current is qa_ai:  # triggers off, the batch indexed and tagged at once (bulk_import)
                    with bulk_transaction(engine) as connection:
                        inserted = connection.execute(
                            qa_ai.insert().returning(qa_ai.c.id, qa_ai.c.domain, qa_ai.c.status), batch
                        )
                        index_batch(
                            connection, [ImportedArticle(int(r[0]), int(r[1]), str(r[2])) for r in inserted]
                        )
                else:
                    with engine.begin() as connection:
                        connection.execute(current.insert(), batch)
            except sa.exc.SQLAlchemyError as exc:
                message = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
                where = f"lines {lines_of_batch[0]}-{lines_of_batch[-1]}"
                if len(lines_of_batch) == 1:
                    where = f"line {lines_of_batch[0]}"
                raise DumpError(f"{current.name} rows of {where} were refused: {message}") from exc
            report.rows[current.name] = report.rows.get(current.name, 0) + len(batch)
            if progress:
                progress(len(batch))
            batch.clear()
            lines_of_batch.clear()

    number = 0
    header_seen = False
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DumpError(f"not JSON ({exc.msg} at column {exc.colno})", number) from exc
            if not header_seen:
                _check_header(data, number)
                header_seen = True
                continue
            if not isinstance(data, dict) or not isinstance(data.get("row"), dict):
                raise DumpError('expected {"table": ..., "row": {...}}', number)
            table = tables.get(str(data.get("table")))
            if table is None:
                raise DumpError(f"unknown table {data.get('table')!r}", number)
            if table is not current or len(batch) >= BATCH_SIZE:
                flush()
                current = table
            batch.append(_typed_row(table, data["row"], number))
            lines_of_batch.append(number)
        flush()
        if not header_seen:
            raise DumpError("the file is empty: no dump header")
    finally:
        _fix_sequences(engine, [t for t in tables.values() if t.name in report.rows])
    return report


def _check_header(data: Any, number: int) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DumpError(f"not a qapress dump: the first line must be the {FORMAT!r} header", number)
    if data.get("version") != VERSION:
        raise DumpError(f"dump version {data.get('version')!r}; this qapress reads version {VERSION}", number)


def _typed_row(table: sa.Table, row: dict[str, Any], number: int) -> dict[str, Any]:
    """The row with dates and times back as Python values (SQLite's types accept nothing else)."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name not in table.columns:
            raise DumpError(f"{table.name} has no column {name!r}", number)
        column_type = table.columns[name].type
        try:
            if value is not None and isinstance(column_type, sa.DateTime):
                value = dt.datetime.fromisoformat(value)
            elif value is not None and isinstance(column_type, sa.Date):
                value = dt.date.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise DumpError(f"{table.name}.{name}: {value!r} is not a date or time", number) from exc
        out[name] = value
    for column in table.columns:
        if column.info.get("secret") and "restored_as" in column.info:
            out[column.name] = column.info["restored_as"]
    return out


def first_table_with_rows(engine: Engine) -> str | None:
    """The name of the first dumped table that has a row; None when a restore can go in."""
    with engine.connect() as connection:
        for table in dumped_tables():
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                return table.name
    return None


def _require_empty(engine: Engine) -> None:
    name = first_table_with_rows(engine)
    if name is not None:
        raise DumpError(f"the store is not empty (table {name} has rows): restore a dump into a new database")


def _fix_sequences(engine: Engine, tables: list[sa.Table]) -> None:
    """Move PostgreSQL's serial sequences past the ids a restore wrote (SQLite needs nothing)."""
    with engine.begin() as connection:
        advance_sequences(connection, tables)
