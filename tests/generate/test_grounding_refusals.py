"""Polarity told by a refusal ("refused to", "turned down", "declined to", "rejected") and by a target or
limit met or missed ("hit"/"missed", "within"/"over"): a claim that tells the act as done, or the limit
the other way, is unsupported; the same refusal in other words is kept. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex
from qapress.generate.grounding.polarity import negated_lemmas

SOURCE = SourceDocument(
    title="Engineer who refused a knighthood dies",
    text="\n".join(
        [
            "Tomas Brandt turned down a knighthood in 2011.",
            "He refused to sell the pump design to the Harlow Water Company.",
            "The firm declined to publish its accounts.",
            "The council missed its target of 300 new homes in each of the past three years.",
            "The bridge was finished within the budget set in 2019.",
        ]
    ),
    publisher="The Harlow Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("She turned down a knighthood.", "knighthood"),
        ("The firm declined to publish its accounts.", "publish"),
        ("The union rejected the offer.", "offer"),
        ("He was accused of failing to pay the fine.", "pay"),
    ],
)
def test_a_refusal_negates_what_is_refused(text: str, negated: str) -> None:
    assert negated in negated_lemmas(text)


@pytest.mark.parametrize(
    "text",
    [
        "Brandt agreed to sell the pump design to the Harlow Water Company.",
        "Brandt accepted a knighthood in 2011.",
        "The council hit its target of 300 new homes in each of the past three years.",
        "The bridge went over the budget set in 2019.",
    ],
)
def test_a_refused_act_or_a_missed_target_told_as_done_is_unsupported(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == UNSUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "Brandt declined to sell the pump design to the Harlow Water Company.",
        "The council has missed its target of 300 new homes in each of the past three years.",
    ],
)
def test_the_same_refusal_in_other_words_is_kept(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == SUPPORTED
