"""API limits per role (depth, nodes, aliases, batch size): measured with fragments expanded, each refused one
past its limit with Hasura's ``validation-failed``, on both databases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, get_introspection_query, parse
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, Metadata, qapress_metadata
from qapress.engine.errors import MetadataError
from qapress.engine.limits import (
    SATURATED,
    ApiLimits,
    OperationSize,
    RateLimit,
    batch_refusal,
    chosen_operation,
    layered,
    limits_from_settings,
    measure,
)
from qapress.engine.metadata_dir import as_sources, read_metadata_dir, write_metadata_dir
from qapress.settings import Settings


def size(query: str, name: str | None = None) -> OperationSize:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = chosen_operation(document, name)
    assert operation is not None
    return measure(operation, fragments)


def fan_out(levels: int, leaf: str = "id") -> str:
    """F{levels} spreads F{levels-1} twice, and so on: 2**levels copies of ``leaf`` once expanded."""
    lines = [f"fragment F0 on qa_ai {{ {leaf} }}"]
    lines += [f"fragment F{i} on qa_ai {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\n{{ qa_ai {{ ...F{levels} }} }}"


# --- the measure --------------------------------------------------------------------------------------------
def test_depth_counts_fields_from_the_root_to_the_leaf() -> None:
    assert size("{ qa_ai { id } }").depth == 2
    assert size("{ qa_ai { site { articles { title } } } }").depth == 4
    assert size("{ __typename }") == OperationSize(1, 0, 0)


def test_nodes_are_fields_with_a_selection_set_as_hasura_counts_them() -> None:
    assert size("{ qa_ai { id title site { host } } }").nodes == 2
    assert size("{ a: qa_ai { id } b: domain { id } }") == OperationSize(2, 2, 2)


def test_fragments_count_where_they_are_spread_inline_named_and_nested() -> None:
    query = """
    query { qa_ai { ...A ... on qa_ai { x: id site { ...B } } } more: qa_ai { ...A } }
    fragment A on qa_ai { a: id b: title site { ...B } }
    fragment B on domain { h: host articles { id } }
    """
    # A: 2 aliases + site (node) + B; B: 1 alias + articles (node). Spread twice, plus one inline use of B.
    measured = size(query)
    assert measured.aliases == 1 + 1 + 2 * (2 + 1) + 1  # x, more, A twice (a, b, h), the inline B's h
    assert measured.nodes == 2 + 2 * (1 + 1) + (1 + 1)  # qa_ai, more; A's site and B's articles twice; inline
    assert measured.depth == 4  # qa_ai > site > articles > id, through A and B


def test_a_fragment_fanning_out_to_two_to_the_hundred_is_measured_without_expanding_it() -> None:
    started = time.perf_counter()
    measured = size(fan_out(100, "a: id"))
    assert time.perf_counter() - started < 0.5
    assert measured.aliases == SATURATED  # 2**100 saturates
    assert size(fan_out(10, "a: id")).aliases == 2**10
    assert size(fan_out(10, "site { id }")).nodes == 1 + 2**10


def test_a_chain_of_thousands_of_fragments_needs_no_recursion_per_link() -> None:
    links = 3_000
    chain = "\n".join(f"fragment F{i} on qa_ai {{ a{i}: id ...F{i + 1} }}" for i in range(links))
    query = f"{{ qa_ai {{ ...F0 }} }}\n{chain}\nfragment F{links} on qa_ai {{ id }}"
    assert size(query) == OperationSize(2, 1, links)


def test_the_operation_measured_is_the_one_the_request_names() -> None:
    query = "query Small { qa_ai { id } } query Deep { qa_ai { site { articles { id } } } }"
    assert size(query, "Small").depth == 2
    assert size(query, "Deep").depth == 4
    assert chosen_operation(parse(query), None) is None  # the validator says which one is missing


def test_cycles_and_unknown_fragments_are_left_to_the_validator() -> None:
    query = "{ qa_ai { ...A ...Missing } } fragment A on qa_ai { id ...B } fragment B on qa_ai { ...A }"
    assert size(query).depth == 2


def test_introspection_and_the_sites_own_queries_fit_the_anonymous_defaults() -> None:
    """The pages run their queries through the engine as anonymous: the defaults must never refuse them."""
    limits = limits_from_settings(Settings(_env_file=None))
    templates = resources.files("qapress.site").joinpath("templates")
    queries = [t.read_text("utf-8") for t in templates.iterdir() if t.name.endswith(".graphql")]
    assert len(queries) >= 5
    for query in [get_introspection_query(), *queries]:
        measured = size(query)
        for kind in ("depth_limit", "node_limit", "alias_limit"):
            assert measured.of(kind) <= (limits.limit(kind, "anonymous") or 0), (kind, query[:80])


# --- the layers ---------------------------------------------------------------------------------------------
def test_a_roles_own_limit_beats_global_and_admin_has_none_unless_named() -> None:
    limits = ApiLimits.from_hasura(
        {
            "depth_limit": {"global": 5, "per_role": {"user": 3, "editor": None}},
            "rate_limit": {"global": {"max_reqs_per_min": 100, "unique_params": "IP"}},
        }
    )
    assert limits.limit("depth_limit", "user") == 3
    assert limits.limit("depth_limit", "editor") is None
    assert limits.limit("depth_limit", "anyone") == 5
    assert limits.limit("depth_limit", "admin") is None
    assert limits.rate_limit("anyone") == RateLimit(100, "IP")
    assert limits.rate_limit("admin") is None
    assert (
        ApiLimits.from_hasura({"depth_limit": {"per_role": {"admin": 2}}}).limit("depth_limit", "admin") == 2
    )


def test_the_metadata_overrides_the_settings_which_override_the_anonymous_defaults() -> None:
    settings = Settings(
        _env_file=None,
        depth_limit_anonymous=9,
        node_limit_anonymous=50,
        api_limits={
            "node_limit": {"global": 40, "per_role": {"anonymous": 20}},
            "alias_limit": {"global": 7},
        },
    )
    below = limits_from_settings(settings)
    assert below.limit("depth_limit", "anonymous") == 9
    assert below.limit("node_limit", "anonymous") == 20
    assert below.limit("node_limit", "user") == 40
    assert below.limit("alias_limit", "anonymous") == 30  # its own default beats the global 7
    assert below.limit("alias_limit", "user") == 7
    top = layered([ApiLimits.from_hasura({"node_limit": {"per_role": {"anonymous": 12}}}), below])
    assert top.limit("node_limit", "anonymous") == 12
    assert top.limit("depth_limit", "anonymous") == 9
    assert (
        layered([ApiLimits.from_hasura({"disabled": True}), below]).limit("depth_limit", "anonymous") is None
    )
    # null for the role itself lifts its default limit (a setting cannot be unset from the environment).
    lifted = limits_from_settings(
        Settings(_env_file=None, api_limits={"rate_limit": {"per_role": {"anonymous": None}}})
    )
    assert lifted.rate_limit("anonymous") is None
    assert limits_from_settings(Settings(_env_file=None)).rate_limit("anonymous") == RateLimit(600, "IP")


@pytest.mark.parametrize(
    "raw",
    [
        {"depth_limit": 5},
        {"depth_limit": {"global": -1}},
        {"node_limit": {"per_role": {"user": "ten"}}},
        {"rate_limit": {"global": {"unique_params": "IP"}}},
        {"rate_limit": {"global": {"max_reqs_per_min": 5, "unique_params": "cookie"}}},
        {"depth_limits": {}},
        {"disabled": "yes"},
    ],
)
def test_malformed_limits_are_named(raw: dict[str, Any]) -> None:
    with pytest.raises(MetadataError):
        ApiLimits.from_hasura(raw, "api_limits")


def test_the_metadata_file_carries_api_limits_to_the_engine(demo: Engine) -> None:
    raw = {"tables": [], "api_limits": {"depth_limit": {"per_role": {"anonymous": 3}}}}
    gql = GraphQLEngine(demo, Metadata.from_hasura(raw))
    try:
        assert gql.api_limits.limit("depth_limit", "anonymous") == 3
        gql.reload(Metadata.from_hasura({"tables": []}))
        assert gql.api_limits.limit("depth_limit", "anonymous") is None
    finally:
        gql.close()


# --- at the boundary, through the engine (both databases) ----------------------------------------------------
@pytest.fixture
def limited(demo: Engine) -> Iterator[GraphQLEngine]:
    limits = ApiLimits.from_hasura(
        {
            "depth_limit": {"per_role": {"anonymous": 4}},
            "node_limit": {"per_role": {"anonymous": 3}},
            "alias_limit": {"per_role": {"anonymous": 2}},
        },
        "QAPRESS_API_LIMITS",
    )
    gql = GraphQLEngine(demo, qapress_metadata(), api_limits=limits)
    yield gql
    gql.close()


def anonymous(gql: GraphQLEngine, query: str) -> dict[str, Any]:
    return gql.execute(query, role="anonymous")


def refused(answer: dict[str, Any], limit: str) -> bool:
    errors = answer.get("errors") or []
    return (
        bool(errors)
        and errors[0]["extensions"] == {"path": "$", "code": "validation-failed"}
        and (limit in errors[0]["message"])
    )


def test_depth_at_the_limit_passes_and_one_more_fails(limited: GraphQLEngine) -> None:
    at = anonymous(limited, "{ qa_ai(limit: 1) { site { articles(limit: 1) { id } } } }")
    assert "data" in at, at
    over = anonymous(limited, "{ qa_ai(limit: 1) { site { articles(limit: 1) { site { id } } } } }")
    assert refused(over, "depth limit of 4"), over
    assert 'role "anonymous"' in over["errors"][0]["message"]
    # The same query as admin: no limit.
    assert "data" in limited.execute("{ qa_ai(limit: 1) { site { articles(limit: 1) { site { id } } } } }")


def test_nodes_at_the_limit_pass_and_one_more_fails(limited: GraphQLEngine) -> None:
    assert "data" in anonymous(limited, "{ qa_ai(limit: 1) { id site { id } } domain(limit: 1) { id } }")
    over = anonymous(
        limited, "{ qa_ai(limit: 1) { id site { id } } domain(limit: 1) { id articles(limit: 1) { id } } }"
    )
    assert refused(over, "node limit of 3"), over


def test_aliases_hidden_in_fragments_count(limited: GraphQLEngine) -> None:
    at = "{ qa_ai(limit: 1) { ...A } } fragment A on qa_ai { a: id b: title }"
    assert "data" in anonymous(limited, at)
    over = "{ qa_ai(limit: 1) { ...A ... on qa_ai { ...B } } } fragment A on qa_ai { a: id b: title } fragment B on qa_ai { c: id }"
    assert refused(anonymous(limited, over), "alias limit of 2")
    # The same fragment spread twice counts twice (the fields merge in the answer, but not in the count).
    twice = "{ qa_ai(limit: 1) { ...A ...A } } fragment A on qa_ai { a: id b: title }"
    assert refused(anonymous(limited, twice), "alias count of 4")


def test_a_fanning_out_document_is_refused_before_it_is_validated(limited: GraphQLEngine) -> None:
    validations = limited.stats.validations
    started = time.perf_counter()
    answer = anonymous(limited, fan_out(60, "site { id }"))
    assert time.perf_counter() - started < 1.0
    assert refused(answer, "node limit of 3"), answer
    assert limited.stats.validations == validations


def test_the_plan_cache_never_answers_a_refused_query(limited: GraphQLEngine) -> None:
    over = "{ a: qa_ai(limit: 1) { id } b: qa_ai(limit: 1) { id } c: qa_ai(limit: 1) { id } }"
    for _ in range(2):
        assert refused(anonymous(limited, over), "alias limit of 2")
    assert "data" in limited.execute(over)  # admin's plan, cached under admin
    assert refused(anonymous(limited, over), "alias limit of 2")


def test_batch_limit_at_the_boundary() -> None:
    limits = ApiLimits.from_hasura({"batch_limit": {"global": 3}})
    assert batch_refusal(limits, "user", 3) is None
    error = batch_refusal(limits, "user", 4)
    assert error is not None and error.code == "validation-failed"
    assert error.message.startswith("the batch's size of 4 exceeds the batch limit of 3")
    assert batch_refusal(limits, "admin", 99) is None


def test_a_metadata_directory_keeps_api_limits_in_api_limits_yaml(tmp_path: Path) -> None:
    limits = {"depth_limit": {"global": 8}, "rate_limit": {"per_role": {"user": {"max_reqs_per_min": 5}}}}
    metadata = as_sources({"tables": [], "api_limits": limits})
    write_metadata_dir(metadata, tmp_path / "metadata")
    assert (tmp_path / "metadata" / "api_limits.yaml").exists()
    assert read_metadata_dir(tmp_path / "metadata")["api_limits"] == limits
