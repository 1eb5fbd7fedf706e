"""Numbers in the forms a draft may write them (a true `number_form` claim must pass, a planted
`number_value` error must not): a span in hours, minutes and seconds ("3h 05min 40sec" for "three hours,
five minutes and 40 seconds"), a year said as two numbers ("eighteen forty-one"), a compound number
before a hyphened noun ("a thirty-two-year career"), a fraction written as one character ("7½")."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex
from qapress.generate.grounding.numbers import normalize_numbers, quantities

SOURCE = SourceDocument(
    title="Fell race record falls",
    text="\n".join(
        [
            "Megan Hale won the Crag Fell race in three hours, five minutes and 40 seconds on Sunday.",
            "The race was first run in 1841 and Hale's coach, Aled Pryce, ended a 32-year career last year.",
            "Hale finished 7½ minutes clear of the runner-up, Sofia Brandt.",
            "Brandt crossed the line 2min 10sec ahead of the third runner.",
        ]
    ),
    publisher="The Fell Runner",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("3h 05min 40sec", "11140 seconds"),
        ("three hours, five minutes and 40 seconds", "11140 seconds"),
        ("2min 10sec", "130 seconds"),
        ("eighteen forty-one", "1841"),
        ("a thirty-two-year career", "a 32-year career"),
        ("7½ minutes", "7.5 minutes"),
    ],
)
def test_spans_years_and_glyphs_are_read_as_one_value(written: str, read: str) -> None:
    assert normalize_numbers(written) == read


@pytest.mark.parametrize(
    "claim",
    [
        "Megan Hale won the Crag Fell race in 3h 5min 40sec.",
        "The race was first run in eighteen forty-one.",
        "Aled Pryce ended a thirty-two-year career last year.",
        "Hale finished seven and a half minutes clear of Sofia Brandt.",
    ],
)
def test_a_number_in_another_form_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Megan Hale won the Crag Fell race in 3h 5min 50sec.",
        "The race was first run in eighteen forty-two.",
        "Hale finished eight and a half minutes clear of Sofia Brandt.",
    ],
)
def test_a_number_of_another_value_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The club was founded in 1861.", "year"),
        ("It has been open since 1894.", "year"),
        ("The charter is dated March 1850.", "year"),
        ("The boat was built between 1440 and 1380 BC.", "year"),
        ("The council wants 1500 homes.", "count"),
        ("In 1850 homes the pipes were lead.", "count"),
        ("A longlist of 1300 entries.", "count"),
    ],
)
def test_a_year_before_1900_is_a_year_where_a_word_dates_it(text: str, kind: str) -> None:
    found = quantities(normalize_numbers(text))
    assert found[0].kind == kind


@pytest.mark.parametrize("text", ["It will pay £2m towards the repairs.", "A grant of £2m toward the costs."])
def test_a_preposition_after_an_amount_is_not_what_it_counts(text: str) -> None:
    assert quantities(normalize_numbers(text))[0].unit in (None, "grant")


def test_an_amount_given_towards_something_is_the_source_s_amount() -> None:
    source = SourceDocument(
        title="Harbour wall repairs",
        text="The repairs will start in May. The Marine Trust will pay £3.5m.",
        publisher="The Harbour Times",
    )
    assert (
        worst("The Marine Trust will pay £3.5 million towards the repairs.", SourceIndex(source)) == SUPPORTED
    )


@pytest.mark.parametrize(
    ("claim", "clock", "same"),
    [
        ("in the 78th minute", "78 min", True),
        ("in the 78th minute", "78 mins", True),
        ("in the 78th minute", "77 min", False),
        ("in the 34th minute", "34 minutes", False),  # "34 minutes from time" is no minute of the match
    ],
)
def test_a_minute_of_a_match_is_the_live_clock_s_minute(claim: str, clock: str, same: bool) -> None:
    rank = quantities(normalize_numbers(claim))[0]
    told = quantities(normalize_numbers(clock))[0]
    assert rank.same_as(told) is same


def test_a_lap_time_in_minutes_and_seconds_is_not_a_one_minute_span() -> None:
    found = quantities(normalize_numbers("a lap of 1min 19.6sec"))
    assert not any(q.kind == "duration" and q.value == 1 for q in found)
