"""The tables of qapress. Table and column names are public API: GraphQL queries name them.

Migrations (``store/migrations``) create these tables; this module is what code reads and writes through.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

#: JSON on both databases: ``jsonb`` on PostgreSQL, TEXT holding JSON on SQLite.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

ARTICLE_STATUSES = ("draft", "scheduled", "published", "withdrawn")
LINK_STATUSES = ("pending", "live", "rejected", "hidden")
LINK_ORIGINS = ("reader", "webmention")

domain = sa.Table(
    "domain",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("host", sa.String(253), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("language", sa.String(20), nullable=False, server_default="en"),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
)

source = sa.Table(
    "source",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=True, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("publisher", sa.Text, nullable=True),
    sa.Column("author", sa.Text, nullable=True),
    sa.Column("date", sa.Date, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("image_credit", sa.Text, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
)

qa_ai = sa.Table(
    "qa_ai",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("domain", sa.Integer, sa.ForeignKey("domain.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("slug", sa.String(200), nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("lead", sa.Text, nullable=False, server_default=""),
    sa.Column("faq", JSONType, nullable=True),
    sa.Column("outro", sa.Text, nullable=False, server_default=""),
    sa.Column("date", sa.Date, nullable=True),
    sa.Column("image_url", sa.Text, nullable=True),
    sa.Column("image_credit", sa.Text, nullable=True),
    # The seed's `source` field looks the article this one was made from up in qa_ai by id.
    sa.Column("src_id", sa.Integer, nullable=True),
    # The ingested news source (table `source`) a generated article was written from.
    sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=True),
    sa.Column("status", sa.String(20), nullable=False, server_default="published"),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    # Migration 0006: when a `scheduled` article is due (UTC), and the edit count that optimistic
    # concurrency compares (`articles.editing.save_article`).
    sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    # The hash of an article imported without an id (`qapress import`): a rerun keeps it (0008).
    sa.Column("import_key", sa.String(64), nullable=True),
    sa.CheckConstraint(
        "status IN ('draft', 'scheduled', 'published', 'withdrawn')", name="qa_ai_status_check"
    ),
    sa.Index("qa_ai_domain_id_status_idx", "domain", "id", "status"),
    # Lists newest first (migration 0016; PostgreSQL's is on date DESC NULLS LAST, id DESC).
    sa.Index("qa_ai_domain_date_idx", "domain", "date", "id"),
    sa.Index("qa_ai_source_id_idx", "source_id"),
    sa.Index("qa_ai_import_key_key", "import_key", unique=True),
    sa.Index(
        "qa_ai_scheduled_idx",
        "scheduled_at",
        sqlite_where=sa.text("status = 'scheduled'"),
        postgresql_where=sa.text("status = 'scheduled'"),
    ),
)

link = sa.Table(
    "link",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("url_key", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("consent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("ip_hash", sa.String(64), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    # reader: the page's form or GraphQL; webmention: announced by the linking page (migration 0009).
    sa.Column("origin", sa.String(20), nullable=False, server_default="reader"),
    sa.CheckConstraint("status IN ('pending', 'live', 'rejected', 'hidden')", name="link_status_check"),
    sa.CheckConstraint("origin IN ('reader', 'webmention')", name="link_origin_check"),
    sa.Index("link_status_next_check_idx", "status", "next_check_at"),
    # One place per URL and page among the links that occupy one (migration 0003): a rejected link does not
    # block its URL, and two concurrent submissions of one URL cannot both land.
    sa.Index(
        "link_article_url_key_active_idx",
        "article_id",
        "url_key",
        unique=True,
        sqlite_where=sa.text("status <> 'rejected'"),
        postgresql_where=sa.text("status <> 'rejected'"),
    ),
    sa.Index("link_url_key_idx", "url_key"),
    sa.Index("link_ip_hash_created_idx", "ip_hash", "created_at"),
)

# The grounding check of a generated draft (migration 0003): `qapress publish` requires a passing one.
# A table of its own, so that the article's columns (and JSON Lines import/export) stay as they are.
grounding_report = sa.Table(
    "grounding_report",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("report", JSONType, nullable=False),
    sa.Column("backend", sa.String(40), nullable=False),
    sa.Column(
        "checked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
)

# Each saved state of an article's editable fields (migration 0006). ``actor_id`` names whoever saved it in
# the newsroom's accounts; no foreign key, so the store does not depend on where accounts are kept.
article_revision = sa.Table(
    "article_revision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "saved_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Column("actor_id", sa.Integer, nullable=True),
    sa.Column("fields", JSONType, nullable=False),
    sa.UniqueConstraint("article_id", "version", name="article_revision_article_version_key"),
)

BLOCK_KINDS = ("host", "domain")

# Hosts (exact) and registered domains (with every subdomain) whose links readers cannot submit (0006).
blocked_host = sa.Table(
    "blocked_host",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("host", sa.String(253), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.CheckConstraint("kind IN ('host', 'domain')", name="blocked_host_kind_check"),
    sa.UniqueConstraint("host", "kind", name="blocked_host_host_kind_key"),
)

FEED_ITEM_STATUSES = ("new", "drafted", "published", "duplicate", "retry", "failed")

# Feeds a site drafts from (migration 0007_feeds): conditional-request state, schedule and claim, last error.
feed = sa.Table(
    "feed",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, unique=True),
    sa.Column("domain", sa.Integer, sa.ForeignKey("domain.id", ondelete="CASCADE"), nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("auto_publish", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("last_modified", sa.Text, nullable=True),
    sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Index("feed_next_poll_idx", "next_poll_at"),
)

# Every item a feed has listed, keyed by its guid (or URL) within the feed: what keeps it from being drafted
# twice, and what became of it.
feed_item = sa.Table(
    "feed_item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("feed_id", sa.Integer, sa.ForeignKey("feed.id", ondelete="CASCADE"), nullable=False),
    sa.Column("item_key", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("status", sa.String(20), nullable=False, server_default="new"),
    sa.Column("error", sa.Text, nullable=True),
    # Fetches tried; an item whose page failed for a passing reason (timeout, 5xx) is tried on later polls.
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id", ondelete="SET NULL"), nullable=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="SET NULL"), nullable=True),
    sa.Column(
        "seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.UniqueConstraint("feed_id", "item_key", name="feed_item_feed_key_unique"),
    sa.CheckConstraint(
        "status IN ('new', 'drafted', 'published', 'duplicate', 'retry', 'failed')",
        name="feed_item_status_check",
    ),
)

# --- The newsroom (migration 0005_newsroom): accounts, their sites, sessions, the audit log ---
ACCOUNT_ROLES = ("owner", "editor", "moderator")

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False),
    # The address in lower case: one account per address however it is typed.
    sa.Column("email_key", sa.String(320), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    # Never in a dump (``store.dump``): a restored account signs in only after ``users reset-password``.
    sa.Column("password_hash", sa.Text, nullable=False, info={"secret": True, "restored_as": "!"}),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.CheckConstraint("role IN ('owner', 'editor', 'moderator')", name="account_role_check"),
)

#: The sites an editor or moderator may act on (owners act on all).
account_site = sa.Table(
    "account_site",
    metadata,
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("domain_id", sa.Integer, sa.ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True),
)

account_session = sa.Table(
    "account_session",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("account_session_account_idx", "account_id"),
    info={"dump": False},  # sessions are credentials: a dump never carries them
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("subject", sa.String(400), nullable=False, server_default=""),
    sa.Column("detail", JSONType, nullable=True),
    sa.Column("client", sa.String(64), nullable=True),
    sa.Index("audit_log_at_idx", "at"),
    sa.Index("audit_log_action_subject_at_idx", "action", "subject", "at"),
    sa.Index("audit_log_action_client_at_idx", "action", "client", "at"),
)

# IndexNow pings waiting to be sent (migration 0010): database triggers queue one when an article is
# published, edited while published, or taken down; the worker sends them and retries. No foreign key: a
# ping outlives the row it names. A queue, not content: never dumped.
indexnow_ping = sa.Table(
    "indexnow_ping",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, nullable=False),
    sa.Column(
        "queued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("indexnow_ping_unsent_idx", "sent_at", "next_attempt_at"),
    sa.Index(
        "indexnow_ping_unsent_article_idx",
        "article_id",
        unique=True,
        sqlite_where=sa.text("sent_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL"),
    ),
    info={"dump": False},
)

# GraphQL documents known by their SHA-256 (migration 0011): Apollo's automatic persisted queries, which any
# client may register and which are kept to a bounded number (the oldest go first), and trusted documents,
# registered ahead of time (`qapress documents add`, the site's own page queries) and kept until removed.
# Shared by every worker and host. A cache and configuration, not content: never dumped.
graphql_document = sa.Table(
    "graphql_document",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("trusted", sa.Boolean, nullable=False, server_default=sa.false()),
    # Where a trusted document came from (a file name, "site:article.graphql"); none for a persisted query.
    sa.Column("source", sa.Text, nullable=True),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Index("graphql_document_trusted_idx", "trusted", "id"),
    info={"dump": False},
)

# The cache tags each change touched, in commit order on SQLite (migration 0012): every process reads past its
# last seq and drops the pages carrying those tags. Written by triggers only; not part of a dump.
cache_invalidation = sa.Table(
    "cache_invalidation",
    metadata,
    sa.Column(
        "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("tag", sa.String(100), nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Index("cache_invalidation_created_idx", "created_at"),
    sqlite_autoincrement=True,
    info={"dump": False},
)

# The tags still to purge from the proxies and CDNs in front (``qapress.site.purge``): a row leaves when every
# configured adapter took its tag; a failed delivery waits ``next_attempt_at`` (exponential backoff).
purge_queue = sa.Table(
    "purge_queue",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("tag", sa.String(100), nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()
    ),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Index("purge_queue_next_attempt_idx", "next_attempt_at", "id"),
    info={"dump": False},
)

# The "Related articles" block's stored lists (migration 0014, ``qapress.related``): an article's articles of
# its site most like it, best first (rank 1..). Computed, never edited; written only by
# ``qapress.related.lists.store_list``, which logs the page's cache tag when a list changes. Not dumped (the
# worker computes them again).
article_related = sa.Table(
    "article_related",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("rank", sa.Integer, primary_key=True),
    sa.Column("related_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
    # Which lists show an article: a withdrawal queues them (migration 0014's triggers).
    sa.Index("article_related_related_idx", "related_id"),
    info={"dump": False},
)

# Articles whose stored list is missing or stale, for ``qapress worker`` (``qapress.related.queue``). Filled by
# triggers on ``qa_ai`` (published, edited while published, a listed article withdrawn) and by the import's
# hook; ``requests`` grows when an article is queued again while a worker holds it, so that worker leaves the
# row for the next pass instead of deleting it.
related_queue = sa.Table(
    "related_queue",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
    sa.Column("requests", sa.Integer, nullable=False, server_default="1"),
    sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
    sa.Index("related_queue_article_key", "article_id", unique=True),
    info={"dump": False},
)
