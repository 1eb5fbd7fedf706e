"""A GraphQL mutation run as a sequence of SQL statements in ONE transaction, answering with ``data`` JSON.

Mutations cannot be one statement on both databases (SQLite has no data-modifying CTEs, and a nested insert
must see the parent it just inserted), so each root field runs step by step on the request's connection:
select the affected rows' keys, change them, test the permission ``check`` on the changed rows, then read
``returning`` back through the query compiler (so relationships and select permissions apply exactly as in
a query). Any error rolls the whole request back.

Row identity is the primary key, or ``ctid`` / ``rowid`` for a table without one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from graphql import FragmentDefinitionNode, GraphQLError, GraphQLObjectType, OperationDefinitionNode
from graphql.execution.values import get_argument_values

from qapress.engine.compile import CompileOptions, OperationCompiler, _Fields
from qapress.engine.dialects import Dialect, quote_ident
from qapress.engine.driver_errors import mapped_driver_errors
from qapress.engine.errors import (
    ConstraintViolation,
    PermissionDenied,
    SessionVariableMissing,
    ValidationFailed,
)
from qapress.engine.model import Model, TrackedTable
from qapress.engine.mutation_plan import (
    Assignments,
    ChosenRows,
    DeletePlan,
    InsertPlan,
    InsertRow,
    MutationPlanner,
    OnConflict,
    UpdatePlan,
    ValueCheck,
    ValueChecks,
)
from qapress.engine.mutation_schema import MutationField
from qapress.engine.params import value_converter
from qapress.engine.permissions import (
    ADMIN,
    delete_permission,
    insert_permission,
    insertable_columns,
    update_permission,
)
from qapress.engine.schema import RoleSchema
from qapress.engine.selection import RawSource

__all__ = [
    "CHECK_FAILED",
    "InsertHook",
    "MutationRunner",
    "UpdateHook",
    "ValueCheck",
    "ValueChecks",
    "run_mutation",
]

CHECK_FAILED = "check constraint of an insert/update permission has failed"
Row = sa.RowMapping
#: What finds a written row again: its primary key's values, a view's columns, or its ctid / rowid.
Identity = tuple[Any, ...]

#: Called for each row about to be inserted into a table (keyed by table name) inside the transaction;
#: returns the values to insert, or raises an EngineError to refuse the whole request. The link rules use it.
InsertHook = Callable[[sa.Connection, dict[str, Any], Mapping[str, str]], dict[str, Any]]
#: Called after an update of a table (and its permission check), in the mutation's transaction, with the
#: updated rows' identities, the ``_set`` values and the session: a rule that must follow every edit.
UpdateHook = Callable[[sa.Connection, Sequence[Identity], Mapping[str, Any], Mapping[str, str]], None]


#: The jsonb update operators (PostgreSQL only; the schema has them there alone) as SQL.
JSONB_UPDATE_SQL = {
    "_append": "{column} = {column} || {operand}",
    "_prepend": "{column} = {operand} || {column}",
    "_delete_key": "{column} = {column} - CAST({operand} AS text)",
    "_delete_elem": "{column} = {column} - CAST({operand} AS integer)",
    "_delete_at_path": "{column} = {column} #- CAST({operand} AS text[])",
}


class MutationRunner:
    """Runs one mutation operation on ``connection`` (inside the caller's transaction).

    It holds a query compiler rather than being one: the SQL that reads rows (``returning``, the permission
    checks' row filters) comes from the compiler, the statements that write and their order from here."""

    def __init__(
        self,
        model: Model,
        role_schema: RoleSchema,
        mutation_fields: Mapping[str, MutationField],
        dialect: Dialect,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        session: Mapping[str, str],
        options: CompileOptions,
        connection: sa.Connection,
        insert_hooks: Mapping[str, InsertHook] | None = None,
        value_checks: ValueChecks | None = None,
        update_hooks: Mapping[str, UpdateHook] | None = None,
    ) -> None:
        self.compiler = OperationCompiler(model, role_schema, dialect, fragments, variables, options)
        self.model = model
        self.role = role_schema.role
        self.schema = role_schema.schema
        self.dialect = dialect
        #: One parameter list for the statement being built, shared with the compiler's parts of it.
        self.params = self.compiler.params
        self.where = self.compiler.where
        self.mutation_fields = mutation_fields
        self.insert_hooks = insert_hooks or {}
        self.update_hooks = update_hooks or {}
        self.planner = MutationPlanner(model, self.role, self.where.reader, value_checks)
        self.variables = variables
        self.session = {k.lower(): v for k, v in session.items()}
        self.connection = connection
        self.inserted = 0

    # --- operation -----------------------------------------------------------------------------------------
    def run(self, operation: OperationDefinitionNode) -> str:
        """The ``data`` object of the response, as JSON text."""
        root = self.schema.mutation_type
        if root is None:
            raise ValidationFailed("no mutations exist")
        parts: list[str] = []
        for fields in self.compiler.collect(operation.selection_set):
            value = '"mutation_root"' if fields.name == "__typename" else self.root_mutation(fields, root)
            parts.append(orjson.dumps(fields.key).decode() + ":" + value)
        return "{" + ",".join(parts) + "}"

    def root_mutation(self, fields: _Fields, root: GraphQLObjectType) -> str:
        spec = self.mutation_fields.get(fields.name)
        if spec is None:
            raise ValidationFailed(
                f"field \"{fields.name}\" not found in type: 'mutation_root'", "$.selectionSet"
            )
        table = self.model.tracked(spec.table)
        args = self.coerced_arguments(fields, root)
        path = f"$.selectionSet.{fields.key}.args"
        self.compiler.path = f"$.selectionSet.{fields.key}"
        if spec.kind == "function":
            return self.function_mutation(table, spec, args, fields)
        if spec.kind in ("insert", "insert_one"):
            objects = [args["object"]] if spec.kind == "insert_one" else args["objects"]
            where = f"{path}.object" if spec.kind == "insert_one" else f"{path}.objects"
            try:
                plan = self.planner.insert(table, objects, args.get("on_conflict"), where)
                identities, affected = self.insert(plan)
            except ConstraintViolation as exc:
                exc.path = where
                raise
        elif spec.kind == "update_many":
            return self.update_many(table, args["updates"], fields, path)
        elif spec.kind in ("update", "update_by_pk"):
            identities = self.update(self.planner.update(table, args, spec.kind == "update_by_pk", path))
            affected = len(identities)
        else:
            by_pk = spec.kind == "delete_by_pk"
            identities, returned = self.delete(self.planner.delete(table, args, by_pk), fields)
            if by_pk:
                return returned[0] if returned else "null"
            return self.response(table, fields, len(identities), returned)
        if spec.kind in ("insert_one", "update_by_pk"):
            rows = self.read_rows(table, fields, identities)
            return rows[0] if rows else "null"
        returning = [f for f in self.compiler.sub_fields(fields) if f.name == "returning"]
        rows = self.read_rows(table, returning[0], identities) if returning else []
        return self.response(table, fields, affected, rows)

    def function_mutation(
        self, table: TrackedTable, spec: MutationField, args: dict[str, Any], fields: _Fields
    ) -> str:
        """A VOLATILE function as a mutation: called once, in the mutation's transaction, its rows read
        with the role's select permission on the table it returns."""
        assert spec.function is not None
        function = self.model.functions[spec.function]
        call = function.call(args.get("args") or {}, self.params)
        # The function runs first, on its own: what it wrote is then visible to the selection's
        # relationships (one statement would read them from the snapshot before its writes). Its rows come
        # back as an array of the table's row type, so computed fields still take them.
        returned = self.execute(f"SELECT CAST(array_agg(_r) AS text) FROM {call} AS _r").scalar()
        row_type = f"{quote_ident(table.table.schema)}.{quote_ident(table.table.name)}"
        rows = self.params.const(returned if returned is not None else "{}")

        def unnested(alias: str) -> str:
            return f"unnest(CAST({rows} AS {row_type}[])) AS {alias}"

        source = RawSource(unnested)
        builder, renderer = self.compiler.builder, self.compiler.renderer
        if function.returns_set:
            expr = renderer.rows(builder.rows(table, args, fields, None, depth=1, source=source), None)
        else:
            expr = renderer.single(builder.single(table, fields, None, depth=1, source=source), None)
        text = self.execute(f"SELECT {self.dialect.as_text(expr)}").scalar()
        return str(text) if text is not None else "null"

    def response(self, table: TrackedTable, fields: _Fields, affected: int, rows: Sequence[str]) -> str:
        parts = []
        for f in self.compiler.sub_fields(fields):
            if f.name == "affected_rows":
                value = str(affected)
            elif f.name == "returning":
                value = "[" + ",".join(rows) + "]"
            elif f.name == "__typename":
                value = f'"{table.graphql_name}_mutation_response"'
            else:
                raise ValidationFailed(
                    f"field \"{f.name}\" not found in type: '{table.graphql_name}_mutation_response'"
                )
            parts.append(orjson.dumps(f.key).decode() + ":" + value)
        return "{" + ",".join(parts) + "}"

    # --- values --------------------------------------------------------------------------------------------
    def coerced_arguments(self, fields: _Fields, root: GraphQLObjectType) -> dict[str, Any]:
        """The root field's arguments with variables substituted (a mutation runs once, it is never cached)."""
        try:
            return get_argument_values(root.fields[fields.name], fields.first, dict(self.variables))
        except GraphQLError as exc:
            raise ValidationFailed(exc.message, f"$.selectionSet.{fields.key}.args") from exc

    def session_value(self, name: str) -> str:
        key = name.lower()
        if key not in self.session:
            raise SessionVariableMissing(key)
        return self.session[key]

    def preset(self, value: Any) -> Any:
        """A permission's ``set`` value: a session variable's value, or the literal."""
        if isinstance(value, str) and value.lower().startswith("x-hasura-"):
            return self.session_value(value)
        return value

    def bind(self, table: TrackedTable, column: str, value: Any) -> str:
        info = table.table.columns[column]
        if value is None:
            return "NULL"
        if (
            isinstance(value, str)
            and info.scalar not in ("String", "json", "jsonb")
            and value.upper() == "NOW()"
        ):
            return "CURRENT_TIMESTAMP"
        marker = self.params.const(value_converter(self.dialect, info.scalar)(value))
        return self.dialect.cast(marker, info.sql_type)

    def execute(self, sql: str) -> sa.CursorResult[Any]:
        text, params = self.params.finish(sql)
        values = tuple(p.resolve(self.variables, self.session) for p in params)
        with mapped_driver_errors(self.connection.info.get("statement_timeout_ms", 0)):
            return self.connection.exec_driver_sql(text, values)

    # --- identities ----------------------------------------------------------------------------------------
    def identity_columns(self, table: TrackedTable) -> list[str]:
        """What finds a written row again: its key, else (a view) all its columns, else ctid/rowid."""
        if table.table.primary_key:
            return list(table.table.primary_key)
        if table.table.is_view:
            return list(table.table.columns)
        return [self.dialect.row_identity]

    def returning_identity(self, table: TrackedTable) -> str:
        pk = table.table.primary_key
        if pk:
            return ", ".join(quote_ident(c) for c in pk)
        if table.table.is_view:
            return ", ".join(quote_ident(c) for c in table.table.columns)
        return self.dialect.row_identity

    def match(self, table: TrackedTable, alias: str, identities: Sequence[Identity]) -> str:
        if not identities:
            return "(1 = 0)"
        columns = self.identity_columns(table)
        alternatives = []
        for identity in identities:
            terms = []
            for column, value in zip(columns, identity, strict=True):
                if column in ("ctid", "rowid"):
                    marker = self.params.const(str(value) if column == "ctid" else value)
                    terms.append(
                        f"{alias}.{column} = " + (f"CAST({marker} AS tid)" if column == "ctid" else marker)
                    )
                elif table.table.primary_key:
                    terms.append(f"{alias}.{quote_ident(column)} = {self.bind(table, column, value)}")
                else:  # a view's row by all its columns: nulls match, json compared as jsonb
                    left, right = f"{alias}.{quote_ident(column)}", self.bind(table, column, value)
                    if table.table.columns[column].scalar == "json":
                        left, right = f"CAST({left} AS jsonb)", f"CAST({right} AS jsonb)"
                    terms.append(f"{left} IS NOT DISTINCT FROM {right}")
            alternatives.append("(" + " AND ".join(terms) + ")")
        return "(" + " OR ".join(alternatives) + ")"

    def matcher(self, table: TrackedTable, identity: Identity) -> Callable[[str], list[str]]:
        def conditions(alias: str) -> list[str]:
            return [self.match(table, alias, [identity])]

        return conditions

    def source(self, table: TrackedTable, alias: str) -> str:
        return f"{self.dialect.qualified(table.table.schema, table.table.name)} AS {alias}"

    def read_rows(self, table: TrackedTable, fields: _Fields, identities: Sequence[Identity]) -> list[str]:
        """Each identified row as JSON text (in order), through the role's select permission."""
        if not identities or table.select_permission(self.role) is None:
            return []
        columns = [
            self.dialect.as_text(self.returned_row(table, identity, fields)) for identity in identities
        ]
        row = self.execute("SELECT " + ", ".join(columns)).one()
        return [value for value in row if value not in (None, "null")]

    def returned_row(self, table: TrackedTable, identity: Identity, fields: _Fields) -> str:
        """One affected row as a JSON object: the role's columns, but not its row filter (Hasura returns
        every row the mutation touched); relationships read inside it keep their filters."""
        select = self.compiler.builder.single(table, fields, None, depth=1, role=ADMIN)
        return self.compiler.renderer.single(select, None, extra=self.matcher(table, identity))

    def check(
        self,
        table: TrackedTable,
        check: Mapping[str, Any] | None,
        identities: Sequence[Identity],
        path: str,
    ) -> None:
        """Fail the request when a changed row does not satisfy the permission's ``check``."""
        if not check or not identities:
            return
        alias = self.compiler.alias("_c")
        condition = self.where.permission(dict(check), table, alias)
        sql = f"SELECT count(*) FROM {self.source(table, alias)} WHERE {self.match(table, alias, identities)} AND NOT ({condition})"
        if self.execute(sql).scalar_one():
            raise PermissionDenied(CHECK_FAILED, path)

    # --- insert --------------------------------------------------------------------------------------------
    def insert(self, plan: InsertPlan) -> tuple[list[Identity], int]:
        self.inserted = 0
        identities = []
        for row in plan.rows:
            inserted = self.insert_row(row, plan.on_conflict, {}, plan.path)
            if inserted is not None:
                identities.append(self.identity_of(plan.table, inserted))
        return identities, self.inserted

    def identity_of(self, table: TrackedTable, row: Row) -> Identity:
        return tuple(row[c] for c in self.identity_columns(table))

    def insert_row(
        self, item: InsertRow, on_conflict: OnConflict | None, fixed: Mapping[str, Any], check_path: str
    ) -> Row | None:
        """Insert one object: the rows it refers to first, then it, then the rows that refer to it."""
        table, path = item.table, item.path
        permission = insert_permission(table, self.role)
        if permission is None:
            raise ValidationFailed(f'no insert permission on table "{table.table.name}"', path)
        allowed = set(insertable_columns(table, permission))
        values: dict[str, Any] = {}
        for parent in item.parents:
            for local, _remote in parent.relationship.mapping:
                if local in item.given or local in fixed:
                    raise ValidationFailed(
                        f'cannot insert object relationship "{parent.name}" as "{local}" column values are already determined',
                        parent.path,
                    )
            inserted = self.insert_row(parent.rows[0], parent.on_conflict, {}, check_path)
            if inserted is None:
                continue
            for local, remote_column in parent.relationship.mapping:
                values[local] = inserted[remote_column]
        for key, value in item.values:
            if key not in allowed:
                raise ValidationFailed(
                    f"field \"{key}\" not found in type: '{table.graphql_name}_insert_input'",
                    f"{path}.{key}",
                )
            values[key] = value
        values.update(fixed)
        for key, value in permission.set.items():
            values[key] = self.preset(value)
        hook = self.insert_hooks.get(table.table.name)
        if hook is not None:
            values = hook(self.connection, values, self.session)
        self.planner.check_values(table, values, path)
        alias = self.compiler.alias("_i")
        target = self.source(table, alias)
        if values:
            names = ", ".join(quote_ident(c) for c in values)
            binds = ", ".join(self.bind(table, c, v) for c, v in values.items())
            sql = f"INSERT INTO {target} ({names}) VALUES ({binds})"
        else:
            sql = self.dialect.insert_defaults(target, upsert=on_conflict is not None)
        if on_conflict is not None:
            sql += self.on_conflict_clause(table, alias, on_conflict)
        returning = (
            "*" if table.table.primary_key or table.table.is_view else f"*, {self.returning_identity(table)}"
        )
        row = self.execute(f"{sql} RETURNING {returning}").mappings().first()
        if row is None:
            return None
        self.inserted += 1
        self.check(table, permission.check, [self.identity_of(table, row)], check_path)
        for related in item.children:
            child_fixed = {remote_column: row[local] for local, remote_column in related.relationship.mapping}
            for child in related.rows:
                clash = [c for c in child_fixed if c in child.given]
                if clash:
                    raise ValidationFailed(
                        f'cannot insert "{", ".join(clash)}" columns as their values are already being determined '
                        "by parent insert",
                        child.path,
                    )
                self.insert_row(child, related.on_conflict, child_fixed, check_path)
        return row

    def on_conflict_clause(self, table: TrackedTable, alias: str, on_conflict: OnConflict) -> str:
        constraint = on_conflict.constraint
        columns = table.table.unique_constraints.get(constraint)
        if columns is None:
            raise ValidationFailed(f'unexpected constraint "{constraint}"')
        target = self.dialect.on_conflict_target(constraint, columns)
        update_columns = on_conflict.update_columns
        if "_PLACEHOLDER" in update_columns:
            raise ValidationFailed("erroneous column name", f"{self.compiler.path}.args.on_conflict")
        if not update_columns:
            return f"{target} DO NOTHING"
        repeated = sorted({c for c in update_columns if update_columns.count(c) > 1})
        if repeated:
            # PostgreSQL would refuse "multiple assignments to same column"; say so before it runs.
            listed = ", ".join(f'"{c}"' for c in repeated)
            raise ValidationFailed(
                f"update_columns lists {listed} more than once",
                f"{self.compiler.path}.args.on_conflict.update_columns",
            )
        permission = update_permission(table, self.role)
        if permission is None:
            raise ValidationFailed(f'no update permission on table "{table.table.name}"')
        # A column the permission presets is set to the preset, not to the inserted value.
        assignments = [
            f"{quote_ident(c)} = excluded.{quote_ident(c)}" for c in update_columns if c not in permission.set
        ]
        assignments += [
            f"{quote_ident(c)} = {self.bind(table, c, self.preset(v))}" for c, v in permission.set.items()
        ]
        conditions = []
        if permission.filter:
            conditions.append(self.where.permission(permission.filter, table, alias))
        if on_conflict.where is not None:
            conditions.append(self.where.render(on_conflict.where, alias))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"{target} DO UPDATE SET {', '.join(assignments)}{where}"

    # --- update --------------------------------------------------------------------------------------------
    def update(self, plan: UpdatePlan) -> list[Identity]:
        table = plan.table
        permission = update_permission(table, self.role)
        assert permission is not None
        assignments = self.assignments(table, plan.assignments)
        for column, value in permission.set.items():
            assignments.append(f"{quote_ident(column)} = {self.bind(table, column, self.preset(value))}")
        alias = self.compiler.alias("_u")
        conditions = self.row_conditions(table, alias, plan.rows, permission.filter)
        if not assignments:
            return []  # nothing to set: Hasura changes no row
        sql = (
            f"UPDATE {self.source(table, alias)} SET {', '.join(assignments)} WHERE {conditions} "
            f"RETURNING {self.returning_identity(table)}"
        )
        identities = [tuple(r) for r in self.execute(sql).all()]
        self.check(table, permission.check, identities, "$")
        hook = self.update_hooks.get(table.table.name)
        if hook is not None and identities:
            hook(self.connection, identities, dict(plan.assignments.set), self.session)
        return identities

    def assignments(self, table: TrackedTable, given: Assignments) -> list[str]:
        out = [f"{quote_ident(c)} = {self.bind(table, c, v)}" for c, v in given.set]
        out += [f"{quote_ident(c)} = {quote_ident(c)} + {self.bind(table, c, v)}" for c, v in given.inc]
        for op, column, value in given.jsonb:
            jsonb = op in ("_append", "_prepend")
            operand = self.bind(table, column, value) if jsonb else self.params.const(value)
            out.append(JSONB_UPDATE_SQL[op].format(column=quote_ident(column), operand=operand))
        return out

    def update_many(
        self, table: TrackedTable, updates: Sequence[Mapping[str, Any]], fields: _Fields, path: str
    ) -> str:
        """``update_T_many``: the updates in order in the mutation's transaction, each seeing the ones before
        it, each answered like ``update_T`` with its ``returning`` rows as they stand right after it."""
        returning = [f for f in self.compiler.sub_fields(fields) if f.name == "returning"]
        answers = []
        for index, one in enumerate(updates):
            identities = self.update(self.planner.update(table, one, False, f"{path}.updates[{index}]"))
            rows = self.read_rows(table, returning[0], identities) if returning else []
            answers.append(self.response(table, fields, len(identities), rows))
        return "[" + ",".join(answers) + "]"

    def qualified_identity(self, table: TrackedTable, alias: str) -> str:
        return ", ".join(
            f"{alias}.{quote_ident(c) if c not in ('ctid', 'rowid') else c}"
            for c in self.identity_columns(table)
        )

    def row_conditions(
        self, table: TrackedTable, alias: str, rows: ChosenRows, permission_filter: Any
    ) -> str:
        conditions = []
        if rows.key is not None:
            for column, value in rows.key:
                conditions.append(f"{alias}.{quote_ident(column)} = {self.bind(table, column, value)}")
        elif rows.where is not None:
            conditions.append(self.where.render(rows.where, alias))
        if permission_filter:
            conditions.append(self.where.permission(permission_filter, table, alias))
        return " AND ".join(conditions) if conditions else "(1 = 1)"

    # --- delete --------------------------------------------------------------------------------------------
    def delete(self, plan: DeletePlan, fields: _Fields) -> tuple[list[Identity], list[str]]:
        table = plan.table
        permission = delete_permission(table, self.role)
        assert permission is not None
        alias = self.compiler.alias("_d")
        conditions = self.row_conditions(table, alias, plan.rows, permission.filter)
        identities = [
            tuple(r)
            for r in self.execute(
                f"SELECT {self.qualified_identity(table, alias)} FROM {self.source(table, alias)} WHERE {conditions}"
            ).all()
        ]
        if plan.rows.key is not None:
            returned = self.read_rows(table, fields, identities)
        else:
            returning = [f for f in self.compiler.sub_fields(fields) if f.name == "returning"]
            returned = self.read_rows(table, returning[0], identities) if returning else []
        if identities:
            target = self.compiler.alias("_d")
            self.execute(
                f"DELETE FROM {self.source(table, target)} WHERE {self.match(table, target, identities)}"
            )
        return identities, returned


# --- database errors ---------------------------------------------------------------------------------------


def run_mutation(
    engine: sa.Engine,
    model: Model,
    role_schema: RoleSchema,
    dialect: Dialect,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    session: Mapping[str, str],
    options: CompileOptions,
    operation: OperationDefinitionNode,
    insert_hooks: Mapping[str, InsertHook] | None = None,
    statement_timeout_ms: int | None = None,
    value_checks: ValueChecks | None = None,
    update_hooks: Mapping[str, UpdateHook] | None = None,
) -> str:
    """Run a mutation operation in one transaction (the write lock taken up front on SQLite); ``data`` JSON.
    On PostgreSQL each statement is bounded by ``statement_timeout_ms``, like queries."""
    with mapped_driver_errors(statement_timeout_ms or 0), engine.connect() as connection:
        connection.info["sqlite_begin"] = "BEGIN IMMEDIATE"
        with connection.begin():
            dialect.begin_write(connection, statement_timeout_ms)
            runner = MutationRunner(
                model,
                role_schema,
                role_schema.mutation_fields,
                dialect,
                fragments,
                variables,
                session,
                options,
                connection,
                insert_hooks,
                value_checks,
                update_hooks,
            )
            return runner.run(operation)
