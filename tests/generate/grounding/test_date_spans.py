"""Spans between the dates a source gives (days, weeks, months; a range of days counted with both ends),
and claims that count them: "reopened 12 days after the flood" where the source dates the flood and the
reopening. A span the dates do not make is still a wrong number. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, date_spans

SOURCE = SourceDocument(
    title="Library reopens after flood",
    text="\n".join(
        [
            "Floodwater reached the Marlow Street library on 3 February 2025.",
            "The library reopened on 15 February, and its book fair ran from 20 to 23 March.",
            "Its roof repair began in June 2025 and ended in September 2025.",
        ]
    ),
    publisher="The Marlow Mercury",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_days_between_two_dates_take_the_year_given_before() -> None:
    text = "It flooded on 3 February 2025 and reopened on 15 February."
    assert 12.0 in date_spans.spans(text, "day")
    assert date_spans.dates(text)[1] == date_spans.Dated(2025, 2, 15)


def test_a_range_of_days_counts_both_ends() -> None:
    assert date_spans.spans("The fair ran from 20 to 23 March.", "day") == {4.0}


def test_months_between_dates_of_a_month() -> None:
    assert date_spans.spans("It began in June 2025 and ended in September 2025.", "month") == {3.0}
    assert date_spans.spans("on 4 January and on 20 March", "month") == set()  # not whole months


def test_may_alone_is_no_date() -> None:
    assert date_spans.dates("She may return in May 2026.") == [date_spans.Dated(2026, 5, None)]


@pytest.mark.parametrize(
    "claim",
    [
        "The Marlow Street library reopened 12 days after the floodwater reached it.",
        "The library's book fair ran for four days.",
        "The roof repair took three months.",
    ],
)
def test_a_span_the_dates_make_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "The Marlow Street library reopened 10 days after the floodwater reached it.",
        "The library's book fair ran for five days.",
    ],
)
def test_a_span_the_dates_do_not_make_is_caught(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
