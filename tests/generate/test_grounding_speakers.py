"""Who "he said" is: the speaker of the sentence before (the first name before its speech verb, a
person's before any other), not the last name that sentence happens to end on (a street, a body, an
event). A source of its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Bin strike splits Clifton",
    text="\n".join(
        [
            "Retired postman Derek Oyelaran, 68, who lives on Clifton Crescent, said he backed the workers."
            ' "That is not a lot," he said.',
            "The Aslef union's general secretary, Ian Ransome, said the deal was poor."
            ' "We wanted 8%. We did not get 8%," he said.',
        ]
    ),
    publisher="The Clifton Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def test_he_said_is_the_speaker_of_the_sentence_before(index: SourceIndex) -> None:
    quoted = [q for s in index.sentences for q in s.quotations]
    assert [q.speaker for q in quoted] == ["Derek Oyelaran", "Ian Ransome"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“That is not a lot,” Oyelaran said.", SUPPORTED),
        ("“We wanted 8%. We did not get 8%,” Ransome said.", SUPPORTED),
        ("“That is not a lot,” Ransome said.", UNSUPPORTED),
    ],
)
def test_a_quote_is_given_to_its_speaker(index: SourceIndex, text: str, expected: str) -> None:
    assert worst(text, index) == expected
