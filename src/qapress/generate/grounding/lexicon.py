"""The word lists of the check, read once from the data files beside this module.

Lists are data, not code: an editor can read and extend them without touching the rules.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import lemminflect

DATA = Path(__file__).with_name("data")


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def word_set(name: str) -> frozenset[str]:
    """A one-entry-a-line list as a set of lower-case entries."""
    return frozenset(line.lower() for line in _lines(name))


@cache
def phrase_pattern(name: str) -> re.Pattern[str]:
    """A one-entry-a-line list as one regex that finds any entry as whole words, longest first."""
    entries = sorted(word_set(name), key=len, reverse=True)
    body = "|".join(re.escape(entry).replace(r"\ ", r"\s+") for entry in entries)
    return re.compile(rf"(?<![\w’'])(?:{body})(?![\w])", re.IGNORECASE)


@cache
def stopwords() -> frozenset[str]:
    return frozenset(" ".join(_lines("stopwords.txt")).split())


@cache
def antonyms() -> dict[str, frozenset[str]]:
    """Lemma -> the lemmas that contradict it."""
    pairs: dict[str, set[str]] = {}
    for line in _lines("antonyms.txt"):
        left, right = line.lower().split("|")
        pairs.setdefault(left, set()).add(right)
        pairs.setdefault(right, set()).add(left)
    return {key: frozenset(value) for key, value in pairs.items()}


@cache
def directions() -> dict[str, str]:
    """Lemma -> "up" or "down"."""
    result: dict[str, str] = {}
    for line in _lines("directions.txt"):
        way, words = line.split(":", 1)
        for word in words.split():
            result[word.lower()] = way.strip()
    return result


@cache
def comparatives() -> dict[str, tuple[str, str]]:
    """Comparative -> (the measure it compares, "up" or "down"): "lighter" -> ("heavier", "down")."""
    result: dict[str, tuple[str, str]] = {}
    for line in _lines("comparatives.txt"):
        more, less = line.lower().split()
        result.setdefault(more, (more, "up"))
        result.setdefault(less, (more, "down"))
    return result


@cache
def number_words() -> dict[str, tuple[float, str]]:
    """Ordinal, fraction and count words -> (value, kind)."""
    result: dict[str, tuple[float, str]] = {}
    for line in _lines("numbers.txt"):
        word, value, kind = line.split()
        result[word.lower()] = (float(value), kind)
    return result


@cache
def demonyms() -> dict[str, frozenset[str]]:
    """Nationality word -> the places it belongs to."""
    result: dict[str, set[str]] = {}
    for line in _lines("demonyms.txt"):
        word, place = line.split("|")
        result.setdefault(word, set()).add(place)
    return {key: frozenset(value) for key, value in result.items()}


@cache
def lemmas(word: str) -> frozenset[str]:
    """Every dictionary lemma of a word (``rose`` -> rose, rise); the word itself when it has none."""
    lower = word.lower().replace("’", "'").rstrip("'")  # "adults'" is "adults"
    found = {lemma for forms in lemminflect.getAllLemmas(lower).values() for lemma in forms}
    origin = _ORIGIN.fullmatch(word)
    if origin and origin.group(1) in demonyms():
        # "Swedish-born" says "born" (in Sweden) and "Swedish": compared by its parts, as the claim's
        # "born in Sweden" or "a Swedish ..." is; other hyphened words stay whole ("non-binding").
        return frozenset({lower, origin.group(1).lower(), *lemmas(origin.group(2))})
    return frozenset(found or {lower.removesuffix("'s")})


#: A nationality word joined to the participle that says what it is of someone ("Swedish-born").
_ORIGIN = re.compile(r"([A-Z][A-Za-z]+)-(born|bred|raised|based|educated|trained)")


@cache
def is_dictionary_word(word: str) -> bool:
    """Whether a capitalized word is also an ordinary English word (``Fans``), not only a name."""
    return bool(lemminflect.getAllLemmas(word.lower()))


@cache
def synonyms() -> dict[str, frozenset[str]]:
    """Lemma -> the lemmas a news text uses for the same thing."""
    result: dict[str, set[str]] = {}
    for line in _lines("synonyms.txt"):
        group = set(line.lower().split())
        for word in group:
            result.setdefault(word, set()).update(group)
    return {key: frozenset(value) for key, value in result.items()}


def with_synonyms(words: set[str]) -> set[str]:
    table = synonyms()
    return words | {other for word in words for other in table.get(word, ())}
