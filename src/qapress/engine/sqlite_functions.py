"""SQL functions added to every SQLite connection, so that native queries can use them.

``websearch_to_fts5(text)`` is SQLite's counterpart of PostgreSQL's ``websearch_to_tsquery``: it turns what
a reader typed into an FTS5 MATCH expression in which every word is quoted, so no input can reach FTS5's
query syntax (column filters, NEAR, ``^``, parentheses, bare operators). It understands what a search box
is expected to: words (all required), ``"phrases"``, ``prefix*``, ``or`` between alternatives and
``-word`` to exclude. Input with no words gives ``""``, which matches nothing. English stop words are no
terms, as in PostgreSQL's ``english`` configuration (its own list, ``search-stopwords-en.txt``): a word or
prefix that is one is left out, and so are a phrase's leading and trailing ones. Inside a phrase they stay
(FTS5 cannot ask for "any word here", which is what PostgreSQL's phrase distance means), so there SQLite is
the stricter of the two.

``fts5_more_like_this(title, body)`` is the query of "more like this": every word of the title and the
body's most frequent words, English function words left out, joined by OR, so that FTS5's bm25 (which weighs
rare words most) ranks the articles that share the most distinctive of them first.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from functools import cache
from importlib import resources
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
            if word.lower() in search_stopwords():
                continue
            term, negated = _quoted([word], prefix=bool(star)), bool(word_not)
        else:
            words = _trimmed(_WORD.findall(phrase or ""))
            if not words:
                continue
            term, negated = _quoted(words), bool(phrase_not)
        groups[-1][1 if negated else 0].append(term)
    parts = []
    for positives, negatives in groups:
        if positives:  # FTS5's NOT is binary: an exclusion needs something to exclude from
            parts.append("(" + " AND ".join(positives) + "".join(f" NOT {n}" for n in negatives) + ")")
    return " OR ".join(parts) or '""'


def _trimmed(words: list[str]) -> list[str]:
    """A phrase's words without the stop words it starts or ends with."""
    skip = search_stopwords()
    start, end = 0, len(words)
    while start < end and words[start].lower() in skip:
        start += 1
    while end > start and words[end - 1].lower() in skip:
        end -= 1
    return words[start:end]


@cache
def search_stopwords() -> frozenset[str]:
    """The words a search query leaves out: PostgreSQL's English list, so both databases read a query alike."""
    return _word_list("search-stopwords-en.txt")


#: How many of the body's most frequent words a "more like this" query takes besides the title's.
MORE_LIKE_THIS_BODY_TERMS = 20


@cache
def stopwords() -> frozenset[str]:
    return _word_list("stopwords-en.txt")


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("qapress.engine").joinpath(name).read_text("utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(word for line in lines for word in line.split())


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what it is about: lower-cased, English function words and numbers out."""
    skip = stopwords()
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in skip and not w.isdigit()]


def fts5_more_like_this(title: str | None, body: str | None) -> str:
    """An FTS5 OR query of the title's words and the body's most frequent ones (``""`` when none)."""
    words = dict.fromkeys(content_words(title or ""))
    frequent = [w for w, _ in Counter(content_words(body or "")).most_common() if w not in words]
    words.update(dict.fromkeys(frequent[:MORE_LIKE_THIS_BODY_TERMS]))
    return " OR ".join(_quoted([w]) for w in words) or '""'


#: FTS5's empty phrase, which matches no row.
NOTHING = '""'
#: The columns readers' words are matched in: never ``site``, the token migration 0020 gives each article.
ARTICLE_COLUMNS = "{title lead text}"


def fts5_in_articles(expression: str | None) -> str:
    """An FTS5 expression (``websearch_to_fts5``'s, ``fts5_more_like_this``'s) over the text columns only."""
    return f"{ARTICLE_COLUMNS} : ({expression or NOTHING})"


def fts5_in_site(expression: str | None, domain: int | None) -> str:
    """The expression over one site's articles: FTS5 intersects the site's posting list with the words'."""
    return f'site : "site{int(domain or 0)}" AND {fts5_in_articles(expression)}'


def register_sqlite_functions(connection: sqlite3.Connection | Any) -> None:
    """Add the functions to a DBAPI connection (deterministic, so usable in indexes and the query planner)."""
    connection.create_function("fts5_in_articles", 1, fts5_in_articles, deterministic=True)
    connection.create_function("fts5_in_site", 2, fts5_in_site, deterministic=True)
    connection.create_function("websearch_to_fts5", 1, websearch_to_fts5, deterministic=True)
    connection.create_function("fts5_more_like_this", 2, fts5_more_like_this, deterministic=True)
