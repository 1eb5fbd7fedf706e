"""How much of a claim the source says: each word of the claim counts once, however many lemmas it has
("accepted": accept, accepted), and a claim whose one word besides its names is an act the source
never tells of them is not passed on its names alone."""

from __future__ import annotations

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, Claim, SourceIndex, check_claim
from qapress.generate.grounding.verdict import _Check

SOURCE = SourceDocument(
    title="Festival line-up announced",
    text="\n".join(
        [
            'The festival closes with "The Long Road", the second feature from director Lena Okoro.',
            "It runs for ten days, and the city council gave it a grant this year.",
            'The festival opens with "Night Ferry", a thriller by Danish director Mads Holm.',
            "Okoro turned down a place on the jury in 2022.",
        ]
    ),
    publisher="The Harbour Post",
)


def test_a_word_with_two_lemmas_counts_once() -> None:
    check = _Check(Claim("Okoro accepted a place on the jury.", "answer"), SourceIndex(SOURCE))
    assert not {"accept", "accepted"} <= check.content


def test_an_act_the_source_tells_of_no_one_is_not_passed_on_the_names_alone() -> None:
    index = SourceIndex(SOURCE)
    assert check_claim(Claim("Mads Holm directed The Long Road.", "answer"), index).verdict != SUPPORTED


def test_a_refused_place_told_as_accepted_is_unsupported() -> None:
    index = SourceIndex(SOURCE)
    assert (
        check_claim(Claim("Okoro accepted a place on the jury in 2022.", "answer"), index).verdict
        == UNSUPPORTED
    )
