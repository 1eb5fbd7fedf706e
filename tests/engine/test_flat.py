"""Large answers by flat rows assembled in Python (``engine/flat.py``): the same JSON as the statement that
builds it in the database, for every shape that gets a flat statement, on both databases.

Each query runs enough times for the per-plan choice (``engine/strategy.py``) to take each way several
times (the first run is the database's JSON); every answer must parse to the first one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.strategy import ROUND, TRIALS, StrategyChoice

RUNS = 2 * TRIALS + 2

ARTICLE = "id title slug date faq src_id __typename"
#: (query, variables, role): shapes the flat statement answers.
FLAT = [
    (f"{{ qa_ai(order_by: {{id: asc}}) {{ {ARTICLE} site {{ id host name __typename }} }} }}", None, "admin"),
    (f"{{ qa_ai(order_by: {{id: desc}}) {{ {ARTICLE} site {{ host }} }} }}", None, "anonymous"),
    (
        "{ items: qa_ai(order_by: [{date: desc_nulls_last}, {id: asc}], limit: 7) "
        "{ key: id, t: title, d: date, where: site { h: host } } }",
        None,
        "anonymous",
    ),
    (
        "query Page($limit: Int, $offset: Int) { qa_ai(order_by: {id: desc}, limit: $limit, offset: $offset) "
        "{ id text lead } }",
        {"limit": 3, "offset": 2},
        "anonymous",
    ),
    (
        'query Hosts($like: String!) { qa_ai(where: {site: {host: {_like: $like}}, title: {_neq: ""}}, '
        "order_by: {title: asc, id: asc}) { id title site { host name } } }",
        {"like": "%localhost%"},
        "anonymous",
    ),
    # Objects that are often null, and two levels of them.
    (
        "{ qa_ai(order_by: {id: asc}) { id news_source { id url title date } "
        "grounding { passed report backend article { id site { host } } } } }",
        None,
        "admin",
    ),
    (
        "{ link(order_by: {id: asc}) { id url consent status attempts next_check_at checked_at created_at "
        "article { id title site { name } } } }",
        None,
        "admin",
    ),
    ("{ domain(order_by: {host: desc}) { id host name description language } }", None, "anonymous"),
    ("{ grounding_report(order_by: {article_id: asc}) { article_id passed report } }", None, "admin"),
]

#: Shapes that keep the database's JSON alone.
NOT_FLAT = [
    "{ qa_ai { id title } }",  # no order: the database's scan order stays the answer's
    "{ qa_ai(order_by: {id: asc}) { id links { id } } }",
    "{ domain(order_by: {id: asc}) { id articles_aggregate { aggregate { count } } } }",
    "{ a: qa_ai(order_by: {id: asc}) { id } b: domain(order_by: {id: asc}) { id } }",
    "{ qa_ai_by_pk(id: 1) { id title } }",
    "{ qa_ai(order_by: [{domain: asc}, {id: asc}], distinct_on: [domain]) { id domain } }",
]


@pytest.fixture
def eager(demo: Engine) -> Iterator[GraphQLEngine]:
    """An engine that gives every plan of a flat shape its flat statement, however small its answer."""
    engine = GraphQLEngine(demo, qapress_metadata(), flat_min_cost=0)
    yield engine
    engine.close()


def only_plan(gql: GraphQLEngine, query: str, role: str) -> Any:
    family = gql.plans.family((query, None, role))
    assert family is not None
    (plan,) = family.plans.values()
    return plan


@pytest.mark.parametrize(("query", "variables", "role"), FLAT)
def test_rows_assembled_in_python_answer_what_the_database_json_answers(
    eager: GraphQLEngine, query: str, variables: dict[str, Any] | None, role: str
) -> None:
    answers = [orjson.loads(eager.execute_bytes(query, variables, None, role)) for _ in range(RUNS)]
    assert "data" in answers[0], answers[0]
    for answer in answers[1:]:
        assert answer == answers[0]
    plan = only_plan(eager, query, role)
    assert plan.flat is not None, "this shape should have a flat statement"
    assert plan.flat.choice.measured, "both ways should have run"


def test_the_flat_answers_hold_rows_and_nested_objects(eager: GraphQLEngine) -> None:
    """Not only equal but not empty: the demo's articles with their sites, both ways."""
    query = FLAT[0][0]
    for _ in range(RUNS):
        rows = eager.execute(query, role="admin")["data"]["qa_ai"]
        assert len(rows) > 3
        assert all(row["site"]["host"] and row["__typename"] == "qa_ai" for row in rows)
        assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def test_numeric_types_stringified_are_stringified_both_ways(demo: Engine) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), flat_min_cost=0, stringify_numeric_types=True)
    try:
        query = "{ qa_ai(order_by: {id: asc}) { id version date src_id site { id } } }"
        answers = [gql.execute(query, role="admin") for _ in range(RUNS)]
        assert all(answer == answers[0] for answer in answers)
        assert only_plan(gql, query, "admin").flat.choice.measured
    finally:
        gql.close()


@pytest.mark.parametrize("query", NOT_FLAT)
def test_other_shapes_keep_the_database_json_alone(eager: GraphQLEngine, query: str) -> None:
    assert "data" in eager.execute(query, role="admin")
    assert only_plan(eager, query, "admin").flat is None


def test_small_answers_get_no_flat_statement_by_default(gql: GraphQLEngine) -> None:
    query = "{ domain(order_by: {id: asc}, limit: 2) { id } }"
    assert "data" in gql.execute(query, role="anonymous")
    assert only_plan(gql, query, "anonymous").flat is None


def test_the_answer_cap_holds_for_rows_too(demo: Engine) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), flat_min_cost=0, max_answer_bytes=200)
    try:
        query = "{ qa_ai(order_by: {id: asc}) { id title text } }"
        for _ in range(RUNS):
            errors = gql.execute(query, role="admin")["errors"]
            assert "200" in errors[0]["message"], errors
        assert only_plan(gql, query, "admin").flat.choice.measured
    finally:
        gql.close()


# --- the choice, pure ------------------------------------------------------------------------------------
def drive(choice: StrategyChoice, json_seconds: float, rows_seconds: float, runs: int) -> list[bool]:
    ways = []
    for _ in range(runs):
        rows = choice.rows_next()
        ways.append(rows)
        choice.observe(rows, rows_seconds if rows else json_seconds)
    return ways


def test_the_first_run_is_the_database_json_and_the_ways_alternate_while_measured() -> None:
    ways = drive(StrategyChoice(), 1.0, 2.0, 2 * TRIALS)
    assert ways == [False, True] * TRIALS


@pytest.mark.parametrize(("json_seconds", "rows_seconds", "rows_win"), [(1.0, 2.0, False), (3.0, 1.0, True)])
def test_the_faster_way_runs_once_both_are_measured(
    json_seconds: float, rows_seconds: float, rows_win: bool
) -> None:
    choice = StrategyChoice()
    drive(choice, json_seconds, rows_seconds, 2 * TRIALS)
    assert drive(choice, json_seconds, rows_seconds, 20) == [rows_win] * 20


def test_the_best_time_decides_not_one_slow_run() -> None:
    choice = StrategyChoice()
    times = iter([1.0, 5.0, 1.0, 0.5, 9.0, 0.6])  # json, rows, json, rows, ...: rows' best is the best
    for _ in range(2 * TRIALS):
        rows = choice.rows_next()
        choice.observe(rows, next(times))
    assert choice.rows_faster


def test_both_ways_are_measured_again_every_round() -> None:
    choice = StrategyChoice()
    drive(choice, 3.0, 1.0, ROUND - 1)
    assert choice.rows_faster
    # The database's JSON has become the faster way: the next round finds it.
    ways = drive(choice, 1.0, 3.0, 2 * TRIALS + 5)
    assert ways[: 2 * TRIALS] == [False, True] * TRIALS
    assert ways[2 * TRIALS :] == [False] * 5


def test_rows_and_objects_hidden_from_the_role_stay_hidden_both_ways(
    eager: GraphQLEngine, demo: Engine
) -> None:
    """A draft article (the anonymous role reads published ones only) and links that are not live (a reader
    sees their own pending ones, by the session's hashed address): the flat statement's filters are the
    JSON statement's, its session parameters bound alike."""
    with demo.begin() as connection:
        first, second = connection.execute(sa.text("SELECT id FROM qa_ai ORDER BY id LIMIT 2")).scalars()
        connection.execute(sa.text("UPDATE qa_ai SET status = 'draft' WHERE id = :id"), {"id": first})
        for number, (article, status, ip_hash) in enumerate(
            [
                (first, "live", None),
                (second, "live", None),
                (second, "pending", "mine"),
                (first, "pending", "x"),
            ]
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO link (article_id, url, url_key, status, ip_hash) "
                    "VALUES (:article, :url, :url, :status, :ip_hash)"
                ),
                {
                    "article": article,
                    "url": f"https://flat-{number}.example/",
                    "status": status,
                    "ip_hash": ip_hash,
                },
            )
    session = {"x-hasura-ip-hash": "mine"}
    articles = "{ qa_ai(order_by: {id: asc}) { id title } }"
    links = '{ link(where: {url: {_like: "%flat-%"}}, order_by: {id: asc}) { url status article { id } } }'
    for query in (articles, links):
        answers = [eager.execute(query, role="anonymous", session=session) for _ in range(RUNS)]
        assert all(answer == answers[0] for answer in answers), answers
        assert only_plan(eager, query, "anonymous").flat.choice.measured
        if query is articles:
            assert first not in {row["id"] for row in answers[0]["data"]["qa_ai"]}
        else:
            assert answers[0]["data"]["link"] == [
                {"url": "https://flat-0.example/", "status": "live", "article": None},
                {"url": "https://flat-1.example/", "status": "live", "article": {"id": second}},
                {"url": "https://flat-2.example/", "status": "pending", "article": {"id": second}},
            ]


def test_dates_python_cannot_hold_are_answered_as_the_database_writes_them(
    eager: GraphQLEngine, demo: Engine
) -> None:
    """PostgreSQL's ``infinity`` and BC dates have no ``datetime.date``: such a request falls back to the JSON
    statement, and its answer is the database's; the others are the same either way."""
    dates = ["infinity", "-infinity", "0044-03-15 BC", "0044-03-15", "9999-12-31"]
    with demo.begin() as connection:
        domain = connection.execute(sa.text("SELECT min(id) FROM domain")).scalar_one()
        for number, date in enumerate(dates):
            connection.execute(
                sa.text("INSERT INTO qa_ai (domain, title, date) VALUES (:domain, :title, :date)"),
                {"domain": domain, "title": f"flat date {number}", "date": date},
            )
    query = '{ qa_ai(where: {title: {_like: "flat date %"}}, order_by: {id: asc}) { title date } }'
    answers = [eager.execute(query, role="admin") for _ in range(RUNS)]
    assert all(answer == answers[0] for answer in answers), answers
    assert [row["date"] for row in answers[0]["data"]["qa_ai"]] == dates
    assert only_plan(eager, query, "admin").flat.choice.measured
    # Without the date that Python cannot hold, the rows way answers it itself, with the same dates.
    plain = (
        '{ qa_ai(where: {title: {_in: ["flat date 3", "flat date 4"]}}, order_by: {id: asc}) { title date } }'
    )
    answers = [eager.execute(plain, role="admin") for _ in range(RUNS)]
    assert all(answer == answers[0] for answer in answers)
    assert [row["date"] for row in answers[0]["data"]["qa_ai"]] == ["0044-03-15", "9999-12-31"]
