"""The fast path's memo of repeated ``POST /v1/graphql`` bodies and ``GET`` query strings
(:mod:`qapress.engine.body_memo`), over a real server on SQLite and PostgreSQL: a repeat is answered from it,
and only ever with what the slow path would answer that caller now. Another role or other session
variables, other variables in the body, a metadata change in between, a row changed since (a GET's answer
and its caching headers): each must get its own answer, never the memoized one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

from qapress.engine.body_memo import ENTRIES, MAX_BODY_BYTES
from qapress.engine.fast_http import GraphQLFastPath
from qapress.engine.http_cache import etag
from qapress.engine.metadata import Metadata, qapress_metadata
from qapress.site.app import SiteServer
from qapress.store.demo import SEED_ARTICLE_ID

if TYPE_CHECKING:
    from tests.site.live import LiveSite

SECRET = "memo-secret"
SMALL = "query Small($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id title } }"
#: ``source_id`` is among the admin's columns, not anonymous's.
ADMIN_ONLY = "query AdminOnly($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id source_id } }"
#: An editor sees the sites of its ``X-Hasura-Allowed-Site-Ids`` only.
SITES = "query Sites { domain(order_by: {id: asc}) { id } }"


@pytest.fixture
def served(demo_url: str) -> Iterator[tuple[LiveSite, GraphQLFastPath]]:
    """A server of its own per test: one test changes the metadata."""
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, admin_secret=SECRET) as site:
        app = site.app
        assert isinstance(app, SiteServer) and app.graphql_fast_path is not None
        yield site, app.graphql_fast_path
    engine.dispose()


def post(live: LiveSite, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return live.request(
        "POST", "/v1/graphql", headers={"Content-Type": "application/json", **(headers or {})}, content=body
    )


def body_of(query: str, **variables: Any) -> bytes:
    return orjson.dumps({"query": query, "variables": variables} if variables else {"query": query})


def answers(live: LiveSite, body: bytes, headers: dict[str, str] | None = None, times: int = 3) -> Any:
    """The answer of ``body``, asked ``times`` times (the first caches the plan, the second memoizes the
    body, the rest are answered from the memo): they must all be the same."""
    seen = [post(live, body, headers) for _ in range(times)]
    assert {(r.status_code, r.content) for r in seen} == {(seen[0].status_code, seen[0].content)}
    return orjson.loads(seen[0].content)


def test_a_repeated_body_is_answered_from_the_memo(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    body = body_of(SMALL, id=SEED_ARTICLE_ID)
    found = fast_path.memo.found
    answer = answers(live, body, times=4)
    assert answer["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
    assert len(fast_path.memo) == 1
    assert fast_path.memo.found - found == 2, "the third and fourth requests were answered from the memo"


def test_one_roles_memo_never_answers_another(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    body = body_of(ADMIN_ONLY, id=SEED_ARTICLE_ID)
    admin = {"X-Hasura-Admin-Secret": SECRET}
    assert answers(live, body, admin)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
    assert len(fast_path.memo) == 1
    # The same bytes without the secret: anonymous, which may not see the column.
    refused = answers(live, body)
    assert "data" not in refused and refused["errors"][0]["extensions"]["code"] == "validation-failed"
    # A role named by the admin: the same again, and the admin's own answer is still the admin's.
    as_anonymous = {**admin, "X-Hasura-Role": "anonymous"}
    assert answers(live, body, as_anonymous) == refused
    assert answers(live, body, admin)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID


def test_other_session_variables_are_another_caller(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    body = body_of(SITES)

    def editor(sites: str) -> dict[str, str]:
        return {
            "X-Hasura-Admin-Secret": SECRET,
            "X-Hasura-Role": "editor",
            "X-Hasura-Allowed-Site-Ids": sites,
        }

    one = answers(live, body, editor("{1}"))["data"]["domain"]
    two = answers(live, body, editor("{2}"))["data"]["domain"]
    assert one == [{"id": 1}] and two == [{"id": 2}]
    assert len(fast_path.memo) == 2
    assert answers(live, body, editor("{1}"))["data"]["domain"] == one


def test_a_body_with_other_variables_misses(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    ids = [SEED_ARTICLE_ID, SEED_ARTICLE_ID + 1]
    first, second = (answers(live, body_of(SMALL, id=i)) for i in ids)
    assert first["data"]["qa_ai"][0]["id"] == ids[0]
    assert [row["id"] for row in second["data"]["qa_ai"]] in ([ids[1]], [])
    assert second != first
    assert len(fast_path.memo) == 2
    # One byte more (a space) is another body, with its own entry and the same answer.
    spaced = body_of(SMALL, id=ids[0]).replace(b'{"id"', b'{ "id"')
    assert answers(live, spaced) == first
    assert len(fast_path.memo) == 3


def test_a_metadata_change_is_never_answered_from_the_memo(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    body = body_of(SMALL, id=SEED_ARTICLE_ID)
    assert answers(live, body)["data"]["qa_ai"][0]["title"]
    assert len(fast_path.memo) == 1
    gql = fast_path.gql
    gql.reload(without_anonymous_column(gql.metadata, "qa_ai", "title"))
    try:
        refused = answers(live, body)
        assert "data" not in refused and refused["errors"][0]["extensions"]["code"] == "validation-failed"
    finally:
        gql.reload(qapress_metadata())
    assert answers(live, body)["data"]["qa_ai"][0]["title"]


def test_large_bodies_are_not_kept_and_the_memo_is_bounded(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    large = orjson.dumps({"query": SMALL + " " * MAX_BODY_BYTES, "variables": {"id": SEED_ARTICLE_ID}})
    assert len(large) > MAX_BODY_BYTES
    assert answers(live, large)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
    assert len(fast_path.memo) == 0
    at_bound = orjson.dumps({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}})
    at_bound = at_bound[:-1] + b" " * (MAX_BODY_BYTES - len(at_bound)) + b"}"
    assert len(at_bound) == MAX_BODY_BYTES
    answers(live, at_bound)
    assert len(fast_path.memo) == 1
    # More bodies than the memo holds (the same query, the plan cached): the oldest go.
    for n in range(ENTRIES + 8):
        post(live, orjson.dumps({"query": SMALL, "variables": {"id": -n}}))
    assert len(fast_path.memo) == ENTRIES


def test_a_memoized_body_still_counts_against_the_rate_limit(demo_url: str) -> None:
    """The memo answers what the plan is, never whether the caller may ask again: the rate limit counts
    every request, memoized or not, and refuses the one over it."""
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    try:
        with serve_site(engine, rate_limit_anonymous=5) as live:
            app = live.app
            assert isinstance(app, SiteServer) and app.graphql_fast_path is not None
            memo = app.graphql_fast_path.memo
            body = body_of(SMALL, id=SEED_ARTICLE_ID)
            statuses = [post(live, body).status_code for _ in range(6)]
            assert statuses == [200] * 5 + [429]
            assert memo.found >= 3, "the requests after the second were memo hits"
    finally:
        engine.dispose()


def get(
    live: LiveSite, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> httpx.Response:
    params = (
        {"query": query, "variables": orjson.dumps(variables).decode()} if variables else {"query": query}
    )
    return live.request("GET", "/v1/graphql", headers=headers or {}, params=params)


def gets(live: LiveSite, query: str, times: int = 4, **variables: Any) -> list[httpx.Response]:
    """The GET asked ``times`` times (the first caches the plan, the second memoizes the query string and
    captures the headers of its kind, the rest are answered from the memo in one write)."""
    return [get(live, query, **variables) for _ in range(times)]


def without_date(response: httpx.Response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.multi_items() if name != "date"]


def test_a_repeated_get_is_answered_from_the_memo_with_its_caching_headers(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    live, fast_path = served
    found = fast_path.get_memo.found
    seen = gets(live, SMALL, id=SEED_ARTICLE_ID)
    first = seen[0]
    assert (
        first.status_code == 200 and orjson.loads(first.content)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
    )
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert first.headers["etag"] == etag(first.content)
    for later in seen[1:]:
        assert (later.status_code, later.content) == (first.status_code, first.content)
        assert without_date(later) == without_date(first)
    assert len(fast_path.get_memo) == 1 and len(fast_path.memo) == 0
    assert fast_path.get_memo.found - found == 2, "the third and fourth requests were answered from the memo"
    # The one write (``http_protocol``) answered the last: the server is ``qapress serve``'s protocol.
    assert live.starts[-1] == "qapress.prepared_response"


def test_a_get_whose_answer_changed_gets_the_new_answer_and_its_own_etag(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    """The memo keeps the plan, never the answer: a row changed since is in the next answer, whose ETag
    and headers are its own (not the memoized answer's), and the old ETag no longer gets a 304."""
    live, fast_path = served
    query = "query Site($id: Int!) { domain(where: {id: {_eq: $id}}) { id description } }"
    before = gets(live, query, id=1)[-1]
    assert orjson.loads(before.content)["data"]["domain"][0]["id"] == 1
    old_tag = before.headers["etag"]
    found = fast_path.get_memo.found
    engine = live.site.engine
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE domain SET description = 'changed for the memo test' WHERE id = 1")
    after = get(live, query, id=1)
    assert fast_path.get_memo.found == found + 1, "answered from the memo"
    assert orjson.loads(after.content)["data"]["domain"][0]["description"] == "changed for the memo test"
    assert after.headers["etag"] == etag(after.content) != old_tag
    assert int(after.headers["content-length"]) == len(after.content)
    stale = get(live, query, {"If-None-Match": old_tag}, id=1)
    assert stale.status_code == 200 and stale.content == after.content
    fresh = get(live, query, {"If-None-Match": after.headers["etag"]}, id=1)
    assert fresh.status_code == 304 and fresh.content == b""


def test_a_get_memo_never_answers_another_caller(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    live, fast_path = served
    admin = {"X-Hasura-Admin-Secret": SECRET}
    variables = orjson.dumps({"id": SEED_ARTICLE_ID}).decode()
    params = {"query": ADMIN_ONLY, "variables": variables}
    for _ in range(3):
        shown = live.request("GET", "/v1/graphql", headers=admin, params=params)
        assert orjson.loads(shown.content)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
        assert shown.headers["cache-control"] == "private, no-store"
    refused = [get(live, ADMIN_ONLY, id=SEED_ARTICLE_ID) for _ in range(3)]
    assert {r.content for r in refused} == {refused[0].content}
    assert "data" not in orjson.loads(refused[0].content)
    assert len(fast_path.get_memo) == 0, "an admin is not memoized and a refused query has no plan hit"
    assert orjson.loads(get(live, SMALL, id=SEED_ARTICLE_ID).content)["data"]["qa_ai"]


def test_a_get_naming_a_persisted_query_is_never_memoized(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    """A request with ``extensions`` depends on the persisted documents, which change apart from the plans:
    looked up every time, never kept (persisted queries are on by default)."""
    live, fast_path = served
    assert fast_path.endpoint.documents is not None
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(SMALL.encode()).hexdigest()}}
    params = {
        "query": SMALL,
        "variables": orjson.dumps({"id": SEED_ARTICLE_ID}).decode(),
        "extensions": orjson.dumps(extensions).decode(),
    }
    seen = [live.request("GET", "/v1/graphql", params=params) for _ in range(4)]
    assert {(r.status_code, r.content) for r in seen} == {(seen[0].status_code, seen[0].content)}
    assert orjson.loads(seen[0].content)["data"]["qa_ai"][0]["id"] == SEED_ARTICLE_ID
    assert len(fast_path.get_memo) == 0
    gets(live, SMALL, id=SEED_ARTICLE_ID)
    assert len(fast_path.get_memo) == 1, "the same query without extensions is memoized"


def without_anonymous_column(metadata: Metadata, table: str, column: str) -> Metadata:
    """``metadata`` with ``column`` taken out of anonymous's select permission on ``table``."""
    tables = []
    for entry in metadata.tables:
        if entry.table.name == table:
            permission = entry.select_permissions["anonymous"]
            assert permission.columns != "*" and column in permission.columns
            columns = tuple(c for c in permission.columns if c != column)
            permissions = {**entry.select_permissions, "anonymous": replace(permission, columns=columns)}
            entry = replace(entry, select_permissions=permissions)
        tables.append(entry)
    return replace(metadata, tables=tuple(tables))
