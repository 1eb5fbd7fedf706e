"""A hedge governs its own conjunct: in "X was done and could be Y" the doubt is about Y, and in "a bet
that could pay off" about the paying off, so a claim of X (or of the bet) drops no hedge. A hedge word
after "than" or "as" names a standard ("later than planned", "as expected"), and a modal with its verb
left unsaid ("gave what they could") hedges nothing new. Claims of the hedged act itself must still keep
the hedge, across a relative clause too ("a guide that probably will not last"). Sentences of their own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Pump maker's new design",
    text="\n".join(
        [
            "Engineer Tomas Reyl designed a hand pump which lifted more than 40 litres a minute and could"
            " be built for less than $30.",
            "The ferry service began running in March, two years later than planned.",
            "Critic Anya Holm called the design a clever gamble that might reshape the market.",
            "Volunteers gave what they could to repair the village wells.",
            "The regulator said it had approved the pump in 2024 and expected to publish a review next year.",
            "Reviewer Lena Ardo called the manual a gentle guide that probably will not last.",
        ]
    ),
    publisher="The Valley Engineer",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "text",
    [
        "Reyl's hand pump lifted more than 40 litres a minute.",
        "Two years late, the ferry service began running in March.",
        "Critic Anya Holm called the design a clever gamble.",
        "Volunteers gave to repair the village wells.",
        "In 2024 the regulator approved the pump.",
        "Reviewer Lena Ardo called the manual a gentle guide.",
    ],
)
def test_a_fact_beside_a_hedged_conjunct_keeps_no_hedge(text: str, index: SourceIndex) -> None:
    assert worst(text, index) == SUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "Reyl's hand pump will be built for less than $30.",
        "The regulator will publish a review next year.",
        "Holm said the gamble will reshape the market.",
        "Ardo called the manual a guide that will not last.",
    ],
)
def test_the_hedged_act_itself_must_keep_its_hedge(text: str, index: SourceIndex) -> None:
    assert worst(text, index) == UNSUPPORTED
