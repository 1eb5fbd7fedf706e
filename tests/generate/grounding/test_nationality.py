"""Nationality words against the source's country names and "-born" forms (a true `nationality` claim
must pass): "Chilean-born" where the source says "born in Chile", the doer of a second verb joined by
"and" ("who was born in Chile and moved to Leeds") is the person, not the country; a figure written out
before a nationality word ("Forty Chilean miners") is no name; and a swapped nationality is still
caught. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, lexicon, names_in
from qapress.generate.grounding.polarity import roles

SOURCE = SourceDocument(
    title="New head for Leeds mining museum",
    text="\n".join(
        [
            "The museum's new director, Paola Ruiz, who was born in Chile and moved to Leeds as a student,"
            " starts in May.",
            "A team of 40 Chilean miners visited the museum last year to record their stories.",
            "Ruiz wrote two books on the history of copper mining.",
        ]
    ),
    publisher="The Leeds Courier",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_a_verb_joined_by_and_shares_the_first_verbs_subject() -> None:
    read = roles("Ruiz, who was born in Chile and moved to Leeds as a student, starts in May.", {"move"})
    assert read is not None and "chile" not in read.agent


def test_a_written_out_figure_before_a_nationality_is_no_name() -> None:
    assert names_in("Forty Chilean miners visited the museum.") == []


@pytest.mark.parametrize(
    "claim",
    [
        "Paola Ruiz is Chilean-born and moved to Leeds as a student.",
        "Forty Chilean miners visited the museum last year.",
    ],
)
def test_a_nationality_the_source_says_by_its_country_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


def test_a_swapped_nationality_is_still_caught(index: SourceIndex) -> None:
    assert worst("Paola Ruiz is Peruvian-born and moved to Leeds as a student.", index) == UNSUPPORTED


BORN = SourceDocument(
    title="Quay theatre names new director",
    text="\n".join(
        [
            "The Quay Theatre has appointed Ingrid Solberg, a Norwegian-born designer, as its director.",
            "Kenyan-born actor Daniel Mwangi will lead the first production, which opens in March.",
            "Solberg said the theatre had been run on goodwill and a Spanish grant for two years.",
        ]
    ),
    publisher="The Quay Courier",
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("Ingrid Solberg was born in Norway.", SUPPORTED),
        ("Daniel Mwangi, who will lead the first production, was born in Kenya.", SUPPORTED),
        ("Ingrid Solberg was born in Spain.", UNSUPPORTED),
        ("Daniel Mwangi is Norwegian-born.", UNSUPPORTED),
    ],
)
def test_a_born_word_is_read_by_its_parts_and_its_place(claim: str, verdict: str) -> None:
    assert worst(claim, SourceIndex(BORN)) == verdict


def test_a_born_word_has_the_lemmas_of_its_parts() -> None:
    assert {"born", "bear", "swedish"} <= lexicon.lemmas("Swedish-born")
    assert lexicon.lemmas("non-binding") == {"non-binding"}
