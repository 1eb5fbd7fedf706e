"""Argument values read from the query's AST, with variables either kept as references (bound later, per
request) or, where they shape the SQL, replaced by their values and remembered as shaping variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    Undefined,
    ValueNode,
    VariableNode,
    value_from_ast,
)

from qapress.engine.errors import ValidationFailed


@dataclass(frozen=True)
class VarRef:
    """A request variable standing for a leaf value (or a list of leaves): bound per request."""

    name: str


@dataclass(frozen=True)
class SessionRef:
    """A session variable (``x-hasura-user-id``) used in a permission: bound per request."""

    name: str


#: The Python types a metadata constant may have (JSON's scalars).
MetadataScalar = Union[str, int, float, bool, None]  # noqa: UP007


@dataclass(frozen=True)
class MetadataConstant:
    """A scalar written in the metadata's permission filters (``status: {_eq: published}``), never one from
    a request: the only value :func:`~.dialects.sql_literal` writes into SQL text, so that the planner sees
    the constant (a partial index, the row estimate) while every request's value stays a bound parameter.

    Made only by :class:`~.conditions.ConditionReader` when it reads a permission filter (and by
    :meth:`converted`, for the same value as it is bound); anything but a JSON scalar is refused.
    """

    value: MetadataScalar

    def __post_init__(self) -> None:
        if self.value is not None and type(self.value) not in (str, int, float, bool):
            raise TypeError(f"a metadata constant is a JSON scalar, not {type(self.value).__name__}")

    def converted(self, value: MetadataScalar) -> MetadataConstant:
        """The same constant after the conversion every bound value of its column gets (``_integer_bool``,
        a LIKE pattern turned into a GLOB): still from the metadata."""
        return MetadataConstant(value)


class ValueReader:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables
        self.shaping: set[str] = set()

    def variable(self, name: str) -> Any:
        """A variable's value used where it shapes the SQL (a directive, a whole object, an enum)."""
        self.shaping.add(name)
        return self.variables.get(name)

    def read(self, node: ValueNode, type_: GraphQLInputType) -> Any:
        nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(node, VariableNode):
            name = node.name.value
            if _is_scalar_or_scalar_list(nullable):
                return VarRef(name)
            return self.variable(name)
        if isinstance(node, NullValueNode):
            return None
        if isinstance(nullable, GraphQLList):
            item_type = nullable.of_type
            if isinstance(node, ListValueNode):
                return [self.read(item, item_type) for item in node.values]
            return [self.read(node, item_type)]
        if isinstance(nullable, GraphQLInputObjectType):
            if not isinstance(node, ObjectValueNode):
                raise ValidationFailed(f'expected an object for type "{nullable.name}"')
            fields = nullable.fields
            # An input field may stand for a column of another name (a custom column name): its out_name.
            return {
                fields[f.name.value].out_name or f.name.value: self.read(f.value, fields[f.name.value].type)
                for f in node.fields
            }
        value = value_from_ast(node, nullable)
        if value is None or value is Undefined:
            raise ValidationFailed(f"invalid literal for type {nullable}")
        return value


def _is_scalar_or_scalar_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLList):
        type_ = type_.of_type
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
    return isinstance(type_, GraphQLScalarType)
