"""GraphQL documents by SHA-256: automatic persisted queries and trusted documents (``graphql_document``).

A new table only, so no batch copy of any other table on SQLite.

Revision ID: 0011_documents
Revises: 0010_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_documents"
down_revision = "0010_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graphql_document",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("trusted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
    )
    op.create_index("graphql_document_trusted_idx", "graphql_document", ["trusted", "id"])


def downgrade() -> None:
    op.drop_table("graphql_document")
