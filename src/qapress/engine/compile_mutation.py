"""Mutations: Hasura's insert/update/delete fields run as parameterised statements in ONE transaction.

Unlike queries, a mutation takes a few statements per field (write, permission check, ``returning``), all
inside the request's transaction: a failed check or constraint rolls back every mutation of the request.
``returning`` rows are read back through the role's select permission, like Hasura does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from graphql import FragmentDefinitionNode, GraphQLObjectType, OperationDefinitionNode

from qapress.engine.boolexp import BoolExpCompiler
from qapress.engine.compile import CompileOptions, OperationCompiler, SelectedField
from qapress.engine.dialects import Dialect, quote_ident
from qapress.engine.errors import (
    BadRequest,
    ConstraintViolation,
    DatabaseError,
    PermissionDenied,
    SessionVariableMissing,
    ValidationFailed,
)
from qapress.engine.model import Model, TrackedTable
from qapress.engine.mutation_schema import delete_permission, insert_permission, update_permission
from qapress.engine.params import ParamCollector
from qapress.engine.permissions import SESSION_PREFIX
from qapress.engine.schema import RoleSchema
from qapress.engine.values import VarRef

#: Called for each row about to be inserted into a table (keyed by table name) inside the transaction;
#: returns the values to insert, or raises an EngineError to refuse the whole request.
InsertHook = Callable[[sa.Connection, dict[str, Any], Mapping[str, str]], dict[str, Any]]

log = logging.getLogger(__name__)

CHECK_FAILED = "check constraint of an insert/update permission has failed"


class MutationRunner:
    def __init__(
        self,
        model: Model,
        role_schema: RoleSchema,
        dialect: Dialect,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        session: Mapping[str, str],
        options: CompileOptions,
        hooks: Mapping[str, InsertHook],
    ) -> None:
        self.model = model
        self.role_schema = role_schema
        self.role = role_schema.role
        self.dialect = dialect
        self.fragments = fragments
        self.variables = variables
        self.session = session
        self.options = options
        self.hooks = hooks
        self.reader = self._compiler()

    def _compiler(self) -> OperationCompiler:
        return OperationCompiler(
            self.model, self.role_schema, self.dialect, self.fragments, self.variables, self.options
        )

    def run(self, operation: OperationDefinitionNode, connection: sa.Connection) -> str:
        """Run every mutation field in order; the response's ``data`` as JSON text."""
        mutation_type = self.role_schema.schema.mutation_type
        assert mutation_type is not None
        parts: list[str] = []
        for fields in self.reader.collect(operation.selection_set):
            if fields.name == "__typename":
                parts.append(f'"{fields.key}":"mutation_root"')
                continue
            root = self.role_schema.mutation_fields[fields.name]
            table = self.model.tracked(root.table)
            args = self._resolve(self.reader.arguments(fields.first, mutation_type.fields[fields.name]))
            path = f"$.selectionSet.{fields.name}.args"
            try:
                value = self._field(root.kind, table, args, fields, connection, path)
            except sa.exc.IntegrityError as exc:
                raise _constraint_error(exc, path) from exc
            except sa.exc.DataError as exc:
                raise BadRequest(
                    "the database rejected a value (wrong format or out of range)", path
                ) from exc
            except sa.exc.SQLAlchemyError as exc:
                log.warning("mutation %s failed: %s", fields.name, exc)
                raise DatabaseError("database query error", path) from exc
            parts.append(f'"{fields.key}":{value}')
        return "{" + ",".join(parts) + "}"

    def _field(
        self,
        kind: str,
        table: TrackedTable,
        args: dict[str, Any],
        fields: SelectedField,
        conn: sa.Connection,
        path: str,
    ) -> str:
        if kind in ("insert", "insert_one"):
            objects = args["objects"] if kind == "insert" else [args["object"]]
            keys = self.insert(table, objects, args.get("on_conflict"), conn, path)
        elif kind in ("update", "update_by_pk"):
            where = args["where"] if kind == "update" else _pk_where(table, args["pk_columns"])
            keys = self.update(table, args.get("_set") or {}, args.get("_inc") or {}, where, conn, path)
        else:
            where = args["where"] if kind == "delete" else _pk_where(table, args)
            keys = self.matching(table, where, conn)
            # Deleted rows are read before they go.
            if kind == "delete_by_pk":
                answer = self.returning(table, keys, fields, conn, single=True)
            else:
                answer = self.response(table, keys, fields, conn)
            self.delete(table, keys, conn)
            return answer
        if kind in ("insert_one", "update_by_pk"):
            return self.returning(table, keys, fields, conn, single=True)
        return self.response(table, keys, fields, conn)

    # --- statements ----------------------------------------------------------------------------------------
    def _run(self, conn: sa.Connection, sql: str, params: ParamCollector) -> list[Any]:
        text, recipe = params.finish(sql)
        values = tuple(p.resolve({}, self.session) for p in recipe)
        result = conn.exec_driver_sql(text, values)
        return list(result.fetchall()) if result.returns_rows else []

    def _where(self, params: ParamCollector) -> BoolExpCompiler:
        counter = iter(range(1, 1_000_000))
        return BoolExpCompiler(self.model, self.role, self.dialect, params, lambda p: f"{p}{next(counter)}")

    def _preset(self, value: Any) -> Any:
        if isinstance(value, str) and value.lower().startswith(SESSION_PREFIX):
            name = value.lower()
            if name not in self.session:
                raise SessionVariableMissing(name)
            return self.session[name]
        return value

    def insert(
        self,
        table: TrackedTable,
        objects: list[dict[str, Any]],
        on_conflict: Any,
        conn: sa.Connection,
        path: str,
    ) -> list[tuple[Any, ...]]:
        permission = insert_permission(table, self.role)
        assert permission is not None
        keys: list[tuple[Any, ...]] = []
        for obj in objects:
            values = dict(obj)
            values.update({column: self._preset(v) for column, v in permission.set.items()})
            hook = self.hooks.get(table.table.name)
            if hook is not None:
                values = hook(conn, values, self.session)
            params = ParamCollector(self.dialect)
            name = quote_ident(table.table.name)
            if values:
                columns = ", ".join(quote_ident(c) for c in values)
                placeholders = ", ".join(params.value(v, table.table.columns[c]) for c, v in values.items())
                sql = f"INSERT INTO {name} AS _t ({columns}) VALUES ({placeholders})"
            else:
                sql = f"INSERT INTO {name} AS _t DEFAULT VALUES"
            if on_conflict is not None:
                sql += self.conflict_clause(table, on_conflict, params)
            sql += f" RETURNING {self._pk_list(table)}"
            keys += [tuple(row) for row in self._run(conn, sql, params)]
        self.check(table, keys, permission.check, conn, f"{path}.objects")
        return keys

    def conflict_clause(
        self, table: TrackedTable, on_conflict: dict[str, Any], params: ParamCollector
    ) -> str:
        columns = table.table.unique_constraints[on_conflict["constraint"]]
        target = ", ".join(quote_ident(c) for c in columns)
        updates = on_conflict.get("update_columns") or []
        if not updates:
            return f" ON CONFLICT ({target}) DO NOTHING"
        assignments = ", ".join(f"{quote_ident(c)} = excluded.{quote_ident(c)}" for c in updates)
        clause = f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
        conditions = []
        permission = update_permission(table, self.role)
        if permission is not None and permission.filter:
            conditions.append(self._where(params).permission(permission.filter, table, "_t"))
        if on_conflict.get("where"):
            conditions.append(self._where(params).compile(on_conflict["where"], table, "_t"))
        if conditions:
            clause += " WHERE " + " AND ".join(conditions)
        return clause

    def update(
        self,
        table: TrackedTable,
        set_: dict[str, Any],
        inc: dict[str, Any],
        where: Any,
        conn: sa.Connection,
        path: str,
    ) -> list[tuple[Any, ...]]:
        permission = update_permission(table, self.role)
        assert permission is not None
        values = dict(set_)
        values.update({column: self._preset(v) for column, v in permission.set.items()})
        if not values and not inc:
            return self.matching(table, where, conn)
        params = ParamCollector(self.dialect)
        assignments = [
            f"{quote_ident(c)} = {params.value(v, table.table.columns[c])}" for c, v in values.items()
        ]
        assignments += [
            f"{quote_ident(c)} = {quote_ident(c)} + {params.value(v, table.table.columns[c])}"
            for c, v in inc.items()
        ]
        conditions = [self._where(params).compile(where, table, "_t")]
        if permission.filter:
            conditions.append(self._where(params).permission(permission.filter, table, "_t"))
        sql = (
            f"UPDATE {quote_ident(table.table.name)} AS _t SET {', '.join(assignments)} "
            f"WHERE {' AND '.join(conditions)} RETURNING {self._pk_list(table)}"
        )
        keys = [tuple(row) for row in self._run(conn, sql, params)]
        if permission.check:
            self.check(table, keys, permission.check, conn, path)
        return keys

    def matching(self, table: TrackedTable, where: Any, conn: sa.Connection) -> list[tuple[Any, ...]]:
        """Keys of the rows a delete (or an empty update) would touch, as the role may see them."""
        params = ParamCollector(self.dialect)
        conditions = [self._where(params).compile(where, table, "_t")]
        permission = delete_permission(table, self.role) or update_permission(table, self.role)
        if permission is not None and permission.filter:
            conditions.append(self._where(params).permission(permission.filter, table, "_t"))
        lock = " FOR UPDATE" if self.dialect.name == "postgresql" else ""
        sql = (
            f"SELECT {self._pk_list(table)} FROM {quote_ident(table.table.name)} AS _t "
            f"WHERE {' AND '.join(conditions)}{lock}"
        )
        return [tuple(row) for row in self._run(conn, sql, params)]

    def delete(self, table: TrackedTable, keys: list[tuple[Any, ...]], conn: sa.Connection) -> None:
        for key in keys:
            params = ParamCollector(self.dialect)
            sql = (
                f"DELETE FROM {quote_ident(table.table.name)} WHERE {self._pk_match(table, key, params, '')}"
            )
            self._run(conn, sql, params)

    def check(
        self, table: TrackedTable, keys: list[tuple[Any, ...]], check: Any, conn: sa.Connection, path: str
    ) -> None:
        if not check:
            return
        for key in keys:
            params = ParamCollector(self.dialect)
            condition = self._where(params).permission(check, table, "_t")
            sql = (
                f"SELECT 1 FROM {quote_ident(table.table.name)} AS _t "
                f"WHERE {self._pk_match(table, key, params)} "
                f"AND (CASE WHEN {condition} THEN 1 ELSE 0 END) = 0"
            )
            if self._run(conn, sql, params):
                raise PermissionDenied(CHECK_FAILED, path)

    # --- output --------------------------------------------------------------------------------------------
    def returning(
        self,
        table: TrackedTable,
        keys: list[tuple[Any, ...]],
        fields: SelectedField,
        conn: sa.Connection,
        single: bool,
    ) -> str:
        rows = []
        for key in keys:
            compiler = self._compiler()
            pk = dict(zip(table.table.primary_key, key, strict=True))
            expr = compiler.by_pk(table, pk, fields)
            sql, recipe = compiler.params.finish(f"SELECT {self.dialect.as_text(expr)}")
            values = tuple(p.resolve({}, self.session) for p in recipe)
            text = conn.exec_driver_sql(sql, values).scalar()
            if text is not None and text != "null":
                rows.append(str(text))
        if single:
            return rows[0] if rows else "null"
        return "[" + ",".join(rows) + "]"

    def response(
        self, table: TrackedTable, keys: list[tuple[Any, ...]], fields: SelectedField, conn: sa.Connection
    ) -> str:
        """``{affected_rows, returning}`` in selection order, as JSON text."""
        response_type = self.role_schema.schema.get_type(f"{table.graphql_name}_mutation_response")
        assert isinstance(response_type, GraphQLObjectType)
        parts = []
        for f in self.reader.sub_fields(fields):
            if f.name == "__typename":
                parts.append(f'"{f.key}":"{response_type.name}"')
            elif f.name == "affected_rows":
                parts.append(f'"{f.key}":{len(keys)}')
            elif f.name == "returning":
                parts.append(f'"{f.key}":{self.returning(table, keys, f, conn, single=False)}')
        return "{" + ",".join(parts) + "}"

    def _pk_list(self, table: TrackedTable) -> str:
        if not table.table.primary_key:
            raise ValidationFailed(f'table "{table.table.name}" has no primary key: mutations need one')
        return ", ".join(quote_ident(c) for c in table.table.primary_key)

    def _pk_match(
        self, table: TrackedTable, key: tuple[Any, ...], params: ParamCollector, alias: str = "_t"
    ) -> str:
        prefix = f"{alias}." if alias else ""
        return " AND ".join(
            f"{prefix}{quote_ident(c)} = {params.value(v, table.table.columns[c])}"
            for c, v in zip(table.table.primary_key, key, strict=True)
        )

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, VarRef):
            return self.variables.get(value.name)
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        return value


def _pk_where(table: TrackedTable, pk: dict[str, Any]) -> dict[str, Any]:
    return {column: {"_eq": pk[column]} for column in table.table.primary_key}


def _constraint_error(exc: sa.exc.IntegrityError, path: str) -> ConstraintViolation:
    """A fixed message per kind of violation: the database's own text stays in the log."""
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        message = "Uniqueness violation. duplicate key value violates unique constraint"
    elif "foreign key" in text:
        message = "Foreign key violation. insert or update on table violates foreign key constraint"
    elif "not null" in text or "null value" in text:
        message = "Not-NULL violation. null value in column violates not-null constraint"
    elif "check" in text:
        message = "Check constraint violation. new row violates check constraint"
    else:
        message = "constraint violation"
    return ConstraintViolation(message, path)
