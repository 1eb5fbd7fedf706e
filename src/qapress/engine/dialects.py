"""Every difference between SQLite and PostgreSQL: JSON construction, placeholders, casts, rendering,
the operators and functions each has, how a write transaction starts, and how the catalog is read.

Both produce the same JSON for the same data: booleans as true/false, dates as ``YYYY-MM-DD``, JSON
columns embedded, keys in selection order. The rest of the engine asks its :class:`Dialect` (one per
database, from :func:`dialect_for`) and never the database's name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from qapress.engine.errors import BadRequest, NotSupported
from qapress.engine.scalars import STRINGIFIED
from qapress.engine.values import MetadataConstant

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from qapress.engine.catalog import Column

# PostgreSQL caps functions at 100 arguments; SQLite builds before 3.48 at 127.
MAX_PAIRS = 48


#: Past this many operands a chain of one operator is grouped as a balanced tree (see :func:`balanced`).
FLAT_CHAIN = 32


def balanced(parts: Sequence[str], operator: str) -> str:
    """``a OP b OP c ...`` for a few parts; for many, grouped as a balanced tree of parentheses.

    A flat chain of n operands is an expression n deep, and SQLite refuses expressions deeper than 1,000
    (400 root fields, an ``_or`` of 1,000 terms); the balanced tree is log2(n) deep, with the same meaning."""
    if len(parts) <= FLAT_CHAIN:
        return operator.join(parts)
    middle = len(parts) // 2
    return f"({balanced(parts[:middle], operator)}){operator}({balanced(parts[middle:], operator)})"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def has_text_affinity(sql_type: str) -> bool:
    """SQLite's affinity rules (datatype3.html, 3.1): INT first wins, then CHAR, CLOB or TEXT."""
    upper = sql_type.upper()
    return "INT" not in upper and any(word in upper for word in ("CHAR", "CLOB", "TEXT"))


def quote_text(text: str) -> str:
    """A SQL string literal; only ever used for names from the schema or the query's aliases."""
    return "'" + text.replace("'", "''") + "'"


class UnsafeLiteral(ValueError):
    """A metadata constant :func:`sql_literal` will not write into SQL text; the caller binds it instead."""


#: Characters no literal may hold: NUL (neither database's text takes it) and the parameter collector's
#: marker brackets (``params._MARKER``), which must stay unambiguous in a statement being composed.
_REFUSED_CHARACTERS = ("\x00", "\x01", "\x02")


def sql_literal(constant: MetadataConstant, dialect: Dialect) -> str:
    """A metadata constant as a SQL literal of ``dialect``: the one place a value is written into SQL text.

    Only a :class:`~.values.MetadataConstant` is taken (a request's values are always bound parameters). A
    string is quoted by doubling its single quotes; on PostgreSQL one holding a backslash is written as an
    escape string (``E'...'``, backslashes doubled), which reads the same whatever
    ``standard_conforming_strings`` says, and one holding ``%`` is refused, since psycopg reads ``%`` in a
    statement's text as a placeholder's start. Refused (:class:`UnsafeLiteral`, the caller binds the value):
    NUL and the collector's marker characters, text that is not valid Unicode, NaN and infinities.
    """
    if not isinstance(constant, MetadataConstant):
        raise TypeError(f"sql_literal takes a MetadataConstant, not {type(constant).__name__}")
    value = constant.value
    if value is None:
        return "NULL"
    if type(value) is bool:
        return dialect.bool_literal(value)
    if type(value) is int:
        return str(value) if value >= 0 else f"({value})"
    if type(value) is float:
        if not math.isfinite(value):
            raise UnsafeLiteral("a non-finite float has no literal")
        text = repr(value)  # the shortest text that reads back as the same double
        return text if value >= 0 else f"({text})"
    if type(value) is not str:
        raise UnsafeLiteral(f"no literal for {type(value).__name__}")
    if any(c in value for c in _REFUSED_CHARACTERS):
        raise UnsafeLiteral("a control character that no literal may hold")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeLiteral("text that is not valid Unicode (a lone surrogate)") from None
    if "%" in value and dialect.placeholder == "%s":
        raise UnsafeLiteral("'%' in a statement psycopg formats")
    quoted = value.replace("'", "''")
    if "\\" in value and dialect.backslash_escape_strings:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


#: Scalars held as REAL on SQLite, rendered with full precision.
FLOATS = {"Float", "float8", "float4", "numeric"}


#: The bits of PostgreSQL's pg_relation_is_updatable answer, the writes a table or view takes.
UPDATE, INSERT, DELETE = 4, 8, 16
ALL_WRITES = UPDATE | INSERT | DELETE

#: PostgreSQL's internal names of the types whose arrays Hasura names after them (``integer[]`` -> ``_int4``).
PG_INTERNAL = {
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


class Dialect:
    """What one database does its own way; the base holds what both share."""

    name = "base"
    placeholder = "?"
    #: Tracked SQL functions and computed fields (they need PostgreSQL functions).
    sql_functions = False
    #: The operators beyond SQL's common ones: regular expressions, SIMILAR TO, jsonb containment and keys,
    #: ltree's.
    extended_operators = False
    #: Whether an aggregated list needs its order keys projected and sorted again in the aggregate. Neither
    #: database does: both aggregate the rows of the ordered subquery they read in its order. PostgreSQL
    #: never pulls a subquery with ORDER BY (or LIMIT) up into its parent (``is_simple_subquery``), so a
    #: plain aggregate (no GROUP BY, one from item) reads the subquery scan's rows as they are sorted, the
    #: way its documentation ("Aggregate Expressions") orders ``xmlagg`` from a sorted subquery; a
    #: ``json_agg(... ORDER BY ...)`` sorted them a second time. (``distinct_on`` still projects them.)
    order_keys_in_aggregate = False
    #: Whether the hot path takes connections from the engine's pool (else one sqlite3 connection per thread).
    pooled_connections = False
    #: What finds a row of a keyless table again.
    row_identity = "rowid"
    #: Whether booleans are stored and bound as 1/0.
    booleans_as_integers = True
    #: Whether a string literal holding a backslash is written as an escape string (``E'...'``): on
    #: PostgreSQL a plain literal's backslash depends on ``standard_conforming_strings``; SQLite has no
    #: escapes in literals at all.
    backslash_escape_strings = False
    #: The scalar a column declared ``json`` gets.
    json_scalar = "json"
    #: The LIMIT that means none (for a bound LIMIT from a variable), and the clause an OFFSET needs before it.
    no_limit: int | None = None
    limit_for_offset = ""
    #: Scalars whose driver value orjson encodes as the database's JSON does (a flat statement's cells taken
    #: as they come, ``flat.py``); on SQLite a date is its stored ISO text, which the JSON statement embeds too.
    driver_json_scalars = frozenset({"Int", "String", "date"})

    def param(self, column: Column | None = None) -> str:
        return self.placeholder

    def param_list(self, column: Column) -> str:
        """A placeholder for a whole list of values, usable as ``col IN (<this>)``."""
        raise NotImplementedError

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        raise NotImplementedError

    def agg_array(self, row: str, order: str) -> str:
        raise NotImplementedError

    def embed(self, subquery: str) -> str:
        """A JSON-valued scalar subquery made usable as a value inside another JSON object or array."""
        raise NotImplementedError

    def as_text(self, expr: str) -> str:
        """A JSON-valued expression as JSON text, ``null`` for SQL NULL (for stitching the response)."""
        raise NotImplementedError

    def json_text(self, expr: str) -> str:
        """The JSON text of a rendered value, as the JSON statement embeds it (NULL for null)."""
        return f"json_quote({expr})"

    def render(self, expr: str, column: Column, stringify: bool) -> str:
        raise NotImplementedError

    def like(self, column: str, negate: bool, insensitive: bool) -> str:
        raise NotImplementedError

    def to_text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def float_json(self, expr: str) -> str:
        """A float-valued expression as a JSON number (PostgreSQL's own rendering is already exact)."""
        return expr

    def bool_literal(self, value: bool) -> str:
        return "1" if value else "0"

    def bool_param(self, value: bool) -> Any:
        """A boolean as bound."""
        return int(value) if self.booleans_as_integers else value

    def cast(self, marker: str, sql_type: str) -> str:
        """A bound value compared with or written to a column of ``sql_type``."""
        return marker

    def list_of(self, marker: str, column: Column) -> str:
        """A subquery over one bound list (see :attr:`list_as_json`) for ``column IN (<this>)``."""
        raise NotImplementedError

    #: Whether a bound list goes in as JSON text (else as a driver array).
    list_as_json = True

    def like_pattern(self, insensitive: bool) -> Callable[[Any], Any]:
        """What a ``_like``/``_ilike`` pattern becomes before it is bound."""
        return check_like

    def qualified(self, schema: str, name: str) -> str:
        """A table's name in a FROM clause (tables outside ``public`` qualified where schemas exist)."""
        return quote_ident(name)

    def distinct_on(
        self,
        distinct: Sequence[str],
        columns: Sequence[str],
        source: str,
        where_sql: str,
        order_sql: str,
        outer: str,
        outer_order: str,
        limit_sql: str,
    ) -> str:
        """``DISTINCT ON`` (the first row of each distinct key, in order); emulated by ranking rows."""
        window_order = f" ORDER BY {order_sql}" if order_sql else ""
        ranked = (
            f"SELECT {', '.join(columns)}, row_number() OVER (PARTITION BY {', '.join(distinct)}"
            f"{window_order}) AS __rn FROM {source}{where_sql}"
        )
        order_clause = f" ORDER BY {outer_order}" if outer_order else ""
        return f"SELECT * FROM ({ranked}) AS {outer} WHERE {outer}.__rn = 1{order_clause}{limit_sql}"

    def json_array(self, items: Sequence[str]) -> str:
        raise NotImplementedError

    def aggregate(self, function: str, expr: str) -> str:
        """An aggregate function over ``expr`` (``sum``, ``stddev_pop`` ...)."""
        return f"{function}({expr})"

    def count(self, alias: str, columns: Sequence[str], distinct: bool) -> str:
        """Hasura's ``count(columns:, distinct:)`` over rows ``alias``: rows, else rows whose ``columns`` are
        all set (distinct: distinct such tuples)."""
        if not columns:
            return "count(*)"
        refs = [f"{alias}.{quote_ident(c)}" for c in columns]
        if len(refs) == 1:
            return f"count({'DISTINCT ' if distinct else ''}{refs[0]})"
        all_set = " AND ".join(f"{r} IS NOT NULL" for r in refs)
        if not distinct:
            return f"count(CASE WHEN {all_set} THEN 1 END)"
        key = f"CAST({self.json_array(refs)} AS TEXT)"
        return f"count(DISTINCT CASE WHEN {all_set} THEN {key} END)"

    def bool_aggregate(self, function: str, expr: str, distinct: bool) -> str:
        """``bool_and`` / ``bool_or`` over a boolean ``expr`` (null over no rows)."""
        return f"{function}({'DISTINCT ' if distinct else ''}{expr})"

    def statistic(self, function: str, columns: Sequence[str], distinct: bool) -> str:
        """An aggregation predicate's statistic of float columns (``avg``, ``sum``, ``var_samp``, ``corr`` of
        two ...), null over no rows as PostgreSQL's."""
        return f"{function}({'DISTINCT ' if distinct else ''}{', '.join(columns)})"

    def insert_defaults(self, target: str, upsert: bool) -> str:
        """An INSERT of one row of defaults."""
        return f"INSERT INTO {target} DEFAULT VALUES"

    def on_conflict_target(self, constraint: str, columns: Sequence[str]) -> str:
        return f" ON CONFLICT ({', '.join(quote_ident(c) for c in columns)})"

    def begin_write(self, connection: Connection, statement_timeout_ms: int | None) -> None:
        """Settings a mutation's transaction starts with (inside it)."""

    # --- the catalog -----------------------------------------------------------------------------------
    def other_scalar(self, base: str) -> str:
        """Hasura's scalar name for a declared type that is none of the common ones."""
        raise NotImplementedError

    def reflected_schema(self, schema: str) -> str | None:
        """The schema to ask SQLAlchemy's inspector about (None: the default one)."""
        return None

    def declared_types(self, engine: Engine, schema: str, table: str) -> dict[str, str]:
        """Each column's type as the database declares it, where the inspector's reading is not exact."""
        raise NotImplementedError

    def writable(self, engine: Engine, schema: str, table: str) -> int:
        """Which writes (:data:`INSERT`, :data:`UPDATE`, :data:`DELETE` bits) a table or view takes."""
        raise NotImplementedError

    def implicit_uniques(self, inspector: Any, table: str) -> dict[str, tuple[str, ...]]:
        """Unique column sets the inspector reports only as indexes."""
        return {}

    def table_comment(self, inspector: Any, schema: str, table: str) -> str | None:
        return None

    def is_view(self, engine: Engine, schema: str, table: str) -> bool:
        """Whether a view (whose rows have no physical identity, so writes find them by all columns)."""
        return False

    def estimated_rows(self, connection: Connection, schema: str, table: str, quoted: str) -> int:
        """A bound on a large table's rows, from the database's statistics."""
        raise NotImplementedError

    def insert(self, table: sa.Table) -> Any:
        """SQLAlchemy's INSERT of this database, the one with ``on_conflict_do_nothing`` and friends."""
        raise NotImplementedError


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"

    def insert(self, table: sa.Table) -> Any:
        return sqlite_insert(table)

    #: Whether a scalar subquery's JSON result keeps its JSON subtype (SQLite 3.40 does); when it does, nested
    #: objects need no json() re-parse, which also saves parser depth. Probed per database by the engine.
    subquery_keeps_json = False
    json_scalar = "jsonb"
    no_limit = -1
    limit_for_offset = " LIMIT -1"

    def param_list(self, column: Column) -> str:
        return "SELECT value FROM json_each(?)"

    def cast(self, marker: str, sql_type: str) -> str:
        """A value bound for a column of TEXT affinity is cast to TEXT, which changes no comparison (SQLite
        applies the column's TEXT affinity to an untyped parameter anyway) but is measurably cheaper per row:
        on qapress's own ``qa_ai``, ``status = ?`` cost 25 µs for the 8 newest of a site where
        ``status = CAST(? AS TEXT)`` and ``status = 'published'`` cost 17 (SQLite 3.40), and the anonymous
        seed query went from 2.9x to 1.2x the admin one (100,000 articles)."""
        return f"CAST({marker} AS TEXT)" if has_text_affinity(sql_type) else marker

    def list_of(self, marker: str, column: Column) -> str:
        return f"SELECT value FROM json_each({marker})"

    def like_pattern(self, insensitive: bool) -> Callable[[Any], Any]:
        return check_like if insensitive else like_to_glob

    def json_array(self, items: Sequence[str]) -> str:
        return f"json_array({', '.join(items)})"

    def bool_aggregate(self, function: str, expr: str, distinct: bool) -> str:
        # Booleans are 0/1 integers: all true is a minimum of 1, some true a maximum of 1.
        return f"{'min' if function == 'bool_and' else 'max'}({'DISTINCT ' if distinct else ''}{expr})"

    def statistic(self, function: str, columns: Sequence[str], distinct: bool) -> str:
        if function in ("avg", "max", "min", "sum"):
            return f"{function}({'DISTINCT ' if distinct else ''}{columns[0]})"
        if distinct:
            raise NotSupported(f"{function} over distinct values is not supported on SQLite")
        if len(columns) == 1:
            return self.aggregate(function, columns[0])
        # Of two columns: over the rows where both are set, from sums as PostgreSQL defines them.
        both = f"{columns[0]} IS NOT NULL AND {columns[1]} IS NOT NULL"
        x, y = (f"(CASE WHEN {both} THEN 1.0 * {c} END)" for c in columns)
        n = f"count({x})"
        products = f"(sum({x} * {y}) - sum({x}) * sum({y}) / {n})"
        if function == "covar_samp":
            return f"(CASE WHEN {n} > 1 THEN {products} / ({n} - 1) END)"
        spread_x = f"(sum({x} * {x}) - sum({x}) * sum({x}) / {n})"
        spread_y = f"(sum({y} * {y}) - sum({y}) * sum({y}) / {n})"
        return f"(CASE WHEN {n} > 0 AND {spread_x} > 0 AND {spread_y} > 0 THEN {products} / sqrt({spread_x} * {spread_y}) END)"

    def aggregate(self, function: str, expr: str) -> str:
        if function in ("sum", "avg", "max", "min"):
            return f"{function}({expr})"
        # SQLite has no variance functions: the textbook formulas over sum, sum of squares and count.
        x = f"(1.0 * {expr})"
        spread = f"(sum({x} * {x}) - sum({x}) * sum({x}) / count({x}))"
        population = f"CASE WHEN count({x}) > 0 THEN {spread} / count({x}) END"
        sample = f"CASE WHEN count({x}) > 1 THEN {spread} / (count({x}) - 1) END"
        return {
            "var_pop": population,
            "var_samp": sample,
            "variance": sample,
            "stddev_pop": f"sqrt({population})",
            "stddev_samp": f"sqrt({sample})",
            "stddev": f"sqrt({sample})",
        }[function]

    def insert_defaults(self, target: str, upsert: bool) -> str:
        if upsert:
            # SQLite allows no upsert clause after DEFAULT VALUES; a NULL rowid is the same row of defaults.
            return f"INSERT INTO {target} (rowid) VALUES (NULL)"
        return f"INSERT INTO {target} DEFAULT VALUES"

    def other_scalar(self, base: str) -> str:
        # SQLite's type affinity rules, in its order.
        if "int" in base:
            return "Int"
        if "char" in base or "text" in base or "clob" in base:
            return "String"
        if "bool" in base:
            return "Boolean"
        if "real" in base or "floa" in base or "doub" in base:
            return "float8"
        return base.replace(" ", "_") or "String"

    def declared_types(self, engine: Engine, schema: str, table: str) -> dict[str, str]:
        """Column types as declared: SQLAlchemy reads TIMESTAMPTZ as NUMERIC and DOUBLE PRECISION as REAL."""
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(f"PRAGMA table_info({quote_ident(table)})").all()
        return {str(row[1]): str(row[2]) for row in rows if row[2]}

    def writable(self, engine: Engine, schema: str, table: str) -> int:
        """A table takes every write; a view only those an INSTEAD OF trigger makes (SQLite views are
        read-only)."""
        with engine.connect() as connection:
            kind = connection.exec_driver_sql(
                "SELECT type FROM sqlite_master WHERE name = ?", (table,)
            ).scalar()
            if kind != "view":
                return ALL_WRITES
            triggers = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).scalars()
            found = " ".join(re.sub(r"\s+", " ", str(sql or "")).upper() for sql in triggers)
        bits = {"INSTEAD OF INSERT": INSERT, "INSTEAD OF UPDATE": UPDATE, "INSTEAD OF DELETE": DELETE}
        return sum(bit for phrase, bit in bits.items() if phrase in found)

    def implicit_uniques(self, inspector: Any, table: str) -> dict[str, tuple[str, ...]]:
        # SQLite reports unnamed UNIQUE columns only as unique indexes.
        found: dict[str, tuple[str, ...]] = {}
        for index in inspector.get_indexes(table):
            # A partial unique index cannot be an ON CONFLICT target: not a constraint for Hasura either.
            if index.get("unique") and index.get("dialect_options", {}).get("sqlite_where") is None:
                cols = tuple(c for c in index["column_names"] if c is not None)
                found.setdefault(f"{table}_{'_'.join(cols)}_key", cols)
        return found

    def estimated_rows(self, connection: Connection, schema: str, table: str, quoted: str) -> int:
        # The largest rowid: a bound for a rowid table (rows are never more than it), found from the index.
        found = connection.exec_driver_sql(f"SELECT max(rowid) FROM {quoted}").scalar()
        return int(found or 0)

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        if len(pairs) <= MAX_PAIRS:
            return "json_object(" + ", ".join(f"{quote_text(k)}, {v}" for k, v in pairs) + ")"
        parts = balanced(
            [f"{quote_text(_json_key(k))} || coalesce(json_quote({v}), 'null')" for k, v in pairs],
            " || ',' || ",
        )
        return f"json('{{' || {parts} || '}}')"

    def agg_array(self, row: str, order: str) -> str:
        # SQLite aggregates rows in the order of the (never flattened) ordered subquery.
        return f"json_group_array({row})"

    def embed(self, subquery: str) -> str:
        return subquery if self.subquery_keeps_json else f"json({subquery})"

    def as_text(self, expr: str) -> str:
        return f"coalesce({expr}, 'null')"

    def render(self, expr: str, column: Column, stringify: bool) -> str:
        scalar = column.scalar
        if scalar == "Boolean":
            return f"json(CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} THEN 'true' ELSE 'false' END)"
        if scalar in ("json", "jsonb"):
            return f"json({expr})"
        if scalar in ("timestamptz", "timestamp"):
            # As PostgreSQL prints them: 'T', fraction without trailing zeros, UTC offset for timestamptz.
            trimmed = f"CASE WHEN instr({expr}, '.') > 0 THEN rtrim(rtrim({expr}, '0'), '.') ELSE {expr} END"
            offset = " || '+00:00'" if scalar == "timestamptz" else ""
            return (
                f"CASE WHEN {expr} IS NULL THEN NULL WHEN {expr} LIKE '%+__:__' OR {expr} LIKE '%Z' "
                f"THEN replace({expr}, ' ', 'T') ELSE replace({trimmed}, ' ', 'T'){offset} END"
            )
        if stringify and scalar in STRINGIFIED:
            return f"CAST({expr} AS TEXT)"
        if scalar in FLOATS:
            return self.float_json(expr)
        return expr

    def float_json(self, expr: str) -> str:
        """A REAL as a JSON number with all its digits: SQLite's JSON writes only 15 significant digits,
        so 4/3 would come out as 1.33333333333333 where PostgreSQL writes 1.3333333333333333."""
        short = f"printf('%.15g', {expr})"
        return (
            f"json(CASE WHEN {expr} IS NULL THEN NULL WHEN CAST({short} AS REAL) = {expr} THEN {short} "
            f"ELSE printf('%!.17g', {expr}) END)"
        )

    def like(self, column: str, negate: bool, insensitive: bool) -> str:
        # LIKE is case-insensitive in SQLite, so case-sensitive _like runs as GLOB on a translated pattern.
        op = "LIKE" if insensitive else "GLOB"
        escape = " ESCAPE '\\'" if insensitive else ""
        return f"{'NOT ' if negate else ''}({column} {op} ?{escape})"


class PostgresDialect(Dialect):
    name = "postgresql"

    def insert(self, table: sa.Table) -> Any:
        return postgresql_insert(table)

    placeholder = "%s"
    sql_functions = True
    extended_operators = True
    pooled_connections = True
    row_identity = "ctid"
    list_as_json = False
    booleans_as_integers = False
    backslash_escape_strings = True
    #: Booleans come as Python booleans too (SQLite's as 0 and 1), and dates as ``datetime.date``, which orjson
    #: writes as PostgreSQL's JSON does (``YYYY-MM-DD``); a date Python cannot hold (``infinity``, BC) makes the
    #: driver fail, and that request is answered by the JSON statement (``RowsUnrepresentable``).
    driver_json_scalars = frozenset({*Dialect.driver_json_scalars, "Boolean"})

    def json_text(self, expr: str) -> str:
        return f"CAST(to_json({expr}) AS text)"

    def param(self, column: Column | None = None) -> str:
        if column is None:
            return "%s"
        return f"CAST(%s AS {column.sql_type})"

    def param_list(self, column: Column) -> str:
        return f"SELECT unnest(CAST(%s AS {column.sql_type}[]))"

    def json_object(self, pairs: Sequence[tuple[str, str]]) -> str:
        if len(pairs) <= MAX_PAIRS:
            return "json_build_object(" + ", ".join(f"{quote_text(k)}, {v}" for k, v in pairs) + ")"
        parts = balanced(
            [f"{quote_text(_json_key(k))} || coalesce(to_json({v})::text, 'null')" for k, v in pairs],
            " || ',' || ",
        )
        return f"CAST('{{' || {parts} || '}}' AS json)"

    def agg_array(self, row: str, order: str) -> str:
        order_sql = f" ORDER BY {order}" if order else ""
        return f"coalesce(json_agg({row}{order_sql}), CAST('[]' AS json))"

    def embed(self, subquery: str) -> str:
        return subquery

    def as_text(self, expr: str) -> str:
        return f"coalesce(CAST({expr} AS text), 'null')"

    def render(self, expr: str, column: Column, stringify: bool) -> str:
        if stringify and column.scalar in STRINGIFIED:
            return f"CAST({expr} AS text)"
        return expr

    def like(self, column: str, negate: bool, insensitive: bool) -> str:
        op = ("NOT " if negate else "") + ("ILIKE" if insensitive else "LIKE")
        return f"({column} {op} %s)"

    def bool_literal(self, value: bool) -> str:
        return "true" if value else "false"

    def cast(self, marker: str, sql_type: str) -> str:
        return f"CAST({marker} AS {sql_type})"

    def list_of(self, marker: str, column: Column) -> str:
        return f"SELECT unnest(CAST({marker} AS {column.sql_type}[]))"

    def qualified(self, schema: str, name: str) -> str:
        if schema != "public":
            return f"{quote_ident(schema)}.{quote_ident(name)}"
        return quote_ident(name)

    def distinct_on(
        self,
        distinct: Sequence[str],
        columns: Sequence[str],
        source: str,
        where_sql: str,
        order_sql: str,
        outer: str,
        outer_order: str,
        limit_sql: str,
    ) -> str:
        order_clause = f" ORDER BY {order_sql}" if order_sql else ""
        return (
            f"SELECT DISTINCT ON ({', '.join(distinct)}) {', '.join(columns)} FROM {source}"
            f"{where_sql}{order_clause}{limit_sql}"
        )

    def json_array(self, items: Sequence[str]) -> str:
        return f"json_build_array({', '.join(items)})"

    def on_conflict_target(self, constraint: str, columns: Sequence[str]) -> str:
        return f" ON CONFLICT ON CONSTRAINT {quote_ident(constraint)}"

    def begin_write(self, connection: Connection, statement_timeout_ms: int | None) -> None:
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
        if statement_timeout_ms:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")
            connection.info["statement_timeout_ms"] = int(statement_timeout_ms)

    def other_scalar(self, base: str) -> str:
        if base.endswith("[]"):  # Hasura names arrays by PostgreSQL's internal name: _int4, _text
            element = base[:-2].strip()
            return "_" + PG_INTERNAL.get(element, element.replace(" ", "_"))
        return base.split(".")[-1].replace(" ", "_").replace('"', "")

    def reflected_schema(self, schema: str) -> str | None:
        return None if schema == "public" else schema

    def declared_types(self, engine: Engine, schema: str, table: str) -> dict[str, str]:
        """Column types as PostgreSQL names them (``character varying(20)``, ``ltree``, ``integer[]``):
        exact where SQLAlchemy's reflection falls back to NullType for types it does not know."""
        query = sa.text(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relname = :table AND a.attnum > 0 AND NOT a.attisdropped"
        )
        with engine.connect() as connection:
            rows = connection.execute(query, {"schema": schema, "table": table})
            return {str(row[0]): str(row[1]) for row in rows}

    def writable(self, engine: Engine, schema: str, table: str) -> int:
        """Which writes PostgreSQL allows on a table or view (through rules or INSTEAD OF triggers too)."""
        query = sa.text(
            "SELECT pg_relation_is_updatable(c.oid, true) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relname = :table"
        )
        with engine.connect() as connection:
            found = connection.execute(query, {"schema": schema, "table": table}).scalar()
        return int(found) if found is not None else 0

    def table_comment(self, inspector: Any, schema: str, table: str) -> str | None:
        text = inspector.get_table_comment(table, schema=self.reflected_schema(schema)).get("text")
        return None if text is None else str(text)

    def is_view(self, engine: Engine, schema: str, table: str) -> bool:
        query = sa.text(
            "SELECT c.relkind IN ('v', 'm') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relname = :table"
        )
        with engine.connect() as connection:
            return bool(connection.execute(query, {"schema": schema, "table": table}).scalar())

    def estimated_rows(self, connection: Connection, schema: str, table: str, quoted: str) -> int:
        query = sa.text(
            "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relname = :table"
        )
        found = connection.execute(query, {"schema": schema, "table": table}).scalar()
        return int(found or 0)


def check_like(pattern: Any) -> Any:
    """A LIKE pattern as given, refused when it ends with a lone escape (as PostgreSQL refuses it)."""
    if isinstance(pattern, str) and (len(pattern) - len(pattern.rstrip("\\"))) % 2 == 1:
        raise BadRequest("LIKE pattern must not end with escape character")
    return pattern


def _json_key(key: str) -> str:
    return f'"{key}":'


def like_to_glob(pattern: str) -> str:
    """The GLOB pattern matching what a LIKE pattern (``%``, ``_``, backslash escapes) matches."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(_glob_literal(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(_glob_literal(char))
    if escaped:
        raise BadRequest("LIKE pattern must not end with escape character")
    return "".join(out)


def _glob_literal(char: str) -> str:
    return f"[{char}]" if char in "*?[" else char


SUBTYPE_PROBE = (
    "SELECT json_object('a', (SELECT json_group_array(json_object('b', e.x)) FROM (SELECT 1 AS x) AS e), "
    "'c', (SELECT json_object('d', 2)))"
)
SUBTYPE_KEPT = '{"a":[{"b":1}],"c":{"d":2}}'


def dialect_for(name: str) -> Dialect:
    """The dialect of a database by its SQLAlchemy name (the one place that looks at the name)."""
    return PostgresDialect() if name == "postgresql" else SQLiteDialect()
