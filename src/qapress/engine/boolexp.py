"""Boolean expressions (:mod:`.conditions`' typed trees) rendered to SQL conditions for one dialect.

Every value of a request is a bound parameter; a permission filter's constants are literals (see
:mod:`.params`); ``EXISTS`` subqueries take fresh aliases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qapress.engine.catalog import Column
from qapress.engine.conditions import (
    AGGREGATE_VALUE,
    COLUMN_COMPARE,
    COMPARE,
    LTREE,
    REGEX,
    AggregatePredicate,
    And,
    BoolExp,
    Cell,
    Compare,
    CompareColumns,
    ConditionReader,
    Constant,
    Not,
    Or,
    Related,
)
from qapress.engine.dialects import Dialect, balanced, quote_ident
from qapress.engine.model import Model, TrackedTable
from qapress.engine.params import ParamCollector, parse_list
from qapress.engine.values import SessionRef, VarRef

TRUE, FALSE = "(1 = 1)", "(1 = 0)"
#: How a request variable deciding ``distinct`` is bound.
_FLAG = Column("distinct", "Boolean", False, sql_type="BOOLEAN")

__all__ = ["FALSE", "TRUE", "BoolExpCompiler"]


class BoolExpCompiler:
    def __init__(
        self,
        model: Model,
        role: str,
        dialect: Dialect,
        params: ParamCollector,
        new_alias: Callable[[str], str],
        reader: ConditionReader | None = None,
    ) -> None:
        self.model = model
        self.role = role
        self.dialect = dialect
        self.params = params
        self.new_alias = new_alias
        self.reader = reader or ConditionReader(model, role, dialect.extended_operators)
        self._cells: dict[tuple[str, str], str] = {}

    # --- from Hasura's JSON (mutations) -----------------------------------------------------------
    def compile(self, exp: Any, table: TrackedTable, alias: str) -> str:
        """A user's ``where``: relationships crossed see only what the role may read."""
        return self.render(self.reader.where(exp, table), alias)

    def permission(self, exp: Any, table: TrackedTable, alias: str) -> str:
        """A permission filter from the metadata, with session variables bound per request."""
        return self.render(self.reader.permission(exp, table), alias)

    # --- from the typed tree ----------------------------------------------------------------------
    def cell(self, cell: Cell, alias: str, expr: str | None = None) -> str:
        """The cell of row ``alias`` as the role sees it (``expr``: how to read it, the column by default).

        An inherited role may see a cell on some rows only: elsewhere it reads as null, in the answer and
        equally in the role's ``where``, ``order_by`` and ``distinct_on``, so that no filter or sort can tell
        a hidden value. (Aggregates run over the stored values, as Hasura's do.) The same SQL is returned for
        the same cell, so expressions that must match (``distinct_on`` against ``order_by``) do.
        """
        if expr is None:
            if cell.computed is not None:
                expr = cell.computed.call(alias, self.params)
            else:
                expr = f"{alias}.{quote_ident(cell.name)}"
        if cell.mask is not None:
            key = (alias, expr)
            if key not in self._cells:
                self._cells[key] = f"(CASE WHEN {self.render(cell.mask, alias)} THEN {expr} END)"
            expr = self._cells[key]
        return self.dialect.to_text(expr) if cell.as_text else expr

    def render(self, exp: BoolExp, alias: str, root: str | None = None) -> str:
        root = root or alias
        if isinstance(exp, Compare):
            return self._operator(exp, self.cell(exp.cell, alias))
        if isinstance(exp, And):
            parts = [self.render(item, alias, root) for item in exp.items]
            if not parts:
                return TRUE
            return parts[0] if len(parts) == 1 else "(" + balanced(parts, " AND ") + ")"
        if isinstance(exp, Or):
            parts = [self.render(item, alias, root) for item in exp.items]
            return "(" + balanced(parts, " OR ") + ")" if parts else FALSE
        if isinstance(exp, Not):
            return f"(NOT {self.render(exp.item, alias, root)})"
        if isinstance(exp, Constant):
            return TRUE if exp.value else FALSE
        if isinstance(exp, CompareColumns):
            other = f"{root if exp.root else alias}.{quote_ident(exp.other)}"
            return f"({self.cell(exp.cell, alias)} {COLUMN_COMPARE[exp.op]} {other})"
        if isinstance(exp, Related):
            inner = self.new_alias("_w")
            conditions: list[str] = []
            if exp.relationship is not None:
                conditions += [
                    f"{inner}.{quote_ident(r)} = {alias}.{quote_ident(local)}"
                    for local, r in exp.relationship.mapping
                ]
                source = self._source(exp.remote)
            else:
                assert exp.computed is not None
                source = exp.computed.call(alias, self.params)
            if exp.visible is not None:
                conditions.append(self.render(exp.visible, inner))
            conditions.append(self.render(exp.where, inner, root))
            return f"EXISTS (SELECT 1 FROM {source} AS {inner} WHERE {' AND '.join(conditions)})"
        if isinstance(exp, AggregatePredicate):
            return self._aggregate_predicate(exp, alias, root)
        inner = self.new_alias("_x")
        condition = self.render(exp.where, inner, root)
        return f"EXISTS (SELECT 1 FROM {self._source(exp.table)} AS {inner} WHERE {condition})"

    def _aggregate_predicate(self, exp: AggregatePredicate, alias: str, root: str) -> str:
        """The predicate over a one-row subquery of the aggregate, so that every comparison (``_in``,
        ``_is_null``, several at once) reads it like a column."""
        rows, result = self.new_alias("_g"), self.new_alias("_p")
        conditions = [
            f"{rows}.{quote_ident(r)} = {alias}.{quote_ident(local)}" for local, r in exp.relationship.mapping
        ]
        if exp.visible is not None:
            conditions.append(self.render(exp.visible, rows))
        if exp.filter is not None:
            conditions.append(self.render(exp.filter, rows, root))
        value = self._aggregate_value(exp, rows)
        aggregate = (
            f"SELECT {value} AS {quote_ident(AGGREGATE_VALUE)} FROM {self._source(exp.remote)} AS {rows} "
            f"WHERE {' AND '.join(conditions)}"
        )
        return f"EXISTS (SELECT 1 FROM ({aggregate}) AS {result} WHERE {self.render(exp.predicate, result)})"

    def _aggregate_value(self, exp: AggregatePredicate, rows: str) -> str:
        def over(distinct: bool) -> str:
            if exp.function == "count":
                return self.dialect.count(rows, exp.arguments, distinct)
            columns = [f"{rows}.{quote_ident(a)}" for a in exp.arguments]
            if exp.function in ("bool_and", "bool_or"):
                return self.dialect.bool_aggregate(exp.function, columns[0], distinct)
            return self.dialect.statistic(exp.function, columns, distinct)

        if isinstance(exp.distinct, bool):
            return over(exp.distinct)
        flag = self.params.value(exp.distinct, _FLAG)
        return f"(CASE WHEN {flag} THEN {over(True)} ELSE {over(False)} END)"

    def _source(self, table: TrackedTable) -> str:
        return self.dialect.qualified(table.table.schema, table.table.name)

    def _operator(self, exp: Compare, expr: str) -> str:
        params = self.params
        column, op, operand = exp.cell.column, exp.op, exp.value
        if op in COMPARE:
            return f"({expr} {COMPARE[op]} {params.value(operand, column)})"
        if op in ("_in", "_nin"):
            negate = "NOT " if op == "_nin" else ""
            listed = list(operand) if isinstance(operand, tuple) else operand
            return f"({expr} {negate}IN ({params.values(listed, column)}))"
        if op == "_is_null":
            if isinstance(operand, VarRef | SessionRef):
                flag = params.value(operand, None, _as_bool_param(self.dialect))
                return f"(({expr} IS NULL) = {flag})"
            return f"({expr} IS {'' if operand else 'NOT '}NULL)"
        if op in ("_like", "_nlike", "_ilike", "_nilike"):
            insensitive = op in ("_ilike", "_nilike")
            convert = self.dialect.like_pattern(insensitive)
            sql = self.dialect.like(expr, op.startswith("_n"), insensitive)
            return sql.replace(self.dialect.placeholder, params.text(operand, convert), 1)
        if op in REGEX:
            return f"({expr} {REGEX[op]} {params.text(operand)})"
        if op in ("_similar", "_nsimilar"):
            negate = "NOT " if op == "_nsimilar" else ""
            return f"({expr} {negate}SIMILAR TO {params.text(operand)})"
        if op in ("_contains", "_contained_in"):
            sign = "@>" if op == "_contains" else "<@"
            return f"({expr} {sign} {params.value(operand, column)})"
        if op == "_has_key":
            return f"({expr} ? {params.text(operand)})"
        if op in ("_has_keys_any", "_has_keys_all"):
            sign = "?|" if op == "_has_keys_any" else "?&"
            return f"({expr} {sign} CAST({params.text(operand, _as_list)} AS text[]))"
        sign, type_ = LTREE[op]
        operand_sql = params.text(operand, _as_list) if type_.endswith("[]") else params.text(operand)
        return f"({expr} {sign} CAST({operand_sql} AS {type_}))"


def _as_bool_param(dialect: Dialect) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = value.lower() in ("true", "t", "1")
        return dialect.bool_param(bool(value))

    return convert


def _as_list(value: Any) -> list[Any]:
    """A list operand: as given, or from a session variable's text (``{a,b}``, ``["a","b"]`` or one value)."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return parse_list(value)
    return [value]
