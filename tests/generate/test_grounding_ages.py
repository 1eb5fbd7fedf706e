"""Ages as news writes them ("Pell, 58,") and as claims tell them ("Pell is fifty-eight years old",
"Moll is 45 years older than Varga"), on a source of their own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, ages
from qapress.generate.grounding.numbers import normalize_numbers

SOURCE = SourceDocument(
    title="Harlow choir names new director",
    text="\n".join(
        [
            "The Harlow Choral Society has appointed Ines Varga, 34, as its music director.",
            "She succeeds Peter Moll, 79, who has led the choir since 2001.",
            "Anna Roth, 41, and her father, Karl Roth, 70, founded the society's youth choir.",
            "The choir has 58 singers.",
        ]
    ),
    publisher="The Harlow Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_an_age_in_apposition_is_read_with_its_person() -> None:
    found = ages.stated("Gordon Pell, 58, of Abbey Close, admitted fraud.")
    assert [(a.person, a.years) for a in found] == [("pell", 58)]
    assert ages.stated("The club has 58 members, 12 of them new.") == []


def test_an_age_told_in_words_is_the_number_of_the_claim() -> None:
    text = normalize_numbers("Pell is fifty-eight years old.")
    told = ages.claimed(text, text.index("58"))
    assert told is not None and (told.person, told.years, told.other) == ("pell", 58, None)


@pytest.mark.parametrize(
    "text",
    [
        "Varga is thirty-four years old.",
        "Moll is seventy-nine years old.",
        "Moll is 45 years older than Varga.",
        "Varga is 45 years younger than Moll.",
        "Karl Roth was 29 years older than his daughter.",
    ],
)
def test_an_age_or_a_gap_of_ages_the_source_gives_is_supported(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == SUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "Varga is 79 years old.",  # Moll's age given to Varga
        "Varga is 58 years old.",  # a number of the source that counts singers
        "Moll is 44 years older than Varga.",
        "Varga is 45 years older than Moll.",  # the gap the wrong way round
    ],
)
def test_a_wrong_age_or_gap_is_unsupported(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == UNSUPPORTED
