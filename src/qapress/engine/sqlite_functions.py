"""SQL functions added to every SQLite connection, so that native queries can use them.

``websearch_to_fts5(text)`` is SQLite's counterpart of PostgreSQL's ``websearch_to_tsquery``: it turns what
a reader typed into an FTS5 MATCH expression in which every word is quoted, so no input can reach FTS5's
query syntax (column filters, NEAR, ``^``, parentheses, bare operators). It understands what a search box
is expected to: words (all required), ``"phrases"``, ``prefix*``, ``or`` between alternatives and
``-word`` to exclude. Input with no words gives ``""``, which matches nothing.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\w+)(\*?)', re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def _quoted(words: list[str], prefix: bool = False) -> str:
    # Only \w characters are left, so a double quote can never end the string early.
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def websearch_to_fts5(text: str | None) -> str:
    """The FTS5 MATCH expression for a search box's text (the empty phrase when it holds no word)."""
    if not text:
        return '""'
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _TOKEN.finditer(text):
        phrase_not, phrase, word_not, word, star = match.groups()
        if word is not None:
            if word.lower() == "or" and not word_not:
                if groups[-1][0]:
                    groups.append(([], []))
                continue
            term, negated = _quoted([word], prefix=bool(star)), bool(word_not)
        else:
            words = _WORD.findall(phrase or "")
            if not words:
                continue
            term, negated = _quoted(words), bool(phrase_not)
        groups[-1][1 if negated else 0].append(term)
    parts = []
    for positives, negatives in groups:
        if positives:  # FTS5's NOT is binary: an exclusion needs something to exclude from
            parts.append("(" + " AND ".join(positives) + "".join(f" NOT {n}" for n in negatives) + ")")
    return " OR ".join(parts) or '""'


def register_sqlite_functions(connection: sqlite3.Connection | Any) -> None:
    """Add the functions to a DBAPI connection (deterministic, so usable in indexes and the query planner)."""
    connection.create_function("websearch_to_fts5", 1, websearch_to_fts5, deterministic=True)
