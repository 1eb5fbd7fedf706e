"""Scale words told the other way round (a planted `direction` error): "fewer" for "more", "down" for
"up", "at least" for "up to", "half as many" for "twice as many", "quickly" for "slowly", even where the
claim shares no verb with the source; and the true claims that must still pass (the same side in other
words, a comparison told from the other end, "two more" that adds, a comparative that describes a noun).
A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import UNSUPPORTED, SourceIndex
from qapress.generate.grounding.scales import pointers, reversed_scale

SOURCE = SourceDocument(
    title="Lakeside library loans recover",
    text="\n".join(
        [
            "The Lakeside library lent 48,200 books last year, about 9% more than in the year before.",
            "Its reading groups drew fewer members than in 2023, the librarian Ana Ferreira said.",
            "Evening opening hours were cut from 20 a week to 12, down slightly from the autumn timetable.",
            "Summer footfall was roughly twice as high as in the spring.",
            "The reading room will hold up to 60 people once the damp walls are slowly dried.",
            "A café run by volunteers is expected to open two more branches next year.",
            "The council paid £40,000 for the roof repair in 2021, for a smaller leak at the same building.",
            "Ferreira said the library was ahead of its lending target.",
        ]
    ),
    publisher="The Lakeside Echo",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_phrases_are_read_before_their_words() -> None:
    assert [(c.scale, c.high) for c in pointers("up to 60 people")] == [("bound", False)]
    assert [(c.scale, c.high) for c in pointers("membership has fallen")] == [("quantity", False)]
    assert pointers("two more branches") == []


@pytest.mark.parametrize(
    "claim",
    [
        "The Lakeside library lent about 9% fewer books last year than in the year before.",
        "Its reading groups drew more members than in 2023.",
        "Evening opening hours were cut, up slightly from the autumn timetable.",
        "Summer footfall was roughly half as high as in the spring.",
        "The reading room will hold at least 60 people.",
        "The damp walls will be quickly dried.",
        "Ferreira said the library was behind its lending target.",
    ],
)
def test_a_scale_word_turned_round_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The Lakeside library lent about 9% more books last year than the year before.",
        "Its reading groups drew fewer members than in 2023.",
        "The reading room will hold up to 60 people.",
        "The café is expected to open two more branches next year.",
        # compared with something else: the source's other end
        "Spring footfall was lower than in the summer.",
        # "a smaller leak" tells which leak, not which way the amount points
        "The £40,000 roof repair of 2021 cost more than nothing at all.",
    ],
)
def test_the_same_side_or_another_comparison_is_not_reversed(index: SourceIndex, claim: str) -> None:
    sources = [s.text for s in index.sentences]
    assert reversed_scale(claim, sources) is None
