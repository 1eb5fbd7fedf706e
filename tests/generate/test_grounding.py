"""The grounding check, rule by rule, on the seed source."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.grounding import (
    GroundingReport,
    SourceIndex,
    check_answer,
    check_draft,
    copied_runs,
    names_in,
)
from qapress.generate.sources import parse_plain_text

GROUNDED = (
    FaqItem("When?", "Possibly 2026: Mann said he looks forward to shooting it then."),
    FaqItem("Who?", "Adam Driver, Austin Butler, Ana de Armas and Leonardo DiCaprio have been linked to it."),
    FaqItem("Budget?", "It was reportedly cut from $200 million to $170M."),
)


@pytest.fixture(scope="module")
def index(shared_dir: Path) -> SourceIndex:
    return SourceIndex(
        parse_plain_text((shared_dir / "seeds" / "source-article.txt").read_text(encoding="utf-8"))
    )


def draft(*faq: FaqItem, body: str = "Michael Mann is still working on Heat 2.") -> Draft:
    return Draft(title="Heat 2: the latest", lead="Where the sequel stands.", body=(body,), faq=faq)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Tom Cruise will star in it.", "name 'Tom Cruise'"),
        ("Filming starts in Paris soon.", "name 'Paris'"),
        ("The budget is $250 million.", "amount '$250 million'"),
        ("Shooting starts in 2027.", "number '2027'"),
        ("It marks the film's 40th anniversary.", "number '40th'"),
        ("Shooting starts on Tuesday.", "date 'Tuesday'"),
        ("Shooting starts in May.", "date 'May'"),
    ],
)
def test_an_invented_fact_is_named_in_the_reason(index: SourceIndex, answer: str, reason: str) -> None:
    reasons = check_answer(answer, index)
    assert any(reason in text for text in reasons), reasons


@pytest.mark.parametrize("answer", [item.answer for item in GROUNDED])
def test_facts_the_source_gives_pass(index: SourceIndex, answer: str) -> None:
    assert check_answer(answer, index) == []


def test_money_is_compared_by_value(index: SourceIndex) -> None:
    assert check_answer("It costs $170M now.", index) == []
    assert check_answer("It costs $170,000,000 now.", index) == []
    assert check_answer("It costs €170 million now.", index) != []


def test_a_quotation_must_be_in_the_source(index: SourceIndex) -> None:
    real = "Variety reports: “I look forward to possibly shooting it in 2026,” Mann said."
    fake = "Variety reports: “I will certainly shoot it in 2026,” Mann said."
    assert check_answer(real, index) == []
    assert any("quotes words that are not in the source" in r for r in check_answer(fake, index))


def test_a_long_copy_needs_quotes_and_attribution(index: SourceIndex) -> None:
    sentence = (
        "He has spoken about the challenge of compressing the book’s multi-year narrative into one feature "
        "while avoiding heavy-handed digital de-aging."
    )
    assert any("copies 23 consecutive words" in r for r in check_answer(sentence, index))
    assert any("copies" in r for r in check_answer(f"“{sentence}”", index))
    assert check_answer(f"According to the report: “{sentence}”", index) == []


def test_twelve_copied_words_are_fine_thirteen_are_not(index: SourceIndex) -> None:
    words = [
        "has",
        "spoken",
        "about",
        "the",
        "challenge",
        "of",
        "compressing",
        "the",
        "book’s",
        "multi-year",
        "narrative",
        "into",
        "one",
        "feature",
    ]
    assert copied_runs(" ".join(words[:11]), index) == []  # multi-year counts as two words: 12
    assert copied_runs(" ".join(words[:12]), index) != []


def test_ungrounded_answers_are_dropped_and_reported(seed_source: SourceDocument) -> None:
    invented = FaqItem("Who produces it?", "Tom Cruise produces it.")
    kept, report = check_draft(draft(*GROUNDED, invented), seed_source)
    assert kept.faq == GROUNDED
    assert report.passed
    assert [a.kept for a in report.answers] == [True, True, True, False]
    assert report.first_problem() == "answer to 'Who produces it?': name 'Tom Cruise' is not in the source"


def test_fewer_than_three_grounded_answers_fail(seed_source: SourceDocument) -> None:
    _, report = check_draft(draft(*GROUNDED[:2], FaqItem("Who?", "Tom Cruise.")), seed_source)
    assert not report.passed
    assert report.summary() == "not grounded: only 2 grounded answers; at least 3 are needed"


def test_an_invented_fact_in_the_body_fails_the_draft(seed_source: SourceDocument) -> None:
    _, report = check_draft(
        draft(*GROUNDED, body="Mann will shoot it in Paris with Tom Cruise."), seed_source
    )
    assert not report.passed
    assert "body: name 'Paris' is not in the source" in report.problems


def test_more_than_six_answers_are_cut(seed_source: SourceDocument) -> None:
    kept, report = check_draft(draft(*(GROUNDED * 3)), seed_source)
    assert len(kept.faq) == 6 and report.passed
    assert report.answers[-1].reasons == ["more than 6 answers"]


def test_the_report_round_trips_through_json(seed_source: SourceDocument) -> None:
    _, report = check_draft(draft(*GROUNDED, FaqItem("Who?", "Tom Cruise.")), seed_source)
    assert GroundingReport.from_json(report.to_json()) == report


def test_sentence_openers_are_not_names() -> None:
    assert names_in("Yes. Not yet, but Michael Mann hopes so. Filming could start with Adam Driver.") == [
        "Michael Mann",
        "Adam Driver",
    ]


@settings(max_examples=60, deadline=None)
@given(answer=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_any_answer_text_gets_a_verdict(index: SourceIndex, answer: str) -> None:
    reasons = check_answer(answer, index)
    assert all(isinstance(reason, str) and reason for reason in reasons)
    assert reasons == check_answer(answer, index)
