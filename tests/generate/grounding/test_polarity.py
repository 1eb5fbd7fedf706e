"""Polarity told by a speaker over several quotations (a planted `polarity` error): a claim that reports as
done what the speaker's next quotations deny ("had cut the waiting list by hiding patients" where she says
"We have not cut it by hiding patients") is read against those quotations, not only against the sentence
that names her. A source of its own."""

from __future__ import annotations

from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Clinic waiting list shorter",
    text="\n".join(
        [
            "Clinic director Hana Berg said the waiting list had fallen for a third month and that no ward"
            " would close.",
            '"This is not the list I hoped for. It is the list the staff earned," she said.',
            '"We have not cut it by hiding patients."',
            "The clinic will publish its next figures in April.",
        ]
    ),
    publisher="The Valley News",
)


def test_a_denial_in_the_speakers_later_quotation_is_read() -> None:
    index = SourceIndex(SOURCE)
    assert worst("Berg said the clinic had cut the waiting list by hiding patients.", index) == UNSUPPORTED
    assert worst("Berg said the clinic had not cut the waiting list by hiding patients.", index) == SUPPORTED
