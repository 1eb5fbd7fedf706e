"""Roles see only what their permissions grant: columns, rows (nested reads too), limits, aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from qapress.engine import GraphQLEngine, Metadata, qapress_metadata


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


def test_anonymous_sees_only_published_articles(small: GraphQLEngine) -> None:
    result = small.execute("{ qa_ai(order_by: {id: asc}) { id } }", role="anonymous")
    assert ids(result["data"]["qa_ai"]) == [1, 2, 4, 6]
    assert small.execute("{ qa_ai_by_pk(id: 3) { id } }", role="anonymous") == {"data": {"qa_ai_by_pk": None}}


READER = {"x-hasura-ip-hash": "reader"}


def test_anonymous_never_sees_ip_hash(small: GraphQLEngine) -> None:
    result = small.execute("{ link { id ip_hash } }", role="anonymous", session=READER)
    assert result["errors"][0]["message"] == "field \"ip_hash\" not found in type: 'link'"
    assert result["errors"][0]["extensions"]["code"] == "validation-failed"
    where = small.execute('{ link(where: {ip_hash: {_eq: "h1"}}) { id } }', role="anonymous", session=READER)
    assert where["errors"][0]["extensions"]["code"] == "validation-failed"
    types = small.execute('{ __type(name: "link") { fields { name } } }', role="anonymous")
    names = {f["name"] for f in types["data"]["__type"]["fields"]}
    assert "ip_hash" not in names and "url" in names


def test_filters_apply_to_nested_reads_and_relationship_conditions(small: GraphQLEngine) -> None:
    query = """{ domain(order_by: {id: asc}) { id articles(order_by: {id: asc}) { id links(order_by: {id: asc}) { id } } } }"""
    domains = small.execute(query, role="anonymous", session=READER)["data"]["domain"]
    assert [ids(d["articles"]) for d in domains] == [[1, 2, 6], [4], []]
    assert domains[0]["articles"][0]["links"] == [{"id": 1}, {"id": 5}]  # live links only
    # A where through a relationship sees only readable rows: article 1's pending link does not count.
    pending = small.execute(
        '{ qa_ai(where: {links: {url: {_like: "%y.example%"}}}) { id } }', role="anonymous", session=READER
    )
    assert pending["data"]["qa_ai"] == []
    assert ids(
        small.execute('{ qa_ai(where: {links: {url: {_like: "%y.example%"}}}) { id } }')["data"]["qa_ai"]
    ) == [1]
    # Ordering by an object relationship's column reads it through the role's filter too.
    live = small.execute(
        "{ link(order_by: {id: asc}) { id article { id } } }", role="anonymous", session=READER
    )
    assert live["data"]["link"] == [
        {"id": 1, "article": {"id": 1}},
        {"id": 3, "article": {"id": 4}},
        {"id": 4, "article": None},  # article 3 is a draft
        {"id": 5, "article": {"id": 1}},
    ]
    # The reader who sent the pending link 2 (hash h2) sees it too; nobody else does.
    own = small.execute(
        "{ link(order_by: {id: asc}) { id status } }", role="anonymous", session={"x-hasura-ip-hash": "h2"}
    )
    assert [(r["id"], r["status"]) for r in own["data"]["link"]] == [
        (1, "live"),
        (2, "pending"),
        (3, "live"),
        (4, "live"),
        (5, "live"),
    ]


def test_aggregates_need_allow_aggregations(small: GraphQLEngine) -> None:
    result = small.execute("{ qa_ai_aggregate { aggregate { count } } }", role="anonymous")
    assert result["errors"][0]["message"] == "field \"qa_ai_aggregate\" not found in type: 'query_root'"
    assert small.execute("{ qa_ai_aggregate { aggregate { count } } }")["data"]["qa_ai_aggregate"] == {
        "aggregate": {"count": 6}
    }


def test_unknown_role_has_no_fields(small: GraphQLEngine) -> None:
    result = small.execute("{ qa_ai { id } }", role="nobody")
    assert result["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "qa_ai" in result["errors"][0]["message"]


def test_anonymous_row_limit_caps_every_list(small: GraphQLEngine) -> None:
    capped = GraphQLEngine(small.engine, qapress_metadata(), anonymous_row_limit=2)
    try:
        assert len(capped.execute("{ qa_ai { id } }", role="anonymous")["data"]["qa_ai"]) == 2
        assert len(capped.execute("{ qa_ai(limit: 50) { id } }", role="anonymous")["data"]["qa_ai"]) == 2
        query = "query($n: Int) { qa_ai(limit: $n) { id } }"
        assert len(capped.execute(query, {"n": 1}, role="anonymous")["data"]["qa_ai"]) == 1
        assert len(capped.execute(query, {"n": 9}, role="anonymous")["data"]["qa_ai"]) == 2
        assert len(capped.execute("{ qa_ai { id } }")["data"]["qa_ai"]) == 6
    finally:
        capped.close()


def editor_metadata(filter_: dict[str, Any]) -> Metadata:
    tables = [
        {
            "table": {"schema": "public", "name": "domain"},
            "array_relationships": [
                {
                    "name": "articles",
                    "using": {"foreign_key_constraint_on": {"table": "qa_ai", "column": "domain"}},
                }
            ],
            "select_permissions": [{"role": "editor", "permission": {"columns": "*", "filter": {}}}],
        },
        {
            "table": "qa_ai",
            "object_relationships": [{"name": "site", "using": {"foreign_key_constraint_on": "domain"}}],
            "select_permissions": [
                {
                    "role": "editor",
                    "permission": {"columns": ["id", "title"], "filter": filter_, "limit": 3},
                }
            ],
        },
    ]
    return Metadata.from_hasura(tables)


@pytest.mark.parametrize(
    ("filter_", "session", "expected"),
    [
        ({"domain": {"_eq": "X-Hasura-Domain-Id"}}, {"X-Hasura-Domain-Id": "2"}, [3, 4]),
        ({"domain": "x-hasura-domain-id"}, {"x-hasura-domain-id": "1"}, [1, 2, 6]),
        ({"domain": {"$eq": "X-HASURA-DOMAIN-ID"}}, {"x-hasura-domain-id": "3"}, [5]),
        ({"$or": [{"id": {"$lt": 2}}, {"id": {"$gt": 5}}]}, {}, [1, 6]),
        ({"id": {"_ne": 1}, "domain": 1}, {}, [2, 6]),  # the permissions' _ne / $ne for _neq
        ({"id": {"$ne": 2}, "domain": 1}, {}, [1, 6]),
        ({"site": {"language": {"_eq": "de"}}}, {}, [3, 4]),
        ({"_exists": {"_table": "domain", "_where": {"name": {"_eq": "Gamma"}}}}, {}, [1, 2, 3]),
        ({"_exists": {"_table": "domain", "_where": {"name": {"_eq": "Omega"}}}}, {}, []),
        ({"id": {"_ceq": "src_id"}}, {}, []),
        ({"src_id": {"_clt": ["$", "id"]}}, {}, [2, 3, 5]),
        ({"id": {"_in": "X-Hasura-Ids"}}, {"x-hasura-ids": "{1,4}"}, [1, 4]),
        ({"id": {"_in": "X-Hasura-Ids"}}, {"x-hasura-ids": "[2, 6]"}, [2, 6]),
        ({"id": {"_in": "X-Hasura-Ids"}}, {"x-hasura-ids": "{}"}, []),
        ({"title": {"_nin": "X-Hasura-Titles"}, "domain": 1}, {"x-hasura-titles": '{"Apple pie"}'}, [2, 6]),
    ],
)
def test_permission_filter_spellings(
    small: GraphQLEngine, filter_: dict[str, Any], session: dict[str, str], expected: list[int]
) -> None:
    gql = GraphQLEngine(small.engine, editor_metadata(filter_))
    try:
        lowered = {k.lower(): v for k, v in session.items()}
        result = gql.execute("{ qa_ai(order_by: {id: asc}) { id } }", role="editor", session=lowered)
        assert ids(result["data"]["qa_ai"]) == expected
    finally:
        gql.close()


def test_missing_session_variable_is_a_not_found_error(small: GraphQLEngine) -> None:
    gql = GraphQLEngine(small.engine, editor_metadata({"domain": {"_eq": "X-Hasura-Domain-Id"}}))
    try:
        result = gql.execute("{ qa_ai { id } }", role="editor", session={})
        assert result == {
            "errors": [
                {
                    "message": 'missing session variable: "x-hasura-domain-id"',
                    "extensions": {"path": "$", "code": "not-found"},
                }
            ]
        }
        # Through a relationship too: domain.articles reads qa_ai with the editor's filter.
        nested = gql.execute("{ domain { articles { id } } }", role="editor", session={})
        assert nested["errors"][0]["extensions"]["code"] == "not-found"
    finally:
        gql.close()


def test_role_columns_and_limit(small: GraphQLEngine) -> None:
    gql = GraphQLEngine(small.engine, editor_metadata({}))
    try:
        assert len(gql.execute("{ qa_ai { id title } }", role="editor")["data"]["qa_ai"]) == 3
        denied = gql.execute("{ qa_ai { id status } }", role="editor")
        assert denied["errors"][0]["message"] == "field \"status\" not found in type: 'qa_ai'"
    finally:
        gql.close()


def test_aggregate_only_access(small: GraphQLEngine) -> None:
    """A role with no columns but allow_aggregations may count rows, and nothing else; its row limit is for
    lists, so the count covers every readable row (as in Hasura)."""
    meta = Metadata.from_hasura(
        [
            {
                "table": "qa_ai",
                "select_permissions": [
                    {
                        "role": "counter",
                        "permission": {"columns": [], "filter": {}, "allow_aggregations": True, "limit": 1},
                    }
                ],
            }
        ]
    )
    gql = GraphQLEngine(small.engine, meta)
    try:
        assert gql.execute("{ qa_ai_aggregate { aggregate { count } } }", role="counter") == {
            "data": {"qa_ai_aggregate": {"aggregate": {"count": 6}}}
        }
        columns = gql.execute("{ qa_ai_aggregate { aggregate { count(columns: [id]) } } }", role="counter")
        assert columns["errors"][0]["message"] == '"count" has no argument named "columns"'
        assert columns["errors"][0]["extensions"]["path"] == (
            "$.selectionSet.qa_ai_aggregate.selectionSet.aggregate.selectionSet.count"
        )
        rows = gql.execute("{ qa_ai { id } }", role="counter")
        assert rows["errors"][0]["message"] == "field \"qa_ai\" not found in type: 'query_root'"
    finally:
        gql.close()


def inherited_metadata() -> Metadata:
    tables = [
        {
            "table": "qa_ai",
            "select_permissions": [
                {
                    "role": "reader",
                    "permission": {"columns": ["id", "title"], "filter": {"status": "published"}},
                },
                {
                    "role": "auditor",
                    "permission": {
                        "columns": ["id", "status"],
                        "filter": {"domain": {"_eq": "X-Hasura-Domain-Id"}},
                        "allow_aggregations": True,
                    },
                },
                {"role": "boss", "permission": {"columns": ["id"], "filter": {"id": {"_eq": 5}}}},
            ],
        }
    ]
    inherited = [
        {"role_name": "staff", "role_set": ["reader", "auditor"]},
        {"role_name": "everyone", "role_set": ["staff", "boss"]},
        {"role_name": "reader", "role_set": ["auditor"]},  # its own permission wins
    ]
    return Metadata.from_hasura(tables, inherited_roles=inherited)


def test_inherited_role_combines_rows_and_hides_cells_per_parent(small: GraphQLEngine) -> None:
    gql = GraphQLEngine(small.engine, inherited_metadata())
    session = {"x-hasura-domain-id": "2"}
    query = "{ qa_ai(order_by: {id: asc}) { id title status } }"
    try:
        assert gql.execute(query, role="staff", session=session)["data"]["qa_ai"] == [
            {"id": 1, "title": "Apple pie", "status": None},
            {"id": 2, "title": "banana bread", "status": None},
            {"id": 3, "title": None, "status": "draft"},  # only the auditor reads draft 3: no title
            {"id": 4, "title": "Date loaf", "status": "published"},
            {"id": 6, "title": "apple crumble", "status": None},
        ]
        # Aggregations: allowed because one parent allows them.
        count = gql.execute("{ qa_ai_aggregate { aggregate { count } } }", role="staff", session=session)
        assert count["data"]["qa_ai_aggregate"]["aggregate"]["count"] == 5
        # A role inheriting from an inherited role.
        everyone = gql.execute(
            "{ qa_ai(order_by: {id: asc}) { id title } }", role="everyone", session=session
        )
        assert [(r["id"], r["title"]) for r in everyone["data"]["qa_ai"]][-2:] == [
            (5, None),
            (6, "apple crumble"),
        ]
        # A role's own permission overrides what it would inherit.
        own = gql.execute("{ qa_ai(order_by: {id: asc}) { id } }", role="reader")
        assert [r["id"] for r in own["data"]["qa_ai"]] == [1, 2, 4, 6]
        # Guarded columns are nullable in the inherited role's schema.
        types = gql.execute(
            '{ __type(name: "qa_ai") { fields { name type { kind } } } }', role="staff", session=session
        )
        kinds = {f["name"]: f["type"]["kind"] for f in types["data"]["__type"]["fields"]}
        assert kinds == {"id": "NON_NULL", "title": "SCALAR", "status": "SCALAR"}
    finally:
        gql.close()


def test_permission_row_limit_caps_aggregate_nodes_not_counts(small: GraphQLEngine) -> None:
    meta = Metadata.from_hasura(
        [
            {
                "table": "qa_ai",
                "select_permissions": [
                    {
                        "role": "reader",
                        "permission": {
                            "columns": ["id"],
                            "filter": {},
                            "allow_aggregations": True,
                            "limit": 2,
                        },
                    }
                ],
            }
        ]
    )
    gql = GraphQLEngine(small.engine, meta)
    query = """query($min: Int, $n: Int) {
      qa_ai_aggregate(where: {id: {_gt: $min}}, order_by: {id: desc}, limit: $n) {
        aggregate { count max { id } } nodes { id }
      }
    }"""
    try:
        every = gql.execute(query, {"min": 1}, role="reader")["data"]["qa_ai_aggregate"]
        assert every == {"aggregate": {"count": 5, "max": {"id": 6}}, "nodes": [{"id": 6}, {"id": 5}]}
        # The query's own limit still applies to both.
        one = gql.execute(query, {"min": 1, "n": 1}, role="reader")["data"]["qa_ai_aggregate"]
        assert one == {"aggregate": {"count": 1, "max": {"id": 6}}, "nodes": [{"id": 6}]}
    finally:
        gql.close()
