"""Whom a "she" means, and who does an act: a sentence whose subject is "she" goes on about the person
before it, so a name it tells after the pronoun (its object) does not take her place; a name a speaker
says inside a quotation is not whom the next "she" means; a body's name of several words ("Imperial
College London") is no one's antecedent; a name after a preposition ("a visit to northern Ghana",
"in Brennan") is no one's subject, nor is a nationality word ("a Danish-owned firm based in Hull"). A claim that gives the act to someone else is still caught.
Sentences of their own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Inventor of the solar lamp dies",
    text="\n".join(
        [
            "Professor Ilse Marwood, who designed a cheap solar lamp, has died aged 90.",
            "In 1969 she married the surveyor Tomas Brandvik, and she held a post at Kingsbridge Technical"
            " College.",
            "On a trip to rural Malawi in 1980 she saw that many pupils studied by candlelight.",
            "She refused to sell the rights to the lamp.",
            '"Tomas built our workshop. I only wanted to light the classrooms," she said.',
            "She hoped to open a factory in Lusaka.",
            "Her rival Piet Oduya said the lamp was too fragile.",
            "The lamps are now made by Corvane Works, a Danish-owned firm based in Hull.",
        ]
    ),
    publisher="The Engineering Weekly",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_the_subject_she_keeps_her_antecedent_past_the_names_she_mentions(index: SourceIndex) -> None:
    after_marriage = index.sentences[3]  # "On a trip to rural Malawi ... she saw"
    assert (after_marriage.previous_person or "").endswith("Marwood")
    assert (index.sentences[4].previous_person or "").endswith("Marwood")
    assert (index.sentences[6].previous_person or "").endswith("Marwood")  # not "Tomas", named by her


@pytest.mark.parametrize(
    "claim",
    [
        "Marwood refused to sell the rights to her lamp.",
        "In 1980, on a trip to rural Malawi, Marwood saw pupils studying by candlelight.",
        "Marwood hoped to open a factory in Lusaka.",
        "Corvane Works, based in Hull, now makes the lamps.",
    ],
)
def test_the_act_is_given_to_whom_the_pronoun_means(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


def test_giving_the_act_to_someone_else_is_still_caught(index: SourceIndex) -> None:
    assert worst("Tomas Brandvik refused to sell the rights to the lamp.", index) == UNSUPPORTED
    assert worst("Tomas Brandvik hoped to open a factory in Lusaka.", index) == UNSUPPORTED
