"""One permission model, proved twice: through the newsroom's pages and through ``/v1/graphql`` with the same
session cookie, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import Engine
from tests.newsroom.world import EDITOR, EDITOR_B, MODERATOR, OWNER, Staff, World, status_of

from qapress.accounts.users import reset_password, set_disabled

if TYPE_CHECKING:
    from tests.site.live import LiveSite

DRAFT_QUERY = "query($id: Int!) { qa_ai_by_pk(id: $id) { id title status } }"
#: What an anonymous caller may ask for (it cannot see the status column, nor any draft).
ANONYMOUS_QUERY = "query($id: Int!) { qa_ai_by_pk(id: $id) { id title } }"
RENAME = 'mutation($id: Int!) { update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {title: "Renamed"}) { id } }'
PUBLISH = (
    'mutation($id: Int!) { update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {status: "published"}) { id } }'
)


@pytest.fixture
def staff(newsroom: LiveSite) -> Iterator[Staff]:
    client = Staff(newsroom.port)
    yield client
    client.close()


def test_an_editor_of_site_a_can_neither_read_nor_change_site_b(
    staff: Staff, world: World, engine: Engine
) -> None:
    assert staff.sign_in(EDITOR).status_code == 303
    # Pages: B's draft and queue are not there for them; A's are.
    assert staff.client.get(f"/newsroom/articles/{world.draft_b}").status_code == 404
    assert staff.client.get(f"/newsroom/sites/{world.site_b}/drafts").status_code == 404
    assert staff.client.get(f"/newsroom/articles/{world.draft_a}").status_code == 200
    saved = staff.post(
        f"/newsroom/articles/{world.draft_b}",
        {"title": "Renamed", "faq-count": "0"},
        page=f"/newsroom/articles/{world.draft_a}",
    )
    assert saved.status_code == 404
    dashboard = staff.client.get("/newsroom/").text
    assert "Alpha News" in dashboard and "Beta News" not in dashboard
    # The endpoint, with the same cookie: the same answers.
    assert staff.graphql(DRAFT_QUERY, {"id": world.draft_b}) == {"data": {"qa_ai_by_pk": None}}
    assert staff.graphql(DRAFT_QUERY, {"id": world.draft_a})["data"] == {
        "qa_ai_by_pk": {"id": world.draft_a, "title": status_title(engine, world.draft_a), "status": "draft"}
    }
    assert staff.graphql(RENAME, {"id": world.draft_b}) == {"data": {"update_qa_ai_by_pk": None}}
    assert status_title(engine, world.draft_b) == "Beta's secret draft"
    # Headers claiming another role or other sites change nothing: the cookie's session decides.
    claimed = staff.graphql(
        DRAFT_QUERY, {"id": world.draft_b}, **{"X-Hasura-Role": "owner", "X-Hasura-Allowed-Site-Ids": "{1,2}"}
    )
    assert claimed == {"data": {"qa_ai_by_pk": None}}


def test_the_other_sites_editor_sees_only_theirs(staff: Staff, world: World) -> None:
    staff.sign_in(EDITOR_B)
    assert staff.graphql(DRAFT_QUERY, {"id": world.draft_a}) == {"data": {"qa_ai_by_pk": None}}
    assert staff.client.get(f"/newsroom/articles/{world.draft_b}").status_code == 200


def test_an_owner_sees_every_site(staff: Staff, world: World) -> None:
    staff.sign_in(OWNER)
    dashboard = staff.client.get("/newsroom/").text
    assert "Alpha News" in dashboard and "Beta News" in dashboard
    for count in (
        "1 drafts of Alpha News",
        "1 published articles of Alpha News",
        "1 pending links of Alpha News",
        "1 drafts of Beta News",
        "0 pending links of Beta News",
    ):
        assert f'aria-label="{count}"' in dashboard
    assert staff.graphql(DRAFT_QUERY, {"id": world.draft_b})["data"] == {
        "qa_ai_by_pk": {"id": world.draft_b, "title": "Beta's secret draft", "status": "draft"}
    }


def test_a_moderator_cannot_publish(staff: Staff, world: World, engine: Engine) -> None:
    staff.sign_in(MODERATOR)
    page = staff.client.get(f"/newsroom/articles/{world.draft_a}")
    assert page.status_code == 200 and "Publish now" not in page.text
    refused = staff.post(
        f"/newsroom/articles/{world.draft_a}/status",
        {"action": "publish"},
        page=f"/newsroom/articles/{world.draft_a}",
    )
    assert refused.status_code == 403
    assert "cannot publish" in refused.text
    answer = staff.graphql(PUBLISH, {"id": world.draft_a})
    assert answer["errors"][0]["extensions"]["code"] == "validation-failed"  # type: ignore[index]
    assert status_of(engine, world.draft_a) == "draft"


def test_an_editor_cannot_publish_a_draft_whose_check_failed(
    staff: Staff, world: World, engine: Engine
) -> None:
    staff.sign_in(EDITOR)
    refused = staff.post(
        f"/newsroom/articles/{world.draft_a}/status",
        {"action": "publish"},
        page=f"/newsroom/articles/{world.draft_a}",
    )
    assert refused.status_code == 403 and "did not pass its grounding check" in refused.text
    answer = staff.graphql(PUBLISH, {"id": world.draft_a})
    assert answer["errors"][0]["extensions"]["code"] == "permission-error"  # type: ignore[index]
    assert status_of(engine, world.draft_a) == "draft"


@pytest.mark.parametrize("how", ["disable", "reset"])
def test_a_disabled_or_reset_account_is_refused_on_its_next_request(
    staff: Staff, world: World, engine: Engine, how: str
) -> None:
    staff.sign_in(EDITOR)
    assert staff.client.get("/newsroom/").status_code == 200
    if how == "disable":
        assert set_disabled(engine, EDITOR, True) == 1
    else:
        assert reset_password(engine, EDITOR, "a brand new password") == 1
    following = staff.client.get("/newsroom/")
    assert following.status_code == 303 and following.headers["location"].startswith("/newsroom/sign-in")
    assert staff.graphql(ANONYMOUS_QUERY, {"id": world.draft_a}) == {"data": {"qa_ai_by_pk": None}}
    again = staff.sign_in(EDITOR)
    assert again.status_code == 400
    assert ("disabled" in again.text) if how == "disable" else ("not right" in again.text)


def test_a_cross_origin_post_is_refused(staff: Staff, world: World, engine: Engine) -> None:
    staff.sign_in(EDITOR)
    page = f"/newsroom/articles/{world.draft_a}"
    for origin in ("http://evil.example", "http://b.localhost:1"):
        refused = staff.post(page, {"title": "Hijacked", "faq-count": "0"}, origin=origin)
        assert refused.status_code == 403
    html = staff.client.get(page).text
    no_origin = staff.client.post(
        page, data={"csrf": Staff.token(html), "title": "Hijacked", "faq-count": "0"}
    )
    assert no_origin.status_code == 403
    assert status_title(engine, world.draft_a) != "Hijacked"
    # The sign-in form too, and a form without its token.
    assert (
        staff.client.post(
            "/newsroom/sign-in",
            data={"email": EDITOR, "password": "x"},
            headers={"Origin": "http://evil.example"},
        ).status_code
        == 403
    )
    assert (
        staff.client.post(
            page, data={"csrf": "forged", "title": "Hijacked"}, headers={"Origin": staff.origin}
        ).status_code
        == 403
    )
    # /v1/graphql ignores the cookie on a cross-origin request (anonymous), and refuses a body not sent as
    # JSON (a form or text/plain, what a cross-site form can send) before anything runs: 415.
    cross = staff.client.post(
        "/v1/graphql",
        json={"query": ANONYMOUS_QUERY, "variables": {"id": world.draft_a}},
        headers={"Origin": "http://evil.example"},
    )
    assert cross.json() == {"data": {"qa_ai_by_pk": None}}
    plain = staff.client.post(
        "/v1/graphql",
        content=f'{{"query": "{{ qa_ai_by_pk(id: {world.draft_a}) {{ id }} }}"}}',
        headers={"Content-Type": "text/plain", "Origin": staff.origin},
    )
    assert plain.status_code == 415 and "data" not in plain.json()


def test_cookie_flags_and_a_fresh_session_id(staff: Staff, world: World) -> None:
    first = staff.sign_in(EDITOR)
    cookie = first.headers["set-cookie"]
    assert (
        "qapress_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=lax" in cookie
        and "Path=/" in cookie
    )
    assert "Secure" not in cookie  # the test server's public base URL is http
    token = staff.client.cookies["qapress_session"]
    staff.sign_in(EDITOR)
    assert staff.client.cookies["qapress_session"] != token
    # The old session ended with the new sign-in.
    old = Staff(int(staff.origin.rsplit(":", 1)[1]))
    old.client.cookies.set("qapress_session", token)
    assert old.client.get("/newsroom/").status_code == 303
    old.close()


def test_the_cookie_is_secure_when_the_public_base_url_is_https(engine: Engine, world: World) -> None:
    from tests.site.live import serve_site

    with serve_site(engine, public_base_url="https://{host}") as live:
        staff = Staff(live.port)
        page = staff.client.get("/newsroom/sign-in")
        assert "Secure" in page.headers["set-cookie"]
        signed = staff.client.post(
            "/newsroom/sign-in",
            data={"csrf": Staff.token(page.text), "email": EDITOR, "password": "a long test password"},
            # A Secure cookie is not sent back over the test's plain http: hand it over as a proxy would.
            headers={
                "Origin": "https://a.localhost",
                "Cookie": f"qapress_signin={page.cookies['qapress_signin']}",
            },
        )
        assert signed.status_code == 303, signed.text
        assert "Secure" in signed.headers["set-cookie"]
        staff.close()


def test_every_newsroom_answer_is_private_and_never_cached(
    staff: Staff, world: World, newsroom: LiveSite
) -> None:
    assert staff.client.get("/newsroom/").headers["cache-control"] == "private, no-store"
    assert staff.client.get("/newsroom/sign-in").headers["cache-control"] == "private, no-store"
    staff.sign_in(OWNER)
    for path in (
        "/newsroom/",
        f"/newsroom/articles/{world.draft_a}",
        f"/newsroom/sites/{world.site_a}/drafts",
        f"/newsroom/sites/{world.site_a}/links",
        "/newsroom/audit",
        "/newsroom/sites/new",
    ):
        response = staff.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "private, no-store", path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert "script-src" not in response.headers["content-security-policy"]  # no script at all
    assert len(newsroom.site.cache) == 0
    # Signed out, the same address shows the sign-in redirect, not a stored copy of the signed-in page.
    staff.client.cookies.clear()
    assert staff.client.get("/newsroom/").status_code == 303


def status_title(engine: Engine, article_id: int) -> str:
    import sqlalchemy as sa

    from qapress.store.schema import qa_ai

    with engine.connect() as connection:
        return str(connection.execute(sa.select(qa_ai.c.title).where(qa_ai.c.id == article_id)).scalar_one())


def test_links_are_moderated_only_by_their_sites_moderators_and_owners(staff: Staff, world: World) -> None:
    path = f"/newsroom/sites/{world.site_a}/links"
    staff.sign_in(EDITOR)  # editors read the queue, and may not act on it
    assert "A fan page" in staff.client.get(path).text
    refused = staff.post(
        path, {"action": "reject", "reason": "spam", f"link-{world.link_a}": str(world.link_a)}
    )
    assert refused.status_code == 400 and "cannot moderate links" in refused.text
    link_status = "query($id: Int!) { link_by_pk(id: $id) { status } }"
    reject = (
        'mutation($id: Int!) { update_link_by_pk(pk_columns: {id: $id}, _set: {status: "rejected"}) { id } }'
    )
    assert staff.graphql(reject, {"id": world.link_a})["errors"]  # no update permission for editors
    staff.sign_in(EDITOR_B)  # another site's editor sees neither the queue nor the link
    assert staff.client.get(path).status_code == 404
    assert staff.graphql(link_status, {"id": world.link_a}) == {"data": {"link_by_pk": None}}
    staff.sign_in(MODERATOR)
    assert staff.graphql(link_status, {"id": world.link_a}) == {"data": {"link_by_pk": {"status": "pending"}}}
    assert staff.graphql(reject, {"id": world.link_a}) == {
        "data": {"update_link_by_pk": {"id": world.link_a}}
    }


def test_owners_edit_sites_others_may_not(staff: Staff, world: World) -> None:
    edit = f"/newsroom/sites/{world.site_b}/edit"
    staff.sign_in(EDITOR)
    assert staff.client.get(edit).status_code == 403
    assert staff.client.get("/newsroom/audit").status_code == 403
    staff.sign_in(OWNER)
    saved = staff.post(
        edit, {"host": "beta.localhost", "name": "Beta Daily", "language": "de", "tagline": "B"}
    )
    assert saved.status_code == 303
    assert "Beta Daily" in staff.client.get("/newsroom/").text
    duplicate = staff.post(
        edit, {"host": "a.localhost", "name": "Beta Daily", "language": "de", "tagline": "B"}
    )
    assert duplicate.status_code == 400 and "exists already" in duplicate.text
    assert 'value="a.localhost"' in duplicate.text  # kept as typed


def test_publishing_rechecks_the_text_as_it_is_now(staff: Staff, world: World, engine: Engine) -> None:
    """A passing report does not carry over an edit made at /v1/graphql: publishing checks the current text."""
    import sqlalchemy as sa

    from qapress.store.schema import grounding_report

    staff.sign_in(EDITOR)
    with engine.begin() as connection:  # as if an earlier check had passed
        connection.execute(grounding_report.update().values(passed=True))
    answer = staff.graphql(RENAME, {"id": world.draft_a})
    assert answer == {"data": {"update_qa_ai_by_pk": {"id": world.draft_a}}}
    page = f"/newsroom/articles/{world.draft_a}"
    refused = staff.post(f"{page}/status", {"action": "publish"}, page=page)
    assert (
        refused.status_code == 403 and "did not pass its grounding check" in refused.text
    )  # the lead still names him
    assert status_of(engine, world.draft_a) == "draft"
    with engine.connect() as connection:
        assert connection.execute(sa.select(grounding_report.c.passed)).scalar_one() is False
