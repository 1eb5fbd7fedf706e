"""Two false alarms seen on drafts, kept from coming back: a role told after "is" ("X is the board
chair") against the source's role before the name ("board chair X"), and a value told with "is worth"
against a source that says the deal "is valued at" it. The wrong role and the wrong value stay caught. A
source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Norland harbour deal signed",
    text="\n".join(
        [
            "Board chair Emma Kowalczyk signed the harbour deal with Norland Ports on Monday.",
            "The agreement, which runs for ten years, is valued at $1.2 billion, the city said.",
            "The port employs 400 people and handles grain.",
        ]
    ),
    publisher="The Norland Record",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "Emma Kowalczyk is the board chair.",
        "Kowalczyk is the board chair.",
        "The deal is worth $1.2 billion.",
    ],
)
def test_a_role_or_value_told_after_is_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize("claim", ["Kowalczyk is the chief executive.", "The deal is worth $1.5 billion."])
def test_the_wrong_role_or_value_is_still_caught(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
