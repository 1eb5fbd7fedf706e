"""The full-text index knows each article's site, so a site's search and its related lists read that site only.

Until now a search page or a related list matched words over the whole network and then kept the site's
rows by probing ``qa_ai`` once per match: a word in most articles cost a probe per article of the network
(~1 s at 10 million), whatever the size of the site. Now:

- SQLite: ``qa_ai_fts`` has a fourth column, ``site``, holding one token per article (``site7``), read from
  the view ``qa_ai_fts_content`` (external content, as before: the index keeps no copy of any text). A site's
  query is ``site : "site7" AND {title lead text} : (words)`` (``engine.sqlite_functions.fts5_in_site``):
  FTS5 walks the two posting lists together and skips through the longer one. Readers' words are always
  matched in the three text columns only, so nobody finds a site by typing its token.
- PostgreSQL: ``qa_ai_search`` keeps the article's ``domain`` beside its vector, under one GIN index of both
  columns (``btree_gin``, a trusted extension: the database's owner may create it), which intersects the
  site's entry with the words' entries inside the index.

The triggers follow a change of site; the bulk import's batches index the site too (store.bulk_import).
The index is rebuilt once here: every article's text is read and indexed again (not timed at scale).

Revision ID: 0020_search_site
Revises: 0019_search_page_index
"""

from alembic import op

revision = "0020_search_site"
down_revision = "0019_search_page_index"
branch_labels = None
depends_on = None

_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_BULK_OFF = "NOT EXISTS (SELECT 1 FROM qapress_bulk_import)"  # migration 0015's switch


def _sqlite_index(site: bool) -> list[str]:
    """Migration 0010's index and triggers (with 0015's switch), with or without the site column."""
    columns = "title, lead, text, site" if site else "title, lead, text"
    new = "new.id, new.title, new.lead, new.text" + (", 'site' || new.domain" if site else "")
    old = "old.id, old.title, old.lead, old.text" + (", 'site' || old.domain" if site else "")
    insert = f"INSERT INTO qa_ai_fts(rowid, {columns}) VALUES ({new});"
    delete = f"INSERT INTO qa_ai_fts(qa_ai_fts, rowid, {columns}) VALUES ('delete', {old});"
    watched = "id, title, lead, text, domain" if site else "id, title, lead, text"
    content = "qa_ai_fts_content" if site else "qa_ai"
    statements = [
        "DROP TRIGGER IF EXISTS qa_ai_fts_insert",
        "DROP TRIGGER IF EXISTS qa_ai_fts_delete",
        "DROP TRIGGER IF EXISTS qa_ai_fts_update",
        "DROP TABLE IF EXISTS qa_ai_fts_terms",
        "DROP TABLE IF EXISTS qa_ai_fts",
        "DROP VIEW IF EXISTS qa_ai_fts_content",
    ]
    if site:
        statements.append(
            "CREATE VIEW qa_ai_fts_content AS SELECT id, title, lead, text, 'site' || domain AS site FROM qa_ai"
        )
    return [
        *statements,
        f"CREATE VIRTUAL TABLE qa_ai_fts USING fts5({columns}, content='{content}', content_rowid='id', "
        f"{_TOKENIZE})",
        f"CREATE TRIGGER qa_ai_fts_insert AFTER INSERT ON qa_ai WHEN {_BULK_OFF} BEGIN {insert} END",
        f"CREATE TRIGGER qa_ai_fts_delete AFTER DELETE ON qa_ai BEGIN {delete} END",
        f"CREATE TRIGGER qa_ai_fts_update AFTER UPDATE OF {watched} ON qa_ai BEGIN {delete} {insert} END",
        "INSERT INTO qa_ai_fts(qa_ai_fts) VALUES ('rebuild')",
        # Migration 0014's vocabulary (documents per term), on the new index.
        "CREATE VIRTUAL TABLE qa_ai_fts_terms USING fts5vocab(qa_ai_fts, 'row')",
    ]


def _postgresql_row_function(site: bool) -> str:
    """Migration 0017's trigger function, storing the site beside the vector when ``site``."""
    columns, values = ("id, domain, vector", "NEW.id, NEW.domain, ") if site else ("id, vector", "NEW.id, ")
    update = "domain = EXCLUDED.domain, vector = EXCLUDED.vector" if site else "vector = EXCLUDED.vector"
    return f"""CREATE OR REPLACE FUNCTION qapress_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO qa_ai_search ({columns})
      VALUES ({values}qapress_search_vector(NEW.title, NEW.lead, NEW.text))
      ON CONFLICT (id) DO UPDATE SET {update};
      RETURN NULL;
    END $$"""


def _postgresql_update_trigger(site: bool) -> list[str]:
    watched = ["title", "lead", "text", *(["domain"] if site else [])]
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
    return [
        "DROP TRIGGER IF EXISTS qa_ai_search_update ON qa_ai",
        f"CREATE TRIGGER qa_ai_search_update AFTER UPDATE OF {', '.join(watched)} ON qa_ai FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION qapress_search_row()",
    ]


POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "ALTER TABLE qa_ai_search ADD COLUMN domain integer",
    "UPDATE qa_ai_search AS s SET domain = a.domain FROM qa_ai AS a WHERE a.id = s.id",
    "ALTER TABLE qa_ai_search ALTER COLUMN domain SET NOT NULL",
    _postgresql_row_function(site=True),
    *_postgresql_update_trigger(site=True),
    "CREATE INDEX qa_ai_search_site_idx ON qa_ai_search USING gin (domain, vector)",
    "DROP INDEX qa_ai_search_vector_idx",
    "ANALYZE qa_ai_search",
]

POSTGRESQL_DOWN = [
    "CREATE INDEX qa_ai_search_vector_idx ON qa_ai_search USING gin (vector)",
    "DROP INDEX qa_ai_search_site_idx",
    *_postgresql_update_trigger(site=False),
    _postgresql_row_function(site=False),
    "ALTER TABLE qa_ai_search DROP COLUMN domain",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_index(site=True) if sqlite else POSTGRESQL_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_index(site=False) if sqlite else POSTGRESQL_DOWN:
        op.execute(statement)
