"""The engine's request path: plan reuse, variable checking, errors in Hasura's shape, reload after DDL."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from qapress.engine import GraphQLEngine, Metadata, qapress_metadata
from qapress.settings import Settings

QUERY = (
    "query($id: Int!, $full: Boolean!) { qa_ai(where: {id: {_eq: $id}}) { id title @include(if: $full) } }"
)


def error(result: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in result, result
    [first] = result["errors"]
    return first


def test_second_execution_skips_parse_validate_compile(small: GraphQLEngine) -> None:
    first = small.execute(QUERY, {"id": 1, "full": True})
    assert (small.stats.parses, small.stats.validations, small.stats.compiles) == (1, 1, 1)
    again = small.execute(QUERY, {"id": 1, "full": True})
    other_id = small.execute(QUERY, {"id": 2, "full": True})
    assert again == first
    assert other_id["data"]["qa_ai"] == [{"id": 2, "title": "banana bread"}]
    assert (small.stats.parses, small.stats.validations, small.stats.compiles) == (1, 1, 1)
    assert small.stats.plan_hits == 2
    # A directive variable shapes the SQL: a new value compiles once, then it is cached as well.
    assert small.execute(QUERY, {"id": 1, "full": False})["data"]["qa_ai"] == [{"id": 1}]
    assert small.execute(QUERY, {"id": 1, "full": False})["data"]["qa_ai"] == [{"id": 1}]
    assert small.stats.compiles == 2


def test_each_value_of_a_shaping_variable_has_its_own_plan(small: GraphQLEngine) -> None:
    """true, false, absent (its default) and a non-boolean each get their own plan (or their own error),
    in any order: a cached plan of one is never served to another."""
    query = "query($id: Int!, $full: Boolean = true) { qa_ai(where: {id: {_eq: $id}}) { id title @include(if: $full) } }"
    full, bare = [{"id": 1, "title": "Apple pie"}], [{"id": 1}]
    for _ in range(2):
        assert small.execute(query, {"id": 1, "full": True})["data"]["qa_ai"] == full
        assert small.execute(query, {"id": 1, "full": False})["data"]["qa_ai"] == bare
        assert small.execute(query, {"id": 1})["data"]["qa_ai"] == full  # the default
        assert error(small.execute(query, {"id": 1, "full": 1}))["extensions"]["code"] == "validation-failed"


def test_an_explicit_null_overrides_a_directive_variables_default(small: GraphQLEngine) -> None:
    """The spec's variable coercion keeps an explicit null (only an absent value takes the default), and
    ``@include(if:)``/``@skip(if:)`` take a ``Boolean!``: null is an error, not a silently missing field."""
    for directive in ("include", "skip"):
        query = f"query($full: Boolean = true) {{ qa_ai {{ id title @{directive}(if: $full) }} }}"
        for _ in range(2):  # the second time from the plan cache
            refused = error(small.execute(query, {"full": None}))
            assert refused["extensions"]["code"] == "validation-failed"
            assert "null" in refused["message"]
            assert "data" in small.execute(query, {})


def test_plans_are_per_role(small: GraphQLEngine) -> None:
    query = "{ qa_ai(where: {id: {_eq: 3}}) { id } }"
    assert small.execute(query)["data"]["qa_ai"] == [{"id": 3}]
    assert small.execute(query, role="anonymous")["data"]["qa_ai"] == []


def test_plan_cache_is_bounded(small: GraphQLEngine) -> None:
    gql = GraphQLEngine(small.engine, small.metadata, plan_cache_size=3)
    try:
        for n in range(10):
            assert gql.execute(f"{{ qa_ai(limit: {n}) {{ id }} }}")["data"] is not None
        assert len(gql.plans) == 3
    finally:
        gql.close()


def test_bad_variables_are_validation_errors_even_after_caching(small: GraphQLEngine) -> None:
    small.execute(QUERY, {"id": 1, "full": True})
    wrong_type = error(small.execute(QUERY, {"id": "one", "full": True}))
    assert wrong_type["extensions"]["code"] == "validation-failed"
    missing = error(small.execute(QUERY, {"full": True}))
    assert missing["message"] == 'expecting a value for non-nullable variable: "id"'
    extra = error(small.execute(QUERY, {"id": 1, "full": True, "x": 1}))
    assert extra["message"] == "unexpected variables in variableValues: x"
    too_big = error(small.execute(QUERY, {"id": 2**40, "full": True}))
    assert too_big["extensions"]["code"] == "validation-failed"


def test_null_in_a_comparison_is_an_error(small: GraphQLEngine) -> None:
    nullable = "query($id: Int) { qa_ai(where: {id: {_eq: $id}}) { id } }"
    assert error(small.execute(nullable, {"id": None}))["message"] == 'unexpected null value for type "Int"'
    assert small.execute(nullable, {"id": 4})["data"] == {"qa_ai": [{"id": 4}]}


def test_errors_have_hasura_shape_and_codes(small: GraphQLEngine) -> None:
    assert error(small.execute("{ qa_ai { id ")) == {
        "message": "not a valid graphql query",
        "extensions": {"path": "$.query", "code": "validation-failed"},
    }
    assert error(small.execute("{ does_not_exist { id } }"))["message"] == (
        "field \"does_not_exist\" not found in type: 'query_root'"
    )
    assert error(small.execute("{ qa_ai(limit: -1) { id } }"))["extensions"]["code"] == "validation-failed"
    assert error(small.execute('{ qa_ai(where: {title: {_like: "x\\\\"}}) { id } }')) == {
        "message": "LIKE pattern must not end with escape character",
        "extensions": {"path": "$", "code": "bad-request"},
    }
    assert error(small.execute("mutation { x }"))["extensions"]["code"] == "validation-failed"
    assert error(small.execute("subscription { qa_ai { id } }"))["extensions"]["code"] == "not-supported"
    assert error(small.execute(None))["extensions"]["code"] == "bad-request"
    assert error(small.execute("{ qa_ai { id } }", variables=[1]))["extensions"]["code"] == "bad-request"
    two = "query A { qa_ai { id } } query B { domain { id } }"
    assert error(small.execute(two))["message"] == (
        "exactly one operation has to be present in the document when operationName is not specified"
    )
    assert small.execute(two, operation_name="B")["data"]["domain"][0] == {"id": 1}


def test_depth_limit(small: GraphQLEngine) -> None:
    gql = GraphQLEngine(small.engine, small.metadata, max_depth=3)
    try:
        shallow = "{ qa_ai(limit: 1) { site { articles(limit: 1) { id } } } }"
        assert "data" in gql.execute(shallow)
        deep = "{ qa_ai(limit: 1) { site { articles(limit: 1) { site { id } } } } }"
        assert error(gql.execute(deep))["message"] == "the query exceeds the maximum depth of 3"
    finally:
        gql.close()


def test_malformed_scalars_are_rejected_before_the_database(small: GraphQLEngine) -> None:
    for literal in ('{date: {_eq: "not a date"}}', '{created_at: {_gt: "yesterday"}}'):
        message = error(small.execute(f"{{ qa_ai(where: {literal}) {{ id }} }}"))
        assert message["extensions"]["code"] == "validation-failed"
    assert small.execute('{ qa_ai(where: {date: {_eq: "2024-03-09"}}) { id } }')["data"] == {
        "qa_ai": [{"id": 4}]
    }


def test_reload_after_ddl_sees_new_columns(small: GraphQLEngine) -> None:
    query = "{ domain_by_pk(id: 1) { motto } }"
    with small.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE domain ADD COLUMN motto TEXT"))
        connection.execute(sa.text("UPDATE domain SET motto = 'hi' WHERE id = 1"))
    try:
        assert error(small.execute(query))["extensions"]["code"] == "validation-failed"
        small.reload()
        assert small.execute(query) == {"data": {"domain_by_pk": {"motto": "hi"}}}
    finally:
        small.close()
        with small.engine.begin() as connection:  # the PostgreSQL store is shared by the whole session
            connection.execute(sa.text("ALTER TABLE domain DROP COLUMN motto"))


def test_metadata_from_python_list(small: GraphQLEngine) -> None:
    meta = Metadata.from_hasura([{"table": {"schema": "public", "name": "domain"}}])
    gql = GraphQLEngine(small.engine, meta)
    try:
        assert gql.execute("{ domain(limit: 1) { id } }") == {"data": {"domain": [{"id": 1}]}}
        assert error(gql.execute("{ qa_ai { id } }"))["extensions"]["code"] == "validation-failed"
    finally:
        gql.close()


def test_statement_timeout_is_a_clear_error(demo: Any) -> None:
    gql = GraphQLEngine(demo, qapress_metadata(), statement_timeout_ms=1)
    heavy = "{ qa_ai { site { articles { site { articles { id title text } } } } } }"  # 100-200 ms, 4 MB
    try:
        failure = error(gql.execute(heavy))
        assert "statement timeout" in failure["message"]
        assert "Traceback" not in failure["message"]
        # The connection is usable afterwards. On a loaded machine even a one-row query can pass 1 ms, so it
        # may time out too, but only as a timeout, and it gets through within a few tries.
        for _ in range(50):
            answer = gql.execute("{ domain_by_pk(id: 1) { id } }")
            if "errors" not in answer:
                break
            assert "statement timeout" in error(answer)["message"], answer
        assert answer == {"data": {"domain_by_pk": {"id": 1}}}
    finally:
        gql.close()


@pytest.mark.parametrize(
    ("query", "message", "path"),
    [
        ("{ random { id } }", "field \"random\" not found in type: 'query_root'", "$.selectionSet.random"),
        (
            "{ qa_ai { id notPresentCol } }",
            "field \"notPresentCol\" not found in type: 'qa_ai'",
            "$.selectionSet.qa_ai.selectionSet.notPresentCol",
        ),
        (
            '{ qa_ai(where: {title: {_ne: "x"}}) { id } }',
            "field \"_ne\" not found in type: 'String_comparison_exp'",
            "$.selectionSet.qa_ai.args.where.title._ne",
        ),
        (
            '{ qa_ai(limit: "3") { id } }',
            'expected a non-negative 32-bit integer for type "Int", but found a string',
            "$.selectionSet.qa_ai.args.limit",
        ),
        (
            "{ qa_ai(limit: -1) { id } }",
            'expected a non-negative 32-bit integer for type "Int", but found an integer',
            "$.selectionSet.qa_ai.args.limit",
        ),
        (
            "{ qa_ai { id @exclude(if: true) } }",
            'directive "exclude" is not defined in the schema',
            "$.selectionSet.qa_ai.selectionSet",
        ),
        (
            "{ qa_ai { id @include(if: true) @include(if: true) } }",
            "the following directives are used more than once: include",
            "$.selectionSet.qa_ai.selectionSet",
        ),
        ("query @include(if: true) { qa_ai { id } }", 'directive "include" is not allowed on a query', "$"),
        (
            "{ qa_ai(distinct_on: [domain], order_by: {id: asc}) { id } }",
            '"distinct_on" columns must match initial "order_by" columns',
            "$.selectionSet.qa_ai.args",
        ),
        (
            "{ qa_ai { ...A } } fragment A on qa_ai { links { ...B } } "
            "fragment B on link { article { ...A } }",
            "the fragment definition(s) A and B form a cycle",
            "$.selectionSet.qa_ai.selectionSet.A.selectionSet.links.selectionSet.B.selectionSet.article.selectionSet",
        ),
        (
            "query($l: String) { qa_ai(limit: $l) { id } }",
            'variable "l" is declared as String, but used where Int is expected',
            "$.selectionSet.qa_ai.args.limit",
        ),
        (
            "{ qa_ai_by_pk(id: null) { id } }",
            'unexpected null value for type "Int"',
            "$.selectionSet.qa_ai_by_pk.args.id",
        ),
    ],
)
def test_validation_errors_read_like_hasura(
    small: GraphQLEngine, query: str, message: str, path: str
) -> None:
    assert error(small.execute(query)) == {
        "message": message,
        "extensions": {"path": path, "code": "validation-failed"},
    }


def test_int_literal_out_of_range_is_a_parse_failure_worded_like_hasura(small: GraphQLEngine) -> None:
    assert error(small.execute("{ qa_ai(where: {id: {_eq: -2147483649}}) { id } }")) == {
        "message": "The value -2.147483649e9 lies outside the bounds or is not an integer.  "
        "Maybe it is a float, or is there integer overflow?",
        "extensions": {"path": "$.selectionSet.qa_ai.args.where.id._eq", "code": "parse-failed"},
    }
    # In range, the largest Int is fine.
    assert small.execute("{ qa_ai(where: {id: {_eq: 2147483647}}) { id } }")["data"] == {"qa_ai": []}


def test_null_order_by_values_are_ignored(small: GraphQLEngine) -> None:
    query = """query($o: order_by, $rel: domain_order_by) {
      qa_ai(order_by: [{id: $o}, {site: $rel}, {links_aggregate: {count: $o}}, {id: desc}]) { id }
    }"""
    result = small.execute(query, {"o": None, "rel": None})
    assert [r["id"] for r in result["data"]["qa_ai"]] == [6, 5, 4, 3, 2, 1]


def test_oversized_and_deeply_nested_queries_are_refused_cleanly(small: GraphQLEngine) -> None:
    many_fields = "{ qa_ai { " + " ".join(f"a{i}: id" for i in range(12_000)) + " } }"
    assert error(small.execute(many_fields))["extensions"]["code"] == "validation-failed"
    deep = "{ qa_ai { " + "site { articles { " * 20 + "id" + " } }" * 20 + " } }"
    assert error(small.execute(deep))["message"] == "the query exceeds the maximum depth of 12"
    deeper = "{ qa_ai { " + "site { articles { " * 400 + "id" + " } }" * 400 + " } }"
    assert error(small.execute(deeper))["extensions"]["code"] == "validation-failed"
    brackets = "{" * 10_000
    assert error(small.execute(brackets))["extensions"]["code"] == "validation-failed"


def test_engine_from_settings(small: GraphQLEngine) -> None:
    settings = Settings(anonymous_row_limit=1, max_query_depth=2, stringify_numeric_types=True)
    gql = GraphQLEngine.from_settings(small.engine, qapress_metadata(), settings)
    try:
        assert (gql.anonymous_row_limit, gql.max_depth, gql.stringify_numeric_types) == (1, 2, True)
        assert len(gql.execute("{ qa_ai { id } }", role="anonymous")["data"]["qa_ai"]) == 1
    finally:
        gql.close()


def test_null_for_a_non_null_variable_with_default_takes_the_default(small: GraphQLEngine) -> None:
    query = "query($limit: Int! = 1) { qa_ai(limit: $limit, order_by: {id: asc}) { id } }"
    for _ in range(2):  # the second time through the plan cache
        assert small.execute(query, {"limit": None}) == {"data": {"qa_ai": [{"id": 1}]}}
    assert len(small.execute(query, {"limit": 3})["data"]["qa_ai"]) == 3


def test_deep_nesting_works_on_postgresql_and_is_a_clear_error_on_sqlite(small: GraphQLEngine) -> None:
    levels = 4
    query = (
        "{ qa_ai(where: {id: {_eq: 1}}) { id "
        + "site { id articles(where: {id: {_eq: 1}}) { id " * levels
        + " } }" * levels
        + " } }"
    )
    gql = GraphQLEngine(small.engine, small.metadata, max_depth=20)
    try:
        result = gql.execute(query)
        if small.engine.dialect.name == "postgresql":
            inner = result["data"]["qa_ai"][0]
            for _ in range(levels):
                inner = inner["site"]["articles"][0]
            assert inner == {"id": 1}
        else:  # SQLite's parser has a fixed stack: a clear refusal, not a database error
            assert error(result) == {
                "message": "the query nests relationships too deeply for SQLite; use fewer levels or PostgreSQL",
                "extensions": {"path": "$", "code": "not-supported"},
            }
    finally:
        gql.close()


def test_explicit_null_for_a_non_null_variable_is_reported_where_used(small: GraphQLEngine) -> None:
    for _ in range(2):  # also once the plan is cached
        assert error(small.execute(QUERY, {"id": None, "full": True})) == {
            "message": 'unexpected null value for type "Int"',
            "extensions": {"path": "$.selectionSet.qa_ai.args.where.id._eq", "code": "validation-failed"},
        }
        small.execute(QUERY, {"id": 1, "full": True})
