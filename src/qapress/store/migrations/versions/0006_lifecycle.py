"""Lifecycle: scheduled publishing, versions and revisions of articles, blocked link hosts.

``qa_ai`` gains ``scheduled_at`` (when a ``scheduled`` article is due, UTC) and ``version`` (bumped by every
edit, for optimistic concurrency); its status may be ``scheduled`` too. ``article_revision`` keeps each
saved state of an article's editable fields; ``blocked_host`` the hosts and registered domains whose links
are refused. Neither new table is shown by pages, so neither needs a ``site_revision`` trigger; the columns
of ``qa_ai`` are covered by its existing triggers (migration 0004).

SQLite cannot alter a CHECK constraint, and rebuilding ``qa_ai`` would copy every article and, with foreign
keys on, cascade-delete the links and grounding reports of the dropped table. The constraint only widens,
so every stored row still satisfies it: SQLite's documented procedure for changing a constraint in place
(``writable_schema``, then a new ``schema_version``) is exact and costs nothing.

Revision ID: 0006_lifecycle
Revises: 0005_newsroom
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_lifecycle"
down_revision = "0005_newsroom"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
now = sa.func.current_timestamp

OLD_CHECK = "status IN ('draft', 'published', 'withdrawn')"
NEW_CHECK = "status IN ('draft', 'scheduled', 'published', 'withdrawn')"
CONSTRAINT = "qa_ai_status_check"


def upgrade() -> None:
    op.add_column("qa_ai", sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("qa_ai", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    _replace_status_check(OLD_CHECK, NEW_CHECK)
    op.create_index(
        "qa_ai_scheduled_idx",
        "qa_ai",
        ["scheduled_at"],
        sqlite_where=sa.text("status = 'scheduled'"),
        postgresql_where=sa.text("status = 'scheduled'"),
    )
    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("qa_ai.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False, server_default=now()),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("fields", JSONType, nullable=False),
        sa.UniqueConstraint("article_id", "version", name="article_revision_article_version_key"),
    )
    op.create_table(
        "blocked_host",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=now()),
        sa.CheckConstraint("kind IN ('host', 'domain')", name="blocked_host_kind_check"),
        sa.UniqueConstraint("host", "kind", name="blocked_host_host_kind_key"),
    )


def downgrade() -> None:
    op.drop_table("blocked_host")
    op.drop_table("article_revision")
    op.drop_index("qa_ai_scheduled_idx", "qa_ai")
    # The old constraint has no 'scheduled': what was waiting to be published goes back to the drafts.
    op.execute("UPDATE qa_ai SET status = 'draft' WHERE status = 'scheduled'")
    _replace_status_check(NEW_CHECK, OLD_CHECK)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("qa_ai", "version")
        op.drop_column("qa_ai", "scheduled_at")
    else:
        # SQLite drops a column in place (3.35+) unless an index or constraint names it; none does now.
        op.execute("ALTER TABLE qa_ai DROP COLUMN version")
        op.execute("ALTER TABLE qa_ai DROP COLUMN scheduled_at")


def _replace_status_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE qa_ai DROP CONSTRAINT {CONSTRAINT}")
        op.execute(f"ALTER TABLE qa_ai ADD CONSTRAINT {CONSTRAINT} CHECK ({new})")
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'qa_ai'"
    ).scalar()
    if not isinstance(sql, str) or old not in sql:
        raise RuntimeError(f"qa_ai's definition does not hold the expected CHECK ({old}); not changing it")
    schema_version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        bind.execute(
            sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'qa_ai'"),
            {"sql": sql.replace(old, new)},
        )
        bind.exec_driver_sql(f"PRAGMA schema_version={schema_version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
