"""Who gives an amount to whom (a planted `reversed_relation` error): "the club pays the council" where the
source has the council pay the club, or the club receive from it, is caught whatever verb tells it; the
same transfer told with the converse verb or the other word order passes. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex
from qapress.generate.grounding.transfers import transfers

SOURCE = SourceDocument(
    title="Rowing club keeps its boathouse",
    text="\n".join(
        [
            "Wexcombe Rowing Club, which receives £18,000 a year from the town council, will keep its"
            " boathouse on the river.",
            "The club will pay the Harbour Trust £4,500 for the slipway repairs in the spring.",
            "Its captain, Nina Osei, said the crews were relieved.",
        ]
    ),
    publisher="The Wexcombe Herald",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_the_three_orders_read_as_one_giver_and_recipient() -> None:
    read = {
        (t.giver, t.recipient)
        for text in (
            "The council pays the club £5,000.",
            "The council pays £5,000 to the club.",
            "The club receives £5,000 from the council.",
        )
        for t in transfers(text)
    }
    assert read == {(frozenset({"council"}), frozenset({"club"}))}


@pytest.mark.parametrize(
    "claim",
    [
        "Wexcombe Rowing Club gives the town council £18,000 a year.",
        "The Harbour Trust will pay the club £4,500 for the slipway repairs.",
        "The Harbour Trust will receive a payment of £4,500 from the town council.",
    ],
)
def test_an_amount_told_the_other_way_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The town council gives Wexcombe Rowing Club £18,000 a year.",
        "The club will pay £4,500 to the Harbour Trust for the slipway repairs.",
    ],
)
def test_the_same_transfer_in_other_words_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED
