"""Newsroom: accounts, the sites each may act on, server-side sessions and the audit log.

Revision ID: 0005_newsroom
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_newsroom"
down_revision = "0004"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _now() -> sa.sql.elements.TextClause:
    return sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # Kept as typed; uniqueness and sign-in go by email_key (the address in lower case).
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.CheckConstraint("role IN ('owner', 'editor', 'moderator')", name="account_role_check"),
    )
    op.create_table(
        "account_site",
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("domain_id", sa.Integer, sa.ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "account_session",
        # The SHA-256 of the cookie's token: a stolen table does not hold usable cookies.
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index("account_session_account_idx", "account_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(400), nullable=False, server_default=""),
        sa.Column("detail", JSONType, nullable=True),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Index("audit_log_at_idx", "at"),
        # Sign-in throttling counts recent failures per account and per client address.
        sa.Index("audit_log_action_subject_at_idx", "action", "subject", "at"),
        sa.Index("audit_log_action_client_at_idx", "action", "client", "at"),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("account_session")
    op.drop_table("account_site")
    op.drop_table("account")
