"""Numbers said in parts, as people say them: "four and a quarter years", "nineteen and a half
thousand", "a year and a half", "four years and three months", "eleven point two million pounds",
"two pounds twenty"; and a unit's abbreviation ("11.4km", "1.2GW") is the unit written out."""

from __future__ import annotations

import pytest

from qapress.generate.grounding.numbers import normalize_numbers, quantities


def value(text: str) -> tuple[float, str, str | None]:
    found = quantities(normalize_numbers(text))
    assert len(found) == 1, found
    return found[0].value, found[0].kind, found[0].currency


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("jailed for four and a quarter years", "jailed for 4.25 years"),
        ("jailed for four years and three months", "jailed for 4.25 years"),
        ("about nineteen and a half thousand students", "about 19,500 students"),
        ("twenty-one and a half million bottles", "21.5 million bottles"),
        ("three and a half hours", "3.5 hours"),
        ("over the next year and a half", "over the next 1.5 years"),
        ("fined eleven point two million pounds", "fined £11.2m"),
        ("a fare of two pounds twenty.", "a fare of £2.20."),
    ],
)
def test_a_number_said_in_parts_is_one_value(spoken: str, written: str) -> None:
    assert value(spoken) == value(written)


def test_the_parts_are_not_added_when_they_count_different_things() -> None:
    assert [q.value for q in quantities(normalize_numbers("two pounds and 20 people"))] == [2.0, 20.0]
    assert value("a fare of two pounds twenty.") != value("a fare of £2.02.")


@pytest.mark.parametrize(
    ("short", "long"),
    [("the 11.4km line", "the 11.4-kilometre line"), ("a 1.2GW farm", "a 1.2-gigawatt farm")],
)
def test_a_units_abbreviation_is_the_unit(short: str, long: str) -> None:
    a, b = quantities(normalize_numbers(short))[0], quantities(normalize_numbers(long))[0]
    assert a.same_as(b) and a.measure == b.measure


def test_a_possessive_before_the_noun_is_not_what_is_counted() -> None:
    assert quantities(normalize_numbers("six of the hospice's beds closed"))[0].unit == "beds"
