"""A negation word that only adds emphasis negates nothing: "none other than X" names X, "nothing but
praise" is praise, "not only A" keeps A. A claim without the negation passes; one that negates is caught.
A source of its own (the false alarm was seen on the seed page: "none other than Leonardo DiCaprio rumored
to be in talks")."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, polarity

SOURCE = SourceDocument(
    title="Harbour festival adds a headliner",
    text="\n".join(
        [
            "The harbour festival has grown, with none other than Mira Calloway rumoured to be in talks to play.",
            "Critics had nothing but praise for last year's opening night.",
            "The council not only funded the stage but also paid for the buses.",
        ]
    ),
    publisher="The Quayside Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("with none other than Mira Calloway rumoured to be in talks", set()),
        ("Critics had nothing but praise", set()),
        ("The council not only funded the stage", set()),
        ("The council did not fund the stage", {"fund"}),
        ("None of the critics praised it", {"critic"}),
    ],
)
def test_only_a_negation_that_negates_puts_its_words_under_it(text: str, negated: set[str]) -> None:
    assert polarity.negated_lemmas(text) == negated


@pytest.mark.parametrize(
    "claim",
    [
        "Mira Calloway is rumoured to be in talks to play the festival.",
        "The council funded the stage.",
    ],
)
def test_a_claim_without_the_emphasis_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


def test_a_claim_that_negates_is_still_caught(index: SourceIndex) -> None:
    assert worst("The council did not fund the stage.", index) == UNSUPPORTED
