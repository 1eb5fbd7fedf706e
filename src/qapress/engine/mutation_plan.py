"""The mutation path's builder phase: a mutation root field's coerced arguments -> a typed plan.

As :mod:`.builder` does for queries, this is where a mutation's arguments are read and checked, free of
SQL: which rows an insert writes (and, through relationships, which rows before and after each), what an
update assigns and which rows an update or delete touches, with ``where`` read into typed conditions. The
runner (:mod:`.compile_mutation`) writes the statements. Checks that depend on what is already written (a
nested insert's columns fixed by its parent, the permission ``check``) stay with the runner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qapress.engine.conditions import BoolExp, ConditionReader
from qapress.engine.errors import ConstraintViolation, ValidationFailed
from qapress.engine.model import Model, Relationship, TrackedTable
from qapress.engine.permissions import updatable_columns, update_permission

#: One value from the (coerced) arguments: written to a column or compared with one.
Value = object
#: A rule on one column's written values (insert, update, upsert): the refusal's reason, or None. Per table
#: and column (``{"domain": {"host": host_refusal}}``), checked before any SQL runs, like a CHECK constraint.
ValueCheck = Callable[[Any], str | None]
ValueChecks = Mapping[str, Mapping[str, ValueCheck]]

#: The jsonb update operators, in the order their assignments are written.
JSONB_OPERATORS = ("_append", "_prepend", "_delete_key", "_delete_elem", "_delete_at_path")


@dataclass(frozen=True)
class OnConflict:
    """``on_conflict``: the constraint, the columns an existing row takes from the insert, and which rows."""

    constraint: str
    update_columns: tuple[str, ...]
    where: BoolExp | None = None


@dataclass(frozen=True)
class InsertRow:
    """One object to insert into ``table``: its own columns as given, and the rows inserted through its
    relationships, ``parents`` before it (it refers to them) and ``children`` after it (they refer to it)."""

    table: TrackedTable
    values: tuple[tuple[str, Value], ...]
    parents: tuple[RelatedInsert, ...]
    children: tuple[RelatedInsert, ...]
    #: Where the object is in the arguments (``$.selectionSet.f.args.objects[0]``), for errors.
    path: str

    @property
    def given(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.values)


@dataclass(frozen=True)
class RelatedInsert:
    """The rows inserted through relationship ``name`` of a row being inserted (one for an object one)."""

    name: str
    relationship: Relationship
    rows: tuple[InsertRow, ...]
    on_conflict: OnConflict | None
    path: str


@dataclass(frozen=True)
class InsertPlan:
    """``insert_T`` / ``insert_T_one``: the objects in order; ``path``: where a failed ``check`` is
    reported."""

    table: TrackedTable
    rows: tuple[InsertRow, ...]
    on_conflict: OnConflict | None
    path: str


@dataclass(frozen=True)
class Assignments:
    """What an update writes: ``_set`` and ``_inc`` values by column, jsonb operators as
    (operator, column, operand), each in the order given."""

    set: tuple[tuple[str, Value], ...] = ()
    inc: tuple[tuple[str, Value], ...] = ()
    jsonb: tuple[tuple[str, str, Value], ...] = ()


@dataclass(frozen=True)
class ChosenRows:
    """Which rows an update or delete touches (with the role's permission filter): those with the primary
    key ``key``, or those matching ``where`` (all rows when neither)."""

    key: tuple[tuple[str, Value], ...] | None = None
    where: BoolExp | None = None


@dataclass(frozen=True)
class UpdatePlan:
    table: TrackedTable
    assignments: Assignments
    rows: ChosenRows
    path: str


@dataclass(frozen=True)
class DeletePlan:
    table: TrackedTable
    rows: ChosenRows


class MutationPlanner:
    """Reads one role's mutation arguments into plans (``reader``: the role's condition reader)."""

    def __init__(
        self, model: Model, role: str, reader: ConditionReader, value_checks: ValueChecks | None = None
    ) -> None:
        self.model = model
        self.role = role
        self.reader = reader
        self.value_checks = value_checks or {}

    # --- insert --------------------------------------------------------------------------------------
    def insert(
        self,
        table: TrackedTable,
        objects: Sequence[Mapping[str, Value]],
        on_conflict: Mapping[str, Value] | None,
        path: str,
    ) -> InsertPlan:
        rows = tuple(self.insert_row(table, obj, f"{path}[{i}]") for i, obj in enumerate(objects))
        return InsertPlan(table, rows, self.on_conflict(table, on_conflict), path)

    def insert_row(self, table: TrackedTable, obj: Mapping[str, Value], path: str) -> InsertRow:
        values: list[tuple[str, Value]] = []
        parents: list[RelatedInsert] = []
        children: list[RelatedInsert] = []
        for key, value in obj.items():
            rel_name = table.relationship_of(key)
            if rel_name is None:
                if key in table.table.columns:
                    values.append((key, value))
                continue
            if value is None:
                continue
            assert isinstance(value, Mapping)
            rel = table.relationships[rel_name]
            remote = self.model.tracked(rel.remote)
            data = value["data"]
            where = f"{path}.{rel_name}.data"
            if rel.kind == "array":
                assert isinstance(data, Sequence)
                rows = tuple(self.insert_row(remote, child, f"{where}[{i}]") for i, child in enumerate(data))
            else:
                assert isinstance(data, Mapping)
                rows = (self.insert_row(remote, data, where),)
            conflict = value.get("on_conflict")
            assert conflict is None or isinstance(conflict, Mapping)
            related = RelatedInsert(
                rel_name, rel, rows, self.on_conflict(remote, conflict), f"{path}.{rel_name}"
            )
            (children if after_parent(table, rel_name) else parents).append(related)
        return InsertRow(table, tuple(values), tuple(parents), tuple(children), path)

    def on_conflict(self, table: TrackedTable, value: Mapping[str, Value] | None) -> OnConflict | None:
        if value is None:
            return None
        columns = value.get("update_columns") or []
        assert isinstance(columns, Sequence)
        where = value.get("where")
        condition = self.reader.where(where, table) if where is not None else None
        return OnConflict(str(value["constraint"]), tuple(str(c) for c in columns), condition)

    # --- update and delete ---------------------------------------------------------------------------
    def update(self, table: TrackedTable, args: Mapping[str, Value], by_pk: bool, path: str) -> UpdatePlan:
        """An update's assignments, checked as Hasura checks them: a column under one operator only, the
        role's updatable columns only, no null operand for a jsonb operator; then which rows."""
        operators: dict[str, Mapping[str, Value]] = {}
        for op in ("_set", "_inc", *JSONB_OPERATORS):
            given = args.get(op) or {}
            assert isinstance(given, Mapping)
            operators[op] = given
        seen: set[str] = set()
        repeated = []
        for columns in operators.values():
            for column in columns:
                if column in seen:
                    repeated.append(column)
                seen.add(column)
        if repeated:
            listed = ", ".join(f'"{c}"' for c in repeated)
            raise ValidationFailed(f"Column found in multiple operators: {listed}.", path)
        self.check_values(table, operators["_set"], f"{path}._set")
        for op in JSONB_OPERATORS:
            for column, operand in operators[op].items():
                if operand is None:
                    raise ValidationFailed(f'unexpected null value for the "{op}" of "{column}"', path)
        permission = update_permission(table, self.role)
        assert permission is not None
        allowed = set(updatable_columns(table, permission))
        for column in seen:
            if column not in allowed:
                raise ValidationFailed(
                    f"field \"{column}\" not found in type: '{table.graphql_name}_set_input'", path
                )
        assignments = Assignments(
            tuple(operators["_set"].items()),
            tuple(operators["_inc"].items()),
            tuple((op, c, v) for op in JSONB_OPERATORS for c, v in operators[op].items()),
        )
        return UpdatePlan(table, assignments, self.chosen_rows(table, args, by_pk), path)

    def delete(self, table: TrackedTable, args: Mapping[str, Value], by_pk: bool) -> DeletePlan:
        return DeletePlan(table, self.chosen_rows(table, args, by_pk))

    def chosen_rows(self, table: TrackedTable, args: Mapping[str, Value], by_pk: bool) -> ChosenRows:
        if by_pk:
            keys = args.get("pk_columns", args)
            assert isinstance(keys, Mapping)
            return ChosenRows(key=tuple((c, keys[c]) for c in table.table.primary_key))
        where = args.get("where")
        return ChosenRows(where=self.reader.where(where, table) if where is not None else None)

    def check_values(self, table: TrackedTable, values: Mapping[str, Value], path: str) -> None:
        """Apply the table's value checks; a refused value is a check-constraint violation, as Hasura says."""
        checks = self.value_checks.get(table.table.name)
        if not checks:
            return
        for column, check in checks.items():
            if column in values and values[column] is not None:
                reason = check(values[column])
                if reason is not None:
                    raise ConstraintViolation(
                        f'Check constraint violation. the value of "{column}" is refused: {reason}', path
                    )


def after_parent(table: TrackedTable, name: str) -> bool:
    """Whether the row related through ``name`` is inserted after this one (it refers to this row) or
    before (this row refers to it)."""
    if table.relationships[name].kind == "array":
        return True
    for definition in table.meta.relationships:
        if definition.name == name:
            if definition.fk_columns:
                return False
            if definition.remote_fk_table is not None:
                return True
            return getattr(definition, "insertion_order", None) == "after_parent"
    return False
