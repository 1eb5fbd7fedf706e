"""Hasura's enum tables (``is_enum: true``): a table's rows become the values of a GraphQL enum type.

An enum table has a single-column text primary key (the values) and at most one other text column (each
value's description), and at least one row. Columns that reference it by a foreign key take the enum type.
The values are read when the model is built, so a change to the rows shows after ``reload()``, as in Hasura.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from qapress.engine.catalog import Catalog, Table
from qapress.engine.dialects import dialect_for, quote_ident
from qapress.engine.names import is_graphql_name

#: Names GraphQL does not allow for an enum value, whatever their case elsewhere.
_RESERVED = ("true", "false", "null")


@dataclass(frozen=True)
class EnumValues:
    """The values of one enum table, in the primary key's order, each with its description (or None)."""

    column: str
    values: tuple[tuple[str, str | None], ...]


def enum_shape_problem(table: Table) -> str | None:
    """Why ``table`` cannot be an enum table (Hasura's requirements), or None when it can."""
    if len(table.primary_key) != 1:
        return "the table must have a primary key of exactly one column"
    key = table.primary_key[0]
    if table.columns[key].scalar != "String":
        return f'the primary key column "{key}" must be of type text'
    others = [c for c in table.columns if c != key]
    if len(others) > 1:
        return "the table must have no columns other than the primary key and one description column"
    if others and table.columns[others[0]].scalar != "String":
        return f'the description column "{others[0]}" must be of type text'
    return None


def read_enum_values(
    engine: Engine, catalog: Catalog, keys: Iterable[tuple[str, str]]
) -> tuple[dict[tuple[str, str], EnumValues], list[str]]:
    """Each enum table's values, and the reasons the tables that cannot be enums are inconsistent."""
    found: dict[tuple[str, str], EnumValues] = {}
    problems: list[str] = []
    for key in keys:
        table = catalog.table(*key)
        where = f'table {table.schema}.{table.name}: Inconsistent object: the table "{table.name}" cannot be used as an enum'
        problem = enum_shape_problem(table)
        if problem is not None:
            problems.append(f"{where} because {problem}")
            continue
        column = table.primary_key[0]
        description = next((c for c in table.columns if c != column), None)
        source = dialect_for(catalog.dialect).qualified(table.schema, table.name)
        selected = quote_ident(column) + (f", {quote_ident(description)}" if description else ", NULL")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                f"SELECT {selected} FROM {source} ORDER BY {quote_ident(column)}"
            ).all()
        if not rows:
            problems.append(f"{where} because the table must have at least one row")
            continue
        bad = [str(r[0]) for r in rows if not _valid_value(str(r[0]))]
        if bad:
            problems.append(
                f"{where} because the following values are not valid GraphQL enum value names: "
                + ", ".join(f'"{v}"' for v in bad)
            )
            continue
        found[key] = EnumValues(column, tuple((str(r[0]), r[1]) for r in rows))
    return found, problems


def _valid_value(value: str) -> bool:
    return is_graphql_name(value) and value not in _RESERVED
