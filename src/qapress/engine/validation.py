"""graphql-core's validation messages reworded the way Hasura words them, with Hasura-style JSON paths."""

from __future__ import annotations

import re

from graphql import GraphQLError

_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Cannot query field '([^']+)' on type '([^']+)'\..*"),
        "field \"{0}\" not found in type: '{1}'",
    ),
    (
        re.compile(r"Field '([^']+)' is not defined by type '([^']+)'\..*"),
        "field \"{0}\" not found in type: '{1}'",
    ),
    (
        re.compile(r"Unknown argument '([^']+)' on field '[^.]+\.([^']+)'\..*"),
        '"{1}" has no argument named "{0}"',
    ),
    (re.compile(r"Unknown directive '@([^']+)'\."), 'directive "{0}" is not defined in the schema'),
    (
        re.compile(r"Directive '@([^']+)' may not be used on (QUERY|MUTATION|SUBSCRIPTION)\."),
        'directive "{0}" is not allowed on a query',
    ),
    (
        re.compile(r"The directive '@([^']+)' can only be used once at this location\."),
        "the following directives are used more than once: {0}",
    ),
    (
        re.compile(r"Variable '\$([^']+)' of required type '([^']+)' was not provided\."),
        'expecting a value for non-nullable variable: "{0}"',
    ),
    (
        re.compile(r"Variable '\$([^']+)' of non-null type '([^']+)' must not be null\."),
        'expecting a value for non-nullable variable: "{0}"',
    ),
    (
        re.compile(r"Variable '\$([^']+)' of type '([^']+)' used in position expecting type '([^']+)'\."),
        'variable "{0}" is declared as {1}, but used where {2} is expected',
    ),
    (
        re.compile(r"Cannot spread fragment '([^']+)' within itself.*"),
        "the fragment definition(s) {0} form a cycle",
    ),
    (re.compile(r"Unknown fragment '([^']+)'\."), 'fragment "{0}" not found'),
    (re.compile(r"Unknown type '([^']+)'\..*"), 'unknown type "{0}"'),
]


def hasura_message(error: GraphQLError) -> tuple[str, str]:
    """The message and JSON path Hasura would give for a graphql-core validation or coercion error."""
    text = error.message
    for pattern, template in _RULES:
        match = pattern.match(text)
        if match:
            return template.format(*match.groups()), _path(error)
    return text, _path(error)


def _path(error: GraphQLError) -> str:
    if error.path:
        return "$." + ".".join(str(p) for p in error.path)
    return "$.selectionSet"
