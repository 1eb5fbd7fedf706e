"""A site's sections: the subjects its recent titles share, found from the titles themselves.

qapress keeps no tags or categories: a section is a word (a name, a subject) that at least two of the site's
newest titles use, such as "Festival" or "Budget". Pure: the page query gives the titles, this module gives
the sections and which of those articles each one holds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

#: Sections shown in a header, at most.
MAX_SECTIONS = 5
#: Titles a word must appear in to be a section.
MIN_TITLES = 2

_WORD = re.compile(r"[^\W\d_][\w’'-]*[^\W_]|[^\W\d_]")


@cache
def section_stopwords() -> frozenset[str]:
    text = resources.files("qapress.site").joinpath("data", "section_stopwords.txt").read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


def _key(word: str) -> str:
    """The word as a section key: lower case, without a possessive or a plural's ``s``."""
    key = word.lower().replace("’", "'")
    key = key.removesuffix("'s").removesuffix("'")
    if len(key) > 4 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def title_keys(title: str) -> list[tuple[str, str]]:
    """The candidate (key, surface form) pairs of a title, each key once, in the title's order."""
    seen: dict[str, str] = {}
    skip = section_stopwords()
    for word in _WORD.findall(title):
        key = _key(word)
        if len(key) < 4 or key in skip or word.lower() in skip:
            continue
        seen.setdefault(key, word.replace("’s", "").replace("'s", ""))
    return list(seen.items())


@dataclass(frozen=True)
class Section:
    """A section: its label, its key (what a search for it finds) and the indexes of its titles."""

    label: str
    key: str
    members: tuple[int, ...]


def find_sections(titles: Sequence[str], limit: int = MAX_SECTIONS) -> list[Section]:
    """``rank_sections`` of ``titles``, remembered: every page of a site shows the same newest titles, so a
    page-cache miss finds its header's sections without ranking them again."""
    return list(rank_sections(tuple(titles), limit))


@lru_cache(maxsize=256)
def rank_sections(titles: tuple[str, ...], limit: int = MAX_SECTIONS) -> tuple[Section, ...]:
    """The most shared subjects of ``titles`` (newest first), each with the titles that use it.

    Ranked by how many titles share the word, then by how early in them it comes (a headline names its
    subject first), then by how recent its newest title is; a word whose titles are all in a section
    already ranked adds nothing and is left out.
    """
    titles_of: dict[str, list[int]] = {}
    forms: dict[str, Counter[str]] = {}
    positions: dict[str, int] = {}
    for index, title in enumerate(titles):
        for position, (key, form) in enumerate(title_keys(title)):
            titles_of.setdefault(key, []).append(index)
            forms.setdefault(key, Counter())[form] += 1
            positions[key] = positions.get(key, 0) + position
    ranked = sorted(
        (key for key, members in titles_of.items() if len(members) >= MIN_TITLES),
        key=lambda key: (-len(titles_of[key]), positions[key] / len(titles_of[key]), titles_of[key][0], key),
    )
    sections: list[Section] = []
    covered: list[set[int]] = []
    for key in ranked:
        members = set(titles_of[key])
        if any(members <= other for other in covered):
            continue
        form = forms[key].most_common(1)[0][0]
        label = form[:1].upper() + form[1:]
        sections.append(Section(label, key, tuple(titles_of[key])))
        covered.append(members)
        if len(sections) == limit:
            break
    return tuple(sections)
