"""Every permission decision: who may read, insert, update or delete what, inherited roles, admin.

admin reads and writes every column of every row (writes only where the table or view takes them). Other
roles read what their select permission grants: the listed columns (the rest are absent from their schema),
the rows its filter matches (ANDed into every read, nested reads included), at most ``limit`` rows per list,
aggregates only with ``allow_aggregations``; they insert, update and delete as their mutation permissions
say (an inherited role: see :func:`mutation_permission`). Filters may name session variables
(``X-Hasura-User-Id``, any case), bound per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from qapress.engine.metadata import (
    DeletePermission,
    InsertPermission,
    SelectPermission,
    TableMetadata,
    UpdatePermission,
)
from qapress.engine.values import SessionRef

if TYPE_CHECKING:
    from qapress.engine.model import TrackedTable

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
    computed = tuple(dict.fromkeys(c for p in parents for c in p.computed_fields))
    column_filters: dict[str, Any] = {}
    # Scalar computed fields are guarded like columns.
    for name, reads in [(c, _reads_column) for c in union] + [(c, _reads_computed) for c in computed]:
        guard = _cell_guard(parents, name, reads)
        if guard is not None:
            column_filters[name] = guard
    limits = [p.limit for p in parents]
    return SelectPermission(
        columns=union,
        filter=_any_of([p.filter for p in parents]),
        limit=None if None in limits else max(limit for limit in limits if limit is not None),
        allow_aggregations=any(p.allow_aggregations for p in parents),
        column_filters=column_filters,
        computed_fields=computed,
    )


MutationPermission = TypeVar("MutationPermission", InsertPermission, UpdatePermission, DeletePermission)


def mutation_permission(
    own: Mapping[str, MutationPermission],
    role: str,
    inherited: Mapping[str, tuple[str, ...]] | None = None,
    _seen: frozenset[str] = frozenset(),
) -> MutationPermission | None:
    """A role's insert, update or delete permission on a table (``own``: the table's, by role).

    Hasura lets an inherited role without a permission of its own inherit a mutation permission only when
    its parents that have one agree on it (column order aside); parents that disagree leave the role without
    it (Hasura marks that inconsistent), since no merge of two write rules is safe. Any depth.
    """
    permission = own.get(role)
    if permission is not None or not inherited or role not in inherited or role in _seen:
        return permission
    parents = [
        p
        for parent in inherited[role]
        if (p := mutation_permission(own, parent, inherited, _seen | {role})) is not None
    ]
    if not parents or any(_comparable(p) != _comparable(parents[0]) for p in parents[1:]):
        return None
    return parents[0]


def insert_permission(table: TrackedTable, role: str) -> InsertPermission | None:
    if not table.table.insertable:
        return None
    if role == ADMIN:
        return InsertPermission(check={}, columns="*")
    return mutation_permission(table.meta.insert_permissions, role, table.inherited_roles)


def update_permission(table: TrackedTable, role: str) -> UpdatePermission | None:
    if not table.table.updatable:
        return None
    if role == ADMIN:
        return UpdatePermission(columns="*", filter={})
    return mutation_permission(table.meta.update_permissions, role, table.inherited_roles)


def delete_permission(table: TrackedTable, role: str) -> DeletePermission | None:
    if not table.table.deletable:
        return None
    if role == ADMIN:
        return DeletePermission(filter={})
    return mutation_permission(table.meta.delete_permissions, role, table.inherited_roles)


def insertable_columns(table: TrackedTable, permission: InsertPermission) -> list[str]:
    """Columns the role may give values for: the permission's, less the ones preset by ``set``."""
    allowed = table.table.columns if permission.columns == "*" else permission.columns
    return [c for c in table.table.columns if c in allowed and c not in permission.set]


def updatable_columns(table: TrackedTable, permission: UpdatePermission) -> list[str]:
    allowed = table.table.columns if permission.columns == "*" else permission.columns
    return [c for c in table.table.columns if c in allowed and c not in permission.set]


def function_permitted(granted: tuple[str, ...], role: str, infer: bool) -> bool:
    """Whether ``role`` may see a tracked function granted to ``granted`` (it also needs a select permission
    on what the function returns); ``infer``: Hasura's inferred function permissions, every role."""
    return infer or role == ADMIN or role in granted


def _comparable(permission: MutationPermission) -> MutationPermission:
    columns = getattr(permission, "columns", "*")
    if columns == "*":
        return permission
    return replace(permission, columns=tuple(sorted(columns)))  # type: ignore[call-arg]


def _reads_column(permission: SelectPermission, name: str) -> bool:
    return name in permission.columns


def _reads_computed(permission: SelectPermission, name: str) -> bool:
    return name in permission.computed_fields


def _cell_guard(
    parents: list[SelectPermission], name: str, reads: Callable[[SelectPermission, str], bool]
) -> Any:
    """The rows on which an inherited role may see ``name``: those some parent shows it on; None for all.

    A parent that is itself inherited may show ``name`` on some of its rows only (its own
    ``column_filters``), so that guard goes into the condition too: dropping it would show the cell on every
    row of that parent, at any depth of inheritance.
    """
    readers = [p for p in parents if reads(p, name)]
    if len(readers) == len(parents) and not any(name in p.column_filters for p in readers):
        return None  # every row the role reads shows it
    condition = _any_of([_and(p.filter, p.column_filters.get(name)) for p in readers])
    return condition or None  # {}: a parent shows it on every row


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
