"""Bound parameters collected while SQL is being composed, put in textual order when the SQL is finished.

Compilers compose SQL inside out, so a parameter's position is only known at the end: each bind returns a
marker, and :meth:`ParamCollector.finish` replaces markers by placeholders in order of appearance. A
constant of the metadata's permission filters (a :class:`~.values.MetadataConstant`) is the one exception:
its marker becomes the literal :func:`~.dialects.sql_literal` writes, so that the database plans with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from qapress.engine.catalog import Column
from qapress.engine.dialects import Dialect, UnsafeLiteral, sql_literal
from qapress.engine.errors import ValidationFailed
from qapress.engine.plan import CONST, SESSION, SESSION_ALL, VARIABLE, Converter, Param
from qapress.engine.values import MetadataConstant, SessionRef, VarRef

_MARKER = re.compile("\x01(\\d+)\x02")


class ParamCollector:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        #: A bound parameter, or the SQL text of a metadata constant's literal.
        self._params: list[Param | str] = []

    def _add(self, param: Param | str) -> str:
        self._params.append(param)
        return f"\x01{len(self._params) - 1}\x02"

    def const(self, value: Any) -> str:
        return self._add(Param(CONST, value))

    def variable(self, name: str, convert: Converter | None = None) -> str:
        return self._add(Param(VARIABLE, name, convert))

    def value(self, leaf: Any, column: Column | None, convert: Converter | None = None) -> str:
        """A placeholder for one value compared with ``column`` (cast to its type on PostgreSQL)."""
        scalar = column.scalar if column is not None else "String"
        converter = convert or value_converter(self.dialect, scalar)
        marker = self._leaf(leaf, _not_null(scalar, converter))
        return marker if column is None else self.dialect.cast(marker, column.sql_type)

    def values(self, leaf: Any, column: Column) -> str:
        """Placeholders (or a subquery over one bound list) for ``column IN (...)``."""
        item = value_converter(self.dialect, column.scalar)
        if isinstance(leaf, list):
            return ", ".join(self.value(v, column) for v in leaf)
        as_json = self.dialect.list_as_json
        marker = self._leaf(leaf, _list_converter(column.scalar, item, as_json=as_json))
        return self.dialect.list_of(marker, column)

    def session_json(self) -> str:
        """A placeholder for all session variables as a JSON object (computed fields' session argument)."""
        return self._add(Param(SESSION_ALL, None))

    def text(self, leaf: Any, convert: Converter | None = None) -> str:
        return self._leaf(leaf, _not_null("String", convert or (lambda v: v)))

    def _leaf(self, leaf: Any, convert: Converter) -> str:
        if isinstance(leaf, MetadataConstant):
            value = convert(leaf.value)
            try:
                return self._add(sql_literal(leaf.converted(value), self.dialect))
            except (UnsafeLiteral, TypeError):  # no literal for it (a list, a '%' on PostgreSQL): bound
                return self._add(Param(CONST, value))
        if isinstance(leaf, VarRef):
            return self._add(Param(VARIABLE, leaf.name, convert))
        if isinstance(leaf, SessionRef):
            return self._add(Param(SESSION, leaf.name, convert))
        return self._add(Param(CONST, convert(leaf)))

    def finish(self, sql: str) -> tuple[str, tuple[Param, ...]]:
        ordered: list[Param] = []

        def place(match: re.Match[str]) -> str:
            param = self._params[int(match.group(1))]
            if isinstance(param, str):
                return param
            ordered.append(param)
            return self.dialect.placeholder

        return _MARKER.sub(place, sql), tuple(ordered)


def value_converter(dialect: Dialect, scalar: str) -> Converter:
    if scalar in ("json", "jsonb"):
        return _json_text
    if scalar == "Boolean" and dialect.booleans_as_integers:
        return _integer_bool
    return _identity


def _identity(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _integer_bool(value: Any) -> int:
    if isinstance(value, str):  # a session variable
        return 1 if value.lower() in ("true", "t", "1", "yes") else 0
    return 1 if value else 0


def _not_null(scalar: str, convert: Converter) -> Converter:
    def checked(value: Any) -> Any:
        if value is None:
            raise ValidationFailed(f'unexpected null value for type "{scalar}"')
        return convert(value)

    return checked


def parse_list(text: str) -> list[Any]:
    """A list given as text (a session variable): a JSON array, a PostgreSQL array literal ``{a,b}``, or
    one value."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            parsed = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            raise ValidationFailed(f"not a list: {text!r}") from None
        return parsed if isinstance(parsed, list) else [parsed]
    if stripped.startswith("{") and stripped.endswith("}"):
        return _pg_array_items(stripped[1:-1])
    return [text]


def _pg_array_items(inner: str) -> list[Any]:
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = was_quoted = False
    for char in inner:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
            was_quoted = True
        elif char == "," and not quoted:
            items.append("".join(current) if was_quoted else "".join(current).strip())
            current, was_quoted = [], False
        else:
            current.append(char)
    last = "".join(current) if was_quoted else "".join(current).strip()
    if items or last or was_quoted:
        items.append(last)
    return list(items)


def _list_converter(scalar: str, item: Converter, as_json: bool) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None:
            raise ValidationFailed(f'unexpected null value for type "[{scalar}!]"')
        if isinstance(value, str):
            value = parse_list(value)
        elif not isinstance(value, list):
            value = [value]
        items = [item(v) for v in value]
        return orjson.dumps(items).decode() if as_json else items

    return convert
