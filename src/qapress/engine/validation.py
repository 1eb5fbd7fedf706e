"""graphql-core's validation messages reworded the way Hasura words them, with Hasura's JSON paths.

Hasura names the place of an error by walking the query: ``$.selectionSet.author.args.where.name._ne``,
``$.selectionSet.author.selectionSet.notPresentCol``; fragment spreads appear by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    Node,
    NoUnusedVariablesRule,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValuesOfCorrectTypeRule,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    specified_rules,
    visit,
)

from qapress.engine.errors import EngineError, ParseFailed, ValidationFailed
from qapress.engine.scalars import digit_string_value


class _HasuraValuesRule(ValuesOfCorrectTypeRule):
    """graphql-core's literal check, except where Hasura's parser also takes a string of digits for an Int."""

    def enter_string_value(self, node: StringValueNode, *args: Any) -> None:
        argument = self.context.get_argument()
        if argument is not None and digit_string_value(argument, node) is not None:
            return
        super().enter_string_value(node, *args)


#: The rules queries are validated with: the specified ones, with Hasura's leniency about digit strings, and
#: without "all variables used": Hasura answers an operation that declares a variable it never uses.
VALIDATION_RULES: tuple[type[ASTValidationRule], ...] = tuple(
    _HasuraValuesRule if rule is ValuesOfCorrectTypeRule else rule
    for rule in specified_rules
    if rule is not NoUnusedVariablesRule
)


def _cycle(groups: tuple[str | None, ...]) -> str:
    names = [groups[0] or ""] + [n.strip().strip("'") for n in (groups[1] or "").split(",") if n.strip()]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"the fragment definition(s) {joined} form a cycle"


def _literal_kind(text: str) -> str:
    if text.startswith('"'):
        return "a string"
    if text in ("true", "false"):
        return "a boolean"
    if text.startswith(("{", "[")):
        return "an object" if text.startswith("{") else "a list"
    if re.fullmatch(r"-?\d+", text):
        return "an integer"
    return "a number"


_Rule = tuple[re.Pattern[str], Callable[[tuple[str | None, ...]], str]]
_RULES: list[_Rule] = [
    (
        re.compile(r"Cannot query field '([^']+)' on type '([^']+)'\..*"),
        lambda g: f"field \"{g[0]}\" not found in type: '{g[1]}'",
    ),
    (
        re.compile(r"Field '([^']+)' is not defined by type '([^']+)'\..*"),
        lambda g: f"field \"{g[0]}\" not found in type: '{g[1]}'",
    ),
    (
        re.compile(r"Unknown argument '([^']+)' on field '[^.]+\.([^']+)'\..*"),
        lambda g: f'"{g[1]}" has no argument named "{g[0]}"',
    ),
    (
        re.compile(r"Unknown directive '@([^']+)'\."),
        lambda g: f'directive "{g[0]}" is not defined in the schema',
    ),
    (
        re.compile(r"Directive '@([^']+)' may not be used on (query|mutation|subscription)\.", re.IGNORECASE),
        lambda g: f'directive "{g[0]}" is not allowed on a {(g[1] or "").lower()}',
    ),
    (
        re.compile(r"The directive '@([^']+)' can only be used once at this location\."),
        lambda g: f"the following directives are used more than once: {g[0]}",
    ),
    (
        re.compile(r"Variable '\$([^']+)' of required type '([^']+)' was not provided\."),
        lambda g: f'expecting a value for non-nullable variable: "{g[0]}"',
    ),
    (
        re.compile(r"Variable '\$([^']+)' of non-null type '([^']+)' must not be null\."),
        lambda g: f'expecting a value for non-nullable variable: "{g[0]}"',
    ),
    (
        re.compile(r"Variable '\$([^']+)' of type '([^']+)' used in position expecting type '([^']+)'\."),
        lambda g: f'variable "{g[0]}" is declared as {g[1]}, but used where {g[2]} is expected',
    ),
    (re.compile(r"Cannot spread fragment '([^']+)' within itself(?: via (.+))?\."), _cycle),
    (re.compile(r"Unknown fragment '([^']+)'\."), lambda g: f'fragment "{g[0]}" not found'),
    (re.compile(r"Unknown type '([^']+)'\..*"), lambda g: f'unknown type "{g[0]}"'),
    (
        re.compile(r"Int cannot represent non[- ].*value: (.*)"),
        lambda g: f'expected a 32-bit integer for type "Int", but found {_literal_kind(g[0] or "")}',
    ),
    (
        re.compile(r"(Float|String|Boolean) cannot represent a? ?non[- ].*value: (.*)"),
        lambda g: (
            f'expected a {(g[0] or "").lower()} for type "{g[0]}", but found {_literal_kind(g[1] or "")}'
        ),
    ),
]


_INT_OUT_OF_RANGE = re.compile(r"Int cannot represent non 32-bit signed integer value: (-?\d+)$")


def hasura_error(
    error: GraphQLError, document: DocumentNode | None = None, schema: GraphQLSchema | None = None
) -> EngineError:
    """The error Hasura reports for a graphql-core validation error: a parse failure for an Int literal out of
    range (Hasura's integer parser rejects it after validation), a validation failure for everything else."""
    overflow = _INT_OUT_OF_RANGE.match(error.message)
    if overflow:
        return ParseFailed(
            f"The value {scientific(overflow.group(1))} lies outside the bounds or is not an integer.  "
            "Maybe it is a float, or is there integer overflow?",
            _path(error, document),
        )
    message, path = hasura_message(error, document, schema)
    return ValidationFailed(message, path)


def scientific(integer: str) -> str:
    """An integer's decimal text as Haskell shows a ``Scientific`` (Hasura's messages): ``2.147483648e9``."""
    sign, digits = ("-", integer[1:]) if integer.startswith("-") else ("", integer)
    digits = digits.lstrip("0")
    if not digits:
        return "0.0"
    exponent = len(digits)
    significant = digits.rstrip("0")
    if exponent > 7:
        return f"{sign}{significant[0]}.{significant[1:] or '0'}e{exponent - 1}"
    return f"{sign}{digits}.0"


def hasura_message(
    error: GraphQLError, document: DocumentNode | None = None, schema: GraphQLSchema | None = None
) -> tuple[str, str]:
    """The message and JSON path Hasura would give for a graphql-core validation or coercion error."""
    text = error.message
    path = _path(error, document)
    null = re.match(r"Expected value of type '([^'!]+)!', found null\.", text)
    if null:
        type_ = schema.get_type(null.group(1)) if schema is not None else None
        if isinstance(type_, GraphQLInputObjectType):
            return f'expected an object for type "{null.group(1)}", but found null', path
        return f'unexpected null value for type "{null.group(1)}"', path
    for pattern, template in _RULES:
        match = pattern.match(text)
        if match:
            message = template(match.groups())
            if text.startswith("Unknown argument") and ".args." in path:
                path = path.rsplit(".args.", 1)[0]  # Hasura names the field, not the argument
            if path.endswith((".args.limit", ".args.offset")) and "32-bit integer" in message:
                message = message.replace("a 32-bit", "a non-negative 32-bit")
            return message, path
    return text, path


def _path(error: GraphQLError, document: DocumentNode | None) -> str:
    if error.path:
        return "$." + ".".join(str(p) for p in error.path)
    if document is not None and error.nodes:
        # A fragment cycle lists every spread on the way round, a misplaced variable its definition and its use:
        # Hasura names the place of the last one.
        last = error.message.startswith("Cannot spread fragment") or "used in position" in error.message
        node = error.nodes[-1] if last else error.nodes[0]
        found = locate(document, node)
        if found is not None:
            return found
    return "$.selectionSet"


def locate(document: DocumentNode, target: Node) -> str | None:
    """Hasura's path to ``target`` inside the document's operations, or None when it is not reached."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if any(d is target for d in definition.directives or ()):
                return "$"
            found = _in_selections(definition.selection_set, "$", target, fragments, frozenset())
            if found is not None:
                return found
    return None


def _in_selections(
    selection_set: SelectionSetNode,
    prefix: str,
    target: Node,
    fragments: dict[str, FragmentDefinitionNode],
    entered: frozenset[str],
) -> str | None:
    here = f"{prefix}.selectionSet"
    for selection in selection_set.selections:
        if selection is target or any(
            d is target or _contains(d, target) for d in selection.directives or ()
        ):
            if isinstance(selection, FieldNode) and selection is target:
                return f"{here}.{(selection.alias or selection.name).value}"
            return here
        if isinstance(selection, FieldNode):
            field_path = f"{here}.{(selection.alias or selection.name).value}"
            for argument in selection.arguments or ():
                arg_path = f"{field_path}.args.{argument.name.value}"
                if argument is target:
                    return arg_path
                found = _in_value(argument.value, arg_path, target)
                if found is not None:
                    return found
            if selection.selection_set is not None:
                found = _in_selections(selection.selection_set, field_path, target, fragments, entered)
                if found is not None:
                    return found
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in entered:
                found = _in_selections(
                    fragments[name].selection_set, f"{here}.{name}", target, fragments, entered | {name}
                )
                if found is not None:
                    return found
        elif isinstance(selection, InlineFragmentNode):
            found = _in_selections(selection.selection_set, prefix, target, fragments, entered)
            if found is not None:
                return found
    return None


def _in_value(value: Node, path: str, target: Node) -> str | None:
    if value is target:
        return path
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            field_path = f"{path}.{field.name.value}"
            if field is target:
                return field_path
            found = _in_value(field.value, field_path, target)
            if found is not None:
                return found
    if isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            found = _in_value(item, f"{path}[{index}]", target)
            if found is not None:
                return found
    return None


def _contains(directive: DirectiveNode, target: Node) -> bool:
    return any(a is target or a.value is target for a in directive.arguments or ())


def variable_path(document: DocumentNode, name: str) -> str:
    """Hasura's path to the first use of variable ``$name`` in the document's operations."""
    uses: list[Node] = []

    class _Uses(Visitor):
        def enter_variable(self, node: VariableNode, _key: Any, parent: Any, *_args: Any) -> None:
            if node.name.value == name and not isinstance(parent, VariableDefinitionNode) and not uses:
                uses.append(node)

    visit(document, _Uses())
    found = locate(document, uses[0]) if uses else None
    return found or "$"
