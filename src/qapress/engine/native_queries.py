"""Hasura's native queries: SQL written by the user, queried like a table whose rows are a logical model.

A logical model becomes a tracked "table" without a database table behind it (its fields are the columns,
its select permissions the table's), so ``where``, ``order_by``, ``limit``, ``offset``, ``distinct_on`` and
the permission's filter work on a native query as on any table: the compiled statement reads
``(<code>) AS alias``. Each ``{{argument}}`` in the code becomes a bound parameter, never text in the SQL.

qapress extension: ``code`` may map a dialect (``sqlite``, ``postgresql``) to its own SQL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from qapress.engine.catalog import Column, Table, scalar_name
from qapress.engine.errors import MetadataError, ValidationFailed
from qapress.engine.metadata import LogicalModelDef, NativeQueryDef, TableMetadata, TableName
from qapress.engine.params import ParamCollector

#: The schema part of a logical model's key in the model's tables: no database schema can be named so.
LOGICAL_SCHEMA = "$logical"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def logical_model_table(definition: LogicalModelDef, dialect: str) -> tuple[Table, TableMetadata]:
    """The logical model as a table without keys, and its permissions as that table's metadata."""
    columns = {
        f.name: Column(f.name, scalar_name(f.type, dialect), f.nullable, sql_type=f.type)
        for f in definition.fields
    }
    table = Table(
        LOGICAL_SCHEMA, definition.name, columns, (), insertable=False, updatable=False, deletable=False
    )
    meta = TableMetadata(
        TableName(LOGICAL_SCHEMA, definition.name), select_permissions=definition.select_permissions
    )
    return table, meta


@dataclass(frozen=True)
class NativeQuery:
    name: str
    #: The code cut at its placeholders: text, argument name, text, argument name, ..., text.
    parts: tuple[str, ...]
    inputs: tuple[Column, ...]
    returns: tuple[str, str]
    description: str | None = None

    @property
    def required(self) -> bool:
        return any(not c.nullable for c in self.inputs)

    def sql(self, args: Mapping[str, object], params: ParamCollector) -> str:
        """The code with each placeholder bound to its argument's value (``NULL`` for an absent nullable one)."""
        by_name = {c.name: c for c in self.inputs}
        out: list[str] = []
        for index, part in enumerate(self.parts):
            if index % 2 == 0:
                out.append(part)
                continue
            column = by_name[part]
            if part not in args or args[part] is None:
                if not column.nullable:
                    raise ValidationFailed(f'missing argument "{part}" of native query "{self.name}"')
                out.append("NULL")
            else:
                out.append(params.value(args[part], column))
        return "".join(out)


def resolve_native_query(definition: NativeQueryDef, dialect: str, logical_models: set[str]) -> NativeQuery:
    """Check a native query against the dialect and logical models, and cut its code at the placeholders."""
    where = f'native query "{definition.root_field_name}"'
    code = definition.code
    if isinstance(code, dict):
        if dialect not in code:
            raise MetadataError(f"{where}: no code for {dialect} (it has {', '.join(sorted(code))})")
        code = code[dialect]
    if definition.returns not in logical_models:
        raise MetadataError(f'{where}: returns unknown logical model "{definition.returns}"')
    inputs = tuple(
        Column(a.name, scalar_name(a.type, dialect), a.nullable, sql_type=a.type)
        for a in definition.arguments
    )
    names = {c.name for c in inputs}
    parts = tuple(_PLACEHOLDER.split(code.strip().rstrip(";")))
    for used in parts[1::2]:
        if used not in names:
            raise MetadataError(f'{where}: the code uses "{{{{{used}}}}}", which is not one of its arguments')
    return NativeQuery(
        definition.root_field_name,
        parts,
        inputs,
        (LOGICAL_SCHEMA, definition.returns),
        definition.description,
    )
