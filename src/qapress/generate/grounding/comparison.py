"""Comparisons ("A is 300 grams lighter than B") and called-off events ("the strike has been called off").

A comparison is read as (the name before the comparative, the way it points, the name after "than"); the
same comparison told with the names swapped points the other way ("A is lighter than B" is "B is heavier
than A"), so a claim agrees with the source when both the order and the way agree or both differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapress.generate.grounding import lexicon
from qapress.generate.grounding.entities import Entity, same_name

_THAN = re.compile(r"\b(?:(more|less|fewer)\s+(?:[a-z]+\s+)?|([a-z]+er)\s+(?:[a-z]+\s+){0,3}?)than\b", re.I)


@dataclass(frozen=True)
class Comparison:
    left: str
    way: str  # "up" or "down"
    right: str
    #: What is compared ("heavier" for heavier and lighter); None for "more" and "less" (any measure).
    measure: str | None = None


def _way(word: str) -> tuple[str | None, str] | None:
    word = word.lower()
    if word == "more":
        return None, "up"
    if word in ("less", "fewer"):
        return None, "down"
    return lexicon.comparatives().get(word)


def comparisons(text: str, names: list[Entity]) -> list[Comparison]:
    """Each "<name> ... <comparative> than <name>" of a text."""
    found: list[Comparison] = []
    for match in _THAN.finditer(text):
        read = _way(match.group(1) or match.group(2))
        if read is None:
            continue
        measure, way = read
        before = [e for e in names if e.end <= match.start()]
        after = [e for e in names if e.start >= match.end()]
        if before and after:
            found.append(Comparison(before[-1].name, way, after[0].name, measure))
    return found


def has_comparative(text: str) -> bool:
    return any(_way(m.group(1) or m.group(2)) for m in _THAN.finditer(text))


def _same(a: str, b: str) -> bool:
    return same_name(a, b) or same_name(b, a)


def agrees(claim: Comparison, source: Comparison) -> bool | None:
    """True when the source tells the same comparison, False when it tells it the other way round,
    None when it compares other names or another measure."""
    if claim.measure and source.measure and claim.measure != source.measure:
        return None
    if _same(claim.left, source.left) and _same(claim.right, source.right):
        return claim.way == source.way
    if _same(claim.left, source.right) and _same(claim.right, source.left):
        return claim.way != source.way
    return None


def called_off(text: str) -> list[str]:
    """The cancellation cues of a text ("called off", "cancelled", "scrapped")."""
    return [m.group().lower() for m in lexicon.phrase_pattern("cancellations.txt").finditer(text)]
