"""Which way a claim's scalar words point (more/fewer, rose/fell, at least/up to, faster/slower, ahead/
behind), against the source clause that tells the same thing.

A claim can turn a measure round without sharing a verb or a name with the source: "14% fewer
operations" where the source has "14% more", "down slightly" for "up slightly", "at least 34C" for "up to
34C". Each scale (``data/scales.txt``) has a high side and a low side; the claim's word is read against the
source clause that shares most of the claim clause's other words, and a clause that says only the other
side reverses it. A comparison told from the other end ("A is lighter than B" for "B is heavier than A")
compares with something else after "than", so it is left to the comparison check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qapress.generate.grounding import lexicon, numbers, polarity

#: Words of a clause the scale words must share with the source's before they are read as one fact.
MIN_SHARED = 2


@dataclass(frozen=True)
class Pointer:
    """A scale word in a clause: which scale, which side, and the words as written."""

    scale: str
    high: bool
    words: str
    start: int
    end: int


@cache
def _scales() -> tuple[dict[str, tuple[str, bool]], dict[str, tuple[str, bool]]]:
    """(phrase -> scale and side, single word -> scale and side), from ``data/scales.txt``."""
    phrases: dict[str, tuple[str, bool]] = {}
    single: dict[str, tuple[str, bool]] = {}
    for line in (lexicon.DATA / "scales.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sides = line.split(":", 1)
        high, low = sides.split("|")
        for side, entries in ((True, high), (False, low)):
            for entry in (e.strip().lower() for e in entries.split(",") if e.strip()):
                (phrases if " " in entry else single)[entry] = (name.strip(), side)
    return phrases, single


@cache
def _phrase_regex() -> re.Pattern[str]:
    phrases, _ = _scales()
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{body})\b", re.IGNORECASE)


def pointers(clause: str) -> list[Pointer]:
    """The scale words of a clause, phrases first (``up to`` is a bound, not a rise)."""
    phrases, single = _scales()
    found: list[Pointer] = []
    taken: list[tuple[int, int]] = []
    for match in _phrase_regex().finditer(clause):
        scale, high = phrases[" ".join(match.group().lower().split())]
        found.append(Pointer(scale, high, match.group(), match.start(), match.end()))
        taken.append((match.start(), match.end()))
    for token in polarity.tokens(clause):
        if any(a <= token.start < b for a, b in taken) or _additional(
            clause, Pointer("", True, token.word, token.start, token.end)
        ):
            continue
        for form in (token.word.lower(), *sorted(token.lemmas)):
            if form in single:
                scale, high = single[form]
                found.append(Pointer(scale, high, token.word, token.start, token.end))
                break
    return found


def _attributive(clause: str, cue: Pointer) -> bool:
    """Whether a comparative describes a noun after an article and compares with nothing ("for a smaller
    spill"): it tells a kind of thing, not which way the clause's measure points."""
    if re.search(r"\bthan\b", clause) or not re.search(r"(?:er|^more|^fewer|^less)$", cue.words.lower()):
        return False
    before = clause[: cue.start].split()[-1:]
    return bool(before) and before[0].lower() in ("a", "an", "the")


def _additional(clause: str, cue: Pointer) -> bool:
    """ "Two more cuts", "a few more": more after a figure adds to a count; it compares nothing."""
    before = clause[: cue.start].split()[-1:]
    return (
        cue.words.lower() == "more"
        and bool(before)
        and (before[0].lower() in _QUANTIFIERS or numbers.normalize_numbers(before[0].lower())[:1].isdigit())
        and not re.match(r"\s+(?:\w+\s+)?than\b", clause[cue.end :])
    )


#: Words that count like a figure before "more" ("a few more", "several more").
_QUANTIFIERS = {"few", "several", "many", "some", "any", "no"}


def _figure_before(clause: str, cue: Pointer) -> str | None:
    """The figure a scale word is told of, right before it ("14% fewer", "6.1 fewer migraine days")."""
    match = re.search(
        r"(\d+(?:[.,]\d+)*)\s*(?:%|per\s+cent|percentage\s+points?|points?|[a-z]+)?\s*$", clause[: cue.start]
    )
    return match.group(1) if match else None


def _shift(cue: Pointer, by: int) -> Pointer:
    return Pointer(cue.scale, cue.high, cue.words, cue.start + by, cue.end + by)


def _words(clause: str, cues: list[Pointer]) -> set[str]:
    """What a clause tells besides its scale words: content lemmas and figures as written."""
    rest = clause
    for cue in cues:
        rest = rest[: cue.start] + " " * (cue.end - cue.start) + rest[cue.end :]
    figures = set(re.findall(r"\d+(?:[.,]\d+)*", rest))
    return polarity.content_lemmas(rest) | figures


def _than(clause: str) -> set[str]:
    """The words after "than" (what the clause compares with), or nothing."""
    match = re.search(r"\bthan\b(.*)", clause, re.IGNORECASE)
    if match is None:
        return set()
    return polarity.content_lemmas(match.group(1)) | set(re.findall(r"\d+(?:[.,]\d+)*", match.group(1)))


def reversed_scale(claim: str, sources: list[str]) -> str | None:
    """A reason when a scale word of the claim points the other way from the source clause that tells
    the same thing; None when they agree or no source clause tells it."""
    told: list[tuple[str, list[Pointer]]] = []
    for text in sources:
        pieces = polarity.clauses(text)
        for n, clause in enumerate(pieces):
            cues = [c for c in pointers(clause) if not _attributive(clause, c)]
            if cues and not polarity.is_negative(clause):
                # A comparison after a comma tells of what comes before it ("612 people, fewer than in
                # 2024"): the clause is read with the one before.
                told.append((clause, cues))
                if n:
                    told.append(
                        (pieces[n - 1] + " " + clause, [_shift(c, len(pieces[n - 1]) + 1) for c in cues])
                    )
    for mine in polarity.clauses(claim):
        cues = pointers(mine)
        if not cues or polarity.is_negative(mine):
            continue
        plain = _words(mine, cues)
        words = lexicon.with_synonyms(plain)
        for cue in cues:
            scored = [
                (len(words & _words(theirs, their_cues)), theirs, their_cues)
                for theirs, their_cues in told
                if any(c.scale == cue.scale for c in their_cues)
            ]
            best = max((score for score, _, _ in scored), default=0)
            if best < max(MIN_SHARED, len(plain) / 2):
                continue
            # The shortest clause of the best score says it most directly.
            theirs, their_cues = min(
                ((theirs, c) for score, theirs, c in scored if score == best), key=lambda t: len(t[0])
            )
            if {c.high for c in their_cues if c.scale == cue.scale} != {not cue.high}:
                continue
            other = next(c for c in their_cues if c.scale == cue.scale)
            figures = _figure_before(mine, cue), _figure_before(theirs, other)
            if None not in figures and figures[0] != figures[1]:
                continue  # "15 points higher" and "6.1 fewer days": two measures, each its own figure
            mine_than, their_than = _than(mine), _than(theirs)
            if mine_than and their_than and not mine_than & their_than:
                continue  # compared with something else: told from the other end
            return (
                f"direction: the claim says “{cue.words}” where the source says “{other.words}”:"
                f" “{theirs.strip()[:100]}”"
            )
    return None
