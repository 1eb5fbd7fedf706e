"""Two figures of one source sentence told each in the other's place: the words that tell them apart
("warnings", "alerts") stand beside the other figure in the source. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Storm Imelda: warnings in force",
    text="The Environment Agency has 23 flood warnings and 41 less serious flood alerts in force. The"
    " storm closed 12 schools and 3 hospitals in the county.",
    publisher="The County Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "text",
    [
        "The Environment Agency has 41 flood warnings and 23 less serious flood alerts in force.",
        "The storm closed 3 schools and 12 hospitals in the county.",
    ],
)
def test_figures_told_the_other_way_round_are_unsupported(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == UNSUPPORTED


@pytest.mark.parametrize(
    "text",
    [
        "The Environment Agency has 23 flood warnings and 41 less serious flood alerts in force.",
        "There are 41 less serious flood alerts and 23 flood warnings in force, the Environment Agency says.",
        "The storm closed 12 schools and 3 hospitals in the county.",
    ],
)
def test_figures_in_their_places_in_any_order_are_kept(index: SourceIndex, text: str) -> None:
    assert worst(text, index) == SUPPORTED
