"""Ages as English news writes them, and ages a claim tells of someone.

A report gives a person's age in apposition right after the name ("Gordon Pell, 58, of Abbey Close"),
or as "aged 58" or "(58)" after it; a claim may tell the same age as "Pell is fifty-eight years old"
or the gap between two people's ages as "Moll is 45 years older than Vaitkutė". The number the claim
gives then counts years of a life, which no plain "58" of the source counts by its words: the age is
found by the person it is said of instead. Texts are read with their numbers already normalised to
digits (``numbers.normalize_numbers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"(?P<name>[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*)"
#: "Pell, 58, of ...", "Pell, 58." / "Pell, aged 58," / "Pell (58)".
_STATED = re.compile(
    _NAME + r"(?:,\s+(?:aged\s+)?(?P<age>\d{1,3})(?=[,.;]|\s+and\b)|\s+\((?P<paren>\d{1,3})\))"
)
#: "Pell is 58 years old", "Pell, 58 years old,", "Pell was aged 58".
_CLAIMED = re.compile(
    _NAME
    + r"(?:,|\s+(?:is|was|will\s+be|turns|turned)(?:\s+aged)?)\s+(?P<age>\d{1,3})\s+(?:years?\s+old|years?\b(?=\s*[,.]))"
)
#: "Moll is 45 years older than Vaitkutė", "Fiona was 33 years younger than her father".
_GAP = re.compile(
    _NAME + r"\s+(?:is|was)\s+(?P<age>\d{1,3})\s+years?\s+(?P<way>older|younger)\s+than\s+(?P<other>[^,.;]+)"
)
_LEADING = {"The", "A", "An", "Her", "His", "Their", "Its"}


@dataclass(frozen=True)
class Age:
    """An age the source states: of whom (the last word of the name) and where."""

    person: str
    years: int
    start: int
    #: The name as written, to tell apart two people of one family ("Fiona Askew, 34, and ... Dennis Askew, 67").
    name: str = ""


@dataclass(frozen=True)
class AgeClaim:
    """An age a claim tells: the person, and for a gap the other party and which way round."""

    person: str
    years: int
    other: str | None = None
    older: bool = True
    name: str = ""


def _key(name: str) -> str:
    """A person as a report refers to them after the first mention: by the last word of the name."""
    words = [w for w in name.split() if w not in _LEADING]
    return re.sub(r"['’]s$", "", words[-1]).lower() if words else ""


def _full(name: str) -> str:
    return " ".join(w for w in name.split() if w not in _LEADING).lower()


def _is(age: Age, person: str, name: str) -> bool:
    """Whether a stated age is of the person a claim names: by the last word of the name, and by the
    whole name where the claim gives more of it than that."""
    if age.person != person:
        return False
    return len(name.split()) < 2 or age.name.endswith(name) or len(age.name.split()) < 2


def stated(normalized: str) -> list[Age]:
    """The ages a source text gives its people, by the apposition after each name."""
    found = []
    for match in _STATED.finditer(normalized):
        years = match.group("age") or match.group("paren")
        if years and 0 < int(years) < 120 and _key(match.group("name")):
            name = match.group("name")
            found.append(Age(_key(name), int(years), match.start("name"), _full(name)))
    return found


def claimed(normalized: str, start: int) -> AgeClaim | None:
    """The age told by the number at ``start`` of a claim, if the claim tells it as someone's age."""
    for match in _GAP.finditer(normalized):
        if match.start("age") == start:
            other = match.group("other").strip()
            name = match.group("name")
            return AgeClaim(
                _key(name), int(match.group("age")), other, match.group("way") == "older", _full(name)
            )
    for match in _CLAIMED.finditer(normalized):
        if match.start("age") == start:
            return AgeClaim(
                _key(match.group("name")), int(match.group("age")), name=_full(match.group("name"))
            )
    return None


def supported(claim: AgeClaim, ages: list[tuple[Age, int]]) -> int | None:
    """The source sentence (of ``ages``: each age with its sentence) that gives the claimed age, or the
    two ages whose gap the claim tells, the right way round; None when the source does not.

    The other party of a gap named by a kinship word ("than his daughter") is read as any other person
    whose age the same or the next sentence gives: a report states a family's ages together."""
    mine = [(age, where) for age, where in ages if _is(age, claim.person, claim.name)]
    if claim.other is None:
        return next((where for age, where in mine if age.years == claim.years), None)
    named = _key(claim.other) if claim.other[:1].isupper() else None
    for age, where in mine:
        for other, other_where in ages:
            if other is age or (other.name == age.name and other.years == age.years):
                continue
            if named is not None and not _is(other, named, _full(claim.other)):
                continue
            if named is None and abs(other_where - where) > 1:
                continue
            gap = age.years - other.years if claim.older else other.years - age.years
            if gap == claim.years:
                return where
    return None
