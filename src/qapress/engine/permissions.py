"""Who may read what: a role's select permission on a table, and permission filters made bindable.

admin reads every column of every row. Other roles read what their select permission grants: the listed
columns (the rest are absent from their schema), the rows its filter matches (ANDed into every read,
nested reads included), at most ``limit`` rows per list, aggregates only with ``allow_aggregations``.
Filters may name session variables (``X-Hasura-User-Id``, any case), bound per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from qapress.engine.metadata import SelectPermission, TableMetadata
from qapress.engine.values import SessionRef

ADMIN = "admin"
ANONYMOUS = "anonymous"
SESSION_PREFIX = "x-hasura-"


def select_permission(
    meta: TableMetadata,
    columns: tuple[str, ...],
    role: str,
    inherited: Mapping[str, tuple[str, ...]] | None = None,
    _seen: frozenset[str] = frozenset(),
) -> SelectPermission | None:
    """The role's select permission with ``"*"`` expanded, or None when the role may not read the table.

    An inherited role without a permission of its own combines its parents' as Hasura does: the union of
    their columns, rows any of them may read, the largest limit; a column only some parents may read is
    readable on the rows of those parents (``column_filters``) and null elsewhere.
    """
    if role == ADMIN:
        computed = tuple(c.name for c in meta.computed_fields)
        return SelectPermission(columns=columns, filter={}, allow_aggregations=True, computed_fields=computed)
    permission = meta.select_permissions.get(role)
    if permission is not None and permission.columns == "*":
        return replace(permission, columns=columns)
    if permission is not None or not inherited or role not in inherited or role in _seen:
        return permission
    parents = [
        p
        for parent in inherited[role]
        if (p := select_permission(meta, columns, parent, inherited, _seen | {role})) is not None
    ]
    if not parents:
        return None
    union = tuple(c for c in columns if any(c in p.columns for p in parents))
    column_filters: dict[str, Any] = {}
    for column in union:
        readers = [p for p in parents if column in p.columns]
        if len(readers) < len(parents):
            condition = _any_of([_and(p.filter, p.column_filters.get(column)) for p in readers])
            if condition:
                column_filters[column] = condition
    computed = tuple(dict.fromkeys(c for p in parents for c in p.computed_fields))
    for name in computed:  # scalar computed fields are guarded like columns
        readers = [p for p in parents if name in p.computed_fields]
        if len(readers) < len(parents):
            condition = _any_of([_and(p.filter, p.column_filters.get(name)) for p in readers])
            if condition:
                column_filters[name] = condition
    limits = [p.limit for p in parents]
    return SelectPermission(
        columns=union,
        filter=_any_of([p.filter for p in parents]),
        limit=None if None in limits else max(limit for limit in limits if limit is not None),
        allow_aggregations=any(p.allow_aggregations for p in parents),
        column_filters=column_filters,
        computed_fields=computed,
    )


def _and(first: Any, second: Any) -> Any:
    if not second:
        return first
    if not first:
        return second
    return {"_and": [first, second]}


def _any_of(filters: list[Any]) -> Any:
    """OR of filters; ``{}`` (every row) absorbs the rest."""
    if any(not f for f in filters):
        return {}
    return filters[0] if len(filters) == 1 else {"_or": filters}


def with_session_refs(exp: Any) -> Any:
    """A permission filter with session variable names used as values replaced by :class:`SessionRef`."""
    if isinstance(exp, dict):
        return {k: with_session_refs(v) for k, v in exp.items()}
    if isinstance(exp, list):
        return [with_session_refs(v) for v in exp]
    if isinstance(exp, str) and exp.lower().startswith(SESSION_PREFIX):
        return SessionRef(exp.lower())
    return exp
