"""A determiner negation ("no", "without") negates the noun phrase it stands before, and so its head: "no
night work" denies work, as "with no work at night" does, whatever modifiers either side puts before the
noun. A negation moved from the verb to the noun keeps a two-word cue ("no results have been released yet"
keeps "not yet"). Sentences of their own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, polarity

SOURCE = SourceDocument(
    title="Depot rebuild gets the go-ahead",
    text="\n".join(
        [
            "Demolition at the Ferncliffe bus depot will begin in May, with no work at night.",
            "Independent safety checks on the new roof have not yet been published.",
            "The depot will keep its canteen open throughout the rebuild.",
        ]
    ),
    publisher="The Ferncliffe Courier",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("No construction work will be allowed.", "work"),
        ("with no work on Sundays", "work"),
        ("No independent battery tests were run.", "test"),
        ("no tests published", "test"),
        ("Without the council's grant the hall would close.", "grant"),
    ],
)
def test_a_determiner_negation_falls_on_the_head_of_its_phrase(text: str, head: str) -> None:
    negated = polarity.negated_lemmas(text)
    assert head in negated
    assert len(negated) == 1


def test_a_verb_negation_still_falls_on_the_verb() -> None:
    assert polarity.negated_lemmas("The board did not approve the plan.") == {"approve"}


def test_the_same_denial_with_modifiers_before_the_noun_passes(index: SourceIndex) -> None:
    assert worst("No demolition work will take place at night at the depot.", index) == SUPPORTED


def test_a_denial_the_source_does_not_make_is_caught(index: SourceIndex) -> None:
    assert worst("The depot will not keep its canteen open during the rebuild.", index) == UNSUPPORTED


def test_not_yet_moved_onto_the_noun_is_kept(index: SourceIndex) -> None:
    assert worst("No independent safety checks on the new roof have been published yet.", index) == SUPPORTED
    assert worst("Independent safety checks on the new roof have been published.", index) == UNSUPPORTED
