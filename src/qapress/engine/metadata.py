"""Hasura-shaped metadata: which tables are tracked, their relationships and each role's permissions.

The input is Hasura's v2 ``tables`` list (YAML or Python); :meth:`Metadata.from_hasura` turns it into typed,
frozen dataclasses so the rest of the engine never reads loose dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from qapress.engine.errors import MetadataError

#: A Hasura boolean expression exactly as written in the metadata (resolved later, per request).
BoolExpJson = dict[str, Any]


@dataclass(frozen=True)
class TableName:
    schema: str
    name: str

    @classmethod
    def parse(cls, raw: Any) -> TableName:
        if isinstance(raw, str):
            return cls("public", raw)
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            return cls(str(raw.get("schema", "public")), raw["name"])
        raise MetadataError(f"expected a table name or {{schema, name}}, got {raw!r}")

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)


@dataclass(frozen=True)
class RelationshipDef:
    """A relationship as written: by foreign key (either direction) or by an explicit column mapping."""

    name: str
    kind: Literal["object", "array"]
    #: Object relationship through a foreign key on this table: its columns.
    fk_columns: tuple[str, ...] = ()
    #: Foreign key on the remote table pointing here (array relationships, reverse object ones).
    remote_fk_table: TableName | None = None
    remote_fk_columns: tuple[str, ...] = ()
    #: manual_configuration
    manual_table: TableName | None = None
    manual_mapping: tuple[tuple[str, str], ...] = ()
    #: manual_configuration.insertion_order: "after_parent" when the remote row is inserted after this one.
    insertion_order: str | None = None


@dataclass(frozen=True)
class SelectPermission:
    columns: tuple[str, ...] | Literal["*"]
    filter: BoolExpJson
    limit: int | None = None
    allow_aggregations: bool = False
    #: Scalar computed fields the role may read.
    computed_fields: tuple[str, ...] = ()
    #: Inherited roles: columns (and computed fields) readable only in the rows of this filter, null elsewhere.
    field_filters: tuple[tuple[str, BoolExpJson], ...] = ()


@dataclass(frozen=True)
class ComputedFieldDef:
    """``add_computed_field``: a SQL function of a row of the table, as a field."""

    name: str
    function: TableName
    table_argument: str | None = None
    session_argument: str | None = None


@dataclass(frozen=True)
class InsertPermission:
    check: BoolExpJson
    columns: tuple[str, ...] | Literal["*"]
    set: dict[str, Any] = field(default_factory=dict)
    backend_only: bool = False


@dataclass(frozen=True)
class UpdatePermission:
    columns: tuple[str, ...] | Literal["*"]
    filter: BoolExpJson
    check: BoolExpJson | None = None
    set: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeletePermission:
    filter: BoolExpJson


@dataclass(frozen=True)
class TableMetadata:
    table: TableName
    object_relationships: tuple[RelationshipDef, ...] = ()
    array_relationships: tuple[RelationshipDef, ...] = ()
    select_permissions: dict[str, SelectPermission] = field(default_factory=dict)
    insert_permissions: dict[str, InsertPermission] = field(default_factory=dict)
    update_permissions: dict[str, UpdatePermission] = field(default_factory=dict)
    delete_permissions: dict[str, DeletePermission] = field(default_factory=dict)
    computed_fields: tuple[ComputedFieldDef, ...] = ()

    @property
    def relationships(self) -> tuple[RelationshipDef, ...]:
        return self.object_relationships + self.array_relationships


@dataclass(frozen=True)
class Metadata:
    tables: tuple[TableMetadata, ...]
    #: Tracked SQL functions (``SETOF <tracked table>``), exposed as root fields.
    functions: tuple[TableName, ...] = ()

    @classmethod
    def from_hasura(cls, raw: Any) -> Metadata:
        """Build from Hasura's ``tables`` list (or a full metadata dict holding ``tables`` or ``sources``)."""
        inherited: dict[str, tuple[str, ...]] = {}
        functions: tuple[TableName, ...] = ()
        if isinstance(raw, dict):
            inherited = _inherited_roles(raw.get("inherited_roles") or [])
            functions = tuple(
                TableName.parse(f["function"] if isinstance(f, dict) and "function" in f else f)
                for f in raw.get("functions") or []
            )
            if "sources" in raw:
                raw = [t for source in raw["sources"] for t in source.get("tables", [])]
            else:
                raw = raw.get("tables", [])
        if not isinstance(raw, list):
            raise MetadataError("metadata must be a list of tables")
        tables = tuple(_table(entry) for entry in raw)
        if inherited:
            tables = tuple(_with_inherited_roles(table, inherited) for table in tables)
        return cls(tables, functions)

    def table(self, key: tuple[str, str]) -> TableMetadata | None:
        for table in self.tables:
            if table.table.key == key:
                return table
        return None

    @property
    def roles(self) -> set[str]:
        roles: set[str] = set()
        for table in self.tables:
            roles.update(table.select_permissions)
            roles.update(table.insert_permissions)
            roles.update(table.update_permissions)
            roles.update(table.delete_permissions)
        return roles


def _inherited_roles(raw: Any) -> dict[str, tuple[str, ...]]:
    roles: dict[str, tuple[str, ...]] = {}
    for entry in raw:
        try:
            roles[str(entry["role_name"])] = tuple(str(r) for r in entry["role_set"])
        except (KeyError, TypeError):
            raise MetadataError(f"an inherited role needs role_name and role_set: {entry!r}") from None
    return roles


def _with_inherited_roles(table: TableMetadata, inherited: dict[str, tuple[str, ...]]) -> TableMetadata:
    """Select permissions of inherited roles, combined from their parents' (recursively), as Hasura does:
    the columns of any parent, the rows of any parent's filter, the largest limit, aggregations if any allows.
    A permission the role has itself takes precedence. (Hasura also nulls a column in the rows that only
    parents without that column may read; that refinement is not made here.)"""
    resolved: dict[str, SelectPermission | None] = {}

    def resolve(role: str, seen: tuple[str, ...]) -> SelectPermission | None:
        if role in table.select_permissions:
            return table.select_permissions[role]
        if role not in inherited or role in seen:
            return None
        if role not in resolved:
            parents = [resolve(parent, (*seen, role)) for parent in inherited[role]]
            resolved[role] = _combine([p for p in parents if p is not None])
        return resolved[role]

    permissions = dict(table.select_permissions)
    for role in inherited:
        combined = resolve(role, ())
        if combined is not None:
            permissions[role] = combined
    return replace(table, select_permissions=permissions)


def _combine(parents: list[SelectPermission]) -> SelectPermission | None:
    if not parents:
        return None
    columns: tuple[str, ...] | Literal["*"]
    if any(p.columns == "*" for p in parents):
        columns = "*"
    else:
        columns = tuple(dict.fromkeys(c for p in parents for c in p.columns))
    filters = [p.filter for p in parents]
    filter_: BoolExpJson = {} if any(not f for f in filters) else {"_or": filters}
    limits = [p.limit for p in parents]
    limit = None if any(lim is None for lim in limits) else max(lim for lim in limits if lim is not None)
    computed = tuple(dict.fromkeys(c for p in parents for c in p.computed_fields))
    masks: list[tuple[str, BoolExpJson]] = []
    if filter_:
        names = [c for c in (columns if columns != "*" else ()) if isinstance(c, str)] + list(computed)
        for name in names:
            granting = [
                p for p in parents if p.columns == "*" or name in p.columns or name in p.computed_fields
            ]
            if len(granting) < len(parents):
                masks.append(
                    (
                        name,
                        {} if any(not p.filter for p in granting) else {"_or": [p.filter for p in granting]},
                    )
                )
    return SelectPermission(
        columns, filter_, limit, any(p.allow_aggregations for p in parents), computed, tuple(masks)
    )


def load_metadata(path: str | Path) -> Metadata:
    """Read Hasura-shaped metadata from a YAML file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MetadataError(f"cannot read metadata {str(path)!r}: {exc}") from exc
    return Metadata.from_hasura(raw)


def qapress_metadata() -> Metadata:
    """qapress's own metadata (``qapress_metadata.yaml`` beside this module)."""
    text = resources.files("qapress.engine").joinpath("qapress_metadata.yaml").read_text(encoding="utf-8")
    return Metadata.from_hasura(yaml.safe_load(text))


def _table(entry: Any) -> TableMetadata:
    if not isinstance(entry, dict) or "table" not in entry:
        raise MetadataError(f"a metadata table entry needs 'table': {entry!r}")
    return TableMetadata(
        table=TableName.parse(entry["table"]),
        object_relationships=tuple(
            _relationship(r, "object") for r in entry.get("object_relationships") or []
        ),
        array_relationships=tuple(_relationship(r, "array") for r in entry.get("array_relationships") or []),
        select_permissions={
            p["role"]: SelectPermission(
                columns=_columns(p["permission"].get("columns", [])),
                filter=p["permission"].get("filter") or {},
                limit=p["permission"].get("limit"),
                allow_aggregations=bool(p["permission"].get("allow_aggregations", False)),
                computed_fields=tuple(str(c) for c in p["permission"].get("computed_fields") or []),
            )
            for p in entry.get("select_permissions") or []
        },
        computed_fields=tuple(
            ComputedFieldDef(
                str(c["name"]),
                TableName.parse(c["definition"]["function"]),
                c["definition"].get("table_argument"),
                c["definition"].get("session_argument"),
            )
            for c in entry.get("computed_fields") or []
        ),
        insert_permissions={
            p["role"]: InsertPermission(
                check=p["permission"].get("check") or {},
                columns=_columns(p["permission"].get("columns", "*")),
                set=p["permission"].get("set") or {},
                backend_only=bool(p["permission"].get("backend_only", False)),
            )
            for p in entry.get("insert_permissions") or []
        },
        update_permissions={
            p["role"]: UpdatePermission(
                columns=_columns(p["permission"].get("columns", [])),
                filter=p["permission"].get("filter") or {},
                check=p["permission"].get("check"),
                set=p["permission"].get("set") or {},
            )
            for p in entry.get("update_permissions") or []
        },
        delete_permissions={
            p["role"]: DeletePermission(filter=p["permission"].get("filter") or {})
            for p in entry.get("delete_permissions") or []
        },
    )


def _columns(raw: Any) -> tuple[str, ...] | Literal["*"]:
    if raw == "*":
        return "*"
    return tuple(str(c) for c in raw or [])


def _relationship(raw: Any, kind: Literal["object", "array"]) -> RelationshipDef:
    try:
        name = str(raw["name"])
        using = raw["using"]
    except (KeyError, TypeError):
        raise MetadataError(f"a relationship needs 'name' and 'using': {raw!r}") from None
    if "foreign_key_constraint_on" in using:
        on = using["foreign_key_constraint_on"]
        if isinstance(on, str):
            return RelationshipDef(name, kind, fk_columns=(on,))
        if isinstance(on, list):
            return RelationshipDef(name, kind, fk_columns=tuple(str(c) for c in on))
        if isinstance(on, dict) and "table" in on:
            cols = on.get("columns") or [on.get("column")]
            if isinstance(cols, str):
                cols = [cols]
            return RelationshipDef(
                name, kind, remote_fk_table=TableName.parse(on["table"]), remote_fk_columns=tuple(cols)
            )
    if "manual_configuration" in using:
        manual = using["manual_configuration"]
        return RelationshipDef(
            name,
            kind,
            manual_table=TableName.parse(manual["remote_table"]),
            manual_mapping=tuple((str(k), str(v)) for k, v in manual["column_mapping"].items()),
            insertion_order=manual.get("insertion_order"),
        )
    raise MetadataError(f"relationship {name!r}: unsupported 'using' {using!r}")
