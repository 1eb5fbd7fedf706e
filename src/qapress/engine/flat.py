"""The other way to answer a large query: flat rows from the database, the JSON assembled in Python (orjson).

The engine's statement builds the whole answer as JSON in the database. For many rows or large columns that
costs more than fetching the rows and encoding them: PostgreSQL's ``json_build_object`` per row, and either
database escaping kilobytes of text, are 1.5-4x what the driver's row fetch and orjson take
(``python -m bench large``). So a plan of that shape also gets a flat statement: one ``SELECT`` of the root
table's rows, each object relationship's row joined on (``LEFT JOIN`` on the remote table's primary key,
so a row is never repeated and a missing or hidden one is null), with the same ``WHERE``, ``ORDER BY`` and
``LIMIT`` as the JSON statement, and an assembler that turns its rows into the same answer. Which of the
two runs is measured per plan (:mod:`.strategy`).

Only what the rows carry exactly is flattened: one root list field of a table, ordered (an unordered list
keeps the database's scan order, which a join may change), with columns, ``__typename`` and object
relationships of tables. Each value is taken as the driver gives it where that is its JSON already (integers,
text, PostgreSQL's booleans and dates); any other column (dates, timestamps, JSON, numerics, floats, SQLite's booleans)
is selected as the database's own JSON text of it (what the JSON statement would embed) and put into the
answer as it is (``orjson.Fragment``). Anything else (array relationships, aggregates, computed fields,
functions, an inherited role's cell masks, ``distinct_on``) keeps the JSON statement only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from qapress.engine.dialects import Dialect, quote_ident
from qapress.engine.plan import Param
from qapress.engine.render import Renderer
from qapress.engine.scalars import STRINGIFIED
from qapress.engine.selection import (
    ColumnField,
    Field,
    ObjectField,
    QueryPlan,
    RootSelect,
    RowsSelect,
    TableSource,
    TypenameField,
)
from qapress.engine.strategy import StrategyChoice

Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class FlatQuery:
    """A plan's flat statement, the recipe of its parameters and the assembler of its rows into the whole
    answer (``{"data": ...}`` bytes); ``choice`` measures it against the JSON statement."""

    sql: str
    params: tuple[Param, ...]
    assemble: Callable[[Rows], bytes]
    choice: StrategyChoice = field(default_factory=StrategyChoice, compare=False)

    def bind(self, variables: Mapping[str, Any], session: Mapping[str, str]) -> list[Any]:
        return [param.resolve(variables, session) for param in self.params]


class _Flattener:
    """Collects the flat statement's select list and joins, and writes the Python expression of a row."""

    def __init__(self, renderer: Renderer, dialect: Dialect, stringify: bool) -> None:
        self.renderer = renderer
        self.dialect = dialect
        self.stringify = stringify
        self.columns: list[str] = []
        self.joins: list[str] = []
        self.direct = dialect.driver_json_scalars

    def _select(self, expr: str) -> int:
        self.columns.append(expr)
        return len(self.columns) - 1

    def row(self, fields: tuple[Field, ...], alias: str) -> str | None:
        """The Python expression (over the row ``r``) of one object, or None when a field cannot be flat."""
        members: list[str] = []
        for f in fields:
            if isinstance(f, TypenameField):
                members.append(f"{f.key!r}: {f.type_name!r}")
            elif isinstance(f, ColumnField):
                value = self._cell(f, alias)
                if value is None:
                    return None
                members.append(f"{f.key!r}: {value}")
            elif isinstance(f, ObjectField):
                value = self._object(f, alias)
                if value is None:
                    return None
                members.append(f"{f.key!r}: {value}")
            else:
                return None
        return "{" + ", ".join(members) + "}"

    def _cell(self, f: ColumnField, alias: str) -> str | None:
        if f.computed is not None or f.mask is not None:
            return None
        column = f.column
        expr = f"{alias}.{quote_ident(column.name)}"
        if column.scalar in self.direct and not (self.stringify and column.scalar in STRINGIFIED):
            return f"r[{self._select(expr)}]"
        rendered = self.dialect.render(expr, column, self.stringify)
        at = self._select(self.dialect.json_text(rendered))
        # Inline, not a helper's call: a Python call per cell costs as much as the cell's encoding.
        return f"(None if r[{at}] is None else _Fragment(r[{at}]))"

    def _object(self, f: ObjectField, outer: str) -> str | None:
        select = f.select
        correlation = select.correlation
        remote = select.table.table
        if (
            not isinstance(select.source, TableSource)
            or select.keys
            or correlation is None
            or not remote.primary_key
            or {r for _, r in correlation.mapping} != set(remote.primary_key)
        ):
            return None  # not one row by its key: the join could repeat the outer row
        alias = self.renderer.alias("_j")
        conditions = [
            f"{alias}.{quote_ident(r)} = {outer}.{quote_ident(local)}" for local, r in correlation.mapping
        ]
        if select.rule.visible is not None:
            conditions.append(self.renderer.where.render(select.rule.visible, alias))
        table = self.dialect.qualified(remote.schema, remote.name)
        self.joins.append(f" LEFT JOIN {table} AS {alias} ON {' AND '.join(conditions)}")
        present = self._select(f"{alias}.{quote_ident(remote.primary_key[0])}")
        inner = self.row(select.fields, alias)
        if inner is None:
            return None
        return f"(None if r[{present}] is None else {inner})"


def flat_query(
    plan: QueryPlan, renderer: Renderer, dialect: Dialect, stringify: bool
) -> tuple[str, Callable[[Rows], bytes]] | None:
    """The flat statement (with the renderer's parameter markers) and its assembler, or None when the plan
    is not of a shape whose rows carry its answer exactly."""
    if len(plan.fields) != 1 or not isinstance(plan.fields[0], RootSelect):
        return None
    root = plan.fields[0]
    select = root.select
    if (
        not isinstance(select, RowsSelect)
        or not isinstance(select.source, TableSource)
        or select.correlation is not None
        or select.window.distinct_on
        or not select.window.order_by
    ):
        return None
    flattener = _Flattener(renderer, dialect, stringify)
    alias = renderer.alias("_t")
    row = flattener.row(select.fields, alias)
    if row is None:
        return None
    conditions = []
    if select.rule.visible is not None:
        conditions.append(renderer.where.render(select.rule.visible, alias))
    if select.window.where is not None:
        conditions.append(renderer.where.render(select.window.where, alias))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    order = ", ".join(f"{renderer.order_key(t.key, alias)} {t.direction}" for t in select.window.order_by)
    limit = renderer.limit_clause(select.window, select.cap)
    table = select.table.table
    columns = ", ".join(flattener.columns) or "1"
    sql = (
        f"SELECT {columns} FROM {dialect.qualified(table.schema, table.name)} AS {alias}"
        f"{''.join(flattener.joins)}{where} ORDER BY {order}{limit}"
    )
    return sql, _assembler(root.key, row)


def _assembler(key: str, row: str) -> Callable[[Rows], bytes]:
    """A function of the rows, compiled once per plan: a comprehension of the row expression (built only
    from column indexes and ``repr``'d names) costs what a hand-written one does."""
    source = f"def assemble(rows):\n    return _dumps({{'data': {{{key!r}: [{row} for r in rows]}}}})\n"
    namespace: dict[str, Any] = {"_dumps": orjson.dumps, "_Fragment": orjson.Fragment}
    exec(compile(source, "<flat plan>", "exec"), namespace)  # noqa: S102
    assemble: Callable[[Rows], bytes] = namespace["assemble"]
    return assemble
