"""Long verbatim copies: a draft says things in its own words, quoting only with attribution."""

from __future__ import annotations

import re

from qapress.generate.text import words

MAX_COPY_WORDS = 12
QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
ATTRIBUTION = re.compile(
    r"\b(?:according to|said|says|told|reports?|reported|wrote|writes|notes|noted|explained|added|"
    r"announced|based on|in the words of|quoted)\b",
    re.IGNORECASE,
)


def source_ngrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + MAX_COPY_WORDS + 1]) for i in range(len(tokens) - MAX_COPY_WORDS)}


def split_quotations(text: str) -> tuple[list[str], list[str]]:
    """(quoted spans, the text outside them) of an answer or paragraph."""
    quoted = [a or b for a, b in QUOTED.findall(text)]
    outside = QUOTED.split(text)
    return quoted, [outside[i] for i in range(0, len(outside), 3)]


def copied_runs(text: str, ngrams: set[tuple[str, ...]]) -> list[str]:
    """Runs of more than ``MAX_COPY_WORDS`` consecutive words that ``text`` shares with the source."""
    tokens = words(text)
    runs: list[str] = []
    i = 0
    size = MAX_COPY_WORDS + 1
    while i + size <= len(tokens):
        if tuple(tokens[i : i + size]) in ngrams:
            end = i + size
            while end < len(tokens) and tuple(tokens[end - size + 1 : end + 1]) in ngrams:
                end += 1
            runs.append(" ".join(tokens[i:end]))
            i = end
        else:
            i += 1
    return runs


def copy_problems(text: str, ngrams: set[tuple[str, ...]]) -> list[str]:
    """Long copies outside quotations; a quotation only counts as such when the text attributes it."""
    _, outside = split_quotations(text)
    attributed = bool(ATTRIBUTION.search(" ".join(outside)))
    pieces = outside if attributed else [text]
    return [
        f"copies {len(run.split())} consecutive words of the source: “{run}”"
        for piece in pieces
        for run in copied_runs(piece, ngrams)
    ]
