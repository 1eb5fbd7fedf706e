"""Reading facts out of news text: sentences, dates, money, people and roles, quotes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.generate.draft import SourceDocument
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.facts import classify_name, extract_facts, story_kind
from qapress.generate.text import split_sentences


def facts_of(text: str, title: str = "A story") -> object:
    return extract_facts(SourceDocument(title=title, text=text))


def test_sentences_do_not_end_at_abbreviations_or_initials() -> None:
    text = "Dr. Jane Roe of Acme Inc. met J. R. Smith on Jan. 5. Then they left! Did it work? Yes."
    assert split_sentences(text) == [
        "Dr. Jane Roe of Acme Inc. met J. R. Smith on Jan. 5.",
        "Then they left!",
        "Did it work?",
        "Yes.",
    ]


def test_a_quotation_ending_in_a_comma_does_not_end_the_sentence() -> None:
    text = "“I look forward to possibly shooting it in 2026,” he told the audience. Mann paused."
    assert len(split_sentences(text)) == 2


def test_dates_money_and_percentages_are_found() -> None:
    facts = extract_facts(
        SourceDocument(
            title="Deal",
            text="The deal, worth $1.2 billion, closes in the first quarter of 2026. Shares rose 19 percent "
            "on Monday, after a €40m bid in late-2024 and talks on March 3.",
        )
    )
    assert [m.text for m in facts.money] == ["$1.2 billion", "€40m"]
    assert [m.text for m in facts.percents] == ["19 percent"]
    assert {m.text for m in facts.dates} >= {"first quarter of 2026", "on Monday", "late-2024", "March 3"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Ana de Armas", "person"),
        ("Leonardo DiCaprio", "person"),
        ("Warner Bros", "organization"),
        ("University of Leeds", "organization"),
        ("NASA", "organization"),
        ("Los Angeles", "place"),
        ("Korea", "place"),
        ("Clean Air Act", "organization"),
        ("Aurora X", "other"),
        ("Heat 2", "other"),
    ],
)
def test_names_are_classified(name: str, kind: str) -> None:
    assert classify_name(name) == kind


def test_people_get_their_roles_and_surnames() -> None:
    facts = extract_facts(
        SourceDocument(
            title="Club news",
            text="Manager Elena Marsh praised the team. Tomas Varga, the club's top striker, scored twice. "
            "Marsh said Varga would be fit.",
        )
    )
    people = {person.name: person for person in facts.people}
    assert people["Elena Marsh"].role == "manager"
    assert people["Tomas Varga"].role == "club's top striker"
    assert people["Elena Marsh"].mentions == 2


def test_a_pronoun_quote_is_given_to_the_person_named_before() -> None:
    facts = extract_facts(
        SourceDocument(
            title="Heat 2",
            text="Michael Mann spoke at the festival. “I look forward to possibly shooting it in 2026,” he told "
            "the audience.",
        )
    )
    assert facts.quotes == {1: "Michael Mann"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "The striker scored two goals as the team won the league match and the coach praised the players.",
            "sport",
        ),
        (
            "The minister said parliament would vote on the bill before the election, the opposition party said.",
            "politics",
        ),
        ("It was a quiet day in the village.", "general"),
    ],
)
def test_the_kind_of_story_comes_from_its_words(text: str, kind: str) -> None:
    assert story_kind(text) == kind


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("abc DEF. ,$1€%“”’\n2026 May Mr")), min_size=0, max_size=400)
)
def test_any_text_gives_a_draft_without_crashing(text: str) -> None:
    draft = ExtractiveBackend().draft(SourceDocument(title="Anything at all", text=text))
    assert len(draft.faq) <= 6
    assert draft.title
