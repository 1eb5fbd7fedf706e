"""Bulk moderation by ids: each id gets its own result, a refused one does not stop the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.errors import ModerationError
from qapress.links.moderation import Moderated, approve_links, queue_rechecks, reject_links
from qapress.links.submit import Accepted, submit_link
from qapress.store import begin_write
from qapress.store.schema import link

from .conftest import open_rules

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def submit(engine: Engine, article: int, path: str) -> int:
    result = submit_link(
        engine, article, f"https://example.com/{path}", True, None, rules=open_rules(rate_limit_per_hour=0)
    )
    assert isinstance(result, Accepted), result
    return result.id


def statuses(engine: Engine) -> dict[int, str]:
    with engine.connect() as connection:
        return {row.id: row.status for row in connection.execute(sa.select(link.c.id, link.c.status))}


def test_approve_several_and_report_each(engine: Engine, new_article: Callable[[], int]) -> None:
    article, full = new_article(), new_article()
    ids = [submit(engine, article, f"p{n}") for n in range(3)]
    # A rejected link whose page filled up meanwhile cannot come back.
    crowded = [submit(engine, full, f"q{n}") for n in range(5)]
    with begin_write(engine) as connection:
        reject_links(connection, [crowded[0]], "spam", 1)
    submit(engine, full, "q-new")
    with begin_write(engine) as connection:
        results = approve_links(
            connection, [*ids, ids[0], crowded[0], 999], 8, recheck_after=DAY, max_per_page=5, now=NOW
        )
    assert [r.link_id for r in results] == [*ids, crowded[0], 999]
    assert results[:3] == [Moderated(i, "approve", "pending", "live", 8) for i in ids]
    assert results[3].error == f"link {crowded[0]}: its page already has 5 links"
    assert (results[3].before, results[3].after, results[3].ok) == ("rejected", None, False)
    assert results[4].error == "no link with id 999"
    current = statuses(engine)
    assert [current[i] for i in ids] == ["live"] * 3 and current[crowded[0]] == "rejected"
    with engine.connect() as connection:
        next_check = connection.execute(sa.select(link.c.next_check_at).where(link.c.id == ids[0])).scalar()
    assert next_check is not None and next_check.replace(tzinfo=dt.UTC) == NOW + DAY


def test_reject_and_queue_rechecks(engine: Engine, article: int) -> None:
    ids = [submit(engine, article, f"p{n}") for n in range(2)]
    with begin_write(engine) as connection:
        rejected = reject_links(connection, [*ids, 404], "  off topic ", 2)
        assert [r.after for r in rejected] == ["rejected", "rejected", None]
        with pytest.raises(ModerationError, match="a rejection needs a reason"):
            reject_links(connection, ids, " ", 2)
        queued = queue_rechecks(connection, [ids[0]], 2, now=NOW)
    assert queued == [Moderated(ids[0], "recheck", "rejected", "rejected", 2)]
    with engine.connect() as connection:
        rows = {
            r.id: r for r in connection.execute(sa.select(link.c.id, link.c.reason, link.c.next_check_at))
        }
    assert rows[ids[0]].reason == "off topic" and rows[ids[0]].next_check_at is not None
    assert rows[ids[1]].next_check_at is None
