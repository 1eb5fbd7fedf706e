"""Migration 0016: a site's articles newest first (home pages, feeds) come out of an index in order, so a
list page reads its own rows, not every article of the site."""

from __future__ import annotations

from sqlalchemy.engine import Engine

LIST = (
    "SELECT id, title FROM qa_ai WHERE domain = 7 AND status = 'published' "
    "ORDER BY date DESC NULLS LAST, id DESC LIMIT 21 OFFSET 980"
)


def test_a_list_page_reads_the_date_index_in_order(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {LIST}"))
            assert "qa_ai_domain_date_idx" in plan and "TEMP B-TREE" not in plan, plan
        else:
            connection.exec_driver_sql("SET LOCAL enable_sort = off")
            connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            plan = " ".join(str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {LIST}"))
            assert "Index Scan using qa_ai_domain_date_idx" in plan and "Sort" not in plan, plan
