"""Cache tags: an invalidation log and a purge queue, filled by triggers, instead of one network-wide counter.

Every change a page could show writes the *tags* it touches to ``cache_invalidation`` (seq, tag) in the
writing transaction: ``a<id>`` (an article's shown fields), ``l<id>`` (its live reader links), ``n<site>``
(which articles a site lists, and in what order), ``u<site>`` (any shown change to a site's articles: the
sitemaps and search), ``k<site>`` (the live reader links of a site's articles: the home page's most linked), ``r<id // 64>`` and ``rwide`` (membership in the network's id ranges that the "bottom"
lists show), ``all`` (a change to the sites themselves). Processes read the log past their last seq
(``qapress.site.invalidation``); on PostgreSQL a statement trigger also sends the tags with ``pg_notify``.
Each tag is copied to ``purge_queue`` for the proxies and CDNs (``qapress.site.purge``), which deletes a row
once every configured adapter took it. The 0004 counter triggers on ``qa_ai`` and ``link`` go: the row they
updated serialized every writer on PostgreSQL. The ``domain`` triggers stay (rare writes, tools read them).

Revision ID: 0012_purge_queue
Revises: 0011_documents
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_purge_queue"
down_revision = "0011_documents"
branch_labels = None
depends_on = None

#: Ids per range tag (``r<id // RANGE_SIZE>``); ``qapress.site.cache_tags.RANGE_SIZE`` is the same number.
RANGE_SIZE = 64
#: The columns of ``qa_ai`` some page shows (edits of others, e.g. ``version`` or ``scheduled_at``, purge nothing).
SHOWN_ARTICLE_COLUMNS = (
    "id", "domain", "title", "slug", "text", "lead", "faq", "outro", "date", "image_url", "image_credit",
    "src_id", "status", "updated_at",
)  # fmt: skip
#: The columns that decide which lists an article is in and where (the others only change what it shows).
LISTING_COLUMNS = ("id", "domain", "status", "date")
SHOWN_LINK_COLUMNS = ("status", "url", "title", "article_id")
EVENTS = ("INSERT", "UPDATE", "DELETE")
NOTIFY_CHANNEL = "qapress_cache"


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def article_when(event: str, distinct: str) -> str:
    """Rows whose change shows: published before or after (or a status move: 404 becomes 410)."""
    if event == "INSERT":
        return "NEW.status IN ('published', 'withdrawn')"
    if event == "DELETE":
        return "OLD.status IN ('published', 'withdrawn')"
    return (
        f"(OLD.status = 'published' OR NEW.status = 'published' OR OLD.status {distinct} NEW.status) "
        f"AND ({_changed(SHOWN_ARTICLE_COLUMNS, distinct)})"
    )


def link_when(event: str, distinct: str) -> str:
    if event == "INSERT":
        return "NEW.status = 'live'"
    if event == "DELETE":
        return "OLD.status = 'live'"
    return f"(OLD.status = 'live' OR NEW.status = 'live') AND ({_changed(SHOWN_LINK_COLUMNS, distinct)})"


def upgrade() -> None:
    op.create_table(
        "cache_invalidation",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sqlite_autoincrement=True,  # seqs never reused: a process's position in the log stays meaningful
    )
    op.create_index("cache_invalidation_created_idx", "cache_invalidation", ["created_at"])
    op.create_table(
        "purge_queue",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("purge_queue_next_attempt_idx", "purge_queue", ["next_attempt_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS site_rev_link_{event} ON link")
        op.execute("DROP TRIGGER IF EXISTS site_rev_link_truncate ON link")
        op.execute("DROP TRIGGER IF EXISTS site_rev_qa_ai ON qa_ai")
        for statement in postgresql_triggers():
            op.execute(statement)
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS site_rev_qa_ai_{event.lower()}")
            op.execute(f"DROP TRIGGER IF EXISTS site_rev_link_{event.lower()}")
        for statement in sqlite_triggers():
            op.execute(statement)


def _values(tags: list[str]) -> str:
    """``SELECT DISTINCT`` over a VALUES list of tag expressions (an update that keeps the id tags once)."""
    return "SELECT DISTINCT column1 FROM (VALUES " + ", ".join(f"({tag})" for tag in tags) + ")"


def _article_tags(row: str) -> list[str]:
    return [f"'a' || {row}.id", f"'u' || {row}.domain"]


def _listing_tags(row: str) -> list[str]:
    return [f"'n' || {row}.domain", f"'r' || ({row}.id / {RANGE_SIZE})", "'rwide'"]


def sqlite_triggers() -> list[str]:
    log = "INSERT INTO cache_invalidation (tag) "
    statements = [
        "CREATE TRIGGER cache_invalidation_purge AFTER INSERT ON cache_invalidation "
        "BEGIN INSERT INTO purge_queue (tag) VALUES (NEW.tag); END",
        "CREATE TRIGGER cache_tags_qa_ai_insert AFTER INSERT ON qa_ai WHEN "
        f"{article_when('INSERT', 'IS NOT')} BEGIN "
        f"{log}{_values(_article_tags('NEW') + _listing_tags('NEW'))}; END",
        "CREATE TRIGGER cache_tags_qa_ai_delete AFTER DELETE ON qa_ai WHEN "
        f"{article_when('DELETE', 'IS NOT')} BEGIN "
        f"{log}{_values(_article_tags('OLD') + _listing_tags('OLD'))}; END",
        "CREATE TRIGGER cache_tags_qa_ai_update AFTER UPDATE ON qa_ai WHEN "
        f"{article_when('UPDATE', 'IS NOT')} BEGIN "
        f"{log}{_values(_article_tags('OLD') + _article_tags('NEW'))}; "
        f"{log}SELECT * FROM ({_values(_listing_tags('OLD') + _listing_tags('NEW'))}) "
        f"WHERE {_changed(LISTING_COLUMNS, 'IS NOT')}; END",
        f"CREATE TRIGGER cache_tags_domain_insert AFTER INSERT ON domain BEGIN {log}VALUES ('all'); END",
        f"CREATE TRIGGER cache_tags_domain_update AFTER UPDATE ON domain BEGIN {log}VALUES ('all'); END",
        f"CREATE TRIGGER cache_tags_domain_delete AFTER DELETE ON domain BEGIN {log}VALUES ('all'); END",
    ]
    for event in EVENTS:
        rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[event]
        tags = _values([f"'l' || {row}.article_id" for row in rows])
        counts = " UNION ".join(
            f"SELECT 'k' || domain FROM qa_ai WHERE id = {row}.article_id" for row in rows
        )
        statements.append(
            f"CREATE TRIGGER cache_tags_link_{event.lower()} AFTER {event} ON link "
            f"WHEN {link_when(event, 'IS NOT')} BEGIN {log}{tags}; {log}{counts}; END"
        )
    return statements


def postgresql_triggers() -> list[str]:
    listing_changed = _changed(LISTING_COLUMNS, "IS DISTINCT FROM")
    statements = [
        f"""
        CREATE FUNCTION qapress_article_tags() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE tags text[] := '{{}}';
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
        """,
        """
        CREATE FUNCTION qapress_link_tags() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO cache_invalidation (tag) VALUES ('l' || OLD.article_id);
            INSERT INTO cache_invalidation (tag) SELECT 'k' || domain FROM qa_ai WHERE id = OLD.article_id;
          END IF;
          IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.article_id <> NEW.article_id) THEN
            INSERT INTO cache_invalidation (tag) VALUES ('l' || NEW.article_id);
            INSERT INTO cache_invalidation (tag) SELECT 'k' || domain FROM qa_ai WHERE id = NEW.article_id;
          END IF;
          RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION qapress_all_tags() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO cache_invalidation (tag) VALUES ('all');
          RETURN NULL;
        END $$
        """,
        # One notification per statement with the distinct tags it logged (``*``: too many, re-read all).
        f"""
        CREATE FUNCTION qapress_invalidation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE payload text;
        BEGIN
          INSERT INTO purge_queue (tag) SELECT tag FROM added;
          SELECT string_agg(DISTINCT tag, ' ') INTO payload FROM added;
          IF payload IS NOT NULL THEN
            PERFORM pg_notify('{NOTIFY_CHANNEL}', CASE WHEN length(payload) > 7000 THEN '*' ELSE payload END);
          END IF;
          RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER cache_invalidation_notify AFTER INSERT ON cache_invalidation "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION qapress_invalidation_notify()",
        "CREATE TRIGGER cache_tags_domain AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON domain "
        "FOR EACH STATEMENT EXECUTE FUNCTION qapress_all_tags()",
        "CREATE TRIGGER cache_tags_qa_ai_truncate AFTER TRUNCATE ON qa_ai "
        "FOR EACH STATEMENT EXECUTE FUNCTION qapress_all_tags()",
        "CREATE TRIGGER cache_tags_link_truncate AFTER TRUNCATE ON link "
        "FOR EACH STATEMENT EXECUTE FUNCTION qapress_all_tags()",
    ]
    for event in EVENTS:
        low = event.lower()
        statements.append(
            f"CREATE TRIGGER cache_tags_qa_ai_{low} AFTER {event} ON qa_ai FOR EACH ROW "
            f"WHEN ({article_when(event, 'IS DISTINCT FROM')}) EXECUTE FUNCTION qapress_article_tags()"
        )
        statements.append(
            f"CREATE TRIGGER cache_tags_link_{low} AFTER {event} ON link FOR EACH ROW "
            f"WHEN ({link_when(event, 'IS DISTINCT FROM')}) EXECUTE FUNCTION qapress_link_tags()"
        )
    return statements


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS cache_tags_qa_ai_{event.lower()} ON qa_ai")
            op.execute(f"DROP TRIGGER IF EXISTS cache_tags_link_{event.lower()} ON link")
        op.execute("DROP TRIGGER IF EXISTS cache_tags_qa_ai_truncate ON qa_ai")
        op.execute("DROP TRIGGER IF EXISTS cache_tags_link_truncate ON link")
        op.execute("DROP TRIGGER IF EXISTS cache_tags_domain ON domain")
        op.execute("DROP TRIGGER IF EXISTS cache_invalidation_notify ON cache_invalidation")
        for function in ("article", "link", "all"):
            op.execute(f"DROP FUNCTION IF EXISTS qapress_{function}_tags()")
        op.execute("DROP FUNCTION IF EXISTS qapress_invalidation_notify()")
        op.execute(
            "CREATE TRIGGER site_rev_qa_ai AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qa_ai "
            "FOR EACH STATEMENT EXECUTE FUNCTION site_revision_bump('content')"
        )
        from_0004 = "WHEN ({}) EXECUTE FUNCTION site_revision_bump('content')"
        for event in EVENTS:
            when = _0004_link_when(event, "IS DISTINCT FROM")
            op.execute(
                f"CREATE TRIGGER site_rev_link_{event.lower()} AFTER {event} ON link FOR EACH ROW "
                + from_0004.format(when)
            )
        op.execute(
            "CREATE TRIGGER site_rev_link_truncate AFTER TRUNCATE ON link "
            "FOR EACH STATEMENT EXECUTE FUNCTION site_revision_bump('content')"
        )
    else:
        for event in EVENTS:
            low = event.lower()
            for table in ("qa_ai", "link", "domain"):
                op.execute(f"DROP TRIGGER IF EXISTS cache_tags_{table}_{low}")
        op.execute("DROP TRIGGER IF EXISTS cache_invalidation_purge")
        bump = "UPDATE site_revision SET revision = revision + 1 WHERE name = 'content';"
        for event in EVENTS:
            low = event.lower()
            op.execute(f"CREATE TRIGGER site_rev_qa_ai_{low} AFTER {event} ON qa_ai BEGIN {bump} END")
            op.execute(
                f"CREATE TRIGGER site_rev_link_{low} AFTER {event} ON link "
                f"WHEN {_0004_link_when(event, 'IS NOT')} BEGIN {bump} END"
            )
    op.drop_table("purge_queue")
    op.drop_table("cache_invalidation")


def _0004_link_when(event: str, distinct: str) -> str:
    return link_when(event, distinct)
