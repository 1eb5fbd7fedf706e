"""Publish now, schedule, unpublish, withdraw: the statuses, the grounding rule, what each returns."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.articles.errors import ArticleNotFound, PublishRefused, TransitionRefused
from qapress.articles.publishing import (
    StatusChange,
    publish_article,
    schedule_article,
    scheduled_time,
    unpublish_article,
    withdraw_article,
)
from qapress.store import begin_write
from qapress.store.schema import qa_ai

from .conftest import SITE_ID, T0, fail_grounding, status_of

LATER = T0 + dt.timedelta(hours=3)


def test_publish_unpublish_withdraw_report_what_happened(engine: Engine, draft: int) -> None:
    with begin_write(engine) as connection:
        published = publish_article(connection, draft, 9, now=T0)
    assert published == StatusChange(draft, "publish", "draft", "published", T0, 9)
    assert status_of(engine, draft) == "published"
    with begin_write(engine) as connection:
        withdrawn = withdraw_article(connection, draft, 9, now=T0)
    assert (withdrawn.before, withdrawn.after) == ("published", "withdrawn")
    with pytest.raises(TransitionRefused, match="makes it a draft again first"), begin_write(engine) as c:
        publish_article(c, draft, 9)
    with begin_write(engine) as connection:
        back = unpublish_article(connection, draft, None, now=T0)
    assert (back.before, back.after, back.actor_id) == ("withdrawn", "draft", None)


def test_schedule_sets_the_time_and_publish_now_clears_it(engine: Engine, draft: int) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    with begin_write(engine) as connection:
        change = schedule_article(connection, draft, LATER.astimezone(paris), 4, now=T0)
    assert change.after == "scheduled" and change.scheduled_at == LATER
    assert change.scheduled_at is not None and change.scheduled_at.tzinfo == dt.UTC
    with engine.connect() as connection:
        assert scheduled_time(connection, draft) == LATER
    with begin_write(engine) as connection:
        again = schedule_article(connection, draft, LATER + dt.timedelta(days=1), 4, now=T0)
        assert (again.before, again.after) == ("scheduled", "scheduled")
        publish_article(connection, draft, 4, now=T0)
    with engine.connect() as connection:
        assert scheduled_time(connection, draft) is None
        stored = connection.execute(sa.select(qa_ai.c.scheduled_at).where(qa_ai.c.id == draft)).scalar()
    assert stored is None and status_of(engine, draft) == "published"


def test_a_time_in_the_past_is_refused(engine: Engine, draft: int) -> None:
    with pytest.raises(TransitionRefused, match="is not in the future"), begin_write(engine) as connection:
        schedule_article(connection, draft, T0 - dt.timedelta(minutes=1), 1, now=T0)
    assert status_of(engine, draft) == "draft"


def test_publishing_and_scheduling_keep_the_grounding_rule(engine: Engine, draft: int) -> None:
    fail_grounding(engine, draft)
    for act in (
        lambda c: publish_article(c, draft, 1, now=T0),
        lambda c: schedule_article(c, draft, LATER, 1, now=T0),
    ):
        with (
            pytest.raises(PublishRefused, match="did not pass its grounding check"),
            begin_write(engine) as c,
        ):
            act(c)
    assert status_of(engine, draft) == "draft"


def test_a_hand_written_article_cannot_be_published(engine: Engine, draft: int) -> None:
    with engine.begin() as connection:
        hand = connection.execute(
            qa_ai.insert().returning(qa_ai.c.id), {"domain": SITE_ID, "title": "Notes", "status": "draft"}
        ).scalar_one()
    with pytest.raises(PublishRefused, match="has no grounding report"), begin_write(engine) as connection:
        publish_article(connection, hand, 1)
    with begin_write(engine) as connection:
        assert withdraw_article(connection, hand, 1).after == "withdrawn"


def test_an_unknown_article(engine: Engine) -> None:
    for act in (publish_article, unpublish_article, withdraw_article):
        with pytest.raises(ArticleNotFound, match="there is no article 404"), begin_write(engine) as c:
            act(c, 404, 1)
