"""Cache tags for GraphQL answers: every logged article change also logs ``tqa_ai``, and ``created_at`` and
``version`` count as shown.

An anonymous ``GET /v1/graphql`` answer is stored by shared caches under tags (``qapress.site.graphql_tags``).
A list of articles filtered on anything but the key or the site can gain a member through a change to any
article, so it carries the table's tag, ``tqa_ai``, which the qa_ai triggers now log beside the article's
own. The anonymous role may also read ``created_at`` and ``version``: a change to them alone logs the
article's tags too (an editor's save changes shown fields as well, so pages are purged no more often).

The insert trigger keeps migration 0015's bulk-import switch (it stands aside inside an import's own
transactions, whose batches log their tags set-wise, ``tqa_ai`` among them).

Revision ID: 0018_table_tags
Revises: 0017_search_vector
"""

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0018_table_tags"
down_revision = "0017_search_vector"
branch_labels = None
depends_on = None

RANGE_SIZE = 64
#: 0012's shown columns, with the two more the anonymous role reads.
SHOWN_ARTICLE_COLUMNS = (
    "id", "domain", "title", "slug", "text", "lead", "faq", "outro", "date", "image_url", "image_credit",
    "src_id", "status", "updated_at", "created_at", "version",
)  # fmt: skip
LISTING_COLUMNS = ("id", "domain", "status", "date")
EVENTS = ("INSERT", "UPDATE", "DELETE")
TABLE_TAG = "tqa_ai"
#: Migration 0015's switch, as each database's insert trigger tests it.
SQLITE_BULK_OFF = "NOT EXISTS (SELECT 1 FROM qapress_bulk_import)"
POSTGRESQL_BULK_OFF = "NOT qapress_bulk_import()"


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def article_when(event: str, distinct: str) -> str:
    if event == "INSERT":
        return "NEW.status IN ('published', 'withdrawn')"
    if event == "DELETE":
        return "OLD.status IN ('published', 'withdrawn')"
    return (
        f"(OLD.status = 'published' OR NEW.status = 'published' OR OLD.status {distinct} NEW.status) "
        f"AND ({_changed(SHOWN_ARTICLE_COLUMNS, distinct)})"
    )


def _values(tags: list[str]) -> str:
    return "SELECT DISTINCT column1 FROM (VALUES " + ", ".join(f"({tag})" for tag in tags) + ")"


def _article_tags(row: str) -> list[str]:
    return [f"'a' || {row}.id", f"'u' || {row}.domain", f"'{TABLE_TAG}'"]


def _listing_tags(row: str) -> list[str]:
    return [f"'n' || {row}.domain", f"'r' || ({row}.id / {RANGE_SIZE})", "'rwide'"]


def sqlite_triggers() -> list[str]:
    log = "INSERT INTO cache_invalidation (tag) "
    return [
        "CREATE TRIGGER cache_tags_qa_ai_insert AFTER INSERT ON qa_ai WHEN "
        f"({article_when('INSERT', 'IS NOT')}) AND {SQLITE_BULK_OFF} BEGIN "
        f"{log}{_values(_article_tags('NEW') + _listing_tags('NEW'))}; END",
        "CREATE TRIGGER cache_tags_qa_ai_delete AFTER DELETE ON qa_ai WHEN "
        f"{article_when('DELETE', 'IS NOT')} BEGIN "
        f"{log}{_values(_article_tags('OLD') + _listing_tags('OLD'))}; END",
        "CREATE TRIGGER cache_tags_qa_ai_update AFTER UPDATE ON qa_ai WHEN "
        f"{article_when('UPDATE', 'IS NOT')} BEGIN "
        f"{log}{_values(_article_tags('OLD') + _article_tags('NEW'))}; "
        f"{log}SELECT * FROM ({_values(_listing_tags('OLD') + _listing_tags('NEW'))}) "
        f"WHERE {_changed(LISTING_COLUMNS, 'IS NOT')}; END",
    ]


def postgresql_article_tags() -> str:
    listing_changed = _changed(LISTING_COLUMNS, "IS DISTINCT FROM")
    return f"""
        CREATE OR REPLACE FUNCTION qapress_article_tags() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE tags text[] := ARRAY['{TABLE_TAG}'];
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            tags := tags || ARRAY['a' || OLD.id, 'u' || OLD.domain];
          END IF;
          IF TG_OP <> 'DELETE' THEN
            tags := tags || ARRAY['a' || NEW.id, 'u' || NEW.domain];
          END IF;
          IF TG_OP = 'INSERT' THEN
            tags := tags || ARRAY['n' || NEW.domain, 'r' || (NEW.id / {RANGE_SIZE}), 'rwide'];
          ELSIF TG_OP = 'DELETE' THEN
            tags := tags || ARRAY['n' || OLD.domain, 'r' || (OLD.id / {RANGE_SIZE}), 'rwide'];
          ELSIF {listing_changed} THEN
            tags := tags || ARRAY['n' || OLD.domain, 'r' || (OLD.id / {RANGE_SIZE}),
                                  'n' || NEW.domain, 'r' || (NEW.id / {RANGE_SIZE}), 'rwide'];
          END IF;
          INSERT INTO cache_invalidation (tag) SELECT DISTINCT unnest(tags);
          RETURN NULL;
        END $$
        """


def _postgresql_triggers(when_of: Callable[[str, str], str]) -> None:
    """qa_ai's three tag triggers with ``when_of``'s conditions, the insert one with 0015's switch."""
    for event in EVENTS:
        low = event.lower()
        op.execute(f"DROP TRIGGER IF EXISTS cache_tags_qa_ai_{low} ON qa_ai")
        when = when_of(event, "IS DISTINCT FROM")
        if event == "INSERT":
            when = f"({when}) AND {POSTGRESQL_BULK_OFF}"
        op.execute(
            f"CREATE TRIGGER cache_tags_qa_ai_{low} AFTER {event} ON qa_ai FOR EACH ROW "
            f"WHEN ({when}) EXECUTE FUNCTION qapress_article_tags()"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql_article_tags())
        _postgresql_triggers(article_when)
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS cache_tags_qa_ai_{event.lower()}")
        for statement in sqlite_triggers():
            op.execute(statement)


def _revision_0012() -> ModuleType:
    path = Path(__file__).with_name("0012_purge_queue.py")
    spec = importlib.util.spec_from_file_location("qapress_migration_0012", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    """Back to 0012's qa_ai triggers, the insert trigger with 0015's switch."""
    before = _revision_0012()
    if op.get_bind().dialect.name == "postgresql":
        (function,) = [
            s
            for s in before.postgresql_triggers()
            if s.lstrip().startswith("CREATE FUNCTION qapress_article_tags")
        ]
        op.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
        _postgresql_triggers(before.article_when)
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS cache_tags_qa_ai_{event.lower()}")
        for statement in before.sqlite_triggers():
            if "ON qa_ai " in statement and statement.startswith("CREATE TRIGGER cache_tags_qa_ai_"):
                if statement.startswith("CREATE TRIGGER cache_tags_qa_ai_insert "):
                    when, _, rest = statement.partition(" BEGIN ")
                    head, _, condition = when.partition(" WHEN ")
                    statement = f"{head} WHEN ({condition}) AND {SQLITE_BULK_OFF} BEGIN {rest}"
                op.execute(statement)
