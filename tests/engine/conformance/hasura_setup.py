"""Hasura fixture files (``setup.yaml``, ``values_*.yaml`` ...) turned into SQL to run and metadata to apply.

Hasura's own test fixtures are v1 query ``bulk`` operations: PostgreSQL ``run_sql``, ``track_table``,
relationships, permissions, v1 ``insert``. This module plans them without touching a database: it returns
the SQL statements (parameters bound) and the metadata operations, applied to a :class:`HasuraMetadata`
whose ``tables`` list is the Hasura v2 metadata shape that ``Metadata.from_hasura`` reads.

The SQL is PostgreSQL; :class:`~tests.engine.conformance.hasura_sql.SqlTranslator` makes it runnable on the target
database and remembers what it dropped, so that the metadata depending on it is left out here too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .hasura_sql import Dialect, SqlTranslator, quote

#: The v1 query operations that change metadata, by their canonical (non ``pg_``) name.
METADATA_OPS = frozenset(
    {
        "track_table",
        "untrack_table",
        "create_object_relationship",
        "create_array_relationship",
        "drop_relationship",
        "create_select_permission",
        "create_insert_permission",
        "create_update_permission",
        "create_delete_permission",
        "drop_select_permission",
        "drop_insert_permission",
        "drop_update_permission",
        "drop_delete_permission",
        "add_computed_field",
        "drop_computed_field",
        "track_function",
        "untrack_function",
        "add_inherited_role",
        "drop_inherited_role",
    }
)


class FixtureError(Exception):
    """A fixture operation is malformed or unknown; the message names the operation."""


@dataclass(frozen=True)
class SqlStatement:
    """One SQL statement with its bound parameters (``:name`` placeholders)."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetadataOp:
    """One metadata operation, with ``pg_`` prefix removed and table references normalized."""

    type: str
    args: Mapping[str, Any]


@dataclass
class FixturePlan:
    """What a fixture file asks for: SQL to run in order, then metadata operations to apply in order."""

    statements: list[SqlStatement] = field(default_factory=list)
    metadata_ops: list[MetadataOp] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Metadata


def table_ref(value: Any) -> dict[str, str]:
    """``"author"``, ``{name: author}`` or ``{schema, name}``: the ``{schema, name}`` form."""
    if isinstance(value, str):
        return {"schema": "public", "name": value}
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return {"schema": str(value.get("schema", "public")), "name": value["name"]}
    raise FixtureError(f"not a table reference: {value!r}")


@dataclass
class HasuraMetadata:
    """Hasura v2 metadata for one source: tracked tables (the contract with the engine), functions, roles."""

    tables: list[dict[str, Any]] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)
    inherited_roles: list[dict[str, Any]] = field(default_factory=list)

    def find_table(self, ref: Any) -> dict[str, Any] | None:
        wanted = table_ref(ref)
        for entry in self.tables:
            if entry["table"] == wanted:
                return entry
        return None

    def table(self, ref: Any) -> dict[str, Any]:
        entry = self.find_table(ref)
        if entry is None:
            raise FixtureError(f"table {table_ref(ref)} is not tracked")
        return entry

    def apply(self, op: MetadataOp) -> None:
        """Apply one operation, the way Hasura's metadata API would."""
        args = op.args
        if op.type == "track_table":
            if self.find_table(args["table"]) is None:
                self.tables.append({"table": table_ref(args["table"])})
        elif op.type == "untrack_table":
            self.tables = [t for t in self.tables if t["table"] != table_ref(args["table"])]
        elif op.type in ("create_object_relationship", "create_array_relationship"):
            kind = (
                "object_relationships" if op.type == "create_object_relationship" else "array_relationships"
            )
            entry = {"name": args["name"], "using": args["using"]}
            if "comment" in args:
                entry["comment"] = args["comment"]
            self.table(args["table"]).setdefault(kind, []).append(entry)
        elif op.type == "drop_relationship":
            target = self.table(args["table"])
            for kind in ("object_relationships", "array_relationships"):
                if kind in target:
                    target[kind] = [r for r in target[kind] if r["name"] != args["relationship"]]
        elif op.type.startswith("create_") and op.type.endswith("_permission"):
            kind = op.type.removeprefix("create_").removesuffix("_permission") + "_permissions"
            self.table(args["table"]).setdefault(kind, []).append(
                {"role": args["role"], "permission": args["permission"]}
            )
        elif op.type.startswith("drop_") and op.type.endswith("_permission"):
            kind = op.type.removeprefix("drop_").removesuffix("_permission") + "_permissions"
            target = self.table(args["table"])
            target[kind] = [p for p in target.get(kind, []) if p["role"] != args["role"]]
        elif op.type == "add_computed_field":
            entry = {"name": args["name"], "definition": args["definition"]}
            self.table(args["table"]).setdefault("computed_fields", []).append(entry)
        elif op.type == "drop_computed_field":
            target = self.table(args["table"])
            target["computed_fields"] = [
                c for c in target.get("computed_fields", []) if c["name"] != args["name"]
            ]
        elif op.type == "track_function":
            self.functions.append({"function": table_ref(args["function"])})
        elif op.type == "untrack_function":
            self.functions = [f for f in self.functions if f["function"] != table_ref(args["function"])]
        elif op.type == "add_inherited_role":
            self.inherited_roles.append({"role_name": args["role_name"], "role_set": list(args["role_set"])})
        elif op.type == "drop_inherited_role":
            self.inherited_roles = [r for r in self.inherited_roles if r["role_name"] != args["role_name"]]
        else:
            raise FixtureError(f"unknown metadata operation {op.type!r}")

    def clear(self) -> None:
        self.tables.clear()
        self.functions.clear()
        self.inherited_roles.clear()


def _normalize_args(op_type: str, raw: Any) -> dict[str, Any]:
    """Every form a fixture writes an operation's table in, as ``{table: {schema, name}, ...}``."""
    if op_type in ("track_table", "untrack_table"):
        if isinstance(raw, str):
            return {"table": table_ref(raw)}
        if "table" in raw:
            return {**raw, "table": table_ref(raw["table"])}
        return {"table": table_ref(raw)}
    if op_type in ("track_function", "untrack_function"):
        function = raw.get("function", raw) if isinstance(raw, Mapping) else raw
        return {"function": table_ref(function)}
    args = copy.deepcopy(dict(raw))
    if "table" in args:
        args["table"] = table_ref(args["table"])
    using = args.get("using")
    if isinstance(using, dict):
        fkey = using.get("foreign_key_constraint_on")
        if isinstance(fkey, dict) and "table" in fkey:
            fkey["table"] = table_ref(fkey["table"])
        manual = using.get("manual_configuration")
        if isinstance(manual, dict) and "remote_table" in manual:
            manual["remote_table"] = table_ref(manual["remote_table"])
    return args


# ---------------------------------------------------------------------------------------------------------
# Fixture files


def fixture_operations(document: Any) -> Iterator[tuple[str, Any]]:
    """The operations of a fixture document: a ``bulk`` list or a single operation."""
    if document is None:
        return
    if isinstance(document, Mapping) and document.get("type") == "bulk":
        for op in document.get("args") or []:
            yield from fixture_operations(op)
        return
    if not isinstance(document, Mapping) or "type" not in document:
        raise FixtureError(f"not a v1 query operation: {str(document)[:200]!r}")
    yield str(document["type"]), document.get("args")


def _insert_value(value: Any, dialect: Dialect) -> Any:
    """A v1 ``insert`` value as a parameter; on PostgreSQL as text, which casts to any type (money too)."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if dialect == "sqlite" or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _insert_statements(args: Mapping[str, Any], translator: SqlTranslator) -> list[SqlStatement]:
    table = table_ref(args["table"])
    if table["name"] in translator.dropped_tables:
        return []
    skipped = translator.dropped_columns.get(table["name"], set())
    statements = []
    for row in args.get("objects") or []:
        columns = [c for c in row if c not in skipped]
        params = {f"p{i}": _insert_value(row[c], translator.dialect) for i, c in enumerate(columns)}
        target = (
            quote(table["name"])
            if translator.dialect == "sqlite"
            else f"{quote(table['schema'])}.{quote(table['name'])}"
        )
        if columns:
            names = ", ".join(quote(c) for c in columns)
            values = ", ".join(f":p{i}" for i in range(len(columns)))
            statements.append(SqlStatement(f"INSERT INTO {target} ({names}) VALUES ({values})", params))
        else:
            statements.append(SqlStatement(f"INSERT INTO {target} DEFAULT VALUES"))
    return statements


def _strip_columns(permission: dict[str, Any], dropped: set[str], functions: set[str]) -> dict[str, Any]:
    result = dict(permission)
    if isinstance(result.get("columns"), list):
        result["columns"] = [c for c in result["columns"] if c not in dropped]
    if "computed_fields" in result and functions:
        result.pop("computed_fields")
    return result


def _keep_metadata_op(op: MetadataOp, translator: SqlTranslator) -> bool:
    """False for an operation on something the translation dropped (a table, a function, a computed field)."""
    args = op.args
    tables = translator.dropped_tables
    if "table" in args and args["table"]["name"] in tables:
        return False
    if op.type == "track_function":
        return args["function"]["name"] not in translator.dropped_functions
    if op.type == "add_computed_field":
        return table_ref(args["definition"]["function"])["name"] not in translator.dropped_functions
    using = args.get("using") or {}
    fkey = using.get("foreign_key_constraint_on")
    if isinstance(fkey, Mapping) and fkey.get("table", {}).get("name") in tables:
        return False
    manual = using.get("manual_configuration")
    return not (isinstance(manual, Mapping) and manual["remote_table"]["name"] in tables)


def plan_fixture(document: Any, translator: SqlTranslator) -> FixturePlan:
    """The SQL and metadata operations of one fixture file, translated for ``translator.dialect``."""
    plan = FixturePlan()
    for raw_type, raw_args in fixture_operations(document):
        op_type = raw_type.removeprefix("pg_")
        if op_type in ("run_sql",):
            plan.statements.extend(SqlStatement(s) for s in translator.translate(raw_args["sql"]))
        elif op_type == "insert":
            plan.statements.extend(_insert_statements(raw_args, translator))
        elif op_type in METADATA_OPS:
            op = MetadataOp(op_type, _normalize_args(op_type, raw_args))
            if not _keep_metadata_op(op, translator):
                continue
            if op_type.endswith("_permission") and "permission" in op.args:
                dropped = translator.dropped_columns.get(op.args["table"]["name"], set())
                permission = _strip_columns(
                    dict(op.args["permission"]), dropped, translator.dropped_functions
                )
                op = MetadataOp(op_type, {**op.args, "permission": permission})
            plan.metadata_ops.append(op)
        else:
            raise FixtureError(f"unsupported fixture operation {raw_type!r}")
    return plan
