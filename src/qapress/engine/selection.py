"""A query operation as a typed selection plan: what to read, for whom, in which order; no SQL yet.

The builder (:mod:`.builder`) makes this tree from the GraphQL AST, the model, the role's permissions and
the variables that shape the SQL; a dialect's renderer (:mod:`.compile`) writes it as one statement. The
tree is final: arguments are checked and typed, the role's row filters and (for an inherited role) the
rows on which each cell shows are resolved, so the renderer decides nothing but SQL spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

from qapress.engine.catalog import Column
from qapress.engine.computed import ComputedField
from qapress.engine.conditions import BoolExp, Cell, Value
from qapress.engine.functions import TrackedFunction
from qapress.engine.model import Relationship, TrackedTable
from qapress.engine.native_queries import NativeQuery
from qapress.engine.values import VarRef

#: A row count from the query: a checked literal, a variable bound (and checked) per request, or none.
Count = Union[int, VarRef, None]  # noqa: UP007
#: Arguments of a function, a native query or a computed field: name -> value, in the query's order.
Arguments = tuple[tuple[str, Value], ...]


# --- where the rows come from --------------------------------------------------------------------------
@dataclass(frozen=True)
class TableSource:
    """The table itself."""


@dataclass(frozen=True)
class FunctionSource:
    """A tracked function's rows: ``"schema"."function"(args)``."""

    function: TrackedFunction
    args: Arguments


@dataclass(frozen=True)
class NativeSource:
    """A native query's rows: its code with each placeholder bound."""

    query: NativeQuery
    args: Arguments


@dataclass(frozen=True)
class ComputedSource:
    """A set-returning computed field's rows, called with the enclosing row."""

    computed: ComputedField
    args: Arguments


@dataclass(frozen=True)
class RawSource:
    """SQL given by the mutation path (rows a mutation returned): ``alias`` -> ``<from item> AS alias``."""

    sql: Callable[[str], str]


Source = Union[TableSource, FunctionSource, NativeSource, ComputedSource, RawSource]  # noqa: UP007
TABLE = TableSource()


# --- order_by --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderCell:
    """A column or scalar computed field of the row (as the role sees it)."""

    cell: Cell


@dataclass(frozen=True)
class OrderThrough:
    """A key of the row an object relationship reaches (readable rows of ``remote`` only)."""

    relationship: Relationship
    remote: TrackedTable
    visible: BoolExp | None
    key: OrderKey


@dataclass(frozen=True)
class OrderAggregate:
    """An aggregate (``count``, or ``max`` ... of ``column``) over the rows an array relationship or a
    set-returning computed field reaches (readable rows only)."""

    remote: TrackedTable
    visible: BoolExp | None
    function: str
    column: str | None = None
    relationship: Relationship | None = None
    computed: ComputedField | None = None


OrderKey = Union[OrderCell, OrderThrough, OrderAggregate]  # noqa: UP007


@dataclass(frozen=True)
class OrderTerm:
    key: OrderKey
    #: The SQL direction with its nulls placement (``ASC NULLS LAST`` ...), as Hasura defines each.
    direction: str


@dataclass(frozen=True)
class Window:
    """Which rows of a list: ``where``, ``order_by``, ``distinct_on`` (columns), ``limit``, ``offset``."""

    where: BoolExp | None = None
    order_by: tuple[OrderTerm, ...] = ()
    distinct_on: tuple[Cell, ...] = ()
    limit: Count = None
    offset: Count = None

    @property
    def shaped(self) -> bool:
        """Some order or bound is given (else a list may aggregate straight from its table). A ``limit: 0``
        is a bound: aggregated straight, its LIMIT would leave no row to aggregate, and the list null."""
        return bool(self.order_by or self.distinct_on) or self.limit is not None or self.offset is not None


ALL_ROWS = Window()


@dataclass(frozen=True)
class ReadRule:
    """The role's select permission on a table, resolved: its row filter and its row limit."""

    visible: BoolExp | None
    limit: int | None


# --- fields of a row -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TypenameField:
    key: str
    type_name: str


@dataclass(frozen=True)
class ColumnField:
    """A column, or a scalar computed field (``computed`` and its ``args``); ``mask`` as in :class:`Cell`."""

    key: str
    column: Column
    mask: BoolExp | None = None
    computed: ComputedField | None = None
    args: Arguments = ()


@dataclass(frozen=True)
class ObjectField:
    """An object relationship: one row or null."""

    key: str
    select: SingleSelect


@dataclass(frozen=True)
class ListField:
    """An array relationship or a set-returning computed field: a JSON array of rows."""

    key: str
    select: RowsSelect


@dataclass(frozen=True)
class AggregateField:
    """``<relationship>_aggregate``."""

    key: str
    select: AggregateSelect


Field = Union[TypenameField, ColumnField, ObjectField, ListField, AggregateField]  # noqa: UP007


# --- selections --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowsSelect:
    """A JSON array of rows of ``table`` (read from ``source``), each with ``fields``.

    ``correlation``: the relationship from the enclosing row; ``cap``: the most rows the role may list
    (its permission's limit, the anonymous row cap)."""

    table: TrackedTable
    fields: tuple[Field, ...]
    rule: ReadRule
    window: Window = ALL_ROWS
    source: Source = TABLE
    correlation: Relationship | None = None
    cap: int | None = None


@dataclass(frozen=True)
class SingleSelect:
    """One row's JSON object, or null: a row by primary key (``keys``), an object relationship's row, or a
    function's single row."""

    table: TrackedTable
    fields: tuple[Field, ...]
    rule: ReadRule
    source: Source = TABLE
    correlation: Relationship | None = None
    keys: tuple[tuple[Column, Value], ...] = ()


@dataclass(frozen=True)
class CountAggregate:
    key: str
    columns: tuple[str, ...] = ()
    distinct: bool = False


@dataclass(frozen=True)
class ColumnAggregate:
    """One column under ``max``/``min``/``sum``/``avg``/``stddev`` ...: how the value is rendered follows
    the function and the column's type."""

    key: str
    column: Column


@dataclass(frozen=True)
class FunctionAggregate:
    """``max { a b }``: one aggregate function over the columns listed (``__typename`` among them)."""

    key: str
    function: str
    type_name: str
    columns: tuple[ColumnAggregate | TypenameField, ...]


@dataclass(frozen=True)
class AggregatesField:
    """``aggregate { count sum { ... } }``."""

    key: str
    type_name: str
    parts: tuple[CountAggregate | FunctionAggregate | TypenameField, ...]


@dataclass(frozen=True)
class NodesField:
    key: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class AggregateSelect:
    """``<table>_aggregate``: aggregates over every row the role may read (its row limit aside, as in
    Hasura) and the nodes, at most ``nodes_cap`` of them when the permission limits rows."""

    table: TrackedTable
    type_name: str
    parts: tuple[AggregatesField | NodesField | TypenameField, ...]
    rule: ReadRule
    window: Window = ALL_ROWS
    source: Source = TABLE
    correlation: Relationship | None = None
    cap: int | None = None
    nodes_cap: int | None = None


Select = Union[RowsSelect, SingleSelect, AggregateSelect]  # noqa: UP007


# --- the operation -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RootSelect:
    key: str
    select: Select


@dataclass(frozen=True)
class RootConstant:
    """A root field answered without the database (``__typename``, an empty schema's placeholder): JSON."""

    key: str
    json: str


@dataclass(frozen=True)
class QueryPlan:
    fields: tuple[RootSelect | RootConstant, ...]
    #: Variables whose values shaped the plan (a directive's ``if``, a whole ``where: $w``).
    shaping: frozenset[str] = frozenset()
