"""Answers an editor could publish, from sources written for these tests: sums with what they are, people in
sentences, a title that says what is new in the draft's own words, each fact told once, the science
questions a reader asks (what was found, by whom, why it matters)."""

from __future__ import annotations

import re

from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.grounding import check_draft
from qapress.generate.text import split_sentences, words

TECHNOLOGY = SourceDocument(
    title="Pellworth reveals new e-reader for schools",
    text=(
        "Start-up Pellworth on Tuesday unveiled the Leaf 7, an e-reader built for schools, at a launch "
        "event in London.\n"
        "The device will cost £129 in the UK and goes on sale on May 12.\n"
        "The firm, founded in 2015 by chief executive Imogen Hart, has raised £40 million from investors.\n"
        "Analyst Raj Menon said schools had waited a long time for a cheap reader.\n"
        "Pellworth sold 200,000 readers last year, up from 90,000 the year before.\n"
        "The firm said it would open an office in Dublin next year.\n"
    ),
)
SCIENCE = SourceDocument(
    title="Moss may help clean polluted rivers, researchers say",
    text=(
        "A common moss can remove most of the lead from polluted river water within a week, according to a "
        "study published on Monday in the journal Freshwater Research.\n"
        "Researchers at the University of Exeter grew the moss in tanks of water taken from 12 rivers.\n"
        "The scientists found that the moss took up 80% of the lead in the water in the laboratory.\n"
        "Lead author Dr Nia Thomas said the team had not expected the moss to work so fast.\n"
        "Lead pollution is linked to thousands of deaths worldwide each year, and rivers near old mines "
        "carry most of it.\n"
        "Independent ecologist Dr Sam Reid, who was not involved in the study, said the results were "
        "promising but early.\n"
        "The team will now test the moss in a river in Cornwall.\n"
    ),
)


def draft_of(source: SourceDocument) -> Draft:
    draft = ExtractiveBackend().draft(source)
    assert check_draft(draft, source)[1].passed
    return draft


def answers(draft: Draft) -> dict[str, str]:
    return {item.question: item.answer for item in draft.faq}


def test_no_answer_lists_sums_or_names() -> None:
    draft = draft_of(TECHNOLOGY)
    for answer in answers(draft).values():
        assert not re.search(r"\b(?:figures given|people named|names linked|places named)\b", answer, re.I)
        assert not re.search(r"\([a-z][\w ]*\)", answer), answer  # "Imogen Hart (chief executive)"
        assert ";" not in answer


def test_every_sum_in_an_answer_says_what_it_is() -> None:
    draft = draft_of(TECHNOLOGY)
    for answer in answers(draft).values():
        for sentence in split_sentences(answer):
            sums = re.findall(r"£\d[\d,.]*(?:m|bn| million| billion)?", sentence)
            # a sentence of sums alone ("£129 and £40m.") has no word of its own beside them
            rest = re.sub(
                r"£\d[\d,.]*(?:m|bn| million| billion)?|\b(?:and|or|the|is|are)\b|[,.]", "", sentence
            )
            assert not sums or rest.strip(), sentence


def test_people_are_said_with_their_roles() -> None:
    who = answers(draft_of(TECHNOLOGY))["Who is involved?"]
    assert "Imogen Hart is the chief executive" in who
    assert "Raj Menon is an analyst" in who


def test_the_title_tells_the_news_in_the_draft_s_words_not_the_headline() -> None:
    draft = draft_of(TECHNOLOGY)
    title, headline = [w.lower() for w in words(draft.title)], [w.lower() for w in words(TECHNOLOGY.title)]
    assert not any(headline[i : i + len(title)] == title for i in range(len(headline))), draft.title
    assert draft.title.startswith("Start-up Pellworth unveils the Leaf 7")


def test_a_business_title_gives_the_labelled_result() -> None:
    source = SourceDocument(
        title="Northwind Foods profit falls as costs rise",
        text=(
            "Northwind Foods said on Wednesday that its annual profit fell 18% to £120 million, as higher "
            "energy and packaging costs outweighed a rise in sales.\n"
            "Revenue rose 4% to £1.8 billion.\n"
            "Chief executive Paula Grant said the company had chosen to keep prices low for shoppers.\n"
        ),
    )
    draft = draft_of(source)
    assert draft.title == "Northwind Foods annual profit down 18% to £120 million"
    results = answers(draft)["What were the results?"]
    assert results.startswith(
        "Annual profit was down 18% to £120 million, and revenue was up 4% to £1.8 billion."
    )
    assert results.count("1.8") == 1  # the revenue told once, not again in the source's words


def test_each_fact_is_told_once_in_the_answers() -> None:
    for source in (TECHNOLOGY, SCIENCE):
        told = [item.answer for item in draft_of(source).faq]
        assert len(told) == len(set(told)), told


def test_a_science_draft_asks_what_was_found_by_whom_and_why_it_matters() -> None:
    draft = draft_of(SCIENCE)
    asked = answers(draft)
    assert "What did the researchers find?" in asked
    assert "Nia Thomas is the lead author" in asked["Who did the research?"]
    # a scientist asked for comment, "not involved in the study", is no researcher
    assert "Sam Reid" not in asked["Who did the research?"]
    # the stakes as the story tells them, not a speaker's quotation
    assert "Lead pollution is linked to" in asked["Why does it matter?"]
