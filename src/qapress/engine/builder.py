"""The builder phase: a query's GraphQL AST, the model, the role and the variables -> a :class:`QueryPlan`.

This is where the query is read and checked (fields, arguments, depth, limits, ``distinct_on`` against
``order_by``) and where the role's permission is applied; SQL comes later, from :mod:`.render`. Argument
values read from the AST are plain JSON-like values only here, at the AST's edge; the plan is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from qapress.engine.catalog import Column
from qapress.engine.conditions import Cell, ConditionReader, Value
from qapress.engine.errors import ValidationFailed
from qapress.engine.model import Model, Relationship, TrackedTable
from qapress.engine.permissions import ADMIN
from qapress.engine.scalars import digit_string_value
from qapress.engine.schema import NO_QUERIES_FIELD, NO_QUERIES_TEXT, RoleSchema
from qapress.engine.selection import (
    ALL_ROWS,
    TABLE,
    AggregateField,
    AggregateSelect,
    AggregatesField,
    Arguments,
    ColumnAggregate,
    ColumnField,
    ComputedSource,
    Count,
    CountAggregate,
    Field,
    FunctionAggregate,
    FunctionSource,
    ListField,
    NativeSource,
    NodesField,
    ObjectField,
    OrderAggregate,
    OrderCell,
    OrderKey,
    OrderTerm,
    OrderThrough,
    QueryPlan,
    ReadRule,
    RootConstant,
    RootSelect,
    RowsSelect,
    Select,
    SingleSelect,
    Source,
    TypenameField,
    Window,
)
from qapress.engine.values import ValueReader, VarRef

DIRECTIONS = {
    "asc": "ASC NULLS LAST",
    "asc_nulls_first": "ASC NULLS FIRST",
    "asc_nulls_last": "ASC NULLS LAST",
    "desc": "DESC NULLS FIRST",
    "desc_nulls_first": "DESC NULLS FIRST",
    "desc_nulls_last": "DESC NULLS LAST",
}
MAX_INT = 2**31 - 1
ADMIN_RULE = ReadRule(None, None)


@dataclass(frozen=True)
class CompileOptions:
    stringify_numeric_types: bool = False
    max_depth: int = 12
    #: Cap on rows of every list (root and nested) for this role; None for no cap.
    row_cap: int | None = None


@dataclass
class SelectedField:
    """The fields under one response key, merged (``{ a { x } a { y } }`` selects both x and y)."""

    key: str
    nodes: list[FieldNode]

    @property
    def name(self) -> str:
        return self.nodes[0].name.value

    @property
    def first(self) -> FieldNode:
        return self.nodes[0]


class SelectionBuilder:
    """Builds the plan of one operation; ``extended``: the dialect has PostgreSQL's operators."""

    def __init__(
        self,
        model: Model,
        role_schema: RoleSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        options: CompileOptions,
        extended: bool,
    ) -> None:
        self.model = model
        self.role = role_schema.role
        self.role_schema = role_schema
        self.schema = role_schema.schema
        self.fragments = fragments
        self.values = ValueReader(variables)
        self.options = options
        self.conditions = ConditionReader(model, self.role, extended, role_schema.read_rules)
        #: Hasura's JSON path of the field being read, for error messages.
        self.path = "$"

    # --- operation --------------------------------------------------------------------------------
    def operation(self, operation: OperationDefinitionNode, skip: tuple[str, ...] = ()) -> QueryPlan:
        """The plan of a query operation; root fields named in ``skip`` are left out."""
        root = self.schema.query_type
        assert root is not None
        fields: list[RootSelect | RootConstant] = []
        for selected in self.collect(operation.selection_set):
            if selected.name in skip:
                continue
            if selected.name == "__typename":
                fields.append(RootConstant(selected.key, f'"{root.name}"'))
            elif selected.name == NO_QUERIES_FIELD and selected.name not in self.role_schema.root_fields:
                fields.append(RootConstant(selected.key, orjson.dumps(NO_QUERIES_TEXT).decode()))
            else:
                fields.append(RootSelect(selected.key, self.root_field(selected, root)))
        return QueryPlan(tuple(fields), frozenset(self.values.shaping))

    def root_field(self, selected: SelectedField, root: GraphQLObjectType) -> Select:
        self.path = f"$.selectionSet.{selected.key}"
        root_field = self.role_schema.root_fields[selected.name]
        table = self.model.tracked(root_field.table)
        args = self.arguments(selected.first, root.fields[selected.name])
        if root_field.kind == "select":
            return self.rows(table, args, selected, None, depth=1)
        if root_field.kind == "aggregate":
            return self.aggregate(table, args, selected, None, depth=1)
        if root_field.kind in ("function", "function_aggregate"):
            assert root_field.function is not None
            function = self.model.functions[root_field.function]
            source = FunctionSource(function, _arguments(args.get("args")))
            if root_field.kind == "function" and not function.returns_set:
                return self.single(table, selected, None, depth=1, source=source)
            if root_field.kind == "function":
                return self.rows(table, args, selected, None, depth=1, source=source)
            return self.aggregate(table, args, selected, None, depth=1, source=source)
        if root_field.kind == "native_query":
            assert root_field.function is not None
            query = self.model.native_queries[root_field.function]
            native = NativeSource(query, _arguments(args.get("args")))
            return self.rows(table, args, selected, None, depth=1, source=native)
        keys = tuple((table.table.columns[c], args.get(c)) for c in table.table.primary_key)
        return self.single(table, selected, None, depth=1, keys=keys)

    # --- the AST's selections ---------------------------------------------------------------------
    def collect(self, selection_set: SelectionSetNode | None) -> list[SelectedField]:
        merged: dict[str, SelectedField] = {}
        self._collect(selection_set, merged)
        return list(merged.values())

    def _collect(self, selection_set: SelectionSetNode | None, into: dict[str, SelectedField]) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                if key in into:
                    into[key].nodes.append(selection)
                else:
                    into[key] = SelectedField(key, [selection])
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    self._collect(fragment.selection_set, into)
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, into)

    def included(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("include", "skip"):
                continue
            value: Any = True
            for argument in directive.arguments:
                if argument.name.value == "if":
                    value = self.values.read(argument.value, _BOOLEAN_NON_NULL)
                    if isinstance(value, VarRef):
                        value = self.values.variable(value.name)
            if value is None:
                # An explicit null overrides a variable's default (GraphQL spec, CoerceVariableValues), and
                # `if` is Boolean!: the request is refused rather than the field silently left out.
                raise ValidationFailed('unexpected null value for type "Boolean"')
            if (name == "include") != bool(value):
                return False
        return True

    def sub_fields(self, fields: SelectedField) -> list[SelectedField]:
        merged: dict[str, SelectedField] = {}
        for node in fields.nodes:
            self._collect(node.selection_set, merged)
        return list(merged.values())

    def arguments(self, node: FieldNode, definition: GraphQLField) -> dict[str, Any]:
        """A field's arguments as read from the AST (the AST's edge: JSON-like values, variables as refs)."""
        out: dict[str, Any] = {}
        for argument in node.arguments:
            arg_def = definition.args.get(argument.name.value)
            if arg_def is None:
                raise ValidationFailed(f'"{node.name.value}" has no argument named "{argument.name.value}"')
            digits = digit_string_value(arg_def, argument.value)
            out[arg_def.out_name or argument.name.value] = (
                digits if digits is not None else self.values.read(argument.value, arg_def.type)
            )
        return out

    # --- selections ---------------------------------------------------------------------------------
    def rule(self, table: TrackedTable, role: str | None = None) -> ReadRule:
        """The select permission of ``role`` (the builder's by default) on ``table``, resolved."""
        if role == ADMIN and self.role != ADMIN:
            return ADMIN_RULE
        permission = self.conditions.select_permission(table)
        assert permission is not None
        return ReadRule(self.conditions.visible(table), permission.limit)

    def rows(
        self,
        table: TrackedTable,
        args: Mapping[str, Any],
        fields: SelectedField,
        correlation: Relationship | None,
        depth: int,
        source: Source = TABLE,
    ) -> RowsSelect:
        """A list of rows of ``table`` (of ``source``, by default the table)."""
        self.check_depth(depth)
        row = self.row_fields(table, self.sub_fields(fields), depth)
        rule = self.rule(table)
        window = self.window(table, args)
        return RowsSelect(
            table, row, rule, window, source, correlation, _least(rule.limit, self.options.row_cap)
        )

    def single(
        self,
        table: TrackedTable,
        fields: SelectedField,
        correlation: Relationship | None,
        depth: int,
        source: Source = TABLE,
        keys: tuple[tuple[Column, Value], ...] = (),
        role: str | None = None,
    ) -> SingleSelect:
        """One row (of ``source``, by default the table), or null; ``role``: whose filter applies."""
        self.check_depth(depth)
        row = self.row_fields(table, self.sub_fields(fields), depth)
        return SingleSelect(table, row, self.rule(table, role), source, correlation, keys)

    def aggregate(
        self,
        table: TrackedTable,
        args: Mapping[str, Any],
        fields: SelectedField,
        correlation: Relationship | None,
        depth: int,
        source: Source = TABLE,
    ) -> AggregateSelect:
        self.check_depth(depth)
        agg_type = self.schema.get_type(f"{table.graphql_name}_aggregate")
        fields_type = self.schema.get_type(f"{table.graphql_name}_aggregate_fields")
        assert isinstance(agg_type, GraphQLObjectType) and isinstance(fields_type, GraphQLObjectType)
        parts: list[AggregatesField | NodesField | TypenameField] = []
        for f in self.sub_fields(fields):
            if f.name == "__typename":
                parts.append(TypenameField(f.key, agg_type.name))
            elif f.name == "nodes":
                parts.append(NodesField(f.key, self.row_fields(table, self.sub_fields(f), depth)))
            elif f.name == "aggregate":
                parts.append(self.aggregates(table, f, fields_type))
        rule = self.rule(table)
        window = self.window(table, args)
        # Hasura counts every readable row in the aggregate functions but lists at most the permission's row
        # limit in nodes: then the nodes come from a second select of the same rows, with that limit.
        nodes_cap = None
        if rule.limit is not None and any(isinstance(p, NodesField) for p in parts):
            nodes_cap = _least(rule.limit, self.options.row_cap)
        return AggregateSelect(
            table,
            agg_type.name,
            tuple(parts),
            rule,
            window,
            source,
            correlation,
            self.options.row_cap,
            nodes_cap,
        )

    def aggregates(
        self, table: TrackedTable, fields: SelectedField, fields_type: GraphQLObjectType
    ) -> AggregatesField:
        parts: list[CountAggregate | FunctionAggregate | TypenameField] = []
        for f in self.sub_fields(fields):
            if f.name == "__typename":
                parts.append(TypenameField(f.key, fields_type.name))
            elif f.name == "count":
                args = self.arguments(f.first, fields_type.fields["count"])
                columns = args.get("columns") or []
                if isinstance(columns, str):
                    columns = [columns]
                parts.append(CountAggregate(f.key, tuple(columns), bool(args.get("distinct"))))
            else:
                op_type = self.schema.get_type(f"{table.graphql_name}_{f.name}_fields")
                if not isinstance(op_type, GraphQLObjectType):
                    raise ValidationFailed(
                        f"field \"{f.name}\" not found in type: '{table.graphql_name}_aggregate_fields'"
                    )
                columns_: list[ColumnAggregate | TypenameField] = []
                for column_field in self.sub_fields(f):
                    if column_field.name == "__typename":
                        columns_.append(TypenameField(column_field.key, op_type.name))
                        continue
                    name = table.column_of(column_field.name) or column_field.name
                    columns_.append(ColumnAggregate(column_field.key, table.table.columns[name]))
                parts.append(FunctionAggregate(f.key, f.name, op_type.name, tuple(columns_)))
        return AggregatesField(fields.key, fields_type.name, tuple(parts))

    def check_depth(self, depth: int) -> None:
        if depth > self.options.max_depth:
            raise ValidationFailed(
                f"the query exceeds the maximum depth of {self.options.max_depth}", self.path
            )

    def row_fields(self, table: TrackedTable, fields: list[SelectedField], depth: int) -> tuple[Field, ...]:
        """The fields of one row of ``table`` as the role reads them."""
        out: list[Field] = []
        type_name = table.graphql_name
        object_type = self.schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        masks = self.conditions
        for f in fields:
            name = f.name
            if name == "__typename":
                out.append(TypenameField(f.key, type_name))
            elif (column_name := table.column_of(name)) is not None:
                column = table.table.columns[column_name]
                out.append(ColumnField(f.key, column, masks.mask(table, column_name)))
            elif name in table.relationships:
                outer_path, self.path = self.path, f"{self.path}.selectionSet.{f.key}"
                rel = table.relationships[name]
                remote = self.model.tracked(rel.remote)
                if rel.kind == "object":
                    out.append(ObjectField(f.key, self.single(remote, f, rel, depth + 1)))
                else:
                    args = self.arguments(f.first, object_type.fields[name])
                    out.append(ListField(f.key, self.rows(remote, args, f, rel, depth + 1)))
                self.path = outer_path
            elif name in table.computed:
                cf = table.computed[name]
                args = self.arguments(f.first, object_type.fields[name])
                given = _arguments(args.get("args"))
                if cf.result is not None:
                    out.append(ColumnField(f.key, cf.result, masks.mask(table, name), cf, given))
                else:
                    assert cf.returns is not None
                    remote = self.model.tracked(cf.returns)
                    source = ComputedSource(cf, given)
                    out.append(ListField(f.key, self.rows(remote, args, f, None, depth + 1, source=source)))
            elif name.endswith("_aggregate") and name[: -len("_aggregate")] in table.relationships:
                rel = table.relationships[name[: -len("_aggregate")]]
                remote = self.model.tracked(rel.remote)
                args = self.arguments(f.first, object_type.fields[name])
                out.append(AggregateField(f.key, self.aggregate(remote, args, f, rel, depth + 1)))
            else:
                raise ValidationFailed(f"field \"{name}\" not found in type: '{type_name}'")
        return tuple(out)

    # --- arguments of a list ------------------------------------------------------------------------
    def window(self, table: TrackedTable, args: Mapping[str, Any]) -> Window:
        """``where``, ``order_by``, ``distinct_on``, ``limit`` and ``offset``, read and checked."""
        if not args:
            return ALL_ROWS
        try:
            where = args.get("where")
            condition = self.conditions.where(where, table) if where is not None else None
            order = self.order_terms(table, args.get("order_by") or [])
            limit = _count(args.get("limit"), f"{self.path}.args.limit")
            offset = _count(args.get("offset"), f"{self.path}.args.offset")
            distinct = self.distinct_on(table, args.get("distinct_on"), order)
        except ValidationFailed as exc:
            if exc.path == "$":
                exc.path = f"{self.path}.args"
            raise
        return Window(condition, order, distinct, limit, offset)

    def distinct_on(self, table: TrackedTable, value: Any, order: tuple[OrderTerm, ...]) -> tuple[Cell, ...]:
        if not value:
            return ()
        names = [value] if isinstance(value, str) else list(value)
        cells = tuple(Cell(n, table.table.columns[n], mask=self.conditions.mask(table, n)) for n in names)
        if order:
            leading = [
                t.key.cell.name if isinstance(t.key, OrderCell) and t.key.cell.computed is None else None
                for t in order[: len(cells)]
            ]
            if None in leading or sorted(str(n) for n in leading) != sorted(names):
                raise ValidationFailed('"distinct_on" columns must match initial "order_by" columns')
        return cells

    def order_terms(self, table: TrackedTable, order_by: Any) -> tuple[OrderTerm, ...]:
        if isinstance(order_by, dict):
            order_by = [order_by]
        terms: list[OrderTerm] = []
        for item in order_by:
            if not isinstance(item, dict):
                raise ValidationFailed("expected an object for order_by")
            for key, value in item.items():
                terms += [OrderTerm(k, d) for k, d in self.order_keys(table, key, value)]
        return tuple(terms)

    def order_keys(
        self, table: TrackedTable, key: str, value: Any, through: bool = False
    ) -> list[tuple[OrderKey, str]]:
        """The sort keys (with directions) that one ``order_by`` entry of ``table`` stands for (``through``:
        reached through an object relationship, where a missing row is a null whatever the column)."""
        if value is None:
            return []
        if key in table.table.columns:
            column = table.table.columns[key]
            cell = Cell(key, column, mask=self.conditions.mask(table, key))
            direction = _direction(value)
            if not column.nullable and cell.mask is None and not through:
                # No nulls to place: the same order without the clause, and SQLite can then walk an index
                # (its ASC puts nulls first, so ASC NULLS LAST sorted the whole table for a LIMIT 3).
                direction = direction.split(" NULLS ")[0]
            return [(OrderCell(cell), direction)]
        rel_name = table.relationship_of(key)
        if rel_name is not None and table.relationships[rel_name].kind == "object":
            rel = table.relationships[rel_name]
            remote = self.model.tracked(rel.remote)
            visible = self.conditions.visible(remote)
            return [
                (OrderThrough(rel, remote, visible, inner), direction)
                for sub_key, sub_value in value.items()
                for inner, direction in self.order_keys(remote, sub_key, sub_value, through=True)
            ]
        if key in table.computed and table.computed[key].result is not None:
            cf = table.computed[key]
            assert cf.result is not None
            cell = Cell(key, cf.result, cf, self.conditions.mask(table, key))
            return [(OrderCell(cell), _direction(value))]
        aggregated = key[: -len("_aggregate")] if key.endswith("_aggregate") else None
        if aggregated in table.computed and table.computed[aggregated].returns is not None:
            cf = table.computed[aggregated]
            assert cf.returns is not None
            remote = self.model.tracked(cf.returns)
            return self.aggregate_order(remote, value, computed=cf)
        if aggregated is not None and aggregated in table.relationships:
            rel = table.relationships[aggregated]
            return self.aggregate_order(self.model.tracked(rel.remote), value, relationship=rel)
        raise ValidationFailed(f"field \"{key}\" not found in type: '{table.graphql_name}_order_by'")

    def aggregate_order(self, remote: TrackedTable, value: Any, **through: Any) -> list[tuple[OrderKey, str]]:
        """Order keys from aggregates (``{count: desc, max: {col: asc}}``) over the rows reached."""
        visible = self.conditions.visible(remote)
        keys: list[tuple[OrderKey, str]] = []
        for function, spec in value.items():
            if spec is None:
                continue
            if function == "count":
                keys.append((OrderAggregate(remote, visible, "count", **through), _direction(spec)))
                continue
            for column, direction in spec.items():
                if direction is None:
                    continue
                key = OrderAggregate(remote, visible, function, column, **through)
                keys.append((key, _direction(direction)))
        return keys


_BOOLEAN_NON_NULL = GraphQLNonNull(GraphQLBoolean)


def _arguments(value: Any) -> Arguments:
    """``args: {...}`` of a function, native query or computed field, as name-value pairs."""
    return tuple(value.items()) if isinstance(value, dict) else ()


def _least(*caps: int | None) -> int | None:
    given = [c for c in caps if c is not None]
    return min(given) if given else None


def _direction(value: Any) -> str:
    if value not in DIRECTIONS:
        raise ValidationFailed(f"unexpected order_by value {value!r}")
    return DIRECTIONS[value]


def _count(value: Any, path: str) -> Count:
    """A ``limit`` or ``offset``: a variable (checked when bound) or a checked literal."""
    if isinstance(value, VarRef):
        return value
    return check_count(value, path)


def check_count(value: Any, path: str = "$") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        raise ValidationFailed(
            'expected a non-negative 32-bit integer for type "Int", but found ' + _describe(value), path
        )
    return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    return "a value of another type"
