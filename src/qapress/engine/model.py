"""The tracked tables as the engine sees them: catalog facts joined with metadata, relationships resolved.

A :class:`Model` is immutable and built once per ``reload()``; schemas and plans are derived from it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from qapress.engine.catalog import Catalog, Table
from qapress.engine.computed import ComputedField
from qapress.engine.enums import EnumValues
from qapress.engine.errors import MetadataError
from qapress.engine.functions import TrackedFunction
from qapress.engine.metadata import Metadata, RelationshipDef, SelectPermission, TableMetadata
from qapress.engine.names import is_graphql_name
from qapress.engine.native_queries import NativeQuery, logical_model_table, resolve_native_query
from qapress.engine.permissions import ADMIN, select_permission

log = logging.getLogger(__name__)
#: Marks a relationship's key in input objects when a (renamed) column has the relationship's name.
RELATIONSHIP_MARK = "\x00rel:"


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
    #: An enum table's values (``is_enum: true``), else None.
    enum: EnumValues | None = None
    #: Columns that reference an enum table by a foreign key: column -> the enum table's key.
    enum_columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def enum_type_name(self) -> str:
        """An enum table's GraphQL enum type: ``<table>_enum``."""
        return f"{self.graphql_name}_enum"

    #: A logical model (the rows of native queries), not a database table: no root fields of its own.
    logical: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.table.schema, self.table.name)

    @property
    def graphql_name(self) -> str:
        """The name in every type and default root field name: the custom name, else ``[schema_]table``."""
        if self.meta.custom_name is not None:
            return self.meta.custom_name
        if self.logical or self.table.schema == "public":
            return self.table.name
        return f"{self.table.schema}_{self.table.name}"

    def root_name(self, kind: str) -> str:
        """A root field's name: ``custom_root_fields`` or Hasura's default for ``kind``."""
        custom = self.meta.custom_root_fields.get(kind)
        if custom is not None:
            return custom
        name = self.graphql_name
        return {
            "select": name,
            "select_by_pk": f"{name}_by_pk",
            "select_aggregate": f"{name}_aggregate",
            "insert": f"insert_{name}",
            "insert_one": f"insert_{name}_one",
            "update": f"update_{name}",
            "update_by_pk": f"update_{name}_by_pk",
            "update_many": f"update_{name}_many",
            "delete": f"delete_{name}",
            "delete_by_pk": f"delete_{name}_by_pk",
        }[kind]

    @property
    def description(self) -> str:
        """The object type's description: the metadata's comment, the table's, or Hasura's default."""
        if self.meta.comment is not None:
            return self.meta.comment
        if self.table.comment:
            return self.table.comment
        return f'columns and relationships of "{self.table.name}"'

    def column_description(self, column: str) -> str | None:
        """A column field's description: the metadata's comment, else the column's, else none."""
        return self.meta.column_comments.get(column) or self.table.columns[column].comment

    def root_description(self, kind: str, default: str) -> str:
        """A root field's description: its ``custom_root_fields`` comment, else Hasura's default."""
        return self.meta.custom_root_comments.get(kind, default)

    def relationship_key(self, name: str) -> str:
        """What an input object's relationship field is read back as: its name, or, when a renamed column has
        that name too (its field name differs), the name marked so the two stay apart."""
        return RELATIONSHIP_MARK + name if name in self.table.columns else name

    def relationship_of(self, key: str) -> str | None:
        """The relationship an input object's key stands for (see :meth:`relationship_key`), or None."""
        if key.startswith(RELATIONSHIP_MARK):
            key = key[len(RELATIONSHIP_MARK) :]
        elif key in self.table.columns:
            return None
        return key if key in self.relationships else None

    def field_name(self, column: str) -> str:
        """A column's GraphQL field name (its custom name, else the column's own name)."""
        return self.meta.custom_column_names.get(column, column)

    def column_of(self, name: str) -> str | None:
        """The column a GraphQL field name stands for, or None when it names no column (a renamed column's
        own name is no field of it: it may name a relationship)."""
        column = self.column_by_field.get(name)
        if column is not None:
            return column
        if name in self.table.columns and name not in self.meta.custom_column_names:
            return name
        return None

    @cached_property
    def column_by_field(self) -> dict[str, str]:
        """Renamed columns by their GraphQL field names."""
        return {field: column for column, field in self.meta.custom_column_names.items()}

    def select_permission(self, role: str) -> SelectPermission | None:
        """The role's select permission on this table (see :mod:`.permissions`)."""
        return select_permission(self.meta, tuple(self.table.columns), role, self.inherited_roles)


@dataclass(frozen=True)
class Model:
    dialect: str
    tables: dict[tuple[str, str], TrackedTable]
    functions: dict[str, TrackedFunction] = field(default_factory=dict)
    #: Hasura's inconsistent objects: what was left out of the schema, and why (the rest still works).
    inconsistencies: tuple[str, ...] = ()
    #: Hasura's ``HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS``: a role sees a function when it may read what
    #: the function returns (True), or only with a function permission as well (False).
    infer_function_permissions: bool = True
    native_queries: dict[str, NativeQuery] = field(default_factory=dict)

    def tracked(self, key: tuple[str, str]) -> TrackedTable:
        return self.tables[key]


def build_model(
    catalog: Catalog,
    metadata: Metadata,
    computed: Mapping[tuple[str, str], dict[str, ComputedField]] | None = None,
    functions: Mapping[str, TrackedFunction] | None = None,
    enums: Mapping[tuple[str, str], EnumValues] | None = None,
    enum_problems: Iterable[str] = (),
) -> Model:
    """The tracked tables; ``computed`` holds each table's computed fields, resolved against the database."""
    tables: dict[tuple[str, str], TrackedTable] = {}
    inconsistencies: list[str] = list(enum_problems)
    enums = enums or {}
    dropped: set[tuple[str, str]] = set()
    for meta in metadata.tables:
        table = catalog.table(*meta.table.key)
        if meta.is_enum and meta.table.key not in enums:
            dropped.add(meta.table.key)  # the reason is among enum_problems
            continue
        invalid = _invalid_name(table, meta)
        if invalid is not None:
            inconsistencies.append(
                f"table {table.schema}.{table.name}: Inconsistent object: cannot include {invalid} in the "
                "GraphQL schema because  it is not a valid GraphQL identifier"
            )
            dropped.add(meta.table.key)
            continue
        relationships = {rel.name: _resolve(rel, table, catalog) for rel in meta.relationships}
        # Fields are named by the columns' GraphQL names (custom names included).
        column_fields = {meta.custom_column_names.get(c, c) for c in table.columns}
        if len(column_fields) < len(table.columns):
            inconsistencies.append(
                f"table {table.schema}.{table.name}: Inconsistent object: two columns have the same GraphQL name"
            )
            dropped.add(meta.table.key)
            continue
        for name in relationships:
            if name in column_fields:
                raise MetadataError(f'relationship "{name}" on table "{table.name}" clashes with a column')
        fields = dict((computed or {}).get(meta.table.key, {}))
        for name in fields:
            if name in column_fields or name in relationships:
                raise MetadataError(
                    f'computed field "{name}" on table "{table.name}" clashes with another field'
                )
        tables[meta.table.key] = TrackedTable(
            table, meta, relationships, metadata.inherited_roles, fields, enums.get(meta.table.key)
        )
    for key, tracked in list(tables.items()):
        enum_columns = {
            fk.columns[0]: (fk.remote_schema, fk.remote_table)
            for fk in tracked.table.foreign_keys
            if len(fk.columns) == 1
            and (fk.remote_schema, fk.remote_table) in enums
            and (fk.remote_schema, fk.remote_table) in tables
        }
        if enum_columns:
            tables[key] = replace(tracked, enum_columns=enum_columns)
    for key, tracked in list(tables.items()):
        # What depends on a table left out as inconsistent is left out too, as Hasura does.
        gone = [name for name, rel in tracked.relationships.items() if rel.remote in dropped]
        gone_cf = [name for name, cf in tracked.computed.items() if cf.returns in dropped]
        if gone or gone_cf:
            for name in gone + gone_cf:
                inconsistencies.append(
                    f'field "{name}" of table {tracked.table.name}: Inconsistent object: the table it '
                    "depends on is inconsistent"
                )
            tables[key] = replace(
                tracked,
                relationships={n: r for n, r in tracked.relationships.items() if n not in gone},
                computed={n: c for n, c in tracked.computed.items() if n not in gone_cf},
            )
    functions = {
        name: function for name, function in (functions or {}).items() if function.returns not in dropped
    }
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
    for message in inconsistencies:
        log.warning("metadata: %s", message)
    return Model(
        catalog.dialect, tables, dict(functions or {}), tuple(inconsistencies), native_queries=native
    )


def _invalid_name(table: Table, meta: TableMetadata) -> str | None:
    """The first name the table would give the schema that is no GraphQL name, quoted; None when all are."""
    tracked = TrackedTable(table, meta, {})
    if not is_graphql_name(tracked.graphql_name):
        return f'"{tracked.graphql_name}"'
    for column in table.columns:
        if not is_graphql_name(tracked.field_name(column)):
            return f'"{tracked.field_name(column)}"'
    for name in meta.custom_root_fields.values():
        if not is_graphql_name(name):
            return f'"{name}"'
    return None


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
