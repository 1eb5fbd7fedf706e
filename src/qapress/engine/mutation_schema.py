"""The ``mutation_root`` of a role's schema, named as Hasura names it.

``insert_T`` / ``insert_T_one`` (with ``on_conflict`` when the role may update), ``update_T`` /
``update_T_by_pk`` (``_set``, ``_inc``) and ``delete_T`` / ``delete_T_by_pk``, each present when the role
has the matching permission. ``returning`` and the ``*_one`` / ``*_by_pk`` fields need a select permission
as well, because they read rows back. Types are built with the query schema's builder so that ``T``,
``T_bool_exp`` and the scalars are the very same objects in both roots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)

from qapress.engine.metadata import InsertPermission, UpdatePermission
from qapress.engine.model import TrackedTable
from qapress.engine.names import is_graphql_name
from qapress.engine.permissions import (
    delete_permission,
    insert_permission,
    insertable_columns,
    updatable_columns,
    update_permission,
)
from qapress.engine.scalars import NUMERIC, scalar_type
from qapress.engine.type_registry import TableTypes

MutationKind = Literal[
    "insert", "insert_one", "update", "update_by_pk", "update_many", "delete", "delete_by_pk", "function"
]


@dataclass(frozen=True)
class MutationField:
    """What a ``mutation_root`` field does, and to which table."""

    kind: MutationKind
    table: tuple[str, str]
    #: For "function": the tracked function's name.
    function: str | None = None


#: The update operators on jsonb columns (PostgreSQL): argument, the type of each column's operand, and
#: Hasura's description.
JSONB_UPDATES: tuple[tuple[str, GraphQLInputType, str], ...] = (
    ("_append", scalar_type("jsonb"), "append existing jsonb value of filtered columns with new jsonb value"),
    (
        "_prepend",
        scalar_type("jsonb"),
        "prepend existing jsonb value of filtered columns with new jsonb value",
    ),
    (
        "_delete_key",
        GraphQLString,
        "delete key/value pair or string element. key/value pairs are matched based on their key value",
    ),
    (
        "_delete_elem",
        GraphQLInt,
        "delete the array element with specified index (negative integers count from the end). throws an "
        "error if top level container is not an array",
    ),
    (
        "_delete_at_path",
        GraphQLList(GraphQLNonNull(GraphQLString)),
        "delete the field or element with specified path (for JSON arrays, negative integers count from the "
        "end)",
    ),
)


def named_constraints(table: TrackedTable) -> list[str]:
    """The unique constraints an ``on_conflict`` may name: those whose names are GraphQL names."""
    return [name for name in table.table.unique_constraints if is_graphql_name(name)]


class MutationBuilder:
    """Adds the mutation types to the type registry the query root's builder holds."""

    def __init__(self, builder: TableTypes, backend_only: bool = False) -> None:
        self.b = builder
        self.types = builder.types
        self.role = builder.role
        self.backend_only = backend_only
        self.fields: dict[str, MutationField] = {}

    def readable(self, table: TrackedTable) -> bool:
        return table.key in self.b.visible

    def root(self) -> GraphQLObjectType | None:
        fields: dict[str, GraphQLField] = {}
        for table in self.b.model.tables.values():
            ins = insert_permission(table, self.role)
            allowed = ins is not None and (self.backend_only or not ins.backend_only)
            if ins is not None and allowed and self.has_insert_input(table, ins):
                fields[table.root_name("insert")] = GraphQLField(
                    self.response_type(table),
                    args={
                        "objects": GraphQLArgument(
                            GraphQLNonNull(GraphQLList(GraphQLNonNull(self.insert_input(table)))),
                            description="the rows to be inserted",
                        ),
                        **self.on_conflict_arg(table),
                    },
                    description=table.root_description(
                        "insert", f'insert data into the table: "{table.table.name}"'
                    ),
                )
                self.fields[table.root_name("insert")] = MutationField("insert", table.key)
                if self.readable(table):
                    fields[table.root_name("insert_one")] = GraphQLField(
                        self.b.object_type(table),
                        args={
                            "object": GraphQLArgument(
                                GraphQLNonNull(self.insert_input(table)), description="the row to be inserted"
                            ),
                            **self.on_conflict_arg(table),
                        },
                        description=table.root_description(
                            "insert_one", f'insert a single row into the table: "{table.table.name}"'
                        ),
                    )
                    self.fields[table.root_name("insert_one")] = MutationField("insert_one", table.key)
            if (upd := update_permission(table, self.role)) is not None and self.readable(table):
                set_args = self.update_args(table, upd)
                fields[table.root_name("update")] = GraphQLField(
                    self.response_type(table),
                    args={
                        **set_args,
                        "where": GraphQLArgument(
                            GraphQLNonNull(self.b.bool_exp(table)),
                            description="filter the rows which have to be updated",
                        ),
                    },
                    description=table.root_description(
                        "update", f'update data of the table: "{table.table.name}"'
                    ),
                )
                self.fields[table.root_name("update")] = MutationField("update", table.key)
                if self.has_pk(table):
                    fields[table.root_name("update_by_pk")] = GraphQLField(
                        self.b.object_type(table),
                        args={
                            **set_args,
                            "pk_columns": GraphQLArgument(GraphQLNonNull(self.pk_input(table))),
                        },
                        description=table.root_description(
                            "update_by_pk", f'update single row of the table: "{table.table.name}"'
                        ),
                    )
                    self.fields[table.root_name("update_by_pk")] = MutationField("update_by_pk", table.key)
                if set_args:
                    fields[table.root_name("update_many")] = GraphQLField(
                        GraphQLList(self.response_type(table)),
                        args={
                            "updates": GraphQLArgument(
                                GraphQLNonNull(
                                    GraphQLList(GraphQLNonNull(self.updates_input(table, set_args)))
                                ),
                                description="updates to execute, in order",
                            )
                        },
                        description=table.root_description(
                            "update_many", f'update multiples rows of table: "{table.table.name}"'
                        ),
                    )
                    self.fields[table.root_name("update_many")] = MutationField("update_many", table.key)
            if delete_permission(table, self.role) is not None and self.readable(table):
                fields[table.root_name("delete")] = GraphQLField(
                    self.response_type(table),
                    args={
                        "where": GraphQLArgument(
                            GraphQLNonNull(self.b.bool_exp(table)),
                            description="filter the rows which have to be deleted",
                        )
                    },
                    description=table.root_description(
                        "delete", f'delete data from the table: "{table.table.name}"'
                    ),
                )
                self.fields[table.root_name("delete")] = MutationField("delete", table.key)
                if self.has_pk(table):
                    fields[table.root_name("delete_by_pk")] = GraphQLField(
                        self.b.object_type(table),
                        args=self.b.pk_args(table),
                        description=table.root_description(
                            "delete_by_pk", f'delete single row from the table: "{table.table.name}"'
                        ),
                    )
                    self.fields[table.root_name("delete_by_pk")] = MutationField("delete_by_pk", table.key)
        for function in self.b.model.functions.values():
            if function.mutation and self.b.function_visible(function):
                table = self.b.visible[function.returns]
                fields[function.name] = GraphQLField(
                    self.b.function_type(function, table),
                    args=self.b.function_args(function, table),
                    description=f'execute VOLATILE function "{function.function}" which returns "{table.table.name}"',
                )
                self.fields[function.name] = MutationField("function", table.key, function.name)
        if not fields:
            return None
        return GraphQLObjectType("mutation_root", dict(sorted(fields.items())))

    def has_insert_input(self, table: TrackedTable, permission: InsertPermission) -> bool:
        return bool(insertable_columns(table, permission)) or any(
            rel.remote in self.b.model.tables
            and insert_permission(self.b.model.tables[rel.remote], self.role)
            for rel in table.relationships.values()
        )

    def has_pk(self, table: TrackedTable) -> bool:
        pk = table.table.primary_key
        return bool(pk) and all(c in self.b.columns(table) for c in pk)

    # --- output --------------------------------------------------------------------------------------------
    def response_type(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_mutation_response"
        if name not in self.types.objects:
            fields = {
                "affected_rows": GraphQLField(
                    GraphQLNonNull(GraphQLInt), description="number of rows affected by the mutation"
                )
            }
            if self.readable(table):
                fields["returning"] = GraphQLField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(self.b.object_type(table)))),
                    description="data from the rows affected by the mutation",
                )
            self.types.objects[name] = GraphQLObjectType(
                name, fields, description=f'response of any mutation on the table "{table.table.name}"'
            )
        return self.types.objects[name]

    # --- inputs --------------------------------------------------------------------------------------------
    def insert_input(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_insert_input"
        if name not in self.types.inputs:
            permission = insert_permission(table, self.role)
            assert permission is not None

            def fields() -> dict[str, GraphQLInputField]:
                out = {
                    table.field_name(c): self.b.column_input(table, c, self.b.scalar(table, c))
                    for c in insertable_columns(table, permission)
                }
                for rel in table.relationships.values():
                    remote = self.b.model.tables.get(rel.remote)
                    if remote is None or insert_permission(remote, self.role) is None:
                        continue
                    out[rel.name] = GraphQLInputField(
                        self.rel_insert_input(remote, rel.kind), out_name=table.relationship_key(rel.name)
                    )
                return dict(sorted(out.items()))

            self.types.inputs[name] = GraphQLInputObjectType(
                name, fields, description=f'input type for inserting data into table "{table.table.name}"'
            )
        return self.types.inputs[name]

    def rel_insert_input(self, table: TrackedTable, kind: str) -> GraphQLInputObjectType:
        suffix = "obj_rel_insert_input" if kind == "object" else "arr_rel_insert_input"
        name = f"{table.graphql_name}_{suffix}"
        if name not in self.types.inputs:
            data = GraphQLNonNull(self.insert_input(table))
            data_type = data if kind == "object" else GraphQLNonNull(GraphQLList(data))
            fields = {"data": GraphQLInputField(data_type)}
            conflict = self.on_conflict_arg(table)
            if conflict:
                fields["on_conflict"] = GraphQLInputField(self.on_conflict(table))
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                fields,
                description=f'input type for inserting {kind} relation for remote table "{table.table.name}"',
            )
        return self.types.inputs[name]

    def on_conflict_arg(self, table: TrackedTable) -> dict[str, GraphQLArgument]:
        """``on_conflict`` needs a unique constraint and, for an upsert, the role's update permission."""
        if not named_constraints(table) or update_permission(table, self.role) is None:
            return {}
        return {"on_conflict": GraphQLArgument(self.on_conflict(table), description="upsert condition")}

    def on_conflict(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_on_conflict"
        if name not in self.types.inputs:
            constraint = self.enum(
                f"{table.graphql_name}_constraint",
                named_constraints(table),
                f'unique or primary key constraints on table "{table.table.name}"',
            )
            permission = update_permission(table, self.role)
            assert permission is not None
            columns = self.enum(
                f"{table.graphql_name}_update_column",
                updatable_columns(table, permission) or ["_PLACEHOLDER"],
                f'update columns of table "{table.table.name}"',
                table,
            )

            def fields() -> dict[str, GraphQLInputField]:
                out = {
                    "constraint": GraphQLInputField(GraphQLNonNull(constraint)),
                    "update_columns": GraphQLInputField(
                        GraphQLNonNull(GraphQLList(GraphQLNonNull(columns))), default_value=[]
                    ),
                }
                if self.readable(table):
                    out["where"] = GraphQLInputField(self.b.bool_exp(table))
                return out

            self.types.inputs[name] = GraphQLInputObjectType(
                name, fields, description=f'on_conflict condition type for table "{table.table.name}"'
            )
        return self.types.inputs[name]

    def enum(
        self, name: str, values: list[str], description: str, table: TrackedTable | None = None
    ) -> GraphQLEnumType:
        """An enum of ``values``; with ``table``, the values are columns shown by their field names."""
        if name not in self.types.enums:
            self.types.enums[name] = GraphQLEnumType(
                name,
                {(table.field_name(v) if table else v): GraphQLEnumValue(v) for v in values},
                description=description,
            )
        return self.types.enums[name]

    def update_args(self, table: TrackedTable, permission: UpdatePermission) -> dict[str, GraphQLArgument]:
        columns = updatable_columns(table, permission)
        args: dict[str, GraphQLArgument] = {}
        numeric = [c for c in columns if table.table.columns[c].scalar in NUMERIC]
        if numeric:
            args["_inc"] = GraphQLArgument(
                self.columns_input(
                    f"{table.graphql_name}_inc_input", table, numeric, "increments the numeric columns"
                ),
                description="increments the numeric columns with given value of the filtered values",
            )
        jsonb = (
            [c for c in columns if table.table.columns[c].scalar == "jsonb"]
            if self.b.extended_operators
            else []
        )
        for op, type_, what in JSONB_UPDATES if jsonb else ():
            args[op] = GraphQLArgument(
                self.columns_input(f"{table.graphql_name}{op}_input", table, jsonb, what, type_),
                description=what,
            )
        if columns:
            args["_set"] = GraphQLArgument(
                self.columns_input(
                    f"{table.graphql_name}_set_input", table, columns, "input type for updating data"
                ),
                description="sets the columns of the filtered rows to the given values",
            )
        return args

    def updates_input(
        self, table: TrackedTable, set_args: dict[str, GraphQLArgument]
    ) -> GraphQLInputObjectType:
        """``T_updates``: one update of ``update_T_many``, the same operators as ``update_T`` and its ``where``."""
        name = f"{table.graphql_name}_updates"
        if name not in self.types.inputs:
            fields = {
                op: GraphQLInputField(arg.type, description=arg.description) for op, arg in set_args.items()
            }
            fields["where"] = GraphQLInputField(
                GraphQLNonNull(self.b.bool_exp(table)), description="filter the rows which have to be updated"
            )
            self.types.inputs[name] = GraphQLInputObjectType(name, dict(sorted(fields.items())))
        return self.types.inputs[name]

    def columns_input(
        self,
        name: str,
        table: TrackedTable,
        columns: list[str],
        what: str,
        type_: GraphQLInputType | None = None,
    ) -> GraphQLInputObjectType:
        """An input object with a field per column, of the column's type (or of ``type_``)."""
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                {
                    table.field_name(c): self.b.column_input(table, c, type_ or self.b.scalar(table, c))
                    for c in columns
                },
                description=f'{what} in table "{table.table.name}"',
            )
        return self.types.inputs[name]

    def pk_input(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_pk_columns_input"
        if name not in self.types.inputs:
            self.types.inputs[name] = GraphQLInputObjectType(
                name,
                {
                    table.field_name(c): self.b.column_input(
                        table, c, GraphQLNonNull(self.b.scalar(table, c))
                    )
                    for c in table.table.primary_key
                },
                description=f'primary key columns input for table: "{table.table.name}"',
            )
        return self.types.inputs[name]
