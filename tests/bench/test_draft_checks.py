"""The editor's checks of ``python -m bench drafts``: each says no to the shape it is for and yes to prose."""

from __future__ import annotations

import pytest

from bench.draft_checks import figures_labelled, list_like, quotes_short_and_attributed, title_is_new
from qapress.generate.draft import Draft, FaqItem, SourceDocument


def _draft(answer: str, title: str = "A title") -> Draft:
    return Draft(title, "", (), (FaqItem("Q?", answer),), "")


@pytest.mark.parametrize(
    "sentence",
    [
        "The people named include Ana Ruiz (director), Sean Dolan (promoter) and Isla Breck (singer).",
        "The results: profit down 22% to £184m; revenue up 6% to £2.9bn.",
        "The figures given are £900,000, £35 and £15.",
        "Names linked to the cast: Maya Brandt, Colin Fairweather and Ruth Achebe.",
    ],
)
def test_a_list_is_caught(sentence: str) -> None:
    assert list_like(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Ingrid Sollberg is the manager, and Dara Quinlan is a winger.",
        "Reaching the final is worth money to a club in administration 4 years ago: the competition pays £2.5m.",
        "Annual pre-tax profit was down 22% to £184 million, and revenue was up 6% to £2.9 billion.",
        "Hauk said: “Children cannot learn when their phone buzzes every two minutes”",
    ],
)
def test_prose_is_no_list(sentence: str) -> None:
    assert not list_like(sentence)


def test_figures_need_labels() -> None:
    assert not figures_labelled(_draft("The figures given are £900,000, £35 and £15."))
    assert not figures_labelled(_draft("The figures given are £6.5 million."))
    assert figures_labelled(_draft("Revenue rose 6% to £2.9bn, and the budget is about £6.5 million."))


def test_a_headline_or_its_cut_is_no_new_title() -> None:
    source = SourceDocument("Storm Hilde to bring gusts of up to 80mph and heavy rain to the north-west", "")
    assert not title_is_new(_draft("", "Storm Hilde to bring gusts of up to 80mph"), source)
    assert title_is_new(_draft("", "Storm Hilde expected to bring 80mph gusts"), source)


@pytest.mark.parametrize(
    "answer",
    [
        "According to Greyhill Pictures: “A cinema release is planned for early next year.”",
        "according to Greyhill Pictures, “a cinema release is planned”.",
        "Hauk said: “Children cannot learn when their phone buzzes.”",
        "“Children cannot learn when their phone buzzes,” Hauk SAID.",
    ],
)
def test_a_quote_with_its_speaker_is_attributed(answer: str) -> None:
    """A speaker named after "According to" at a sentence's start counts, and a verb in capitals too."""
    assert quotes_short_and_attributed(_draft(answer))


@pytest.mark.parametrize(
    "answer",
    [
        "According to the source: “A cinema release is planned for early next year.”",
        "According to The Source: “A cinema release is planned for early next year.”",
        "according to police: “a cinema release is planned for early next year.”",
        "“A cinema release is planned for early next year.”",
    ],
)
def test_a_quote_without_a_named_speaker_is_not(answer: str) -> None:
    """The source as a document, or a lower-case word, names no speaker."""
    assert not quotes_short_and_attributed(_draft(answer))
