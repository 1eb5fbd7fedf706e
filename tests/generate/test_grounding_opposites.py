"""Opposites and denials: "lost to" for "beat" with the sides turned round is the same fact (a converse),
"refused" for "approved" is a contradiction whichever way round the participants stand, and a positive
claim whose things a source clause tells under a negation with another verb ("named in the squad" where
he "was not included in the squad") is unsupported. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, Claim, SourceIndex, check_claim
from qapress.generate.grounding.polarity import converse

SOURCE = SourceDocument(
    title="Kiln Lane homes approved",
    text="\n".join(
        [
            "Plans for 340 homes on the former Kiln Lane brickworks were approved by the Aldersey planning"
            " committee on Tuesday.",
            "Officers had recommended approval of the scheme.",
            "Harwick Town beat Dunmore Rovers 3-1 on Saturday.",
            "The striker Tiago Marques has won three caps for Portugal but was not included in the squad for"
            " next month's qualifiers.",
            "The hall is run by volunteers and receives no public funding.",
        ]
    ),
    publisher="The Aldersey Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_converses_are_told_apart_from_other_opposites() -> None:
    assert converse("beat", "lose") and converse("sell", "buy")
    assert not converse("approve", "refuse")


@pytest.mark.parametrize(
    "text",
    [
        "Why did the Aldersey planning committee refuse the Kiln Lane brickworks homes?",
        "Why did officers recommend refusing the scheme?",
    ],
)
def test_a_question_that_takes_the_opposite_decision_for_granted_is_unsupported(
    index: SourceIndex, text: str
) -> None:
    assert check_claim(Claim(text, "question", True, False), index).verdict == UNSUPPORTED


def test_a_converse_with_the_sides_turned_round_is_the_same_fact(index: SourceIndex) -> None:
    assert worst("Dunmore Rovers lost to Harwick Town 3-1 on Saturday.", index) != UNSUPPORTED
    assert worst("Harwick Town lost to Dunmore Rovers 3-1 on Saturday.", index) == UNSUPPORTED


def test_an_act_the_source_denies_in_other_words_is_unsupported(index: SourceIndex) -> None:
    assert worst("Marques was named in Portugal's squad for next month's qualifiers.", index) == UNSUPPORTED


def test_a_negation_of_something_else_in_the_clause_denies_nothing(index: SourceIndex) -> None:
    assert worst("Marques has won three caps for Portugal.", index) == SUPPORTED
    assert worst("The hall is run by volunteers.", index) == SUPPORTED
