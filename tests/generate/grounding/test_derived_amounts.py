"""Figures a claim works out from the source's: spans of time in any unit ("six years" is 72 months, a race
time "2:41:05" is a span of seconds, not the clock), a comparative that leaves its noun unsaid ("6 fewer
days, against 2 fewer" counts days twice), and the gap between two counts of the claim's own noun wherever
the source gives them ("built for 500 pupils" ... "its 320 pupils": 180 fewer). A figure the amounts do not
make is still a wrong number. A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex, numbers

SOURCE = SourceDocument(
    title="Hilltop school to merge with Riverside",
    text="\n".join(
        [
            "Hilltop Primary will close next July and send its 320 pupils to Riverside Primary.",
            "Governors said the closure followed a long decline in numbers at the village school.",
            "The school opened in 1961 and was built for 500 pupils.",
            "Its head teacher, Dana Voss, had served 30 months of a four-year contract.",
            "In the trial, children in the reading scheme missed 6.5 fewer school days a term, against 2.5"
            " fewer for the others.",
            "Voss ran the town's marathon in 3:05:40, and her deputy finished in 3:12:10.",
        ]
    ),
    publisher="The Hilltop Herald",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def _measure(text: str) -> tuple[float, str] | None:
    found = numbers.quantities(numbers.normalize_numbers(text))
    return found[0].measure if found else None


def test_spans_of_time_share_one_measure() -> None:
    assert _measure("for six years") == _measure("for 72 months")
    assert _measure("12 months") == _measure("a 1-year wait")
    assert _measure("90 seconds") == _measure("for 1.5 minutes") or _measure("90 seconds") == (1.5, "minute")


def test_a_race_time_with_seconds_is_a_span() -> None:
    found = numbers.quantities(numbers.normalize_numbers("She won in 2:41:05."))
    assert [(q.kind, q.value, q.unit) for q in found] == [("count", 9665.0, "seconds")]


def test_a_comparative_without_its_noun_counts_the_noun_of_the_figure_before() -> None:
    text = "They lost 6.1 fewer school days, against 3.8 fewer for the rest."
    found = numbers.quantities(numbers.normalize_numbers(text))
    assert [q.unit for q in found] == ["days", "days"]


@pytest.mark.parametrize(
    "claim",
    [
        "Hilltop Primary has 180 fewer pupils than it was built for.",
        "Voss had 18 months of her contract still to run.",
        "Children in the reading scheme missed 4 fewer school days a term than the others.",
        "Voss finished the marathon 6min 30sec ahead of her deputy.",
    ],
)
def test_a_figure_worked_out_from_the_sources_amounts_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Hilltop Primary has 160 fewer pupils than it was built for.",
        "Children in the reading scheme missed 5 fewer school days a term than the others.",
        "Voss finished the marathon 5min 30sec ahead of her deputy.",
    ],
)
def test_a_figure_the_amounts_do_not_make_is_caught(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
