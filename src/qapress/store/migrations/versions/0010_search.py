"""Full-text search over articles' title, lead and text, for the search page and "Related".

SQLite: an external-content FTS5 table (``qa_ai_fts``, rowid = ``qa_ai.id``, Porter stemming over unicode61
without diacritics) kept in step by triggers; it holds no copy of the text and stays out of the SQLAlchemy
metadata, so dumps and the tests' truncation never see it. PostgreSQL: ``qapress_search_vector`` (title
weighted A, lead B, text C) under a GIN expression index, and ``qapress_search_query``, which reads a search
box like ``websearch_to_tsquery`` and adds ``word*`` prefixes, and ``qapress_more_like_this``, the query of the
"Related" block (SQLite's is the engine function ``fts5_more_like_this``). Also the IndexNow queue
(``indexnow_ping``), filled by triggers on ``qa_ai``. Both are English (``english``/``porter``).

Revision ID: 0010_search
Revises: 0009_webmention
"""

import sqlalchemy as sa
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

# IndexNow: which changes of an article a search engine must hear of (published, edited while published,
# taken down), queued once per article until sent.
_PING_WHEN = (
    "(old.status <> new.status AND (old.status = 'published' OR new.status = 'published')) "
    "OR (new.status = 'published' AND (old.title <> new.title OR old.text <> new.text "
    "OR old.lead <> new.lead OR old.slug <> new.slug))"
)
_PING_INSERT = (
    "INSERT INTO indexnow_ping (article_id) SELECT new.id WHERE NOT EXISTS "
    "(SELECT 1 FROM indexnow_ping WHERE article_id = new.id AND sent_at IS NULL)"
)
PING_SQLITE = [
    f"CREATE TRIGGER qa_ai_indexnow_insert AFTER INSERT ON qa_ai WHEN new.status = 'published' "
    f"BEGIN {_PING_INSERT}; END",
    f"CREATE TRIGGER qa_ai_indexnow_update AFTER UPDATE ON qa_ai WHEN {_PING_WHEN} BEGIN {_PING_INSERT}; END",
]
PING_POSTGRES = [
    f"""CREATE FUNCTION qapress_indexnow_queue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' AND new.status <> 'published' THEN RETURN NULL; END IF;
          IF TG_OP = 'UPDATE' AND NOT ({_PING_WHEN}) THEN RETURN NULL; END IF;
          {_PING_INSERT};
          RETURN NULL;
        END $$""",
    "CREATE TRIGGER qa_ai_indexnow AFTER INSERT OR UPDATE ON qa_ai FOR EACH ROW EXECUTE FUNCTION qapress_indexnow_queue()",
]


def _create_ping_table() -> None:
    op.create_table(
        "indexnow_ping",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column(
            "queued_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("indexnow_ping_unsent_idx", "indexnow_ping", ["sent_at", "next_attempt_at"])
    # One unsent ping per article: the triggers' NOT EXISTS is one index probe (bulk imports stay linear).
    op.create_index(
        "indexnow_ping_unsent_article_idx",
        "indexnow_ping",
        ["article_id"],
        unique=True,
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)
    _create_ping_table()
    for statement in PING_SQLITE if sqlite else PING_POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER qa_ai_indexnow_insert")
        op.execute("DROP TRIGGER qa_ai_indexnow_update")
    else:
        op.execute("DROP TRIGGER qa_ai_indexnow ON qa_ai")
        op.execute("DROP FUNCTION qapress_indexnow_queue()")
    op.drop_table("indexnow_ping")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER qa_ai_fts_{trigger}")
        op.execute("DROP TABLE qa_ai_fts")
        return
    op.execute("DROP INDEX qa_ai_search_idx")
    op.execute("DROP FUNCTION qapress_more_like_this(text, text)")
    op.execute("DROP FUNCTION qapress_search_query(text)")
    op.execute("DROP FUNCTION qapress_search_vector(text, text, text)")
