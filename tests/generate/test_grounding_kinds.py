"""The claim-by-claim check, one test per kind of error it must catch and per kind of true claim it must
keep, on a source of its own (not the evaluation set in bench/grounding_eval)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.grounding import (
    SUPPORTED,
    UNSUPPORTED,
    UNVERIFIED,
    Claim,
    SourceIndex,
    check_claim,
    check_draft,
    check_text,
)
from qapress.generate.grounding.numbers import normalize_numbers, quantities

SOURCE = SourceDocument(
    title="Mayfield library reopens after £2.4m refit",
    text="\n".join(
        [
            "Mayfield's central library reopened on Saturday after an 18-month refit costing £2.4 million,"
            " Dorwick City Council said.",
            "The building now has 42 study desks, up from 30, and a children's floor with 6,500 new books."
            " Visitor numbers fell from 310,000 a year to 120,000 while it was closed.",
            'Head librarian Ayesha Brandt said the refit had not gone over budget. "We did not spend a penny'
            ' more than we were given," Brandt said.',
            "Council leader Tom Okafor, of the Green group, said the library may open on Sundays from March."
            ' "I hope we can open seven days a week, but I cannot promise it yet," Okafor said.',
            "The work was carried out by the Swedish firm Nordbygg, which also rebuilt the Harlow museum in"
            " 2019. The council bought the building from the Mayfield Trust in 1998.",
            "Residents' group Read Mayfield, whose chair is Lena Ortiz, had campaigned for the refit since"
            ' 2015. Ortiz said the result was "worth the wait".',
        ]
    ),
    publisher="The Dorwick Herald",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def verdict(text: str, index: SourceIndex, part: str = "answer") -> tuple[str, list[str]]:
    if part == "question":
        check = check_claim(Claim(text, "question", True), index)
        return check.verdict, check.reasons
    checks = check_text(text, part, index)
    worst = next((c for c in checks if c.verdict == UNSUPPORTED), None) or next(
        (c for c in checks if c.verdict == UNVERIFIED), checks[0]
    )
    return worst.verdict, worst.reasons


ERRORS = [
    ("number_value", "The refit cost £4.2 million.", "amount"),
    ("number_value", "The library now has 24 study desks.", "number"),
    ("number_counted", "The children's floor has 42 new books.", "number '42'"),
    ("number_counted", "The refit took 18 weeks.", "number '18'"),
    ("number_words", "The refit took eighteen weeks.", "number"),
    ("number_words", "The library now has forty study desks.", "number '40'"),
    ("number_ordinal", "It is the library's 3rd refit.", "number '3rd'"),
    ("date", "The library reopened on Sunday.", "date 'Sunday'"),
    ("date", "The library may open on Sundays from April.", "date 'April'"),
    ("wrong_entity", "The work was done by the firm Nordvik.", "name 'Nordvik'"),
    ("wrong_entity", "Council leader Tim Okafor said the library may open on Sundays.", "name 'Tim Okafor'"),
    ("entity_type", "Nordbygg, the council leader, said the library may open on Sundays.", "not a person"),
    ("role_title", "Mayor Tom Okafor said the library may open on Sundays from March.", "'mayor'"),
    (
        "role_title",
        "Council leader Ayesha Brandt said the refit had not gone over budget.",
        "'council leader'",
    ),
    ("reversed_relation", "The Mayfield Trust bought the building from the council in 1998.", "reversed"),
    ("polarity", "Brandt said the refit had gone over budget.", "polarity"),
    ("direction", "Visitor numbers rose from 310,000 a year to 120,000 while it was closed.", "direction"),
    ("hedge_dropped", "The library will open on Sundays from March.", "hedge dropped"),
    ("quote_altered", 'Brandt said: "We did spend a penny more than we were given."', "quote altered"),
    (
        "quote_speaker",
        '"I hope we can open seven days a week," Lena Ortiz said.',
        "quote given to 'Lena Ortiz'",
    ),
    ("quote_splice", 'Okafor said: "I hope we can open … worth the wait."', "spliced"),
    ("quote_trimmed", 'Okafor said he can "promise it".', "trimmed"),
    ("name_not_for_claim", "Lena Ortiz said the refit had not gone over budget.", "not for this"),
    (
        "name_not_for_claim",
        "Ayesha Brandt bought the building from the Mayfield Trust.",
        "is in the source, but",
    ),
]


@pytest.mark.parametrize(("kind", "text", "reason"), ERRORS, ids=[f"{k}:{t[:30]}" for k, t, _ in ERRORS])
def test_a_planted_error_is_unsupported(index: SourceIndex, kind: str, text: str, reason: str) -> None:
    found, reasons = verdict(text, index)
    assert found == UNSUPPORTED, (kind, reasons)
    assert any(reason in r for r in reasons), (kind, reasons)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("Why did the council sell the building?", "question"),
        ("Why was the refit abandoned?", "question"),
        ("Mayfield library stays shut after refit", "title"),
    ],
)
def test_a_false_premise_in_a_question_or_title_is_unsupported(
    index: SourceIndex, text: str, part: str
) -> None:
    assert verdict(text, index, part)[0] == UNSUPPORTED


TRUE = [
    ("role_prefix", "Head librarian Ayesha Brandt said the refit had not gone over budget."),
    ("role_prefix", "Council leader Tom Okafor said the library may open on Sundays from March."),
    ("nationality", "A Swedish firm, Nordbygg, carried out the work."),
    ("stated_difference", "The library now has 12 more study desks than before."),
    ("stated_difference", "Visitor numbers fell by 190,000 a year while it was closed."),
    ("number_form", "The refit cost £2,400,000."),
    ("number_form", "The refit cost 2.4 million pounds."),
    ("number_form", "The refit took eighteen months."),
    ("number_form", "The library has forty-two study desks."),
    ("reordered", "After an 18-month refit, the central library reopened on Saturday."),
    ("hedge_kept", "Okafor said the library may open on Sundays from March."),
    ("quote_exact", 'Brandt said: "We did not spend a penny more than we were given."'),
    ("quote_exact", 'Ortiz said the result was "worth the wait".'),
    ("name_at_sentence_start", "Nordbygg also rebuilt the Harlow museum in 2019."),
    ("month_inside_a_word", "Mayfield's library reopened on Saturday."),
]


@pytest.mark.parametrize(("kind", "text"), TRUE, ids=[f"{k}:{t[:30]}" for k, t in TRUE])
def test_a_true_claim_is_not_dropped(index: SourceIndex, kind: str, text: str) -> None:
    found, reasons = verdict(text, index)
    assert found != UNSUPPORTED, (kind, reasons)


def test_a_name_at_the_start_of_a_sentence_is_checked(index: SourceIndex) -> None:
    assert verdict("Birmingham paid for the refit.", index)[0] == UNSUPPORTED
    assert verdict("Residents waited years for the refit.", index)[0] != UNSUPPORTED


def test_a_month_inside_another_word_is_no_date(index: SourceIndex) -> None:
    reasons = verdict("Marchmont residents campaigned for the refit.", index)[1]
    assert not any("date 'March'" in r for r in reasons)


def test_numbers_in_every_form_have_one_value() -> None:
    forms = ["$170 million", "$170M", "$170m", "170 million dollars", "one hundred seventy million dollars"]
    values = {(q.value, q.kind, q.currency) for f in forms for q in quantities(normalize_numbers(f))}
    assert values == {(170_000_000.0, "money", "USD")}
    assert [(q.value, q.kind) for q in quantities(normalize_numbers("the third time, a third of it"))] == [
        (3.0, "ordinal"),
        (1 / 3, "fraction"),
    ] or quantities(normalize_numbers("a third of it"))[0].kind == "fraction"
    assert quantities(normalize_numbers("one in four patients"))[0].same_as(
        quantities(normalize_numbers("25% of patients"))[0]
    )


def test_each_claim_keeps_its_span_or_its_reason(index: SourceIndex) -> None:
    supported = check_claim(Claim("The refit cost £2.4 million.", "answer"), index)
    assert supported.verdict == SUPPORTED and "£2.4 million" in supported.source_span
    unsupported = check_claim(Claim("The refit cost £9 million.", "answer"), index)
    assert unsupported.verdict == UNSUPPORTED and unsupported.reasons


def test_what_the_check_cannot_decide_is_unverified_not_passed(index: SourceIndex) -> None:
    check = check_claim(
        Claim("The new reading room is popular with students and pensioners.", "answer"), index
    )
    assert check.verdict == UNVERIFIED and check.reasons


def test_a_draft_with_an_unsupported_question_fails() -> None:
    faq = (
        FaqItem("When did the library reopen?", "It reopened on Saturday after an 18-month refit."),
        FaqItem("What did it cost?", "The refit cost £2.4 million, the council said."),
        FaqItem("Who did the work?", "The Swedish firm Nordbygg carried out the work."),
        FaqItem("Why did the council close the library for good?", "The library reopened on Saturday."),
    )
    draft = Draft(
        "Mayfield library reopens after refit", "The library is open again.", ("It reopened.",), faq
    )
    _, report = check_draft(draft, SOURCE)
    assert not report.passed
    assert any(p.startswith("question 'Why did the council close") for p in report.problems)
    good = Draft(draft.title, draft.lead, draft.body, faq[:3])
    kept, report = check_draft(good, SOURCE)
    assert report.passed, report.problems
    assert len(kept.faq) == 3


def test_a_report_stored_before_claims_were_kept_still_reads() -> None:
    from qapress.generate.grounding import GroundingReport

    old = {
        "passed": True,
        "answers": [{"question": "When?", "kept": True, "reasons": []}],
        "problems": [],
        "checked_at": "2026-01-01T00:00:00+00:00",
        "max_copy_words": 12,
    }
    report = GroundingReport.from_json(old)
    assert report.passed and report.answers[0].claims == [] and report.claims == []
    assert report.summary() == "grounded: 1 of 1 answers kept"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_text_gets_a_verdict_and_never_an_exception(text: str) -> None:
    index = SourceIndex(SourceDocument(title="A title", text=text or "Nothing."))
    for check in check_text(text, "answer", index) + check_text(SOURCE.text[:300], "answer", index):
        assert check.verdict in (SUPPORTED, UNSUPPORTED, UNVERIFIED)


@pytest.mark.parametrize(
    ("text", "value", "kind", "unit"),
    [
        ("a 14-month repair", 14.0, "count", "month"),
        ("lorries over 18 tonnes stay banned", 18.0, "count", "tonnes"),
        ("14 flood alerts and three flood warnings", 14.0, "count", "alerts"),
        ("fined a quarter of a million pounds", 250_000.0, "money", None),
        ("half a million dollars", 500_000.0, "money", None),
        ("one in four patients.", 0.25, "fraction", None),
    ],
)
def test_a_number_is_read_with_what_it_counts(text: str, value: float, kind: str, unit: str | None) -> None:
    first = quantities(normalize_numbers(text))[0]
    assert (first.value, first.kind) == (value, kind)
    if unit:
        assert first.unit == unit


def test_number_words_inside_a_name_stay_words() -> None:
    assert normalize_numbers("Portwell First said so") == "Portwell First said so"
    assert normalize_numbers("Two Liberal Democrat councillors") == "2 Liberal Democrat councillors"
    assert "frac" not in normalize_numbers("for £240 million in 2018")


def test_pence_are_hundredths_of_a_pound() -> None:
    assert quantities(normalize_numbers("up by 30p"))[0].same_as(quantities(normalize_numbers("£0.30"))[0])
    assert quantities(normalize_numbers("9.5 pence a share"))[0].value == pytest.approx(0.095)


def test_a_number_after_a_possessive_is_not_part_of_the_name() -> None:
    from qapress.generate.grounding.entities import entities

    assert [e.name for e in entities("parking in Greenvale's 14 car parks, and Heat 2")] == [
        "Greenvale",
        "Heat 2",
    ]


def test_a_gerund_is_no_act_of_its_own(index: SourceIndex) -> None:
    # "reopening" names no one who acts; the claim must not read as who-did-what-to-whom turned round.
    found, reasons = verdict("Reopening on Saturday, the central library has 42 study desks.", index)
    assert found != UNSUPPORTED, reasons
