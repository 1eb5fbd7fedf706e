"""Every headline a news sentence gives (``headline_style.headline_candidates``): the title is chosen among
them so that it says the news in the draft's words rather than repeating the source's headline."""

from __future__ import annotations

import pytest

from qapress.generate.headline_style import as_headline, headline_candidates


def test_a_name_s_appositive_is_left_out() -> None:
    sentence = "Mira Dahl, the baker, opened a second shop on Friday."
    assert headline_candidates(sentence)[0] == "Mira Dahl opens a second shop"


def test_a_long_sentence_gives_each_cut_longest_first() -> None:
    sentence = (
        "Otto Lind, the pianist, released a live album on Tuesday, with no notice to his label or to the"
        " shops that sell his records."
    )
    found = headline_candidates(sentence)
    assert found[0] == "Otto Lind releases a live album"  # the clause first, as ``as_headline`` gives it
    assert "Otto Lind releases a live album with no notice" in found  # "to" as a preposition: a cut
    assert all(len(title.split()) <= 11 for title in found)
    assert as_headline(sentence) == found[0]


@pytest.mark.parametrize(
    "sentence",
    [
        "The ferry operator agreed on Monday to buy two electric boats from a shipyard in the north of the region.",
        "The city council voted on Monday to close the old swimming pool at Elm Park for two years of repairs.",
    ],
)
def test_never_cut_between_a_verb_and_its_infinitive(sentence: str) -> None:
    assert not any(title.endswith(("agrees", "votes")) for title in headline_candidates(sentence))


def test_no_candidate_from_what_someone_said() -> None:
    assert headline_candidates("The mayor said the bridge will reopen in May.") == []


def test_no_title_starts_with_a_pronoun_or_is_too_short() -> None:
    assert headline_candidates("It was published on Friday.") == []
    assert headline_candidates("They opened a new road through the hills last week.") == []
