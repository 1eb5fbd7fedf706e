"""Hasura boolean expressions (``where`` arguments and permission filters) compiled to SQL conditions.

User ``where`` clauses that cross a relationship see only the rows the role may read there; permission
filters are trusted metadata and cross relationships unfiltered, as in Hasura. Permission filters also accept
the metadata spellings: ``column: value`` shorthand, ``$``-prefixed operators, ``_exists`` and ``_c*`` column
comparisons, and session variables (``X-Hasura-User-Id``, any case) as values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from qapress.engine.catalog import Column
from qapress.engine.dialects import Dialect, balanced, quote_ident
from qapress.engine.errors import ValidationFailed
from qapress.engine.metadata import TableName
from qapress.engine.model import Model, TrackedTable
from qapress.engine.params import ParamCollector, parse_list
from qapress.engine.permissions import with_session_refs
from qapress.engine.values import SessionRef, VarRef

TRUE, FALSE = "(1 = 1)", "(1 = 0)"
COMPARE = {"_eq": "=", "_neq": "<>", "_gt": ">", "_gte": ">=", "_lt": "<", "_lte": "<="}
COLUMN_COMPARE = {
    "_ceq": "=",
    "_cne": "<>",
    "_cneq": "<>",
    "_cgt": ">",
    "_cgte": ">=",
    "_clt": "<",
    "_clte": "<=",
}
REGEX = {"_regex": "~", "_iregex": "~*", "_nregex": "!~", "_niregex": "!~*"}
#: ltree's operators (PostgreSQL's ltree extension): Hasura's name -> (SQL operator, the operand's type).
LTREE = {
    "_ancestor": ("@>", "ltree"),
    "_ancestor_any": ("@>", "ltree[]"),
    "_descendant": ("<@", "ltree"),
    "_descendant_any": ("<@", "ltree[]"),
    "_matches": ("~", "lquery"),
    "_matches_any": ("?", "lquery[]"),
    "_matches_fulltext": ("@", "ltxtquery"),
}


class BoolExpCompiler:
    def __init__(
        self,
        model: Model,
        role: str,
        dialect: Dialect,
        params: ParamCollector,
        new_alias: Callable[[str], str],
    ) -> None:
        self.model = model
        self.role = role
        self.dialect = dialect
        self.params = params
        self.new_alias = new_alias
        self._cells: dict[tuple[str, str], str] = {}

    def cell(self, table: TrackedTable, alias: str, name: str, expr: str | None = None) -> str:
        """Column (or scalar computed field) ``name`` of row ``alias`` as the role sees it.

        An inherited role may see a cell on some rows only: elsewhere it reads as null, in the answer and
        equally in the role's ``where``, ``order_by`` and ``distinct_on``, so that no filter or sort can tell
        a hidden value. (Aggregates run over the stored values, as Hasura's do.) The same SQL is returned for the same cell, so expressions that must
        match (``distinct_on`` against ``order_by``) do.
        """
        expr = expr if expr is not None else f"{alias}.{quote_ident(name)}"
        permission = table.select_permission(self.role)
        guard = permission.column_filters.get(name) if permission is not None else None
        if not guard:
            return expr
        key = (alias, expr)
        if key not in self._cells:
            self._cells[key] = f"(CASE WHEN {self.permission(guard, table, alias)} THEN {expr} END)"
        return self._cells[key]

    def compile(self, exp: Any, table: TrackedTable, alias: str) -> str:
        """A user's ``where``: relationships crossed see only what the role may read."""
        return self._exp(exp, table, alias, alias, permission=False)

    def permission(self, exp: Any, table: TrackedTable, alias: str) -> str:
        """A permission filter from the metadata, with session variables bound per request."""
        return self._exp(with_session_refs(exp), table, alias, alias, permission=True)

    def _exp(self, exp: Any, table: TrackedTable, alias: str, root: str, permission: bool) -> str:
        if exp is None:
            raise ValidationFailed(
                f'expected an object for type "{table.graphql_name}_bool_exp", but found null'
            )
        if not isinstance(exp, dict):
            raise ValidationFailed(f'expected an object for type "{table.graphql_name}_bool_exp"')
        parts: list[str] = []
        for raw_key, value in exp.items():
            key = "_" + raw_key[1:] if raw_key.startswith("$") else raw_key
            if key == "_and":
                items = value if isinstance(value, list) else [value]
                inner = [self._exp(v, table, alias, root, permission) for v in items]
                parts.append("(" + balanced(inner, " AND ") + ")" if inner else TRUE)
            elif key == "_or":
                items = value if isinstance(value, list) else [value]
                inner = [self._exp(v, table, alias, root, permission) for v in items]
                parts.append("(" + balanced(inner, " OR ") + ")" if inner else FALSE)
            elif key == "_not":
                parts.append(f"(NOT {self._exp(value, table, alias, root, permission)})")
            elif key == "_exists":
                parts.append(self._exists(value, root, permission))
            elif key in table.table.columns:
                column = table.table.columns[key]
                expr = f"{alias}.{quote_ident(key)}"
                if not permission:
                    expr = self.cell(table, alias, key, expr)
                parts.append(self._column(column, expr, value, alias, root))
            elif key in table.computed:
                cf = table.computed[key]
                call = cf.call(alias, self.params)
                if cf.result is not None:
                    if not permission:
                        call = self.cell(table, alias, key, call)
                    parts.append(self._column(cf.result, call, value, alias, root))
                else:
                    assert cf.returns is not None
                    remote = self.model.tracked(cf.returns)
                    inner_alias = self.new_alias("_w")
                    conditions = []
                    remote_permission = remote.select_permission(self.role)
                    if not permission and remote_permission is not None and remote_permission.filter:
                        conditions.append(self.permission(remote_permission.filter, remote, inner_alias))
                    conditions.append(self._exp(value, remote, inner_alias, root, permission))
                    parts.append(
                        f"EXISTS (SELECT 1 FROM {call} AS {inner_alias} WHERE {' AND '.join(conditions)})"
                    )
            elif (rel_name := table.relationship_of(key) if not permission else None) or (
                permission and key in table.relationships
            ):
                rel = table.relationships[rel_name or key]
                remote = self.model.tracked(rel.remote)
                inner_alias = self.new_alias("_w")
                conditions = [
                    f"{inner_alias}.{quote_ident(r)} = {alias}.{quote_ident(local)}"
                    for local, r in rel.mapping
                ]
                remote_permission = remote.select_permission(self.role)
                if not permission and remote_permission is not None and remote_permission.filter:
                    conditions.append(self.permission(remote_permission.filter, remote, inner_alias))
                conditions.append(self._exp(value, remote, inner_alias, root, permission))
                parts.append(
                    f"EXISTS (SELECT 1 FROM {self._source(remote)} AS {inner_alias} "
                    f"WHERE {' AND '.join(conditions)})"
                )
            else:
                raise ValidationFailed(
                    f"field \"{raw_key}\" not found in type: '{table.graphql_name}_bool_exp'"
                )
        if not parts:
            return TRUE
        return parts[0] if len(parts) == 1 else "(" + balanced(parts, " AND ") + ")"

    def _source(self, table: TrackedTable) -> str:
        return self.dialect.qualified(table.table.schema, table.table.name)

    def _exists(self, value: Any, root: str, permission: bool) -> str:
        if not isinstance(value, dict) or "_table" not in value:
            raise ValidationFailed("_exists needs _table and _where")
        key = TableName.parse(value["_table"]).key
        if key not in self.model.tables:
            raise ValidationFailed(f'_exists: table "{key[1]}" is not tracked')
        table = self.model.tracked(key)
        alias = self.new_alias("_x")
        condition = self._exp(value.get("_where") or {}, table, alias, root, permission)
        return f"EXISTS (SELECT 1 FROM {self._source(table)} AS {alias} WHERE {condition})"

    def _column(self, column: Column, expr: str, value: Any, alias: str, root: str) -> str:
        if not isinstance(value, dict):
            value = {"_eq": value}  # the metadata's `column: value` shorthand
        parts: list[str] = []
        for raw_op, operand in value.items():
            op = "_" + raw_op[1:] if raw_op.startswith("$") else raw_op
            parts.append(self._operator(column, expr, op, operand, alias, root))
        if not parts:
            return TRUE
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _operator(self, column: Column, expr: str, op: str, operand: Any, alias: str, root: str) -> str:
        params = self.params
        extended = self.dialect.extended_operators
        if op in COMPARE:
            return f"({expr} {COMPARE[op]} {params.value(operand, column)})"
        if op in ("_in", "_nin"):
            if operand == []:
                return FALSE if op == "_in" else TRUE
            negate = "NOT " if op == "_nin" else ""
            return f"({expr} {negate}IN ({params.values(operand, column)}))"
        if op == "_is_null":
            if isinstance(operand, VarRef | SessionRef):
                flag = params.value(operand, None, _as_bool_param(self.dialect))
                return f"(({expr} IS NULL) = {flag})"
            if operand is None:
                raise ValidationFailed('unexpected null value for type "Boolean"')
            return f"({expr} IS {'' if operand else 'NOT '}NULL)"
        if op in ("_like", "_nlike", "_ilike", "_nilike"):
            insensitive = op in ("_ilike", "_nilike")
            convert = self.dialect.like_pattern(insensitive)
            sql = self.dialect.like(expr, op.startswith("_n"), insensitive)
            return sql.replace(self.dialect.placeholder, params.text(operand, convert), 1)
        if op in REGEX and extended:
            return f"({expr} {REGEX[op]} {params.text(operand)})"
        if op in ("_similar", "_nsimilar") and extended:
            negate = "NOT " if op == "_nsimilar" else ""
            return f"({expr} {negate}SIMILAR TO {params.text(operand)})"
        if extended and op in ("_contains", "_contained_in"):
            sign = "@>" if op == "_contains" else "<@"
            return f"({expr} {sign} {params.value(operand, column)})"
        if extended and op == "_has_key":
            return f"({expr} ? {params.text(operand)})"
        if extended and op in ("_has_keys_any", "_has_keys_all"):
            sign = "?|" if op == "_has_keys_any" else "?&"
            return f"({expr} {sign} CAST({params.text(operand, _as_list)} AS text[]))"
        if extended and op in LTREE and column.scalar == "ltree":
            sign, type_ = LTREE[op]
            operand_sql = params.text(operand, _as_list) if type_.endswith("[]") else params.text(operand)
            return f"({expr} {sign} CAST({operand_sql} AS {type_}))"
        if op == "_cast":
            casts = []
            for target, exp in (operand or {}).items():
                if target != "String":
                    raise ValidationFailed(f'cannot cast to "{target}": only String is supported')
                text_column = replace(column, scalar="String", sql_type="TEXT")
                casts.append(self._column(text_column, self.dialect.to_text(expr), exp, alias, root))
            return "(" + " AND ".join(casts) + ")" if casts else TRUE
        if op in COLUMN_COMPARE:
            return f"({expr} {COLUMN_COMPARE[op]} {self._column_ref(operand, alias, root)})"
        raise ValidationFailed(f'unexpected operator "{op}" in a boolean expression')

    def _column_ref(self, operand: Any, alias: str, root: str) -> str:
        if isinstance(operand, str):
            return f"{alias}.{quote_ident(operand)}"
        if (
            isinstance(operand, list)
            and len(operand) == 2
            and operand[0] == "$"
            and isinstance(operand[1], str)
        ):
            return f"{root}.{quote_ident(operand[1])}"
        raise ValidationFailed(f"unsupported column reference {operand!r}")


def _as_bool_param(dialect: Dialect) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = value.lower() in ("true", "t", "1")
        return dialect.bool_param(bool(value))

    return convert


def _as_list(value: Any) -> list[Any]:
    """A list operand: as given, or from a session variable's text (``{a,b}``, ``["a","b"]`` or one value)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return parse_list(value)
    return [value]
