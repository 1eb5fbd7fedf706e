"""Computed fields: PostgreSQL functions of a table's row, shown as fields of that table.

A function returning a scalar becomes a scalar field; one returning ``SETOF <tracked table>`` becomes a
list field read like an array relationship. Functions take the row and, optionally, the session
variables as JSON (Hasura's ``session_argument``); other arguments are not supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from qapress.engine.catalog import Column, scalar_name
from qapress.engine.dialects import dialect_for, quote_ident
from qapress.engine.errors import MetadataError
from qapress.engine.metadata import ComputedFieldDef
from qapress.engine.params import ParamCollector
from qapress.engine.pg_functions import read_pg_functions

ROW = "__row"


@dataclass(frozen=True)
class ComputedField:
    name: str
    schema: str
    function: str
    #: The function's arguments in order: ("row" | "session" | "input", name).
    arguments: tuple[tuple[str, str], ...]
    #: The scalar result as a column (for rendering and comparisons), or None for SETOF a table.
    result: Column | None
    #: For SETOF functions: the tracked table whose rows come back.
    returns: tuple[str, str] | None = None
    #: Arguments the query gives in ``args: {...}``, as columns (for their types).
    inputs: tuple[Column, ...] = ()

    def call(self, row: str, params: ParamCollector, args: Mapping[str, object] | None = None) -> str:
        """``"schema"."function"(row[, session][, inputs])``; ``row`` is a table alias or a whole-row column.
        With inputs, arguments go by name so that those with defaults may be left out."""
        given = args or {}
        types = {c.name: c for c in self.inputs}
        parts: list[str] = []
        for kind, name in self.arguments:
            if kind == "row":
                value = row
            elif kind == "session":
                value = f"CAST({params.session_json()} AS json)"
            elif name in given:
                value = params.value(given[name], types[name])
            else:
                continue
            parts.append(f"{quote_ident(name)} => {value}" if self.inputs else value)
        return f"{quote_ident(self.schema)}.{quote_ident(self.function)}({', '.join(parts)})"


def resolve_computed_field(engine: Engine, table: str, definition: ComputedFieldDef) -> ComputedField:
    where = f'computed field "{definition.name}" of table "{table}"'
    if not dialect_for(engine.dialect.name).sql_functions:
        raise MetadataError(f"{where}: computed fields need PostgreSQL functions")
    rows = read_pg_functions(engine, definition.function.schema, definition.function.name)
    if len(rows) != 1:
        raise MetadataError(f'{where}: expected one function "{definition.function.name}", found {len(rows)}')
    found = rows[0]
    returns_set, return_type, arg_names, arg_types, return_schema, return_table = found[:6]
    names = list(arg_names or [])
    arguments: list[tuple[str, str]] = []
    inputs: list[Column] = []
    for index, type_name in enumerate(arg_types or []):
        name = names[index] if index < len(names) else ""
        if definition.session_argument is not None and name == definition.session_argument:
            arguments.append(("session", name))
        elif (definition.table_argument is None and index == 0) or name == definition.table_argument:
            arguments.append(("row", name))
        elif name:
            arguments.append(("input", name))
            inputs.append(Column(name, found.arg_scalar(index), True, sql_type=str(type_name)))
        else:
            raise MetadataError(f"{where}: argument {index + 1} has no name")
    if [kind for kind, _ in arguments].count("row") != 1:
        raise MetadataError(f"{where}: the function must take the table's row exactly once")
    if returns_set:
        if return_table is None:
            raise MetadataError(f"{where}: a set-returning function must return rows of a table")
        return ComputedField(
            definition.name,
            definition.function.schema,
            definition.function.name,
            tuple(arguments),
            None,
            (str(return_schema), str(return_table)),
            tuple(inputs),
        )
    result = Column(
        definition.name, scalar_name(str(return_type), "postgresql"), True, sql_type=str(return_type)
    )
    return ComputedField(
        definition.name,
        definition.function.schema,
        definition.function.name,
        tuple(arguments),
        result,
        inputs=tuple(inputs),
    )
