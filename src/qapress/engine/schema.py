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
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)

from qapress.engine.computed import ComputedField
from qapress.engine.conditions import AGGREGATE_PREDICATES, PAIR_ARGUMENTS, BoolExp
from qapress.engine.dialects import dialect_for
from qapress.engine.functions import TrackedFunction
from qapress.engine.model import Model, TrackedTable
from qapress.engine.mutation_schema import MutationBuilder, MutationField
from qapress.engine.permissions import function_permitted
from qapress.engine.scalars import DIGIT_STRING_ACCEPTED, NUMERIC, UNORDERED, scalar_type
from qapress.engine.type_registry import TypeRegistry

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

#: Hasura's placeholder root field of a schema without queries, and the text it answers.
NO_QUERIES_FIELD = "no_queries_available"
NO_QUERIES_TEXT = (
    "There are no queries available to the current role. Either there are no sources or remote schemas "
    "configured, or the current role doesn't have the required permissions."
)

RootKind = Literal[
    "select",
    "by_pk",
    "aggregate",
    "function",
    "function_aggregate",
    "native_query",
    "insert",
    "insert_one",
    "update",
    "update_by_pk",
    "update_many",
    "delete",
    "delete_by_pk",
]


@dataclass(frozen=True)
class RootField:
    kind: RootKind
    table: tuple[str, str]
    #: For "function" and "function_aggregate": the tracked function's name; for "native_query" its root field.
    function: str | None = None


@dataclass
class RoleSchema:
    role: str
    schema: GraphQLSchema
    root_fields: dict[str, RootField] = field(default_factory=dict)
    mutation_fields: dict[str, MutationField] = field(default_factory=dict)
    #: The role's permission filters as typed conditions, read once and kept with the schema (see
    #: :class:`~.conditions.ConditionReader`).
    read_rules: dict[tuple[tuple[str, str], str], BoolExp] = field(default_factory=dict)


def build_role_schema(model: Model, role: str, backend_only: bool = False) -> RoleSchema | None:
    """The schema ``role`` may query, or None when it may do nothing with what is tracked (the request is
    refused, as Hasura refuses a caller it does not let in). ``backend_only``: the request asked for
    backend-only insert permissions (``X-Hasura-Use-Backend-Only-Permissions: true``)."""
    builder = SchemaBuilder(model, role)
    mutations = MutationBuilder(builder, backend_only)
    mutation_root = mutations.root()
    if not builder.visible and mutation_root is None and (model.tables or model.functions):
        return None
    # With nothing tracked, or for a role that may only write, the query root holds Hasura's placeholder
    # field, so that introspection and ``__typename`` still work.
    query_fields = builder.root_fields or {NO_QUERIES_FIELD: GraphQLField(GraphQLNonNull(GraphQLString))}
    query_root = GraphQLObjectType("query_root", query_fields)
    schema = GraphQLSchema(query=query_root, mutation=mutation_root, types=[ORDER_BY])
    return RoleSchema(role, schema, builder.roots, mutations.fields)


class SchemaBuilder:
    def __init__(self, model: Model, role: str) -> None:
        self.model = model
        self.role = role
        #: PostgreSQL's own operators (regex, jsonb, ltree) exist on this database.
        self.extended_operators = dialect_for(model.dialect).extended_operators
        self.visible = {key: t for key, t in model.tables.items() if t.select_permission(role) is not None}
        #: The named types, shared with the mutation root's builder.
        self.types = TypeRegistry()
        self.roots: dict[str, RootField] = {}

    # --- helpers ----------------------------------------------------------------------------------
    def columns(self, table: TrackedTable) -> list[str]:
        permission = table.select_permission(self.role)
        assert permission is not None and permission.columns != "*"
        return [c for c in table.table.columns if c in permission.columns]

    def aggregations(self, table: TrackedTable) -> bool:
        permission = table.select_permission(self.role)
        return permission is not None and permission.allow_aggregations

    def computed(self, table: TrackedTable) -> list[ComputedField]:
        """The role's computed fields on ``table``: scalar ones its permission lists, set-returning ones
        whenever it may read their rows (as Hasura does; the conformance suite's mutations rely on it)."""
        permission = table.select_permission(self.role)
        names = permission.computed_fields if permission is not None else ()
        return [
            cf
            for name, cf in table.computed.items()
            if (cf.returns is None and name in names)
            or (cf.returns is not None and cf.returns in self.visible)
        ]

    def computed_args(self, cf: ComputedField) -> dict[str, GraphQLArgument]:
        """``args: <function>_args`` for a computed field whose function takes more than the row."""
        if not cf.inputs:
            return {}
        name = f"{cf.function}_args"
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name, {c.name: GraphQLInputField(scalar_type(c.scalar)) for c in cf.inputs}
            )
        return {"args": GraphQLArgument(self.types.inputs[name])}

    def has_object(self, table: TrackedTable) -> bool:
        """Whether ``T`` has any field for this role (a role may have aggregate-only access)."""
        return (
            bool(self.columns(table))
            or any(self.columns(remote) for _, remote, _ in self.relationships(table))
            or any(cf.result is not None for cf in self.computed(table))
        )

    def has_order_by(self, table: TrackedTable) -> bool:
        return (
            bool(self.columns(table))
            or bool(self.computed(table))
            or any(
                (kind == "object" and self.columns(remote)) or (kind == "array" and self.aggregations(remote))
                for _, remote, kind in self.relationships(table)
            )
        )

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
            if table.logical:
                continue
            if self.has_object(table):
                name = table.root_name("select")
                fields[name] = GraphQLField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table)))),
                    args=self.select_args(table),
                    description=table.root_description(
                        "select", f'fetch data from the table: "{table.table.name}"'
                    ),
                )
                self.roots[name] = RootField("select", table.key)
            if self.aggregations(table):
                name = table.root_name("select_aggregate")
                fields[name] = GraphQLField(
                    GraphQLNonNull(self.aggregate_type(table)),
                    args=self.select_args(table),
                    description=table.root_description(
                        "select_aggregate", f'fetch aggregated fields from the table: "{table.table.name}"'
                    ),
                )
                self.roots[name] = RootField("aggregate", table.key)
            pk = table.table.primary_key
            if pk and all(c in self.columns(table) for c in pk):
                name = table.root_name("select_by_pk")
                fields[name] = GraphQLField(
                    self.object_type(table),
                    args=self.pk_args(table),
                    description=table.root_description(
                        "select_by_pk",
                        f'fetch data from the table: "{table.table.name}" using primary key columns',
                    ),
                )
                self.roots[name] = RootField("by_pk", table.key)
        for function in self.model.functions.values():
            if function.mutation or not self.function_visible(function):
                continue
            table = self.visible[function.returns]
            args = self.function_args(function, table)
            fields[function.name] = GraphQLField(
                self.function_type(function, table),
                args=args,
                description=function.comment
                or f'execute function "{function.function}" which returns "{table.table.name}"',
            )
            self.roots[function.name] = RootField("function", table.key, function.name)
            if self.aggregations(table) and function.returns_set:
                fields[function.aggregate_name] = GraphQLField(
                    GraphQLNonNull(self.aggregate_type(table)),
                    args=args,
                    description=f'execute function "{function.function}" and query aggregates on the result',
                )
                self.roots[function.aggregate_name] = RootField(
                    "function_aggregate", table.key, function.name
                )
        for query in self.model.native_queries.values():
            if query.returns not in self.visible or not self.has_object(self.visible[query.returns]):
                continue
            table = self.visible[query.returns]
            args = self.select_args(table)
            if query.inputs:
                args_type = GraphQLInputObjectType(
                    f"{query.name}_arguments",
                    {
                        c.name: GraphQLInputField(
                            scalar_type(c.scalar) if c.nullable else GraphQLNonNull(scalar_type(c.scalar))
                        )
                        for c in query.inputs
                    },
                )
                args = {
                    "args": GraphQLArgument(GraphQLNonNull(args_type) if query.required else args_type),
                    **args,
                }
            fields[query.name] = GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table)))),
                args=args,
                description=query.description or f'native query returning "{table.table.name}"',
            )
            self.roots[query.name] = RootField("native_query", table.key, query.name)
        return dict(sorted(fields.items()))

    def function_visible(self, function: TrackedFunction) -> bool:
        """A function is there for a role that may read its rows (and, unless function permissions are
        inferred, holds a permission on the function)."""
        if not function_permitted(function.permissions, self.role, self.model.infer_function_permissions):
            return False
        return function.returns in self.visible and self.has_object(self.visible[function.returns])

    def function_args(self, function: TrackedFunction, table: TrackedTable) -> dict[str, GraphQLArgument]:
        """``args: <function>_args!`` when the function takes arguments, then the table's select arguments
        (a function returning one row takes none of those)."""
        args = self.select_args(table) if function.returns_set else {}
        if function.inputs:
            name = f"{function.name}_args"
            if name not in self.types.inputs:
                self.types.inputs[name] = GraphQLInputObjectType(
                    name, {c.name: GraphQLInputField(scalar_type(c.scalar)) for c in function.inputs}
                )
            args = {"args": GraphQLArgument(GraphQLNonNull(self.types.inputs[name])), **args}
        return args

    def function_type(self, function: TrackedFunction, table: TrackedTable) -> GraphQLOutputType:
        if function.returns_set:
            return GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table))))
        return self.object_type(table)

    def scalar(self, table: TrackedTable, column: str) -> GraphQLInputType:
        """A column's input type: its scalar, or the enum type of the enum table it references."""
        return self.column_type(table, column)

    def column_type(self, table: TrackedTable, column: str) -> GraphQLScalarType | GraphQLEnumType:
        enum_table = table.enum_columns.get(column)
        if enum_table is not None:
            return self.enum_type(self.model.tables[enum_table])
        return scalar_type(table.table.columns[column].scalar)

    def enum_type(self, table: TrackedTable) -> GraphQLEnumType:
        """``<table>_enum``: one value per row of an enum table, described by its description column."""
        assert table.enum is not None
        name = table.enum_type_name
        if name not in self.types.enums:
            self.types.enums[name] = GraphQLEnumType(
                name,
                {value: GraphQLEnumValue(value, description=text) for value, text in table.enum.values},
            )
        return self.types.enums[name]

    def column_comparison(self, table: TrackedTable, column: str) -> GraphQLInputObjectType:
        enum_table = table.enum_columns.get(column)
        if enum_table is None:
            return self.comparison(table.table.columns[column].scalar)
        enum = self.enum_type(self.model.tables[enum_table])
        name = f"{enum.name}_comparison_exp"
        if name not in self.types.inputs:
            fields = {op: GraphQLInputField(enum) for op in ("_eq", "_neq")}
            fields["_in"] = GraphQLInputField(GraphQLList(GraphQLNonNull(enum)))
            fields["_nin"] = GraphQLInputField(GraphQLList(GraphQLNonNull(enum)))
            fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                dict(sorted(fields.items())),
                description=(
                    f'Boolean expression to compare columns of type "{enum.name}". All fields are combined '
                    "with logical 'AND'."
                ),
            )
        return self.types.inputs[name]

    def pk_args(self, table: TrackedTable) -> dict[str, GraphQLArgument]:
        """``T_by_pk(id: ...)`` arguments, named as the columns' fields and read back as the columns."""
        return {
            table.field_name(c): GraphQLArgument(GraphQLNonNull(self.scalar(table, c)), out_name=c)
            for c in table.table.primary_key
        }

    def column_input(self, table: TrackedTable, column: str, type_: GraphQLInputType) -> GraphQLInputField:
        """An input field for a column, named as its GraphQL field and read back as the column."""
        return GraphQLInputField(type_, out_name=column)

    def select_args(self, table: TrackedTable) -> dict[str, GraphQLArgument]:
        args = {
            "distinct_on": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self.select_column(table))),
                description="distinct select on columns",
            ),
            "limit": GraphQLArgument(GraphQLInt, description="limit the number of rows returned"),
            "offset": GraphQLArgument(
                GraphQLInt,
                description="skip the first n rows. Use only with order_by",
                extensions={DIGIT_STRING_ACCEPTED: True},
            ),
            "order_by": GraphQLArgument(
                GraphQLList(GraphQLNonNull(self.order_by(table))),
                description="sort the rows by one or more columns",
            ),
            "where": GraphQLArgument(self.bool_exp(table), description="filter the rows returned"),
        }
        # An enum or input object without values is not valid GraphQL: leave such arguments out.
        if not self.columns(table):
            del args["distinct_on"]
        if not self.has_order_by(table):
            del args["order_by"]
        return args

    # --- output types -----------------------------------------------------------------------------
    def object_type(self, table: TrackedTable) -> GraphQLObjectType:
        name = table.graphql_name
        if name not in self.types.objects:

            def fields() -> dict[str, GraphQLField]:
                out: dict[str, GraphQLField] = {}
                permission = table.select_permission(self.role)
                guarded = permission.column_filters if permission is not None else {}
                for column in self.columns(table):
                    info = table.table.columns[column]
                    type_: GraphQLOutputType = self.column_type(table, column)
                    nullable = info.nullable or column in guarded  # null on rows the column is hidden on
                    out[table.field_name(column)] = GraphQLField(
                        type_ if nullable else GraphQLNonNull(type_),
                        description=table.column_description(column),
                    )
                for rel_name, remote, kind in self.relationships(table):
                    rel = table.relationships[rel_name]
                    if not self.has_object(remote):
                        pass
                    elif kind == "object":
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
                    if kind == "array" and self.aggregations(remote):
                        out[f"{rel_name}_aggregate"] = GraphQLField(
                            GraphQLNonNull(self.aggregate_type(remote)),
                            args=self.select_args(remote),
                            description="An aggregate relationship",
                        )
                for cf in self.computed(table):
                    inputs = self.computed_args(cf)
                    if cf.result is not None:
                        out[cf.name] = GraphQLField(
                            scalar_type(cf.result.scalar), args=inputs, description="A computed field"
                        )
                    elif cf.returns is not None and self.has_object(self.visible[cf.returns]):
                        returned = self.visible[cf.returns]
                        out[cf.name] = GraphQLField(
                            GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(returned)))),
                            args={**inputs, **self.select_args(returned)},
                            description="A computed field returning rows",
                        )
                return dict(sorted(out.items()))

            self.types.objects[name] = GraphQLObjectType(name, fields, description=table.description)
        return self.types.objects[name]

    def aggregate_type(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_aggregate"
        if name not in self.types.objects:

            def fields() -> dict[str, GraphQLField]:
                out = {"aggregate": GraphQLField(self.aggregate_fields(table))}
                if self.has_object(table):
                    out["nodes"] = GraphQLField(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(self.object_type(table))))
                    )
                return out

            self.types.objects[name] = GraphQLObjectType(
                name, fields, description=f'aggregated selection of "{table.table.name}"'
            )
        return self.types.objects[name]

    def numeric_columns(self, table: TrackedTable) -> list[str]:
        return [c for c in self.columns(table) if table.table.columns[c].scalar in NUMERIC]

    def ordered_columns(self, table: TrackedTable) -> list[str]:
        return [
            c
            for c in self.columns(table)
            if table.table.columns[c].scalar not in UNORDERED and c not in table.enum_columns
        ]

    def aggregate_fields(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_aggregate_fields"
        if name not in self.types.objects:
            base = table.graphql_name
            count_args = {"distinct": GraphQLArgument(GraphQLBoolean)}
            if self.columns(table):
                count_args["columns"] = GraphQLArgument(
                    GraphQLList(GraphQLNonNull(self.select_column(table)))
                )
            fields: dict[str, GraphQLField] = {
                "count": GraphQLField(GraphQLNonNull(GraphQLInt), args=dict(sorted(count_args.items())))
            }
            numeric = self.numeric_columns(table)
            for op in AGGREGATE_NUMERIC if numeric else ():
                fields[op] = GraphQLField(self.op_fields(table, op, numeric))
            ordered = self.ordered_columns(table)
            for op in ("max", "min") if ordered else ():
                fields[op] = GraphQLField(self.op_fields(table, op, ordered))
            self.types.objects[name] = GraphQLObjectType(
                name, dict(sorted(fields.items())), description=f'aggregate fields of "{base}"'
            )
        return self.types.objects[name]

    def op_fields(self, table: TrackedTable, op: str, columns: list[str]) -> GraphQLObjectType:
        name = f"{table.graphql_name}_{op}_fields"
        if name not in self.types.objects:
            fields: dict[str, GraphQLField] = {}
            for column in columns:
                scalar = table.table.columns[column].scalar
                if op in ("sum", "max", "min"):
                    type_: GraphQLOutputType = scalar_type(scalar)
                    if op == "sum" and scalar == "Int":
                        type_ = scalar_type("bigint")
                else:
                    type_ = GraphQLFloat
                fields[table.field_name(column)] = GraphQLField(type_)
            self.types.objects[name] = GraphQLObjectType(
                name, fields, description=f'aggregate {op} on columns of "{table.table.name}"'
            )
        return self.types.objects[name]

    # --- input types ------------------------------------------------------------------------------
    def select_column(self, table: TrackedTable) -> GraphQLEnumType:
        name = f"{table.graphql_name}_select_column"
        if name not in self.types.enums:
            self.types.enums[name] = GraphQLEnumType(
                name,
                {
                    table.field_name(c): GraphQLEnumValue(c, description="column name")
                    for c in self.columns(table)
                },
                description=f'select columns of table "{table.table.name}"',
            )
        return self.types.enums[name]

    def comparison(self, scalar: str) -> GraphQLInputObjectType:
        name = f"{scalar}_comparison_exp"
        if name not in self.types.inputs:
            type_ = scalar_type(scalar)
            fields: dict[str, GraphQLInputField] = {op: GraphQLInputField(type_) for op in COMPARISONS}
            fields["_in"] = GraphQLInputField(GraphQLList(GraphQLNonNull(type_)))
            fields["_nin"] = GraphQLInputField(GraphQLList(GraphQLNonNull(type_)))
            fields["_is_null"] = GraphQLInputField(GraphQLBoolean)
            if scalar in ("String", "citext", "bpchar"):
                for op in TEXT_OPERATORS:
                    fields[op] = GraphQLInputField(GraphQLString)
                if self.extended_operators:
                    for op in PG_TEXT_OPERATORS:
                        fields[op] = GraphQLInputField(GraphQLString)
            if scalar != "String":
                fields["_cast"] = GraphQLInputField(self.cast_exp(scalar))
            if scalar == "ltree" and self.extended_operators:
                ltree, many = scalar_type("ltree"), GraphQLList(GraphQLNonNull(scalar_type("ltree")))
                fields["_ancestor"] = GraphQLInputField(
                    ltree, description="is the left argument an ancestor of right (or equal)?"
                )
                fields["_ancestor_any"] = GraphQLInputField(
                    many, description="does array contain an ancestor of `ltree`?"
                )
                fields["_descendant"] = GraphQLInputField(
                    ltree, description="is the left argument a descendant of right (or equal)?"
                )
                fields["_descendant_any"] = GraphQLInputField(
                    many, description="does array contain a descendant of `ltree`?"
                )
                fields["_matches"] = GraphQLInputField(
                    scalar_type("lquery"), description="does `ltree` match `lquery`?"
                )
                fields["_matches_any"] = GraphQLInputField(
                    GraphQLList(GraphQLNonNull(GraphQLString)),
                    description="does `ltree` match any `lquery` in array?",
                )
                fields["_matches_fulltext"] = GraphQLInputField(
                    scalar_type("ltxtquery"), description="does `ltree` match `ltxtquery`?"
                )
            if scalar == "jsonb" and self.extended_operators:
                fields["_contains"] = GraphQLInputField(type_)
                fields["_contained_in"] = GraphQLInputField(type_)
                fields["_has_key"] = GraphQLInputField(GraphQLString)
                fields["_has_keys_all"] = GraphQLInputField(GraphQLList(GraphQLNonNull(GraphQLString)))
                fields["_has_keys_any"] = GraphQLInputField(GraphQLList(GraphQLNonNull(GraphQLString)))
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                dict(sorted(fields.items())),
                description=(
                    f"Boolean expression to compare columns of type {scalar!r}. All fields are combined with "
                    "logical 'AND'."
                ),
            )
        return self.types.inputs[name]

    def cast_exp(self, scalar: str) -> GraphQLInputObjectType:
        """``_cast: {String: {...}}``: compare a column's text form (``{id: {_cast: {String: {_like: "1%"}}}}``)."""
        name = f"{scalar}_cast_exp"
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name, lambda: {"String": GraphQLInputField(self.comparison("String"))}
            )
        return self.types.inputs[name]

    def bool_exp(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_bool_exp"
        if name not in self.types.inputs:

            def fields() -> dict[str, GraphQLInputField]:
                me = self.types.inputs[name]
                out: dict[str, GraphQLInputField] = {
                    "_and": GraphQLInputField(GraphQLList(GraphQLNonNull(me))),
                    "_not": GraphQLInputField(me),
                    "_or": GraphQLInputField(GraphQLList(GraphQLNonNull(me))),
                }
                for column in self.columns(table):
                    comparison = self.column_comparison(table, column)
                    out[table.field_name(column)] = self.column_input(table, column, comparison)
                for rel_name, remote, kind in self.relationships(table):
                    out[rel_name] = GraphQLInputField(
                        self.bool_exp(remote), out_name=table.relationship_key(rel_name)
                    )
                    predicates = self.aggregate_bool_exp(remote) if kind == "array" else None
                    if predicates is not None:
                        out[f"{rel_name}_aggregate"] = GraphQLInputField(predicates)
                for cf in self.computed(table):
                    if cf.inputs:
                        continue  # filters cannot give a function its arguments
                    if cf.result is not None:
                        out[cf.name] = GraphQLInputField(self.comparison(cf.result.scalar))
                    elif cf.returns is not None:
                        out[cf.name] = GraphQLInputField(self.bool_exp(self.visible[cf.returns]))
                return dict(sorted(out.items()))

            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                fields,
                description=(
                    f'Boolean expression to filter rows from the table "{table.table.name}". '
                    "All fields are combined with a logical 'AND'."
                ),
            )
        return self.types.inputs[name]

    def aggregate_bool_exp(self, table: TrackedTable) -> GraphQLInputObjectType | None:
        """``T_aggregate_bool_exp``: Hasura's aggregation predicates over rows of ``table`` reached through an
        array relationship, for a role that may aggregate them and reads some column: ``count``, and those of
        columns of a type (``bool_and`` of a Boolean one, ``avg`` of a float8 one ...) when it reads one."""
        if not self.aggregations(table) or not self.columns(table):
            return None
        name = f"{table.graphql_name}_aggregate_bool_exp"
        if name not in self.types.inputs:
            fields: dict[str, GraphQLInputField] = {}
            for function, (taken, argument_scalar, scalar) in AGGREGATE_PREDICATES.items():
                arguments: GraphQLInputType
                if taken < 0:
                    arguments = GraphQLList(GraphQLNonNull(self.select_column(table)))
                else:
                    columns = [
                        c for c in self.columns(table) if table.table.columns[c].scalar == argument_scalar
                    ]
                    if not columns:
                        continue
                    enum = self.predicate_columns(table, f"{name}_{function}_arguments_columns", columns)
                    arguments = GraphQLNonNull(
                        enum if taken == 1 else self.pair_arguments(name, function, enum)
                    )
                fields[function] = GraphQLInputField(
                    self.aggregate_predicate(table, f"{name}_{function}", arguments, scalar)
                )
            self.types.inputs[name] = GraphQLInputObjectType(name, dict(sorted(fields.items())))
        return self.types.inputs[name]

    def pair_arguments(self, name: str, function: str, enum: GraphQLEnumType) -> GraphQLInputObjectType:
        """``T_aggregate_bool_exp_corr_arguments``: the two columns of ``corr`` and ``covar_samp``."""
        type_name = f"{name}_{function}_arguments"
        if type_name not in self.types.inputs:
            self.types.inputs[type_name] = GraphQLInputObjectType(
                type_name, {axis: GraphQLInputField(GraphQLNonNull(enum)) for axis in PAIR_ARGUMENTS}
            )
        return self.types.inputs[type_name]

    def aggregate_predicate(
        self, table: TrackedTable, name: str, arguments: GraphQLInputType, scalar: str
    ) -> GraphQLInputObjectType:
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                lambda: {
                    "arguments": GraphQLInputField(arguments),
                    "distinct": GraphQLInputField(GraphQLBoolean),
                    "filter": GraphQLInputField(self.bool_exp(table)),
                    "predicate": GraphQLInputField(GraphQLNonNull(self.comparison(scalar))),
                },
            )
        return self.types.inputs[name]

    def predicate_columns(self, table: TrackedTable, purpose: str, columns: list[str]) -> GraphQLEnumType:
        """The columns one aggregation predicate may take, named as Hasura names the enum."""
        name = f"{table.graphql_name}_select_column_{purpose}"
        if name not in self.types.enums:
            self.types.enums[name] = GraphQLEnumType(
                name,
                {table.field_name(c): GraphQLEnumValue(c, description="column name") for c in columns},
                description=f'select "{purpose}" columns of table "{table.table.name}"',
            )
        return self.types.enums[name]

    def order_by(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_order_by"
        if name not in self.types.inputs:

            def fields() -> dict[str, GraphQLInputField]:
                out: dict[str, GraphQLInputField] = {
                    table.field_name(c): self.column_input(table, c, ORDER_BY) for c in self.columns(table)
                }
                for rel_name, remote, kind in self.relationships(table):
                    if kind == "object":
                        out[rel_name] = GraphQLInputField(
                            self.order_by(remote), out_name=table.relationship_key(rel_name)
                        )
                    elif self.aggregations(remote):
                        out[f"{rel_name}_aggregate"] = GraphQLInputField(self.aggregate_order_by(remote))
                for cf in self.computed(table):
                    if cf.inputs:
                        continue
                    if cf.result is not None:
                        out[cf.name] = GraphQLInputField(ORDER_BY)
                    elif cf.returns is not None and self.aggregations(self.visible[cf.returns]):
                        target = self.visible[cf.returns]
                        out[f"{cf.name}_aggregate"] = GraphQLInputField(self.aggregate_order_by(target))
                return dict(sorted(out.items()))

            self.types.inputs[name] = GraphQLInputObjectType(
                name, fields, description=f'Ordering options when selecting data from "{table.table.name}".'
            )
        return self.types.inputs[name]

    def aggregate_order_by(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_aggregate_order_by"
        if name not in self.types.inputs:
            fields: dict[str, GraphQLInputField] = {"count": GraphQLInputField(ORDER_BY)}
            numeric = self.numeric_columns(table)
            for op in AGGREGATE_NUMERIC if numeric else ():
                fields[op] = GraphQLInputField(self.op_order_by(table, op, numeric))
            ordered = self.ordered_columns(table)
            for op in ("max", "min") if ordered else ():
                fields[op] = GraphQLInputField(self.op_order_by(table, op, ordered))
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                dict(sorted(fields.items())),
                description=f'order by aggregate values of table "{table.table.name}"',
            )
        return self.types.inputs[name]

    def op_order_by(self, table: TrackedTable, op: str, columns: list[str]) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_{op}_order_by"
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                {table.field_name(c): self.column_input(table, c, ORDER_BY) for c in columns},
                description=f'order by {op}() on columns of table "{table.table.name}"',
            )
        return self.types.inputs[name]
