"""The source sentences behind an answer, pure: chosen by the names and numbers the answer claims."""

from __future__ import annotations

from qapress.newsroom.support import answer_support, claims_of, marked, supporting_sentences

SOURCE = (
    "Michael Mann spoke at the Busan International Film Festival on Friday.\n"
    "He said filming could start in 2026. Nobody else was asked.\n"
    "Adam Driver is attached, the studio said in 2024."
)


def test_claims_are_the_answers_names_and_numbers_longest_first() -> None:
    assert claims_of("Michael Mann hopes to shoot in 2026 with Adam Driver.") == [
        "Michael Mann",
        "Adam Driver",
        "2026",
    ]
    assert claims_of("soon, probably") == []


def test_the_sentences_sharing_most_claims_come_first_each_claim_marked() -> None:
    found = supporting_sentences("Michael Mann said at Busan International Film Festival: 2026.", SOURCE)
    texts = ["".join(segment.text for segment in sentence) for sentence in found]
    assert texts == [
        "Michael Mann spoke at the Busan International Film Festival on Friday.",
        "He said filming could start in 2026.",
    ]
    assert [s.text for s in found[0] if s.marked] == ["Michael Mann", "Busan International Film Festival"]
    assert "Nobody else was asked." not in texts  # a sentence without any claim is not support


def test_a_claim_is_marked_as_a_whole_word_only() -> None:
    segments = marked("In 20260 and in 2026.", ["2026"])
    assert [s.text for s in segments if s.marked] == ["2026"]
    assert "".join(s.text for s in segments) == "In 20260 and in 2026."


def test_an_answer_without_claims_or_support_says_so() -> None:
    plain, unsupported = answer_support(
        [{"question": "When?", "answer": "soon"}, {"question": "Who?", "answer": "Steven Spielberg does."}],
        SOURCE,
    )
    assert plain.claims == () and plain.sentences == ()
    assert unsupported.claims == ("Steven Spielberg",) and unsupported.sentences == ()
