"""mutation_root for a role: Hasura's insert/update/delete fields and their input types.

``insert_T``/``insert_T_one`` (objects, on_conflict), ``update_T``/``update_T_by_pk`` (_set, _inc),
``delete_T``/``delete_T_by_pk``; a field exists only where the role has the matching permission, and
``returning`` and the ``*_one``/``*_by_pk`` forms only where it may also read the table.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
)

from qapress.engine.metadata import DeletePermission, InsertPermission, UpdatePermission
from qapress.engine.model import TrackedTable
from qapress.engine.permissions import ADMIN
from qapress.engine.scalars import NUMERIC, scalar_type
from qapress.engine.schema import RootField, SchemaBuilder


def insert_permission(table: TrackedTable, role: str) -> InsertPermission | None:
    if role == ADMIN:
        return InsertPermission(check={}, columns=tuple(table.table.columns))
    permission = table.meta.insert_permissions.get(role)
    if permission is not None and permission.columns == "*":
        return InsertPermission(permission.check, tuple(table.table.columns), permission.set)
    return permission


def update_permission(table: TrackedTable, role: str) -> UpdatePermission | None:
    if role == ADMIN:
        return UpdatePermission(columns=tuple(table.table.columns), filter={})
    permission = table.meta.update_permissions.get(role)
    if permission is not None and permission.columns == "*":
        return UpdatePermission(
            tuple(table.table.columns), permission.filter, permission.check, permission.set
        )
    return permission


def delete_permission(table: TrackedTable, role: str) -> DeletePermission | None:
    if role == ADMIN:
        return DeletePermission(filter={})
    return table.meta.delete_permissions.get(role)


def mutation_root(builder: SchemaBuilder) -> tuple[GraphQLObjectType, dict[str, RootField]] | None:
    """``mutation_root`` and what each of its fields does, or None when the role may not write at all."""
    fields: dict[str, GraphQLField] = {}
    roots: dict[str, RootField] = {}
    types = _MutationTypes(builder)
    for table in builder.model.tables.values():
        name = table.graphql_name
        readable = table.key in builder.visible and builder.has_object(table)
        insert = insert_permission(table, builder.role)
        if insert is not None:
            args = {
                "objects": GraphQLArgument(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(types.insert_input(table))))
                )
            }
            conflict = types.on_conflict(table)
            if conflict is not None:
                args["on_conflict"] = GraphQLArgument(conflict)
            fields[f"insert_{name}"] = GraphQLField(
                types.response(table),
                args=args,
                description=f'insert data into the table: "{table.table.name}"',
            )
            roots[f"insert_{name}"] = RootField("insert", table.key)
            if readable:
                one_args = {"object": GraphQLArgument(GraphQLNonNull(types.insert_input(table)))}
                if conflict is not None:
                    one_args["on_conflict"] = GraphQLArgument(conflict)
                fields[f"insert_{name}_one"] = GraphQLField(
                    builder.object_type(table),
                    args=one_args,
                    description=f'insert a single row into the table: "{table.table.name}"',
                )
                roots[f"insert_{name}_one"] = RootField("insert_one", table.key)
        update = update_permission(table, builder.role)
        if update is not None and readable:
            changes = {"_set": GraphQLArgument(types.set_input(table, update))}
            inc = types.inc_input(table, update)
            if inc is not None:
                changes["_inc"] = GraphQLArgument(inc)
            fields[f"update_{name}"] = GraphQLField(
                types.response(table),
                args={**changes, "where": GraphQLArgument(GraphQLNonNull(builder.bool_exp(table)))},
                description=f'update data of the table: "{table.table.name}"',
            )
            roots[f"update_{name}"] = RootField("update", table.key)
            if table.table.primary_key:
                fields[f"update_{name}_by_pk"] = GraphQLField(
                    builder.object_type(table),
                    args={**changes, "pk_columns": GraphQLArgument(GraphQLNonNull(types.pk_columns(table)))},
                    description=f'update single row of the table: "{table.table.name}"',
                )
                roots[f"update_{name}_by_pk"] = RootField("update_by_pk", table.key)
        delete = delete_permission(table, builder.role)
        if delete is not None and readable:
            fields[f"delete_{name}"] = GraphQLField(
                types.response(table),
                args={"where": GraphQLArgument(GraphQLNonNull(builder.bool_exp(table)))},
                description=f'delete data from the table: "{table.table.name}"',
            )
            roots[f"delete_{name}"] = RootField("delete", table.key)
            if table.table.primary_key:
                fields[f"delete_{name}_by_pk"] = GraphQLField(
                    builder.object_type(table),
                    args={
                        c: GraphQLArgument(GraphQLNonNull(scalar_type(table.table.columns[c].scalar)))
                        for c in table.table.primary_key
                    },
                    description=f'delete single row from the table: "{table.table.name}"',
                )
                roots[f"delete_{name}_by_pk"] = RootField("delete_by_pk", table.key)
    if not fields:
        return None
    return GraphQLObjectType("mutation_root", dict(sorted(fields.items()))), roots


class _MutationTypes:
    def __init__(self, builder: SchemaBuilder) -> None:
        self.builder = builder
        self.objects: dict[str, GraphQLObjectType] = {}
        self.inputs: dict[str, GraphQLInputObjectType] = {}
        self.enums: dict[str, GraphQLEnumType] = {}

    def response(self, table: TrackedTable) -> GraphQLObjectType:
        name = f"{table.graphql_name}_mutation_response"
        if name not in self.objects:
            fields = {
                "affected_rows": GraphQLField(
                    GraphQLNonNull(GraphQLInt), description="number of rows affected by the mutation"
                )
            }
            if table.key in self.builder.visible and self.builder.has_object(table):
                fields["returning"] = GraphQLField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(self.builder.object_type(table)))),
                    description="data from the rows affected by the mutation",
                )
            self.objects[name] = GraphQLObjectType(
                name, fields, description=f'response of any mutation on the table "{table.table.name}"'
            )
        return self.objects[name]

    def insert_input(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_insert_input"
        if name not in self.inputs:
            permission = insert_permission(table, self.builder.role)
            assert permission is not None and permission.columns != "*"
            preset = set(permission.set)
            columns = [c for c in table.table.columns if c in permission.columns and c not in preset]
            self.inputs[name] = GraphQLInputObjectType(
                name,
                {c: GraphQLInputField(scalar_type(table.table.columns[c].scalar)) for c in columns},
                description=f'input type for inserting data into table "{table.table.name}"',
            )
        return self.inputs[name]

    def constraint(self, table: TrackedTable) -> GraphQLEnumType | None:
        name = f"{table.graphql_name}_constraint"
        if name not in self.enums:
            constraints = table.table.unique_constraints
            if not constraints:
                return None
            self.enums[name] = GraphQLEnumType(
                name,
                {
                    c: GraphQLEnumValue(c, description=f"unique or primary key constraint on {list(cols)}")
                    for c, cols in constraints.items()
                },
                description=f'unique or primary key constraints on table "{table.table.name}"',
            )
        return self.enums[name]

    def update_column(self, table: TrackedTable) -> GraphQLEnumType:
        name = f"{table.graphql_name}_update_column"
        if name not in self.enums:
            permission = update_permission(table, self.builder.role)
            columns = (
                [] if permission is None else [c for c in table.table.columns if c in permission.columns]
            )
            values = {c: GraphQLEnumValue(c, description="column name") for c in columns}
            if not values:
                values = {
                    "_PLACEHOLDER": GraphQLEnumValue("_PLACEHOLDER", description="placeholder (do not use)")
                }
            self.enums[name] = GraphQLEnumType(
                name, values, description=f'update columns of table "{table.table.name}"'
            )
        return self.enums[name]

    def on_conflict(self, table: TrackedTable) -> GraphQLInputObjectType | None:
        name = f"{table.graphql_name}_on_conflict"
        if name not in self.inputs:
            constraint = self.constraint(table)
            if constraint is None:
                return None
            fields = {
                "constraint": GraphQLInputField(GraphQLNonNull(constraint)),
                "update_columns": GraphQLInputField(
                    GraphQLNonNull(GraphQLList(GraphQLNonNull(self.update_column(table)))), default_value=[]
                ),
            }
            if table.key in self.builder.visible:
                fields["where"] = GraphQLInputField(self.builder.bool_exp(table))
            self.inputs[name] = GraphQLInputObjectType(
                name, fields, description=f'on_conflict condition type for table "{table.table.name}"'
            )
        return self.inputs[name]

    def set_input(self, table: TrackedTable, permission: UpdatePermission) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_set_input"
        if name not in self.inputs:
            preset = set(permission.set)
            columns = [c for c in table.table.columns if c in permission.columns and c not in preset]
            self.inputs[name] = GraphQLInputObjectType(
                name,
                {c: GraphQLInputField(scalar_type(table.table.columns[c].scalar)) for c in columns},
                description=f'input type for updating data in table "{table.table.name}"',
            )
        return self.inputs[name]

    def inc_input(self, table: TrackedTable, permission: UpdatePermission) -> GraphQLInputObjectType | None:
        name = f"{table.graphql_name}_inc_input"
        if name not in self.inputs:
            columns = [
                c
                for c in table.table.columns
                if c in permission.columns
                and table.table.columns[c].scalar in NUMERIC
                and c not in permission.set
            ]
            if not columns:
                return None
            self.inputs[name] = GraphQLInputObjectType(
                name,
                {c: GraphQLInputField(scalar_type(table.table.columns[c].scalar)) for c in columns},
                description=f'input type for incrementing numeric columns in table "{table.table.name}"',
            )
        return self.inputs[name]

    def pk_columns(self, table: TrackedTable) -> GraphQLInputObjectType:
        name = f"{table.graphql_name}_pk_columns_input"
        if name not in self.inputs:
            self.inputs[name] = GraphQLInputObjectType(
                name,
                {
                    c: GraphQLInputField(GraphQLNonNull(scalar_type(table.table.columns[c].scalar)))
                    for c in table.table.primary_key
                },
                description=f'primary key columns input for table: "{table.table.name}"',
            )
        return self.inputs[name]
