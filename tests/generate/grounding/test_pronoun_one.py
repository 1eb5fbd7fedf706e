""" "One" that is a pronoun counts nothing: "no one was hurt" is nobody, and in "had not bought a boat and
would not buy one" it stands for the boat under a negation. "One" that counts ("one boat", "won one") is
still checked as a number. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Harbour fire put out overnight",
    text="\n".join(
        [
            "A fire in a boat shed at Penhallow harbour was put out overnight, and no one was hurt.",
            "The harbour master, Kit Rowe, said the harbour had not insured the shed and could not afford to.",
            "Two boats were destroyed.",
        ]
    ),
    publisher="The Penhallow Packet",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "A boat shed fire at Penhallow harbour was put out overnight, and no one was hurt.",
        "Kit Rowe said the harbour had not insured the shed and could not afford one.",
    ],
)
def test_one_as_a_pronoun_counts_nothing(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


def test_one_that_counts_is_still_a_number(index: SourceIndex) -> None:
    assert worst("One boat was destroyed in the Penhallow harbour fire.", index) == UNSUPPORTED
