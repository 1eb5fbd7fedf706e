"""Site: revision counters that let every worker's page cache see each change to what pages show.

``site_revision`` holds two counters: ``content`` moves with every change to an article, a domain or a
live reader link (what any page shows); ``domain`` moves with every change to the ``domain`` table (which
host is which site). Triggers bump them in the writing transaction, so a new revision becomes visible
exactly when the change commits, on SQLite and PostgreSQL, whoever writes.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Changes to a link matter to pages only when the link is (or was) live, and an update only when it changes
# what a page shows (a re-check that only moves checked_at or attempts does not).
SHOWN_LINK_COLUMNS = ("status", "url", "title", "article_id")


def link_when(event: str, distinct: str) -> str:
    """The trigger's WHEN condition; ``distinct`` is the null-safe inequality (SQLite: IS NOT)."""
    if event == "INSERT":
        return "NEW.status = 'live'"
    if event == "DELETE":
        return "OLD.status = 'live'"
    changed = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in SHOWN_LINK_COLUMNS)
    return f"(OLD.status = 'live' OR NEW.status = 'live') AND ({changed})"


EVENTS = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table(
        "site_revision",
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute("INSERT INTO site_revision (name, revision) VALUES ('content', 1), ('domain', 1)")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    bump_content = "UPDATE site_revision SET revision = revision + 1 WHERE name = 'content';"
    bump_domain = "UPDATE site_revision SET revision = revision + 1 WHERE name IN ('content', 'domain');"
    for event in EVENTS:
        low = event.lower()
        op.execute(f"CREATE TRIGGER site_rev_qa_ai_{low} AFTER {event} ON qa_ai BEGIN {bump_content} END")
        op.execute(f"CREATE TRIGGER site_rev_domain_{low} AFTER {event} ON domain BEGIN {bump_domain} END")
        op.execute(
            f"CREATE TRIGGER site_rev_link_{low} AFTER {event} ON link "
            f"WHEN {link_when(event, 'IS NOT')} BEGIN {bump_content} END"
        )


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION site_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE site_revision SET revision = revision + 1 WHERE name = ANY (TG_ARGV);
          RETURN NULL;
        END $$
        """
    )
    # One bump per statement for articles and domains (a batch import bumps once), per row for links (the
    # WHEN clause needs the row).
    op.execute(
        "CREATE TRIGGER site_rev_qa_ai AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON qa_ai "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_revision_bump('content')"
    )
    op.execute(
        "CREATE TRIGGER site_rev_domain AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON domain "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_revision_bump('content', 'domain')"
    )
    for event in EVENTS:
        op.execute(
            f"CREATE TRIGGER site_rev_link_{event.lower()} AFTER {event} ON link FOR EACH ROW "
            f"WHEN ({link_when(event, 'IS DISTINCT FROM')}) EXECUTE FUNCTION site_revision_bump('content')"
        )
    op.execute(
        "CREATE TRIGGER site_rev_link_truncate AFTER TRUNCATE ON link "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_revision_bump('content')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("site_rev_qa_ai", "qa_ai"), ("site_rev_domain", "domain")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for event in (*EVENTS, "TRUNCATE"):
            op.execute(f"DROP TRIGGER IF EXISTS site_rev_link_{event.lower()} ON link")
        op.execute("DROP FUNCTION IF EXISTS site_revision_bump()")
    else:
        for event in EVENTS:
            for table in ("qa_ai", "domain", "link"):
                op.execute(f"DROP TRIGGER IF EXISTS site_rev_{table}_{event.lower()}")
    op.drop_table("site_revision")
