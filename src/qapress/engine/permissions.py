"""Who may read what: a role's select permission on a table, and permission filters made bindable.

admin reads every column of every row. Other roles read what their select permission grants: the listed
columns (the rest are absent from their schema), the rows its filter matches (ANDed into every read,
nested reads included), at most ``limit`` rows per list, aggregates only with ``allow_aggregations``.
Filters may name session variables (``X-Hasura-User-Id``, any case), bound per request.
"""

from __future__ import annotations

from typing import Any

from qapress.engine.metadata import SelectPermission, TableMetadata
from qapress.engine.values import SessionRef

ADMIN = "admin"
ANONYMOUS = "anonymous"
SESSION_PREFIX = "x-hasura-"


def select_permission(meta: TableMetadata, columns: tuple[str, ...], role: str) -> SelectPermission | None:
    """The role's select permission with ``"*"`` expanded, or None when the role may not read the table."""
    if role == ADMIN:
        computed = tuple(c.name for c in meta.computed_fields)
        return SelectPermission(columns=columns, filter={}, allow_aggregations=True, computed_fields=computed)
    permission = meta.select_permissions.get(role)
    if permission is not None and permission.columns == "*":
        return SelectPermission(
            columns,
            permission.filter,
            permission.limit,
            permission.allow_aggregations,
            permission.computed_fields,
            permission.field_filters,
        )
    return permission


def with_session_refs(exp: Any) -> Any:
    """A permission filter with session variable names used as values replaced by :class:`SessionRef`."""
    if isinstance(exp, dict):
        return {k: with_session_refs(v) for k, v in exp.items()}
    if isinstance(exp, list):
        return [with_session_refs(v) for v in exp]
    if isinstance(exp, str) and exp.lower().startswith(SESSION_PREFIX):
        return SessionRef(exp.lower())
    return exp
