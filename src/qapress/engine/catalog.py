"""What the live database says about the tracked tables: columns, types, keys and constraints.

The GraphQL schema and the SQL compiler both read this catalog, never the database directly, so a
``reload()`` after DDL is one fresh call to :func:`read_catalog`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine.dialects import DELETE, INSERT, UPDATE, dialect_for
from qapress.engine.errors import MetadataError


@dataclass(frozen=True)
class Column:
    name: str
    #: Hasura's scalar name for the column's type (``Int``, ``String``, ``bigint``, ``timestamptz`` ...).
    scalar: str
    nullable: bool
    has_default: bool = False
    #: The database's type name without length or precision (``VARCHAR``, ``TIMESTAMP WITH TIME ZONE``),
    #: what parameters are cast to on PostgreSQL.
    sql_type: str = "TEXT"
    #: The declared length of a character type (``VARCHAR(200)`` -> 200), None when it has none.
    max_length: int | None = None
    #: PostgreSQL's ``COMMENT ON COLUMN``: the field's description in the schema.
    comment: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    remote_schema: str
    remote_table: str
    remote_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    #: Unique constraints by PostgreSQL-style name (``<table>_pkey``, ``<table>_<col>_key``).
    unique_constraints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Whether rows can be inserted, updated, deleted: False for a view PostgreSQL cannot write through
    #: (no insert_/update_/delete_ fields for it, as in Hasura).
    insertable: bool = True
    updatable: bool = True
    deletable: bool = True
    #: PostgreSQL's ``COMMENT ON TABLE``: the object type's description in the schema.
    comment: str | None = None
    #: A view (PostgreSQL): no ctid, so rows written through it are found again by all their columns.
    is_view: bool = False

    def column(self, name: str) -> Column:
        return self.columns[name]


@dataclass(frozen=True)
class Catalog:
    dialect: str
    tables: dict[tuple[str, str], Table]

    def table(self, schema: str, name: str) -> Table:
        try:
            return self.tables[(schema, name)]
        except KeyError:
            raise MetadataError(f'table "{name}" does not exist in schema "{schema}"') from None


# Hasura's names for PostgreSQL types; SQLite's declared types map onto the same names below.
_PG_SCALARS = {
    "integer": "Int",
    "int": "Int",
    "int4": "Int",
    "serial": "Int",
    "smallint": "smallint",
    "int2": "smallint",
    "bigint": "bigint",
    "int8": "bigint",
    "bigserial": "bigint",
    "text": "String",
    "varchar": "String",
    "character varying": "String",
    "citext": "citext",
    "char": "bpchar",
    "character": "bpchar",
    "bpchar": "bpchar",
    "boolean": "Boolean",
    "bool": "Boolean",
    "double precision": "float8",
    "float8": "float8",
    "real": "Float",  # Hasura names single precision by the GraphQL builtin, double precision float8
    "float4": "Float",
    "float": "float8",
    "numeric": "numeric",
    "decimal": "numeric",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "timestamptz": "timestamptz",
    "timestamp without time zone": "timestamp",
    "timestamp": "timestamp",
    "datetime": "timestamptz",
    "time without time zone": "time",
    "time": "time",
    "time with time zone": "timetz",
    "timetz": "timetz",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "bytea": "bytea",
}


def scalar_name(declared: str, dialect: str) -> str:
    """Hasura's scalar name for a declared SQL type (``VARCHAR(20)`` -> ``String``)."""
    base = re.sub(r"\([^)]*\)", "", declared.lower()).strip()
    sql = dialect_for(dialect)
    if base == "json":
        return sql.json_scalar
    if base in _PG_SCALARS:
        return _PG_SCALARS[base]
    return sql.other_scalar(base)


def read_catalog(engine: Engine, tables: Iterable[tuple[str, str]]) -> Catalog:
    """Read the given (schema, table) pairs from the live database."""
    dialect = engine.dialect.name
    sql = dialect_for(dialect)
    inspector = sa.inspect(engine)
    found: dict[tuple[str, str], Table] = {}
    for schema, name in tables:
        db_schema = sql.reflected_schema(schema)
        if not inspector.has_table(name, schema=db_schema):
            raise MetadataError(f'table "{name}" does not exist in schema "{schema}"')
        columns: dict[str, Column] = {}
        declared_types = sql.declared_types(engine, schema, name)
        for info in inspector.get_columns(name, schema=db_schema):
            declared = declared_types.get(info["name"]) or _declared_type(info["type"], engine)
            columns[info["name"]] = Column(
                name=info["name"],
                scalar=scalar_name(declared, dialect),
                nullable=bool(info.get("nullable", True)),
                has_default=info.get("default") is not None or bool(info.get("autoincrement") is True),
                sql_type=_base_type(declared),
                max_length=declared_length(declared),
                comment=info.get("comment"),
            )
        pk = tuple(inspector.get_pk_constraint(name, schema=db_schema).get("constrained_columns") or ())
        fks = tuple(
            ForeignKey(
                name=fk.get("name") or f"{name}_{'_'.join(fk['constrained_columns'])}_fkey",
                columns=tuple(fk["constrained_columns"]),
                remote_schema=fk.get("referred_schema") or "public",
                remote_table=fk["referred_table"],
                remote_columns=tuple(fk["referred_columns"]),
            )
            for fk in inspector.get_foreign_keys(name, schema=db_schema)
        )
        uniques: dict[str, tuple[str, ...]] = {}
        if pk:
            uniques[f"{name}_pkey"] = pk
        for unique in inspector.get_unique_constraints(name, schema=db_schema):
            cols = tuple(c for c in unique["column_names"] if c is not None)
            uniques[unique.get("name") or f"{name}_{'_'.join(cols)}_key"] = cols
        for key, cols in sql.implicit_uniques(inspector, name).items():
            uniques.setdefault(key, cols)
        writable = sql.writable(engine, schema, name)
        found[(schema, name)] = Table(
            schema,
            name,
            columns,
            pk,
            fks,
            uniques,
            insertable=bool(writable & INSERT),
            updatable=bool(writable & UPDATE),
            deletable=bool(writable & DELETE),
            comment=sql.table_comment(inspector, schema, name),
            is_view=sql.is_view(engine, schema, name),
        )
    return Catalog(dialect, found)


def _declared_type(type_: object, engine: Engine) -> str:
    try:
        return str(type_.compile(dialect=engine.dialect))  # type: ignore[attr-defined]
    except Exception:
        return type(type_).__name__


def declared_length(declared: str) -> int | None:
    """The length of ``VARCHAR(200)`` or ``character varying(200)``; None for other types and for ``TEXT``."""
    match = re.fullmatch(r"[^(]*char[^(]*\(\s*(\d+)\s*\)\s*", declared.lower())
    return int(match.group(1)) if match else None


def read_table_rows(
    engine: Engine, tables: Iterable[tuple[str, str]], bound: int
) -> dict[tuple[str, str], int]:
    """How many rows each table holds, counted up to ``bound`` (beyond it, the database's own estimate):
    what the cost estimate uses for a list nothing else bounds. A table that cannot be counted is left out."""
    rows: dict[tuple[str, str], int] = {}
    sql = dialect_for(engine.dialect.name)
    with engine.connect() as connection:
        for schema, name in tables:
            quoted = sql.qualified(schema, name)
            try:
                counted = connection.exec_driver_sql(
                    f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT {int(bound) + 1}) AS _n"
                ).scalar_one()
                if counted > bound:
                    counted = max(counted, sql.estimated_rows(connection, schema, name, quoted))
            except sa.exc.SQLAlchemyError:
                connection.rollback()
                continue
            rows[(schema, name)] = int(counted)
    return rows


def _base_type(declared: str) -> str:
    return re.sub(r"\([^)]*\)", "", declared).strip() or "TEXT"
