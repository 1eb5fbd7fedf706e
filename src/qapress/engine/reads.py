"""What a query's answer read: its tables, the keys the rows were limited to, and where their keys show.

A pure walk of the selection plan (:mod:`.selection`), once per compiled plan. A shared cache stores an
anonymous GET answer under cache tags (:mod:`.http_cache`); the application names those tags from this (the
engine knows tables and keys, not the application's tag vocabulary). What this reports must cover every row
the answer could depend on: a table read anywhere (a relationship, a filter through one, an order by an
aggregate) is listed, and whatever the walk cannot see into (a tracked function, a computed field, rows a
mutation returned) makes the whole answer ``opaque``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from qapress.engine.conditions import (
    AggregatePredicate,
    And,
    BoolExp,
    Cell,
    Compare,
    CompareColumns,
    Exists,
    Not,
    Or,
    Related,
)
from qapress.engine.model import Relationship, TrackedTable
from qapress.engine.selection import (
    AggregateField,
    AggregateSelect,
    AggregatesField,
    Arguments,
    ColumnAggregate,
    ColumnField,
    CountAggregate,
    FunctionAggregate,
    ListField,
    NativeSource,
    NodesField,
    ObjectField,
    OrderAggregate,
    OrderCell,
    OrderKey,
    OrderThrough,
    QueryPlan,
    RootSelect,
    RowsSelect,
    Select,
    SingleSelect,
    TableSource,
    Window,
)
from qapress.engine.values import VarRef

#: Response keys from ``data`` down to a value of every row (lists are stepped through).
Path = tuple[str, ...]


@dataclass(frozen=True)
class TableRead:
    """Rows of ``table`` the answer depends on.

    ``keys``: the primary-key values the rows are limited to (a ``_by_pk`` field, ``where: {id: {_eq | _in}}``
    at the top of the filter, or the enclosing row's key through a relationship), None when any row may
    count; ``equals``: column values the filter fixes the same ways (``domain: {_eq: 7}``); ``selected``: the
    path of each plain column the query selects (the first, if aliased twice); ``columns``: every column of
    the table the query reads, to select, filter or order by.
    """

    table: tuple[str, str]
    keys: tuple[object, ...] | None = None
    equals: tuple[tuple[str, object], ...] = ()
    selected: tuple[tuple[str, Path], ...] = ()
    columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NativeRead:
    """Rows of the native query ``name`` called with ``args``; ``selected`` as in :class:`TableRead`."""

    name: str
    args: Arguments
    selected: tuple[tuple[str, Path], ...] = ()


@dataclass(frozen=True)
class Reads:
    tables: tuple[TableRead, ...] = ()
    natives: tuple[NativeRead, ...] = ()
    #: Something was read that no table here names (a function's or computed field's own SQL).
    opaque: bool = False


def resolve(value: object, variables: Mapping[str, Any]) -> list[object]:
    """The values a key or filter value stands for in this request (a list variable gives each of its)."""
    if isinstance(value, VarRef):
        value = variables.get(value.name)
    if isinstance(value, list | tuple):
        return [item for part in value for item in resolve(part, variables)]
    return [value]


def rows_at(data: object, path: Path) -> list[object]:
    """Every value at ``path`` under ``data``, stepping through lists (nulls and missing keys skipped)."""
    level = [data]
    for key in path:
        below: list[object] = []
        for node in level:
            if type(node) is list:
                for item in node:
                    if type(item) is dict and (value := item.get(key)) is not None:
                        below.append(value)
            elif type(node) is dict and (value := node.get(key)) is not None:
                below.append(value)
        level = below
    values: list[object] = []
    for value in level:
        if type(value) is list:
            values.extend(value)
        else:
            values.append(value)
    return values


@dataclass
class _Walk:
    tables: list[TableRead] = field(default_factory=list)
    natives: list[NativeRead] = field(default_factory=list)
    opaque: bool = False

    def select(self, select: Select, path: Path, known: Mapping[str, object] | None = None) -> None:
        """One selection of rows at ``path``; ``known``: column values of the enclosing row."""
        source = select.source
        table = select.table
        window = select.window if isinstance(select, RowsSelect | AggregateSelect) else None
        primary = table.table.primary_key
        fixed = dict(_correlated(select.correlation, known or {}))
        if window is not None:
            fixed.update(_top_equals(window.where))
        keys: tuple[object, ...] | None = None
        if isinstance(select, SingleSelect) and select.keys and len(primary) == 1:
            keys = tuple(value for column, value in select.keys if column.name == primary[0])
        elif len(primary) == 1 and primary[0] in fixed:
            keys = (fixed[primary[0]],)
        elif window is not None and len(primary) == 1:
            keys = _top_in(window.where, primary[0])
        # What the rows below know of each row here: the columns fixed for all of them.
        below = dict(fixed)
        if keys is not None and len(keys) == 1 and len(primary) == 1:
            below[primary[0]] = keys[0]
        columns: set[str] = set()
        selected: dict[str, Path] = {}
        if isinstance(select, AggregateSelect):
            self.aggregate_parts(table, select.parts, path, columns, selected)
        else:
            self.fields(table, select.fields, path, columns, selected, below)
        if window is not None:
            self.window(table, window, columns)
        self.condition(table, select.rule.visible, columns)
        if isinstance(source, NativeSource):
            self.natives.append(NativeRead(source.query.name, source.args, tuple(selected.items())))
            return
        if not isinstance(source, TableSource):
            self.opaque = True  # a function's rows, a computed field's, a mutation's
            return
        self.tables.append(
            TableRead(table.key, keys, tuple(fixed.items()), tuple(selected.items()), frozenset(columns))
        )

    def fields(
        self,
        table: TrackedTable,
        fields: Iterable[object],
        path: Path,
        columns: set[str],
        selected: dict[str, Path],
        known: Mapping[str, object] | None = None,
    ) -> None:
        for item in fields:
            if isinstance(item, ColumnField):
                if item.computed is not None:
                    self.opaque = True
                    continue
                columns.add(item.column.name)
                if item.mask is None:
                    selected.setdefault(item.column.name, (*path, item.key))
                else:
                    self.condition(table, item.mask, columns)
            elif isinstance(item, ObjectField | ListField | AggregateField):
                self.select(item.select, (*path, item.key), known)

    def aggregate_parts(
        self,
        table: TrackedTable,
        parts: Iterable[object],
        path: Path,
        columns: set[str],
        selected: dict[str, Path],
    ) -> None:
        for part in parts:
            if isinstance(part, NodesField):
                self.fields(table, part.fields, (*path, part.key), columns, selected)
            elif isinstance(part, AggregatesField):
                for piece in part.parts:
                    if isinstance(piece, CountAggregate):
                        columns.update(piece.columns)
                    elif isinstance(piece, FunctionAggregate):
                        columns.update(c.column.name for c in piece.columns if isinstance(c, ColumnAggregate))

    def window(self, table: TrackedTable, window: Window, columns: set[str]) -> None:
        self.condition(table, window.where, columns)
        for term in window.order_by:
            self.order_key(table, term.key, columns)
        columns.update(cell.column.name for cell in window.distinct_on)

    def order_key(self, table: TrackedTable, key: OrderKey, columns: set[str]) -> None:
        if isinstance(key, OrderCell):
            self.cell_columns(table, key.cell, columns)
        elif isinstance(key, OrderThrough):
            columns.update(local for local, _ in key.relationship.mapping)
            remote: set[str] = set()
            self.order_key(key.remote, key.key, remote)
            self.condition(key.remote, key.visible, remote)
            self.tables.append(TableRead(key.remote.key, columns=frozenset(remote)))
        elif isinstance(key, OrderAggregate):
            if key.computed is not None:
                self.opaque = True
            remote = {key.column} if key.column else set()
            self.condition(key.remote, key.visible, remote)
            self.tables.append(TableRead(key.remote.key, columns=frozenset(remote)))

    def cell_columns(self, table: TrackedTable, cell: Cell, columns: set[str]) -> None:
        if cell.computed is not None:
            self.opaque = True
        columns.add(cell.column.name)
        if cell.mask is not None:
            self.condition(table, cell.mask, columns)

    def condition(self, table: TrackedTable, condition: BoolExp | None, columns: set[str]) -> None:
        """The columns a filter reads on ``table``, and a read of every other table it reaches."""
        if condition is None:
            return
        if isinstance(condition, Compare):
            self.cell_columns(table, condition.cell, columns)
        elif isinstance(condition, CompareColumns):
            self.cell_columns(table, condition.cell, columns)
            # Of this row, or (``root``) of the filter's table, which only the role's readable columns may be.
            columns.add(condition.other)
        elif isinstance(condition, And | Or):
            for item in condition.items:
                self.condition(table, item, columns)
        elif isinstance(condition, Not):
            self.condition(table, condition.item, columns)
        elif isinstance(condition, Related):
            if condition.computed is not None:
                self.opaque = True
            remote = self.joined(columns, condition.relationship)
            self.condition(condition.remote, condition.where, remote)
            self.condition(condition.remote, condition.visible, remote)
            self.tables.append(TableRead(condition.remote.key, columns=frozenset(remote)))
        elif isinstance(condition, AggregatePredicate):
            remote = self.joined(columns, condition.relationship)
            remote.update(condition.arguments)
            self.condition(condition.remote, condition.filter, remote)
            self.condition(condition.remote, condition.visible, remote)
            self.tables.append(TableRead(condition.remote.key, columns=frozenset(remote)))
        elif isinstance(condition, Exists):
            remote = set()
            self.condition(condition.table, condition.where, remote)
            self.tables.append(TableRead(condition.table.key, columns=frozenset(remote)))

    @staticmethod
    def joined(columns: set[str], relationship: Relationship | None) -> set[str]:
        """The join's columns: this table's added to ``columns``, the remote table's returned."""
        if relationship is None:
            return set()
        columns.update(local for local, _ in relationship.mapping)
        return {far for _, far in relationship.mapping}


def _conjuncts(condition: BoolExp | None) -> Iterator[BoolExp]:
    if isinstance(condition, And):
        for item in condition.items:
            yield from _conjuncts(item)
    elif condition is not None:
        yield condition


def _plain(compare: Compare) -> bool:
    cell = compare.cell
    return cell.computed is None and cell.mask is None and not cell.as_text


def _top_equals(where: BoolExp | None) -> Iterator[tuple[str, object]]:
    """``column: {_eq: value}`` tests every row of the answer passes (the filter's top-level conjuncts)."""
    for item in _conjuncts(where):
        if isinstance(item, Compare) and item.op == "_eq" and _plain(item) and item.value is not None:
            yield item.cell.column.name, item.value


def _top_in(where: BoolExp | None, column: str) -> tuple[object, ...] | None:
    for item in _conjuncts(where):
        if (
            isinstance(item, Compare)
            and item.op == "_in"
            and _plain(item)
            and item.cell.column.name == column
        ):
            value = item.value
            return tuple(value) if isinstance(value, tuple | list) else (value,)
    return None


def _correlated(
    relationship: Relationship | None, known: Mapping[str, object]
) -> Iterator[tuple[str, object]]:
    """The child's column values its enclosing row fixes through the relationship's join."""
    if relationship is None:
        return
    for local, remote in relationship.mapping:
        if local in known:
            yield remote, known[local]


def answer_reads(plan: QueryPlan) -> Reads:
    """What the answer of ``plan`` reads (see the module's docstring)."""
    walk = _Walk()
    for root in plan.fields:
        if isinstance(root, RootSelect):
            walk.select(root.select, (root.key,))
    return Reads(tuple(walk.tables), tuple(walk.natives), walk.opaque)
