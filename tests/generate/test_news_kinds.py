"""The extractive backend on news that is not about film: sport, science, business, politics, technology
and a local storm story (weather, with what changes for residents).

Each case names facts a reader would want and the question whose answer must carry them; every answer of
every draft must pass the grounding check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from qapress.generate.copy_share import MAX_SHARE, copied_share
from qapress.generate.draft import Draft
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.facts import extract_facts
from qapress.generate.grounding import check_draft
from qapress.generate.sources import parse_plain_text

SOURCES = Path(__file__).with_name("sources")


@dataclass(frozen=True)
class Expected:
    kind: str
    subject: str
    #: (a word of the question, facts its answer must carry)
    answers: tuple[tuple[str, tuple[str, ...]], ...]


CASES = {
    "local.txt": Expected(
        "weather",
        "Storm",
        (
            ("dates", ("Sunday",)),
            ("who", ("Helen Park is the operations director",)),
            ("warnings", ("70mph", "amber warning")),
            ("news", ("12,000", "Sunday", "electricity")),
            ("change", ("Residents", "emergency line")),
        ),
    ),
    "sport.txt": Expected(
        "sport",
        "Riverside Rovers",
        (
            ("won", ("Riverside Rovers won", "Castleford Town 3-1", "Wednesday")),
            ("key people", ("Tomas Varga", "Elena Marsh", "Ben Okafor")),
            ("score", ("3-1",)),
            ("next", ("May 30",)),
        ),
    ),
    "science.txt": Expected(
        "science",
        "Coral reefs",
        (
            ("when", ("Thursday",)),
            ("who did the research", ("Priya Nair", "University of Leeds")),
            ("find", ("38 percent",)),
            ("money", ("$2.5m",)),  # the draft's house style: "$2.5m" for "$2.5 million"
        ),
    ),
    "business.txt": Expected(
        "business",
        "GreenLeaf",
        (
            ("when", ("first quarter of 2026",)),
            ("who", ("Martin Cole", "Rosa Delgado")),
            ("worth", ("$1.2 billion",)),
        ),
    ),
    "politics.txt": Expected(
        "politics",
        "Clean Air Act",
        (
            ("effect", ("January 1, 2026",)),
            ("who", ("Sofia Lindqvist", "Marcus Hale")),
            ("decided", ("Lawmakers passed the Clean Air Act",)),
            ("vote", ("312 to 198",)),
            ("change", ("diesel buses",)),
        ),
    ),
    "technology.txt": Expected(
        "technology",
        "Lumen",
        (
            ("sale", ("September 19",)),
            ("who", ("Dana Whitfield", "Kevin Osei")),
            ("new", ("Aurora X",)),
        ),
    ),
}


def draft_of(name: str) -> tuple[Draft, Draft]:
    """(the draft, the draft after its grounding check) for one test source."""
    source = parse_plain_text((SOURCES / name).read_text(encoding="utf-8"))
    draft = ExtractiveBackend().draft(source)
    kept, report = check_draft(draft, source)
    assert report.passed, report.summary()
    return draft, kept


@pytest.mark.parametrize("name", sorted(CASES))
def test_kind_and_subject_are_recognized(name: str) -> None:
    source = parse_plain_text((SOURCES / name).read_text(encoding="utf-8"))
    facts = extract_facts(source)
    assert facts.kind == CASES[name].kind
    assert facts.subject == CASES[name].subject


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_answer_is_grounded(name: str) -> None:
    draft, kept = draft_of(name)
    assert kept.faq == draft.faq
    assert 3 <= len(draft.faq) <= 6


@pytest.mark.parametrize("name", sorted(CASES))
def test_questions_are_distinct_questions(name: str) -> None:
    draft, _ = draft_of(name)
    questions = [item.question for item in draft.faq]
    assert len(set(questions)) == len(questions)
    assert all(question.endswith("?") and question[0].isupper() for question in questions)


@pytest.mark.parametrize(
    ("name", "keyword", "facts"),
    [(name, keyword, facts) for name, case in sorted(CASES.items()) for keyword, facts in case.answers],
)
def test_the_reader_question_carries_the_facts(name: str, keyword: str, facts: tuple[str, ...]) -> None:
    draft, _ = draft_of(name)
    matching = [item for item in draft.faq if keyword in item.question.lower()]
    assert matching, f"no question about {keyword!r} in {[item.question for item in draft.faq]}"
    for fact in facts:
        assert fact in matching[0].answer, f"{fact!r} missing from {matching[0].answer!r}"


def test_questions_differ_with_the_story() -> None:
    """Not a fixed list: the sport story is asked about its score, the politics story about its start."""
    questions = {name: {item.question for item in draft_of(name)[0].faq} for name in CASES}
    assert "What was the score?" in questions["sport.txt"]
    assert "What was the score?" not in questions["politics.txt"]
    assert "What was decided?" in questions["politics.txt"]
    assert "When does it take effect?" in questions["politics.txt"]
    assert len(set.union(*questions.values())) > len(questions["sport.txt"]) * 3


#: The question a reader of each kind of story asks first.
KEY_QUESTIONS = {
    "sport.txt": ("Who won?", "What was the score?", "What is next?"),
    "politics.txt": ("What was decided?", "What was the vote?", "What will change?"),
    "local.txt": ("Which warnings are in force?", "What will change?"),
    "science.txt": ("What did the researchers find?", "Who did the research?"),
}


@pytest.mark.parametrize("name", sorted(KEY_QUESTIONS))
def test_the_kind_s_key_questions_come_first(name: str) -> None:
    questions = [item.question for item in draft_of(name)[1].faq]
    assert questions[: len(KEY_QUESTIONS[name])] == list(KEY_QUESTIONS[name])


#: Drafts known to copy more than the limit allows, with why: an open miss of issue #11 (in its note), kept
#: visible here; ``strict`` fails the moment one of them fits, so the list cannot go stale.
OVER_THE_COPY_LIMIT: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=OVER_THE_COPY_LIMIT[n], strict=True))
        if n in OVER_THE_COPY_LIMIT
        else n
        for n in sorted(CASES)
    ],
)
def test_at_most_a_quarter_of_a_draft_is_copied(name: str) -> None:
    source = parse_plain_text((SOURCES / name).read_text(encoding="utf-8"))
    assert copied_share(ExtractiveBackend().draft(source), source) <= MAX_SHARE


@pytest.mark.parametrize("name", sorted(CASES))
def test_at_most_one_short_quote_per_answer(name: str) -> None:
    for item in draft_of(name)[0].faq:
        quotes = item.answer.count("“")
        assert quotes <= 1, item.answer
        if quotes:
            quoted = item.answer.split("“", 1)[1].split("”", 1)[0]
            assert len(quoted.split()) <= 40
            assert "said:" in item.answer or "According to" in item.answer


@pytest.mark.parametrize("name", sorted(CASES))
def test_questions_are_plain_english(name: str) -> None:
    """No article glued after another, no subject pasted where a noun belongs."""
    for item in draft_of(name)[0].faq:
        assert not re.search(r"\b(?:a|the) (?:a|an|the|The)\b", item.question), item.question
        assert "  " not in item.question and "reports reports" not in item.answer


def test_the_business_results_carry_labelled_figures() -> None:
    source = parse_plain_text(
        "Brightwell Foods profit falls as costs rise\n"
        "Brightwell Foods said on Thursday that its annual pre-tax profit fell 22% to £184 million, as higher "
        "costs outweighed a rise in sales.\n"
        "Revenue for the year to March rose 6% to £2.9 billion, helped by price increases.\n"
        "Chief executive Mariana Costa said the company had chosen to protect shoppers rather than margins."
    )
    draft = ExtractiveBackend().draft(source)
    assert draft.faq[0].question == "What were the results?"
    assert "pre-tax profit was down 22% to £184 million" in draft.faq[0].answer
    assert "revenue was up 6% to £2.9 billion" in draft.faq[0].answer
    assert check_draft(draft, source)[1].passed
