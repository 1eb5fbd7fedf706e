"""The SQL that differs between SQLite and PostgreSQL: JSON construction, placeholders, casts, rendering.

Both produce the same JSON for the same data: booleans as true/false, dates as ``YYYY-MM-DD``, JSON
columns embedded, keys in selection order.
"""

from __future__ import annotations

from collections.abc import Sequence

from qapress.engine.catalog import Column
from qapress.engine.errors import BadRequest
from qapress.engine.scalars import STRINGIFIED

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


def quote_text(text: str) -> str:
    """A SQL string literal; only ever used for names from the schema or the query's aliases."""
    return "'" + text.replace("'", "''") + "'"


#: Scalars held as REAL on SQLite, rendered with full precision.
FLOATS = {"Float", "float8", "float4", "numeric"}


class Dialect:
    name = "base"
    placeholder = "?"

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


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"

    #: Whether a scalar subquery's JSON result keeps its JSON subtype (SQLite 3.40 does); when it does, nested
    #: objects need no json() re-parse, which also saves parser depth. Probed per database by the engine.
    subquery_keeps_json = False

    def param_list(self, column: Column) -> str:
        return "SELECT value FROM json_each(?)"

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
    placeholder = "%s"

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
    return PostgresDialect() if name == "postgresql" else SQLiteDialect()
