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
    with op.batch_alter_table("qa_ai") as batch:
        batch.add_column(sa.Column("import_key", sa.String(64), nullable=True))
    op.create_index("qa_ai_import_key_key", "qa_ai", ["import_key"], unique=True)


def downgrade() -> None:
    op.drop_index("qa_ai_import_key_key", table_name="qa_ai")
    with op.batch_alter_table("qa_ai") as batch:
        batch.drop_column("import_key")
