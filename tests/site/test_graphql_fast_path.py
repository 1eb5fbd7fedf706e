"""``POST`` and ``GET /v1/graphql`` answered by the raw-ASGI fast path exactly as by the Starlette app, and a
slow plan never on the event loop.

Each request of the matrix is sent to a real server twice, the plan already cached: once with the fast path
switched off (router, middlewares, the endpoint) and once with it on; status, headers (but the date) and body
must be the same, and the fast path must have answered the plan-cache hits itself (and nothing else). A GET's
answer carries caching headers (``Cache-Control``, ``ETag``, cache tags) and may be a 304: the same check.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from starlette.types import Receive, Scope, Send

from qapress.engine.fast_http import GraphQLFastPath
from qapress.engine.http_cache import CachePolicy
from qapress.engine.placement import PROBES, WARMUP
from qapress.site.app import SiteServer
from qapress.store.demo import SEED_ARTICLE_ID

if TYPE_CHECKING:
    from tests.site.live import LiveSite

SMALL = "query Small($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id title } }"
#: An answer over gzip's threshold (512 bytes): compressed for clients that take gzip.
LARGE = "query Large { qa_ai(limit: 5, order_by: {id: asc}) { id title text } }"
DOMAINS = "query Domains { domain(limit: 2, order_by: {id: asc}) { id } }"


class Watched:
    """The app's fast path, noting what it answered itself."""

    def __init__(self, inner: GraphQLFastPath) -> None:
        self.inner = inner
        self.answered = 0

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        replay = await self.inner.answer(scope, receive, send)
        if replay is None:
            self.answered += 1
        return replay


@pytest.fixture(scope="module")
def served(demo_url: str) -> Iterator[tuple[LiveSite, GraphQLFastPath]]:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, admin_secret="fast-secret") as site:
        app = site.app
        assert isinstance(app, SiteServer) and app.graphql_fast_path is not None
        yield site, app.graphql_fast_path
    engine.dispose()


def post(live: LiveSite, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return live.request(
        "POST",
        "/v1/graphql",
        headers={"Content-Type": "application/json", **(headers or {})},
        content=content,
    )


def without_date(response: httpx.Response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.multi_items() if name != "date"]


def get(live: LiveSite, params: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    """``GET /v1/graphql`` with ``params`` as the query string, variables and extensions as JSON text (a
    value that is already text goes as it is)."""
    query = {
        name: value if isinstance(value, str) else orjson.dumps(value).decode()
        for name, value in params.items()
    }
    return live.request("GET", "/v1/graphql", headers=headers or {}, params=query)


def both_ways(
    served: tuple[LiveSite, GraphQLFastPath],
    body: Any,
    headers: dict[str, str] | None = None,
    ask: Callable[[LiveSite, Any, dict[str, str] | None], httpx.Response] = post,
) -> tuple[httpx.Response, httpx.Response, int]:
    """The slow path's answer and the fast path's (after one request that caches the plan), and how many
    requests the fast path answered itself; ``ask`` sends the request (``post`` or ``get``)."""
    live, fast_path = served
    app = live.app
    assert isinstance(app, SiteServer)
    app.graphql_fast_path = None
    ask(live, body, headers)
    slow = ask(live, body, headers)
    watched = Watched(fast_path)
    app.graphql_fast_path = watched  # type: ignore[assignment]
    try:
        quick = ask(live, body, headers)
    finally:
        app.graphql_fast_path = fast_path
    return slow, quick, watched.answered


HITS = [
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {}),
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}, "operationName": "Small"}, {"Accept": "*/*"}),
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {"Accept": "application/graphql-response+json"}),
    ({"query": LARGE}, {}),
    ({"query": LARGE}, {"Accept-Encoding": "gzip"}),
    ({"query": LARGE}, {"Accept-Encoding": "gzip", "Accept": "application/graphql-response+json"}),
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {"Accept-Encoding": "gzip"}),
    ({"query": SMALL, "variables": {"id": 1}}, {"Content-Type": "application/json; charset=utf-8"}),
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {"X-Hasura-Admin-Secret": "fast-secret"}),
    (
        {"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}},
        {"X-Hasura-Admin-Secret": "fast-secret", "X-Hasura-Role": "anonymous"},
    ),
    # Without the secret the claimed role counts for nothing: anonymous, as on the slow path.
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {"X-Hasura-Role": "admin"}),
    # A cookie that is not the newsroom's session.
    ({"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}, {"Cookie": "theme=dark"}),
]

FALLS_THROUGH = [
    # Errors, which are no plan-cache hits: the slow path answers them.
    ({"query": SMALL}, {}),
    ({"query": SMALL, "variables": {"id": "not a number"}}, {"Accept": "application/graphql-response+json"}),
    ({"query": SMALL, "variables": {"id": 1, "extra": 2}}, {}),
    ({"query": "{ nope }"}, {"Accept": "application/graphql-response+json"}),
    ([{"query": SMALL, "variables": {"id": 1}}, {"query": LARGE}], {}),
    (b"{not json", {}),
    (b'"a string"', {}),
    ({"query": SMALL, "variables": {"id": 1}}, {"X-Hasura-Admin-Secret": "wrong"}),
    ({"query": SMALL, "variables": {"id": 1}}, {"Content-Type": "text/plain"}),
    ({"query": SMALL, "variables": {"id": 1}, "extensions": {"persistedQuery": {"version": 1}}}, {}),
    ({"query": SMALL, "variables": {"id": 1}}, {"Cookie": "qapress_session=not-a-session"}),
]


@pytest.mark.parametrize(("body", "headers"), HITS)
def test_a_plan_cache_hit_gets_every_header_and_byte_the_app_sends(
    served: tuple[LiveSite, GraphQLFastPath], body: Any, headers: dict[str, str]
) -> None:
    slow, quick, answered = both_ways(served, body, headers)
    assert answered == 1, "the fast path did not answer the hit"
    assert quick.status_code == slow.status_code
    assert without_date(quick) == without_date(slow)
    assert quick.content == slow.content
    assert b'"data"' in quick.content
    names = {name for name, _ in without_date(quick)}
    assert {"content-type", "x-content-type-options", "referrer-policy", "x-frame-options"} <= names


@pytest.mark.parametrize(("body", "headers"), FALLS_THROUGH)
def test_anything_else_is_answered_by_the_app_unchanged(
    served: tuple[LiveSite, GraphQLFastPath], body: Any, headers: dict[str, str]
) -> None:
    slow, quick, answered = both_ways(served, body, headers)
    assert answered == 0
    assert quick.status_code == slow.status_code
    assert without_date(quick) == without_date(slow)
    assert quick.content == slow.content


def test_the_large_answer_is_compressed_for_gzip_clients_only(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    live, _ = served
    post(live, {"query": LARGE})
    plain = post(live, {"query": LARGE}, {"Accept-Encoding": "identity"})
    packed = post(live, {"query": LARGE}, {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
    assert packed.content == plain.content


SMALL_HASH = hashlib.sha256(SMALL.encode()).hexdigest()
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": SMALL_HASH}}
SEED = {"id": SEED_ARTICLE_ID}

GET_HITS = [
    ({"query": SMALL, "variables": SEED}, {}),
    ({"query": SMALL, "variables": SEED, "operationName": "Small"}, {"Accept": "application/json"}),
    ({"query": SMALL, "variables": SEED}, {"Accept": "application/graphql-response+json"}),
    ({"query": SMALL, "variables": SEED}, {"Accept": "application/graphql-response+json, application/json"}),
    ({"query": SMALL, "variables": SEED}, {"Accept": "*/*"}),
    ({"query": LARGE}, {}),
    ({"query": LARGE}, {"Accept-Encoding": "gzip"}),
    ({"query": LARGE}, {"Accept-Encoding": "gzip", "Accept": "application/graphql-response+json"}),
    # The admin's answer is private (no ETag), as a signed-in caller's.
    ({"query": SMALL, "variables": SEED}, {"X-Hasura-Admin-Secret": "fast-secret"}),
    ({"query": LARGE}, {"X-Hasura-Admin-Secret": "fast-secret", "X-Hasura-Role": "anonymous"}),
    ({"query": SMALL, "variables": SEED}, {"X-Hasura-Role": "admin"}),
    ({"query": SMALL, "variables": SEED}, {"Cookie": "theme=dark"}),
    # Automatic persisted queries: the hash with the query, and the hash alone (registered by then).
    ({"query": SMALL, "variables": SEED, "extensions": PERSISTED}, {}),
    ({"variables": SEED, "extensions": PERSISTED}, {}),
    ({"variables": SEED, "extensions": PERSISTED}, {"Accept": "application/graphql-response+json"}),
    # An ETag that is not the answer's: the whole answer, not a 304.
    ({"query": SMALL, "variables": SEED}, {"If-None-Match": 'W/"0123"'}),
]

GET_FALLS_THROUGH = [
    ({"query": SMALL, "variables": SEED}, {"Accept": "text/html,application/xhtml+xml"}),  # GraphiQL
    ({"query": SMALL}, {}),
    ({"query": SMALL, "variables": "{not json"}, {}),
    (
        {"query": SMALL, "variables": SEED, "extensions": "[1"},
        {"Accept": "application/graphql-response+json"},
    ),
    ({"query": "{ nope }"}, {"Accept": "application/graphql-response+json"}),
    ({}, {}),
    ({"query": "mutation { delete_domain(where: {id: {_eq: -1}}) { affected_rows } }"}, {}),
    ({"variables": SEED, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}, {}),
    ({"query": SMALL, "variables": SEED}, {"X-Hasura-Admin-Secret": "wrong"}),
    ({"query": SMALL, "variables": SEED}, {"Cookie": "qapress_session=not-a-session"}),
]


def register_small(live: LiveSite) -> None:
    """The persisted query of ``SMALL`` stored (a GET of the query with its hash registers it)."""
    answer = get(live, {"query": SMALL, "variables": SEED, "extensions": PERSISTED})
    assert answer.status_code == 200 and b'"data"' in answer.content


@pytest.mark.parametrize(("params", "headers"), GET_HITS)
def test_a_get_plan_cache_hit_gets_every_header_and_byte_the_app_sends(
    served: tuple[LiveSite, GraphQLFastPath], params: dict[str, Any], headers: dict[str, str]
) -> None:
    register_small(served[0])
    slow, quick, answered = both_ways(served, params, headers, ask=get)
    assert answered == 1, "the fast path did not answer the hit"
    assert quick.status_code == slow.status_code == 200
    assert without_date(quick) == without_date(slow)
    assert quick.content == slow.content
    assert b'"data"' in quick.content
    assert "cache-control" in quick.headers


@pytest.mark.parametrize(("params", "headers"), GET_FALLS_THROUGH)
def test_any_other_get_is_answered_by_the_app_unchanged(
    served: tuple[LiveSite, GraphQLFastPath], params: dict[str, Any], headers: dict[str, str]
) -> None:
    slow, quick, answered = both_ways(served, params, headers, ask=get)
    assert answered == 0
    assert quick.status_code == slow.status_code
    assert without_date(quick) == without_date(slow)
    assert quick.content == slow.content


def test_a_get_is_public_and_cacheable_for_anonymous_callers_only(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    live, _ = served
    params = {"query": SMALL, "variables": SEED}
    get(live, params)
    anonymous = get(live, params)
    admin = get(live, params, {"X-Hasura-Admin-Secret": "fast-secret"})
    assert anonymous.headers["cache-control"].startswith("public, max-age=")
    assert anonymous.headers["etag"].startswith('W/"')
    assert admin.headers["cache-control"] == "private, no-store"
    assert "etag" not in admin.headers


@pytest.mark.parametrize("accept", [None, "application/graphql-response+json"])
def test_a_matching_etag_gets_the_same_304_both_ways(
    served: tuple[LiveSite, GraphQLFastPath], accept: str | None
) -> None:
    live, _ = served
    headers = {} if accept is None else {"Accept": accept}
    params = {"query": SMALL, "variables": SEED}
    get(live, params, headers)
    tag = get(live, params, headers).headers["etag"]
    for if_none_match in (tag, f'"other", {tag.removeprefix("W/")}', "*"):
        slow, quick, answered = both_ways(
            served, params, {**headers, "If-None-Match": if_none_match}, ask=get
        )
        assert answered == 1
        assert quick.status_code == slow.status_code == 304
        assert without_date(quick) == without_date(slow)
        assert quick.content == slow.content == b""


def test_the_cache_tags_of_a_get_are_the_endpoints_both_ways(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    """With a cache-tags hook (``CachePolicy(tags=...)``), each answer's own tags, from either path."""
    _live, fast_path = served
    endpoint = fast_path.endpoint
    before = endpoint.cache

    def tags(_plan: object, _variables: object, body: bytes) -> list[str]:
        return ["graphql", f"bytes-{len(body)}"]

    endpoint.cache = CachePolicy(max_age=30, tags=tags)
    try:
        for variables in (SEED, {"id": 1}):
            params = {"query": SMALL, "variables": variables}
            slow, quick, answered = both_ways(served, params, {}, ask=get)
            assert answered == 1
            assert without_date(quick) == without_date(slow)
            assert quick.headers["surrogate-key"] == f"graphql bytes-{len(quick.content)}"
            assert quick.headers["cache-tag"] == f"graphql,bytes-{len(quick.content)}"
            assert quick.headers["cache-control"] == "public, max-age=30"
    finally:
        endpoint.cache = before


def test_a_quick_plan_runs_on_the_loop_after_it_was_measured(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    live, fast_path = served
    query = "query Measured { domain(limit: 1) { id } }"
    for _ in range(12):
        assert b'"data"' in post(live, {"query": query}).content
    plan = only_plan(live, query)
    # The machine is shared: a run may take long now and then, but most of a quick plan's do not.
    runs_on_loop = fast_path.placement.on_loop(plan)
    timing = fast_path.placement._timings[id(plan)]
    assert timing.runs >= 11
    assert not runs_on_loop or timing.mean <= fast_path.placement.loop_max_seconds


def test_a_plan_under_probe_answers_every_request_and_reaches_a_verdict(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    """After a long run on the loop a plan's next runs are probes, one at a time in the threadpool; the
    requests that come meanwhile wait for the verdict, and every one is answered."""
    live, fast_path = served
    query = "query Probed { domain(limit: 1) { id } }"
    assert b'"data"' in post(live, {"query": query}).content
    plan = only_plan(live, query)
    placement = fast_path.placement
    # A bound no real run reaches on a loaded machine (CI's): the one long run is the one told below, so a
    # run on the loop after a quick probe cannot open a second judgement before the test looks.
    bound, noise = placement.loop_max_seconds, placement.noise_seconds
    placement.loop_max_seconds, placement.noise_seconds = 0.5, 1.0
    try:
        for _ in range(WARMUP):
            placement.observe(plan, 0.0001)
        placement.observe(plan, 0.6)  # as if the worker had been descheduled during a run on the loop
        assert placement.probing(plan) and not placement.on_loop(plan)
        answers: list[httpx.Response] = []
        asking = [
            threading.Thread(target=lambda: answers.append(post(live, {"query": query})))
            for _ in range(2 * PROBES)
        ]
        for thread in asking:
            thread.start()
        for thread in asking:
            thread.join(timeout=30)
        assert len(answers) == 2 * PROBES
        assert all(a.status_code == 200 and b'"domain"' in a.content for a in answers)
        assert not placement.probing(plan), "the probes have judged the long run"
        assert not fast_path._probes, "no request is left waiting for a verdict"
    finally:
        placement.loop_max_seconds, placement.noise_seconds = bound, noise


def test_after_a_slow_probe_the_next_probe_runs_alone(served: tuple[LiveSite, GraphQLFastPath]) -> None:
    """A probe that comes back slow leaves the plan under probe: one of the waiting requests is the next
    probe and the others wait for its verdict again, rather than all going to the threadpool at once."""
    live, fast_path = served
    query = "query ProbedAgain { domain(limit: 1) { id } }"
    assert b'"data"' in post(live, {"query": query}).content
    plan = only_plan(live, query)
    placement = fast_path.placement
    gql = fast_path.gql
    bound, noise = placement.loop_max_seconds, placement.noise_seconds
    placement.loop_max_seconds, placement.noise_seconds = 0.5, 1.0
    lock = threading.Lock()
    running = [0]
    crowded: list[int] = []  # runs that started under probe beside another run

    def run(prepared: Any, *args: Any) -> bytes:
        with lock:
            if placement.probing(plan) and running[0]:
                crowded.append(running[0])
            running[0] += 1
        try:
            time.sleep(0.05)  # long enough for the other requests to be waiting meanwhile
            return type(gql).run(gql, prepared, *args)
        finally:
            with lock:
                running[0] -= 1

    try:
        for _ in range(WARMUP):
            placement.observe(plan, 0.0001)
        placement.observe(plan, 0.6)
        assert placement.probing(plan)
        placement.loop_max_seconds = 1e-9  # every probe now comes back slow: each verdict is "probe again"
        gql.run = run  # type: ignore[method-assign]
        answers: list[httpx.Response] = []
        asking = [
            threading.Thread(target=lambda: answers.append(post(live, {"query": query})))
            for _ in range(2 * PROBES)
        ]
        for thread in asking:
            thread.start()
        for thread in asking:
            thread.join(timeout=60)
        assert len(answers) == 2 * PROBES
        assert all(a.status_code == 200 and b'"domain"' in a.content for a in answers)
        assert not crowded, f"runs started beside a probe: {crowded}"
        assert not placement.probing(plan), "the probes, all slow, were believed"
        assert not placement.on_loop(plan) and not fast_path._probes
    finally:
        del gql.run
        placement.loop_max_seconds, placement.noise_seconds = bound, noise


def only_plan(live: LiveSite, query: str) -> object:
    family = live.site.gql.plans.family((query, None, "anonymous"))
    assert family is not None
    (plan,) = family.plans.values()
    return plan


def test_a_slow_plan_waits_in_the_threadpool_while_others_are_answered(
    served: tuple[LiveSite, GraphQLFastPath],
) -> None:
    """A real slow statement: PostgreSQL makes the read wait on a lock another session holds (on SQLite a
    reader never waits on a writer)."""
    live, fast_path = served
    if live.engine.dialect.name != "postgresql":
        pytest.skip("SQLite readers never wait (WAL): the slow statement needs PostgreSQL's locks")
    slow_query = "query Slow($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id } }"
    assert b'"data"' in post(live, {"query": slow_query, "variables": {"id": 1}}).content  # plan cached
    answers: dict[str, httpx.Response] = {}
    with live.engine.connect() as locker:
        locker.exec_driver_sql("BEGIN")
        locker.exec_driver_sql("LOCK TABLE qa_ai IN ACCESS EXCLUSIVE MODE")
        slow = threading.Thread(
            target=lambda: answers.update(slow=post(live, {"query": slow_query, "variables": {"id": 1}}))
        )
        slow.start()
        time.sleep(0.5)  # the slow request is waiting on the lock by now
        started = time.monotonic()
        other = post(live, {"query": DOMAINS})
        waited = time.monotonic() - started
        assert slow.is_alive(), "the slow request should still wait on the lock"
        assert other.status_code == 200 and b'"domain"' in other.content
        # Answered while the slow one waits: the loop was free (the slow one holds a threadpool thread).
        assert waited < 20
        locker.exec_driver_sql("ROLLBACK")
    slow.join(timeout=30)
    assert answers["slow"].status_code == 200 and b'"qa_ai"' in answers["slow"].content
    plan = only_plan(live, slow_query)
    assert not fast_path.placement.on_loop(plan), "a plan measured slow must stay off the loop"
    with live.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM qa_ai")).scalar_one() > 0


@pytest.fixture(scope="module")
def limited(demo_url: str) -> Iterator[LiveSite]:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(demo_url)
    with serve_site(engine, rate_limit_anonymous=4) as site:
        yield site
    engine.dispose()


def test_the_rate_limit_counts_fast_and_slow_answers_alike(limited: LiveSite) -> None:
    """Four a minute for the anonymous role: the first request (a miss) goes the slow way, the next three are
    plan-cache hits answered by the fast path, and the fifth is refused as the endpoint refuses it."""
    app = limited.app
    assert isinstance(app, SiteServer) and app.graphql_fast_path is not None
    watched = Watched(app.graphql_fast_path)
    app.graphql_fast_path = watched  # type: ignore[assignment]
    body = {"query": SMALL, "variables": {"id": SEED_ARTICLE_ID}}
    answers = [post(limited, body) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert watched.answered == 3
    refused = post(limited, body)
    assert watched.answered == 4, "the refusal of a hit is the fast path's too"
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert orjson.loads(refused.content)["errors"][0]["extensions"]["code"] == "rate-limit-exceeded"
    assert refused.headers["x-content-type-options"] == "nosniff"
    app.graphql_fast_path = None
    slow = post(limited, body)
    assert slow.status_code == 429
    assert [n for n, _ in without_date(slow)] == [n for n, _ in without_date(refused)]
    assert (
        orjson.loads(slow.content)["errors"][0]["message"].split(";")[0]
        == orjson.loads(refused.content)["errors"][0]["message"].split(";")[0]
    )
