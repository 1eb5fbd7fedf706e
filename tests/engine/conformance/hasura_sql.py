"""PostgreSQL fixture SQL made runnable where the fixture runs: SQLite, or a PostgreSQL without PostGIS.

Hasura's fixtures are PostgreSQL scripts. :class:`SqlTranslator` splits them into statements and carries
them to SQLite (serial columns, casts, ``setval``, ``ALTER TABLE ... ADD FOREIGN KEY``, key columns NOT
NULL) and drops what has no equivalent (extensions, types, functions, ``DO`` blocks, ``SET``), remembering
what it dropped so that the metadata depending on it is left out too. Without PostGIS, geography and
geometry columns hold GeoJSON as JSON (a jsonb domain on PostgreSQL). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Dialect = Literal["postgresql", "sqlite"]

#: Column types that only exist once an extension is installed.
EXTENSION_TYPES: dict[str, frozenset[str]] = {
    "postgis": frozenset({"geography", "geometry", "raster"}),
    "ltree": frozenset({"ltree"}),
    "citext": frozenset({"citext"}),
}

#: Extensions whose types are emulated when missing instead of dropped (their values are JSON documents).
EMULATED = ("postgis",)


def split_sql(sql: str) -> list[str]:
    """Statements of a PostgreSQL script, without comments; ``;`` inside strings and ``$$`` bodies is kept."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            current.append(" ")
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
            current.append(" ")
        elif ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            current.append(sql[i : j + 1])
            i = j + 1
        elif ch == "$" and (tag := re.match(r"\$[A-Za-z_]*\$", sql[i:])):
            end = sql.find(tag.group(0), i + len(tag.group(0)))
            end = n if end < 0 else end + len(tag.group(0))
            current.append(sql[i:end])
            i = end
        elif ch == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


_LITERAL = re.compile(r"'(?:[^']|'')*'|\$([A-Za-z_]*)\$.*?\$\1\$", re.S)


def _mask_literals(sql: str) -> tuple[str, list[str]]:
    literals: list[str] = []

    def keep(match: re.Match[str]) -> str:
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    return _LITERAL.sub(keep, sql), literals


def _unmask(sql: str, literals: Sequence[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], sql)


def _split_top_level(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [p.strip() for p in parts if p.strip()]


def _ident(name: str) -> str:
    """An identifier as written (``"Album"`` or ``author``) to the name PostgreSQL stores."""
    name = name.strip()
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = rf"(?:{_IDENT}\s*\.\s*)?{_IDENT}"
_CONSTRAINT_START = re.compile(r"^(?:PRIMARY\s+KEY|FOREIGN\s+KEY|UNIQUE|CONSTRAINT|CHECK|EXCLUDE)\b", re.I)
_COLUMN_KEYWORDS = re.compile(
    r"\b(?:NOT\s+NULL|NULL|PRIMARY\s+KEY|REFERENCES|UNIQUE|DEFAULT|CHECK|GENERATED|CONSTRAINT|COLLATE)\b",
    re.I,
)
_SERIAL_TYPES = {"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"}
# PostgreSQL column types SQLite cannot even parse, as names SQLite accepts (affinity TEXT or NUMERIC).
_SQLITE_TYPE_NAMES = {
    "time with time zone": "TIMETZ",
    "time without time zone": "TIME",
    "timestamp with time zone": "TIMESTAMPTZ",
    "timestamp without time zone": "TIMESTAMP",
    "information_schema.sql_identifier": "TEXT",
}


def _table_name(sql: str) -> str:
    return _ident(sql.split(".")[-1])


@dataclass
class SqlTranslator:
    """PostgreSQL fixture SQL for one fixture folder, as statements the target database runs.

    Stateful across the folder's files: what the setup dropped (tables, columns, functions, types),
    the teardown and the metadata must leave out as well.
    """

    dialect: Dialect
    extensions: frozenset[str] = frozenset()
    dropped_tables: set[str] = field(default_factory=set)
    dropped_columns: dict[str, set[str]] = field(default_factory=dict)
    dropped_functions: set[str] = field(default_factory=set)
    custom_types: set[str] = field(default_factory=set)
    function_ddl: dict[str, list[str]] = field(default_factory=dict)
    domains: set[str] = field(default_factory=set)

    @property
    def unavailable_types(self) -> frozenset[str]:
        """Types whose columns are dropped: an extension's that PostgreSQL lacks (SQLite stores them as TEXT)."""
        names: set[str] = set()
        for extension, types in EXTENSION_TYPES.items():
            if (
                extension not in self.extensions
                and extension not in EMULATED
                and self.dialect == "postgresql"
            ):
                names |= types
        return frozenset(names)

    @property
    def emulated_types(self) -> frozenset[str]:
        """PostGIS types without PostGIS: GeoJSON kept as JSON (a jsonb domain on PostgreSQL), no spatial SQL."""
        names: set[str] = set()
        for extension in EMULATED:
            if extension not in self.extensions:
                names |= EXTENSION_TYPES[extension]
        return frozenset(names)

    def translate(self, sql: str) -> list[str]:
        out: list[str] = []
        for statement in split_sql(sql):
            self._translate_statement(statement, out)
        return out

    # -- one statement -------------------------------------------------------------------------------

    def _translate_statement(self, statement: str, out: list[str]) -> None:
        masked, literals = _mask_literals(statement)
        head = " ".join(masked.split()[:4]).lower()
        sqlite = self.dialect == "sqlite"
        if head.startswith("create extension"):
            name = masked.split()[-1].strip('"').lower()
            missing = any(name.startswith(e) for e in EXTENSION_TYPES if e not in self.extensions)
            if not sqlite and not missing:
                out.append(statement)
            return
        if head.startswith("do "):
            if sqlite or ("postgis" in statement.lower() and "postgis" not in self.extensions):
                return
            out.append(statement)
            return
        if re.match(r"create\s+(or\s+replace\s+)?function", head):
            name = _table_name(re.split(r"(?i)\bfunction\s+", masked, maxsplit=1)[-1].split("(")[0])
            if sqlite:
                self.dropped_functions.add(name)
                self.function_ddl[name] = [
                    m.group(1) for m in re.finditer(r"\$c\$(.*?)\$c\$", statement, re.S)
                ]
                return
            out.append(statement)
            return
        if head.startswith("create type"):
            self.custom_types.add(_table_name(masked.split()[2]))
            if not sqlite:
                out.append(statement)
            return
        if re.match(r"drop (function|type|extension)", head):
            if not sqlite:
                out.append(statement)
            return
        if head.startswith("set "):
            if not sqlite and not head.startswith("set lc_monetary"):
                out.append(statement)
            # lc_monetary names an OS locale (en_US.utf-8) that a server may lack; PostgreSQL's default
            # formats money the same way except for the thousands separator.
            return
        if sqlite and (call := re.match(r"select\s+(?:from\s+)?(\w+)\s*\(\s*\)\s*$", masked, re.I)):
            for ddl in self.function_ddl.get(call.group(1).lower(), [])[:1]:
                self._translate_statement(ddl, out)
            return
        if re.match(r"select\s+setval\s*\(", masked, re.I):
            if sqlite:
                sequence = _ident(literals[0][1:-1].replace("''", "'")) if literals else ""
                out.append(self._reset_sequence(sequence))
            else:
                out.append(statement)
            return
        if head.startswith("drop table"):
            names = re.sub(r"(?i)\b(cascade|restrict|if\s+exists)\b", "", masked.split(None, 2)[2]).split(",")
            kept = [n.strip() for n in names if _table_name(n) not in self.dropped_tables]
            if kept:
                out.append(f"DROP TABLE {', '.join(kept)}" if sqlite else statement)
            return
        if head.startswith("create table"):
            self._create_table(masked, literals, statement, out)
            return
        if sqlite and head.startswith("alter table") and " foreign key" in masked.lower():
            self._add_foreign_key(masked, literals, out)
            return
        if head.startswith("insert into"):
            table = _table_name(re.match(rf"insert\s+into\s+({_QUALIFIED})", masked, re.I).group(1))  # type: ignore[union-attr]
            if table in self.dropped_tables:
                return
            if self.emulated_types and re.search(r"(?i)\bST_\w+\s*\(", masked):
                return  # spatial values need PostGIS itself
            if sqlite:
                masked = re.sub(r"(?i)\bdefault\b", "NULL", masked)
        if sqlite:
            masked = self._sqlite_expressions(masked)
            out.append(_unmask(masked, literals))
        else:
            out.append(statement)

    def _sqlite_expressions(self, masked: str) -> str:
        masked = re.sub(r"::\s*[A-Za-z_][\w ]*?(?:\[\])*(?=[\s,)]|$)", "", masked)
        return re.sub(r"(?i)\bnow\s*\(\s*\)", "CURRENT_TIMESTAMP", masked)

    def _reset_sequence(self, sequence: str) -> str:
        # AUTOINCREMENT keeps its counter in sqlite_sequence, one row per table; with the row gone the next id
        # is max(id)+1, which is 1 on the emptied table: what setval(seq, 1, false) means. The sequence name
        # is <table>_<column>_seq; the table is the longest name it starts with.
        literal = "'" + sequence.replace("'", "''") + "'"
        return (
            "DELETE FROM sqlite_sequence WHERE name = (SELECT s.name FROM sqlite_sequence AS s "
            f"WHERE substr({literal}, 1, length(s.name) + 1) = s.name || '_' "
            "ORDER BY length(s.name) DESC LIMIT 1)"
        )

    def _create_table(self, masked: str, literals: list[str], original: str, out: list[str]) -> None:
        match = re.match(
            rf"create\s+table\s+(?:if\s+not\s+exists\s+)?({_QUALIFIED})\s*\((.*)\)\s*$", masked, re.I | re.S
        )
        if match is None:
            out.append(original if self.dialect == "postgresql" else _unmask(masked, literals))
            return
        name = match.group(1).strip()
        table = _table_name(name)
        items: list[str] = []
        triggers: list[str] = []
        domains: list[str] = []
        changed = False
        for item in _split_top_level(match.group(2)):
            if _CONSTRAINT_START.match(item):
                items.append(item)
                continue
            column_match = re.match(rf"({_IDENT})\s+(.*)$", item, re.S)
            if column_match is None:
                items.append(item)
                continue
            column, rest = column_match.group(1), column_match.group(2)
            keyword = _COLUMN_KEYWORDS.search(rest)
            type_text = (rest[: keyword.start()] if keyword else rest).strip()
            constraints = rest[keyword.start() :].strip() if keyword else ""
            base_type = re.sub(r"\s*\(.*\)|\[.*\]", "", type_text).strip().lower()
            if base_type in self.emulated_types:
                changed = True
                if self.dialect == "postgresql" and base_type not in self.domains:
                    self.domains.add(base_type)
                    domains.append(
                        f"DO $$ BEGIN CREATE DOMAIN {base_type} AS jsonb; "
                        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                    )
                items.append(f"{column} {base_type} {constraints}".strip())
                continue
            if base_type in self.unavailable_types:
                changed = True
                if re.search(r"(?i)\bnot\s+null\b", constraints):
                    self.dropped_tables.add(table)
                    return
                self.dropped_columns.setdefault(table, set()).add(_ident(column))
                continue
            if self.dialect == "postgresql":
                items.append(item)
                continue
            changed = True
            identity = re.search(r"(?i)\bgenerated\s+(always|by\s+default)\s+as\s+identity\b", constraints)
            if base_type in _SERIAL_TYPES or identity:
                constraints = re.sub(
                    r"(?i)\bgenerated\s+(always|by\s+default)\s+as\s+identity\b", "", constraints
                )
                constraints = " ".join(constraints.split())
                primary = re.search(r"(?i)\bprimary\s+key\b", constraints)
                if primary and base_type not in ("bigserial", "serial8"):
                    # The rowid alias: NOT NULL as in PostgreSQL (SQLite would report it nullable).
                    constraints = re.sub(
                        r"(?i)\bprimary\s+key\b", "NOT NULL PRIMARY KEY AUTOINCREMENT", constraints
                    )
                    items.append(f"{column} INTEGER {constraints}".strip())
                    continue
                # Not a rowid alias (outside the key, or a bigint key that must stay BIGINT): filled by a trigger.
                triggers.append(self._serial_trigger(table, _ident(column)))
                sqlite_type = "BIGINT" if base_type in ("bigserial", "serial8") else "INTEGER"
                items.append(f"{column} {sqlite_type} {constraints}".strip())
                continue
            if re.search(r"(?i)\bprimary\s+key\b", constraints) and not re.search(
                r"(?i)\bnot\s+null\b", constraints
            ):
                constraints = "NOT NULL " + constraints  # PostgreSQL keys are never null; SQLite's may be
            if "[" in type_text or base_type in ("ltree", "citext"):
                sqlite_type = "TEXT"
            else:
                sqlite_type = _SQLITE_TYPE_NAMES.get(" ".join(type_text.lower().split()), type_text)
            items.append(f"{column} {sqlite_type} {self._sqlite_expressions(constraints)}".strip())
        if not changed:
            out.append(original)
            return
        body = ",\n  ".join(items)
        out.extend(domains)
        out.append(_unmask(f"CREATE TABLE {name} (\n  {body}\n)", literals))
        out.extend(triggers)

    def _serial_trigger(self, table: str, column: str) -> str:
        # A serial column outside the primary key: SQLite has no sequences, so fill it after the insert.
        return (
            f"CREATE TRIGGER {quote(table + '_' + column + '_serial')} AFTER INSERT ON {quote(table)} "
            f"FOR EACH ROW WHEN NEW.{quote(column)} IS NULL BEGIN "
            f"UPDATE {quote(table)} SET {quote(column)} = "
            f"(SELECT COALESCE(MAX({quote(column)}), 0) + 1 FROM {quote(table)}) WHERE rowid = NEW.rowid; END"
        )

    def _add_foreign_key(self, masked: str, literals: list[str], out: list[str]) -> None:
        # SQLite cannot add a constraint to a table; add it to the CREATE TABLE emitted before, if any.
        match = re.match(
            rf"alter\s+table\s+(?:only\s+)?({_QUALIFIED})\s+add\s+(constraint\s+{_IDENT}\s+)?(foreign\s+key.*)$",
            masked,
            re.I | re.S,
        )
        if match is None:
            return
        table = _table_name(match.group(1))
        constraint = _unmask(f"{match.group(2) or ''}{match.group(3)}", literals).strip()
        for index, previous in enumerate(out):
            created = re.match(rf"CREATE TABLE ({_QUALIFIED}) \(", previous)
            if created and _table_name(created.group(1)) == table:
                out[index] = previous[: previous.rstrip().rfind(")")].rstrip() + f",\n  {constraint}\n)"
                return
