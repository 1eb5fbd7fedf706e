"""A request's cost bounded before it runs, and its answer's bytes capped while it is built (both databases).

The estimate multiplies rows through nested lists and counts columns by their declared sizes; each role has a
budget (anonymous by default, admin unbounded); a batch is summed and refused whole before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.catalog import declared_length
from qapress.engine.cost import CostBudgets, CostModel
from qapress.engine.http import graphql_routes
from qapress.links.graphql import link_insert_hook
from qapress.settings import Settings
from qapress.site.queries import PAGE_SESSION
from qapress.store.schema import domain, qa_ai

from .test_http import LiveServer

SITE_QUERIES = resources.files("qapress.site").joinpath("templates")
#: Variables for every page query the site sends (each takes the ones it declares).
PAGE_VARIABLES: dict[str, Any] = {
    "id": 6646098,
    "domain": 7,
    "srcId": 6646097,
    "hasSrc": True,
    "hasSelf": True,
    "limit": 21,
    "offset": 0,
    "query": "heat mann",
    "since": "2026-01-01",
    "first": True,
}
#: The roles the site runs its page queries as (qapress.site.queries).
PAGE_ROLES = {
    "article_status": "admin",
    "sitemap_index": "admin",
    "sitemap_page": "admin",
    "news_sitemap": "admin",
}


def nested_lists(levels: int) -> str:
    """domain -> articles -> site -> articles ... with the articles' text at the bottom: the audit's query."""
    inner = "id title text"
    for level in range(levels):
        inner = f"id articles {{ {inner} }}" if level % 2 == 0 else f"id site {{ {inner} }}"
    return f"{{ domain {{ {inner} }} }}"


#: Drafts added to every demo site for these tests: budgets and byte caps are about volume, and the demo's
#: own network (about a hundred articles) is smaller than the anonymous row limit.
EXTRA_DRAFTS_PER_SITE = 10


@pytest.fixture
def demo(demo: Engine) -> Engine:
    """The demo network with ``EXTRA_DRAFTS_PER_SITE`` more articles of about 1 KB on each site (drafts: no
    page shows them), with the lowest ids, so that a list ordered by id starts with them."""
    with demo.begin() as connection:
        sites = connection.execute(sa.select(domain.c.id).order_by(domain.c.id)).scalars().all()
        rows = [
            {"domain": site, "title": f"Volume draft {n}", "text": f"Paragraph {n}. " * 70, "status": "draft"}
            for site in sites
            for n in range(EXTRA_DRAFTS_PER_SITE)
        ]
        connection.execute(qa_ai.insert(), [{"id": i + 1, **row} for i, row in enumerate(rows)])
    return demo


def error_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in answer, answer
    (error,) = answer["errors"]
    return error  # type: ignore[no-any-return]


def cost(gql: GraphQLEngine, query: str, role: str = "anonymous", variables: Any = None) -> int:
    prepared = gql.prepare(query, variables, None, role)
    assert prepared.answer is None, prepared.answer
    return prepared.cost


def test_the_seed_query_and_every_site_page_query_run_within_the_default_budgets(
    demo: Engine, seed: tuple[str, dict[str, Any]]
) -> None:
    gql = GraphQLEngine.from_settings(demo, qapress_metadata(), Settings())
    try:
        query, variables = seed
        assert cost(gql, query, variables=variables) <= gql.budgets.anonymous  # type: ignore[operator]
        assert "data" in gql.execute(query, variables, role="anonymous")
        pages = sorted(SITE_QUERIES.iterdir(), key=lambda p: p.name)
        assert len([p for p in pages if p.name.endswith(".graphql")]) >= 6
        for page in pages:
            if not page.name.endswith(".graphql"):
                continue
            text = page.read_text(encoding="utf-8")
            declared = set(re.findall(r"\$(\w+):", text))
            page_variables = {k: v for k, v in PAGE_VARIABLES.items() if k in declared}
            role = PAGE_ROLES.get(page.name.removesuffix(".graphql"), "anonymous")
            answer = gql.execute(text, page_variables, role=role, session=PAGE_SESSION)
            assert "data" in answer, (page.name, answer)
            if role == "anonymous":
                assert cost(gql, text, variables=page_variables) <= gql.budgets.anonymous  # type: ignore[operator]
    finally:
        gql.close()


def test_the_audits_nested_query_is_refused_before_it_runs_naming_the_budget(gql: GraphQLEngine) -> None:
    query = nested_lists(5)
    estimate = cost(gql, query)
    answer = gql.execute(query, role="anonymous")
    error = error_of(answer)
    assert error["extensions"] == {"path": "$", "code": "validation-failed"}
    assert f"{estimate:,}" in error["message"]
    assert f"{gql.budgets.anonymous:,}" in error["message"]
    assert "QAPRESS_MAX_COST_ANONYMOUS" in error["message"]
    # Admin has no budget by default: the same query runs, and only the answer's byte cap (32 MB) stops it.
    assert "QAPRESS_MAX_ANSWER_BYTES" in error_of(gql.execute(query, role="admin"))["message"]


def test_rows_multiply_through_nested_lists(gql: GraphQLEngine) -> None:
    def nested(outer: int, inner: int) -> int:
        return cost(gql, f"{{ domain(limit: {outer}) {{ id articles(limit: {inner}) {{ id }} }} }}")

    # Three more articles under each of four domains cost twice three more under each of two.
    assert nested(4, 6) - nested(4, 3) == 2 * (nested(2, 6) - nested(2, 3)) > 0
    assert nested(4, 3) > nested(2, 3)
    # One level more multiplies again by the inner list's rows.
    two = cost(gql, "{ domain(limit: 2) { articles(limit: 5) { site { articles(limit: 5) { id } } } } }")
    one = cost(gql, "{ domain(limit: 2) { articles(limit: 5) { id } } }")
    assert two > 4 * one


def test_a_list_counts_the_fewest_rows_it_can_return(gql: GraphQLEngine) -> None:
    """The query's limit, the role's row limit, the table's size: whichever is smallest."""
    one_row = cost(gql, "{ qa_ai(limit: 1) { id } }", role="admin")
    ten_rows = cost(gql, "{ qa_ai(limit: 10) { id } }", role="admin")
    per_row = (ten_rows - one_row) / 9
    articles = gql.table_rows[("public", "qa_ai")]
    assert articles > 100
    unbounded_admin = cost(gql, "{ qa_ai { id } }", role="admin")
    assert unbounded_admin == pytest.approx(one_row + per_row * (articles - 1), rel=0.01)
    # The anonymous role's row limit (100) is smaller than the table.
    capped = cost(gql, "{ qa_ai { id } }")
    assert capped == pytest.approx(one_row + per_row * 99, rel=0.01)
    # The table's size bounds a list whatever limit the query asks for.
    assert cost(gql, "{ domain(limit: 1000) { id } }", role="admin") == cost(
        gql, "{ domain { id } }", role="admin"
    )


def test_text_columns_count_more_than_numbers(gql: GraphQLEngine) -> None:
    numbers = cost(gql, "{ qa_ai(limit: 10) { id domain } }")
    text = cost(gql, "{ qa_ai(limit: 10) { id text } }")
    assert text > 10 * numbers
    # A declared length is what a character column counts.
    assert declared_length("VARCHAR(200)") == 200
    assert declared_length("character varying(32)") == 32
    assert declared_length("TEXT") is None
    assert declared_length("numeric(10,2)") is None


def test_a_list_bounded_by_nothing_counts_the_configured_default(demo: Engine) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), cost_model=CostModel(default_rows=7, text_bytes=50))
    try:
        gql.table_rows = {}  # as for a table that cannot be counted
        one = cost(gql, "{ qa_ai(limit: 1) { text } }", role="admin")
        two = cost(gql, "{ qa_ai(limit: 2) { text } }", role="admin")
        seven = cost(gql, "{ qa_ai { text } }", role="admin")
        assert seven - one == 6 * (two - one)
        assert two - one < 100  # text_bytes=50 for the text
    finally:
        gql.close()


def test_a_cache_hit_keeps_its_estimate_and_is_refused_without_compiling(gql: GraphQLEngine) -> None:
    query = nested_lists(5)
    first = gql.execute(query, role="anonymous")
    compiles = gql.stats.compiles
    again = gql.execute(query, role="anonymous")
    assert again == first
    assert gql.stats.compiles == compiles
    assert gql.stats.plan_hits >= 1


def test_budgets_per_role(demo: Engine) -> None:
    budgets = CostBudgets(anonymous=None, admin=1_000, default=2_000, roles={"editor": 50})
    assert budgets.budget("anonymous") is None
    assert budgets.budget("admin") == 1_000
    assert budgets.budget("user") == 2_000
    assert budgets.budget("editor") == 50
    gql = GraphQLEngine(demo, qapress_metadata(), budgets=budgets)
    try:
        refused = error_of(gql.execute("{ qa_ai { id title } }", role="admin"))
        assert "QAPRESS_MAX_COST_ADMIN" in refused["message"]
        assert "data" in gql.execute("{ qa_ai(limit: 2) { id } }", role="admin")
        assert "data" in gql.execute(nested_lists(3), role="anonymous")
    finally:
        gql.close()


def test_settings_make_the_budgets(demo: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPRESS_MAX_COST_ANONYMOUS", "500")
    monkeypatch.setenv("QAPRESS_MAX_COST_ROLES", '{"user": 9}')
    monkeypatch.setenv("QAPRESS_MAX_ANSWER_BYTES", "12345")
    settings = Settings()
    gql = GraphQLEngine.from_settings(demo, qapress_metadata(), settings)
    try:
        assert gql.budgets.budget("anonymous") == 500
        assert gql.budgets.budget("user") == 9
        assert gql.budgets.budget("admin") is None
        assert gql.max_answer_bytes == 12345
        assert (
            "500" in error_of(gql.execute("{ qa_ai(limit: 10) { id title } }", role="anonymous"))["message"]
        )
    finally:
        gql.close()


# --- the byte caps ----------------------------------------------------------------------------------------
def test_an_answer_over_the_byte_cap_is_stopped_with_an_error(demo: Engine) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), max_answer_bytes=20_000)
    try:
        error = error_of(gql.execute("{ qa_ai { id text } }", role="admin"))
        assert error["extensions"] == {"path": "$", "code": "bad-request"}
        assert "20,000" in error["message"] and "QAPRESS_MAX_ANSWER_BYTES" in error["message"]
        small = gql.execute("{ qa_ai(limit: 2, order_by: {id: asc}) { id } }", role="admin")
        with demo.connect() as connection:
            first_two = (
                connection.execute(sa.select(qa_ai.c.id).order_by(qa_ai.c.id).limit(2)).scalars().all()
            )
        assert small == {"data": {"qa_ai": [{"id": first_two[0]}, {"id": first_two[1]}]}}
        # Just under and just over the cap, measured on the real answer. (The rows' text is selected: on
        # SQLite the cap is SQLite's length limit, which a stored row larger than the cap trips even when
        # the answer is smaller; real caps are megabytes, rows kilobytes.)
        full = GraphQLEngine(demo, qapress_metadata(), max_answer_bytes=None)
        try:
            exact = full.execute_bytes(
                "{ qa_ai(limit: 3, order_by: {id: asc}) { id title text } }", role="admin"
            )
        finally:
            full.close()
        for cap, fits in ((len(exact), True), (len(exact) - 1, False)):
            gql.max_answer_bytes = cap
            answer = gql.execute_bytes(
                "{ qa_ai(limit: 3, order_by: {id: asc}) { id title text } }", role="admin"
            )
            assert (answer == exact) is fits, (cap, answer[:200])
    finally:
        gql.close()


@pytest.fixture
def capped_server(demo: Engine) -> Iterator[tuple[httpx.Client, GraphQLEngine]]:
    gql = GraphQLEngine(
        demo,
        qapress_metadata(),
        max_answer_bytes=1_000_000,
        max_batch_bytes=30_000,
        budgets=CostBudgets(anonymous=10_000_000, admin=2_000_000),
    )
    with LiveServer(Starlette(routes=graphql_routes(gql, open_role="admin"))) as client:
        yield client, gql
    gql.close()


def test_a_batch_over_its_byte_cap_answers_errors_for_what_does_not_fit(
    capped_server: tuple[httpx.Client, GraphQLEngine],
) -> None:
    client, _gql = capped_server
    item = {"query": "query Q($o: Int!) { qa_ai(limit: 5, offset: $o, order_by: {id: asc}) { id text } }"}
    one = client.post("/v1/graphql", json={**item, "variables": {"o": 0}}).content
    assert b'"data"' in one and 1_000 < len(one) < 10_000
    batch = [{**item, "variables": {"o": 5 * i}} for i in range(12)]
    response = client.post("/v1/graphql", json=batch)
    assert response.status_code == 200
    answers = response.json()
    assert len(answers) == 12
    fitted = [a for a in answers if "data" in a]
    stopped = [a for a in answers if "errors" in a]
    assert fitted and stopped
    assert answers.index(stopped[0]) == len(fitted) or "data" in answers[-1]  # errors once the cap is near
    assert len(response.content) <= 30_000 + 12 * 400
    message = stopped[0]["errors"][0]["message"]
    assert "30,000" in message and "QAPRESS_MAX_BATCH_BYTES" in message


def test_a_batch_over_the_budget_is_refused_whole_before_anything_runs(
    capped_server: tuple[httpx.Client, GraphQLEngine],
) -> None:
    client, gql = capped_server
    insert = {
        "query": 'mutation { insert_domain_one(object: {id: 99, host: "x.localhost", name: "X"}) { id } }'
    }
    big = {"query": "{ qa_ai { id text title lead faq outro } }"}
    assert cost(gql, big["query"], role="admin") < 2_000_000 < 3 * cost(gql, big["query"], role="admin")
    response = client.post("/v1/graphql", json=[insert, big, big, big])
    assert response.status_code == 200
    error = error_of(response.json())
    assert error["extensions"]["code"] == "validation-failed"
    assert "batch" in error["message"] and "2,000,000" in error["message"]
    with gql.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM domain WHERE id = 99")).scalar() == 0
    # Within the budget the batch runs in order: the mutation first, then the query sees its row.
    check = {"query": "{ domain_by_pk(id: 99) { host } }"}
    answers = client.post("/v1/graphql", json=[insert, check]).json()
    assert answers[1] == {"data": {"domain_by_pk": {"host": "x.localhost"}}}


def test_a_batch_streams_as_one_json_array(capped_server: tuple[httpx.Client, GraphQLEngine]) -> None:
    client, _gql = capped_server
    batch = [{"query": "{ domain_by_pk(id: 1) { id } }"}, "not an object", {"query": "{ nope }"}]
    response = client.post("/v1/graphql", json=batch)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    first, second, third = response.json()
    assert first == {"data": {"domain_by_pk": {"id": 1}}}
    assert second["errors"][0]["extensions"]["code"] == "parse-failed"
    assert third["errors"][0]["extensions"]["code"] == "validation-failed"


def test_introspection_beside_table_fields_does_not_escape_the_budget(gql: GraphQLEngine) -> None:
    query = nested_lists(5).replace("{ domain", "{ __schema { queryType { name } } domain", 1)
    error = error_of(gql.execute(query, role="anonymous"))
    assert "QAPRESS_MAX_COST_ANONYMOUS" in error["message"]
    # Introspection alone, and beside a small list, still answers.
    small = gql.execute("{ __schema { queryType { name } } domain(limit: 1) { id } }", role="anonymous")
    assert small["data"]["__schema"] == {"queryType": {"name": "query_root"}}


def test_a_mutation_returning_nested_lists_is_refused_before_it_writes(demo: Engine) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), insert_hooks={"link": link_insert_hook()})
    try:
        check_mutation_budget(gql)
    finally:
        gql.close()


def check_mutation_budget(gql: GraphQLEngine) -> None:
    nested = "site { articles { site { articles { site { articles { text } } } } } }"
    mutation = (
        'mutation { insert_link_one(object: {article_id: 6646098, url: "https://www.wikipedia.org/heat", consent: true}) '
        f"{{ id article {{ {nested} }} }} }}"
    )
    session = {"x-hasura-ip-hash": "ab" * 16}
    error = error_of(gql.execute(mutation, role="anonymous", session=session))
    assert "QAPRESS_MAX_COST_ANONYMOUS" in error["message"]
    with gql.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM link")).scalar() == 0
    # The same insert returning only its id runs.
    plain = 'mutation { insert_link_one(object: {article_id: 6646098, url: "https://www.wikipedia.org/heat", consent: true}) { id } }'
    assert "id" in gql.execute(plain, role="anonymous", session=session)["data"]["insert_link_one"]
