"""An index for a site's articles by date: the home page, its older pages, feeds and the news sitemap.

They list a site's articles newest first by ``date`` (then id). With only ``(domain, id)`` each such page read
and sorted every article of the site: ~50,000 rows a page for a network of 10 million over 200 sites.
``(domain, date, id)`` read backwards hands them over in order, so a page reads its offset and its rows only.
PostgreSQL's is ``(domain, date DESC NULLS LAST, id DESC)``: a backward scan of an ascending index would put
undated articles first, and the pages ask for them last.

Revision ID: 0016_list_index
Revises: 0015_bulk_import
"""

from alembic import op

revision = "0016_list_index"
down_revision = "0015_bulk_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX qa_ai_domain_date_idx ON qa_ai (domain, date DESC NULLS LAST, id DESC)")
    else:
        op.create_index("qa_ai_domain_date_idx", "qa_ai", ["domain", "date", "id"])


def downgrade() -> None:
    op.drop_index("qa_ai_domain_date_idx", table_name="qa_ai")
