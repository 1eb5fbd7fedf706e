"""One graphql-core schema per role, named as Hasura names things (``T``, ``T_by_pk``, ``T_aggregate`` ...).

The schema is for parsing, validation and introspection only: answers are built by SQL, so no resolvers.
A role sees the tables, columns and relationships its select permissions allow, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
)

from qapress.engine.functions import ComputedField, FunctionArg, SqlFunction, tracked_inputs
from qapress.engine.model import Model, TrackedTable
from qapress.engine.mutation_schema import MutationBuilder, MutationField
from qapress.engine.scalars import NUMERIC, UNORDERED, scalar_type

ORDER_BY = GraphQLEnumType(
    "order_by",
    {
        "asc": GraphQLEnumValue("asc", description="in ascending order, nulls last"),
        "asc_nulls_first": GraphQLEnumValue("asc_nulls_first", description="in ascending order, nulls first"),
        "asc_nulls_last": GraphQLEnumValue("asc_nulls_last", description="in ascending order, nulls last"),
        "desc": GraphQLEnumValue("desc", description="in descending order, nulls first"),
        "desc_nulls_first": GraphQLEnumValue(
            "desc_nulls_first", description="in descending order, nulls first"
        ),
        "desc_nulls_last": GraphQLEnumValue("desc_nulls_last", description="in descending order, nulls last"),
    },
    description="column ordering options",
)

COMPARISONS = ("_eq", "_gt", "_gte", "_lt", "_lte", "_neq")
TEXT_OPERATORS = ("_ilike", "_like", "_nilike", "_nlike")
PG_TEXT_OPERATORS = ("_iregex", "_niregex", "_nregex", "_nsimilar", "_regex", "_similar")
AGGREGATE_NUMERIC = ("avg", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp", "variance")

RootKind = Literal[
    "select",
    "by_pk",
    "aggregate",
    "function",
    "function_aggregate",
    "insert",
    "insert_one",
    "update",
    "update_by_pk",
    "delete",
    "delete_by_pk",
]


@dataclass(frozen=True)
class RootField:
    kind: RootKind
    table: tuple[str, str]


@dataclass
class RoleSchema:
    role: str
    schema: GraphQLSchema
    root_fields: dict[str, RootField] = field(default_factory=dict)
    mutation_fields: dict[str, MutationField] = field(default_factory=dict)


def build_role_schema(model: Model, role: str, backend_only: bool = False) -> RoleSchema | None:
    """The schema ``role`` may query, or None when it may read no table. ``backend_only``: the request
    asked for backend-only insert permissions (``X-Hasura-Use-Backend-Only-Permissions: true``)."""
    builder = SchemaBuilder(model, role)
    mutations = MutationBuilder(builder, backend_only)
    mutation_root = mutations.root()
    if not builder.visible and mutation_root is None:
        return None
    # A role that may only write still needs a query root: Hasura's placeholder field.
    query_fields = builder.root_fields or {
        "no_queries_available": GraphQLField(GraphQLNonNull(GraphQLString))
    }
    query_root = GraphQLObjectType("query_root", query_fields)
    schema = GraphQLSchema(query=query_root, mutation=mutation_root, types=[ORDER_BY])
    return RoleSchema(role, schema, builder.roots, mutations.fields)


class SchemaBuilder:
    def __init__(self, model: Model, role: str) -> None:
        self.model = model
        self.role = role
        self.pg = model.dialect == "postgresql"
        self.visible = {key: t for key, t in model.tables.items() if t.select_permission(role) is not None}
        self.objects: dict[str, GraphQLObjectType] = {}
        self.inputs: dict[str, GraphQLInputObjectType] = {}
        self.enums: dict[str, GraphQLEnumType] = {}
        self.roots: dict[str, RootField] = {}

    # --- helpers ----------------------------------------------------------------------------------
    def columns(self, table: TrackedTable) -> list[str]:
        permission = table.select_permission(self.role)
        assert permission is not None and permission.columns != "*"
        return [c for c in table.table.columns if c in permission.columns]

    def aggregations(self, table: TrackedTable) -> bool:
        permission = table.select_permission(self.role)
        return permission is not None and permission.allow_aggregations

    def relationships(self, table: TrackedTable) -> list[tuple[str, TrackedTable, str]]:
        return [
            (rel.name, self.visible[rel.remote], rel.kind)
            for rel in table.relationships.values()
            if rel.remote in self.visible
        ]

    @property
    def root_fields(self) -> dict[str, GraphQLField]:
        fields: dict[str, GraphQLField] = {}
        for table in self.visible.values():
            name = table.graphql_name
            fields[name] = GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table)))),
                args=self.select_args(table),
                description=f'fetch data from the table: "{table.table.name}"',
            )
            self.roots[name] = RootField("select", table.key)
            if self.aggregations(table):
                fields[f"{name}_aggregate"] = GraphQLField(
                    GraphQLNonNull(self.aggregate_type(table)),
                    args=self.select_args(table),
                    description=f'fetch aggregated fields from the table: "{table.table.name}"',
                )
                self.roots[f"{name}_aggregate"] = RootField("aggregate", table.key)
            pk = table.table.primary_key
            if pk and all(c in self.columns(table) for c in pk):
                fields[f"{name}_by_pk"] = GraphQLField(
                    self.object_type(table),
                    args={
                        c: GraphQLArgument(GraphQLNonNull(self.scalar(table, c)))
                        for c in table.table.primary_key
                    },
                    description=f'fetch data from the table: "{table.table.name}" using primary key columns',
                )
                self.roots[f"{name}_by_pk"] = RootField("by_pk", table.key)
        for function in self.model.functions.values():
            remote = self.visible.get(function.returns_table) if function.returns_table else None
            if remote is None:
                continue
            args = {**self.function_args_arg(function, tracked_inputs(function)), **self.select_args(remote)}
            fields[function.name] = GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(remote)))),
                args=args,
                description=f'execute function "{function.name}" which returns "{remote.table.name}"',
            )
            self.roots[function.name] = RootField("function", remote.key)
            if self.aggregations(remote):
                fields[f"{function.name}_aggregate"] = GraphQLField(
                    GraphQLNonNull(self.aggregate_type(remote)),
                    args=args,
                    description=f'execute function "{function.name}" and query aggregates on result of table type "{remote.table.name}"',
                )
                self.roots[f"{function.name}_aggregate"] = RootField("function_aggregate", remote.key)
        return dict(sorted(fields.items()))

    # --- computed fields and functions ---------------------------------------------------------
    def computed_fields(self, table: TrackedTable) -> list[ComputedField]:
        """The table's computed fields the role may read: scalar ones its permission lists, table ones
        whose rows it may read."""
        permission = table.select_permission(self.role)
        allowed = permission.computed_fields if permission is not None else ()
        return [
            cf
            for cf in table.computed.values()
            if (cf.function.returns_table is None and cf.name in allowed)
            or (cf.function.returns_table is not None and cf.function.returns_table in self.visible)
        ]

    def function_args_arg(
        self, function: SqlFunction, inputs: tuple[FunctionArg, ...]
    ) -> dict[str, GraphQLArgument]:
        if not inputs:
            return {}
        name = f"{function.name}_args"
        if name not in self.inputs:
            self.inputs[name] = GraphQLInputObjectType(
                name, {arg.name: GraphQLInputField(scalar_type(arg.scalar)) for arg in inputs}
            )
        return {
            "args": GraphQLArgument(
                GraphQLNonNull(self.inputs[name]), description="input parameters for function"
            )
        }

    def scalar(self, table: TrackedTable, column: str) -> GraphQLInputType:
        return scalar_type(table.table.columns[column].scalar)

    def select_args(self, table: TrackedTable) -> dict[str, GraphQLArgument]:
        return {
            "distinct_on": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self.select_column(table))),
                description="distinct select on columns",
            ),
            "limit": GraphQLArgument(GraphQLInt, description="limit the number of rows returned"),
            "offset": GraphQLArgument(
                GraphQLInt, description="skip the first n rows. Use only with order_by"
            ),
            "order_by": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self.order_by(table))),
                description="sort the rows by one or more columns",
            ),
            "where": GraphQLArgument(self.bool_exp(table), description="filter the rows returned"),
        }

    # --- output types -----------------------------------------------------------------------------
    def object_type(self, table: TrackedTable) -> GraphQLObjectType:
        name = table.graphql_name
        if name not in self.objects:

            def fields() -> dict[str, GraphQLField]:
                out: dict[str, GraphQLField] = {}
                for column in self.columns(table):
                    info = table.table.columns[column]
                    type_: GraphQLOutputType = scalar_type(info.scalar)
                    out[column] = GraphQLField(type_ if info.nullable else GraphQLNonNull(type_))
                for rel_name, remote, kind in self.relationships(table):
                    rel = table.relationships[rel_name]
                    if kind == "object":
                        target = self.object_type(remote)
                        out[rel_name] = GraphQLField(
                            GraphQLNonNull(target) if rel.required and self.role == "admin" else target,
                            description="An object relationship",
                        )
                    else:
                        out[rel_name] = GraphQLField(
                            GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(remote)))),
                            args=self.select_args(remote),
                            description="An array relationship",
                        )
                        if self.aggregations(remote):
                            out[f"{rel_name}_aggregate"] = GraphQLField(
                                GraphQLNonNull(self.aggregate_type(remote)),
                                args=self.select_args(remote),
                                description="An aggregate relationship",
                            )
                for cf in self.computed_fields(table):
                    args = self.function_args_arg(cf.function, cf.inputs)
                    if cf.function.returns_table is None:
                        out[cf.name] = GraphQLField(scalar_type(cf.function.returns_scalar), args=args)
                    else:
                        remote = self.visible[cf.function.returns_table]
                        out[cf.name] = GraphQLField(
                            GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(remote)))),
                            args={**args, **self.select_args(remote)},
                            description="A computed field, executes function " + cf.function.name,
                        )
                return dict(sorted(out.items()))

            self.objects[name] = GraphQLObjectType(
                name, fields, description=f'columns and relationships of "{table.table.name}"'
            )
        return self.objects[name]

    def aggregate_type(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_aggregate"
        if name not in self.objects:
            self.objects[name] = GraphQLObjectType(
                name,
                lambda: {
                    "aggregate": GraphQLField(self.aggregate_fields(table)),
                    "nodes": GraphQLField(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table))))
                    ),
                },
                description=f'aggregated selection of "{table.table.name}"',
            )
        return self.objects[name]

    def numeric_columns(self, table: TrackedTable) -> list[str]:
        return [c for c in self.columns(table) if table.table.columns[c].scalar in NUMERIC]

    def ordered_columns(self, table: TrackedTable) -> list[str]:
        return [c for c in self.columns(table) if table.table.columns[c].scalar not in UNORDERED]

    def aggregate_fields(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_aggregate_fields"
        if name not in self.objects:
            base = table.graphql_name
            fields: dict[str, GraphQLField] = {
                "count": GraphQLField(
                    GraphQLNonNull(GraphQLInt),
                    args={
                        "columns": GraphQLArgument(GraphQLList(GraphQLNonNull(self.select_column(table)))),
                        "distinct": GraphQLArgument(GraphQLBoolean),
                    },
                )
            }
            numeric = self.numeric_columns(table)
            for op in AGGREGATE_NUMERIC if numeric else ():
                fields[op] = GraphQLField(self.op_fields(table, op, numeric))
            ordered = self.ordered_columns(table)
            for op in ("max", "min") if ordered else ():
                fields[op] = GraphQLField(self.op_fields(table, op, ordered))
            self.objects[name] = GraphQLObjectType(
                name, dict(sorted(fields.items())), description=f'aggregate fields of "{base}"'
            )
        return self.objects[name]

    def op_fields(self, table: TrackedTable, op: str, columns: list[str]) -> GraphQLObjectType:
        name = f"{table.graphql_name}_{op}_fields"
        if name not in self.objects:
            fields: dict[str, GraphQLField] = {}
            for column in columns:
                scalar = table.table.columns[column].scalar
                if op in ("sum", "max", "min"):
                    type_: GraphQLOutputType = scalar_type(scalar)
                    if op == "sum" and scalar == "Int":
                        type_ = scalar_type("bigint")
                else:
                    type_ = GraphQLFloat
                fields[column] = GraphQLField(type_)
            self.objects[name] = GraphQLObjectType(
                name, fields, description=f'aggregate {op} on columns of "{table.table.name}"'
            )
        return self.objects[name]

    # --- input types ------------------------------------------------------------------------------
    def select_column(self, table: TrackedTable) -> GraphQLEnumType:
        name = f"{table.graphql_name}_select_column"
        if name not in self.enums:
            self.enums[name] = GraphQLEnumType(
                name,
                {c: GraphQLEnumValue(c, description="column name") for c in self.columns(table)},
                description=f'select columns of table "{table.table.name}"',
            )
        return self.enums[name]

    def comparison(self, scalar: str) -> GraphQLInputObjectType:
        name = f"{scalar}_comparison_exp"
        if name not in self.inputs:
            type_ = scalar_type(scalar)
            fields: dict[str, GraphQLInputField] = {op: GraphQLInputField(type_) for op in COMPARISONS}
            fields["_in"] = GraphQLInputField(GraphQLList(GraphQLNonNull(type_)))
            fields["_nin"] = GraphQLInputField(GraphQLList(GraphQLNonNull(type_)))
            fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
            if scalar in ("String", "citext", "bpchar"):
                for op in TEXT_OPERATORS:
                    fields[op] = GraphQLInputField(GraphQLString)
                if self.pg:
                    for op in PG_TEXT_OPERATORS:
                        fields[op] = GraphQLInputField(GraphQLString)
            if scalar != "String" and self.pg:
                fields["_cast"] = GraphQLInputField(self.cast_exp(scalar))
            if scalar == "jsonb" and self.pg:
                fields["_contains"] = GraphQLInputField(type_)
                fields["_contained_in"] = GraphQLInputField(type_)
                fields["_has_key"] = GraphQLInputField(GraphQLString)
                fields["_has_keys_all"] = GraphQLInputField(GraphQLList(GraphQLNonNull(GraphQLString)))
                fields["_has_keys_any"] = GraphQLInputField(GraphQLList(GraphQLNonNull(GraphQLString)))
            self.inputs[name] = GraphQLInputObjectType(
                name,
                dict(sorted(fields.items())),
                description=(
                    f"Boolean expression to compare columns of type {scalar!r}. All fields are combined with "
                    "logical 'AND'."
                ),
            )
        return self.inputs[name]

    def cast_exp(self, scalar: str) -> GraphQLInputObjectType:
        """``_cast: {String: {...}}``: compare a column's text form (PostgreSQL's ``CAST(col AS text)``)."""
        name = f"{scalar}_cast_exp"
        if name not in self.inputs:
            self.inputs[name] = GraphQLInputObjectType(
                name, lambda: {"String": GraphQLInputField(self.comparison("String"))}
            )
        return self.inputs[name]

    def bool_exp(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_bool_exp"
        if name not in self.inputs:

            def fields() -> dict[str, GraphQLInputField]:
                me = self.inputs[name]
                out: dict[str, GraphQLInputField] = {
                    "_and": GraphQLInputField(GraphQLList(GraphQLNonNull(me))),
                    "_not": GraphQLInputField(me),
                    "_or": GraphQLInputField(GraphQLList(GraphQLNonNull(me))),
                }
                for column in self.columns(table):
                    out[column] = GraphQLInputField(self.comparison(table.table.columns[column].scalar))
                for rel_name, remote, _kind in self.relationships(table):
                    out[rel_name] = GraphQLInputField(self.bool_exp(remote))
                return dict(sorted(out.items()))

            self.inputs[name] = GraphQLInputObjectType(
                name,
                fields,
                description=(
                    f'Boolean expression to filter rows from the table "{table.table.name}". '
                    "All fields are combined with a logical 'AND'."
                ),
            )
        return self.inputs[name]

    def order_by(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_order_by"
        if name not in self.inputs:

            def fields() -> dict[str, GraphQLInputField]:
                out: dict[str, GraphQLInputField] = {
                    c: GraphQLInputField(ORDER_BY) for c in self.columns(table)
                }
                for rel_name, remote, kind in self.relationships(table):
                    if kind == "object":
                        out[rel_name] = GraphQLInputField(self.order_by(remote))
                    elif self.aggregations(remote):
                        out[f"{rel_name}_aggregate"] = GraphQLInputField(self.aggregate_order_by(remote))
                for cf in self.computed_fields(table):
                    if cf.inputs:
                        continue  # a function with arguments of its own cannot be ordered by
                    if cf.function.returns_table is None:
                        out[cf.name] = GraphQLInputField(ORDER_BY)
                    elif self.aggregations(self.visible[cf.function.returns_table]):
                        out[f"{cf.name}_aggregate"] = GraphQLInputField(
                            self.aggregate_order_by(self.visible[cf.function.returns_table])
                        )
                return dict(sorted(out.items()))

            self.inputs[name] = GraphQLInputObjectType(
                name, fields, description=f'Ordering options when selecting data from "{table.table.name}".'
            )
        return self.inputs[name]

    def aggregate_order_by(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_aggregate_order_by"
        if name not in self.inputs:
            fields: dict[str, GraphQLInputField] = {"count": GraphQLInputField(ORDER_BY)}
            numeric = self.numeric_columns(table)
            for op in AGGREGATE_NUMERIC if numeric else ():
                fields[op] = GraphQLInputField(self.op_order_by(table, op, numeric))
            ordered = self.ordered_columns(table)
            for op in ("max", "min") if ordered else ():
                fields[op] = GraphQLInputField(self.op_order_by(table, op, ordered))
            self.inputs[name] = GraphQLInputObjectType(
                name,
                dict(sorted(fields.items())),
                description=f'order by aggregate values of table "{table.table.name}"',
            )
        return self.inputs[name]

    def op_order_by(self, table: TrackedTable, op: str, columns: list[str]) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_{op}_order_by"
        if name not in self.inputs:
            self.inputs[name] = GraphQLInputObjectType(
                name,
                {c: GraphQLInputField(ORDER_BY) for c in columns},
                description=f'order by {op}() on columns of table "{table.table.name}"',
            )
        return self.inputs[name]
