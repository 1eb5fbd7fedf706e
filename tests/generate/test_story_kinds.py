"""Crime, weather, health, transport, environment and culture stories: told apart from business and
politics, asked their kind's key question, and given a body of prose sentences in the draft's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qapress.generate.copy_share import MAX_SHARE, copied_share
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.facts import extract_facts
from qapress.generate.grounding import check_draft
from qapress.generate.sources import parse_plain_text
from qapress.generate.story import decisions
from qapress.generate.text import split_sentences

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "bench" / "grounding_eval" / "articles"
SOURCES = Path(__file__).resolve().parent / "sources"
SEED = ROOT / "src" / "qapress" / "store" / "demo_data" / "heat-2-source.txt"

#: article -> (the kind it is, its key question)
KINDS = {
    "06-crime-courts": ("crime", "Who was charged or sentenced, and for what?"),
    "07-weather": ("weather", "What is forecast, where and when?"),
    "08-health": ("health", "What was found or changed, and for whom?"),
    "10-transport": ("transport", "What changes, from when, and for whom?"),
    "11-culture": ("culture", "What is happening, where and when?"),
    "12-environment": ("environment", "What happened, and what is being done about it?"),
}
#: A verb a prose sentence of the body leans on.
VERB = re.compile(
    r"\b(?:is|are|was|were|won|beat|approved|rose|fell|will|said|says|has|had|have|can|could|would|"
    r"[a-z]{2,}ed|[a-z]{3,}s)\b"
)
#: A sentence about the source as a document rather than the news.
REPORT_TALK = re.compile(r"\b(?:the|this|source) report\b|\bin the report\b|\bappears in it\b", re.I)
LIST_OPENINGS = ("The people in the report include", "The dates it names include", "The places named in it")


def _source(name: str) -> Path:
    return ARTICLES / f"{name}.txt"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_kind_is_recognized_and_its_key_question_asked(name: str) -> None:
    source = parse_plain_text(_source(name).read_text(encoding="utf-8"))
    kind, key = KINDS[name]
    assert extract_facts(source).kind == kind
    kept, report = check_draft(ExtractiveBackend().draft(source), source)
    assert report.passed, report.summary()
    assert key in [item.question for item in kept.faq]
    assert copied_share(ExtractiveBackend().draft(source), source) <= MAX_SHARE


def test_transport_and_environment_are_no_business_stories() -> None:
    for name in ("10-transport", "12-environment"):
        source = parse_plain_text(_source(name).read_text(encoding="utf-8"))
        assert extract_facts(source).kind != "business"


BODY_SOURCES = [SEED, *sorted(SOURCES.glob("*.txt")), *(_source(name) for name in sorted(KINDS))]


@pytest.mark.parametrize("path", BODY_SOURCES, ids=lambda path: path.stem)
def test_the_body_is_prose_in_the_draft_s_own_words(path: Path) -> None:
    """The body tells the story: sentences with a verb, no list openings, nothing about "the report", no
    source sentence copied whole, and every claim supported."""
    source = parse_plain_text(path.read_text(encoding="utf-8"))
    draft = ExtractiveBackend().draft(source)
    sentences = [sentence for paragraph in draft.body for sentence in split_sentences(paragraph)]
    assert not [s for s in sentences if s.startswith(LIST_OPENINGS)]
    assert not [s for s in sentences if REPORT_TALK.search(s)]
    source_sentences = {s.strip() for line in source.text.split("\n") for s in split_sentences(line)}
    assert not [s for s in sentences if s in source_sentences]
    assert all(VERB.search(s) for s in sentences), sentences
    _kept, report = check_draft(draft, source)
    assert report.passed and all(c.verdict != "unsupported" for c in report.claims if c.part == "body")


def test_a_decision_keeps_where_it_applies() -> None:
    source = parse_plain_text(_source("05-local-politics").read_text(encoding="utf-8"))
    decided = decisions(extract_facts(source))[0]
    assert decided.what == "a new bus lane on Station Road"


def test_story_characters_are_no_people() -> None:
    source = parse_plain_text(SEED.read_text(encoding="utf-8"))
    people = [person.name for person in extract_facts(source).people]
    assert "Neil McCauley" not in people and "Vincent Hanna" not in people
    assert "Michael Mann" in people
