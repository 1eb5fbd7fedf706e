"""What a query may cost, estimated from its compiled shape before it runs: the bytes its answer may reach.

Rows multiply through nested lists. Each list counts the fewest rows it can return: the query's ``limit``,
the role's row limit (the permission's and the anonymous cap) and the table's size, or ``default_rows`` when
none of them is known. Each row counts its keys and its columns by their declared sizes (a text column
without a declared length as ``text_bytes``). The estimate is made once per plan and kept in the plan cache,
so checking it on a cache hit is one comparison; :class:`CostBudgets` says how much each role may spend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLObjectType, OperationDefinitionNode

from qapress.engine.catalog import Column
from qapress.engine.errors import ValidationFailed
from qapress.engine.model import TrackedTable
from qapress.engine.permissions import ADMIN, ANONYMOUS
from qapress.engine.selection import (
    AggregateSelect,
    AggregatesField,
    ColumnField,
    Count,
    Field,
    FunctionAggregate,
    NodesField,
    QueryPlan,
    RootConstant,
    RowsSelect,
    Select,
    SingleSelect,
    TypenameField,
)

if TYPE_CHECKING:
    from qapress.engine.compile import OperationCompiler, SelectedField

#: Bytes of one value of each scalar as JSON text (the longest usual rendering).
SCALAR_BYTES = {
    "Int": 11,
    "smallint": 6,
    "bigint": 20,
    "Boolean": 5,
    "Float": 24,
    "float8": 24,
    "numeric": 40,
    "date": 12,
    "time": 18,
    "timetz": 24,
    "timestamp": 28,
    "timestamptz": 34,
    "uuid": 38,
}
#: Scalars sized like text: by their declared length, else ``text_bytes``.
TEXT_SCALARS = frozenset({"String", "citext", "bpchar", "varchar", "text", "json", "jsonb", "bytea"})
#: Anything else (enums, geometry, arrays): a middling guess.
OTHER_BYTES = 64
#: An aggregate's numbers (count, sum, max ...) per selected field.
AGGREGATE_BYTES = 40


@dataclass(frozen=True)
class CostModel:
    """The guesses the estimate rests on where the schema says nothing."""

    #: Rows of a list bounded by no limit and by no known table size.
    default_rows: int = 1_000
    #: Bytes of a text value without a declared length (an article's text counts this much).
    text_bytes: int = 1_000


@dataclass(frozen=True)
class CostBudgets:
    """The largest estimated cost (in answer bytes) each role may ask for in one request; None: unbounded.

    A batch's items are summed against the same budget."""

    anonymous: int | None = 16_000_000
    admin: int | None = None
    #: Roles other than anonymous and admin that are not listed in ``roles``.
    default: int | None = None
    roles: Mapping[str, int | None] = field(default_factory=dict)

    def budget(self, role: str) -> int | None:
        if role in self.roles:
            return self.roles[role]
        if role == ANONYMOUS:
            return self.anonymous
        if role == ADMIN:
            return self.admin
        return self.default

    @staticmethod
    def setting(role: str) -> str:
        """The setting a role's budget comes from, for error messages."""
        if role == ANONYMOUS:
            return "QAPRESS_MAX_COST_ANONYMOUS"
        if role == ADMIN:
            return "QAPRESS_MAX_COST_ADMIN"
        return "QAPRESS_MAX_COST_ROLES"


class CostExceeded(ValidationFailed):
    """A request whose estimated cost is over its role's budget: refused before anything runs."""

    def __init__(self, estimate: int, budget: int, role: str, batch: bool = False) -> None:
        what = "batch" if batch else "query"
        super().__init__(
            f"the {what}'s estimated cost of {estimate:,} bytes exceeds the budget of {budget:,} for role "
            f'"{role}" ({CostBudgets.setting(role)}): ask for fewer rows (limit), fewer nested lists or '
            "fewer columns"
        )


def column_bytes(column: Column, model: CostModel) -> int:
    """The JSON bytes of one value of ``column``."""
    if column.scalar in SCALAR_BYTES:
        return SCALAR_BYTES[column.scalar]
    if column.scalar in TEXT_SCALARS:
        # Quotes and a little escaping on top of the declared length.
        return column.max_length + 4 if column.max_length is not None else model.text_bytes
    return OTHER_BYTES


class CostEstimator:
    """Adds up the size an answer may reach: of a query from its typed plan (the one that was rendered), of
    a mutation from its AST (the mutation path builds no plan for its writes)."""

    def __init__(
        self,
        compiler: OperationCompiler,
        table_rows: Mapping[tuple[str, str], int],
        model: CostModel,
    ) -> None:
        self.compiler = compiler
        self.table_rows = table_rows
        self.model = model

    def operation(self, operation: OperationDefinitionNode, skip: tuple[str, ...] = ()) -> int:
        """A query operation's estimate, from its plan (built here; see :meth:`query` when one is at hand)."""
        return self.query(self.compiler.plan(operation, skip))

    def query(self, plan: QueryPlan) -> int:
        """A query plan's estimate: the bytes its answer may reach."""
        total = 2
        for root in plan.fields:
            total += len(root.key) + 4
            if isinstance(root, RootConstant):
                total += len(root.json)
            else:
                total += self.selected(root.select)
        return total

    def selected(self, select: Select) -> int:
        if isinstance(select, RowsSelect):
            return self.listed(select.table, select.window.limit, select.cap, select.fields)
        if isinstance(select, SingleSelect):
            return self.planned_row(select.fields)
        return self.planned_aggregate(select)

    def listed(self, table: TrackedTable, limit: Count, cap: int | None, fields: tuple[Field, ...]) -> int:
        """A JSON array of rows: the fewest it can hold (the query's limit, the role's cap, the table's size)."""
        bounds = [b for b in (limit, cap) if isinstance(b, int)]
        if table.key in self.table_rows:
            bounds.append(self.table_rows[table.key])
        rows = max(0, min(bounds)) if bounds else self.model.default_rows
        return 2 + rows * (self.planned_row(fields) + 1)

    def planned_row(self, fields: tuple[Field, ...]) -> int:
        total = 2
        for f in fields:
            total += len(f.key) + 4
            if isinstance(f, TypenameField):
                total += len(f.type_name) + 2
            elif isinstance(f, ColumnField):
                total += column_bytes(f.column, self.model)
            else:
                total += self.selected(f.select)
        return total

    def planned_aggregate(self, select: AggregateSelect) -> int:
        total = 2
        for part in select.parts:
            total += len(part.key) + 4
            if isinstance(part, NodesField):
                cap = select.nodes_cap if select.nodes_cap is not None else select.cap
                total += self.listed(select.table, select.window.limit, cap, part.fields)
            elif isinstance(part, AggregatesField):
                total += sum(
                    len(a.key)
                    + 4
                    + AGGREGATE_BYTES * max(1, len(a.columns) if isinstance(a, FunctionAggregate) else 0)
                    for a in part.parts
                )
            else:
                total += AGGREGATE_BYTES
        return total

    def mutation(self, operation: OperationDefinitionNode) -> int:
        """What a mutation's answer may reach: its ``returning`` rows (as many as the objects inserted, or
        the table's size for an update or delete) and the rows selected through them."""
        compiler = self.compiler
        root = compiler.schema.mutation_type
        assert root is not None
        total = 2
        for fields in compiler.collect(operation.selection_set):
            total += len(fields.key) + 4
            spec = compiler.role_schema.mutation_fields.get(fields.name)
            if spec is None:
                total += len(root.name) + 2
                continue
            table = compiler.model.tracked(spec.table)
            if spec.kind in ("insert_one", "update_by_pk", "delete_by_pk"):
                total += self.row(table, fields)
                continue
            args = compiler.arguments(fields.first, root.fields[fields.name])
            objects = args.get("objects")
            updates = args.get("updates")
            answers = len(updates) if spec.kind == "update_many" and isinstance(updates, list) else 1
            if spec.kind == "insert" and isinstance(objects, list):
                rows = len(objects)
            else:
                rows = self.table_rows.get(table.key, self.model.default_rows)
            for f in compiler.sub_fields(fields):
                total += answers * (len(f.key) + 4)
                if f.name == "returning":
                    total += answers * (2 + rows * (self.row(table, f) + 1))
                else:
                    total += answers * AGGREGATE_BYTES
        return total

    def row_count(self, table: TrackedTable, args: Mapping[str, Any], aggregating: bool = False) -> int:
        """The most rows a list of ``table`` may hold under this query, role and data."""
        bounds: list[int] = []
        limit = args.get("limit")
        if isinstance(limit, int) and not isinstance(limit, bool):
            bounds.append(limit)
        permission = table.select_permission(self.compiler.role)
        if permission is not None and permission.limit is not None and not aggregating:
            bounds.append(permission.limit)
        cap = self.compiler.options.row_cap
        if cap is not None:
            bounds.append(cap)
        if table.key in self.table_rows:
            bounds.append(self.table_rows[table.key])
        return max(0, min(bounds)) if bounds else self.model.default_rows

    def rows(self, table: TrackedTable, args: Mapping[str, Any], fields: SelectedField) -> int:
        return 2 + self.row_count(table, args) * (self.row(table, fields) + 1)

    def row(self, table: TrackedTable, fields: SelectedField) -> int:
        """One row's JSON object with the fields selected under ``fields``."""
        compiler = self.compiler
        object_type = compiler.schema.get_type(table.graphql_name)
        if not isinstance(object_type, GraphQLObjectType):  # a table the role may write but not read
            return 2
        total = 2
        for f in compiler.sub_fields(fields):
            name = f.name
            total += len(f.key) + 4
            if name == "__typename":
                total += len(table.graphql_name) + 2
            elif name in table.table.columns:
                total += column_bytes(table.table.columns[name], self.model)
            elif name in table.relationships:
                rel = table.relationships[name]
                remote = compiler.model.tracked(rel.remote)
                if rel.kind == "object":
                    total += self.row(remote, f)
                else:
                    total += self.rows(remote, compiler.arguments(f.first, object_type.fields[name]), f)
            elif name in table.computed:
                computed = table.computed[name]
                if computed.result is not None:
                    total += column_bytes(computed.result, self.model)
                elif computed.returns is not None:
                    remote = compiler.model.tracked(computed.returns)
                    total += self.rows(remote, compiler.arguments(f.first, object_type.fields[name]), f)
            elif name.endswith("_aggregate") and name[: -len("_aggregate")] in table.relationships:
                rel = table.relationships[name[: -len("_aggregate")]]
                remote = compiler.model.tracked(rel.remote)
                total += self.aggregate(remote, compiler.arguments(f.first, object_type.fields[name]), f)
        return total

    def aggregate(self, table: TrackedTable, args: Mapping[str, Any], fields: SelectedField) -> int:
        total = 2
        for f in self.compiler.sub_fields(fields):
            total += len(f.key) + 4
            if f.name == "nodes":
                total += self.rows(table, args, f)
            elif f.name == "aggregate":
                total += sum(
                    len(a.key) + 4 + AGGREGATE_BYTES * max(1, len(self.compiler.sub_fields(a)))
                    for a in self.compiler.sub_fields(f)
                )
            else:
                total += AGGREGATE_BYTES
        return total


__all__ = ["CostBudgets", "CostEstimator", "CostExceeded", "CostModel", "column_bytes"]
