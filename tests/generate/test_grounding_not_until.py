""" "Not until 2028" puts the act in 2028 or after it, so "before 2028" says the opposite; "has yet to"
and "still needs" negate the act they wait for. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst as worst_verdict

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex
from qapress.generate.grounding.polarity import negated_lemmas

SOURCE = SourceDocument(
    title="Record harvest for English vineyards",
    text="This year's sparkling wine must be aged, so the bottles will not reach shops until 2028 at the"
    " earliest. The estate sold 4,000 bottles of its still wine in 2025.",
    publisher="The Vine Post",
)


def worst(text: str) -> str:
    return worst_verdict(text, SourceIndex(SOURCE))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This year's sparkling wine will reach shops before 2028.", UNSUPPORTED),
        ("This year's sparkling wine will not reach shops until 2028.", SUPPORTED),
    ],
)
def test_not_until_a_year_is_not_before_it(text: str, expected: str) -> None:
    assert worst(text) == expected


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("The deal has yet to pass parliament.", "pass"),
        ("It still needs the approval of parliament.", "approval"),
    ],
)
def test_waiting_for_an_act_negates_it(text: str, negated: str) -> None:
    assert negated in negated_lemmas(text)
