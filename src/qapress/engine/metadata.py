"""Hasura-shaped metadata: which tables are tracked, their relationships and each role's permissions.

The input is Hasura's v2 ``tables`` list (YAML or Python); :meth:`Metadata.from_hasura` turns it into typed,
frozen dataclasses so the rest of the engine never reads loose dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from qapress.engine.errors import MetadataError
from qapress.engine.metadata_dir import safe_yaml

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
    #: Inherited roles only: columns readable on just some of the rows, with the filter saying which.
    column_filters: dict[str, BoolExpJson] = field(default_factory=dict)
    #: Computed fields (PostgreSQL functions of a row) the role may read.
    computed_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComputedFieldDef:
    """A PostgreSQL function of a table's row shown as a field of that table (Hasura's computed field)."""

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
    #: ``configuration``: the GraphQL name standing for the table in every type and root field name,
    custom_name: str | None = None
    #: the root fields renamed (``select``, ``select_by_pk``, ``insert_one`` ... -> a name),
    custom_root_fields: dict[str, str] = field(default_factory=dict)
    #: ``custom_root_fields.<kind>.comment``: a root field's description in place of Hasura's default.
    custom_root_comments: dict[str, str] = field(default_factory=dict)
    #: and the columns renamed (``column_config.<column>.custom_name`` or the older ``custom_column_names``).
    custom_column_names: dict[str, str] = field(default_factory=dict)
    #: ``configuration.comment`` and ``column_config.<column>.comment``: descriptions in the schema, in
    #: place of the database's comments.
    comment: str | None = None
    column_comments: dict[str, str] = field(default_factory=dict)
    #: ``is_enum: true``: the table's rows are the values of a GraphQL enum (see :mod:`.enums`).
    is_enum: bool = False

    @property
    def relationships(self) -> tuple[RelationshipDef, ...]:
        return self.object_relationships + self.array_relationships


@dataclass(frozen=True)
class FunctionDef:
    """A tracked PostgreSQL function returning rows of a tracked table: a root field ``f(args: {...})``."""

    function: TableName
    session_argument: str | None = None
    #: ``configuration.exposed_as``: "query" or "mutation"; None for Hasura's default (VOLATILE: mutation).
    exposed_as: str | None = None
    #: ``configuration.custom_name``: the root field's name.
    custom_name: str | None = None
    #: Roles granted the function (``permissions: [{role: ...}]``): needed when function permissions are
    #: not inferred from the returned table's select permission.
    permissions: tuple[str, ...] = ()
    #: ``configuration.custom_root_fields``: ``function`` and ``function_aggregate`` renamed.
    custom_root_fields: dict[str, str] = field(default_factory=dict)
    #: ``comment``: the root field's description in place of Hasura's default.
    comment: str | None = None


@dataclass(frozen=True)
class LogicalFieldDef:
    """One field of a logical model: its database type (``integer``, ``text`` ...) and nullability."""

    name: str
    type: str
    nullable: bool = True
    description: str | None = None


@dataclass(frozen=True)
class LogicalModelDef:
    """Hasura's logical model: a named row shape (a GraphQL type) with the roles' select permissions."""

    name: str
    fields: tuple[LogicalFieldDef, ...]
    select_permissions: dict[str, SelectPermission] = field(default_factory=dict)


@dataclass(frozen=True)
class NativeQueryArgumentDef:
    name: str
    type: str
    nullable: bool = False
    description: str | None = None


@dataclass(frozen=True)
class NativeQueryDef:
    """Hasura's native query: SQL with ``{{argument}}`` placeholders returning rows of a logical model.

    ``code`` is Hasura's one SQL string, or (a qapress extension) a mapping from dialect (``sqlite``,
    ``postgresql``) to SQL, for queries whose SQL differs between the databases (full-text search).
    """

    root_field_name: str
    code: str | dict[str, str]
    returns: str
    arguments: tuple[NativeQueryArgumentDef, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Metadata:
    tables: tuple[TableMetadata, ...]
    #: Hasura's inherited roles: role name -> the roles whose permissions it combines.
    inherited_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    functions: tuple[FunctionDef, ...] = ()
    logical_models: tuple[LogicalModelDef, ...] = ()
    native_queries: tuple[NativeQueryDef, ...] = ()
    #: Hasura's ``api_limits`` object as written (read by :class:`qapress.engine.limits.ApiLimits`).
    api_limits: dict[str, Any] | None = None

    @classmethod
    def from_hasura(cls, raw: Any, inherited_roles: Any = None, functions: Any = None) -> Metadata:
        """Build from Hasura's ``tables`` list (or a full metadata dict holding ``tables`` or ``sources``,
        ``inherited_roles`` and ``functions``); ``inherited_roles`` is Hasura's ``[{role_name, role_set}]``
        list, ``functions`` its ``[{function: {schema, name}, configuration: {session_argument}}]`` list."""
        logical: list[Any] = []
        native: list[Any] = []
        api_limits = None
        if isinstance(raw, dict):
            api_limits = raw.get("api_limits")
            inherited_roles = inherited_roles or raw.get("inherited_roles")
            sources = raw.get("sources", [raw])
            if "sources" in raw:
                functions = functions or [f for source in raw["sources"] for f in source.get("functions", [])]
                raw = [t for source in raw["sources"] for t in source.get("tables", [])]
            else:
                functions = functions or raw.get("functions")
                raw = raw.get("tables", [])
            for source in sources:
                logical += source.get("logical_models") or []
                native += source.get("native_queries") or []
        if not isinstance(raw, list):
            raise MetadataError("metadata must be a list of tables")
        inherited: dict[str, tuple[str, ...]] = {}
        for entry in inherited_roles or []:
            try:
                inherited[str(entry["role_name"])] = tuple(str(r) for r in entry["role_set"])
            except (KeyError, TypeError):
                raise MetadataError(f"an inherited role needs role_name and role_set: {entry!r}") from None
        return cls(
            tuple(_table(entry) for entry in raw),
            inherited,
            tuple(_function(f) for f in functions or []),
            tuple(_logical_model(m) for m in logical),
            tuple(_native_query(q) for q in native),
            api_limits,
        )

    def table(self, key: tuple[str, str]) -> TableMetadata | None:
        for table in self.tables:
            if table.table.key == key:
                return table
        return None

    @property
    def roles(self) -> set[str]:
        roles: set[str] = set()
        for model in self.logical_models:
            roles.update(model.select_permissions)
        for table in self.tables:
            roles.update(table.select_permissions)
            roles.update(table.insert_permissions)
            roles.update(table.update_permissions)
            roles.update(table.delete_permissions)
        return roles


def load_metadata(path: str | Path) -> Metadata:
    """Read Hasura-shaped metadata from a YAML file."""
    try:
        raw = safe_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MetadataError(f"cannot read metadata {str(path)!r}: {exc}") from exc
    return Metadata.from_hasura(raw)


def qapress_metadata() -> Metadata:
    """qapress's own metadata (``qapress_metadata.yaml`` beside this module)."""
    text = resources.files("qapress.engine").joinpath("qapress_metadata.yaml").read_text(encoding="utf-8")
    return Metadata.from_hasura(safe_yaml(text))


ROOT_FIELD_KINDS = (
    "select",
    "select_by_pk",
    "select_aggregate",
    "insert",
    "insert_one",
    "update",
    "update_by_pk",
    "update_many",
    "delete",
    "delete_by_pk",
)


def _configuration(raw: Any) -> tuple[str | None, dict[str, str], dict[str, str]]:
    """A table's ``configuration``: its custom name, custom root field names and custom column names."""
    if raw is None:
        return None, {}, {}
    if not isinstance(raw, dict):
        raise MetadataError(f"a table's configuration must be an object: {raw!r}")
    custom_name = raw.get("custom_name")
    roots: dict[str, str] = {}
    for kind, value in (raw.get("custom_root_fields") or {}).items():
        if kind not in ROOT_FIELD_KINDS:
            continue  # subscription-only kinds (select_stream) have no field over HTTP
        name = value.get("name") if isinstance(value, dict) else value
        if name is not None:
            roots[kind] = str(name)
    columns = {str(k): str(v) for k, v in (raw.get("custom_column_names") or {}).items()}
    for column, config in (raw.get("column_config") or {}).items():
        if isinstance(config, dict) and config.get("custom_name") is not None:
            columns[str(column)] = str(config["custom_name"])
    return (str(custom_name) if custom_name is not None else None), roots, columns


def _select_permissions(raw: Any) -> dict[str, SelectPermission]:
    return {
        p["role"]: SelectPermission(
            columns=_columns(p["permission"].get("columns", [])),
            filter=p["permission"].get("filter") or {},
            computed_fields=tuple(p["permission"].get("computed_fields") or ()),
            limit=p["permission"].get("limit"),
            allow_aggregations=bool(p["permission"].get("allow_aggregations", False)),
        )
        for p in raw or []
    }


def _logical_field(name: Any, raw: Any) -> LogicalFieldDef:
    """A field as Hasura writes it: ``type: text, nullable: ...`` (v2.26) or ``type: {scalar, nullable}``."""
    if not isinstance(raw, dict) or "type" not in raw:
        raise MetadataError(f"logical model field {name!r} needs a type: {raw!r}")
    type_ = raw["type"]
    nullable = raw.get("nullable", True)
    if isinstance(type_, dict):
        if "scalar" not in type_:
            raise MetadataError(f"logical model field {name!r}: only scalar types are supported: {type_!r}")
        nullable = type_.get("nullable", nullable)
        type_ = type_["scalar"]
    return LogicalFieldDef(str(name), str(type_), bool(nullable), raw.get("description"))


def _logical_model(raw: Any) -> LogicalModelDef:
    if not isinstance(raw, dict) or "name" not in raw:
        raise MetadataError(f"a logical model needs a name: {raw!r}")
    fields = raw.get("fields") or []
    if isinstance(fields, dict):
        parsed = tuple(_logical_field(k, v) for k, v in fields.items())
    else:
        parsed = tuple(_logical_field(f.get("name") if isinstance(f, dict) else f, f) for f in fields)
    if not parsed:
        raise MetadataError(f'logical model "{raw["name"]}" has no fields')
    return LogicalModelDef(str(raw["name"]), parsed, _select_permissions(raw.get("select_permissions")))


def _native_query(raw: Any) -> NativeQueryDef:
    try:
        name, code, returns = raw["root_field_name"], raw["code"], raw["returns"]
    except (KeyError, TypeError):
        raise MetadataError(f"a native query needs root_field_name, code and returns: {raw!r}") from None
    if not isinstance(code, str | dict):
        raise MetadataError(f'native query "{name}": code must be SQL text or a mapping of dialect to SQL')
    arguments = tuple(
        NativeQueryArgumentDef(
            str(arg), str(spec["type"]), bool(spec.get("nullable", False)), spec.get("description")
        )
        for arg, spec in (raw.get("arguments") or {}).items()
    )
    code = code if isinstance(code, str) else {str(k): str(v) for k, v in code.items()}
    return NativeQueryDef(str(name), code, str(returns), arguments, raw.get("description"))


def _table(entry: Any) -> TableMetadata:
    if not isinstance(entry, dict) or "table" not in entry:
        raise MetadataError(f"a metadata table entry needs 'table': {entry!r}")
    custom_name, custom_roots, custom_columns = _configuration(entry.get("configuration"))
    configuration = entry.get("configuration") or {}
    column_comments = {
        str(column): str(config["comment"])
        for column, config in (configuration.get("column_config") or {}).items()
        if isinstance(config, dict) and config.get("comment") is not None
    }
    return TableMetadata(
        table=TableName.parse(entry["table"]),
        custom_name=custom_name,
        custom_root_fields=custom_roots,
        custom_root_comments={
            str(kind): str(value["comment"])
            for kind, value in ((entry.get("configuration") or {}).get("custom_root_fields") or {}).items()
            if isinstance(value, dict) and value.get("comment") is not None
        },
        custom_column_names=custom_columns,
        is_enum=bool(entry.get("is_enum", False)),
        comment=configuration.get("comment"),
        column_comments=column_comments,
        object_relationships=tuple(
            _relationship(r, "object") for r in entry.get("object_relationships") or []
        ),
        array_relationships=tuple(_relationship(r, "array") for r in entry.get("array_relationships") or []),
        computed_fields=tuple(_computed_field(c) for c in entry.get("computed_fields") or []),
        select_permissions=_select_permissions(entry.get("select_permissions")),
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


def _function(raw: Any) -> FunctionDef:
    if isinstance(raw, dict) and "function" in raw:
        configuration = raw.get("configuration") or {}
        exposed_as = configuration.get("exposed_as")
        if exposed_as not in (None, "query", "mutation"):
            raise MetadataError(f'a function\'s exposed_as must be "query" or "mutation": {raw!r}')
        return FunctionDef(
            TableName.parse(raw["function"]),
            configuration.get("session_argument"),
            exposed_as,
            configuration.get("custom_name"),
            tuple(str(p["role"]) for p in raw.get("permissions") or []),
            {str(k): str(v) for k, v in (configuration.get("custom_root_fields") or {}).items() if v},
            raw.get("comment"),
        )
    return FunctionDef(TableName.parse(raw))


def _computed_field(raw: Any) -> ComputedFieldDef:
    try:
        definition = raw["definition"]
        return ComputedFieldDef(
            name=str(raw["name"]),
            function=TableName.parse(definition["function"]),
            table_argument=definition.get("table_argument"),
            session_argument=definition.get("session_argument"),
        )
    except (KeyError, TypeError):
        raise MetadataError(f"a computed field needs name and definition.function: {raw!r}") from None


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
