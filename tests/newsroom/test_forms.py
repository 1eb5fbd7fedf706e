"""The article form: what it keeps, what it refuses, how questions are removed, added and reordered."""

from __future__ import annotations

from qapress.newsroom.app import safe_next
from qapress.newsroom.forms import ArticleForm


def posted(**extra: str) -> dict[str, str]:
    fields = {
        "title": "A title",
        "faq-count": "2",
        "faq-0-question": "First?",
        "faq-0-answer": "One.",
        "faq-0-position": "1",
        "faq-1-question": "Second?",
        "faq-1-answer": "Two.",
        "faq-1-position": "2",
        "faq-2-question": "",
        "faq-2-answer": "",
        "faq-2-position": "3",
    }
    fields.update(extra)
    return fields


def test_positions_reorder_and_remove_drops_and_the_last_row_adds() -> None:
    form = ArticleForm.from_post(
        posted(
            **{
                "faq-1-position": "0",
                "faq-0-remove": "on",
                "faq-2-question": "Third?",
                "faq-2-answer": "Three.",
            }
        )
    )
    assert form.problems() == []
    assert form.kept_faq() == [
        {"question": "Second?", "answer": "Two."},
        {"question": "Third?", "answer": "Three."},
    ]


def test_problems_name_their_fields() -> None:
    form = ArticleForm.from_post(
        posted(
            title=" ",
            date="25/02/2026",
            image_url="javascript:alert(1)",
            **{"faq-1-answer": "", "faq-0-position": "x"},
        )
    )
    assert [e.field for e in form.problems()] == [
        "title",
        "date",
        "image_url",
        "faq-0-position",
        "faq-1-answer",
    ]
    assert form.faq[0].position == "x"  # what was typed is kept


def test_an_empty_new_row_is_ignored_and_blank_values_become_null() -> None:
    values = ArticleForm.from_post(posted()).values()
    assert len(values["faq"]) == 2  # type: ignore[arg-type]
    assert values["date"] is None and values["image_url"] is None


def test_after_sign_in_only_newsroom_paths() -> None:
    assert safe_next("/newsroom/articles/3") == "/newsroom/articles/3"
    for hostile in (
        "https://evil.example/",
        "//evil.example/newsroom/",
        "/newsroom//evil",
        "/elsewhere",
        None,
    ):
        assert safe_next(hostile) == "/newsroom/"
