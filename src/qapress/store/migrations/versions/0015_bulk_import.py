"""A bulk-import switch: inside an import's own transactions the per-row insert triggers of ``qa_ai`` are off.

Each imported row fired four triggers (the search index, five cache tags copied to the purge queue, an
IndexNow ping, a related-list queue row), ~25x the cost of the row itself. ``qapress import`` now does
that work per batch instead (``qapress.store.bulk_import``), so the insert triggers learn to stand aside
for the transaction that asks, and only for it:

- SQLite: a one-row marker table ``qapress_bulk_import``. The import inserts its row at the start of a
  batch's transaction and deletes it before the commit, so no other connection ever sees it (SQLite has one
  writer; WAL readers see only committed data) and a failed or killed import rolls it back with the rest.
  The insert triggers' WHEN clauses test that the table is empty.
- PostgreSQL: a transaction-local setting (``set_config('qapress.bulk_import', 'on', true)``, i.e.
  ``SET LOCAL``), read by ``qapress_bulk_import()`` in the insert triggers' WHEN clauses; other
  transactions, concurrent or later, never see it (PgBouncer's transaction mode included). The triggers for
  INSERT OR UPDATE are split so that updates keep theirs whatever the setting. The search index is a GIN
  expression index, not a trigger: it stays on and takes the batch's rows through its pending list.

Update and delete triggers are untouched: the switch covers what an import does, inserts.

Revision ID: 0015_bulk_import
Revises: 0014_related
"""

from alembic import op

revision = "0015_bulk_import"
down_revision = "0014_related"
branch_labels = None
depends_on = None

SQLITE_MARKER = "qapress_bulk_import"
POSTGRESQL_SETTING = "qapress.bulk_import"
_SQLITE_OFF = f"NOT EXISTS (SELECT 1 FROM {SQLITE_MARKER})"
_PG_OFF = "NOT qapress_bulk_import()"

# The insert triggers as migrations 0010, 0012 and 0014 made them, by name: (WHEN clause or None, body).
_FTS_BODY = "INSERT INTO qa_ai_fts(rowid, title, lead, text) VALUES (new.id, new.title, new.lead, new.text);"
_PING_BODY = (
    "INSERT INTO indexnow_ping (article_id) SELECT new.id WHERE NOT EXISTS "
    "(SELECT 1 FROM indexnow_ping WHERE article_id = new.id AND sent_at IS NULL);"
)
_TAGS_BODY = (
    "INSERT INTO cache_invalidation (tag) SELECT DISTINCT column1 FROM (VALUES ('a' || NEW.id), "
    "('u' || NEW.domain), ('n' || NEW.domain), ('r' || (NEW.id / 64)), ('rwide'));"
)
_RELATED_BODY = (
    "INSERT INTO related_queue (article_id) VALUES (NEW.id) ON CONFLICT (article_id) DO UPDATE "
    "SET requests = related_queue.requests + 1, claimed_until = NULL;"
)
SQLITE_INSERT_TRIGGERS: dict[str, tuple[str | None, str]] = {
    "qa_ai_fts_insert": (None, _FTS_BODY),
    "qa_ai_indexnow_insert": ("new.status = 'published'", _PING_BODY),
    "cache_tags_qa_ai_insert": ("NEW.status IN ('published', 'withdrawn')", _TAGS_BODY),
    "related_queue_qa_ai_insert": ("NEW.status = 'published'", _RELATED_BODY),
}


def _sqlite_trigger(name: str, when: str | None, body: str) -> str:
    clause = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} AFTER INSERT ON qa_ai{clause} BEGIN {body} END"


def _sqlite(switchable: bool) -> None:
    for name, (when, body) in SQLITE_INSERT_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        if switchable:
            when = f"({when}) AND {_SQLITE_OFF}" if when else _SQLITE_OFF
        op.execute(_sqlite_trigger(name, when, body))


_ARTICLE_TAGS_WHEN = "NEW.status IN ('published', 'withdrawn')"


def _postgresql_up() -> None:
    op.execute(
        "CREATE FUNCTION qapress_bulk_import() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$ "
        f"SELECT coalesce(current_setting('{POSTGRESQL_SETTING}', true), '') = 'on' $$"
    )
    op.execute("DROP TRIGGER cache_tags_qa_ai_insert ON qa_ai")
    op.execute(
        "CREATE TRIGGER cache_tags_qa_ai_insert AFTER INSERT ON qa_ai FOR EACH ROW "
        f"WHEN ({_ARTICLE_TAGS_WHEN} AND {_PG_OFF}) EXECUTE FUNCTION qapress_article_tags()"
    )
    op.execute("DROP TRIGGER qa_ai_indexnow ON qa_ai")
    op.execute(
        "CREATE TRIGGER qa_ai_indexnow AFTER UPDATE ON qa_ai FOR EACH ROW "
        "EXECUTE FUNCTION qapress_indexnow_queue()"
    )
    op.execute(
        "CREATE TRIGGER qa_ai_indexnow_insert AFTER INSERT ON qa_ai FOR EACH ROW "
        f"WHEN (NEW.status = 'published' AND {_PG_OFF}) EXECUTE FUNCTION qapress_indexnow_queue()"
    )
    op.execute("DROP TRIGGER related_queue_qa_ai ON qa_ai")
    op.execute(
        "CREATE TRIGGER related_queue_qa_ai AFTER UPDATE ON qa_ai FOR EACH ROW "
        "EXECUTE FUNCTION qapress_related_queue()"
    )
    op.execute(
        "CREATE TRIGGER related_queue_qa_ai_insert AFTER INSERT ON qa_ai FOR EACH ROW "
        f"WHEN (NEW.status = 'published' AND {_PG_OFF}) EXECUTE FUNCTION qapress_related_queue()"
    )


def _postgresql_down() -> None:
    op.execute("DROP TRIGGER related_queue_qa_ai_insert ON qa_ai")
    op.execute("DROP TRIGGER related_queue_qa_ai ON qa_ai")
    op.execute(
        "CREATE TRIGGER related_queue_qa_ai AFTER INSERT OR UPDATE ON qa_ai FOR EACH ROW "
        "EXECUTE FUNCTION qapress_related_queue()"
    )
    op.execute("DROP TRIGGER qa_ai_indexnow_insert ON qa_ai")
    op.execute("DROP TRIGGER qa_ai_indexnow ON qa_ai")
    op.execute(
        "CREATE TRIGGER qa_ai_indexnow AFTER INSERT OR UPDATE ON qa_ai FOR EACH ROW "
        "EXECUTE FUNCTION qapress_indexnow_queue()"
    )
    op.execute("DROP TRIGGER cache_tags_qa_ai_insert ON qa_ai")
    op.execute(
        "CREATE TRIGGER cache_tags_qa_ai_insert AFTER INSERT ON qa_ai FOR EACH ROW "
        f"WHEN ({_ARTICLE_TAGS_WHEN}) EXECUTE FUNCTION qapress_article_tags()"
    )
    op.execute("DROP FUNCTION qapress_bulk_import()")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TABLE {SQLITE_MARKER} (id INTEGER PRIMARY KEY CHECK (id = 1))")
        _sqlite(switchable=True)
    else:
        _postgresql_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite(switchable=False)
        op.execute(f"DROP TABLE {SQLITE_MARKER}")
    else:
        _postgresql_down()
