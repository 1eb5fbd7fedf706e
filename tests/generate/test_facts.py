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


def people_of(text: str, title: str = "A story") -> dict[str, str | None]:
    facts = extract_facts(SourceDocument(title=title, text=text))
    return {person.name: person.role for person in facts.people}


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Winger Dara Quinlan opened the scoring.", "Dara Quinlan", "winger"),
        ("Co-author Professor Luis Ortega of Scripps cautioned against hype.", "Luis Ortega", "co-author"),
        (
            "The Conservative group leader, Councillor Janet Moore, voted against.",
            "Janet Moore",
            "councillor",
        ),
        (
            "Detective Constable Mark Ellery of Dunford Police praised them.",
            "Mark Ellery",
            "detective constable",
        ),
        (
            "Westvale Rail's managing director, Colin Harte, said he was relieved.",
            "Colin Harte",
            "managing director",
        ),
    ],
)
def test_role_words_are_stripped_off_and_kept_as_the_role(text: str, name: str, role: str) -> None:
    assert people_of(text)[name] == role


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel City won, beating Marlow Athletic 2-0 at home. Fans cheered Marlow Athletic off.",
        "The festival opens with “Night Ferry”, a thriller, and screenings on Calder Green.",
        "Little Steps said in a statement that it was relieved. Rail Voice welcomed the news.",
        "Detective Constable Mark Ellery of Dunford Police said the trustees acted quickly.",
        "Storm Hilde is expected to bring gusts, the Met Office said.",
    ],
)
def test_titles_places_forces_and_groups_are_not_people(text: str) -> None:
    people = people_of(text)
    for name in (
        "Marlow Athletic",
        "Marlow Athletic 2",
        "Night Ferry",
        "Calder Green",
        "Little Steps",
        "Rail Voice",
        "Dunford Police",
        "Storm Hilde",
        "Met Office",
    ):
        assert name not in people


def test_a_score_is_never_glued_to_a_name() -> None:
    facts = extract_facts(
        SourceDocument(title="Cup", text="Riverside Rovers beat Castleford Town 3-1 on Wednesday.")
    )
    assert all(not mention.text.endswith(" 3") for mention in facts.names)


def test_a_title_in_quotes_with_an_article_is_the_subject() -> None:
    draft = ExtractiveBackend().draft(
        SourceDocument(
            title='Director Lena Okoro\'s "The Salt Road" to close the festival',
            text='The festival will close on October 12 with "The Salt Road", a drama that stars Maya Brandt. '
            "It follows three sisters who run a ferry. A cinema release is planned for early next year.",
        )
    )
    assert all("a The" not in item.question for item in draft.faq)
    assert any(item.question == "What is The Salt Road about?" for item in draft.faq)


@pytest.mark.parametrize(
    ("title", "text", "subject"),
    [
        (
            "Director Ana Solberg starts shooting The Glass Orchard in Vell",
            "Director Ana Solberg began shooting her third feature, The Glass Orchard, in the town of Vell on "
            "Monday. The film follows two sisters. Actress Mirela Dacosta plays the older sister. A cinema "
            "release is planned for 2027.",
            "The Glass Orchard",
        ),
        (
            "Animated film Pip and the Paper Moon tops the family box office",
            "The animated film Pip and the Paper Moon took 1.2 million euros in cinemas in Carrow at the "
            "weekend. The film stars the voice of Lene Arvik as Pip.",
            "Pip and the Paper Moon",
        ),
    ],
)
def test_a_film_story_is_about_the_work_the_headline_names(title: str, text: str, subject: str) -> None:
    """Not the town it is shot in nor a name cut short: the work, as the text introduces it."""
    facts = extract_facts(SourceDocument(title=title, text=text))
    assert facts.kind == "film"
    assert facts.subject == subject


def test_page_debris_is_dropped() -> None:
    facts = extract_facts(
        SourceDocument(
            title="Council vote",
            text="LONDON (Reuters) - The council approved the plan on Monday.\n"
            "Sign up for our newsletter to get the latest news.\n"
            "In the video above, the mayor explains the plan.\n"
            "The plan will cost £3 million.",
        )
    )
    texts = [sentence.text for sentence in facts.sentences]
    assert texts == ["The council approved the plan on Monday.", "The plan will cost £3 million."]


def test_a_surname_with_a_particle_opening_a_sentence_is_the_person_named_before() -> None:
    facts = extract_facts(
        SourceDocument(
            title="Corvale unveils folding laptop",
            text="The start-up was founded by engineer Pieter de Groot in 2019. De Groot, the company's chief "
            "technology officer, said the screen had been tested. Analyst Marta Kell said it was expensive.",
        )
    )
    names = [person.name for person in facts.people]
    assert "Pieter de Groot" in names
    assert "De Groot" not in names
