"""Hasura boolean expressions as typed trees: read once from a ``where`` argument or a permission filter.

The tree is the builder's answer (what to test), free of SQL; :mod:`.boolexp` renders it. User ``where``
clauses that cross a relationship see only the rows the role may read there; permission filters are
trusted metadata and cross relationships unfiltered, as in Hasura. Permission filters also accept the
metadata spellings: ``column: value`` shorthand, ``$``-prefixed operators, ``_exists`` and ``_c*`` column
comparisons, and session variables (``X-Hasura-User-Id``, any case) as values. A permission filter's
scalar operands are read as :class:`~.values.MetadataConstant` (written into the SQL as literals); a user's
are left as they came (always bound).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar, Union

from qapress.engine.catalog import Column
from qapress.engine.computed import ComputedField
from qapress.engine.dialects import dialect_for
from qapress.engine.errors import EngineError, ValidationFailed
from qapress.engine.metadata import (
    DeletePermission,
    InsertPermission,
    SelectPermission,
    TableName,
    UpdatePermission,
)
from qapress.engine.model import Model, Relationship, TrackedTable
from qapress.engine.permissions import with_session_refs
from qapress.engine.values import MetadataConstant, SessionRef, VarRef

#: One operand: a literal from the query, a :class:`MetadataConstant`, a :class:`VarRef` or a
#: :class:`SessionRef`.
Value = object

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
LIKE = ("_like", "_nlike", "_ilike", "_nilike")
#: Operators of PostgreSQL only (the dialect's ``extended_operators``), ltree's aside.
EXTENDED = (*REGEX, "_similar", "_nsimilar", "_contains", "_contained_in", "_has_key", "_has_keys_any")
EXTENDED_ALL = (*EXTENDED, "_has_keys_all")
COMMON = (*COMPARE, "_in", "_nin", "_is_null", *LIKE)
#: The aggregates an aggregation predicate may use, as Hasura v2 has them on PostgreSQL: name -> (how many
#: column arguments, of which scalar, and the scalar of the result). ``count`` takes any columns, or none.
AGGREGATE_PREDICATES: dict[str, tuple[int, str, str]] = {
    "count": (-1, "", "Int"),
    "bool_and": (1, "Boolean", "Boolean"),
    "bool_or": (1, "Boolean", "Boolean"),
    **{f: (1, "float8", "float8") for f in ("avg", "max", "min", "stddev_samp", "sum", "var_samp")},
    "corr": (2, "float8", "float8"),
    "covar_samp": (2, "float8", "float8"),
}
#: The argument fields of the aggregates of two columns.
PAIR_ARGUMENTS = ("X", "Y")
#: The name an aggregation predicate's comparisons read its aggregate as.
AGGREGATE_VALUE = "aggregate_value"


@dataclass(frozen=True)
class Cell:
    """What a comparison reads: a column, or a scalar computed field, of the row being tested.

    ``mask``: an inherited role sees the cell on the rows matching it only (null elsewhere, in filters too).
    ``as_text``: the cell cast to text (``_cast: {String: ...}``).
    """

    name: str
    column: Column
    computed: ComputedField | None = None
    mask: BoolExp | None = None
    as_text: bool = False


@dataclass(frozen=True)
class Compare:
    """``cell <op> value`` for one of Hasura's operators (``$``-spellings normalised to ``_``).

    For ``_in``/``_nin`` (and the list operators) ``value`` is a tuple of values, or one reference
    standing for the whole list."""

    cell: Cell
    op: str
    value: Value


@dataclass(frozen=True)
class CompareColumns:
    """``cell <op> other column`` (``_ceq`` ...): of the same row, or with ``root`` of the filter's table."""

    cell: Cell
    op: str
    other: str
    root: bool = False


@dataclass(frozen=True)
class Constant:
    """A test known when reading: ``_in: []`` is false, ``_nin: []`` true."""

    value: bool


@dataclass(frozen=True)
class And:
    items: tuple[BoolExp, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[BoolExp, ...]


@dataclass(frozen=True)
class Not:
    item: BoolExp


@dataclass(frozen=True)
class Related:
    """Some row of ``remote`` reached from this row matches ``where``: through a relationship, or a
    set-returning computed field; ``visible`` is the role's filter on ``remote`` (user filters only)."""

    remote: TrackedTable
    where: BoolExp
    relationship: Relationship | None = None
    computed: ComputedField | None = None
    visible: BoolExp | None = None


@dataclass(frozen=True)
class AggregatePredicate:
    """An aggregation predicate (Hasura v2.16+): ``predicate`` holds of one aggregate over the rows of an
    array relationship (``authors(where: {articles_aggregate: {count: {predicate: {_gt: 1}}}})``).

    ``function``: ``count``, ``bool_and`` or ``bool_or``, over ``arguments`` (``count`` with none counts
    rows), of the related rows matching ``filter`` among those the role may read (``visible``, user
    filters only). ``predicate`` compares :data:`AGGREGATE_VALUE`, the aggregate's result. ``distinct``
    may be a request variable, bound per request.
    """

    relationship: Relationship
    remote: TrackedTable
    function: str
    arguments: tuple[str, ...]
    distinct: bool | VarRef
    predicate: BoolExp
    filter: BoolExp | None = None
    visible: BoolExp | None = None


@dataclass(frozen=True)
class Exists:
    """``_exists``: some row of an unrelated table matches ``where`` (which may compare with the root)."""

    table: TrackedTable
    where: BoolExp


BoolExp = Union[  # noqa: UP007
    Compare, CompareColumns, Constant, And, Or, Not, Related, AggregatePredicate, Exists
]

TRUE = And(())

_P = TypeVar("_P", SelectPermission, InsertPermission, UpdatePermission, DeletePermission)


class ConditionReader:
    """Reads boolean expressions for one role; ``extended``: the dialect has PostgreSQL's operators."""

    def __init__(
        self,
        model: Model,
        role: str,
        extended: bool,
        rules: dict[tuple[tuple[str, str], str], BoolExp] | None = None,
    ) -> None:
        self.model = model
        self.role = role
        self.extended = extended
        #: Permission filters read so far, by (table, cell name or "" for the row filter): shared by the
        #: readers of one role schema, since the metadata does not change under it.
        self._permissions = rules if rules is not None else {}
        self._selects: dict[int, SelectPermission | None] = {}
        self._roots: list[TrackedTable] = []

    # --- the role's rules, read once per table --------------------------------------------------------
    def select_permission(self, table: TrackedTable) -> SelectPermission | None:
        """The role's select permission on ``table`` (looked up once per table)."""
        key = id(table)  # the model's tables live as long as the reader
        if key not in self._selects:
            self._selects[key] = table.select_permission(self.role)
        return self._selects[key]

    def visible(self, table: TrackedTable) -> BoolExp | None:
        """The role's row filter on ``table`` (None for all rows)."""
        permission = self.select_permission(table)
        if permission is None or not permission.filter:
            return None
        return self._rule(table, "", permission.filter)

    def mask(self, table: TrackedTable, name: str) -> BoolExp | None:
        """The rows on which the role sees cell ``name`` (None: all the rows it reads)."""
        permission = self.select_permission(table)
        if permission is None or not permission.column_filters:
            return None
        guard = permission.column_filters.get(name)
        return self._rule(table, name, guard) if guard else None

    def _rule(self, table: TrackedTable, name: str, exp: object) -> BoolExp:
        key = (table.key, name)
        if key not in self._permissions:
            self._permissions[key] = self.permission(exp, table)
        return self._permissions[key]

    # --- reading ------------------------------------------------------------------------------------
    def where(self, exp: object, table: TrackedTable) -> BoolExp:
        """A user's ``where``: cells as the role sees them, relationships crossed see only readable rows."""
        return self._read(exp, table, permission=False)

    def permission(self, exp: object, table: TrackedTable) -> BoolExp:
        """A permission filter from the metadata, session variables as :class:`SessionRef`."""
        return self._read(with_session_refs(exp), table, permission=True)

    def _read(self, exp: object, table: TrackedTable, permission: bool) -> BoolExp:
        # The table the expression filters: what a column comparison's ["$", column] refers to.
        self._roots.append(table)
        try:
            return self._exp(exp, table, permission)
        finally:
            self._roots.pop()

    def _exp(self, exp: object, table: TrackedTable, permission: bool) -> BoolExp:
        if exp is None:
            raise ValidationFailed(
                f'expected an object for type "{table.graphql_name}_bool_exp", but found null'
            )
        if not isinstance(exp, dict):
            raise ValidationFailed(f'expected an object for type "{table.graphql_name}_bool_exp"')
        parts: list[BoolExp] = []
        for raw_key, value in exp.items():
            key = "_" + raw_key[1:] if raw_key.startswith("$") else raw_key
            if key in ("_and", "_or"):
                items = value if isinstance(value, list) else [value]
                inner = tuple(self._exp(v, table, permission) for v in items)
                parts.append(And(inner) if key == "_and" else Or(inner))
            elif key == "_not":
                parts.append(Not(self._exp(value, table, permission)))
            elif key == "_exists":
                parts.append(self._exists(value, permission))
            elif key in table.table.columns:
                mask = None if permission else self.mask(table, key)
                cell = Cell(key, table.table.columns[key], mask=mask)
                parts.append(self._column(cell, value, table, permission))
            elif key in table.computed:
                cf = table.computed[key]
                if cf.result is not None:
                    mask = None if permission else self.mask(table, key)
                    parts.append(self._column(Cell(key, cf.result, cf, mask), value, table, permission))
                else:
                    assert cf.returns is not None
                    remote = self.model.tracked(cf.returns)
                    visible = None if permission else self.visible(remote)
                    where = self._exp(value, remote, permission)
                    parts.append(Related(remote, where, computed=cf, visible=visible))
            elif (rel_name := table.relationship_of(key) if not permission else None) or (
                permission and key in table.relationships
            ):
                rel = table.relationships[rel_name or key]
                remote = self.model.tracked(rel.remote)
                visible = None if permission else self.visible(remote)
                where = self._exp(value, remote, permission)
                parts.append(Related(remote, where, relationship=rel, visible=visible))
            elif (aggregated := _aggregated_relationship(table, key)) is not None:
                parts.append(self._aggregate(aggregated, value, permission))
            else:
                raise ValidationFailed(
                    f"field \"{raw_key}\" not found in type: '{table.graphql_name}_bool_exp'"
                )
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _aggregate(self, rel: Relationship, value: object, permission: bool) -> BoolExp:
        """``<array relationship>_aggregate: {<function>: {arguments, distinct, filter, predicate}}``."""
        remote = self.model.tracked(rel.remote)
        type_name = f"{remote.graphql_name}_aggregate_bool_exp"
        if not isinstance(value, dict) or len(value) != 1:
            raise ValidationFailed("exactly one predicate should be specified")
        ((function, spec),) = value.items()
        if function not in AGGREGATE_PREDICATES:
            raise ValidationFailed(f"field \"{function}\" not found in type: '{type_name}'")
        if not isinstance(spec, dict) or spec.get("predicate") is None:
            raise ValidationFailed(f'missing required field "predicate" in {type_name}_{function}')
        taken, argument_scalar, scalar = AGGREGATE_PREDICATES[function]
        raw = spec.get("arguments")
        if taken == 2 and isinstance(raw, dict):
            raw = [raw.get(name) for name in PAIR_ARGUMENTS]
        arguments = tuple([raw] if isinstance(raw, str) else raw or [])
        for name in arguments:
            if not isinstance(name, str) or name not in remote.table.columns:
                raise ValidationFailed(f'{type_name}_{function}: no column "{name}" on "{remote.table.name}"')
        if taken >= 0 and (
            len(arguments) != taken
            or any(remote.table.columns[a].scalar != argument_scalar for a in arguments)
        ):
            raise ValidationFailed(
                f"{function} takes {taken} {argument_scalar} column(s) of {remote.table.name!r}"
            )
        distinct = spec.get("distinct") or False
        if not isinstance(distinct, VarRef):
            distinct = bool(distinct)
        condition = spec.get("filter")
        sql_type = {"Int": "INTEGER", "Boolean": "BOOLEAN"}.get(scalar, "DOUBLE PRECISION")
        result = Column(AGGREGATE_VALUE, scalar, True, sql_type=sql_type)
        return AggregatePredicate(
            rel,
            remote,
            function,
            arguments,
            distinct,
            predicate=self._column(Cell(AGGREGATE_VALUE, result), spec["predicate"], remote, permission),
            filter=None if condition is None else self._exp(condition, remote, permission),
            visible=None if permission else self.visible(remote),
        )

    def _exists(self, value: object, permission: bool) -> BoolExp:
        if not isinstance(value, dict) or "_table" not in value:
            raise ValidationFailed("_exists needs _table and _where")
        key = TableName.parse(value["_table"]).key
        if key not in self.model.tables:
            raise ValidationFailed(f'_exists: table "{key[1]}" is not tracked')
        table = self.model.tracked(key)
        return Exists(table, self._exp(value.get("_where") or {}, table, permission))

    def _column(self, cell: Cell, value: object, table: TrackedTable, permission: bool) -> BoolExp:
        if not isinstance(value, dict):
            value = {"_eq": value}  # the metadata's `column: value` shorthand
        parts = [
            self._operator(cell, "_" + raw[1:] if raw.startswith("$") else raw, operand, table, permission)
            for raw, operand in value.items()
        ]
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _operator(
        self, cell: Cell, op: str, operand: object, table: TrackedTable, permission: bool
    ) -> BoolExp:
        if op == "_ne":
            op = "_neq"  # the permissions' spelling (Hasura's docs: "Permissions operators")
        if op in ("_in", "_nin"):
            if operand == []:
                return Constant(op == "_nin")
            if isinstance(operand, list):
                items = tuple(_trusted(v) for v in operand) if permission else tuple(operand)
                return Compare(cell, op, items)
            return Compare(cell, op, operand)
        if op == "_is_null":
            if operand is None:
                raise ValidationFailed('unexpected null value for type "Boolean"')
            return Compare(cell, op, operand if isinstance(operand, VarRef | SessionRef) else bool(operand))
        if op in COMMON or (self.extended and op in EXTENDED_ALL):
            return Compare(cell, op, _trusted(operand) if permission else operand)
        if self.extended and op in LTREE and cell.column.scalar == "ltree":
            return Compare(cell, op, _trusted(operand) if permission else operand)
        if op == "_cast":
            casts: list[BoolExp] = []
            targets = operand if isinstance(operand, dict) else {}
            for target, exp in targets.items():
                if target != "String":
                    raise ValidationFailed(f'cannot cast to "{target}": only String is supported')
                text = replace(cell.column, scalar="String", sql_type="TEXT")
                casts.append(self._column(replace(cell, column=text, as_text=True), exp, table, permission))
            return And(tuple(casts))
        if op in COLUMN_COMPARE:
            return self._compare_columns(cell, op, operand, table)
        raise ValidationFailed(f'unexpected operator "{op}" in a boolean expression')

    def _compare_columns(self, cell: Cell, op: str, operand: object, table: TrackedTable) -> BoolExp:
        """``_ceq`` ...: with a column of the same row (``"column"``) or of the row the whole filter tests
        (``["$", "column"]``), as Hasura's permissions have them (its query ``where`` has no such operators)."""
        root = isinstance(operand, list) and len(operand) == 2 and operand[0] == "$"
        name = operand[1] if isinstance(operand, list) and root else operand
        if not isinstance(name, str) or not (isinstance(operand, str) or root):
            raise ValidationFailed(f'unsupported column reference {operand!r}: a column or ["$", column]')
        owner = self._roots[-1] if root and self._roots else table
        if name not in owner.table.columns:
            raise ValidationFailed(f'{op}: no column "{name}" on table "{owner.table.name}"')
        return CompareColumns(cell, op, name, root=root)


def without_unreadable_permissions(model: Model) -> Model:
    """``model`` without the permissions whose filter or check cannot be read (a column, relationship or
    operator they name is not there), each reported as an inconsistent object, as Hasura reports it when the
    metadata loads; the rest of the schema keeps working."""
    extended = dialect_for(model.dialect).extended_operators
    problems: list[str] = []
    tables = dict(model.tables)

    def readable(kind: str, tracked: TrackedTable, permissions: dict[str, _P]) -> dict[str, _P]:
        kept = {}
        for role, permission in permissions.items():
            reader = ConditionReader(model, role, extended)
            try:
                for part in ("filter", "check"):
                    exp = getattr(permission, part, None)
                    if exp:
                        reader.permission(exp, tracked)
            except EngineError as exc:
                problems.append(
                    f'permission of role "{role}" to {kind} on table {tracked.table.schema}.'
                    f"{tracked.table.name}: Inconsistent object: {exc.message}"
                )
                continue
            kept[role] = permission
        return kept

    for key, tracked in model.tables.items():
        meta = tracked.meta
        checked = replace(
            meta,
            select_permissions=readable("select", tracked, meta.select_permissions),
            insert_permissions=readable("insert", tracked, meta.insert_permissions),
            update_permissions=readable("update", tracked, meta.update_permissions),
            delete_permissions=readable("delete", tracked, meta.delete_permissions),
        )
        if checked != meta:
            tables[key] = replace(tracked, meta=checked)
    if not problems:
        return model
    return replace(model, tables=tables, inconsistencies=(*model.inconsistencies, *problems))


def _trusted(operand: object) -> object:
    """A permission filter's operand: a scalar as a :class:`MetadataConstant` (a literal in the SQL); a
    session variable, an object or a list (bound whole: JSON containment, a list of keys) as it is."""
    if operand is not None and type(operand) in (str, int, float, bool):
        return MetadataConstant(operand)  # type: ignore[arg-type]
    return operand


def _aggregated_relationship(table: TrackedTable, key: str) -> Relationship | None:
    """The array relationship that ``<name>_aggregate`` names, if it names one."""
    if not key.endswith("_aggregate"):
        return None
    rel = table.relationships.get(key[: -len("_aggregate")])
    return rel if rel is not None and rel.kind == "array" else None
