"""SQL functions exposed in the schema: computed fields of a table, and tracked functions as root fields.

A computed field is a function taking a row of its table (plus, optionally, the Hasura session as json and
arguments of its own): a scalar one is a column-like field, a ``SETOF <tracked table>`` one is a list of
that table's rows with the usual arguments. A tracked function returning ``SETOF <tracked table>`` is a
root field (and ``<fn>_aggregate``). Only PostgreSQL has such functions; the catalog is read from pg_proc.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.catalog import scalar_name
from qapress.engine.dialects import quote_ident
from qapress.engine.errors import MetadataError
from qapress.engine.metadata import TableName


@dataclass(frozen=True)
class SqlFunction:
    schema: str
    name: str
    arg_names: tuple[str, ...]
    arg_types: tuple[str, ...]
    returns_set: bool
    #: The tracked table whose rows it returns, or None for a scalar function.
    returns_table: tuple[str, str] | None
    #: Hasura's scalar name of a scalar function's result.
    returns_scalar: str

    @property
    def sql_name(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"


@dataclass(frozen=True)
class FunctionArg:
    name: str
    scalar: str
    sql_type: str


@dataclass(frozen=True)
class ComputedField:
    name: str
    function: SqlFunction
    table_argument: str | None
    session_argument: str | None
    #: The arguments a query gives (``args: {...}``), in the function's order.
    inputs: tuple[FunctionArg, ...] = field(default=())

    @property
    def is_table(self) -> bool:
        return self.function.returns_table is not None


def read_functions(engine: Engine, names: list[TableName]) -> dict[tuple[str, str], SqlFunction]:
    """The signatures of the named functions (PostgreSQL only; SQLite has none)."""
    if engine.dialect.name != "postgresql" or not names:
        return {}
    found: dict[tuple[str, str], SqlFunction] = {}
    query = sa.text(
        "SELECT p.proargnames, CAST(CAST(p.proargtypes AS regtype[]) AS text[]), p.proretset, "
        "format_type(p.prorettype, NULL), rn.nspname, r.relname "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_type t ON t.oid = p.prorettype "
        "LEFT JOIN pg_class r ON r.oid = t.typrelid AND r.relkind IN ('r', 'v', 'p', 'm') "
        "LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace "
        "WHERE n.nspname = :schema AND p.proname = :name"
    )
    with engine.connect() as connection:
        for name in names:
            row = connection.execute(query, {"schema": name.schema, "name": name.name}).first()
            if row is None:
                raise MetadataError(f'function "{name.name}" does not exist in schema "{name.schema}"')
            arg_names, arg_types, returns_set, return_type, rel_schema, rel_name = row
            arg_types = tuple(_unquote(t) for t in arg_types or ())
            found[name.key] = SqlFunction(
                name.schema,
                name.name,
                tuple(arg_names or (f"arg_{i}" for i in range(len(arg_types)))),
                arg_types,
                bool(returns_set),
                (rel_schema, rel_name) if rel_name else None,
                scalar_name(str(return_type), "postgresql"),
            )
    return found


def computed_field(
    name: str,
    function: SqlFunction,
    table: tuple[str, str],
    table_argument: str | None,
    session_argument: str | None,
) -> ComputedField:
    """A computed field of ``table``; its table argument defaults to the first one, as in Hasura."""
    if table_argument is None:
        candidates = [n for n, t in zip(function.arg_names, function.arg_types, strict=True) if t == table[1]]
        table_argument = (
            candidates[0] if candidates else (function.arg_names[0] if function.arg_names else None)
        )
    inputs = tuple(
        FunctionArg(arg, scalar_name(sql_type, "postgresql"), sql_type)
        for arg, sql_type in zip(function.arg_names, function.arg_types, strict=True)
        if arg not in (table_argument, session_argument)
    )
    return ComputedField(name, function, table_argument, session_argument, inputs)


def tracked_inputs(function: SqlFunction) -> tuple[FunctionArg, ...]:
    return tuple(
        FunctionArg(arg, scalar_name(sql_type, "postgresql"), sql_type)
        for arg, sql_type in zip(function.arg_names, function.arg_types, strict=True)
    )


def call(
    function: SqlFunction,
    bind: dict[str, str],
) -> str:
    """``"schema"."fn"(arg => value, ...)``: every argument by name, from already rendered SQL values."""
    args = ", ".join(f"{quote_ident(name)} => {bind[name]}" for name in function.arg_names if name in bind)
    return f"{function.sql_name}({args})"


def _unquote(type_name: str) -> str:
    return type_name[1:-1].replace('""', '"') if type_name.startswith('"') else type_name


def args_of(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
