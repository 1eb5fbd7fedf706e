"""The tracked tables as the engine sees them: catalog facts joined with metadata, relationships resolved.

A :class:`Model` is immutable and built once per ``reload()``; schemas and plans are derived from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from qapress.engine.catalog import Catalog, Table
from qapress.engine.computed import ComputedField
from qapress.engine.errors import MetadataError
from qapress.engine.functions import TrackedFunction
from qapress.engine.metadata import Metadata, RelationshipDef, SelectPermission, TableMetadata
from qapress.engine.native_queries import NativeQuery, logical_model_table, resolve_native_query
from qapress.engine.permissions import ADMIN, select_permission


@dataclass(frozen=True)
class Relationship:
    name: str
    kind: Literal["object", "array"]
    remote: tuple[str, str]
    #: (column on this table, column on the remote table) pairs the join matches.
    mapping: tuple[tuple[str, str], ...]
    #: An object relationship whose local columns are all NOT NULL and point at a key: never null for admin.
    required: bool = False


@dataclass(frozen=True)
class TrackedTable:
    table: Table
    meta: TableMetadata
    relationships: dict[str, Relationship]
    inherited_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    computed: dict[str, ComputedField] = field(default_factory=dict)
    #: A logical model (the rows of native queries), not a database table: no root fields of its own.
    logical: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.table.schema, self.table.name)

    @property
    def graphql_name(self) -> str:
        if self.logical or self.table.schema == "public":
            return self.table.name
        return f"{self.table.schema}_{self.table.name}"

    def select_permission(self, role: str) -> SelectPermission | None:
        """The role's select permission on this table (see :mod:`.permissions`)."""
        return select_permission(self.meta, tuple(self.table.columns), role, self.inherited_roles)


@dataclass(frozen=True)
class Model:
    dialect: str
    tables: dict[tuple[str, str], TrackedTable]
    functions: dict[str, TrackedFunction] = field(default_factory=dict)
    native_queries: dict[str, NativeQuery] = field(default_factory=dict)

    def tracked(self, key: tuple[str, str]) -> TrackedTable:
        return self.tables[key]


def build_model(
    catalog: Catalog,
    metadata: Metadata,
    computed: Mapping[tuple[str, str], dict[str, ComputedField]] | None = None,
    functions: Mapping[str, TrackedFunction] | None = None,
) -> Model:
    """The tracked tables; ``computed`` holds each table's computed fields, resolved against the database."""
    tables: dict[tuple[str, str], TrackedTable] = {}
    for meta in metadata.tables:
        table = catalog.table(*meta.table.key)
        relationships = {rel.name: _resolve(rel, table, catalog) for rel in meta.relationships}
        for name in relationships:
            if name in table.columns:
                raise MetadataError(f'relationship "{name}" on table "{table.name}" clashes with a column')
        fields = dict((computed or {}).get(meta.table.key, {}))
        for name in fields:
            if name in table.columns or name in relationships:
                raise MetadataError(
                    f'computed field "{name}" on table "{table.name}" clashes with another field'
                )
        tables[meta.table.key] = TrackedTable(table, meta, relationships, metadata.inherited_roles, fields)
    for tracked in tables.values():
        for cf in tracked.computed.values():
            if cf.returns is not None and cf.returns not in tables:
                raise MetadataError(
                    f'computed field "{cf.name}" returns rows of untracked table "{cf.returns[1]}"'
                )
        for rel in tracked.relationships.values():
            if rel.remote not in tables:
                raise MetadataError(
                    f'relationship "{rel.name}" of table "{tracked.table.name}" points at untracked table '
                    f'"{rel.remote[1]}"'
                )
    for function in (functions or {}).values():
        if function.returns not in tables:
            raise MetadataError(
                f'function "{function.name}" returns rows of untracked table "{function.returns[1]}"'
            )
    names = {t.graphql_name for t in tables.values()}
    for definition in metadata.logical_models:
        if definition.name in names:
            raise MetadataError(f'logical model "{definition.name}" clashes with a table\'s GraphQL name')
        table, meta = logical_model_table(definition, catalog.dialect)
        tables[table.schema, table.name] = TrackedTable(
            table, meta, {}, metadata.inherited_roles, logical=True
        )
    logical = {m.name for m in metadata.logical_models}
    native = {
        q.root_field_name: resolve_native_query(q, catalog.dialect, logical) for q in metadata.native_queries
    }
    return Model(catalog.dialect, tables, dict(functions or {}), native)


def _resolve(rel: RelationshipDef, table: Table, catalog: Catalog) -> Relationship:
    where = f'relationship "{rel.name}" of table "{table.name}"'
    if rel.fk_columns:
        for fk in table.foreign_keys:
            if fk.columns == rel.fk_columns:
                required = all(not table.columns[c].nullable for c in fk.columns)
                return Relationship(
                    rel.name,
                    rel.kind,
                    (fk.remote_schema, fk.remote_table),
                    tuple(zip(fk.columns, fk.remote_columns, strict=True)),
                    required,
                )
        raise MetadataError(f"{where}: no foreign key on columns {list(rel.fk_columns)}")
    if rel.remote_fk_table is not None:
        remote = catalog.table(*rel.remote_fk_table.key)
        for fk in remote.foreign_keys:
            if fk.columns == rel.remote_fk_columns and (fk.remote_schema, fk.remote_table) == (
                table.schema,
                table.name,
            ):
                return Relationship(
                    rel.name,
                    rel.kind,
                    rel.remote_fk_table.key,
                    tuple(zip(fk.remote_columns, fk.columns, strict=True)),
                )
        raise MetadataError(f"{where}: no foreign key from {remote.name}{list(rel.remote_fk_columns)}")
    assert rel.manual_table is not None
    remote = catalog.table(*rel.manual_table.key)
    for local, remote_col in rel.manual_mapping:
        if local not in table.columns or remote_col not in remote.columns:
            raise MetadataError(f"{where}: column mapping {local} -> {remote_col} names a missing column")
    return Relationship(rel.name, rel.kind, rel.manual_table.key, rel.manual_mapping)


__all__ = ["ADMIN", "Model", "Relationship", "TrackedTable", "build_model"]
