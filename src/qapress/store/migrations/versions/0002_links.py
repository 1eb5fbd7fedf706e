"""Links: a rejected link no longer blocks its URL, and indexes for the rules' counts.

The unique (article_id, url_key) constraint becomes a partial unique index over the links that occupy a
place (status other than 'rejected'), so a reader can submit again a URL that was once rejected; the index
still stops two concurrent submissions of one URL at the database. New indexes serve the per-IP rate limit
and the site-wide duplicate check. Downgrading drops the rejected links that share a URL key with another
link of their page, since the old constraint cannot hold both.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status <> 'rejected'")


def upgrade() -> None:
    with op.batch_alter_table("link") as batch:
        batch.drop_constraint("link_article_id_url_key_key", type_="unique")
    op.create_index(
        "link_article_url_key_active_idx",
        "link",
        ["article_id", "url_key"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index("link_url_key_idx", "link", ["url_key"])
    op.create_index("link_ip_hash_created_idx", "link", ["ip_hash", "created_at"])


def downgrade() -> None:
    # The old constraint holds one row per (article, URL key) whatever the status: drop the rejected twins
    # (a rejected link that shares its key with an active or a newer link), which 0001 could not have held.
    op.execute(
        "DELETE FROM link WHERE status = 'rejected' AND EXISTS (SELECT 1 FROM link AS other "
        "WHERE other.article_id = link.article_id AND other.url_key = link.url_key "
        "AND other.id <> link.id AND (other.status <> 'rejected' OR other.id > link.id))"
    )
    op.drop_index("link_ip_hash_created_idx", "link")
    op.drop_index("link_url_key_idx", "link")
    op.drop_index("link_article_url_key_active_idx", "link")
    with op.batch_alter_table("link") as batch:
        batch.create_unique_constraint("link_article_id_url_key_key", ["article_id", "url_key"])
