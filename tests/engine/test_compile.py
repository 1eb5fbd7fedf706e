"""Each query feature, answered by the database on SQLite and PostgreSQL alike (data: ``engine_rows.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata
from qapress.store.schema import link

from .hasura_db import data as hasura_data
from .hasura_db import engine_for, run_ddl


def data(gql: GraphQLEngine, query: str, variables: dict[str, Any] | None = None) -> Any:
    result = gql.execute(query, variables)
    assert "errors" not in result, result
    return result["data"]


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("{id: {_eq: 2}}", [2]),
        ("{id: {_neq: 2}}", [1, 3, 4, 5, 6]),
        ("{id: {_gt: 4}}", [5, 6]),
        ("{id: {_gte: 4}}", [4, 5, 6]),
        ("{id: {_lt: 2}}", [1]),
        ("{id: {_lte: 2}}", [1, 2]),
        ("{id: {_in: [1, 3, 99]}}", [1, 3]),
        ("{id: {_nin: [1, 3]}}", [2, 4, 5, 6]),
        ("{id: {_in: []}}", []),
        ("{date: {_is_null: true}}", [2]),
        ("{date: {_is_null: false}}", [1, 3, 4, 5, 6]),
        ('{title: {_like: "Apple%"}}', [1]),
        ('{title: {_like: "%\\\\_tart%"}}', [3]),
        ('{title: {_like: "%100\\\\%"}}', [3]),
        ('{title: {_nlike: "%a%"}}', [1, 5]),
        ('{title: {_ilike: "apple%"}}', [1, 6]),
        ('{title: {_nilike: "APPLE%"}}', [2, 3, 4, 5]),
        ('{date: {_eq: "2024-01-05"}}', [1, 6]),
        ('{date: {_gt: "2024-01-05"}}', [4]),
        ('{status: {_eq: "published"}, domain: {_eq: 1}}', [1, 2, 6]),
        ("{_and: [{domain: {_eq: 1}}, {id: {_gt: 1}}]}", [2, 6]),
        ("{_or: [{domain: {_eq: 3}}, {id: {_eq: 1}}]}", [1, 5]),
        ("{_not: {domain: {_eq: 1}}}", [3, 4, 5]),
        ("{_and: []}", [1, 2, 3, 4, 5, 6]),
        ("{_or: []}", []),
        ("{}", [1, 2, 3, 4, 5, 6]),
        ('{site: {name: {_eq: "Beta"}}}', [3, 4]),
        ('{links: {status: {_eq: "live"}}}', [1, 3, 4]),
        ("{_not: {links: {}}}", [2, 5, 6]),
        ('{links: {url: {_like: "%z.example%"}}, site: {language: {_eq: "de"}}}', [4]),
    ],
)
def test_where_operators(small: GraphQLEngine, where: str, expected: list[int]) -> None:
    rows = data(small, f"{{ qa_ai(where: {where}, order_by: {{id: asc}}) {{ id }} }}")["qa_ai"]
    assert ids(rows) == expected


def test_where_with_variables_binds_values(small: GraphQLEngine) -> None:
    query = "query($ids: [Int!], $t: String) { qa_ai(where: {id: {_in: $ids}, title: {_ilike: $t}}) { id } }"
    assert ids(data(small, query, {"ids": [1, 2, 6], "t": "%apple%"})["qa_ai"]) == [1, 6]
    assert ids(data(small, query, {"ids": [2], "t": "%"})["qa_ai"]) == [2]


def test_where_as_one_variable(small: GraphQLEngine) -> None:
    query = "query($w: qa_ai_bool_exp) { qa_ai(where: $w, order_by: {id: asc}) { id } }"
    assert ids(data(small, query, {"w": {"domain": {"_eq": 2}}})["qa_ai"]) == [3, 4]
    assert ids(data(small, query, {"w": {"id": {"_gt": 4}}})["qa_ai"]) == [5, 6]
    assert ids(data(small, query, {})["qa_ai"]) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("{id: desc}", [6, 5, 4, 3, 2, 1]),
        ("[{date: asc}, {id: asc}]", [5, 3, 1, 6, 4, 2]),
        ("[{date: asc_nulls_first}, {id: asc}]", [2, 5, 3, 1, 6, 4]),
        ("[{date: desc}, {id: asc}]", [2, 4, 1, 6, 3, 5]),
        ("[{date: desc_nulls_last}, {id: asc}]", [4, 1, 6, 3, 5, 2]),
        ("[{domain: desc}, {id: asc}]", [5, 3, 4, 1, 2, 6]),
        ("[{date: desc_nulls_last}, {id: desc}]", [4, 6, 1, 3, 5, 2]),
        ("[{site: {name: desc}}, {id: asc}]", [5, 3, 4, 1, 2, 6]),
        ("[{links_aggregate: {count: desc}}, {id: asc}]", [1, 3, 4, 2, 5, 6]),
        ("[{links_aggregate: {max: {attempts: asc_nulls_last}}}, {id: asc}]", [4, 1, 3, 2, 5, 6]),
    ],
)
def test_order_by(small: GraphQLEngine, order_by: str, expected: list[int]) -> None:
    assert ids(data(small, f"{{ qa_ai(order_by: {order_by}) {{ id }} }}")["qa_ai"]) == expected


def test_limit_and_offset(small: GraphQLEngine) -> None:
    query = "query($l: Int, $o: Int) { qa_ai(order_by: {id: asc}, limit: $l, offset: $o) { id } }"
    assert ids(data(small, query, {"l": 2, "o": 1})["qa_ai"]) == [2, 3]
    assert ids(data(small, query, {"l": None, "o": 4})["qa_ai"]) == [5, 6]
    assert ids(data(small, query, {"l": 0})["qa_ai"]) == []
    assert ids(data(small, "{ qa_ai(order_by: {id: desc}, limit: 2, offset: 1) { id } }")["qa_ai"]) == [5, 4]


def test_a_limit_of_zero_is_an_empty_list_with_or_without_an_order(small: GraphQLEngine) -> None:
    # A list is a list of no rows, never null (GraphQL: the field's type is a non-null list).
    assert data(small, "{ qa_ai(limit: 0) { id } }") == {"qa_ai": []}
    assert data(small, "{ qa_ai(limit: 0, offset: 0) { id } domain(limit: 0) { host } }") == {
        "qa_ai": [],
        "domain": [],
    }


def test_offset_as_a_string_of_digits(small: GraphQLEngine) -> None:
    # Hasura parses offset as a 64-bit integer that may come as a string; limit stays a plain Int.
    assert ids(data(small, '{ qa_ai(order_by: {id: asc}, offset: "4") { id } }')["qa_ai"]) == [5, 6]
    for query in ('{ qa_ai(offset: "four") { id } }', '{ qa_ai(limit: "2") { id } }'):
        error = small.execute(query)["errors"][0]
        assert error["message"].endswith("but found a string"), error


def test_distinct_on(small: GraphQLEngine) -> None:
    query = "{ qa_ai(distinct_on: [domain], order_by: [{domain: asc}, {id: desc}]) { id domain } }"
    assert data(small, query)["qa_ai"] == [
        {"id": 6, "domain": 1},
        {"id": 4, "domain": 2},
        {"id": 5, "domain": 3},
    ]
    bad = small.execute("{ qa_ai(distinct_on: [domain], order_by: {id: asc}) { id } }")
    assert bad["errors"][0]["message"] == '"distinct_on" columns must match initial "order_by" columns'


def test_by_pk(small: GraphQLEngine) -> None:
    assert data(small, "{ qa_ai_by_pk(id: 4) { id title } }") == {
        "qa_ai_by_pk": {"id": 4, "title": "Date loaf"}
    }
    assert data(small, "{ qa_ai_by_pk(id: 404) { id } }") == {"qa_ai_by_pk": None}
    query = "query($id: Int!) { qa_ai_by_pk(id: $id) { id } }"
    assert data(small, query, {"id": 2}) == {"qa_ai_by_pk": {"id": 2}}


def test_aliases_keep_selection_order(small: GraphQLEngine) -> None:
    result = small.execute_bytes("{ b: qa_ai_by_pk(id: 1) { z: id a: title } a: domain(limit: 1) { host } }")
    text = result.decode().replace(" ", "")
    assert text.index('"b"') < text.index('"a":[')
    assert text.index('"z"') < text.index('"a":"Apple')


def test_value_rendering_is_the_same_on_both_databases(small: GraphQLEngine) -> None:
    row = data(small, "{ link_by_pk(id: 3) { consent attempts } qa_ai_by_pk(id: 1) { faq date src_id } }")
    assert row["link_by_pk"] == {"consent": False, "attempts": 1}
    assert row["qa_ai_by_pk"] == {
        "faq": [{"question": "Why?", "answer": "Because."}],
        "date": "2024-01-05",
        "src_id": None,
    }
    assert data(small, "{ link(where: {consent: {_eq: true}}, order_by: {id: asc}) { id } }")["link"] == [
        {"id": 1},
        {"id": 2},
        {"id": 4},
        {"id": 5},
    ]


def test_nested_relationships_with_their_own_arguments(small: GraphQLEngine) -> None:
    query = """{
      domain(where: {id: {_lte: 2}}, order_by: {id: asc}) {
        name
        articles(where: {status: {_eq: "published"}}, order_by: {id: desc}, limit: 2) {
          id
          links(order_by: {id: asc}, offset: 1) { id article { id site { host } } }
        }
      }
    }"""
    assert data(small, query)["domain"] == [
        {
            "name": "Alpha",
            "articles": [
                {"id": 6, "links": []},
                {"id": 2, "links": []},
            ],
        },
        {"name": "Beta", "articles": [{"id": 4, "links": []}]},
    ]
    nested = data(
        small,
        "{ qa_ai_by_pk(id: 1) { links(order_by: {id: asc}, offset: 1) { id article { site { host } } } } }",
    )
    assert nested["qa_ai_by_pk"]["links"] == [
        {"id": 2, "article": {"site": {"host": "a.localhost"}}},
        {"id": 5, "article": {"site": {"host": "a.localhost"}}},
    ]


def test_aggregates(small: GraphQLEngine) -> None:
    query = """{
      link_aggregate(where: {article_id: {_eq: 1}}) {
        aggregate {
          count
          distinct_status: count(columns: [status], distinct: true)
          sum { attempts } avg { attempts } max { attempts url } min { attempts }
          var_samp { attempts }
        }
        nodes { id }
      }
    }"""
    got = data(small, query)["link_aggregate"]
    aggregate = got["aggregate"]
    assert aggregate["count"] == 3
    assert aggregate["distinct_status"] == 2
    assert aggregate["sum"] == {"attempts": 5}
    assert aggregate["avg"]["attempts"] == pytest.approx(5 / 3)
    assert aggregate["max"] == {"attempts": 3, "url": "https://y.example/2"}
    assert aggregate["min"] == {"attempts": 0}
    assert aggregate["var_samp"]["attempts"] == pytest.approx(7 / 3)
    assert sorted(ids(got["nodes"])) == [1, 2, 5]


def test_nested_aggregate_and_typename(small: GraphQLEngine) -> None:
    query = """{
      __typename
      qa_ai(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) {
        __typename id
        links_aggregate(where: {status: {_eq: "live"}}) { __typename aggregate { count } }
      }
    }"""
    assert data(small, query) == {
        "__typename": "query_root",
        "qa_ai": [
            {
                "__typename": "qa_ai",
                "id": 1,
                "links_aggregate": {"__typename": "link_aggregate", "aggregate": {"count": 2}},
            },
            {
                "__typename": "qa_ai",
                "id": 2,
                "links_aggregate": {"__typename": "link_aggregate", "aggregate": {"count": 0}},
            },
        ],
    }


def test_fragments_and_directives(small: GraphQLEngine) -> None:
    query = """
      query($withTitle: Boolean!, $skipSite: Boolean = false) {
        qa_ai(where: {id: {_eq: 1}}) { ...Fields ... on qa_ai { site @skip(if: $skipSite) { name } } }
      }
      fragment Fields on qa_ai { id title @include(if: $withTitle) }
    """
    assert data(small, query, {"withTitle": True})["qa_ai"] == [
        {"id": 1, "title": "Apple pie", "site": {"name": "Alpha"}}
    ]
    assert data(small, query, {"withTitle": False, "skipSite": True})["qa_ai"] == [{"id": 1}]


def test_introspection_beside_table_fields(small: GraphQLEngine) -> None:
    result = data(small, '{ __type(name: "qa_ai_bool_exp") { name } qa_ai_by_pk(id: 1) { id } }')
    assert result == {"__type": {"name": "qa_ai_bool_exp"}, "qa_ai_by_pk": {"id": 1}}


def test_stringify_numeric_types(small: GraphQLEngine) -> None:
    """bigint and numeric columns, and aggregates over them, become JSON strings; Int stays a number."""
    with small.engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE counter (id INTEGER PRIMARY KEY, hits BIGINT, rate NUMERIC)")
        )
        connection.execute(sa.text("INSERT INTO counter VALUES (1, 9007199254740993, 1.5), (2, 7, 2.5)"))
    meta = Metadata.from_hasura([{"table": "counter"}])
    plain = GraphQLEngine(small.engine, meta)
    strings = GraphQLEngine(small.engine, meta, stringify_numeric_types=True)
    query = """{ counter(order_by: {id: asc}) { id hits }
                 counter_aggregate { aggregate { sum { id hits rate } max { hits } avg { rate } } } }"""
    try:
        assert data(plain, query)["counter"] == [{"id": 1, "hits": 9007199254740993}, {"id": 2, "hits": 7}]
        result = data(strings, query)
        assert result["counter"] == [{"id": 1, "hits": "9007199254740993"}, {"id": 2, "hits": "7"}]
        aggregate = result["counter_aggregate"]["aggregate"]
        assert aggregate["sum"]["id"] == 3
        assert aggregate["sum"]["hits"] == "9007199254741000"
        assert aggregate["max"] == {"hits": "9007199254740993"}
        assert float(aggregate["sum"]["rate"]) == 4.0
        assert float(aggregate["avg"]["rate"]) == 2.0
    finally:
        plain.close()
        strings.close()
        with small.engine.begin() as connection:  # the PostgreSQL store is shared by the whole session
            connection.execute(sa.text("DROP TABLE counter"))


def test_regex_and_json_operators_exist_only_on_postgresql(small: GraphQLEngine) -> None:
    regex = '{ qa_ai(where: {title: {_iregex: "^apple"}}, order_by: {id: asc}) { id } }'
    contains = "{ qa_ai(where: {faq: {_contains: {a: 1}}}) { id } }"
    if small.engine.dialect.name == "postgresql":
        assert ids(data(small, regex)["qa_ai"]) == [1, 6]
        assert ids(
            data(small, '{ qa_ai(where: {title: {_nregex: "a"}}, order_by: {id: asc}) { id } }')["qa_ai"]
        ) == [1, 5]
        assert ids(data(small, '{ qa_ai(where: {title: {_similar: "(Apple|Date)%"}}) { id } }')["qa_ai"]) == [
            1,
            4,
        ]
        assert ids(data(small, contains)["qa_ai"]) == [3]
        assert ids(data(small, '{ qa_ai(where: {faq: {_has_key: "a"}}) { id } }')["qa_ai"]) == [3]
    else:
        for query in (regex, contains):
            assert small.execute(query)["errors"][0]["extensions"]["code"] == "validation-failed"


def test_cast_to_string_in_where(small: GraphQLEngine) -> None:
    query = '{ qa_ai(where: {id: {_cast: {String: {_like: "%1%"}}}, date: {_cast: {String: {_like: "2024%"}}}}) { id } }'
    assert ids(data(small, query)["qa_ai"]) == [1]


@pytest.mark.parametrize(
    ("moment", "rendered"),
    [
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05+00:00"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC), "2024-01-02T03:04:05.5+00:00"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC), "2024-01-02T03:04:05.123456+00:00"),
    ],
)
def test_timestamps_render_alike(small: GraphQLEngine, moment: dt.datetime, rendered: str) -> None:
    with small.engine.begin() as connection:
        connection.execute(sa.update(link).where(link.c.id == 1).values(checked_at=moment))
    assert data(small, "{ link_by_pk(id: 1) { checked_at } }") == {"link_by_pk": {"checked_at": rendered}}


def test_float_aggregates_keep_every_digit(small: GraphQLEngine) -> None:
    """SQLite's JSON would write 15 significant digits; both databases give the same doubles."""
    query = """{ link_aggregate(where: {id: {_in: [1, 2, 3]}}) { aggregate { avg { attempts } stddev { attempts } } } }"""
    aggregate = data(small, query)["link_aggregate"]["aggregate"]
    assert aggregate["avg"]["attempts"] == 1.0
    assert aggregate["stddev"]["attempts"] == 1.0
    thirds = data(
        small, "{ link_aggregate(where: {id: {_in: [1, 3, 4]}}) { aggregate { avg { attempts } } } }"
    )
    assert thirds["link_aggregate"]["aggregate"]["avg"]["attempts"] == 2.0
    query = "{ link_aggregate(where: {id: {_in: [2, 3, 5]}}) { aggregate { avg { attempts } } } }"
    assert data(small, query)["link_aggregate"]["aggregate"]["avg"]["attempts"] == 2.0
    four_thirds = "{ link_aggregate(where: {id: {_in: [1, 2, 4]}}) { aggregate { avg { attempts } } } }"
    assert data(small, four_thirds)["link_aggregate"]["aggregate"]["avg"]["attempts"] == 7 / 3


def test_lists_keep_their_order_over_rows_stored_in_another(blank: Engine) -> None:
    """A list comes out in its ``order_by`` whatever order the rows were stored in, nested lists, lists
    without a limit and aggregates' nodes too: the database aggregates the sorted subquery in its order
    (json_agg is given no ORDER BY of its own on PostgreSQL)."""
    scrambled = sorted(range(1, 301), key=lambda i: (i * 7919) % 301)
    statements = [
        "CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        "CREATE TABLE player (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES team(id), "
        "score INTEGER NOT NULL)",
        "INSERT INTO team VALUES " + ", ".join(f"({t}, 'team {t:02d}')" for t in (3, 1, 2)),
        "INSERT INTO player VALUES " + ", ".join(f"({i}, {i % 3 + 1}, {(i * 37) % 101})" for i in scrambled),
    ]
    run_ddl(blank, statements)
    gql = engine_for(
        blank,
        [
            {
                "table": "team",
                "array_relationships": [
                    {
                        "name": "players",
                        "using": {"foreign_key_constraint_on": {"table": "player", "column": "team_id"}},
                    }
                ],
            },
            {"table": "player"},
        ],
    )
    try:
        query = """{
          team(order_by: {name: desc}) {
            id
            players(order_by: [{score: desc}, {id: asc}]) { id score }
            top: players(order_by: {id: desc}, limit: 5) { id }
          }
          player(order_by: [{score: asc}, {id: desc}]) { id score }
          player_aggregate(order_by: {id: desc}) { nodes { id } }
        }"""
        found = hasura_data(gql, query)
    finally:
        gql.close()
    players = [(i, i % 3 + 1, (i * 37) % 101) for i in range(1, 301)]
    assert [t["id"] for t in found["team"]] == [3, 2, 1]
    for team in found["team"]:
        mine = [p for p in players if p[1] == team["id"]]
        expected = sorted(mine, key=lambda p: (-p[2], p[0]))
        assert [(p["id"], p["score"]) for p in team["players"]] == [(p[0], p[2]) for p in expected]
        assert [p["id"] for p in team["top"]] == sorted((p[0] for p in mine), reverse=True)[:5]
    expected_all = sorted(players, key=lambda p: (p[2], -p[0]))
    assert [(p["id"], p["score"]) for p in found["player"]] == [(p[0], p[2]) for p in expected_all]
    assert [n["id"] for n in found["player_aggregate"]["nodes"]] == list(range(300, 0, -1))
