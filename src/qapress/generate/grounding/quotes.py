"""Quotations: where they are, who says them, and whether a draft's quotation is the source's own.

A draft's quotation must be the source's words, piece by piece (an ellipsis may cut, not splice two
sentences of a speaker), keep the negation or hedge of the clause it is cut from, and name the speaker the
source names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapress.generate.grounding import lexicon
from qapress.generate.grounding.entities import PERSON, Entity

_QUOTE = re.compile(
    r"“(?P<a>[^”]+)”|\"(?P<b>[^\"]+)\"|(?<![\w])‘(?P<c>[^’]*?(?:\s[^’]*?)+)’(?![\w])|(?<![\w])'(?P<d>[^']+?\s[^']+?)'(?![\w])"
)
_ELLIPSIS = re.compile(r"\s*(?:…|\.\s?\.\s?\.)\s*")
_WORDS = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_PRONOUN = re.compile(r"^(?:he|she|they|we|i)$", re.IGNORECASE)


@dataclass(frozen=True)
class Quotation:
    text: str
    start: int
    end: int
    speaker: str | None  # a name, or None when the text does not say


def words(text: str) -> str:
    """The quotation's words, lower case, one space apart: quote marks and punctuation do not count."""
    return " ".join(w.lower().replace("’", "'") for w in _WORDS.findall(text))


def pieces(quotation: str) -> list[str]:
    return [piece for piece in _ELLIPSIS.split(quotation) if words(piece)]


def speaker_near(
    sentence: str, start: int, end: int, people: list[Entity], previous: str | None
) -> str | None:
    """The person a sentence gives a quotation to: a name or pronoun next to a speech verb."""
    verbs = lexicon.phrase_pattern("speech_verbs.txt")
    after = sentence[end : end + 80]
    before = sentence[max(0, start - 100) : start]
    if re.match(r"^[\s,.]*(?:he|she|they)\s+(?:\w+\s+)?" + verbs.pattern, after, re.IGNORECASE):
        return previous
    near_after = [p for p in people if end <= p.start <= end + 70]
    near_before = [p for p in people if start - 100 <= p.start < start]
    # A typed person wins over an untyped name ("said Fenmore analyst Priya Nair").
    near_after.sort(key=lambda p: (p.kind != PERSON, p.start))
    near_before.sort(key=lambda p: (p.kind == PERSON, p.start))
    if verbs.search(after[:70]) and near_after:
        return near_after[0].name
    if verbs.search(before) and near_before:
        return near_before[-1].name
    if verbs.search(after[:40]) and near_before:
        return near_before[-1].name
    if re.search(r"\b(?:he|she)\s+(?:\w+\s+)?" + verbs.pattern + r"[^“\"]*$", before, re.IGNORECASE):
        return previous
    return None


def quotations(sentence: str, people: list[Entity], previous: str | None) -> list[Quotation]:
    """The quotations of one sentence with their speakers (``previous``: the last person named before)."""
    found: list[Quotation] = []
    for match in _QUOTE.finditer(sentence):
        text = next(group for group in match.groups() if group is not None)
        persons = [p for p in people if p.kind == PERSON or not p.kind]
        found.append(
            Quotation(
                text, match.start(), match.end(), speaker_near(sentence, *match.span(), persons, previous)
            )
        )
    return found
