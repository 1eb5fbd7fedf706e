"""Gaps between two named things whose amounts the source states apart ("Aldwick has 3.4 million members
... Birchmoor has 1.9 million") and spans between two clock times it gives ("between 7am and 7pm"): a
claim that works them out passes, one that tells the gap the other way round is unsupported. A source of
its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, numbers, stated_amounts
from qapress.generate.grounding.entities import entities

SOURCE = SourceDocument(
    title="Aldwick and Birchmoor building societies to merge",
    text="\n".join(
        [
            "Aldwick Building Society and Birchmoor Building Society have agreed to merge, the two said on"
            " Monday.",
            "Aldwick, founded in Norwich, has about 3.4 million members.",
            "Birchmoor, based in Carlisle, has 1.9 million members and 140 branches.",
            "In the cup semi-final Wexley made only 62 tackles to Dunmore's 118.",
            "The walkers left the car park at 8am and called 999 at 4.30pm, when the light began to fail.",
            "The library will open between 7am and 7pm on weekdays while the work goes on.",
        ]
    ),
    publisher="The Fenland Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "Aldwick has 1.5 million more members than Birchmoor.",
        "Birchmoor has 1.5 million fewer members than Aldwick.",
        "Dunmore made 56 more tackles than Wexley in the semi-final.",
        "Wexley made 56 fewer tackles than Dunmore in the semi-final.",
    ],
)
def test_a_gap_between_two_amounts_stated_apart_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Birchmoor has 1.5 million more members than Aldwick.",
        "Aldwick has 1.5 million fewer members than Birchmoor.",
        "Wexley made 56 more tackles than Dunmore in the semi-final.",
    ],
)
def test_a_gap_told_the_other_way_round_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


def test_a_gap_the_amounts_do_not_make_is_unsupported(index: SourceIndex) -> None:
    assert worst("Aldwick has 2.5 million more members than Birchmoor.", index) == UNSUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The walkers called 999 eight and a half hours after leaving the car park.",
        "The library will open for 12 hours a day on weekdays.",
    ],
)
def test_a_span_between_two_stated_times_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The walkers called 999 six hours after leaving the car park.",
        "The library will open for 10 hours a day on weekdays.",
    ],
)
def test_a_span_the_times_do_not_make_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        ("Aldwick has 1500000 more members than Birchmoor.", ("Aldwick", "Birchmoor")),
        ("Aldwick has 1500000 fewer members than Birchmoor.", ("Birchmoor", "Aldwick")),
        ("Aldwick has more than 1500000 members, unlike Birchmoor.", None),
        ("Aldwick has 1500000 members.", None),
    ],
)
def test_the_gap_a_claim_reads(text: str, gap: tuple[str, str] | None) -> None:
    figure = numbers.quantities(text)[0]
    read = stated_amounts.claimed_gap(text, figure, entities(text))
    assert (read and (read.larger, read.smaller)) == gap


@pytest.mark.parametrize(
    "text",
    ["They called 999 at 4.30pm.", "They dialled 911 from the roadside.", "A 999 call came in at noon."],
)
def test_a_dialled_emergency_number_is_not_a_figure(text: str) -> None:
    assert not [q for q in numbers.quantities(numbers.normalize_numbers(text)) if q.value in (999, 911)]


def test_the_same_digits_as_a_count_are_a_figure() -> None:
    found = numbers.quantities(numbers.normalize_numbers("The appeal raised £999 from 999 donors."))
    assert [q.value for q in found] == [999, 999]


EVENTS = SourceDocument(
    title="Ravensholm Library celebrates",
    text="\n".join(
        [
            "Ravensholm Library, opened by the town council in 1878, is the oldest in the county.",
            "Its reading room was rebuilt in 1956 after a fire.",
            "The poet Imogen Tarrant, who was born in Ravensholm in 1921, gave her papers to the library.",
        ]
    ),
    publisher="The Ravensholm Echo",
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("The reading room was rebuilt 78 years after the library opened.", SUPPORTED),
        ("Imogen Tarrant was born 43 years after the library opened.", SUPPORTED),
        ("The library opened 78 years before its reading room was rebuilt.", SUPPORTED),
        ("The library opened 78 years after its reading room was rebuilt.", UNSUPPORTED),
        ("The reading room was rebuilt 60 years after the library opened.", UNSUPPORTED),
    ],
)
def test_two_events_dated_apart_are_that_many_years_apart(claim: str, verdict: str) -> None:
    assert worst(claim, SourceIndex(EVENTS)) == verdict
