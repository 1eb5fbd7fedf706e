"""The dialects' small decisions, from the databases' own documentation."""

from __future__ import annotations

import sqlite3

import pytest

from qapress.engine.dialects import SQLiteDialect, has_text_affinity


@pytest.mark.parametrize(
    ("declared", "text"),
    [  # SQLite's datatype3.html, section 3.1.1's table, and its rule order (INT first)
        ("INT", False),
        ("INTEGER", False),
        ("UNSIGNED BIG INT", False),
        ("CHARACTER(20)", True),
        ("VARCHAR(255)", True),
        ("VARYING CHARACTER(255)", True),
        ("NCHAR(55)", True),
        ("NVARCHAR(100)", True),
        ("TEXT", True),
        ("CLOB", True),
        ("BLOB", False),
        ("REAL", False),
        ("DOUBLE PRECISION", False),
        ("NUMERIC", False),
        ("DATETIME", False),
        ("CHARINT", False),  # "INT" is looked for first
        ("json", False),
    ],
)
def test_text_affinity_follows_sqlites_rules(declared: str, text: bool) -> None:
    assert has_text_affinity(declared) is text


def test_a_cast_to_text_compares_as_the_bare_parameter_would() -> None:
    """The cast changes cost, not answers: compared with a TEXT column, an untyped parameter gets TEXT
    affinity anyway, so numbers, number-like text and NULL match the same rows either way."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20))")
    db.executemany("INSERT INTO t (name) VALUES (?)", [("10",), ("10.0",), ("abc",), (None,), ("",)])
    cast = SQLiteDialect().cast("?", "VARCHAR")
    assert cast == "CAST(? AS TEXT)"
    for operator in ("=", "<>", "<", ">="):
        for value in (10, "10", 10.0, "abc", "", None):
            bare = db.execute(f"SELECT id FROM t WHERE name {operator} ? ORDER BY id", (value,)).fetchall()
            cast_rows = db.execute(f"SELECT id FROM t WHERE name {operator} {cast} ORDER BY id", (value,))
            assert cast_rows.fetchall() == bare, (operator, value)
    assert SQLiteDialect().cast("?", "INTEGER") == "?"


def test_no_engine_module_but_the_dialects_asks_which_database_it_is() -> None:
    """Every SQLite/PostgreSQL difference in the engine is a ``Dialect`` attribute or method (issue 12)."""
    import re
    from pathlib import Path

    import qapress.engine

    asks = re.compile(
        r"""(==|!=|\bin)\s*[(\[{]?\s*["'](postgresql|sqlite)["']|["'](postgresql|sqlite)["']\s*(==|!=)"""
    )
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(Path(qapress.engine.__file__).parent.glob("*.py"))
        if path.name != "dialects.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if asks.search(line)
    ]
    assert found == []
