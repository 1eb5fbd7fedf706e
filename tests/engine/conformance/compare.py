"""Hasura's response comparison (README, "Comparison"), returning what differs instead of raising.

Parsed JSON is compared, array order matters, and the key order of objects that answer a selection set
matters (fields come back in the order asked). Keys inside JSON scalars and inside ``errors`` may come in any
order. When the response cannot be mapped onto the first operation's selection set (aliases, fragments,
batches) key order is ignored entirely, as upstream does.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse
from graphql.error import GraphQLError


def _numbers_equal(left: Any, right: Any) -> bool:
    both_numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    return both_numbers and float(left) == float(right)


def json_equal(expected: Any, actual: Any) -> bool:
    """Equality of parsed JSON, where ``2 == 2.0`` but ``'1' != 1`` and ``true != 1``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(json_equal(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            json_equal(e, a) for e, a in zip(expected, actual, strict=True)
        )
    if _numbers_equal(expected, actual):
        return True
    return type(expected) is type(actual) and expected == actual


def selection_tree(query: str, operation_name: str | None) -> SelectionSetNode | None:
    """The selection set the response's key order must follow, or None when it cannot be mapped.

    Upstream maps only plain fields: with aliases, fragments or directives key order is not compared.
    """
    try:
        document = parse(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(document.definitions) != len(operations):
        return None
    chosen = [
        op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)
    ]
    if not chosen:
        return None

    def plain(selection_set: SelectionSetNode) -> bool:
        for selection in selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.alias or selection.directives:
                return False
            if selection.selection_set and not plain(selection.selection_set):
                return False
        return True

    return chosen[0].selection_set if plain(chosen[0].selection_set) else None


def key_order_differences(selection: SelectionSetNode, actual: Any, path: str) -> list[str]:
    """Where ``actual``'s objects list their keys in another order than ``selection`` asks."""
    if isinstance(actual, list):
        return [
            d for i, item in enumerate(actual) for d in key_order_differences(selection, item, f"{path}[{i}]")
        ]
    if not isinstance(actual, dict):
        return []
    wanted = [field.name.value for field in selection.selections if isinstance(field, FieldNode)]
    wanted_present = [name for name in dict.fromkeys(wanted) if name in actual]
    problems = []
    if [k for k in actual if k in wanted_present] != wanted_present:
        problems.append(f"{path}: keys {list(actual)} not in the order asked {wanted_present}")
    for field in selection.selections:
        if isinstance(field, FieldNode) and field.selection_set and field.name.value in actual:
            name = field.name.value
            problems.extend(key_order_differences(field.selection_set, actual[name], f"{path}.{name}"))
    return problems


def compare_response(expected: Any, actual: Any, request: Any) -> list[str]:
    """The differences between an expected and an actual response body; empty when they match."""
    if not json_equal(expected, actual):
        return [f"body differs:\n  expected {expected!r}\n  actual   {actual!r}"]
    if isinstance(request, dict) and isinstance(actual, dict) and isinstance(actual.get("data"), dict):
        query = request.get("query")
        if isinstance(query, str):
            selection = selection_tree(query, request.get("operationName"))
            if selection is not None:
                return key_order_differences(selection, actual["data"], "$.data")
    return []
