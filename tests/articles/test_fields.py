"""The editable fields and the checks of an edit, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from qapress.articles.errors import InvalidFields
from qapress.articles.fields import ArticleFields, apply_changes
from qapress.generate.draft import FaqItem

BASE = ArticleFields(title="Heat 2: what we know", slug="heat-2", lead="Lead.", text="One.\n\nTwo.")


def test_only_the_given_fields_change_and_the_rest_stay() -> None:
    edited = apply_changes(BASE, {"lead": "A new lead.", "faq": [{"question": "When?", "answer": "Soon."}]})
    assert edited.lead == "A new lead." and edited.faq == (FaqItem("When?", "Soon."),)
    assert edited.title == BASE.title and edited.text == BASE.text
    assert edited.changed_fields(BASE) == ("lead", "faq")


def test_a_blank_slug_is_made_from_the_title() -> None:
    assert apply_changes(BASE, {"title": "Heat 3: Ça tourne", "slug": ""}).slug == "heat-3-ca-tourne"
    assert apply_changes(BASE, {"slug": "My Own Slug!"}).slug == "my-own-slug"


def test_dates_and_image_fields_are_normalized() -> None:
    edited = apply_changes(BASE, {"date": "2026-03-01", "image_url": "  ", "image_credit": " AP "})
    assert edited.date == dt.date(2026, 3, 1) and edited.image_url is None and edited.image_credit == "AP"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"date": "1 March"}, "date"),
        ({"faq": [{"question": "", "answer": "A."}]}, "faq"),
        ({"faq": "not json"}, "faq"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"status": "published"}, "status"),
        ({"lead": 12}, "lead"),
    ],
)
def test_a_bad_value_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidFields) as caught:
        apply_changes(BASE, changes)
    assert caught.value.field == field and str(caught.value).startswith(f"{field}: ")


def test_json_round_trip_keeps_every_field() -> None:
    full = apply_changes(
        BASE, {"date": dt.date(2026, 2, 25), "faq": [FaqItem("Q?", "A.")], "image_url": "https://e.com/i.jpg"}
    )
    assert ArticleFields.from_row(full.to_json()) == full
    assert full.draft().body == ("One.", "Two.")
