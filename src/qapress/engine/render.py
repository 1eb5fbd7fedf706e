"""The render phase: a :class:`~.selection.QueryPlan` written as ONE SQL statement for a dialect.

The statement's single value is the ``data`` JSON: the database builds every object and array
(``json_object``/``json_group_array`` on SQLite, ``json_build_object``/``json_agg`` on PostgreSQL). Values are
bound parameters, collected by a :class:`~.params.ParamCollector`; nothing here reads the AST or decides
what the role may see (the plan says it), only how to spell it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qapress.engine.boolexp import BoolExpCompiler
from qapress.engine.builder import check_count
from qapress.engine.computed import ROW
from qapress.engine.conditions import BoolExp
from qapress.engine.dialects import FLOATS, Dialect, balanced, quote_ident, quote_text
from qapress.engine.model import Relationship, TrackedTable
from qapress.engine.params import ParamCollector
from qapress.engine.scalars import STRINGIFIED
from qapress.engine.selection import (
    AggregateField,
    AggregateSelect,
    AggregatesField,
    ColumnField,
    ComputedSource,
    CountAggregate,
    Field,
    FunctionAggregate,
    FunctionSource,
    ListField,
    NativeSource,
    NodesField,
    ObjectField,
    OrderCell,
    OrderKey,
    OrderThrough,
    QueryPlan,
    RawSource,
    ReadRule,
    RootConstant,
    RowsSelect,
    Select,
    SingleSelect,
    Source,
    TableSource,
    TypenameField,
    Window,
)
from qapress.engine.values import VarRef

#: Prefix of the inner select's flags for cells an inherited role may read on some rows only.
GUARD = "__g_"
Conditions = Callable[[str], list[str]]


@dataclass
class Needs:
    """What a row's JSON reads from the inner select: columns, the whole row, and cell flags (by name)."""

    columns: list[str] = field(default_factory=list)
    masks: dict[str, BoolExp] = field(default_factory=dict)

    def add(self, column: str) -> None:
        if column not in self.columns:
            self.columns.append(column)

    @property
    def nested(self) -> bool:
        """The row's JSON reads the whole row or a flag: it needs a select of its own under it."""
        return any(n == ROW or n.startswith(GUARD) for n in self.columns)


class Renderer:
    def __init__(
        self,
        dialect: Dialect,
        params: ParamCollector,
        where: BoolExpCompiler,
        alias: Callable[[str], str],
        stringify_numeric_types: bool = False,
    ) -> None:
        self.dialect = dialect
        self.params = params
        self.where = where
        self.alias = alias
        self.stringify = stringify_numeric_types

    def operation(self, plan: QueryPlan) -> str:
        parts: list[str] = []
        for root in plan.fields:
            if isinstance(root, RootConstant):
                value = quote_text(root.json)
            else:
                value = self.dialect.as_text(self.select(root.select, None))
            parts.append(f"{quote_text(_json_key(root.key))} || {value}")
        if not parts:
            return "SELECT '{}'"
        body = balanced(parts, " || ',' || ")
        return f"SELECT '{{' || {body} || '}}'"

    def select(self, select: Select, outer: str | None) -> str:
        if isinstance(select, RowsSelect):
            return self.rows(select, outer)
        if isinstance(select, SingleSelect):
            return self.single(select, outer)
        return self.aggregate(select, outer)

    # --- rows -------------------------------------------------------------------------------------
    def rows(self, select: RowsSelect, outer: str | None) -> str:
        """A scalar subquery: the JSON array of the selected rows; ``outer``: the enclosing row's alias."""
        if not select.window.shaped and select.cap is None:
            # No order, no limit: aggregate straight from the table, one nesting level less.
            base = self.alias("_t")
            flat_needs = Needs()
            row = self.row_json(select.fields, base, flat_needs)
            if not flat_needs.nested:
                flat, _ = self.inner_select(
                    select.table,
                    select.rule,
                    select.window,
                    select.source,
                    select.correlation,
                    outer,
                    flat_needs,
                    cap=None,
                    alias=base,
                    select_list=self.dialect.agg_array(row, ""),
                )
                return f"({flat})"
        row_alias = self.alias("_e")
        needs = Needs()
        row = self.row_json(select.fields, row_alias, needs)
        inner, order_columns = self.inner_select(
            select.table,
            select.rule,
            select.window,
            select.source,
            select.correlation,
            outer,
            needs,
            cap=select.cap,
        )
        order = ", ".join(f"{row_alias}.{quote_ident(name)} {direction}" for name, direction in order_columns)
        return f"(SELECT {self.dialect.agg_array(row, order)} FROM ({inner}) AS {row_alias})"

    def single(self, select: SingleSelect, outer: str | None, extra: Conditions | None = None) -> str:
        """A scalar subquery: one row's JSON object, or NULL; ``extra``: more conditions on the row."""
        keys = select.keys

        def conditions(alias: str) -> list[str]:
            found = [
                f"{alias}.{quote_ident(column.name)} = {self.params.value(value, column)}"
                for column, value in keys
            ]
            return found + (extra(alias) if extra is not None else [])

        # Built straight on the table when it can be: one nesting level less (SQLite's parser has a fixed stack).
        base = self.alias("_t")
        flat_needs = Needs()
        row = self.row_json(select.fields, base, flat_needs)
        if not flat_needs.nested:
            flat, _ = self.inner_select(
                select.table,
                select.rule,
                None,
                select.source,
                select.correlation,
                outer,
                flat_needs,
                cap=None,
                single=True,
                extra=conditions,
                alias=base,
                select_list=row,
            )
            return f"({flat})"
        row_alias = self.alias("_e")
        needs = Needs()
        row = self.row_json(select.fields, row_alias, needs)
        inner, _ = self.inner_select(
            select.table,
            select.rule,
            None,
            select.source,
            select.correlation,
            outer,
            needs,
            cap=None,
            single=True,
            extra=conditions,
        )
        return f"(SELECT {row} FROM ({inner}) AS {row_alias})"

    def row_json(self, fields: tuple[Field, ...], alias: str, needs: Needs) -> str:
        """One row's JSON object, reading columns ``alias``.<name> of the inner select (added to ``needs``)."""
        pairs: list[tuple[str, str]] = []
        for f in fields:
            if isinstance(f, TypenameField):
                pairs.append((f.key, quote_text(f.type_name)))
            elif isinstance(f, ColumnField):
                if f.computed is None:
                    needs.add(f.column.name)
                    expr = f"{alias}.{quote_ident(f.column.name)}"
                else:
                    needs.add(ROW)
                    expr = f.computed.call(f"{alias}.{quote_ident(ROW)}", self.params, dict(f.args))
                rendered = self.dialect.render(expr, f.column, self.stringify)
                pairs.append((f.key, self._flagged(rendered, alias, f, needs)))
            else:
                select = f.select
                if isinstance(select.source, ComputedSource):
                    needs.add(ROW)
                if select.correlation is not None:
                    for local, _remote in select.correlation.mapping:
                        needs.add(local)
                if isinstance(f, ObjectField):
                    sub = self.single(f.select, alias)
                elif isinstance(f, ListField):
                    sub = self.rows(f.select, alias)
                else:
                    assert isinstance(f, AggregateField)
                    sub = self.aggregate(f.select, alias)
                pairs.append((f.key, self.dialect.embed(sub)))
        return self.dialect.json_object(pairs)

    def _flagged(self, expr: str, alias: str, f: ColumnField, needs: Needs) -> str:
        """``expr``, null on the rows whose cell is hidden from the role (an inherited role's mask).

        The inner select computes one flag per masked cell (:data:`GUARD`), so each use is a cheap test.
        """
        if f.mask is None:
            return expr
        flag = GUARD + f.column.name
        needs.add(flag)
        needs.masks[f.column.name] = f.mask
        return f"CASE WHEN {alias}.{quote_ident(flag)} = 1 THEN {expr} END"

    # --- the inner select -------------------------------------------------------------------------
    def inner_select(
        self,
        table: TrackedTable,
        rule: ReadRule,
        window: Window | None,
        source: Source,
        correlation: Relationship | None,
        outer: str | None,
        needs: Needs,
        cap: int | None,
        single: bool = False,
        extra: Conditions | None = None,
        alias: str | None = None,
        select_list: str | None = None,
    ) -> tuple[str, list[tuple[str, str]]]:
        """``SELECT <needed columns> FROM source WHERE ... ORDER BY ... LIMIT ...``, and its order keys."""
        alias = alias or self.alias("_t")
        conditions: list[str] = []
        if correlation is not None:
            assert outer is not None
            conditions += [
                f"{alias}.{quote_ident(remote)} = {outer}.{quote_ident(local)}"
                for local, remote in correlation.mapping
            ]
        if extra is not None:
            conditions += extra(alias)
        if rule.visible is not None:
            conditions.append(self.where.render(rule.visible, alias))
        if window is not None and window.where is not None:
            conditions.append(self.where.render(window.where, alias))
        where_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order_terms = [(self.order_key(t.key, alias), t.direction) for t in window.order_by] if window else []
        columns = [self.projected_column(alias, c, needs) for c in needs.columns]
        columns = [select_list] if select_list is not None else columns or ["1 AS __one"]
        projected: list[tuple[str, str]] = []
        distinct = window.distinct_on if window is not None else ()
        # SQLite aggregates in subquery order; PostgreSQL's json_agg and the distinct emulation need the keys.
        if self.dialect.order_keys_in_aggregate or distinct:
            for index, (expr, direction) in enumerate(order_terms):
                columns.append(f"{expr} AS {quote_ident(f'__o{index}')}")
                projected.append((f"__o{index}", direction))
        order_sql = ", ".join(f"{expr} {direction}" for expr, direction in order_terms)
        limit_sql = " LIMIT 1" if single else self.limit_clause(window, cap)
        from_sql = self.source(source, table, alias, outer)
        if distinct:
            distinct_exprs = [self.where.cell(c, alias) for c in distinct]
            outer_alias = self.alias("_d")
            outer_order = ", ".join(f"{outer_alias}.{quote_ident(n)} {d}" for n, d in projected)
            sql = self.dialect.distinct_on(
                distinct_exprs, columns, from_sql, where_sql, order_sql, outer_alias, outer_order, limit_sql
            )
            return sql, projected
        order_clause = f" ORDER BY {order_sql}" if order_sql else ""
        return f"SELECT {', '.join(columns)} FROM {from_sql}{where_sql}{order_clause}{limit_sql}", projected

    def source(self, source: Source, table: TrackedTable, alias: str, outer: str | None) -> str:
        """The from item the rows come from, named ``alias``."""
        if isinstance(source, TableSource):
            return f"{self.dialect.qualified(table.table.schema, table.table.name)} AS {alias}"
        if isinstance(source, FunctionSource):
            return f"{source.function.call(dict(source.args), self.params)} AS {alias}"
        if isinstance(source, NativeSource):
            return f"({source.query.sql(dict(source.args), self.params)}) AS {alias}"
        if isinstance(source, ComputedSource):
            row = f"{outer}.{quote_ident(ROW)}"
            return f"{source.computed.call(row, self.params, dict(source.args))} AS {alias}"
        assert isinstance(source, RawSource)
        return source.sql(alias)

    def projected_column(self, alias: str, name: str, needs: Needs) -> str:
        """A column of the inner select, or for a masked cell the flag saying whether this row shows it."""
        if name == ROW:  # the whole row, for computed fields (PostgreSQL)
            return f"{alias} AS {quote_ident(ROW)}"
        if name.startswith(GUARD):
            condition = self.where.render(needs.masks[name[len(GUARD) :]], alias)
            return f"CASE WHEN {condition} THEN 1 ELSE 0 END AS {quote_ident(name)}"
        return f"{alias}.{quote_ident(name)}"

    def limit_clause(self, window: Window | None, cap: int | None) -> str:
        limit = window.limit if window is not None else None
        offset = window.offset if window is not None else None
        sql = ""
        no_limit = self.dialect.no_limit
        if isinstance(limit, VarRef):
            sql = f" LIMIT {self.params.variable(limit.name, limit_converter(cap, no_limit))}"
        elif limit is not None or cap is not None:
            # A limit written in the query (or a permission's cap) is part of the plan, which is keyed by the
            # query text: it goes in as a checked integer literal, as Hasura writes it. PostgreSQL re-plans
            # a statement with a bound LIMIT on every call (its generic plan looks too costly), which made
            # the seed query 3-4x slower than with the literal. Variables stay bound parameters.
            effective = min(c for c in (limit, cap) if c is not None)
            sql = f" LIMIT {int(effective)}"
        if offset is not None:
            if not sql:
                sql = self.dialect.limit_for_offset
            if isinstance(offset, VarRef):
                sql += f" OFFSET {self.params.variable(offset.name, limit_converter(None, 0))}"
            else:
                sql += f" OFFSET {int(offset)}"
        return sql

    # --- order_by ---------------------------------------------------------------------------------
    def order_key(self, key: OrderKey, alias: str) -> str:
        if isinstance(key, OrderCell):
            return self.where.cell(key.cell, alias)
        inner = self.alias("_o")
        if isinstance(key, OrderThrough):
            join = self.relationship_join(key.remote, inner, alias, key.relationship, key.visible)
            return f"(SELECT {self.order_key(key.key, inner)} FROM {join})"
        if key.relationship is not None:
            join = self.relationship_join(key.remote, inner, alias, key.relationship, key.visible)
        else:
            assert key.computed is not None
            conditions = ["1 = 1"]
            if key.visible is not None:
                conditions.append(self.where.render(key.visible, inner))
            join = f"{key.computed.call(alias, self.params)} AS {inner} WHERE {' AND '.join(conditions)}"
        if key.function == "count":
            return f"(SELECT count(*) FROM {join})"
        assert key.column is not None
        return f"(SELECT {self.dialect.aggregate(key.function, f'{inner}.{quote_ident(key.column)}')} FROM {join})"

    def relationship_join(
        self, remote: TrackedTable, alias: str, outer: str, rel: Relationship, visible: BoolExp | None
    ) -> str:
        """``remote AS alias WHERE <join on outer> AND <role's filter>`` for subqueries through ``rel``."""
        conditions = [f"{alias}.{quote_ident(r)} = {outer}.{quote_ident(local)}" for local, r in rel.mapping]
        if visible is not None:
            conditions.append(self.where.render(visible, alias))
        return f"{quote_ident(remote.table.name)} AS {alias} WHERE {' AND '.join(conditions)}"

    # --- aggregates -------------------------------------------------------------------------------
    def aggregate(self, select: AggregateSelect, outer: str | None) -> str:
        row_alias = self.alias("_e")
        needs = Needs()
        pairs: list[tuple[str, str]] = []
        nodes: set[int] = set()
        separate = select.nodes_cap is not None
        nodes_alias = self.alias("_e") if separate else row_alias
        for part in select.parts:
            if isinstance(part, TypenameField):
                pairs.append((part.key, quote_text(part.type_name)))
            elif isinstance(part, NodesField):
                nodes.add(len(pairs))
                pairs.append((part.key, self.row_json(part.fields, nodes_alias, needs)))
            else:
                pairs.append((part.key, self.aggregates(part, row_alias, needs)))
        table, rule, window, source = select.table, select.rule, select.window, select.source
        inner, order_columns = self.inner_select(
            table, rule, window, source, select.correlation, outer, needs, cap=select.cap
        )
        order = ", ".join(f"{row_alias}.{quote_ident(name)} {direction}" for name, direction in order_columns)
        if separate:
            nodes_inner, _ = self.inner_select(
                table, rule, window, source, select.correlation, outer, needs, cap=select.nodes_cap
            )
            nodes_order = ", ".join(f"{nodes_alias}.{quote_ident(n)} {d}" for n, d in order_columns)

            def listed(row: str) -> str:
                array = self.dialect.agg_array(row, nodes_order)
                return self.dialect.embed(f"(SELECT {array} FROM ({nodes_inner}) AS {nodes_alias})")

        else:

            def listed(row: str) -> str:
                return self.dialect.agg_array(row, order)

        pairs = [
            (key, listed(value) if index in nodes else value) for index, (key, value) in enumerate(pairs)
        ]
        return f"(SELECT {self.dialect.json_object(pairs)} FROM ({inner}) AS {row_alias})"

    def aggregates(self, part: AggregatesField, alias: str, needs: Needs) -> str:
        pairs: list[tuple[str, str]] = []
        for item in part.parts:
            if isinstance(item, TypenameField):
                pairs.append((item.key, quote_text(item.type_name)))
            elif isinstance(item, CountAggregate):
                for column in item.columns:
                    needs.add(column)
                # As in Hasura, aggregates of an inherited role run over every row it may read, cells that
                # its rows show as null included (Hasura's own inherited-roles cases sum them).
                pairs.append((item.key, self.dialect.count(alias, item.columns, item.distinct)))
            else:
                pairs.append((item.key, self.function_aggregate(item, alias, needs)))
        return self.dialect.json_object(pairs)

    def function_aggregate(self, item: FunctionAggregate, alias: str, needs: Needs) -> str:
        inner: list[tuple[str, str]] = []
        function = item.function
        for entry in item.columns:
            if isinstance(entry, TypenameField):
                inner.append((entry.key, quote_text(entry.type_name)))
                continue
            column = entry.column
            needs.add(column.name)
            expr = self.dialect.aggregate(function, f"{alias}.{quote_ident(column.name)}")
            if function in ("max", "min"):
                expr = self.dialect.render(expr, column, self.stringify)
            elif self.stringify and column.scalar in STRINGIFIED:
                # Hasura stringifies by the column's type: sums and averages of numeric, not of Int.
                expr = self.dialect.to_text(expr)
            elif function != "sum" or column.scalar in FLOATS:
                expr = self.dialect.float_json(expr)  # averages, deviations, sums of floats
            inner.append((entry.key, expr))
        return self.dialect.json_object(inner)


def _json_key(key: str) -> str:
    return f'"{key}":'


def limit_converter(cap: int | None, no_limit: int | None) -> Callable[[object], object]:
    """How a ``limit``/``offset`` variable becomes the bound count: checked, capped, or no limit at all."""

    def convert(value: object) -> object:
        count = check_count(value)
        if count is None:
            return cap if cap is not None else no_limit
        return count if cap is None else min(count, cap)

    return convert
