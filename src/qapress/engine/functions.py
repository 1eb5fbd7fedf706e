"""Tracked functions: PostgreSQL functions returning rows of a tracked table, queried like the table.

``search_tracks(args: {search: "up"}, where: ..., limit: ...)`` reads ``search_tracks(search => 'up')`` with
the role's select permission on the returned table; arguments are passed by name, so those with defaults
may be left out. A ``session_argument`` receives the session variables as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from qapress.engine.catalog import Column, scalar_name
from qapress.engine.dialects import quote_ident
from qapress.engine.errors import MetadataError
from qapress.engine.metadata import FunctionDef
from qapress.engine.params import ParamCollector
from qapress.engine.pg_functions import read_pg_functions


@dataclass(frozen=True)
class TrackedFunction:
    name: str
    schema: str
    function: str
    #: Arguments the query may give, as columns (for their type), in declaration order.
    inputs: tuple[Column, ...]
    session_argument: str | None
    returns: tuple[str, str]

    def call(self, args: dict[str, Any], params: ParamCollector) -> str:
        """``"schema"."function"(name => value, ...)`` for the arguments given (and the session)."""
        parts = [
            f"{quote_ident(c.name)} => {params.value(args[c.name], c)}" for c in self.inputs if c.name in args
        ]
        if self.session_argument is not None:
            parts.append(f"{quote_ident(self.session_argument)} => CAST({params.session_json()} AS json)")
        return f"{quote_ident(self.schema)}.{quote_ident(self.function)}({', '.join(parts)})"


def resolve_function(engine: Engine, definition: FunctionDef) -> TrackedFunction:
    where = f'function "{definition.function.name}"'
    if engine.dialect.name != "postgresql":
        raise MetadataError(f"{where}: tracked functions need PostgreSQL")
    rows = read_pg_functions(engine, definition.function.schema, definition.function.name)
    if len(rows) != 1:
        raise MetadataError(f"{where}: expected one such function, found {len(rows)}")
    returns_set, _return_type, arg_names, arg_types, return_schema, return_table = rows[0]
    if not returns_set or return_table is None:
        raise MetadataError(f"{where}: a tracked function must return SETOF a tracked table")
    names = list(arg_names or [])
    inputs = []
    for index, type_name in enumerate(arg_types or []):
        name = names[index] if index < len(names) else None
        if not name:
            raise MetadataError(f"{where}: every argument needs a name")
        if name != definition.session_argument:
            inputs.append(
                Column(name, scalar_name(str(type_name), "postgresql"), True, sql_type=str(type_name))
            )
    schema = definition.function.schema
    graphql_name = definition.function.name if schema == "public" else f"{schema}_{definition.function.name}"
    return TrackedFunction(
        graphql_name,
        schema,
        definition.function.name,
        tuple(inputs),
        definition.session_argument,
        (str(return_schema), str(return_table)),
    )
