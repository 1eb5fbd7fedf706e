"""A question about who did something, or how many did, takes for granted that someone did ("Who is
buying the firm?", "How many passengers were injured?"): an act the source never tells of those
participants is a false premise; one it tells, in its words or a synonym, is kept. A source of its own."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, Claim, SourceIndex, check_claim

SOURCE = SourceDocument(
    title="Harlow Town reach cup final",
    text="\n".join(
        [
            "Harlow Town will face Dunmore Rovers in the cup final on May 17.",
            "The flight landed safely in Halvik and all 112 passengers left by the emergency slides.",
            "Hartwell's will close 18 of its 64 stores over the next year, the retailer said.",
        ]
    ),
    publisher="The Harlow Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def asked(text: str, index: SourceIndex) -> str:
    return check_claim(Claim(text, "question", True, False), index).verdict


def test_a_question_taking_an_untold_act_for_granted_is_unsupported(index: SourceIndex) -> None:
    assert asked("Who is buying Hartwell's?", index) == UNSUPPORTED


def test_an_untold_act_among_the_sources_words_is_never_passed(index: SourceIndex) -> None:
    # All but "injured" is the source's: left to the editor at least, never passed.
    assert asked("How many passengers were injured when the flight landed?", index) != SUPPORTED


@pytest.mark.parametrize(
    "text", ["Who will Harlow Town play in the cup final?", "How many stores will Hartwell's close?"]
)
def test_a_question_about_an_act_the_source_tells_is_kept(index: SourceIndex, text: str) -> None:
    assert asked(text, index) == SUPPORTED


@pytest.mark.parametrize("text", ["Which stores are closing?", "Who are the key people?"])
def test_a_question_asking_which_there_are_takes_no_act_for_granted(index: SourceIndex, text: str) -> None:
    assert asked(text, index) != UNSUPPORTED
