"""What PostgreSQL's catalog says about a function: read once here for computed fields and tracked functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.catalog import scalar_name

_FUNCTIONS = sa.text(
    "SELECT p.proretset, format_type(p.prorettype, NULL), p.proargnames, "
    "ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes::oid[]) AS t), rn.nspname, rc.relname, "
    "p.provolatile, p.pronargdefaults, "
    "ARRAY(SELECT t.typtype::text FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(oid, n) "
    "JOIN pg_type t ON t.oid = a.oid ORDER BY a.n) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_type rt ON rt.oid = p.prorettype "
    "LEFT JOIN pg_class rc ON rc.oid = rt.typrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
    "WHERE n.nspname = :schema AND p.proname = :name"
)


class PgFunction(NamedTuple):
    returns_set: bool
    return_type: str
    arg_names: list[str] | None
    arg_types: list[str]
    return_schema: str | None
    return_table: str | None
    #: ``v`` (VOLATILE), ``s`` (STABLE) or ``i`` (IMMUTABLE).
    volatility: str = "v"
    #: How many of the last arguments have defaults (and may be left out).
    defaults: int = 0
    #: Each argument's ``pg_type.typtype``: ``c`` for a composite (a table's row type), ``b`` base ...
    arg_kinds: Sequence[str] = ()

    def arg_scalar(self, index: int) -> str:
        """The GraphQL scalar of argument ``index``: Hasura's for its type; for a row type, the type's name
        and ``_scalar`` (the table's own name is its object type), given as a row literal ``(1,"Ann")``."""
        type_name = str(self.arg_types[index])
        if index < len(self.arg_kinds) and self.arg_kinds[index] == "c":
            return type_name.rsplit(".", 1)[-1].strip('"') + "_scalar"
        return scalar_name(type_name, "postgresql")


def read_pg_functions(engine: Engine, schema: str, name: str) -> list[PgFunction]:
    """Every overload of ``schema.name`` (callers want exactly one)."""
    with engine.connect() as connection:
        rows = connection.execute(_FUNCTIONS, {"schema": schema, "name": name}).fetchall()
    return [PgFunction(*row) for row in rows]
