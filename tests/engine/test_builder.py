"""The builder phase as examples: a query in, the typed selection plan out (no SQL, no database).

The catalog is the hand-written one of test_compile_offline (authors and their articles, a ``user`` role
that reads its own articles, at most 10 at a time); each test spells out the tree a selection becomes, so
what the builder decides (permissions, checked arguments, inherited roles' masks) reads off the dataclasses.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, validate
from tests.engine.test_compile_offline import ARTICLE, AUTHOR, METADATA

from qapress.engine.builder import CompileOptions, SelectionBuilder
from qapress.engine.catalog import Catalog
from qapress.engine.compile import OperationCompiler
from qapress.engine.conditions import Cell, Compare, Related
from qapress.engine.dialects import PostgresDialect, SQLiteDialect
from qapress.engine.errors import ValidationFailed
from qapress.engine.metadata import Metadata
from qapress.engine.model import Model, build_model
from qapress.engine.schema import build_role_schema
from qapress.engine.selection import (
    AggregateSelect,
    AggregatesField,
    ColumnAggregate,
    ColumnField,
    CountAggregate,
    FunctionAggregate,
    ListField,
    NodesField,
    ObjectField,
    OrderCell,
    OrderTerm,
    OrderThrough,
    QueryPlan,
    ReadRule,
    RootConstant,
    RootSelect,
    RowsSelect,
    SingleSelect,
    Window,
)
from qapress.engine.values import SessionRef, VarRef

ID, NAME = AUTHOR.columns["id"], AUTHOR.columns["name"]
TITLE, AUTHOR_ID = ARTICLE.columns["title"], ARTICLE.columns["author_id"]
#: The user role's filter on articles: its own (the session's user id), as the builder resolves it.
OWN_ARTICLES = Compare(Cell("author_id", AUTHOR_ID), "_eq", SessionRef("x-hasura-user-id"))


def make_model(metadata: Any = None) -> Model:
    catalog = Catalog("sqlite", {("public", "author"): AUTHOR, ("content", "article"): ARTICLE})
    return build_model(catalog, Metadata.from_hasura(metadata if metadata is not None else METADATA))


def build(
    query: str,
    role: str = "admin",
    variables: dict[str, Any] | None = None,
    model: Model | None = None,
    options: CompileOptions | None = None,
) -> QueryPlan:
    model = model or make_model()
    role_schema = build_role_schema(model, role)
    assert role_schema is not None
    document = parse(query)
    assert validate(role_schema.schema, document) == []
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    builder = SelectionBuilder(
        model, role_schema, fragments, variables or {}, options or CompileOptions(), extended=False
    )
    return builder.operation(operation)


def root(plan: QueryPlan, index: int = 0) -> Any:
    field = plan.fields[index]
    assert isinstance(field, RootSelect)
    return field.select


def test_a_list_becomes_rows_with_typed_order_and_limit() -> None:
    model = make_model()
    plan = build("{ author(order_by: {name: desc}, limit: 5) { id name } }", model=model)
    assert plan == QueryPlan(
        (
            RootSelect(
                "author",
                RowsSelect(
                    model.tracked(("public", "author")),
                    (ColumnField("id", ID), ColumnField("name", NAME)),
                    ReadRule(visible=None, limit=None),
                    # name has no nulls: Hasura's desc (DESC NULLS FIRST) needs no nulls clause
                    Window(order_by=(OrderTerm(OrderCell(Cell("name", NAME)), "DESC"),), limit=5),
                ),
            ),
        )
    )


def test_the_roles_filter_and_row_limit_are_resolved_into_the_plan() -> None:
    select = root(build("{ content_article { title } }", role="user"))
    assert select.rule == ReadRule(visible=OWN_ARTICLES, limit=10)
    assert select.cap == 10  # the most rows the role may list
    assert select.window == Window()  # nothing asked: every row it may read


def test_variables_stay_references_so_the_plan_serves_every_request() -> None:
    plan = build(
        "query ($t: String!, $n: Int) { content_article(where: {title: {_eq: $t}}, limit: $n) { id } }",
        variables={"t": "x", "n": 3},
    )
    window = root(plan).window
    assert window.where == Compare(Cell("title", TITLE), "_eq", VarRef("t"))
    assert window.limit == VarRef("n")
    assert plan.shaping == frozenset()  # no variable shaped the plan


def test_a_directive_on_a_variable_shapes_the_plan_and_is_remembered() -> None:
    query = "query ($x: Boolean!) { author { id name @include(if: $x) } }"
    with_name = build(query, variables={"x": True})
    without = build(query, variables={"x": False})
    assert [f.key for f in root(with_name).fields] == ["id", "name"]
    assert [f.key for f in root(without).fields] == ["id"]
    assert with_name.shaping == without.shaping == frozenset({"x"})


def test_relationships_nest_selections_correlated_by_their_relationship() -> None:
    model = make_model()
    author = model.tracked(("public", "author"))
    article = model.tracked(("content", "article"))
    plan = build("{ author { articles(limit: 2) { title author { name } } } }", model=model)
    (articles,) = root(plan).fields
    assert articles == ListField(
        "articles",
        RowsSelect(
            article,
            (
                ColumnField("title", TITLE),
                ObjectField(
                    "author",
                    SingleSelect(
                        author,
                        (ColumnField("name", NAME),),
                        ReadRule(None, None),
                        correlation=article.relationships["author"],
                    ),
                ),
            ),
            ReadRule(None, None),
            Window(limit=2),
            correlation=author.relationships["articles"],
        ),
    )


def test_a_user_where_across_a_relationship_sees_only_readable_rows_there() -> None:
    model = make_model()
    plan = build('{ author(where: {articles: {title: {_like: "%a%"}}}) { id } }', role="user", model=model)
    assert root(plan).window.where == Related(
        model.tracked(("content", "article")),
        Compare(Cell("title", TITLE), "_like", "%a%"),
        relationship=model.tracked(("public", "author")).relationships["articles"],
        visible=OWN_ARTICLES,
    )


def test_order_by_an_object_relationship_goes_through_it() -> None:
    model = make_model()
    plan = build("{ content_article(order_by: {author: {name: asc}}) { id } }", model=model)
    article = model.tracked(("content", "article"))
    assert root(plan).window.order_by == (
        OrderTerm(
            OrderThrough(
                article.relationships["author"],
                model.tracked(("public", "author")),
                None,
                OrderCell(Cell("name", NAME)),
            ),
            "ASC NULLS LAST",
        ),
    )


def test_an_aggregate_lists_its_parts_and_caps_nodes_at_the_permissions_limit() -> None:
    metadata = copy.deepcopy(METADATA)
    metadata[1]["select_permissions"][0]["permission"]["allow_aggregations"] = True
    plan = build(
        "{ content_article_aggregate { aggregate { count max { title } } nodes { title } } }",
        role="user",
        model=make_model(metadata),
    )
    select = root(plan)
    assert isinstance(select, AggregateSelect)
    assert select.parts == (
        AggregatesField(
            "aggregate",
            "content_article_aggregate_fields",
            (
                CountAggregate("count"),
                FunctionAggregate(
                    "max", "max", "content_article_max_fields", (ColumnAggregate("title", TITLE),)
                ),
            ),
        ),
        NodesField("nodes", (ColumnField("title", TITLE),)),
    )
    # Hasura aggregates every readable row; only the nodes listed stop at the role's limit.
    assert select.cap is None and select.nodes_cap == 10


def test_an_inherited_roles_cell_is_masked_by_the_parent_that_may_read_it() -> None:
    metadata = copy.deepcopy(METADATA)
    metadata[0]["select_permissions"] = [
        {"role": "reader", "permission": {"columns": ["id"], "filter": {}}},
        {"role": "self", "permission": {"columns": ["id", "name"], "filter": {"id": "X-Hasura-User-Id"}}},
    ]
    model = make_model(
        {"tables": metadata, "inherited_roles": [{"role_name": "both", "role_set": ["reader", "self"]}]}
    )
    select = root(build("{ author { id name } }", role="both", model=model))
    self_row = Compare(Cell("id", ID), "_eq", SessionRef("x-hasura-user-id"))
    # Rows either parent reads (reader: all of them); the name only on the rows of the parent that reads names.
    assert select.rule == ReadRule(visible=None, limit=None)
    assert select.fields == (ColumnField("id", ID), ColumnField("name", NAME, mask=self_row))


def test_typename_at_the_root_needs_no_database() -> None:
    plan = build("{ __typename }")
    assert plan.fields == (RootConstant("__typename", '"query_root"'),)


def test_arguments_are_checked_while_building_with_hasuras_paths() -> None:
    with pytest.raises(ValidationFailed) as caught:
        build("{ author(offset: -1) { id } }")
    assert caught.value.path == "$.selectionSet.author.args.offset"
    with pytest.raises(ValidationFailed, match="distinct_on"):
        build("{ author(distinct_on: [name], order_by: {id: asc}) { id } }")
    with pytest.raises(ValidationFailed, match="maximum depth") as deep:
        build("{ author { articles { author { id } } } }", options=CompileOptions(max_depth=2))
    assert deep.value.path == "$.selectionSet.author.selectionSet.articles.selectionSet.author"


def test_the_same_plan_renders_for_either_dialect() -> None:
    model = make_model()
    role_schema = build_role_schema(model, "user")
    assert role_schema is not None
    document = parse('{ content_article(where: {title: {_eq: "a"}}) { title } }')
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    plan = OperationCompiler(model, role_schema, SQLiteDialect(), {}, {}, CompileOptions()).plan(operation)
    for dialect in (SQLiteDialect(), PostgresDialect()):
        compiled = OperationCompiler(model, role_schema, dialect, {}, {}, CompileOptions()).render(plan)
        assert compiled.sql.count(dialect.placeholder) == len(compiled.params) == 2  # the title, the user id
