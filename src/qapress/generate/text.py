"""Plain-text primitives shared by extraction and grounding: paragraphs, sentences, words, quotes.

Pure functions over strings; no model, no download. English news prose is the target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "gov",
        "sen",
        "rep",
        "rev",
        "inc",
        "ltd",
        "corp",
        "co",
        "bros",
        "no",
        "vs",
        "etc",
        "approx",
        "dept",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
CREDIT_LINE = re.compile(
    r"^\s*(?:image|photo|photograph|picture|source|credit|credits|pictured)\s*(?:credit)?\s*:\s*(.{2,80}?)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the source and where it sits: paragraph index and position in the text."""

    text: str
    paragraph: int
    index: int


def normalize(text: str) -> str:
    """NFC, unified spaces and line ends; quotes are kept as written."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"[ \t]+", " ", text)


def paragraphs(text: str) -> list[str]:
    """Non-empty lines of the text: news extractors emit one paragraph per line."""
    return [line.strip() for line in normalize(text).split("\n") if line.strip()]


def is_headline(line: str) -> bool:
    """A short line without closing punctuation: a title or a subheading, not prose."""
    words = line.split()
    return 2 <= len(words) <= 20 and not re.search(r"[.!?:;,…\"”]$", line.strip())


def credit_of(line: str) -> str | None:
    """The credit named by a caption line such as ``Source: IMDb`` or ``Photo: Getty Images``."""
    match = CREDIT_LINE.match(line)
    if match and len(match.group(1).split()) <= 6:
        return match.group(1).strip()
    return None


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; abbreviations and initials do not end a sentence."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.end()].strip()
        last_word = re.search(r"([A-Za-z.]+)[.]+[\"”’')\]]*\s*$", candidate)
        if last_word:
            word = last_word.group(1).lower().rstrip(".")
            if word in ABBREVIATIONS or len(word) == 1:
                continue
        pieces.append(candidate)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def sentences(text: str) -> list[Sentence]:
    """Every prose sentence of the text, in order; headlines and caption credits are left out."""
    result: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs(text)):
        if is_headline(paragraph) or credit_of(paragraph):
            continue
        for piece in split_sentences(paragraph):
            result.append(Sentence(piece, number, len(result)))
    return result


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes unified: the unit of the verbatim-copy check."""
    return [word.lower().replace("’", "'") for word in _WORD.findall(text)]


def strip_quotes(text: str) -> str:
    """Surrounding quote marks off a phrase: ``‘Heat 2’`` -> ``Heat 2``."""
    return text.strip().strip("\"“”‘’'").strip()


def as_inner_quote(text: str) -> str:
    """Double quotes turned into single ones, so the text can sit inside a “…” quotation."""
    return text.replace("“", "‘").replace("”", "’").replace('"', "'")


def join_list(items: list[str], conjunction: str = "and") -> str:
    """``a, b and c``."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
