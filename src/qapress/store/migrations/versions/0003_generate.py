"""The grounding report of each generated draft, required before it can be published.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "grounding_report",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("report", JSONType, nullable=False),
        sa.Column("backend", sa.String(40), nullable=False),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.current_timestamp(),
        ),
    )


def downgrade() -> None:
    op.drop_table("grounding_report")
