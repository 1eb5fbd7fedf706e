"""The mutation path's builder phase as a pure function: coerced arguments in, a typed plan out, no
database (the hand-written catalog of test_compile_offline)."""

from __future__ import annotations

from typing import Any

import pytest

from qapress.engine.catalog import Catalog
from qapress.engine.conditions import Compare, ConditionReader
from qapress.engine.errors import ConstraintViolation, ValidationFailed
from qapress.engine.metadata import Metadata
from qapress.engine.model import Model, build_model
from qapress.engine.mutation_plan import ChosenRows, MutationPlanner

from .test_compile_offline import ARTICLE, AUTHOR, METADATA

EDITOR: list[dict[str, Any]] = [
    {**METADATA[0]},
    {
        **METADATA[1],
        "update_permissions": [{"role": "editor", "permission": {"columns": ["title"], "filter": {}}}],
    },
]


def planner(role: str = "admin", value_checks: Any = None) -> tuple[Model, MutationPlanner]:
    catalog = Catalog("sqlite", {("public", "author"): AUTHOR, ("content", "article"): ARTICLE})
    model = build_model(catalog, Metadata.from_hasura(EDITOR))
    return model, MutationPlanner(model, role, ConditionReader(model, role, False), value_checks)


def test_nested_inserts_split_into_the_rows_before_and_after() -> None:
    model, plans = planner()
    author = model.tracked(("public", "author"))
    article = model.tracked(("content", "article"))
    objects = [{"name": "Ann", "articles": {"data": [{"title": "a1"}, {"title": "a2"}]}}]
    plan = plans.insert(author, objects, None, "$.args.objects")
    (row,) = plan.rows
    assert row.values == (("name", "Ann"),) and row.parents == ()
    (children,) = row.children
    assert children.name == "articles" and [c.values for c in children.rows] == [
        (("title", "a1"),),
        (("title", "a2"),),
    ]
    assert [c.path for c in children.rows] == [
        "$.args.objects[0].articles.data[0]",
        "$.args.objects[0].articles.data[1]",
    ]
    # An object relationship whose key is on this row: the author is inserted first.
    conflict = {"constraint": "author_pkey", "update_columns": ["name"], "where": {"id": {"_gt": 0}}}
    nested = plans.insert(
        article, [{"title": "t", "author": {"data": {"name": "Bo"}, "on_conflict": conflict}}], None, "$"
    )
    (parent,) = nested.rows[0].parents
    assert parent.rows[0].values == (("name", "Bo"),) and nested.rows[0].children == ()
    assert parent.on_conflict is not None and parent.on_conflict.update_columns == ("name",)
    assert isinstance(parent.on_conflict.where, Compare) and parent.on_conflict.where.op == "_gt"


def test_update_arguments_are_checked_before_any_sql() -> None:
    model, plans = planner("editor")
    article = model.tracked(("content", "article"))
    plan = plans.update(article, {"_set": {"title": "x"}, "where": {"id": {"_eq": 1}}}, False, "$")
    assert plan.assignments.set == (("title", "x"),) and isinstance(plan.rows.where, Compare)
    with pytest.raises(ValidationFailed, match="Column found in multiple operators"):
        plans.update(article, {"_set": {"title": "x"}, "_inc": {"title": 1}}, False, "$")
    with pytest.raises(ValidationFailed, match="not found in type: 'content_article_set_input'"):
        plans.update(article, {"_set": {"author_id": 2}}, False, "$")
    by_key = plans.update(article, {"pk_columns": {"id": 7}, "_set": {"title": "y"}}, True, "$")
    assert by_key.rows == ChosenRows(key=(("id", 7),))


def test_value_checks_refuse_a_set_value() -> None:
    model, plans = planner("admin", {"article": {"title": lambda v: "too short" if len(v) < 2 else None}})
    article = model.tracked(("content", "article"))
    with pytest.raises(ConstraintViolation, match="too short"):
        plans.update(article, {"_set": {"title": "x"}}, False, "$")
    assert plans.delete(article, {"id": 3}, True).rows == ChosenRows(key=(("id", 3),))
