"""The default backend: an offline, deterministic writer that builds a draft from the source's own facts.

Questions come from ``questions.choose_questions``; each answer is a short direct reply in new words (built
only from facts found in the source) followed by the source's sentences as an attributed quotation. The
title, lead and body are written from templates filled with those facts, so they never copy the source.
"""

from __future__ import annotations

import re

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.facts import Facts, extract_facts
from qapress.generate.patterns import HEDGES
from qapress.generate.questions import PlannedQuestion, choose_questions, display_date
from qapress.generate.text import as_inner_quote, join_list

ASPECT_TOPICS = {
    "when": ("the timing", "the release date"),
    "who": ("the people involved", "the cast"),
    "about": ("the story", "the story"),
    "money": ("the money", "the budget"),
    "figures": ("the numbers", "the numbers"),
    "quote": ("what was said", "what was said"),
    "next": ("what comes next", "what comes next"),
    "where": ("the places", "the places"),
    "why": ("why it matters", "why it matters"),
}


def attribution(source: SourceDocument) -> str:
    """Who the quoted sentences come from, as the answer names it."""
    if source.publisher:
        return f"According to {source.publisher}"
    return "According to the source report"


def quotation(facts: Facts, evidence: tuple[int, ...]) -> str:
    """The evidence sentences as one quotation; a gap between them is marked with an ellipsis."""
    parts: list[str] = []
    previous: int | None = None
    for index in evidence:
        if previous is not None:
            parts.append("" if index == previous + 1 else "…")
        parts.append(as_inner_quote(facts.sentences[index].text))
        previous = index
    return "“" + " ".join(part for part in parts if part) + "”"


def answer(planned: PlannedQuestion, facts: Facts, source: SourceDocument) -> str:
    lead_in = f"{planned.short} " if planned.short else ""
    return f"{lead_in}{attribution(source)}: {quotation(facts, planned.evidence)}"


#: The hedges that say most plainly that something is not settled come first.
HEDGE_STRENGTH = (
    "possibly",
    "rumored",
    "rumoured",
    "reportedly",
    "potential",
    "potentially",
    "tentative",
    "tentatively",
    "not yet",
    "no date",
    "undisclosed",
    "likely",
    "expected",
    "target",
    "targeted",
    "plans",
    "planned",
    "plan",
    "hopes",
    "aims",
    "could",
    "may",
    "might",
)


def _topics(planned: list[PlannedQuestion], film: bool) -> list[str]:
    return [ASPECT_TOPICS[q.aspect][1 if film else 0] for q in planned if q.aspect in ASPECT_TOPICS]


def _body(facts: Facts, source: SourceDocument) -> list[str]:
    paragraphs: list[str] = []
    report = source.publisher or "The source report"
    in_time_order = sorted(facts.dates, key=lambda m: min((int(y) for y in _years(m.text)), default=9999))
    dates = list(dict.fromkeys(display_date(mention) for mention in in_time_order if _years(mention.text)))
    dates = dates[:4] + dates[-1:] if len(dates) > 5 else dates
    dates = dates or list(dict.fromkeys(display_date(mention) for mention in facts.dates))
    years = sorted({int(y) for mention in facts.dates for y in _years(mention.text)})
    if years and len(years) > 1:
        paragraphs.append(
            f"{report} follows {facts.subject_in_text} across several dates, from {years[0]} to {years[-1]}. "
            f"The dates it names include {join_list(dates[:5])}."
        )
    elif dates:
        paragraphs.append(
            f"On timing, {report.lower() if not source.publisher else report} mentions "
            f"{join_list(dates[:4])}."
        )
    people = [f"{person.name} ({person.role})" if person.role else person.name for person in facts.people[:6]]
    if people:
        sentence = f"The people in the story include {join_list(people)}."
        if facts.organizations:
            sentence += f" Also named: {join_list(facts.organizations[:4])}."
        paragraphs.append(sentence)
    elif facts.organizations:
        paragraphs.append(f"Also named: {join_list(facts.organizations[:4])}.")
    figures = list(dict.fromkeys(m.text for m in facts.money + facts.percents))
    if figures:
        paragraphs.append(f"The figures it gives include {join_list(figures[:5])}.")
    if facts.places:
        paragraphs.append(f"Places named in it: {join_list(facts.places[:4])}.")
    found = {m.group().lower() for s in facts.sentences for m in HEDGES.finditer(s.text)}
    hedges = sorted(
        found, key=lambda word: (HEDGE_STRENGTH.index(word) if word in HEDGE_STRENGTH else 99, word)
    )
    if hedges:
        quoted = join_list([f"“{word}”" for word in hedges[:3]])
        paragraphs.append(f"Not everything here is settled: the report hedges with words such as {quoted}.")
    if not paragraphs:
        paragraphs.append(f"{report} is short on details; the questions below quote what it says.")
    return paragraphs


def _years(text: str) -> list[str]:
    return re.findall(r"(?:19|20)\d{2}", text)


class ExtractiveBackend:
    """Offline, deterministic: no model, no network. Good on news of any kind in English."""

    name = "extractive"

    def draft(self, source: SourceDocument) -> Draft:
        facts = extract_facts(source)
        planned = choose_questions(facts)
        film = facts.kind == "film"
        topics = _topics(planned, film)[:3]
        title = f"{facts.subject}: what we know about {join_list(topics)}" if topics else facts.subject
        who = source.publisher or "a news report"
        lead = (
            f"What is the latest on {facts.subject_in_text}? This explainer goes through what {who} says about "
            f"{join_list(topics) or 'it'}, answering readers’ questions with the report’s own words, credited."
        )
        faq = tuple(FaqItem(q.question, answer(q, facts, source)) for q in planned)
        return Draft(
            title=title,
            lead=lead,
            body=tuple(_body(facts, source)),
            faq=faq,
            outro="",
        )
