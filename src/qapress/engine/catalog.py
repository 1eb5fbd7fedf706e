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


_PG_INTERNAL = {
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
    "double precision": "float8",
    "real": "float4",
    "character varying": "varchar",
    "character": "bpchar",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
}


def scalar_name(declared: str, dialect: str) -> str:
    """Hasura's scalar name for a declared SQL type (``VARCHAR(20)`` -> ``String``)."""
    base = re.sub(r"\([^)]*\)", "", declared.lower()).strip()
    if dialect == "sqlite" and base == "json":
        return "jsonb"
    if base in _PG_SCALARS:
        return _PG_SCALARS[base]
    if dialect == "postgresql":
        if base.endswith("[]"):  # Hasura names arrays by PostgreSQL's internal name: _int4, _text
            element = base[:-2].strip()
            return "_" + _PG_INTERNAL.get(element, element.replace(" ", "_"))
        return base.split(".")[-1].replace(" ", "_").replace('"', "")
    if "int" in base:
        return "Int"
    if "char" in base or "text" in base or "clob" in base:
        return "String"
    if "bool" in base:
        return "Boolean"
    if "real" in base or "floa" in base or "doub" in base:
        return "float8"
    return base.replace(" ", "_") or "String"


def read_catalog(engine: Engine, tables: Iterable[tuple[str, str]]) -> Catalog:
    """Read the given (schema, table) pairs from the live database."""
    dialect = engine.dialect.name
    inspector = sa.inspect(engine)
    found: dict[tuple[str, str], Table] = {}
    for schema, name in tables:
        db_schema = None if dialect == "sqlite" or schema == "public" else schema
        if not inspector.has_table(name, schema=db_schema):
            raise MetadataError(f'table "{name}" does not exist in schema "{schema}"')
        columns: dict[str, Column] = {}
        pg_types = (
            _postgres_types(engine, schema, name)
            if dialect == "postgresql"
            else _sqlite_declared_types(engine, name)
        )
        for info in inspector.get_columns(name, schema=db_schema):
            declared = pg_types.get(info["name"]) or _declared_type(info["type"], engine)
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
        if dialect == "sqlite":
            # SQLite reports unnamed UNIQUE columns only as unique indexes.
            for index in inspector.get_indexes(name):
                # A partial unique index cannot be an ON CONFLICT target: not a constraint for Hasura either.
                if index.get("unique") and index.get("dialect_options", {}).get("sqlite_where") is None:
                    cols = tuple(c for c in index["column_names"] if c is not None)
                    uniques.setdefault(f"{name}_{'_'.join(cols)}_key", cols)
        writable = (
            _postgres_writable(engine, schema, name)
            if dialect == "postgresql"
            else _sqlite_writable(engine, name)
        )
        found[(schema, name)] = Table(
            schema,
            name,
            columns,
            pk,
            fks,
            uniques,
            insertable=bool(writable & _INSERT),
            updatable=bool(writable & _UPDATE),
            deletable=bool(writable & _DELETE),
            comment=(
                inspector.get_table_comment(name, schema=db_schema).get("text")
                if dialect == "postgresql"
                else None
            ),
            is_view=dialect == "postgresql" and _postgres_is_view(engine, schema, name),
        )
    return Catalog(dialect, found)


def _postgres_types(engine: Engine, schema: str, table: str) -> dict[str, str]:
    """Column types as PostgreSQL names them (``character varying(20)``, ``ltree``, ``integer[]``):
    exact where SQLAlchemy's reflection falls back to NullType for types it does not know."""
    query = sa.text(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname = :table AND a.attnum > 0 AND NOT a.attisdropped"
    )
    with engine.connect() as connection:
        return {
            str(row[0]): str(row[1]) for row in connection.execute(query, {"schema": schema, "table": table})
        }


# The bits of pg_relation_is_updatable's answer.
_UPDATE, _INSERT, _DELETE = 4, 8, 16
_ALL_WRITES = _UPDATE | _INSERT | _DELETE


def _postgres_writable(engine: Engine, schema: str, table: str) -> int:
    """Which writes PostgreSQL allows on a table or view (through rules or INSTEAD OF triggers too)."""
    query = sa.text(
        "SELECT pg_relation_is_updatable(c.oid, true) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relname = :table"
    )
    with engine.connect() as connection:
        found = connection.execute(query, {"schema": schema, "table": table}).scalar()
    return int(found) if found is not None else 0


def _postgres_is_view(engine: Engine, schema: str, table: str) -> bool:
    query = sa.text(
        "SELECT c.relkind IN ('v', 'm') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname = :table"
    )
    with engine.connect() as connection:
        return bool(connection.execute(query, {"schema": schema, "table": table}).scalar())


def _sqlite_writable(engine: Engine, table: str) -> int:
    """A table takes every write; a view only those an INSTEAD OF trigger makes (SQLite views are read-only)."""
    with engine.connect() as connection:
        kind = connection.exec_driver_sql("SELECT type FROM sqlite_master WHERE name = ?", (table,)).scalar()
        if kind != "view":
            return _ALL_WRITES
        triggers = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).scalars()
        found = " ".join(re.sub(r"\s+", " ", str(sql or "")).upper() for sql in triggers)
    bits = {"INSTEAD OF INSERT": _INSERT, "INSTEAD OF UPDATE": _UPDATE, "INSTEAD OF DELETE": _DELETE}
    return sum(bit for phrase, bit in bits.items() if phrase in found)


def _sqlite_declared_types(engine: Engine, table: str) -> dict[str, str]:
    """Column types as declared: SQLAlchemy reads TIMESTAMPTZ as NUMERIC and DOUBLE PRECISION as REAL."""
    quoted = '"' + table.replace('"', '""') + '"'
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"PRAGMA table_info({quoted})").all()
    return {str(row[1]): str(row[2]) for row in rows if row[2]}


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
    dialect = engine.dialect.name
    with engine.connect() as connection:
        for schema, name in tables:
            quoted = '"' + name.replace('"', '""') + '"'
            if dialect == "postgresql":
                quoted = '"' + schema.replace('"', '""') + '".' + quoted
            try:
                counted = connection.exec_driver_sql(
                    f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT {int(bound) + 1}) AS _n"
                ).scalar_one()
                if counted > bound:
                    counted = max(counted, _estimated_rows(connection, dialect, schema, name, quoted))
            except sa.exc.SQLAlchemyError:
                connection.rollback()
                continue
            rows[(schema, name)] = int(counted)
    return rows


def _estimated_rows(connection: sa.Connection, dialect: str, schema: str, name: str, quoted: str) -> int:
    if dialect == "postgresql":
        query = sa.text(
            "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relname = :table"
        )
        found = connection.execute(query, {"schema": schema, "table": name}).scalar()
        return int(found or 0)
    # The largest rowid: a bound for a rowid table (rows are never more than it), found from the index.
    found = connection.exec_driver_sql(f"SELECT max(rowid) FROM {quoted}").scalar()
    return int(found or 0)


def _base_type(declared: str) -> str:
    return re.sub(r"\([^)]*\)", "", declared).strip() or "TEXT"
