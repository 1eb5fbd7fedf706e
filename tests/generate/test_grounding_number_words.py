"""A number written out at the start of a sentence ("Thirty per cent of ...") is a figure to check,
never a name."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, check_text
from qapress.generate.grounding.entities import entities

SOURCE = SourceDocument(
    title="Kiln Lane homes approved",
    text="The committee approved 420 homes on Kiln Lane. Of them, 30% will be affordable, and 72 of the"
    " 84 plots are already sold.",
    publisher="The Kiln Herald",
)


@pytest.mark.parametrize("text", ["Thirty per cent of the homes.", "Seventy-two of the plots are sold."])
def test_a_number_word_opening_a_sentence_is_no_name(text: str) -> None:
    assert entities(text) == []


def test_a_name_that_begins_with_a_number_word_is_still_a_name() -> None:
    assert [e.name for e in entities("She starred in Twelve Angry Men.")] == ["Twelve Angry Men"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thirty per cent of the homes will be affordable.", SUPPORTED),
        ("Seventy-two of the 84 plots are already sold.", SUPPORTED),
        ("Forty per cent of the homes will be affordable.", UNSUPPORTED),
    ],
)
def test_a_figure_in_words_at_the_start_is_checked_by_value(text: str, expected: str) -> None:
    verdicts = [c.verdict for c in check_text(text, "answer", SourceIndex(SOURCE))]
    assert (UNSUPPORTED if UNSUPPORTED in verdicts else verdicts[0]) == expected
