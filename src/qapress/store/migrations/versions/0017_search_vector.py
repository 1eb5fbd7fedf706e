"""PostgreSQL: each article's search vector stored once, in ``qa_ai_search`` (SQLite: nothing changes).

Until now the vector was an expression (``qapress_search_vector(title, lead, text)``) under a GIN index: a match
was found through the index, but ranking it (``ts_rank``, for search and for related lists) rebuilt the
vector from the article's text, ~2 ms a row: a search for a common word at 20,000 articles took 7.6 s. The
vector now lives in ``qa_ai_search`` (id, vector), one row per article, kept by a trigger on ``qa_ai`` for
every writer (inserts, edits of the title, lead or text; a new id or a delete cascades; a bulk import's
batches set-wise, as for SQLite's index), with the GIN index and the
statistics target on its column. A table of its own rather than a column of ``qa_ai``: the GraphQL engine
tracks ``qa_ai``'s columns on both databases alike, and a ``tsvector`` column would be PostgreSQL's only.

Revision ID: 0017_search_vector
Revises: 0016_list_index
"""

from alembic import op

revision = "0017_search_vector"
down_revision = "0016_list_index"
branch_labels = None
depends_on = None

#: As migration 0014 set on the expression index: ANALYZE keeps the 10,000 most common lexemes.
LEXEME_STATISTICS = 1000

UPGRADE = [
    "CREATE TABLE qa_ai_search (id integer PRIMARY KEY "
    "REFERENCES qa_ai (id) ON DELETE CASCADE ON UPDATE CASCADE, vector tsvector NOT NULL)",
    "INSERT INTO qa_ai_search (id, vector) SELECT id, qapress_search_vector(title, lead, text) FROM qa_ai",
    "CREATE INDEX qa_ai_search_vector_idx ON qa_ai_search USING gin (vector)",
    f"ALTER TABLE qa_ai_search ALTER COLUMN vector SET STATISTICS {LEXEME_STATISTICS}",
    """CREATE FUNCTION qapress_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO qa_ai_search (id, vector) VALUES (NEW.id, qapress_search_vector(NEW.title, NEW.lead, NEW.text))
      ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector;
      RETURN NULL;
    END $$""",
    # A bulk import (migration 0015's switch) stores its batch's vectors set-wise (store.bulk_import).
    "CREATE TRIGGER qa_ai_search_insert AFTER INSERT ON qa_ai FOR EACH ROW WHEN (NOT qapress_bulk_import()) "
    "EXECUTE FUNCTION qapress_search_row()",
    "CREATE TRIGGER qa_ai_search_update AFTER UPDATE OF title, lead, text ON qa_ai FOR EACH ROW "
    "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.lead IS DISTINCT FROM NEW.lead "
    "OR OLD.text IS DISTINCT FROM NEW.text) "
    "EXECUTE FUNCTION qapress_search_row()",
    "DROP INDEX qa_ai_search_idx",
    "ANALYZE qa_ai_search",
]

DOWNGRADE = [
    "CREATE INDEX qa_ai_search_idx ON qa_ai USING gin (qapress_search_vector(title, lead, text))",
    f"ALTER INDEX qa_ai_search_idx ALTER COLUMN 1 SET STATISTICS {LEXEME_STATISTICS}",
    "DROP TRIGGER IF EXISTS qa_ai_search_update ON qa_ai",
    "DROP TRIGGER IF EXISTS qa_ai_search_insert ON qa_ai",
    "DROP FUNCTION IF EXISTS qapress_search_row()",
    "DROP TABLE IF EXISTS qa_ai_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
