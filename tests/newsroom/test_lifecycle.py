"""The article lifecycle through the newsroom, in Debian's Chromium against a real server, on SQLite and
PostgreSQL: version-checked saves (a second editor's stale save keeps their text), publishing states with the
scheduled pass run by two racing workers with a moved clock, withdraw and 410, revision history with a diff
and restore, blocking a host from the links queue, and the source sentences behind each answer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.newsroom.test_browser import axe_violations, sign_in, url
from tests.newsroom.world import EDITOR, FLAGGED_NAME, MODERATOR, OWNER, Staff, World, status_of
from tests.site.browser import browser  # noqa: F401  (the shared Chromium fixture)

from qapress.links.url_key import url_key
from qapress.store.schema import article_revision, audit_log, link, qa_ai

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from tests.site.live import LiveSite

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A page that may inject axe-core (``bypass_csp``); the CSP itself is checked on the responses."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(8000)
    yield page
    context.close()


def stored(engine: Engine, article_id: int, column: str) -> object:
    with engine.connect() as connection:
        return connection.execute(sa.select(qa_ai.c[column]).where(qa_ai.c.id == article_id)).scalar_one()


def audited(engine: Engine, action: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(audit_log.c.actor, audit_log.c.subject).where(audit_log.c.action == action)
        ).all()
    return [(row.actor, row.subject) for row in rows]


def assert_private_and_strict(page: Page, path: str, live: LiveSite) -> None:
    response = page.goto(url(live, path))
    assert response is not None and response.status == 200
    headers = response.headers
    assert headers["cache-control"] == "private, no-store"
    assert "unsafe-inline" not in headers["content-security-policy"]


def fix_the_flagged_lead(page: Page, live: LiveSite, article_id: int) -> None:
    page.goto(url(live, f"/newsroom/articles/{article_id}"))
    page.fill("#lead", page.input_value("#lead").replace(f" {FLAGGED_NAME} is said to produce it.", ""))
    page.click("text=Save and re-check")
    assert "Grounding check: grounded" in page.inner_text(".nr-notice")


def test_a_second_editors_stale_save_is_a_conflict_that_keeps_their_text(
    browser: Browser,  # noqa: F811
    newsroom: LiveSite,
    world: World,
    engine: Engine,
) -> None:
    first, second = (browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2))
    try:
        ed, owner = first.new_page(), second.new_page()
        sign_in(ed, newsroom, EDITOR)
        sign_in(owner, newsroom, OWNER)
        for page in (ed, owner):
            page.goto(url(newsroom, f"/newsroom/articles/{world.draft_a}"))
            assert page.input_value("input[name=version]") == "1"
        ed.fill("#title", "The editor's title")
        ed.click("text=Save and re-check")
        assert "Saved as version 2" in ed.inner_text(".nr-notice")
        owner.fill("#title", "The owner's title")
        owner.fill("#outro", "The owner's outro, typed with care.")
        owner.click("text=Save and re-check")
        summary = owner.inner_text("#error-summary")
        assert "Someone else saved this article (now version 2)" in summary
        assert owner.evaluate("document.activeElement.id") == "error-summary"
        # Their text is kept, nothing of it stored; the first save stands.
        assert owner.input_value("#title") == "The owner's title"
        assert owner.input_value("#outro") == "The owner's outro, typed with care."
        assert stored(engine, world.draft_a, "title") == "The editor's title"
        assert stored(engine, world.draft_a, "version") == 2
        # The current version is one link away, and saving again is a deliberate replacement of it.
        assert owner.get_attribute("#error-summary a[href$='/revisions/2']", "href")
        assert owner.input_value("input[name=version]") == "2"
        owner.click("text=Save and re-check")
        assert "Saved as version 3" in owner.inner_text(".nr-notice")
        assert stored(engine, world.draft_a, "title") == "The owner's title"
        assert [subject for _, subject in audited(engine, "article.edit")] == [str(world.draft_a)] * 2
        with engine.connect() as connection:
            versions = connection.execute(
                sa.select(article_revision.c.version, article_revision.c.actor_id)
                .where(article_revision.c.article_id == world.draft_a)
                .order_by(article_revision.c.version)
            ).all()
        assert [v for v, _ in versions] == [1, 2, 3] and versions[0][1] is None
    finally:
        first.close()
        second.close()


def test_a_moderator_can_neither_save_nor_change_the_status(
    newsroom: LiveSite, world: World, engine: Engine
) -> None:
    staff = Staff(newsroom.port)
    try:
        staff.sign_in(MODERATOR)
        page = f"/newsroom/articles/{world.draft_a}"
        saved = staff.post(page, {"title": "A moderator's title", "faq-count": "0", "version": "1"})
        assert saved.status_code == 403 and "cannot edit articles" in saved.text
        for action, extra in (("schedule", {"scheduled_at": "2030-01-01T09:00"}), ("withdraw", {})):
            refused = staff.post(f"{page}/status", {"action": action, **extra}, page=page)
            assert refused.status_code == 403 and f"cannot {action} articles" in refused.text
        assert stored(engine, world.draft_a, "version") == 1
        assert status_of(engine, world.draft_a) == "draft"
    finally:
        staff.close()


def worker_pass(database_url: str, now: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "qapress", "worker", "--once", "--now", now],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QAPRESS_DATABASE_URL": database_url},
    )


def test_schedule_two_racing_workers_publish_once_then_withdraw_answers_410(
    page: Page, newsroom: LiveSite, world: World, engine: Engine, database_url: str
) -> None:
    sign_in(page, newsroom, EDITOR)
    fix_the_flagged_lead(page, newsroom, world.draft_a)
    assert "(date and time in UTC)" in page.inner_text("label[for=scheduled_at]")
    # A time in the past is refused, named, and kept as typed.
    page.fill("#scheduled_at", "2020-01-01T09:00")
    page.click("button[value=schedule]")
    assert "not in the future" in page.inner_text("#error-summary")
    assert page.input_value("#scheduled_at") == "2020-01-01T09:00"
    page.fill("#scheduled_at", "2030-01-01T09:00")
    page.click("button[value=schedule]")
    assert "Scheduled" in page.inner_text(".nr-notice")
    assert "scheduled for 2030-01-01 09:00 UTC" in page.inner_text(".nr-status")
    assert status_of(engine, world.draft_a) == "scheduled"
    page.goto(url(newsroom, f"/newsroom/sites/{world.site_a}/drafts?queue=scheduled"))
    row = page.locator("tr", has_text=str(stored(engine, world.draft_a, "title")))
    assert "2030-01-01 09:00" in row.inner_text()
    assert axe_violations(page) == []
    assert page.goto(url(newsroom, f"/a/{world.draft_a}")).status == 404  # type: ignore[union-attr]
    # Before its time, the pass publishes nothing; at its time, two workers race and one publishes it.
    early = worker_pass(database_url, "2029-12-31T23:59:00Z")
    assert early.wait(120) == 0 and "published" not in (early.stdout.read() if early.stdout else "")
    racers = [worker_pass(database_url, "2030-01-01T09:01:00Z") for _ in range(2)]
    outputs = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        outputs.append(out)
    lines = [
        line for out in outputs for line in out.splitlines() if line.startswith(f"article {world.draft_a}\t")
    ]
    assert len(lines) == 1 and "scheduled -> published" in lines[0]
    assert status_of(engine, world.draft_a) == "published"
    home = page.goto(url(newsroom, "/"))
    assert home is not None and home.status == 200
    listed = page.locator(f"main h2 a[href*='/a/{world.draft_a}/']")
    assert listed.count() == 1  # listed once
    public = url(newsroom, urlsplit(listed.get_attribute("href") or "").path)
    assert newsroom.get(urlsplit(public).path, host="a.localhost").status_code == 200
    # Withdraw: the page answers 410 Gone, and the log says who did what to which article.
    page.goto(url(newsroom, f"/newsroom/articles/{world.draft_a}"))
    page.click("button[value=withdraw]")
    assert "410 Gone" in page.inner_text(".nr-notice")
    assert newsroom.get(urlsplit(public).path, host="a.localhost").status_code == 410
    for action in ("article.edit", "article.schedule", "article.withdraw"):
        assert audited(engine, action) == [(EDITOR, str(world.draft_a))], action
    # Withdrawn: back to drafts is the only way on.
    page.goto(url(newsroom, f"/newsroom/articles/{world.draft_a}"))
    assert page.locator("button[value=publish]").count() == 0
    page.click("button[value=unpublish]")
    assert status_of(engine, world.draft_a) == "draft"


def test_revision_history_diff_and_restore(
    page: Page, newsroom: LiveSite, world: World, engine: Engine
) -> None:
    sign_in(page, newsroom, EDITOR)
    article = f"/newsroom/articles/{world.draft_a}"
    page.goto(url(newsroom, article))
    original = page.input_value("#title")
    page.fill("#title", "A <b>bold</b> new title")
    page.click("text=Save and re-check")
    page.fill("#outro", "A changed outro.")
    page.click("text=Save and re-check")
    assert "Saved as version 3" in page.inner_text(".nr-notice")
    page.click("text=Revision history")
    assert_private_and_strict(page, f"{article}/revisions", newsroom)
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert "Version 3 (current)" in rows.nth(0).inner_text() and EDITOR in rows.nth(0).inner_text()
    assert "before the first edit" in rows.nth(2).inner_text()
    page.check("#from-1")
    page.check("#to-2")
    page.click("button:has-text('Compare')")
    diff = page.locator(".nr-diff")
    assert diff.locator("h3").all_inner_texts() == ["Title"]  # the slug stays: links keep working
    assert "<b>bold</b>" in "".join(diff.locator("ins").all_inner_texts())  # escaped, not markup
    assert diff.locator("b").count() == 0
    assert original.split()[0] in " ".join(diff.locator("del").all_inner_texts())
    assert axe_violations(page) == []
    # Restore version 1: a new version 4 with the original title, audited.
    page.goto(url(newsroom, f"{article}/revisions/1"))
    assert axe_violations(page) == []
    page.click("text=Restore this version")
    assert "Restored" in page.inner_text(".nr-notice")
    assert page.input_value("#title") == original
    assert stored(engine, world.draft_a, "version") == 4
    assert audited(engine, "article.restore") == [(EDITOR, str(world.draft_a))]


def test_block_a_host_from_the_links_queue_refuses_its_links_and_unblock(
    page: Page, newsroom: LiveSite, world: World, engine: Engine
) -> None:
    with engine.begin() as connection:
        article_id = connection.execute(
            sa.select(qa_ai.c.id).where(qa_ai.c.slug == "alpha-story")
        ).scalar_one()
        farm = connection.execute(
            link.insert()
            .values(
                article_id=article_id,
                url="https://www.fansite.co.uk/heat",
                url_key=url_key("https://www.fansite.co.uk/heat"),
                consent=True,
            )
            .returning(link.c.id)
        ).scalar_one()
    sign_in(page, newsroom, MODERATOR)
    page.goto(url(newsroom, f"/newsroom/sites/{world.site_a}/links"))
    page.fill("#host", "https://www.fansite.co.uk/some/page")
    page.check("#domain")
    page.fill("#block-reason", "Link farm")
    page.click("button[value=block]")
    assert page.url.endswith("/newsroom/blocks?done=block")
    assert "fansite.co.uk and its subdomains" in page.inner_text("table")
    assert axe_violations(page) == []
    with engine.connect() as connection:
        statuses = {row.id: row.status for row in connection.execute(sa.select(link.c.id, link.c.status))}
        reason = connection.execute(sa.select(link.c.reason).where(link.c.id == farm)).scalar_one()
    assert statuses[farm] == "rejected" and "Link farm" in reason  # it was pending
    assert statuses[world.link_a] == "pending"  # another host's link is untouched
    assert audited(engine, "link.block") == [(MODERATOR, "fansite.co.uk")]
    # A reader's new link from a blocked subdomain is refused on the article page.
    page.goto(url(newsroom, f"/a/{article_id}/alpha-story"))
    page.fill("#link-url", "https://blog.fansite.co.uk/heat-2")
    page.check("#link-consent")
    page.click("text=Submit link")
    summary = page.locator(".error-summary")
    assert "Links to fansite.co.uk and its subdomains are not accepted" in summary.inner_text()
    with engine.connect() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(link).where(link.c.url.like("%blog.fansite%"))
            ).scalar_one()
            == 0
        )
    # A bad host is named and kept; then unblock.
    page.goto(url(newsroom, "/newsroom/blocks"))
    page.fill("#host", "not a host")
    page.click("button[value=block]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#host") == "not a host"
    page.click("button[aria-label='Unblock fansite.co.uk and its subdomains']")
    assert "Nothing is blocked" in page.inner_text("main")
    assert audited(engine, "link.unblock") == [(MODERATOR, "fansite.co.uk")]


def test_editors_read_the_blocks_page_only_if_they_moderate(newsroom: LiveSite, world: World) -> None:
    staff = Staff(newsroom.port)
    try:
        staff.sign_in(EDITOR)
        assert staff.client.get("/newsroom/blocks").status_code == 403
        refused = staff.post(
            "/newsroom/blocks", {"action": "block", "host": "spam.example"}, page="/newsroom/"
        )
        assert refused.status_code == 403
    finally:
        staff.close()


def test_each_answer_shows_the_source_sentences_that_support_it(
    page: Page, newsroom: LiveSite, world: World, engine: Engine
) -> None:
    sign_in(page, newsroom, EDITOR)
    page.goto(url(newsroom, f"/newsroom/articles/{world.draft_a}"))
    support = page.locator(".nr-support > li")
    faq = stored(engine, world.draft_a, "faq")
    assert support.count() == len(faq)  # type: ignore[arg-type]
    source = page.inner_text(".nr-source-text")
    marks = page.locator(".nr-support mark").all_inner_texts()
    assert marks, "no claim is highlighted"
    for sentence in page.locator(".nr-support-sentences li").all_inner_texts():
        assert sentence in source  # a sentence of the source, whole
    answers = " ".join(page.locator(".nr-support > li > p:first-child").all_inner_texts())
    assert all(mark in answers for mark in marks)  # each mark is a claim of an answer
    # The flagged claim and the dropped answers are listed with their reasons.
    assert f"name '{FLAGGED_NAME}' is not in the source" in page.inner_text(".nr-problems")
    assert axe_violations(page) == []
