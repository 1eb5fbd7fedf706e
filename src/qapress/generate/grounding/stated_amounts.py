"""Gaps between two amounts the source states apart: "Harland has about 2.6 million customers ...
Brockwell has 1.5 million" supports "Harland has 1.1 million more customers than Brockwell", wherever in
the source the two amounts stand, and makes "Brockwell has more customers than Harland" the two amounts
told the other way round.

A claim's comparison is read as (the name before the figure, the way its comparative points, the name
after "than"); an amount of the source belongs to the name nearest before it in its sentence ("made 41
tackles to Carrow's 96": 41 is the subject's, 96 Carrow's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qapress.generate.grounding import lexicon, numbers
from qapress.generate.grounding.entities import Entity, same_name

#: "1.1 million more customers than", "£2m a year less than", "three points higher than".
_GAP = re.compile(
    r"\s*(?P<between>(?:[a-z][\w'’-]*\s+){0,3}?)(?P<way>more|fewer|less|higher|lower|greater|larger|bigger"
    r"|smaller|longer|shorter)\s+(?:[a-z][\w'’-]*\s+){0,6}?than\b",
    re.IGNORECASE,
)
_UP = {"more", "higher", "greater", "larger", "bigger", "longer"}
#: "more than 400" is a bound, not a gap: the figure must come before the comparative.
_BOUND = re.compile(r"\b(?:more|fewer|less)\s+than\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Gap:
    """A claimed gap: the figure, the name said to have more (``larger``) and the other."""

    figure: numbers.Quantity
    larger: str
    smaller: str
    #: What both amounts count ("customers"), or None for a bare amount ("£2m more").
    unit: str | None


@dataclass(frozen=True)
class Found:
    """The source's two amounts of a gap, and where they stand (sentence indices)."""

    larger: numbers.Quantity
    smaller: numbers.Quantity
    sentences: tuple[int, int]
    #: True when the source's amounts make the gap the claim says, False when they make it the other
    #: way round (the name said to have more has less by that much).
    agrees: bool


def claimed_gap(normalized: str, figure: numbers.Quantity, names: list[Entity]) -> Gap | None:
    """The gap a figure of a claim gives between two names ("Harland has 1.1 million more customers
    than Brockwell"), or None when the figure is not one."""
    after = _GAP.match(normalized, figure.end)
    if after is None or _BOUND.search(normalized[: figure.start]):
        return None
    before = [e for e in names if e.end <= figure.start]
    beyond = [e for e in names if e.start >= after.end()]
    if not before or not beyond:
        return None
    up = after.group("way").lower() in _UP
    left, right = before[-1].name, beyond[0].name
    if same_name(left, right) or same_name(right, left):
        return None
    between = after.group("between").split()
    unit = figure.unit or (between[-1] if between else None)
    return Gap(figure, left if up else right, right if up else left, unit)


def _owner(sentence: str, quantity: numbers.Quantity, sides: tuple[str, str]) -> str | None:
    """Which of two names an amount of a source sentence belongs to: the nearer of them named before it
    in the sentence, or right after it with "for", "by" or "to" ("41 tackles to Carrow's 96")."""
    nearest: tuple[int, str] | None = None
    for side, other in (sides, sides[::-1]):
        # A name is written in full or by its first or last word ("Harland" for "Harland Group"), but
        # not by a word both names share ("Building Society").
        words = {side} | {w for w in (side.split()[0], side.split()[-1]) if w not in other.split()}
        for word in words:
            for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", sentence):
                if match.end() <= quantity.start:
                    distance = quantity.start - match.end()
                elif re.fullmatch(r"\s*(?:for|by|to)\s*", sentence[quantity.end : match.start()]):
                    distance = match.start() - quantity.end + 4
                else:
                    continue
                if nearest is None or distance < nearest[0]:
                    nearest = (distance, side)
    return nearest[1] if nearest else None


def _counts(quantity: numbers.Quantity, unit: str | None, sentence_lemmas: set[str]) -> bool:
    """Whether a source amount counts the claim's unit: its own noun, or a bare figure in a sentence
    that names the unit ("to Carrow's 96" in a sentence about tackles)."""
    if unit is None:
        return True
    wanted = lexicon.with_synonyms(set(lexicon.lemmas(unit)))
    if quantity.unit:
        return bool(wanted & lexicon.lemmas(quantity.unit)) or quantity.measure is not None
    return bool(wanted & sentence_lemmas)


def _close(a: float, b: float, kind: str) -> bool:
    return abs(a - b) <= (0.05 if kind == "percent" else 1e-6 * max(1.0, abs(a)))


def stated(
    gap: Gap,
    sentences: list[tuple[int, str, set[str], list[numbers.Quantity]]],
) -> Found | None:
    """The source's amounts for both names whose difference is the claimed gap, either way round
    (``agrees`` tells which); None when the source does not state both. ``sentences`` are (index,
    normalized text, lemmas, quantities) of each source sentence."""
    sides = (gap.larger, gap.smaller)
    owned: dict[str, list[tuple[numbers.Quantity, int]]] = {side: [] for side in sides}
    figure = gap.figure
    for index, text, lemmas, found in sentences:
        for quantity in found:
            if quantity.kind != figure.kind and not (
                figure.measure and quantity.measure and figure.measure[1] == quantity.measure[1]
            ):
                continue
            if figure.currency and quantity.currency and figure.currency != quantity.currency:
                continue
            if not _counts(quantity, gap.unit, lemmas):
                continue
            side = _owner(text, quantity, sides)
            if side is not None:
                owned[side].append((quantity, index))

    def value(quantity: numbers.Quantity) -> float:
        measure = quantity.measure
        return measure[0] if measure and figure.measure else quantity.value

    goal = value(figure)
    reversed_pair: Found | None = None
    for big, big_at in owned[gap.larger]:
        for small, small_at in owned[gap.smaller]:
            if _close(value(big) - value(small), goal, figure.kind):
                return Found(big, small, (big_at, small_at), True)
            if reversed_pair is None and _close(value(small) - value(big), goal, figure.kind):
                reversed_pair = Found(small, big, (small_at, big_at), False)
    return reversed_pair


#: "13 years before the prize was founded", "154 years after Harland was founded".
_YEARS_APART = re.compile(r"\s*years?\s+(?P<way>before|after|earlier\s+than|later\s+than)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Dated:
    """A year of the source and the words of the clause that dates an event by it."""

    year: float
    sentence: int
    words: frozenset[str]


def years_apart(
    normalized: str, figure: numbers.Quantity, dated: list[Dated], lemmas: Callable[[str], set[str]]
) -> tuple[bool, Dated, Dated] | None:
    """The two years of the source that date a claim's two events ("A happened 13 years before B": the
    words before the figure and those after "before"), wherever in the source they stand: (True, A's,
    B's) when they are that many years apart the claim's way round, (False, ...) when the other way
    round, None when the source does not date both events."""
    if figure.kind != "count":
        return None
    cue = _YEARS_APART.match(normalized, figure.end)
    if cue is None:
        return None
    first, second = lemmas(normalized[: figure.start]), lemmas(normalized[cue.end() :])
    first, second = first - second, second - first
    if not first or not second:
        return None

    def side(year: Dated) -> int:
        a, b = len(first & year.words), len(second & year.words)
        return 0 if a == b else (1 if a > b else 2)

    earlier = 1 if cue.group("way").lower().startswith(("before", "earlier")) else 2
    turned: tuple[bool, Dated, Dated] | None = None
    for a in (d for d in dated if side(d) == 1):
        for b in (d for d in dated if side(d) == 2):
            gap = (b.year - a.year) if earlier == 1 else (a.year - b.year)
            if gap == figure.value:
                return True, a, b
            if turned is None and -gap == figure.value:
                turned = (False, a, b)
    return turned
