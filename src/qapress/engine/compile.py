"""A GraphQL query operation compiled into ONE SQL statement whose single value is the ``data`` JSON.

The database builds every object and array (``json_object``/``json_group_array`` on SQLite,
``json_build_object``/``json_agg`` on PostgreSQL); Python only binds parameters and passes the text on.
Values are always bound parameters; the plan records where each one comes from (see :mod:`.plan`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

from qapress.engine.boolexp import BoolExpCompiler
from qapress.engine.computed import ROW
from qapress.engine.dialects import FLOATS, Dialect, balanced, quote_ident, quote_text
from qapress.engine.errors import ValidationFailed
from qapress.engine.model import Model, Relationship, TrackedTable
from qapress.engine.params import ParamCollector
from qapress.engine.plan import Param
from qapress.engine.scalars import STRINGIFIED, digit_string_value
from qapress.engine.schema import NO_QUERIES_FIELD, NO_QUERIES_TEXT, RoleSchema
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
#: Prefix of the inner select's flags for columns an inherited role may read on some rows only.
GUARD = "__g_"


@dataclass(frozen=True)
class CompileOptions:
    stringify_numeric_types: bool = False
    max_depth: int = 12
    #: Cap on rows of every list (root and nested) for this role; None for no cap.
    row_cap: int | None = None


@dataclass(frozen=True)
class CompiledOperation:
    sql: str
    params: tuple[Param, ...]
    shaping: frozenset[str]


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


class OperationCompiler:
    def __init__(
        self,
        model: Model,
        role_schema: RoleSchema,
        dialect: Dialect,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        options: CompileOptions,
    ) -> None:
        self.model = model
        self.role = role_schema.role
        self.role_schema = role_schema
        self.schema = role_schema.schema
        self.dialect = dialect
        self.fragments = fragments
        self.values = ValueReader(variables)
        self.options = options
        self.params = ParamCollector(dialect)
        self.where = BoolExpCompiler(model, self.role, dialect, self.params, self.alias)
        self._aliases = 0
        #: Hasura's JSON path of the field being compiled, for error messages.
        self.path = "$"
        self._aggregating = False

    def alias(self, prefix: str = "_t") -> str:
        self._aliases += 1
        return f"{prefix}{self._aliases}"

    # --- operation --------------------------------------------------------------------------------
    def compile(self, operation: OperationDefinitionNode, skip: tuple[str, ...] = ()) -> CompiledOperation:
        """The whole operation as one statement; root fields named in ``skip`` are left out."""
        root = self.schema.query_type
        assert root is not None
        parts: list[str] = []
        for fields in self.collect(operation.selection_set):
            if fields.name in skip:
                continue
            if fields.name == "__typename":
                value = quote_text(f'"{root.name}"')
            elif fields.name == NO_QUERIES_FIELD and fields.name not in self.role_schema.root_fields:
                value = quote_text(orjson.dumps(NO_QUERIES_TEXT).decode())
            else:
                value = self.dialect.as_text(self.root_field(fields, root))
            parts.append(f"{quote_text(_json_key(fields.key))} || {value}")
        body = balanced(parts, " || ',' || ") if parts else ""
        sql = f"SELECT '{{' || {body} || '}}'" if parts else "SELECT '{}'"
        text, params = self.params.finish(sql)
        return CompiledOperation(text, params, frozenset(self.values.shaping))

    def root_field(self, fields: SelectedField, root: GraphQLObjectType) -> str:
        self.path = f"$.selectionSet.{fields.key}"
        root_field = self.role_schema.root_fields[fields.name]
        table = self.model.tracked(root_field.table)
        definition = root.fields[fields.name]
        args = self.arguments(fields.first, definition)
        if root_field.kind == "select":
            return self.rows(table, args, fields, None, depth=1)
        if root_field.kind == "aggregate":
            return self.aggregate(table, args, fields, None, depth=1)
        if root_field.kind in ("function", "function_aggregate"):
            assert root_field.function is not None
            call = self.model.functions[root_field.function].call(args.get("args") or {}, self.params)
            if root_field.kind == "function" and not self.model.functions[root_field.function].returns_set:
                return self.single(table, None, fields, None, depth=1, source=_aliased(call))
            if root_field.kind == "function":
                return self.rows(table, args, fields, None, depth=1, source=_aliased(call))
            return self.aggregate(table, args, fields, None, depth=1, source=_aliased(call))
        if root_field.kind == "native_query":
            assert root_field.function is not None
            query = self.model.native_queries[root_field.function]
            code = query.sql(args.get("args") or {}, self.params)
            return self.rows(table, args, fields, None, depth=1, source=_aliased(f"({code})"))
        return self.by_pk(table, args, fields)

    # --- selections -------------------------------------------------------------------------------
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
            if (name == "include") != bool(value):
                return False
        return True

    def sub_fields(self, fields: SelectedField) -> list[SelectedField]:
        merged: dict[str, SelectedField] = {}
        for node in fields.nodes:
            self._collect(node.selection_set, merged)
        return list(merged.values())

    def arguments(self, node: FieldNode, definition: GraphQLField) -> dict[str, Any]:
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

    # --- rows -------------------------------------------------------------------------------------
    def rows(
        self,
        table: TrackedTable,
        args: dict[str, Any],
        fields: SelectedField,
        correlation: tuple[str, Relationship] | None,
        depth: int,
        source: Callable[[str], str] | None = None,
    ) -> str:
        """A scalar subquery: the JSON array of the selected rows (of ``source``, by default the table)."""
        self.check_depth(depth)
        permission = table.select_permission(self.role)
        unordered = not any(args.get(k) for k in ("order_by", "limit", "offset", "distinct_on"))
        if unordered and permission is not None and permission.limit is None and self.options.row_cap is None:
            # No order, no limit: aggregate straight from the table, one nesting level less.
            base = self.alias()
            needed_flat: list[str] = []
            row = self.row_json(table, base, self.sub_fields(fields), needed_flat, depth)
            if not any(n == ROW or n.startswith(GUARD) for n in needed_flat):
                flat, _ = self.inner_select(
                    table,
                    args,
                    needed_flat,
                    correlation,
                    single=False,
                    source=source,
                    alias=base,
                    select_list=self.dialect.agg_array(row, ""),
                )
                return f"({flat})"
        row_alias = self.alias("_e")
        needed: list[str] = []
        row = self.row_json(table, row_alias, self.sub_fields(fields), needed, depth)
        inner, order_columns = self.inner_select(
            table, args, needed, correlation, single=False, source=source
        )
        order = ", ".join(f"{row_alias}.{quote_ident(name)} {direction}" for name, direction in order_columns)
        return f"(SELECT {self.dialect.agg_array(row, order)} FROM ({inner}) AS {row_alias})"

    def single(
        self,
        table: TrackedTable,
        conditions: Callable[[str], list[str]] | None,
        fields: SelectedField,
        correlation: tuple[str, Relationship] | None,
        depth: int,
        source: Callable[[str], str] | None = None,
    ) -> str:
        """A scalar subquery: one row's JSON object (of ``source``, by default the table), or NULL."""
        self.check_depth(depth)
        # Built straight on the table when it can be: one nesting level less (SQLite's parser has a fixed stack).
        base = self.alias()
        needed_flat: list[str] = []
        row = self.row_json(table, base, self.sub_fields(fields), needed_flat, depth)
        if not any(n == ROW or n.startswith(GUARD) for n in needed_flat):
            flat, _ = self.inner_select(
                table,
                {},
                needed_flat,
                correlation,
                single=True,
                extra=conditions,
                alias=base,
                select_list=row,
                source=source,
            )
            return f"({flat})"
        row_alias = self.alias("_e")
        needed: list[str] = []
        row = self.row_json(table, row_alias, self.sub_fields(fields), needed, depth)
        inner, _ = self.inner_select(
            table, {}, needed, correlation, single=True, extra=conditions, source=source
        )
        return f"(SELECT {row} FROM ({inner}) AS {row_alias})"

    def by_pk(self, table: TrackedTable, args: dict[str, Any], fields: SelectedField) -> str:
        def conditions(alias: str) -> list[str]:
            return [
                f"{alias}.{quote_ident(column)} = "
                f"{self.params.value(args.get(column), table.table.columns[column])}"
                for column in table.table.primary_key
            ]

        return self.single(table, conditions, fields, None, depth=1)

    def check_depth(self, depth: int) -> None:
        if depth > self.options.max_depth:
            raise ValidationFailed(
                f"the query exceeds the maximum depth of {self.options.max_depth}", self.path
            )

    def row_json(
        self, table: TrackedTable, alias: str, fields: list[SelectedField], needed: list[str], depth: int
    ) -> str:
        pairs: list[tuple[str, str]] = []
        type_name = table.graphql_name
        permission = table.select_permission(self.role)
        guards = permission.column_filters if permission is not None else {}
        object_type = self.schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        for f in fields:
            name = f.name
            if name == "__typename":
                pairs.append((f.key, quote_text(type_name)))
            elif (column_name := table.column_of(name)) is not None:
                name = column_name
                _need(needed, name)
                column = table.table.columns[name]
                expr = f"{alias}.{quote_ident(name)}"
                rendered = self.dialect.render(expr, column, self.options.stringify_numeric_types)
                pairs.append((f.key, _flagged(rendered, alias, name, guards, needed)))
            elif name in table.relationships:
                outer_path, self.path = self.path, f"{self.path}.selectionSet.{f.key}"
                rel = table.relationships[name]
                for local, _remote in rel.mapping:
                    _need(needed, local)
                remote = self.model.tracked(rel.remote)
                if rel.kind == "object":
                    sub = self.single(remote, None, f, (alias, rel), depth + 1)
                else:
                    args = self.arguments(f.first, object_type.fields[name])
                    sub = self.rows(remote, args, f, (alias, rel), depth + 1)
                pairs.append((f.key, self.dialect.embed(sub)))
                self.path = outer_path
            elif name in table.computed:
                cf = table.computed[name]
                _need(needed, ROW)
                args = self.arguments(f.first, object_type.fields[name])
                call = cf.call(f"{alias}.{quote_ident(ROW)}", self.params, args.get("args"))
                if cf.result is not None:
                    rendered = self.dialect.render(call, cf.result, self.options.stringify_numeric_types)
                    pairs.append((f.key, _flagged(rendered, alias, name, guards, needed)))
                else:
                    assert cf.returns is not None
                    remote = self.model.tracked(cf.returns)
                    sub = self.rows(remote, args, f, None, depth + 1, source=_aliased(call))
                    pairs.append((f.key, self.dialect.embed(sub)))
            elif name.endswith("_aggregate") and name[: -len("_aggregate")] in table.relationships:
                rel = table.relationships[name[: -len("_aggregate")]]
                for local, _remote in rel.mapping:
                    _need(needed, local)
                remote = self.model.tracked(rel.remote)
                args = self.arguments(f.first, object_type.fields[name])
                sub = self.aggregate(remote, args, f, (alias, rel), depth + 1)
                pairs.append((f.key, self.dialect.embed(sub)))
            else:
                raise ValidationFailed(f"field \"{name}\" not found in type: '{type_name}'")
        if not pairs:
            return self.dialect.json_object([])
        return self.dialect.json_object(pairs)

    def inner_select(
        self,
        table: TrackedTable,
        args: dict[str, Any],
        needed: list[str],
        correlation: tuple[str, Relationship] | None,
        single: bool,
        extra: Callable[[str], list[str]] | None = None,
        source: Callable[[str], str] | None = None,
        alias: str | None = None,
        select_list: str | None = None,
        role: str | None = None,
    ) -> tuple[str, list[tuple[str, str]]]:
        """``SELECT <needed columns> FROM table WHERE ... ORDER BY ... LIMIT ...``, and its order keys;
        ``role``: whose select permission applies to the table's rows (the compiler's role by default)."""
        try:
            return self._inner_select(
                table, args, needed, correlation, single, extra, source, alias, select_list, role
            )
        except ValidationFailed as exc:
            if exc.path == "$":
                exc.path = f"{self.path}.args"
            raise

    def _inner_select(
        self,
        table: TrackedTable,
        args: dict[str, Any],
        needed: list[str],
        correlation: tuple[str, Relationship] | None,
        single: bool,
        extra: Callable[[str], list[str]] | None = None,
        source: Callable[[str], str] | None = None,
        alias: str | None = None,
        select_list: str | None = None,
        role: str | None = None,
    ) -> tuple[str, list[tuple[str, str]]]:
        alias = alias or self.alias()
        permission = table.select_permission(role or self.role)
        assert permission is not None
        conditions: list[str] = []
        if correlation is not None:
            outer, rel = correlation
            conditions += [
                f"{alias}.{quote_ident(remote)} = {outer}.{quote_ident(local)}"
                for local, remote in rel.mapping
            ]
        if extra is not None:
            conditions += extra(alias)
        if permission.filter:
            conditions.append(self.where.permission(permission.filter, table, alias))
        if args.get("where") is not None:
            conditions.append(self.where.compile(args["where"], table, alias))
        where_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order_terms = self.order_terms(table, alias, args.get("order_by") or [])
        columns = [self.projected_column(table, alias, c, permission.column_filters) for c in needed]
        columns = [select_list] if select_list is not None else columns or ["1 AS __one"]
        projected: list[tuple[str, str]] = []
        distinct = args.get("distinct_on")
        # SQLite aggregates in subquery order; PostgreSQL's json_agg and the distinct emulation need the keys.
        if self.dialect.order_keys_in_aggregate or distinct:
            for index, (expr, direction) in enumerate(order_terms):
                columns.append(f"{expr} AS {quote_ident(f'__o{index}')}")
                projected.append((f"__o{index}", direction))
        order_sql = ", ".join(f"{expr} {direction}" for expr, direction in order_terms)
        # Hasura counts every readable row in aggregates: the permission's row limit is for lists only.
        permission_limit = None if self._aggregating else permission.limit
        limit_sql = self.limit_clause(args, permission_limit, single)
        from_sql = f"{self.dialect.qualified(table.table.schema, table.table.name)} AS {alias}"
        if source is not None:
            from_sql = source(alias)
        if distinct:
            return self.distinct_select(
                table, alias, distinct, columns, from_sql, where_sql, order_terms, projected, limit_sql
            ), projected
        order_clause = f" ORDER BY {order_sql}" if order_sql else ""
        return f"SELECT {', '.join(columns)} FROM {from_sql}{where_sql}{order_clause}{limit_sql}", projected

    def projected_column(self, table: TrackedTable, alias: str, name: str, guards: dict[str, Any]) -> str:
        """A column of the inner select, or for a guarded column the flag saying whether this row may show it."""
        if name == ROW:  # the whole row, for computed fields (PostgreSQL)
            return f"{alias} AS {quote_ident(ROW)}"
        if name.startswith(GUARD):
            condition = self.where.permission(guards[name[len(GUARD) :]], table, alias)
            return f"CASE WHEN {condition} THEN 1 ELSE 0 END AS {quote_ident(name)}"
        return f"{alias}.{quote_ident(name)}"

    def distinct_select(
        self,
        table: TrackedTable,
        alias: str,
        distinct: list[str],
        columns: list[str],
        source: str,
        where_sql: str,
        order_terms: list[tuple[str, str]],
        projected: list[tuple[str, str]],
        limit_sql: str,
    ) -> str:
        distinct_exprs = [self.where.cell(table, alias, c) for c in distinct]
        if order_terms:
            leading = [expr for expr, _ in order_terms[: len(distinct_exprs)]]
            if sorted(leading) != sorted(distinct_exprs):
                raise ValidationFailed('"distinct_on" columns must match initial "order_by" columns')
        order_sql = ", ".join(f"{expr} {direction}" for expr, direction in order_terms)
        outer = self.alias("_d")
        outer_order = ", ".join(f"{outer}.{quote_ident(name)} {direction}" for name, direction in projected)
        return self.dialect.distinct_on(
            distinct_exprs, columns, source, where_sql, order_sql, outer, outer_order, limit_sql
        )

    def limit_clause(self, args: dict[str, Any], permission_limit: int | None, single: bool) -> str:
        if single:
            return " LIMIT 1"
        caps = [c for c in (permission_limit, self.options.row_cap) if c is not None]
        cap = min(caps) if caps else None
        limit = args.get("limit")
        offset = args.get("offset")
        sql = ""
        no_limit = self.dialect.no_limit
        if limit is not None or cap is not None:
            if isinstance(limit, VarRef):
                sql = f" LIMIT {self.params.variable(limit.name, _limit_converter(cap, no_limit))}"
            else:
                value = _check_count(limit, f"{self.path}.args.limit")
                effective = cap if value is None else value if cap is None else min(value, cap)
                # A limit written in the query (or a permission's cap) is part of the plan, which is keyed by the
                # query text: it goes in as a checked integer literal, as Hasura writes it. PostgreSQL re-plans
                # a statement with a bound LIMIT on every call (its generic plan looks too costly), which made
                # the seed query 3-4x slower than with the literal. Variables stay bound parameters.
                sql = f" LIMIT {int(effective) if effective is not None else self.params.const(effective)}"
        if offset is not None:
            if not sql:
                sql = self.dialect.limit_for_offset
            if isinstance(offset, VarRef):
                sql += f" OFFSET {self.params.variable(offset.name, _limit_converter(None, 0))}"
            else:
                checked = _check_count(offset, f"{self.path}.args.offset")
                sql += f" OFFSET {int(checked) if checked is not None else self.params.const(checked)}"
        return sql

    # --- order_by ---------------------------------------------------------------------------------
    def order_terms(self, table: TrackedTable, alias: str, order_by: Any) -> list[tuple[str, str]]:
        if isinstance(order_by, dict):
            order_by = [order_by]
        terms: list[tuple[str, str]] = []
        for item in order_by:
            if not isinstance(item, dict):
                raise ValidationFailed("expected an object for order_by")
            for key, value in item.items():
                terms += self.order_term(table, alias, key, value, lambda expr: expr)
        return terms

    def order_term(
        self, table: TrackedTable, alias: str, key: str, value: Any, wrap: Callable[[str], str]
    ) -> list[tuple[str, str]]:
        if value is None:
            return []
        if key in table.table.columns:
            return [(wrap(self.where.cell(table, alias, key)), _direction(value))]
        rel_name = table.relationship_of(key)
        if rel_name is not None and table.relationships[rel_name].kind == "object":
            rel = table.relationships[rel_name]
            remote = self.model.tracked(rel.remote)
            inner = self.alias("_o")
            join = self.relationship_join(remote, inner, alias, rel)

            def nested(expr: str, join: str = join) -> str:
                return wrap(f"(SELECT {expr} FROM {join})")

            terms: list[tuple[str, str]] = []
            for sub_key, sub_value in value.items():
                terms += self.order_term(remote, inner, sub_key, sub_value, nested)
            return terms
        if key in table.computed and table.computed[key].result is not None:
            call = table.computed[key].call(alias, self.params)
            return [(wrap(self.where.cell(table, alias, key, call)), _direction(value))]
        aggregated = key[: -len("_aggregate")] if key.endswith("_aggregate") else None
        if aggregated in table.computed and table.computed[aggregated].returns is not None:
            cf = table.computed[aggregated]
            assert cf.returns is not None
            remote = self.model.tracked(cf.returns)
            inner = self.alias("_o")
            conditions = ["1 = 1"]
            permission = remote.select_permission(self.role)
            if permission is not None and permission.filter:
                conditions.append(self.where.permission(permission.filter, remote, inner))
            join = f"{cf.call(alias, self.params)} AS {inner} WHERE {' AND '.join(conditions)}"
            return self.aggregate_order_terms(inner, join, value, wrap)
        if key.endswith("_aggregate") and key[: -len("_aggregate")] in table.relationships:
            rel = table.relationships[key[: -len("_aggregate")]]
            remote = self.model.tracked(rel.remote)
            inner = self.alias("_o")
            join = self.relationship_join(remote, inner, alias, rel)
            return self.aggregate_order_terms(inner, join, value, wrap)
        raise ValidationFailed(f"field \"{key}\" not found in type: '{table.graphql_name}_order_by'")

    def aggregate_order_terms(
        self, inner: str, join: str, value: dict[str, Any], wrap: Callable[[str], str]
    ) -> list[tuple[str, str]]:
        """Order keys from aggregates (``{count: desc, max: {col: asc}}``) over the rows of ``join``."""
        terms = []
        for function, spec in value.items():
            if spec is None:
                continue
            if function == "count":
                terms.append((wrap(f"(SELECT count(*) FROM {join})"), _direction(spec)))
                continue
            for column, direction in spec.items():
                if direction is None:
                    continue
                expr = self.aggregate_expr(function, f"{inner}.{quote_ident(column)}")
                terms.append((wrap(f"(SELECT {expr} FROM {join})"), _direction(direction)))
        return terms

    def relationship_join(self, remote: TrackedTable, alias: str, outer: str, rel: Relationship) -> str:
        """``remote AS alias WHERE <join on outer> AND <role's filter>`` for subqueries through ``rel``."""
        conditions = [f"{alias}.{quote_ident(r)} = {outer}.{quote_ident(local)}" for local, r in rel.mapping]
        permission = remote.select_permission(self.role)
        if permission is not None and permission.filter:
            conditions.append(self.where.permission(permission.filter, remote, alias))
        return f"{quote_ident(remote.table.name)} AS {alias} WHERE {' AND '.join(conditions)}"

    # --- aggregates -------------------------------------------------------------------------------
    def aggregate(
        self,
        table: TrackedTable,
        args: dict[str, Any],
        fields: SelectedField,
        correlation: tuple[str, Relationship] | None,
        depth: int,
        source: Callable[[str], str] | None = None,
    ) -> str:
        self.check_depth(depth)
        row_alias = self.alias("_e")
        needed: list[str] = []
        pairs: list[tuple[str, str]] = []
        agg_type = self.schema.get_type(f"{table.graphql_name}_aggregate")
        fields_type = self.schema.get_type(f"{table.graphql_name}_aggregate_fields")
        assert isinstance(agg_type, GraphQLObjectType) and isinstance(fields_type, GraphQLObjectType)
        nodes: set[int] = set()
        selected = self.sub_fields(fields)
        permission = table.select_permission(self.role)
        # Hasura counts every readable row in the aggregate functions but lists at most the permission's row
        # limit in nodes: then the nodes come from a second select of the same rows, with that limit.
        capped = permission is not None and permission.limit is not None
        nodes_alias = self.alias("_e") if capped and any(f.name == "nodes" for f in selected) else row_alias
        for f in selected:
            if f.name == "__typename":
                pairs.append((f.key, quote_text(agg_type.name)))
            elif f.name == "nodes":
                nodes.add(len(pairs))
                pairs.append((f.key, self.row_json(table, nodes_alias, self.sub_fields(f), needed, depth)))
            elif f.name == "aggregate":
                pairs.append((f.key, self.aggregate_fields(table, row_alias, f, fields_type, needed)))
        self._aggregating = True
        try:
            inner, order_columns = self.inner_select(
                table, args, needed, correlation, single=False, source=source
            )
        finally:
            self._aggregating = False
        order = ", ".join(f"{row_alias}.{quote_ident(name)} {direction}" for name, direction in order_columns)
        if nodes_alias != row_alias:
            nodes_inner, _ = self.inner_select(table, args, needed, correlation, single=False, source=source)
            nodes_order = ", ".join(f"{nodes_alias}.{quote_ident(n)} {d}" for n, d in order_columns)

            def listed(row: str) -> str:
                array = self.dialect.agg_array(row, nodes_order)
                return self.dialect.embed(f"(SELECT {array} FROM ({nodes_inner}) AS {nodes_alias})")

        else:

            def listed(row: str) -> str:
                return self.dialect.agg_array(row, order)

        pairs = [
            (key, listed(value) if index in nodes else value) for index, (key, value) in enumerate(pairs)
        ]
        return f"(SELECT {self.dialect.json_object(pairs)} FROM ({inner}) AS {row_alias})"

    def aggregate_fields(
        self,
        table: TrackedTable,
        alias: str,
        fields: SelectedField,
        fields_type: GraphQLObjectType,
        needed: list[str],
    ) -> str:
        pairs: list[tuple[str, str]] = []
        for f in self.sub_fields(fields):
            if f.name == "__typename":
                pairs.append((f.key, quote_text(fields_type.name)))
            elif f.name == "count":
                args = self.arguments(f.first, fields_type.fields["count"])
                columns = args.get("columns") or []
                if isinstance(columns, str):
                    columns = [columns]
                for column in columns:
                    _need(needed, column)
                # As in Hasura, aggregates of an inherited role run over every row it may read, cells that
                # its rows show as null included (Hasura's own inherited-roles cases sum them).
                pairs.append((f.key, self.count_expr(alias, columns, bool(args.get("distinct")))))
            else:
                op_type = self.schema.get_type(f"{table.graphql_name}_{f.name}_fields")
                if not isinstance(op_type, GraphQLObjectType):
                    raise ValidationFailed(
                        f"field \"{f.name}\" not found in type: '{table.graphql_name}_aggregate_fields'"
                    )
                inner: list[tuple[str, str]] = []
                for column_field in self.sub_fields(f):
                    if column_field.name == "__typename":
                        inner.append((column_field.key, quote_text(op_type.name)))
                        continue
                    column = table.table.columns[table.column_of(column_field.name) or column_field.name]
                    _need(needed, column.name)
                    expr = self.aggregate_expr(f.name, f"{alias}.{quote_ident(column.name)}")
                    if f.name in ("max", "min"):
                        expr = self.dialect.render(expr, column, self.options.stringify_numeric_types)
                    elif self.options.stringify_numeric_types and column.scalar in STRINGIFIED:
                        # Hasura stringifies by the column's type: sums and averages of numeric, not of Int.
                        expr = self.dialect.to_text(expr)
                    elif f.name != "sum" or column.scalar in FLOATS:
                        expr = self.dialect.float_json(expr)  # averages, deviations, sums of floats
                    inner.append((column_field.key, expr))
                pairs.append((f.key, self.dialect.json_object(inner)))
        return self.dialect.json_object(pairs)

    def count_expr(self, alias: str, columns: list[str], distinct: bool) -> str:
        if not columns:
            return "count(*)"
        refs = [f"{alias}.{quote_ident(c)}" for c in columns]
        if len(refs) == 1:
            return f"count({'DISTINCT ' if distinct else ''}{refs[0]})"
        all_set = " AND ".join(f"{r} IS NOT NULL" for r in refs)
        if not distinct:
            return f"count(CASE WHEN {all_set} THEN 1 END)"
        key = f"CAST({self.dialect.json_array(refs)} AS TEXT)"
        return f"count(DISTINCT CASE WHEN {all_set} THEN {key} END)"

    def aggregate_expr(self, function: str, expr: str) -> str:
        return self.dialect.aggregate(function, expr)


_BOOLEAN_NON_NULL = GraphQLNonNull(GraphQLBoolean)


def _aliased(call: str) -> Callable[[str], str]:
    def source(alias: str) -> str:
        return f"{call} AS {alias}"

    return source


def _flagged(expr: str, alias: str, name: str, guards: dict[str, Any], needed: list[str]) -> str:
    """``expr`` (a column of the inner select ``alias``), null on the rows whose ``name`` cell is hidden.

    The inner select computes one flag per guarded cell (:data:`GUARD`), so each use is a cheap test.
    """
    if name not in guards:
        return expr
    _need(needed, GUARD + name)
    return f"CASE WHEN {alias}.{quote_ident(GUARD + name)} = 1 THEN {expr} END"


def _need(needed: list[str], column: str) -> None:
    if column not in needed:
        needed.append(column)


def _json_key(key: str) -> str:
    return f'"{key}":'


def _direction(value: Any) -> str:
    if value not in DIRECTIONS:
        raise ValidationFailed(f"unexpected order_by value {value!r}")
    return DIRECTIONS[value]


def _check_count(value: Any, path: str = "$") -> int | None:
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


def _limit_converter(cap: int | None, no_limit: int | None) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        count = _check_count(value)
        if count is None:
            return cap if cap is not None else no_limit
        return count if cap is None else min(count, cap)

    return convert


#: The former private name, still used by code written against it (the conformance branch's mutations).
_Fields = SelectedField
