"""A site's sections from its titles: shared subjects, not headline words; pure."""

from __future__ import annotations

from qapress.site.sections import find_sections, title_keys


def test_a_subject_two_titles_share_is_a_section() -> None:
    titles = [
        "Harbour festival adds a second stage",
        "City budget vote moves to March",
        "Festival tickets sell out in a day",
        "What the budget means for buses",
        "Rail strike called off",
    ]
    sections = find_sections(titles)
    assert [(s.label, s.members) for s in sections] == [("Festival", (0, 2)), ("Budget", (1, 3))]


def test_headline_words_plurals_and_possessives() -> None:
    assert [key for key, _ in title_keys("Everything you need to know about the festivals")] == ["festival"]
    assert title_keys("Mann’s new film") == [("mann", "Mann"), ("film", "film")]
    titles = ["What happens next: the update", "What happens next, explained", "Explained: what we know"]
    assert find_sections(titles) == []


def test_a_word_whose_titles_another_section_holds_adds_nothing() -> None:
    titles = ["Heat sequel casting", "Heat sequel budget", "Heat returns"]
    assert [s.label for s in find_sections(titles)] == ["Heat"]


def test_at_most_the_limit() -> None:
    titles = [f"{word} one" for word in ("alpha", "bravo", "charlie")] * 2
    assert len(find_sections(titles, limit=2)) == 2
