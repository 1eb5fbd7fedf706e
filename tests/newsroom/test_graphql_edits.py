"""An edit made at ``/v1/graphql`` follows the lifecycle's rules: versioned (an open newsroom form then
conflicts), re-grounded, and a published article whose new text fails goes back to draft, on both
databases, against the real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.newsroom.world import EDITOR, FLAGGED_NAME, Staff, World, status_of

from qapress.articles.clock import stored_utc
from qapress.articles.editing import load_article
from qapress.articles.publishing import publish_article
from qapress.store.schema import article_revision, grounding_report, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

SET_LEAD = "mutation($id: Int!, $lead: String!) { update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {lead: $lead}) { id } }"


@pytest.fixture
def staff(newsroom: LiveSite) -> Iterator[Staff]:
    client = Staff(newsroom.port)
    yield client
    client.close()


def grounded_and_published(engine: Engine, world: World) -> str:
    """The world's flagged draft with its lead fixed through the lifecycle, then published; its lead."""
    from qapress.articles.editing import save_article

    with engine.begin() as connection:
        current = load_article(connection, world.draft_a)
        lead = current.fields.lead.replace(f" {FLAGGED_NAME} is said to produce it.", "")
        save_article(connection, world.draft_a, {"lead": lead}, current.version, None)
        publish_article(connection, world.draft_a, None)
    return lead


def updated_at(engine: Engine, article_id: int) -> dt.datetime:
    with engine.connect() as connection:
        value = connection.execute(sa.select(qa_ai.c.updated_at).where(qa_ai.c.id == article_id)).scalar_one()
    moment = stored_utc(value)
    assert moment is not None
    return moment


def test_a_graphql_edit_that_fails_the_check_takes_a_published_article_off(
    staff: Staff, world: World, engine: Engine, newsroom: LiveSite
) -> None:
    lead = grounded_and_published(engine, world)
    assert status_of(engine, world.draft_a) == "published"
    staff.sign_in(EDITOR)
    answer = staff.graphql(SET_LEAD, {"id": world.draft_a, "lead": f"{lead} {FLAGGED_NAME} directs it."})
    assert answer == {"data": {"update_qa_ai_by_pk": {"id": world.draft_a}}}
    assert status_of(engine, world.draft_a) == "draft"
    with engine.connect() as connection:
        passed = connection.execute(
            sa.select(grounding_report.c.passed).where(grounding_report.c.article_id == world.draft_a)
        ).scalar_one()
        revision = connection.execute(
            sa.select(article_revision.c.version, article_revision.c.actor_id)
            .where(article_revision.c.article_id == world.draft_a)
            .order_by(article_revision.c.version.desc())
        ).first()
        version = load_article(connection, world.draft_a).version
    assert passed is False
    assert revision is not None and revision.version == version == 3  # 1 made, 2 fixed, 3 this edit
    assert revision.actor_id is not None  # the editor's account, from the session


def test_a_grounded_graphql_edit_stays_published_and_an_open_form_conflicts(
    staff: Staff, world: World, engine: Engine
) -> None:
    lead = grounded_and_published(engine, world)
    staff.sign_in(EDITOR)
    page = f"/newsroom/articles/{world.draft_a}"
    opened = staff.client.get(page).text  # the form, at version 2
    assert 'name="version" value="2"' in opened
    before = updated_at(engine, world.draft_a)
    answer = staff.graphql(SET_LEAD, {"id": world.draft_a, "lead": lead + " More soon."})
    assert "errors" not in answer
    assert status_of(engine, world.draft_a) == "published"
    assert updated_at(engine, world.draft_a) > before  # the feeds' updated, NewsArticle's dateModified
    stale = staff.client.post(
        page,
        data={"csrf": Staff.token(opened), "version": "2", "title": "Stale title", "faq-count": "0"},
        headers={"Origin": staff.origin},
    )
    assert stale.status_code == 409 and "Someone else saved this article (now version 3)" in stale.text
    with engine.connect() as connection:
        assert load_article(connection, world.draft_a).fields.title != "Stale title"
