"""Computing one article's related list: its distinctive words (``terms``), then the best matches of its site.

Each database ranks with its own full-text index: SQLite FTS5's bm25 (title weighed 10, lead 4, text 1);
PostgreSQL ``ts_rank`` over the stored vectors (``qa_ai_search``, migration 0017). What bounds the work is the
choice of words (``terms.choose_terms``): their document counts come from the index's vocabulary on SQLite
(``qa_ai_fts_terms``, an ``fts5vocab`` table) and from the GIN index's statistics on PostgreSQL (the most
common lexemes and their frequencies, kept by ANALYZE), with a count capped at ``COUNT_CAP`` for the few
rarer candidates.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from qapress.engine.sqlite_functions import content_words, fts5_in_site
from qapress.related.terms import MAX_TERMS, Term, choose_terms, salience
from qapress.store.backend import is_sqlite

#: Articles a stored list holds (the page shows 4; the rest stand in for any withdrawn since).
LIST_SIZE = 8
#: Words (SQLite) or rarer lexemes (PostgreSQL: not among the statistics' most common) whose articles are
#: counted, the most salient first.
COUNTED_TERMS = 2 * MAX_TERMS
#: SQLite: how long the terms' document counts are reused, and how many are kept at most.
COUNTS_SECONDS = 3600.0
MAX_COUNTS = 200_000
#: SQLite: words whose stem is kept, at most (a few MB).
MAX_STEMS = 100_000
#: SQLite: the fewest documents whose count is kept (fewer are read again each time).
KEPT_COUNT = 1_000
#: PostgreSQL: rows a rarer lexeme's count reads at most.
COUNT_CAP = 50
#: PostgreSQL: how long the index statistics are reused before they are read again.
STATISTICS_SECONDS = 300.0


@dataclass(frozen=True)
class Source:
    """The article a list is computed for."""

    id: int
    domain: int
    title: str
    body: str


def read_source(connection: sa.Connection, article_id: int) -> Source | None:
    """The article if it is published (a list is computed for published articles only)."""
    row = connection.execute(
        sa.text("SELECT id, domain, title, lead, text FROM qa_ai WHERE id = :id AND status = 'published'"),
        {"id": article_id},
    ).first()
    if row is None:
        return None
    return Source(int(row.id), int(row.domain), row.title or "", f"{row.lead or ''} {row.text or ''}")


def _quoted_word(word: str) -> str:
    return '"' + word + '"'  # content words are \w runs: no quote can end the string early


class SQLiteRelated:
    """SQLite: the article's words stemmed as the index stems them (a one-row-per-word FTS5 table in the
    connection's temp schema), their document counts from ``qa_ai_fts_terms``, bm25 over the chosen words.

    ``fts5vocab`` counts a term's documents by reading its posting list, so a common word's count is kept
    for ``COUNTS_SECONDS`` (read once, it serves every list the process computes meanwhile)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._counts_at = time.monotonic()
        self._stems: dict[str, str | None] = {}

    def documents(self, connection: sa.Connection, stems: list[str]) -> dict[str, int]:
        if time.monotonic() - self._counts_at > COUNTS_SECONDS or len(self._counts) > MAX_COUNTS:
            self._counts.clear()
            self._counts_at = time.monotonic()
        missing = [s for s in stems if s not in self._counts]
        found: dict[str, int] = {}
        if missing:
            found = dict(
                connection.execute(
                    sa.text("SELECT term, doc FROM qa_ai_fts_terms WHERE term IN :terms").bindparams(
                        sa.bindparam("terms", expanding=True)
                    ),
                    {"terms": missing},
                ).all()
            )
            # Only a common word's count is kept: a rare one is cheap to read again, and changes faster.
            self._counts.update({s: int(n) for s, n in found.items() if n >= KEPT_COUNT})
        return {s: int(self._counts.get(s, found.get(s, 0))) for s in stems}

    def stems(self, connection: sa.Connection, words: list[str]) -> dict[str, str]:
        """Each word's stem as the index stems it, for the words it has one for. A word's stem never changes,
        and a network's words repeat (most of an article's are in the last thousand articles'), so they are
        kept (up to ``MAX_STEMS``) and only new words go through the tokenizer."""
        new = [w for w in words if w not in self._stems]
        if new:
            if len(self._stems) + len(new) > MAX_STEMS:
                self._stems.clear()
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.related_words USING fts5(word, "
                "tokenize='porter unicode61 remove_diacritics 2')"
            )
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.related_stems USING "
                "fts5vocab(temp, related_words, 'instance')"
            )
            connection.exec_driver_sql("DELETE FROM temp.related_words")
            # The driver's executemany: hundreds of rows a list, where SQLAlchemy's per-row parameter
            # processing cost more than the tokenizer.
            connection.exec_driver_sql(
                "INSERT INTO temp.related_words (rowid, word) VALUES (?, ?)", list(enumerate(new, 1))
            )
            rows = connection.exec_driver_sql("SELECT doc, term FROM temp.related_stems").all()
            connection.exec_driver_sql("DELETE FROM temp.related_words")
            found = {new[int(doc) - 1]: str(stem) for doc, stem in rows}
            # A word the tokenizer drops (no token) is remembered as such: None.
            self._stems.update({w: found.get(w) for w in new})
        return {w: stem for w in words if (stem := self._stems.get(w)) is not None}

    def terms(self, connection: sa.Connection, source: Source) -> list[Term]:
        title = set(content_words(source.title))
        counts = Counter(content_words(source.title) + content_words(source.body))
        if not counts:
            return []
        words = list(counts)  # in order of first use
        first = {w: n for n, w in enumerate(words)}
        stem_of = self.stems(connection, words)
        # One term per word (not per stem): two forms of a word are two words of the query, as they were
        # in the request-time query, and bm25 weighs such a stem twice.
        # Only the most salient words are counted: a count reads the word's whole posting list.
        candidates = sorted(
            (Term(w, 0, counts[w], w in title, first[w]) for w in words if w in stem_of), key=salience
        )[:COUNTED_TERMS]
        documents = self.documents(connection, sorted({stem_of[t.query] for t in candidates}))
        return [replace(t, documents=documents.get(stem_of[t.query], 0)) for t in candidates]

    def best(self, connection: sa.Connection, source: Source, chosen: list[Term]) -> list[int]:
        query = " OR ".join(_quoted_word(t.query) for t in chosen)
        rows = connection.execute(
            sa.text(
                "SELECT a.id FROM qa_ai_fts JOIN qa_ai AS a ON a.id = qa_ai_fts.rowid "
                "WHERE qa_ai_fts MATCH :q AND a.domain = :domain AND a.id <> :id AND a.status = 'published' "
                "ORDER BY bm25(qa_ai_fts, 10.0, 4.0, 1.0, 0.0), a.id DESC LIMIT :n"
            ),
            {
                "q": fts5_in_site(query, source.domain),
                "domain": source.domain,
                "id": source.id,
                "n": LIST_SIZE,
            },
        )
        return [int(i) for i in rows.scalars()]


#: A lexeme as a tsquery operand: quoted, its quotes and backslashes escaped (no tsquery syntax reaches it).
_PG_OPERAND = (
    "chr(39) || replace(replace({x}, chr(92), chr(92) || chr(92)), chr(39), chr(39) || chr(39)) || chr(39)"
)


@dataclass
class PostgresStatistics:
    """The GIN index's most common lexemes with their share of rows, and the table's row estimate."""

    share: dict[str, float]
    rows: float
    floor: float
    read_at: float = field(default_factory=time.monotonic)


class PostgresRelated:
    """PostgreSQL: the article's lexemes from ``qapress_search_vector``; document counts from the stored
    vectors' statistics (``pg_stats`` of ``qa_ai_search.vector``) or, for the rarer ones, counted through
    their GIN index."""

    def __init__(self) -> None:
        self._statistics: PostgresStatistics | None = None

    def statistics(self, connection: sa.Connection) -> PostgresStatistics:
        cached = self._statistics
        if cached is not None and time.monotonic() - cached.read_at < STATISTICS_SECONDS:
            return cached
        row = connection.exec_driver_sql(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'qa_ai_search' AND attname = 'vector' LIMIT 1"
        ).first()
        rows = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'qa_ai_search'"
        ).scalar()
        share: dict[str, float] = {}
        floor = 0.0
        if row is not None and row[0] is not None and row[1] is not None:
            freqs = list(row[1])
            share = dict(zip(row[0], freqs[: len(row[0])], strict=True))
            floor = (
                float(freqs[len(row[0])]) if len(freqs) > len(row[0]) else min(share.values(), default=0.0)
            )
        self._statistics = PostgresStatistics(share, max(float(rows or 0), 0.0), floor)
        return self._statistics

    def terms(self, connection: sa.Connection, source: Source) -> list[Term]:
        lexemes = connection.execute(
            sa.text(
                "SELECT lexeme, cardinality(positions) AS n, 'A' = ANY(weights) AS in_title, "
                "(SELECT min(p) FROM unnest(positions) AS p) AS first "
                "FROM unnest(qapress_search_vector(:title, '', :body)) WHERE lexeme !~ '^[0-9]+$'"
            ),
            {"title": source.title, "body": source.body},
        ).all()
        stats = self.statistics(connection)
        known: list[Term] = []
        rarer: list[Term] = []
        for lexeme, count, in_title, first in lexemes:
            if lexeme in stats.share and stats.rows > 0:
                documents = max(2, round(stats.share[lexeme] * stats.rows))
                known.append(Term(lexeme, documents, int(count), bool(in_title), int(first)))
            else:
                rarer.append(Term(str(lexeme), 0, int(count), bool(in_title), int(first)))
        counted = sorted(rarer, key=salience)[:COUNTED_TERMS]
        if not counted:
            return known
        operand = _PG_OPERAND.format(x="l.lexeme")
        # Counted up to COUNT_CAP rows only: the bitmap of a lexeme is cheap, its heap rows are not. A lexeme
        # at the cap is taken to be in as many articles as the least common of the statistics' lexemes.
        counts: dict[str, int] = dict(
            connection.execute(
                sa.text(
                    "SELECT l.lexeme, (SELECT count(*) FROM (SELECT 1 FROM qa_ai_search AS s WHERE "
                    f"s.vector @@ ({operand})::tsquery LIMIT :cap) AS m) "
                    "FROM unnest(CAST(:lexemes AS text[])) AS l(lexeme)"
                ),
                {"lexemes": [t.query for t in counted], "cap": COUNT_CAP},
            ).all()
        )
        ceiling = max(COUNT_CAP, round(stats.floor * stats.rows))
        counts = {lexeme: n if n < COUNT_CAP else ceiling for lexeme, n in counts.items()}
        return known + [replace(t, documents=int(counts.get(t.query, 0))) for t in counted]

    def best(self, connection: sa.Connection, source: Source, chosen: list[Term]) -> list[int]:
        """Every article of the site holding a chosen lexeme (the postings budget bounds them), ranked by
        ``ts_rank`` over its stored vector."""
        operand = _PG_OPERAND.format(x="l")
        rows = connection.execute(
            sa.text(
                "WITH q AS (SELECT string_agg(" + operand + ", ' | ')::tsquery AS q "
                "FROM unnest(CAST(:lexemes AS text[])) AS l) "
                "SELECT a.id FROM qa_ai_search AS s JOIN qa_ai AS a ON a.id = s.id, q "
                "WHERE s.domain = :domain AND s.vector @@ q.q AND a.id <> :id AND a.status = 'published' "
                "ORDER BY ts_rank(s.vector, q.q) DESC, a.id DESC LIMIT :n"
            ),
            {"lexemes": [t.query for t in chosen], "domain": source.domain, "id": source.id, "n": LIST_SIZE},
        )
        return [int(i) for i in rows.scalars()]


class RelatedComputer:
    """Computes related lists on either database (one per process: PostgreSQL's statistics are reused)."""

    def __init__(self) -> None:
        self._sqlite = SQLiteRelated()
        self._postgres = PostgresRelated()

    def compute(self, connection: sa.Connection, source: Source) -> list[int]:
        """The ids of the articles of ``source``'s site most like it, best first (at most ``LIST_SIZE``)."""
        backend = self._sqlite if is_sqlite(connection) else self._postgres
        chosen = choose_terms(backend.terms(connection, source))
        if not chosen:
            return []
        return backend.best(connection, source, chosen)
