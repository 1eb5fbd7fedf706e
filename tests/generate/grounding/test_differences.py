"""Differences of stated amounts told from one end (a true `stated_difference` claim must pass): "18
percentage points short of the target", "£1.5m above what was set aside", "2min 10sec behind" are
worked out from two figures the source gives; a gap the figures do not make is still a wrong number. A
source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Marsh Lane school results and rebuild",
    text="\n".join(
        [
            "Marsh Lane School's pass rate rose to 62% this summer, against a national target of 80%.",
            "The lowest bid for the rebuild was £9m, while the council had set aside £7.5m for the work.",
            "The governors meet again in March to choose a builder for the new science block.",
        ]
    ),
    publisher="The Marsh Gazette",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "Marsh Lane School's pass rate was 18 percentage points short of the national target.",
        "The lowest bid was £1.5m above what the council had set aside.",
    ],
)
def test_a_gap_the_source_states_by_its_two_amounts_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Marsh Lane School's pass rate was 12 percentage points short of the national target.",
        "The lowest bid was £2.5m above what the council had set aside.",
    ],
)
def test_a_gap_the_amounts_do_not_make_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
