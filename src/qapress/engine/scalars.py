"""Hasura's scalar types (``Int``, ``String``, ``bigint``, ``timestamptz``, ``jsonb`` ...) in graphql-core.

The engine never resolves values through these (the database builds the JSON); they validate literals and
variables, and name the types in the schema exactly as Hasura does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
    ValueNode,
    value_from_ast_untyped,
)
from graphql.language import FloatValueNode, IntValueNode, StringValueNode

BUILTIN = {"Int": GraphQLInt, "String": GraphQLString, "Boolean": GraphQLBoolean, "Float": GraphQLFloat}
#: Scalars whose columns can be summed and averaged.
NUMERIC = {"Int", "Float", "smallint", "bigint", "numeric", "float4", "float8"}
#: Scalars without an order (no max/min, no _gt).
UNORDERED = {"Boolean", "json", "jsonb"}
#: Rendered as JSON strings when ``stringify_numeric_types`` is on: bigint, numeric and double precision,
#: as Hasura does.
STRINGIFIED = {"bigint", "numeric", "float8"}


def _identity(value: Any) -> Any:
    return value


def _number_or_numeric_string(value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        float(value)
        return value
    raise TypeError(f"expected a number, got {value!r}")


def _number_literal(node: ValueNode, _variables: Any = None) -> Any:
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, StringValueNode):
        return _number_or_numeric_string(node.value)
    raise TypeError("expected a number")


def _string_value(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _string_literal(node: ValueNode, _variables: Any = None) -> str:
    if isinstance(node, StringValueNode):
        return node.value
    raise TypeError("expected a string")


def _checked_string(check: Callable[[str], object]) -> tuple[Callable[[Any], str], Callable[..., str]]:
    """parse_value and parse_literal for a string scalar with a format (dates, timestamps, UUIDs)."""

    def parse_value(value: Any) -> str:
        text = _string_value(value)
        check(text)
        return text

    def parse_literal(node: ValueNode, _variables: Any = None) -> str:
        return parse_value(_string_literal(node))

    return parse_value, parse_literal


# Formats checked before a value reaches the database, so both databases reject the same inputs.
FORMATS: dict[str, Callable[[str], object]] = {
    "date": dt.date.fromisoformat,
    "timestamptz": dt.datetime.fromisoformat,
    "timestamp": dt.datetime.fromisoformat,
    "uuid": uuid.UUID,
}


def _any_literal(node: ValueNode, variables: Any = None) -> Any:
    return value_from_ast_untyped(node, variables)


@cache
def scalar_type(name: str) -> GraphQLScalarType:
    """The graphql-core scalar for Hasura's scalar ``name`` (one instance per name, shared by schemas)."""
    if name in BUILTIN:
        return BUILTIN[name]
    if name in NUMERIC:
        return GraphQLScalarType(
            name, serialize=_identity, parse_value=_number_or_numeric_string, parse_literal=_number_literal
        )
    if name in ("json", "jsonb"):
        return GraphQLScalarType(name, serialize=_identity, parse_value=_identity, parse_literal=_any_literal)
    if name in FORMATS:
        parse_value, parse_literal = _checked_string(FORMATS[name])
        return GraphQLScalarType(
            name, serialize=_identity, parse_value=parse_value, parse_literal=parse_literal
        )
    return GraphQLScalarType(
        name, serialize=_identity, parse_value=_string_value, parse_literal=_string_literal
    )


#: Marks an ``Int`` argument that also takes its number as a string of digits, as Hasura's ``bigInt`` parser
#: does for ``offset`` (a 64-bit offset cannot always be a GraphQL Int). Set in the argument's extensions.
DIGIT_STRING_ACCEPTED = "qapress_digit_string_accepted"


def digit_string_value(argument: GraphQLArgument, node: ValueNode) -> int | None:
    """The number a string literal such as ``"1"`` stands for where ``argument`` accepts one, else None."""
    if not argument.extensions.get(DIGIT_STRING_ACCEPTED) or not isinstance(node, StringValueNode):
        return None
    return int(node.value) if node.value.isascii() and node.value.isdigit() else None
