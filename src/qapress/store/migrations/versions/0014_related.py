"""Related articles: a stored list per article, and a queue of the lists to compute.

``article_related`` (article_id, rank, related_id) holds an article's list, read by the ``related_articles``
native query with one index probe (the page's block no longer runs a full-text query over the network).
``related_queue`` holds the articles whose list is missing or stale, claimed by ``qapress worker``; triggers
on ``qa_ai`` fill it when an article is published or edited while published (title, lead, text, site), and
queue the lists that show an article when it stops being published or moves site. Every published article
is queued by the upgrade, so an upgraded store gets its lists from the worker. SQLite also gets
``qa_ai_fts_terms``, the FTS5 index's vocabulary (documents per term), which ranks an article's words by
rarity; PostgreSQL reads the GIN index's statistics instead (``qapress.related.compute``).

Revision ID: 0014_related
Revises: 0013_search_query
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_related"
down_revision = "0013_search_query"
branch_labels = None
depends_on = None

#: PostgreSQL: the statistics target of the search index's vector (ANALYZE keeps 10x as many lexemes).
LEXEME_STATISTICS = 1000
#: The columns whose change makes an article's own list stale.
TEXT_COLUMNS = ("title", "lead", "text", "domain")


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in TEXT_COLUMNS)


def _enqueue(row_id: str, conflict_target: str) -> str:
    return (
        f"INSERT INTO related_queue (article_id) VALUES ({row_id}) ON CONFLICT (article_id) DO UPDATE "
        f"SET requests = {conflict_target}.requests + 1, claimed_until = NULL"
    )


def _enqueue_listing(old_id: str, conflict_target: str) -> str:
    # "WHERE true": SQLite's parser needs it between INSERT ... SELECT and ON CONFLICT.
    return (
        f"INSERT INTO related_queue (article_id) SELECT article_id FROM article_related "
        f"WHERE related_id = {old_id} AND true ON CONFLICT (article_id) DO UPDATE "
        f"SET requests = {conflict_target}.requests + 1, claimed_until = NULL"
    )


SQLITE_TRIGGERS = [
    "CREATE VIRTUAL TABLE qa_ai_fts_terms USING fts5vocab(qa_ai_fts, 'row')",
    "CREATE TRIGGER related_queue_qa_ai_insert AFTER INSERT ON qa_ai WHEN NEW.status = 'published' "
    f"BEGIN {_enqueue('NEW.id', 'related_queue')}; END",
    "CREATE TRIGGER related_queue_qa_ai_update AFTER UPDATE ON qa_ai WHEN NEW.status = 'published' "
    f"AND (OLD.status IS NOT 'published' OR {_changed('IS NOT')}) "
    f"BEGIN {_enqueue('NEW.id', 'related_queue')}; END",
    "CREATE TRIGGER related_queue_listed_update AFTER UPDATE ON qa_ai WHEN OLD.status = 'published' "
    "AND (NEW.status IS NOT 'published' OR OLD.domain IS NOT NEW.domain) "
    f"BEGIN {_enqueue_listing('OLD.id', 'related_queue')}; END",
]

POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION qapress_related_queue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'published'
          OR {_changed("IS DISTINCT FROM")}) THEN
        {_enqueue("NEW.id", "related_queue")};
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status = 'published'
          AND (NEW.status IS DISTINCT FROM 'published' OR OLD.domain IS DISTINCT FROM NEW.domain) THEN
        {_enqueue_listing("OLD.id", "related_queue")};
      END IF;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER related_queue_qa_ai AFTER INSERT OR UPDATE ON qa_ai FOR EACH ROW "
    "EXECUTE FUNCTION qapress_related_queue()",
    # ANALYZE keeps the 10,000 most common lexemes (not 1,000): a list's words are known rare below ~0.1%
    # of the articles, not ~2%, which at a million articles is what fits a list's postings budget.
    f"ALTER INDEX qa_ai_search_idx ALTER COLUMN 1 SET STATISTICS {LEXEME_STATISTICS}",
]


def upgrade() -> None:
    op.create_table(
        "article_related",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("related_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("article_related_related_idx", "article_related", ["related_id"])
    op.create_table(
        "related_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
        sa.Column("requests", sa.Integer, nullable=False, server_default="1"),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("related_queue_article_key", "related_queue", ["article_id"], unique=True)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        op.execute(statement)
    op.execute(
        "INSERT INTO related_queue (article_id) SELECT id FROM qa_ai WHERE status = 'published' ORDER BY id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in (
            "related_queue_qa_ai_insert",
            "related_queue_qa_ai_update",
            "related_queue_listed_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS qa_ai_fts_terms")
    else:
        op.execute("ALTER INDEX qa_ai_search_idx ALTER COLUMN 1 SET STATISTICS -1")
        op.execute("DROP TRIGGER IF EXISTS related_queue_qa_ai ON qa_ai")
        op.execute("DROP FUNCTION IF EXISTS qapress_related_queue()")
    op.drop_table("related_queue")
    op.drop_table("article_related")
