"""Full-text search over articles' title, lead and text, for the search page and "Related".

SQLite: an external-content FTS5 table (``qa_ai_fts``, rowid = ``qa_ai.id``, Porter stemming over unicode61
without diacritics) kept in step by triggers; it holds no copy of the text and stays out of the SQLAlchemy
metadata, so dumps and the tests' truncation never see it. PostgreSQL: ``qapress_search_vector`` (title
weighted A, lead B, text C) under a GIN expression index, and ``qapress_search_query``, which reads a search
box like ``websearch_to_tsquery`` and adds ``word*`` prefixes, and ``qapress_more_like_this``, the query of the
"Related" block (SQLite's is the engine function ``fts5_more_like_this``). Both are English (``english``/``porter``).

Revision ID: 0010_search
Revises: 0009_webmention
"""

from alembic import op

revision = "0010_search"
down_revision = "0009_webmention"
branch_labels = None
depends_on = None

_FTS_ROW = "(rowid, title, lead, text) VALUES (new.id, new.title, new.lead, new.text)"
_FTS_DELETE = "INSERT INTO qa_ai_fts(qa_ai_fts, rowid, title, lead, text) VALUES ('delete', old.id, old.title, old.lead, old.text)"

SQLITE_UP = [
    "CREATE VIRTUAL TABLE qa_ai_fts USING fts5(title, lead, text, content='qa_ai', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER qa_ai_fts_insert AFTER INSERT ON qa_ai BEGIN INSERT INTO qa_ai_fts{_FTS_ROW}; END",
    f"CREATE TRIGGER qa_ai_fts_delete AFTER DELETE ON qa_ai BEGIN {_FTS_DELETE}; END",
    "CREATE TRIGGER qa_ai_fts_update AFTER UPDATE OF id, title, lead, text ON qa_ai BEGIN "
    f"{_FTS_DELETE}; INSERT INTO qa_ai_fts{_FTS_ROW}; END",
    "INSERT INTO qa_ai_fts(qa_ai_fts) VALUES ('rebuild')",
]

POSTGRES_UP = [
    """CREATE FUNCTION qapress_search_vector(title text, lead text, body text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
             || setweight(to_tsvector('english'::regconfig, coalesce(lead, '')), 'B')
             || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
       $$""",
    # websearch_to_tsquery never fails on any input; "word*" prefixes are taken out of its input and added
    # as to_tsquery prefix terms built from \\w+ runs only, so no input reaches to_tsquery's syntax.
    r"""CREATE FUNCTION qapress_search_query(q text) RETURNS tsquery
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT websearch_to_tsquery('english'::regconfig, regexp_replace(q, '\w+\*', ' ', 'g'))
             && coalesce((SELECT to_tsquery('english'::regconfig, string_agg(m[1] || ':*', ' & '))
                          FROM regexp_matches(q, '(\w+)\*', 'g') AS m), ''::tsquery)
       $$""",
    # "More like this": every lexeme of the title and the body's 20 most frequent ones, joined by OR. Each
    # lexeme goes into tsquery syntax quoted, with its quotes and backslashes escaped.
    r"""CREATE FUNCTION qapress_more_like_this(title text, body text) RETURNS tsquery
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         WITH t AS (SELECT lexeme FROM unnest(to_tsvector('english'::regconfig, coalesce(title, '')))),
         b AS (SELECT lexeme FROM unnest(to_tsvector('english'::regconfig, coalesce(body, '')))
               WHERE lexeme NOT IN (SELECT lexeme FROM t) AND lexeme !~ '^[0-9]+$'
               ORDER BY cardinality(positions) DESC, lexeme LIMIT 20),
         picked AS (SELECT lexeme FROM t WHERE lexeme !~ '^[0-9]+$' UNION ALL SELECT lexeme FROM b)
         SELECT coalesce(
                  string_agg(chr(39) || replace(replace(lexeme, chr(92), chr(92) || chr(92)), chr(39), chr(39) || chr(39))
                             || chr(39), ' | ')::tsquery,
                  ''::tsquery)
         FROM picked
       $$""",
    "CREATE INDEX qa_ai_search_idx ON qa_ai USING gin (qapress_search_vector(title, lead, text))",
]


def upgrade() -> None:
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER qa_ai_fts_{trigger}")
        op.execute("DROP TABLE qa_ai_fts")
        return
    op.execute("DROP INDEX qa_ai_search_idx")
    op.execute("DROP FUNCTION qapress_more_like_this(text, text)")
    op.execute("DROP FUNCTION qapress_search_query(text)")
    op.execute("DROP FUNCTION qapress_search_vector(text, text, text)")
