"""A GraphQL query operation compiled into ONE SQL statement whose single value is the ``data`` JSON.

Two phases, as pg_graphql splits ``builder`` from ``transpile``: :mod:`.builder` reads the AST into a typed
:class:`~.selection.QueryPlan` (permissions resolved, arguments checked), :mod:`.render` writes the plan as
SQL for the dialect. A request's values are always bound parameters, and the plan records where each one
comes from (see :mod:`.plan`); only the metadata's permission constants are written as literals
(:func:`~.dialects.sql_literal`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, GraphQLField, OperationDefinitionNode, SelectionSetNode

from qapress.engine.boolexp import BoolExpCompiler
from qapress.engine.builder import DIRECTIONS, MAX_INT, CompileOptions, SelectedField, SelectionBuilder
from qapress.engine.dialects import Dialect
from qapress.engine.model import Model
from qapress.engine.params import ParamCollector
from qapress.engine.plan import Param
from qapress.engine.render import GUARD, Renderer
from qapress.engine.schema import RoleSchema
from qapress.engine.selection import QueryPlan

__all__ = [
    "DIRECTIONS",
    "GUARD",
    "MAX_INT",
    "CompileOptions",
    "CompiledOperation",
    "OperationCompiler",
    "SelectedField",
]


@dataclass(frozen=True)
class CompiledOperation:
    sql: str
    params: tuple[Param, ...]
    shaping: frozenset[str]


class OperationCompiler:
    """One operation's builder and renderer, sharing one parameter list and one alias counter (the mutation
    path composes its statements from both)."""

    def __init__(
        self,
        model: Model,
        role_schema: RoleSchema,
        dialect: Dialect,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        options: CompileOptions,
    ) -> None:
        self.model = model
        self.role = role_schema.role
        self.role_schema = role_schema
        self.schema = role_schema.schema
        self.dialect = dialect
        self.fragments = fragments
        self.options = options
        self.builder = SelectionBuilder(
            model, role_schema, fragments, variables, options, dialect.extended_operators
        )
        self.values = self.builder.values
        self.params = ParamCollector(dialect)
        self._aliases = 0
        self.where = BoolExpCompiler(
            model, self.role, dialect, self.params, self.alias, reader=self.builder.conditions
        )
        self.renderer = Renderer(
            dialect, self.params, self.where, self.alias, options.stringify_numeric_types
        )

    @property
    def path(self) -> str:
        """Hasura's JSON path of the field being read, for error messages."""
        return self.builder.path

    @path.setter
    def path(self, value: str) -> None:
        self.builder.path = value

    def alias(self, prefix: str = "_t") -> str:
        self._aliases += 1
        return f"{prefix}{self._aliases}"

    def plan(self, operation: OperationDefinitionNode, skip: tuple[str, ...] = ()) -> QueryPlan:
        """The builder phase alone: the operation's typed plan."""
        return self.builder.operation(operation, skip)

    def render(self, plan: QueryPlan) -> CompiledOperation:
        """The render phase alone: the plan as one statement and its parameters."""
        text, params = self.params.finish(self.renderer.operation(plan))
        return CompiledOperation(text, params, plan.shaping)

    def compile(self, operation: OperationDefinitionNode, skip: tuple[str, ...] = ()) -> CompiledOperation:
        """The whole operation as one statement; root fields named in ``skip`` are left out."""
        return self.render(self.plan(operation, skip))

    # --- the AST, for the mutation path and the cost estimate ------------------------------------
    def collect(self, selection_set: SelectionSetNode | None) -> list[SelectedField]:
        return self.builder.collect(selection_set)

    def sub_fields(self, fields: SelectedField) -> list[SelectedField]:
        return self.builder.sub_fields(fields)

    def arguments(self, node: FieldNode, definition: GraphQLField) -> dict[str, Any]:
        return self.builder.arguments(node, definition)


#: The former private name, still used by code written against it (the conformance branch's mutations).
_Fields = SelectedField
