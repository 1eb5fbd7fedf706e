"""PostgreSQL's search box reads a query as SQLite's does (``sqlite_functions.websearch_to_fts5``).

0010's ``qapress_search_query`` took every ``word*`` out of the text and ANDed it to the rest: ``-word*``
became a required prefix, and ``a* or b`` lost its ``or``. This one walks the same tokens as the SQLite
function (words, ``"phrases"``, ``prefix*``, ``-`` to exclude, ``or`` between groups), builds each term with
``plainto_tsquery``/``phraseto_tsquery``/``to_tsquery`` of ``\\w+`` runs only (so no input reaches tsquery
syntax), and drops a group with nothing but exclusions, as FTS5 must. English stop words are no terms;
tokens past the first 1,000 are left out (a tree that deep runs out of stack).
SQLite needs nothing.

Revision ID: 0013_search_query
Revises: 0012_purge_queue
"""

from alembic import op

revision = "0013_search_query"
down_revision = "0012_purge_queue"
branch_labels = None
depends_on = None

SEARCH_QUERY = r"""CREATE OR REPLACE FUNCTION qapress_search_query(q text) RETURNS tsquery
   LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
   DECLARE
     m text[];
     term tsquery;
     negated boolean;
     positives tsquery := ''::tsquery;
     negatives tsquery := ''::tsquery;
     found tsquery := ''::tsquery;
   BEGIN
     -- m: 1 '-' before a phrase, 2 the phrase, 3 '-' before a word, 4 the word, 5 '*' after it
     -- The first 1,000 tokens: a deeper tsquery tree runs out of stack (a search box sends at most 200 characters).
     FOR m IN SELECT regexp_matches(coalesce(q, ''), '(-?)"([^"]*)"?|(-?)(\w+)(\*?)', 'g') LIMIT 1000 LOOP
       IF m[4] IS NOT NULL AND lower(m[4]) = 'or' AND m[3] = '' THEN
         IF numnode(positives) > 0 THEN
           found := CASE WHEN numnode(found) > 0 THEN found || (positives && negatives)
                         ELSE positives && negatives END;
           positives := ''::tsquery;
           negatives := ''::tsquery;
         END IF;
         CONTINUE;
       END IF;
       IF m[4] IS NOT NULL THEN
         term := CASE WHEN m[5] = '*' THEN to_tsquery('english'::regconfig, m[4] || ':*')
                      ELSE plainto_tsquery('english'::regconfig, m[4]) END;
         negated := m[3] = '-';
       ELSE
         term := phraseto_tsquery('english'::regconfig, m[2]);
         negated := m[1] = '-';
       END IF;
       CONTINUE WHEN numnode(term) = 0;
       IF negated THEN
         negatives := negatives && !!term;
       ELSE
         positives := positives && term;
       END IF;
     END LOOP;
     IF numnode(positives) > 0 THEN
       found := CASE WHEN numnode(found) > 0 THEN found || (positives && negatives)
                     ELSE positives && negatives END;
     END IF;
     RETURN found;
   END $$"""

# 0010's definition, for the downgrade.
SEARCH_QUERY_0010 = r"""CREATE OR REPLACE FUNCTION qapress_search_query(q text) RETURNS tsquery
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT websearch_to_tsquery('english'::regconfig, regexp_replace(q, '\w+\*', ' ', 'g'))
         && coalesce((SELECT to_tsquery('english'::regconfig, string_agg(m[1] || ':*', ' & '))
                      FROM regexp_matches(q, '(\w+)\*', 'g') AS m), ''::tsquery)
   $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_QUERY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_QUERY_0010)
