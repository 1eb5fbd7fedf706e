"""Where a reader's link came from: the page's form (or GraphQL) or a Webmention.

A Webmention is a reader's link that announced itself: it enters the same rules and moderation, and its
verification also accepts the target in ``img``, ``video`` and ``audio`` as the W3C Recommendation says.

Revision ID: 0009_webmention
Revises: 0008_import_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_webmention"
down_revision = "0008_import_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place: a batch copy of the table would drop its triggers (migration 0004).
        op.execute(
            "ALTER TABLE link ADD COLUMN origin VARCHAR(20) NOT NULL DEFAULT 'reader' "
            "CONSTRAINT link_origin_check CHECK (origin IN ('reader', 'webmention'))"
        )
        return
    op.add_column("link", sa.Column("origin", sa.String(20), nullable=False, server_default="reader"))
    op.create_check_constraint("link_origin_check", "link", "origin IN ('reader', 'webmention')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE link DROP COLUMN origin")
        return
    op.drop_constraint("link_origin_check", "link", type_="check")
    op.drop_column("link", "origin")
