"""A change told by its two figures, read by the figures whatever stands between them: "from 2.4 in 2000 to
1.6 now" (a year dates the first figure), "from 1 hour 52 minutes to 1 hour 41", "to 18%, down from 31%".
A claim that runs the change the other way round is caught; one that keeps its order passes. A source of
its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, numbers

SOURCE = SourceDocument(
    title="Ferry crossing gets quicker",
    text="\n".join(
        [
            "The crossing from Tarbet to Lochend drops from 1 hour 10 minutes to 55 minutes in May.",
            "The number of ferries on the route has fallen from 6 in 2010 to 4 now.",
            "Passenger numbers rose to 310,000 last year, up from 250,000.",
        ]
    ),
    publisher="The Lochend Gazette",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("has fallen from 2.4 in 2000 to 1.6 now", ("2.4", "1.6")),
        ("drops from 1 hour 52 minutes to 1 hour 41 minutes", ("112 minutes", "101 minutes")),
        ("rose to 18%, down from 31%", ("31%", "18%")),
    ],
)
def test_a_change_is_read_by_its_figures(text: str, ends: tuple[str, str]) -> None:
    found = numbers.changes(numbers.normalize_numbers(text))
    assert [(a.text, b.text) for a, b in found] == [ends]


@pytest.mark.parametrize(
    "claim",
    [
        "The Tarbet to Lochend crossing drops from 1 hour 10 minutes to 55 minutes.",
        "The number of ferries on the route has fallen from 6 in 2010 to 4 now.",
    ],
)
def test_a_change_in_the_sources_order_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The Tarbet to Lochend crossing goes from 55 minutes to 1 hour 10 minutes.",
        "The number of ferries on the route has gone from 4 in 2010 to 6 now.",
        "Passenger numbers went from 310,000 to 250,000 last year.",
    ],
)
def test_a_change_turned_round_is_caught(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
