"""The cache tags of anonymous GraphQL answers (``qapress.site.graphql_tags``) against what edits really log.

The property a shared cache needs: whenever an edit changes an answer, the tags the triggers logged for it
meet the answer's tags (so the purge reaches it). Each edit below runs on the small data set of
``tests/engine/engine_rows.py``, on both databases; every query's answer and tags are taken before it and
the answer again after it. Precision is checked too: an article asked for by key is not purged by an edit
of another one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from tests.engine.engine_rows import load_rows
from tests.invalidation_log import log_position, tags_since

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.site.graphql_tags import MAX_ARTICLE_TAGS, graphql_answer_tags
from qapress.store.schema import domain, qa_ai

ANONYMOUS = {"x-hasura-role": "anonymous"}

#: name -> (query, variables): reads by key, by site, by anything else, through relationships.
QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "by_pk": ("query ($id: Int!) { qa_ai_by_pk(id: $id) { id title } }", {"id": 1}),
    "by_pk_no_id": ("{ qa_ai_by_pk(id: 4) { title version } }", {}),
    "ids_in": ("query ($ids: [Int!]) { qa_ai(where: {id: {_in: $ids}}) { title } }", {"ids": [2, 3]}),
    "site_list": (
        "{ qa_ai(where: {domain: {_eq: 1}}, order_by: {id: asc}) { id title } }",
        {},
    ),
    "filtered": ('{ qa_ai(where: {title: {_ilike: "%a%"}}, order_by: {id: asc}) { title } }', {}),
    "site_articles": (
        "{ domain_by_pk(id: 2) { name articles(order_by: {id: asc}) { title } } }",
        {},
    ),
    "article_site": ("{ qa_ai_by_pk(id: 6) { title site { name } } }", {}),
    "sites": ("{ domain(order_by: {id: asc}) { host name } }", {}),
    "through_site": (
        '{ qa_ai(where: {site: {name: {_eq: "Beta"}}}, order_by: {id: asc}) { id } }',
        {},
    ),
}


def _edit(statement: Callable[[sa.Connection], object]) -> Callable[[Engine], None]:
    def run(engine: Engine) -> None:
        with engine.begin() as connection:
            statement(connection)

    return run


def _article(article_id: int, **values: Any) -> Callable[[Engine], None]:
    return _edit(lambda c: c.execute(qa_ai.update().where(qa_ai.c.id == article_id).values(**values)))


EDITS: dict[str, Callable[[Engine], None]] = {
    "retitle 1": _article(1, title="Apple pie, edited"),
    "retitle 4": _article(4, title="Date loaf, edited"),
    "version of 4": _article(4, version=7),
    "publish draft 3": _article(3, status="published"),
    "move 2 to site 2": _article(2, domain=2),
    "withdraw 6": _article(6, status="withdrawn"),
    "rename site 2": _edit(lambda c: c.execute(domain.update().where(domain.c.id == 2).values(name="Bêta"))),
    "new article on site 1": _edit(
        lambda c: c.execute(
            qa_ai.insert().values(id=7, domain=1, title="Fig roll", status="published", slug="fig-roll")
        )
    ),
    "retitle 3 again": _article(3, title="Cherry tart"),
}


@pytest.fixture
def small_gql(engine: Engine) -> Iterator[GraphQLEngine]:
    load_rows(engine)
    gql = GraphQLEngine(engine, qapress_metadata())
    yield gql
    gql.close()


def answer(gql: GraphQLEngine, name: str) -> tuple[bytes, list[str] | None]:
    query, variables = QUERIES[name]
    prepared = gql.prepare(query, variables, None, "anonymous", dict(ANONYMOUS))
    assert prepared.plan is not None
    body = gql.run(prepared)
    assert body.startswith(b'{"data"'), body
    return body, graphql_answer_tags(prepared.plan, prepared.variables, body)


def test_every_edit_that_changes_an_answer_logs_one_of_its_tags(
    small_gql: GraphQLEngine, engine: Engine
) -> None:
    changed: set[tuple[str, str]] = set()
    for edit_name, edit in EDITS.items():
        before = {name: answer(small_gql, name) for name in QUERIES}
        seq = log_position(engine)
        edit(engine)
        logged = set(tags_since(engine, seq))
        for name, (body, tags) in before.items():
            assert tags is not None, name
            after, _ = answer(small_gql, name)
            if after != body:
                changed.add((edit_name, name))
                assert set(tags) & logged, f"{edit_name} changed {name} but logged {logged}, not {tags}"
    # The edits do change answers of every kind, so the property was tested for each.
    assert {name for _, name in changed} == set(QUERIES)


def test_an_article_asked_for_by_key_is_not_purged_by_another(
    small_gql: GraphQLEngine, engine: Engine
) -> None:
    _, tags = answer(small_gql, "by_pk")
    assert tags == ["a1", "all"]
    for edit in (
        _article(4, title="Date loaf, edited"),
        _article(2, domain=3),
        _article(3, status="published"),
    ):
        seq = log_position(engine)
        edit(engine)
        assert not set(tags) & set(tags_since(engine, seq))


def test_the_tags_of_each_kind_of_read(small_gql: GraphQLEngine) -> None:
    tags = {name: answer(small_gql, name)[1] for name in QUERIES}
    assert tags["by_pk_no_id"] == ["a4", "all"]  # named by key: exact without selecting id
    assert tags["ids_in"] == ["a2", "a3", "all"]  # a draft's key too: publishing it logs a3
    assert tags["site_list"] == ["a1", "a2", "a6", "all", "s1", "u1"]
    assert tags["filtered"] == ["all", "tqa_ai"]  # no id selected: the table's tag covers it
    assert tags["site_articles"] == ["all", "s2", "u2"]  # the articles a site's key fixes
    assert tags["article_site"] == ["a6", "all"]  # a site is covered by all
    assert tags["sites"] == ["all"]
    assert tags["through_site"] == ["a4", "all", "tqa_ai"]


def test_many_shown_articles_fall_back_to_the_table_tag(small_gql: GraphQLEngine, engine: Engine) -> None:
    extra = [
        {"id": 100 + i, "domain": 3, "title": f"Roll {i}", "status": "published", "slug": f"roll-{i}"}
        for i in range(MAX_ARTICLE_TAGS + 1)
    ]
    with engine.begin() as connection:
        connection.execute(qa_ai.insert(), extra)
    query = '{ qa_ai(where: {title: {_like: "Roll%"}}) { id } }'
    prepared = small_gql.prepare(query, {}, None, "anonymous", dict(ANONYMOUS))
    assert prepared.plan is not None
    body = small_gql.run(prepared)
    assert graphql_answer_tags(prepared.plan, prepared.variables, body) == ["all", "tqa_ai"]


def test_what_no_tag_covers_gets_none(small_gql: GraphQLEngine) -> None:
    """A table no trigger watches (sources, read as admin here) leaves the answer untagged."""
    prepared = small_gql.prepare("{ source { id } }", {}, None, "admin", {"x-hasura-role": "admin"})
    assert prepared.plan is not None
    assert graphql_answer_tags(prepared.plan, prepared.variables, small_gql.run(prepared)) is None
    prepared = small_gql.prepare(
        "{ qa_ai_by_pk(id: 1) { news_source { id } } }", {}, None, "admin", {"x-hasura-role": "admin"}
    )
    assert prepared.plan is not None
    assert graphql_answer_tags(prepared.plan, prepared.variables, small_gql.run(prepared)) is None
