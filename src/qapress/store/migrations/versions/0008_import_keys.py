"""Import keys: each imported article remembers the hash of what was imported, so a rerun keeps it.

``qa_ai.import_key`` is the SHA-256 of the article's imported fields (``store.articles`` computes it), set
for articles imported without an id (those with one are found again by their id). Unique where set: such an
article is imported once however often its file is rerun. NULL for everything else.

Revision ID: 0008_import_keys
Revises: 0007_feeds
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_import_keys"
down_revision = "0007_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE in place on both databases: a batch copy of qa_ai on SQLite would cascade-delete every
    # article's links and grounding report and drop the page-cache triggers (migration 0004).
    op.add_column("qa_ai", sa.Column("import_key", sa.String(64), nullable=True))
    op.create_index("qa_ai_import_key_key", "qa_ai", ["import_key"], unique=True)


def downgrade() -> None:
    op.drop_index("qa_ai_import_key_key", table_name="qa_ai")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE qa_ai DROP COLUMN import_key")  # in place, as above
        return
    op.drop_column("qa_ai", "import_key")
