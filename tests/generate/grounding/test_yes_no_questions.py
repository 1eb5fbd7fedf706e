"""A question asked yes or no ("Has the council paid the fine?") asserts neither answer, so a source that
answers no does not make it unsupported, whether or not the caller marked the claim as yes-no; a "why"
question still takes its act for granted. A source of its own."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, Claim, SourceIndex, check_claim
from qapress.generate.grounding.claims import asks_yes_no

SOURCE = SourceDocument(
    title="Council has not paid the pollution fine",
    text="\n".join(
        [
            "Dunmere council has not paid the £40,000 pollution fine imposed in March.",
            "Its leader, Ruth Okoro, said the council would appeal against the fine in the high court.",
        ]
    ),
    publisher="The Dunmere Echo",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("question", "expected"),
    [("Has the council paid the fine?", True), ("Will Okoro appeal?", True), ("Why did it pay?", False)],
)
def test_a_question_opening_with_an_auxiliary_asks_yes_or_no(question: str, expected: bool) -> None:
    assert asks_yes_no(question) is expected


def test_a_yes_no_question_the_source_answers_no_is_supported(index: SourceIndex) -> None:
    for yes_no in (True, False):  # marked by the caller or not
        check = check_claim(
            Claim("Has Dunmere council paid the pollution fine?", "question", True, yes_no), index
        )
        assert check.verdict == SUPPORTED


def test_a_why_question_still_takes_its_act_for_granted(index: SourceIndex) -> None:
    check = check_claim(Claim("Why did Dunmere council pay the pollution fine?", "question", True), index)
    assert check.verdict == UNSUPPORTED
