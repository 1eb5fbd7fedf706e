"""Quotations and their speakers (a true `quote_exact` claim must pass; a planted `quote_speaker` or
`quote_altered` error must not): the "he said" after a quotation is the sentence's own speaker, or the
person the sentence before is about, never a name inside a clause that describes them ("who runs a shop
on Mill Street"), a body they work for ("of the Fenwick Institute for Housing Research"), or the owner
of their post ("Alder's manager, Rosa Lind"); a quotation cut just before its "not" is trimmed; the
speaker's other sentences around an exact quotation do not turn its polarity. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Mill Street shops fear long roadworks",
    text="\n".join(
        [
            "Council engineer Omar Haddad said the works on Mill Street would last until June.",
            "Jo Carter, who runs a bakery on Mill Street beside the Harlow Arms, said trade had halved.",
            '"We are not blaming the workmen. We are blaming the planning," she said.',
            "Alder's manager, Rosa Lind, said the shop would stay open.",
            '"I hoped they would finish before Easter. They will not," she said.',
            "Ian Moss of the Fenwick Institute for Housing Research said the street needed the works.",
            '"It is overdue," he said.',
        ]
    ),
    publisher="The Harlow Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "Carter said: “We are blaming the planning.”",
        "“We are not blaming the workmen,” Carter said.",
        "Lind said: “I hoped they would finish before Easter.”",
        "Moss said: “It is overdue.”",
    ],
)
def test_a_quotation_given_to_its_speaker_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Haddad said: “We are blaming the planning.”",
        "Carter said: “I hoped they would finish before Easter.”",
        "Haddad said: “It is overdue.”",
    ],
)
def test_a_quotation_given_to_someone_else_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED


def test_a_quotation_cut_before_its_not_is_trimmed(index: SourceIndex) -> None:
    assert worst("Lind said: “I hoped they would finish before Easter. They will.”", index) == UNSUPPORTED
