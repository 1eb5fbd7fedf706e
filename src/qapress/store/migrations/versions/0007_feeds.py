"""Feeds: the RSS, Atom and JSON Feed addresses a site drafts articles from, and the items already seen.

``feed`` keeps what conditional requests need (``etag``, ``last_modified``), when the feed is due
(``next_poll_at``, also the claim: a worker moves it ahead before polling, so several workers poll a feed
once), and why the last poll failed. ``feed_item`` is the de-duplication: an item's guid (or its URL when it
has none) is its natural key within its feed, so an item seen on one poll is never drafted again; an item
whose page failed for a passing reason is marked ``retry`` and tried on later polls (``attempts``).

Revision ID: 0007_feeds
Revises: 0006_lifecycle
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_feeds"
down_revision = "0006_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed",
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
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
    )
    op.create_index("feed_next_poll_idx", "feed", ["next_poll_at"])
    op.create_table(
        "feed_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feed.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_key", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id", ondelete="SET NULL"), nullable=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="SET NULL"), nullable=True),
        sa.Column(
            "seen_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
        sa.UniqueConstraint("feed_id", "item_key", name="feed_item_feed_key_unique"),
        sa.CheckConstraint(
            "status IN ('new', 'drafted', 'published', 'duplicate', 'retry', 'failed')",
            name="feed_item_status_check",
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_item")
    op.drop_index("feed_next_poll_idx", table_name="feed")
    op.drop_table("feed")
