"""Tracked functions: PostgreSQL functions returning rows of a tracked table, queried like the table.

``search_tracks(args: {search: "up"}, where: ..., limit: ...)`` reads ``search_tracks(search => 'up')`` with
the role's select permission on the returned table; arguments are passed by name, so those with defaults
may be left out. Arguments without a name are Hasura's ``arg_1``, ``arg_2`` ... and go by position. A
``session_argument`` receives the session variables as JSON. A function returning ``SETOF <table>`` is a
list field; one returning ``<table>`` a single (nullable) object. VOLATILE functions are mutations unless
``exposed_as: query``; ``exposed_as: mutation`` makes any function one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from qapress.engine.catalog import Column
from qapress.engine.dialects import dialect_for, quote_ident
from qapress.engine.errors import MetadataError, ValidationFailed
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
    #: SETOF <table> (a list) or <table> (one row).
    returns_set: bool = True
    #: A mutation root field rather than a query one.
    mutation: bool = False
    #: Roles granted the function in the metadata.
    permissions: tuple[str, ...] = ()
    #: Inputs without a name in the catalog (Hasura's arg_1 ...): passed by position.
    positional: frozenset[str] = frozenset()
    #: The function's arguments in declaration order (the session argument included).
    order: tuple[str, ...] = ()
    #: The aggregate root field's name (``<name>_aggregate`` unless renamed).
    aggregate_name: str = ""
    #: The metadata's comment: the root field's description.
    comment: str | None = None

    def call(self, args: Mapping[str, object], params: ParamCollector) -> str:
        """``"schema"."function"(...)`` for the arguments given (and the session): by name, or by position
        when some argument has no name."""
        types = {c.name: c for c in self.inputs}

        def value(name: str) -> str:
            if name == self.session_argument:
                return f"CAST({params.session_json()} AS json)"
            return params.value(args[name], types[name])

        if not self.positional:
            given = [n for n in self.order if n == self.session_argument or n in args]
            parts = [f"{quote_ident(n)} => {value(n)}" for n in given]
        else:
            # By position: every argument up to the last one given; one left out before it is an error.
            last = max(
                (i for i, n in enumerate(self.order) if n in args or n == self.session_argument), default=-1
            )
            for name in self.order[: last + 1]:
                if name not in args and name != self.session_argument:
                    raise ValidationFailed(f'missing argument "{name}" of function "{self.name}"')
            parts = [value(n) for n in self.order[: last + 1]]
        return f"{quote_ident(self.schema)}.{quote_ident(self.function)}({', '.join(parts)})"


def resolve_function(engine: Engine, definition: FunctionDef) -> TrackedFunction:
    where = f'function "{definition.function.name}"'
    if not dialect_for(engine.dialect.name).sql_functions:
        raise MetadataError(f"{where}: tracked functions need PostgreSQL")
    rows = read_pg_functions(engine, definition.function.schema, definition.function.name)
    if len(rows) != 1:
        raise MetadataError(f"{where}: expected one such function, found {len(rows)}")
    found = rows[0]
    if found.return_table is None:
        raise MetadataError(
            f"{where}: a tracked function must return SETOF <table> or <table> of a tracked table"
        )
    names = list(found.arg_names or [])
    inputs = []
    order = []
    positional = set()
    for index, type_name in enumerate(found.arg_types or []):
        name = names[index] if index < len(names) else None
        if not name:
            name = f"arg_{index + 1}"
            positional.add(name)
        order.append(name)
        if name != definition.session_argument:
            inputs.append(Column(name, found.arg_scalar(index), True, sql_type=str(type_name)))
    schema = definition.function.schema
    default_name = definition.custom_name or (
        definition.function.name if schema == "public" else f"{schema}_{definition.function.name}"
    )
    graphql_name = definition.custom_root_fields.get("function", default_name)
    aggregate_name = definition.custom_root_fields.get("function_aggregate", f"{default_name}_aggregate")
    volatile = found.volatility == "v"
    mutation = definition.exposed_as == "mutation" or (definition.exposed_as is None and volatile)
    return TrackedFunction(
        graphql_name,
        schema,
        definition.function.name,
        tuple(inputs),
        definition.session_argument,
        (str(found.return_schema), str(found.return_table)),
        returns_set=bool(found.returns_set),
        mutation=mutation,
        permissions=definition.permissions,
        positional=frozenset(positional),
        order=tuple(order),
        aggregate_name=aggregate_name,
        comment=definition.comment,
    )
