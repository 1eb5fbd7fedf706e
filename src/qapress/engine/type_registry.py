"""The named GraphQL types of one role's schema, shared by the builders of its two roots.

``query_root`` (``schema.py``) and ``mutation_root`` (``mutation_schema.py``) must hand out the very same
``T``, ``T_bool_exp`` and scalar objects, since graphql-core refuses two types of one name. Both builders
hold one :class:`TypeRegistry`; the mutation builder reaches the table types it shares through
:class:`TableTypes`, so neither module imports the other's builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLOutputType,
)

from qapress.engine.functions import TrackedFunction
from qapress.engine.model import Model, TrackedTable


@dataclass
class TypeRegistry:
    """One role's named types, by name, as built so far."""

    objects: dict[str, GraphQLObjectType] = field(default_factory=dict)
    inputs: dict[str, GraphQLInputObjectType] = field(default_factory=dict)
    enums: dict[str, GraphQLEnumType] = field(default_factory=dict)


class TableTypes(Protocol):
    """What the mutation root takes from the query root's builder: a table's types, built once for both."""

    @property
    def model(self) -> Model: ...

    @property
    def role(self) -> str: ...

    @property
    def types(self) -> TypeRegistry: ...

    @property
    def visible(self) -> Mapping[tuple[str, str], TrackedTable]:
        """The tables the role may read, by key."""

    @property
    def extended_operators(self) -> bool:
        """Whether PostgreSQL's own operators (regex, jsonb, ltree) exist on this database."""

    def columns(self, table: TrackedTable) -> list[str]: ...

    def object_type(self, table: TrackedTable) -> GraphQLObjectType: ...

    def bool_exp(self, table: TrackedTable) -> GraphQLInputObjectType: ...

    def pk_args(self, table: TrackedTable) -> dict[str, GraphQLArgument]: ...

    def scalar(self, table: TrackedTable, column: str) -> GraphQLInputType: ...

    def column_input(
        self, table: TrackedTable, column: str, type_: GraphQLInputType
    ) -> GraphQLInputField: ...

    def function_visible(self, function: TrackedFunction) -> bool: ...

    def function_args(self, function: TrackedFunction, table: TrackedTable) -> dict[str, GraphQLArgument]: ...

    def function_type(self, function: TrackedFunction, table: TrackedTable) -> GraphQLOutputType: ...
