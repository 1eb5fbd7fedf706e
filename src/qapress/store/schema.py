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
    sa.CheckConstraint(
        "status IN ('draft', 'scheduled', 'published', 'withdrawn')", name="qa_ai_status_check"
    ),
    sa.Index("qa_ai_domain_id_idx", "domain", "id"),
    sa.Index("qa_ai_source_id_idx", "source_id"),
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
