"""The draft's own words for a source sentence: each rewrite keeps the fact and leaves quotes and names alone."""

from __future__ import annotations

import pytest

from qapress.generate.grounding import lexicon
from qapress.generate.rewording import (
    active_voice,
    in_own_words,
    number_style,
    reordered,
    same_meaning_words,
    speaker_said,
    split_clauses,
    swaps,
)


@pytest.mark.parametrize(
    ("source", "retold"),
    [
        ("More than 12,000 homes lost power.", "Over 12,000 households lost power."),
        ("The company said profit rose 6% to £2.9m.", "The firm said profit increased 6% to £2.9m."),
        ("Winds reached 70 miles per hour.", "Winds reached 70mph."),
        ("Turnout was 58 per cent.", "Turnout was 58%."),
    ],
)
def test_same_meaning_words_and_figures(source: str, retold: str) -> None:
    assert number_style(same_meaning_words(source)) == retold


def test_quotations_are_never_reworded() -> None:
    text = 'The company said: "Our homes rose in value by more than 10%."'
    assert same_meaning_words(text) == 'The firm said: "Our homes rose in value by more than 10%."'
    assert number_style(text) == text


def test_names_keep_their_words() -> None:
    """Only lower-case words are swapped: "Film" in a festival's name stays."""
    assert same_meaning_words("The Harbourlight Film Festival will close.") == (
        "The Harbourlight Film Festival will close."
    )


def test_a_movement_is_reworded_only_before_a_figure() -> None:
    """Snow that fell did not drop; a profit that fell 22% dropped 22%."""
    assert (
        number_style("About 1.3 metres of snow fell on the pass.")
        == "About 1.3 metres of snow fell on the pass."
    )
    assert number_style("Profit fell 22% to £184m.") == "Profit dropped 22% to £184m."


def test_every_swap_stays_in_one_synonym_group_of_the_check() -> None:
    """A swap the check would not read as the same word is not a swap the writer may make."""
    for pattern, replacement in swaps():
        source_word = (
            pattern.pattern.split(")", 1)[1].rsplit("(", 1)[0].replace("\\s+", " ").replace("\\", "")
        )
        if replacement in ("%", "mph", "km/h", "about", "but", "said", "to reduce"):
            continue  # figures and function words: checked by the number check, not looked up
        left = {lemma for word in source_word.split() for lemma in lexicon.lemmas(word)}
        right = {lemma for word in replacement.split() for lemma in lexicon.lemmas(word)}
        assert lexicon.with_synonyms(left) & right, (source_word, replacement)


def test_a_short_passive_becomes_active() -> None:
    assert active_voice("Several roads were closed by fallen trees.") == "Fallen trees closed several roads."
    assert (
        active_voice("The bill was passed by 312 votes to 198.") == "The bill was passed by 312 votes to 198."
    )
    assert active_voice("The road was closed.") == "The road was closed."


def test_word_order() -> None:
    assert reordered("Schools in Milbrook will stay shut.") == "Milbrook schools will stay shut."
    assert reordered("Residents who need help can call.") == "Residents needing help can call."


def test_a_trailing_according_to_becomes_the_speaker() -> None:
    assert speaker_said("Winds reached 70mph, according to the weather service.") == (
        "The weather service said winds reached 70mph."
    )


@pytest.mark.parametrize(
    ("sentence", "parts"),
    [
        (
            "Valley Power said crews were working but warned that some homes might not have power until Tuesday.",
            [
                "Valley Power said crews were working.",
                "Valley Power warned that some homes might not have power until Tuesday.",
            ],
        ),
        (
            "Residents can call the council's line, and a shelter has opened at the centre.",
            ["Residents can call the council's line.", "A shelter has opened at the centre."],
        ),
        (
            "The drama, which follows three sisters who run a ferry, was shot on Orkney.",
            ["The drama follows three sisters who run a ferry.", "The drama was shot on Orkney."],
        ),
        (
            "Winds reached 70mph, according to the weather service, which had issued an amber warning.",
            [
                "Winds reached 70mph, according to the weather service.",
                "The weather service had issued an amber warning.",
            ],
        ),
        ("The council approved the plan on Monday.", ["The council approved the plan on Monday."]),
    ],
)
def test_two_main_clauses_become_two_sentences(sentence: str, parts: list[str]) -> None:
    assert split_clauses(sentence) == parts


def test_negations_survive_every_rewrite() -> None:
    sentence = "Valley Power said crews were working but warned that some homes might not have power."
    assert "might not" in " ".join(in_own_words(part) for part in split_clauses(sentence))


def test_a_noun_is_swapped_but_the_same_word_as_a_verb_is_not() -> None:
    assert same_meaning_words("The film opens in May.") == "The movie opens in May."
    assert same_meaning_words("The crew will film on the island.") == "The crew will film on the island."


def test_a_sum_given_from_a_named_giver_becomes_active() -> None:
    sentence = "The new wing was paid for with £3m from the Harlow Trust."
    assert active_voice(sentence) == sentence  # "paid for": no simple verb to move
    assert (
        active_voice("The school garden was funded with €40,000 from the Rivermoor Foundation.")
        == "The Rivermoor Foundation funded the school garden with €40,000."
    )
