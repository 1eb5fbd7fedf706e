"""Rules of the verdict on one claim: a hedge reaches its own clause, not a subordinate clause after it
("could only change once the 38 trains were in service" tells the 38 trains as fact); "it is thought
that X" keeps the source's "X is thought to"; and "again" says an act happened before, so the source
must tell a repeat (a state restored, "be working again", needs none). A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Harbour line gets new trains",
    text="\n".join(
        [
            "The operator said services could only improve once its 24 new trains, built by Corvale, were"
            " all running.",
            "The plan was first proposed in 2019, when the line carried 4.1 million passengers.",
            "About 300 otters are thought to live on the estuary.",
            "The line was closed by a landslip in March and flooded again in June.",
            "The ticket office will stay shut until its computers are repaired.",
        ]
    ),
    publisher="The Harbour Times",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "The operator has 24 new trains, built by Corvale.",
        "The line carried 4.1 million passengers.",
        "It is thought that about 300 otters live on the estuary.",
        "The line flooded again in June.",
        "When will the ticket office's computers be working again?",
    ],
)
def test_a_fact_outside_the_hedge_or_a_told_repeat_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Services will improve once the operator's 24 new trains are all running.",
        "About 300 otters live on the estuary.",
        "The line was closed again by a landslip in March.",
    ],
)
def test_a_hedged_act_told_as_fact_or_a_repeat_the_source_never_tells_is_unsupported(
    index: SourceIndex, claim: str
) -> None:
    assert worst(claim, index) == UNSUPPORTED
