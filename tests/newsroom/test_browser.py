"""The newsroom in a real browser (Debian's Chromium through Playwright) against a real server, on SQLite and
PostgreSQL: signing in and out, throttling, a site made and filled, a flagged draft fixed and published,
links moderated in bulk, the audit log, error summaries, and axe-core on every screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.newsroom.world import EDITOR, FLAGGED_NAME, MODERATOR, OWNER, PASSWORD, World, status_of
from tests.site.browser import browser  # noqa: F401  (the shared Chromium fixture)
from tests.site.test_browser import AXE

from qapress.store.schema import link

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from tests.site.live import LiveSite

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: The README's screenshots are written only when asked for: no test writes into the work tree otherwise.
REFRESH_SCREENSHOTS = os.environ.get("QAPRESS_REFRESH_SCREENSHOTS") == "1"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(8000)
    yield page
    context.close()


def url(live: LiveSite, path: str, host: str = "a.localhost") -> str:
    return f"http://{host}:{live.port}{path}"


def sign_in(page: Page, live: LiveSite, email: str, password: str = PASSWORD) -> None:
    page.goto(url(live, "/newsroom/"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']}))"
        ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return found


def test_sign_in_wrong_password_throttling_and_sign_out(page: Page, newsroom: LiveSite, world: World) -> None:
    page.goto(url(newsroom, "/newsroom/"))
    assert page.url.endswith("/newsroom/sign-in?next=/newsroom/")
    # A wrong password and an unknown email get the same answer, in the error summary, which has focus.
    answers = []
    for email in (EDITOR, "nobody@example.com"):
        sign_in(page, newsroom, email, "not the password")
        answers.append(page.inner_text("#error-summary"))
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.input_value("#email") == email  # kept as typed
        assert page.input_value("#password") == ""
    assert answers[0] == answers[1]
    assert "not right" in answers[0]
    # The summary is the first thing in the page, before the masthead, without any script.
    assert page.evaluate("document.body.firstElementChild.id") == "error-summary"
    # The throttle (3 failures per account in this server): the fourth try is paused, even with the password.
    sign_in(page, newsroom, EDITOR, "not the password")
    sign_in(page, newsroom, EDITOR, "not the password")
    sign_in(page, newsroom, EDITOR)
    assert "Too many failed sign-ins" in page.inner_text("#error-summary")
    assert page.url.endswith("/newsroom/sign-in")
    # Another account from the same address still signs in (the per-address limit here is 6 failures).
    sign_in(page, newsroom, OWNER)
    assert page.url.endswith("/newsroom/")
    assert "Your sites" in page.inner_text("h1")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["qapress_session"]["httpOnly"] and cookies["qapress_session"]["sameSite"] == "Lax"
    page.click("text=Sign out")
    assert "You are signed out" in page.inner_text("main")
    page.goto(url(newsroom, "/newsroom/audit"))
    assert "/newsroom/sign-in" in page.url


def test_create_a_site_and_import_into_it(
    page: Page, newsroom: LiveSite, world: World, database_url: str, tmp_path: Path
) -> None:
    sign_in(page, newsroom, OWNER)
    page.click("text=Add a site")
    # A bad host: the error names the field, keeps what was typed, and the summary links to the field.
    page.fill("#host", "news.example.com:8080")
    page.fill("#name", "Gamma Daily")
    page.fill("#tagline", "Third of the network")
    page.click("main button[type=submit]")
    assert "without a port" in page.inner_text("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert (
        page.input_value("#name") == "Gamma Daily" and page.input_value("#tagline") == "Third of the network"
    )
    assert page.get_attribute("#host", "aria-invalid") == "true"
    page.click("#error-summary a")
    assert page.evaluate("document.activeElement.id") == "host"
    page.fill("#host", "gamma.localhost")
    page.click("main button[type=submit]")
    assert "Gamma Daily" in page.inner_text("table")
    articles = tmp_path / "gamma.jsonl"
    articles.write_text(
        "\n".join(
            json.dumps({"title": f"Gamma story {n}", "text": "Body.", "status": s})
            for n, s in enumerate(["published", "draft"])
        ),
        "utf-8",
    )
    imported = subprocess.run(
        [sys.executable, "-m", "qapress", "import", str(articles), "--site", "gamma.localhost"],
        capture_output=True,
        text=True,
        env={**os.environ, "QAPRESS_DATABASE_URL": database_url},
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    page.reload()
    row = page.locator("tr", has_text="Gamma Daily")
    assert row.locator("td").nth(0).inner_text() == "1" and row.locator("td").nth(1).inner_text() == "1"
    # The new site serves at once, its published story on its home page.
    page.goto(url(newsroom, "/", host="gamma.localhost"))
    assert "Gamma Daily" in page.inner_text(".masthead") and "Gamma story 0" in page.inner_text("main")


def test_review_a_flagged_draft_edit_it_publish_it_and_see_it(
    page: Page, newsroom: LiveSite, world: World, engine: Engine
) -> None:
    sign_in(page, newsroom, EDITOR)
    page.click("text=Alpha News")
    page.click("text=Needs attention")
    page.click(f"a[href='/newsroom/articles/{world.draft_a}']")
    source = page.inner_text(".nr-source")
    assert "Busan International Film Festival" in source  # the source, beside the draft
    assert f"lead: name '{FLAGGED_NAME}' is not in the source" in source  # the flagged claim and its reason
    # Publishing is refused while the check fails.
    page.click("text=Publish now")
    assert "did not pass its grounding check" in page.inner_text("#error-summary")
    assert status_of(engine, world.draft_a) == "draft"
    # A form error keeps every typed field.
    page.fill("#lead", page.input_value("#lead").replace(f" {FLAGGED_NAME} is said to produce it.", ""))
    page.fill("#date", "25 February")
    page.click("text=Save and re-check")
    assert "YYYY-MM-DD" in page.inner_text("#error-summary")
    assert FLAGGED_NAME not in page.input_value("#lead")
    # Reorder (the second question first), then save: the check runs again and passes.
    questions = [page.input_value(f"#faq-{n}-question") for n in range(3)]
    page.fill("#date", "2026-02-25")
    page.fill("#faq-1-position", "0")
    page.click("text=Save and re-check")
    assert "Saved as version 2. Grounding check: grounded" in page.inner_text(".nr-notice")
    assert page.input_value("#faq-0-question") == questions[1]
    assert page.input_value("#faq-1-question") == questions[0]
    page.click("text=Publish now")
    assert "Published." in page.inner_text(".nr-notice")
    assert status_of(engine, world.draft_a) == "published"
    page.click("text=See it on the site")
    assert page.url.startswith(url(newsroom, f"/a/{world.draft_a}"))
    assert questions[1] in page.inner_text("main")
    page.go_back()
    page.click("text=Unpublish")
    assert status_of(engine, world.draft_a) == "draft"
    assert page.goto(url(newsroom, f"/a/{world.draft_a}")).status == 404  # type: ignore[union-attr]


def test_faq_items_are_added_and_removed(page: Page, newsroom: LiveSite, world: World) -> None:
    sign_in(page, newsroom, EDITOR)
    page.goto(url(newsroom, f"/newsroom/articles/{world.draft_a}"))
    count = int(page.get_attribute("input[name=faq-count]", "value") or 0)
    page.check("#faq-0-remove")
    page.fill(f"#faq-{count}-question", "When could shooting start?")
    page.fill(f"#faq-{count}-answer", "Michael Mann said he looks forward to possibly shooting it in 2026.")
    page.click("text=Save and re-check")
    assert page.locator("input[name=faq-count]").get_attribute("value") == str(count)
    assert page.input_value(f"#faq-{count - 1}-question") == "When could shooting start?"
    # A new question without an answer: named, kept.
    page.fill(f"#faq-{count}-question", "Who stars?")
    page.click("text=Save and re-check")
    assert "enter the answer" in page.inner_text("#error-summary")
    assert page.input_value(f"#faq-{count}-question") == "Who stars?"


def test_links_are_moderated_in_bulk_and_the_owner_reads_the_audit_log(
    page: Page, newsroom: LiveSite, world: World, engine: Engine
) -> None:
    sign_in(page, newsroom, MODERATOR)
    page.goto(url(newsroom, f"/newsroom/sites/{world.site_a}/links"))
    assert "A fan page" in page.inner_text("table") and "Alpha story" in page.inner_text("table")
    page.check(f"#link-{world.link_a}")
    page.click("button[value=reject]")
    assert "Enter the reason" in page.inner_text("#error-summary")
    page.check(f"#link-{world.link_a}")
    page.fill("#reason", "Not about this article")
    page.click("button[value=reject]")
    assert "1 links rejected" in page.inner_text(".nr-notice")
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(link.c.status, link.c.reason).where(link.c.id == world.link_a)
        ).one()
    assert tuple(row) == ("rejected", "Not about this article")
    # Rejected links show their reason; approving brings one back live.
    page.click("a:has-text('Rejected')")
    assert "Not about this article" in page.inner_text("table")
    page.check(f"#link-{world.link_a}")
    page.click("button[value=approve]")
    assert "1 links approved" in page.inner_text(".nr-notice")
    with engine.connect() as connection:
        assert (
            connection.execute(sa.select(link.c.status).where(link.c.id == world.link_a)).scalar_one()
            == "live"
        )
    page.goto(url(newsroom, "/newsroom/audit"))
    assert page.inner_text("h1") == "Owners only"
    page.click("text=Sign out")
    sign_in(page, newsroom, OWNER)
    page.goto(url(newsroom, "/newsroom/audit"))
    log = page.inner_text("table")
    for action in ("auth.sign-in", "auth.sign-out", "link.reject", "user.add", "site.add"):
        assert action in log
    assert MODERATOR in log


def test_axe_finds_no_violations_on_the_newsroom(browser: Browser, newsroom: LiveSite, world: World) -> None:  # noqa: F811
    """axe-core on each screen, light and dark; bypass_csp only lets the test inject axe."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(url(newsroom, "/newsroom/sign-in"))
    assert axe_violations(page) == []
    sign_in(page, newsroom, "nobody@example.com", "wrong")
    assert axe_violations(page) == []  # with its error summary
    sign_in(page, newsroom, OWNER)
    if REFRESH_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screens = [
        ("newsroom-dashboard.png", "/newsroom/"),
        ("newsroom-queue.png", f"/newsroom/sites/{world.site_a}/drafts?queue=attention"),
        ("newsroom-draft.png", f"/newsroom/articles/{world.draft_a}"),
        ("newsroom-links.png", f"/newsroom/sites/{world.site_a}/links"),
        ("newsroom-audit.png", "/newsroom/audit"),
        (None, f"/newsroom/sites/{world.site_a}/drafts?queue=scheduled"),
        (None, f"/newsroom/articles/{world.draft_a}/revisions"),
        (None, f"/newsroom/articles/{world.draft_a}/revisions/1"),
        ("newsroom-blocks.png", "/newsroom/blocks"),
        (None, "/newsroom/sites/new"),
        (None, f"/newsroom/sites/{world.site_a}/edit"),
        (None, "/newsroom/search?q=heat"),
    ]
    for name, path in screens:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            page.goto(url(newsroom, path))
            assert axe_violations(page) == [], f"{path} ({scheme})"
            if name and scheme == "light" and REFRESH_SCREENSHOTS:
                page.screenshot(path=str(SCREENSHOTS / name), full_page=name != "newsroom-draft.png")
                assert (SCREENSHOTS / name).stat().st_size > 10_000
    context.close()
