"""The revision page's diff and the schedule form's time, pure."""

from __future__ import annotations

import datetime as dt

from qapress.articles.fields import ArticleFields
from qapress.generate.draft import FaqItem
from qapress.newsroom.drafts import parse_schedule_time
from qapress.newsroom.revisions import revision_diff


def test_only_changed_fields_are_listed_word_by_word() -> None:
    old = ArticleFields(title="Heat 2 is coming", faq=(FaqItem("When?", "In 2026."),))
    new = ArticleFields(title="Heat 2 is finally coming", faq=(FaqItem("When?", "In 2026."),), outro="Bye.")
    diff = revision_diff(old, new)
    assert [field.label for field in diff] == ["Title", "Outro"]
    title = diff[0].changes
    assert [(c.kind, c.text) for c in title if c.kind != "equal"] == [("added", "finally ")]
    assert "".join(c.text for c in title if c.kind != "removed") == "Heat 2 is finally coming"
    assert revision_diff(old, old) == []


def test_a_faq_change_is_a_change_of_the_questions_and_answers() -> None:
    old = ArticleFields(title="T", faq=(FaqItem("When?", "In 2026."),))
    new = ArticleFields(title="T", faq=(FaqItem("When?", "In 2027."),))
    (faq,) = revision_diff(old, new)
    assert faq.label == "Questions and answers"
    assert {(c.kind, c.text) for c in faq.changes if c.kind != "equal"} == {
        ("removed", "2026."),
        ("added", "2027."),
    }


def test_a_schedule_time_is_read_as_utc() -> None:
    assert parse_schedule_time("2030-01-01T09:30") == dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC)
    assert parse_schedule_time("2030-01-01T10:30+01:00") == dt.datetime(2030, 1, 1, 9, 30, tzinfo=dt.UTC)
    assert parse_schedule_time("") is None
    assert parse_schedule_time("tomorrow at nine") is None
