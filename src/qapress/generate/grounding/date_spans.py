"""Spans of time between the dates a source gives: a claim may count the days or months from one dated
event to another ("restored ten days after the attack began" where the source dates both), or the days a
dated range covers ("ran from 9 to 18 October" runs ten days, both ends counted).

A date without a year takes the year last given before it in the text (else one fixed year, so that two
dates of one year still differ by the right number of days); a month without a day counts for months only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?({_MONTH})\b(?:\s+(\d{{4}}))?")
_RANGE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|until)\s*(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b"
)
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
#: The year a date without one is read in when the text gives none before it.
_DEFAULT_YEAR = 2001
#: Days in each unit a span of days is told in (months are counted by the calendar, not in days).
_SPAN_DAYS = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class Dated:
    """One date of a text: its year, month and day (None for a month alone)."""

    year: int
    month: int
    day: int | None


def dates(text: str) -> list[Dated]:
    """The dates of a text in order, each with the year it is read in."""
    found: list[tuple[int, Dated]] = []
    for match in _DATE.finditer(text):
        if match.group(2) == "May" and not match.group(1) and not match.group(3):
            continue  # "may" the modal, or a name, more often than the month alone
        before = _YEAR.findall(text[: match.start()])
        year = int(match.group(3) or (before[-1] if before else _DEFAULT_YEAR))
        month = _MONTH_NAMES.index(match.group(2).lower()) + 1
        day = int(match.group(1)) if match.group(1) else None
        if day is not None and not 1 <= day <= 31:
            continue
        found.append((match.start(), Dated(year, month, day)))
    return [d for _, d in sorted(found, key=lambda item: item[0])]


def ranges(text: str) -> list[tuple[Dated, Dated]]:
    """Ranges of days within one month ("9 to 18 October"), as their first and last dates."""
    result = []
    for match in _RANGE.finditer(text):
        before = _YEAR.findall(text[: match.start()])
        year = int(before[-1]) if before else _DEFAULT_YEAR
        month = _MONTH_NAMES.index(match.group(3).lower()) + 1
        first, last = int(match.group(1)), int(match.group(2))
        if 1 <= first < last <= 31:
            result.append((Dated(year, month, first), Dated(year, month, last)))
    return result


def _day(date: Dated) -> dt.date | None:
    if date.day is None:
        return None
    try:
        return dt.date(date.year, date.month, date.day)
    except ValueError:
        return None


def spans(text: str, unit: str) -> set[float]:
    """Every span, in ``unit`` (day, week or month), between two dates of the text, and the length of
    each range of days counted from its first day to its last, both included."""
    result: set[float] = set()
    found = dates(text)
    for n, first in enumerate(found):
        for second in found[n + 1 :]:
            if unit == "month":
                months = abs((second.year - first.year) * 12 + second.month - first.month)
                close = first.day is None or second.day is None or abs(first.day - second.day) <= 3
                if months and close:
                    result.add(float(months))
                continue
            a, b = _day(first), _day(second)
            if a is not None and b is not None and a != b and unit in _SPAN_DAYS:
                result.add(abs((b - a).days) / _SPAN_DAYS[unit])
    if unit == "day":
        for first, last in ranges(text):
            a, b = _day(first), _day(last)
            if a is not None and b is not None:
                result.add(float((b - a).days + 1))
    return result
