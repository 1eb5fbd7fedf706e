"""Which source sentences support each answer, pure: the draft page highlights them beside the answer.

The grounding report says whether an answer's names and numbers are in the source, not where (it keeps no
spans), so the sentences are found here the same way the check looks: a source sentence supports an answer
when it contains one of the names (``grounding.names_in``) or numbers the answer claims; those words are
marked in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qapress.generate import patterns as p
from qapress.generate.grounding import names_in
from qapress.generate.text import paragraphs, split_sentences

#: At most this many sentences are shown per answer, the ones sharing the most claims first.
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Segment:
    """A run of a sentence; ``marked`` when it is one of the answer's claims."""

    text: str
    marked: bool


@dataclass(frozen=True)
class AnswerSupport:
    question: str
    answer: str
    claims: tuple[str, ...]
    sentences: tuple[tuple[Segment, ...], ...]


def claims_of(answer: str) -> list[str]:
    """The names and numbers an answer claims, longest first (so a mark covers the whole name)."""
    found = set(names_in(answer)) | {m.group() for m in p.NUMBER.finditer(answer)}
    return sorted(found, key=lambda claim: (-len(claim), claim))


def marked(sentence: str, claims: Iterable[str]) -> tuple[Segment, ...]:
    """The sentence cut into runs, each occurrence of a claim (as a whole word) a marked run."""
    alternatives = "|".join(re.escape(claim) for claim in claims)
    if not alternatives:
        return (Segment(sentence, False),)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    segments: list[Segment] = []
    start = 0
    for match in pattern.finditer(sentence):
        if match.start() > start:
            segments.append(Segment(sentence[start : match.start()], False))
        segments.append(Segment(match.group(), True))
        start = match.end()
    if start < len(sentence):
        segments.append(Segment(sentence[start:], False))
    return tuple(segments)


def supporting_sentences(answer: str, source_text: str) -> tuple[tuple[Segment, ...], ...]:
    """The source sentences sharing the answer's claims, most claims first, in source order on ties."""
    claims = claims_of(answer)
    if not claims:
        return ()
    scored: list[tuple[int, int, tuple[Segment, ...]]] = []
    for paragraph in paragraphs(source_text):
        for sentence in split_sentences(paragraph):
            segments = marked(sentence, claims)
            shared = len({segment.text for segment in segments if segment.marked})
            if shared:
                scored.append((-shared, len(scored), segments))
    return tuple(segments for _, _, segments in sorted(scored)[:MAX_SENTENCES])


def answer_support(faq: Iterable[Mapping[str, object]], source_text: str) -> list[AnswerSupport]:
    """Each FAQ item with its claims and supporting source sentences."""
    result = []
    for item in faq:
        question, answer = str(item.get("question", "")), str(item.get("answer", ""))
        result.append(
            AnswerSupport(
                question, answer, tuple(claims_of(answer)), supporting_sentences(answer, source_text)
            )
        )
    return result
