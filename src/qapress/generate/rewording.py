"""A sentence said in the draft's own words: same-meaning words, the draft's number style, the active voice.

``compress`` shortens a source sentence; this module changes how the words that are left say it, so that a
retold fact does not run on in the source's order for six words or more (the copied-words measure). Every
change keeps the fact: a swap from ``data/rewordings.txt`` stays inside one group of the grounding check's
synonyms, a number keeps its value and unit, a passive becomes the active with the same doer and the same
thing done. Quotations and names are never touched. Pure: strings in, strings out; the caller keeps a
rewrite only when the grounding check supports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_BEFORE = r"(?<![\w’'\-])"
_AFTER = r"(?![\w’'\-])"


@cache
def swaps() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The swap table as (whole-word pattern, replacement), longest source phrase first."""
    pairs: list[tuple[str, str]] = []
    for line in (DATA / "rewordings.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            left, right = (part.strip() for part in line.split("|", 1))
            pairs.append((left, right))
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(
        (re.compile(_BEFORE + r"\s+".join(map(re.escape, left.split())) + _AFTER), right)
        for left, right in pairs
    )


def _outside_quotes(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the parts of ``text`` outside quotation marks."""
    pieces: list[str] = []
    at = 0
    for match in _QUOTED.finditer(text):
        pieces += [change(text[at : match.start()]), match.group()]
        at = match.end()
    pieces.append(change(text[at:]))
    return "".join(pieces)


def _swapped(piece: str) -> str:
    # one pass over the table, where a word already swapped is not swapped back
    marks: list[str] = []

    def keep(replacement: str) -> str:
        marks.append(replacement)
        return f"\x00{len(marks) - 1}\x00"

    for pattern, replacement in swaps():
        piece = pattern.sub(lambda _m, r=replacement: keep(r), piece)  # type: ignore[misc]
    piece = re.sub(r"\x00(\d+)\x00", lambda m: marks[int(m.group(1))], piece)
    piece = re.sub(r",\sthough\s", ", but ", piece)  # "..., though no date has been set" (not "even though")
    return re.sub(r"(\d)\s+(%|mph\b|km/h)", r"\1\2", piece)


def same_meaning_words(text: str) -> str:
    """The text with the table's swaps made outside quotations ("homes" -> "households")."""
    return _outside_quotes(text, _swapped)


#: "rose 6% to", "fell by 22%": a figure's movement in other words (only before a figure: snow that fell
#: did not drop).
_MOVES = {
    "rose": "increased",
    "risen": "increased",
    "rises": "increases",
    "grew": "increased",
    "climbed": "rose",
    "fell": "dropped",
    "falls": "drops",
    "fallen": "dropped",
    "declined": "fell",
    "decreased": "fell",
}
_MOVE = re.compile(r"\b(" + "|".join(_MOVES) + r")\s(?=(?:by\s|to\s|about\s|almost\s)?[£$€]?\d)")

#: "more than 12,000" -> "over 12,000": the same bound on a number, said the draft's way; "12,000 homes"
#: -> "12,000 households" (a count of homes is of households; a care home is not a household).
_BOUNDS = (
    (re.compile(r"(?<=\d )homes\b|(?<=[Tt]housands of )homes\b|(?<=[Hh]undreds of )homes\b"), "households"),
    (re.compile(r"\b[Mm]ore than (?=[£$€]?\d)"), "over "),
)


def _same_case(found: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if found[:1].isupper() else replacement


def number_style(text: str) -> str:
    """Bounds and movements of figures in the draft's words ("more than 12,000" -> "over 12,000", "rose 6%"
    -> "increased 6%")."""

    def change(piece: str) -> str:
        for pattern, replacement in _BOUNDS:
            piece = pattern.sub(lambda m, r=replacement: _same_case(m.group(), r), piece)  # type: ignore[misc]
        return _MOVE.sub(lambda m: _MOVES[m.group(1)] + " ", piece)

    return _outside_quotes(text, change)


#: "Several roads were closed by fallen trees." -> "Fallen trees closed several roads.": a whole sentence
#: of subject, "was/were" + a regular past participle, "by" + a short doer, and at most a short tail.
_PASSIVE = re.compile(
    r"^(?P<subject>(?:[A-Z][a-z]+)(?:\s[a-z][\w’'\-]*){0,5})\s(?:was|were)\s(?P<verb>[a-z]{3,}ed)\s"
    r"by\s(?P<doer>(?:the\s|a\s|an\s)?[\w’'\-]+(?:\s[\w’'\-]+){0,3})(?P<tail>(?:\s(?:on|in|at|last)\s[\w’'\-]+(?:\s[\w’'\-]+)?)?)\.$"
)
_NOT_A_DOER = re.compile(
    r"\b(?:the end|then|now|far|law|hand|accident|mistake|chance|day|night|noon|[\d,.]+)\b"
)


#: "The study was funded with $2.5m from the Ocean Futures Trust." -> "The Ocean Futures Trust funded the
#: study with $2.5m.": a sum given "with … from" a named giver, who becomes the doer.
_PASSIVE_FROM = re.compile(
    r"^(?P<subject>(?:[A-Z][a-z]+)(?:\s[a-z][\w’'\-]*){0,5})\s(?:was|were)\s(?P<verb>[a-z]{3,}ed)\s"
    r"(?P<means>with\s(?:[^,;“”\"]|,(?=\d)){2,30}?)\sfrom\s(?P<doer>(?:the\s)?[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,4})\.$"
)


def active_voice(sentence: str) -> str:
    """A short passive sentence in the active voice; unchanged when it is not one."""
    given = _PASSIVE_FROM.match(sentence)
    if given and not re.search(r"[“”\"]", sentence):
        subject = given.group("subject")
        subject = subject[0].lower() + subject[1:] if subject.split()[0] != "I" else subject
        doer = given.group("doer")
        return f"{doer[0].upper()}{doer[1:]} {given.group('verb')} {subject} {given.group('means')}."
    match = _PASSIVE.match(sentence)
    if not match or _NOT_A_DOER.search(match.group("doer")) or re.search(r"[“”\"]", sentence):
        return sentence
    subject = match.group("subject")
    first = subject.split()[0]
    subject = first.lower() + subject[len(first) :] if first not in ("I",) else subject
    doer = match.group("doer")
    doer = doer[0].upper() + doer[1:]
    return f"{doer} {match.group('verb')} {subject}{match.group('tail')}."


#: "Residents who need help" -> "Residents needing help": a short relative clause as a participle.
_GERUNDS = {
    "need": "needing",
    "live": "living",
    "work": "working",
    "use": "using",
    "want": "wanting",
    "own": "owning",
    "run": "running",
    "travel": "travelling",
    "visit": "visiting",
}
_WHO_DO = re.compile(r"\b(?<=[a-z]s )(?:who|that) (" + "|".join(_GERUNDS) + r")\b")
#: "Schools in Milbrook will ..." -> "Milbrook schools will ...": the place before a plural noun.
_NOUN_IN_PLACE = re.compile(r"^([A-Z][a-z]{2,}s) in ([A-Z][a-z]{2,})\b(?!\s[A-Z])")


def reordered(text: str) -> str:
    """Small word-order changes that keep the fact: the place before the noun, a participle for "who"."""
    text = _NOUN_IN_PLACE.sub(lambda m: f"{m.group(2)} {m.group(1).lower()}", text)
    return _outside_quotes(text, lambda piece: _WHO_DO.sub(lambda m: _GERUNDS[m.group(1)], piece))


#: "Winds reached 70mph, according to the weather service." -> "The weather service said winds reached 70mph."
_ACCORDING_TAIL = re.compile(r"^(?P<fact>[^“”\"]{12,}?),\saccording to (?P<who>(?:the\s)?[\w’'\- ]{3,60})\.$")


def speaker_said(sentence: str) -> str:
    """A trailing "according to X" said as "X said ..."; unchanged otherwise."""
    match = _ACCORDING_TAIL.match(sentence)
    if not match:
        return sentence
    who, fact = match.group("who"), match.group("fact")
    if fact.split()[0].lower() in _ORDINARY_OPENINGS:
        fact = fact[0].lower() + fact[1:]
    return f"{who[0].upper()}{who[1:]} said {fact}."


#: Sentence openers that are ordinary words, lower-cased once they follow "X said".
_ORDINARY_OPENINGS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "some",
        "several",
        "many",
        "most",
        "more",
        "winds",
        "sales",
        "prices",
        "shares",
        "tickets",
        "work",
        "schools",
        "roads",
        "police",
        "temperatures",
    ]
)

#: "Valley Power said A but warned that B." -> "Valley Power said A. Valley Power warned that B."
_SAID_BUT = re.compile(
    r"^(?P<who>[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,3})\s(?P<said>said|says)\s(?P<first>[^“”\"]{12,}?)"
    r",?\s(?:but|and)\s(?P<verb>warned|added|said|says|warns|adds)\s(?P<second>[^“”\"]{8,})$"
)
#: "A, and B." where B has its own subject: two sentences.
_AND_CLAUSE = re.compile(
    r"^(?P<first>[^“”\"]{20,}?),\s(?:and|but|while)\s(?P<second>(?:the|a|an|its|their|some|[A-Z][a-z]+)\s[^“”\"]{12,})$"
)


#: "The drama, which follows three sisters, was shot on Orkney." -> what the drama is, then what was done.
_SUBJECT_WHICH = re.compile(
    r"^(?P<subject>(?:The|A|An|Its|His|Her|Their)\s[\w’'£$€.\- ]{2,40}?),\s(?:which|who)\s"
    r"(?P<clause>[^,;“”\"]{8,120}),\s(?P<rest>[a-z][^“”\"]{8,})$"
)


#: "..., according to the weather service, which had issued an amber warning." -> the warning said of it.
_TRAILING_WHICH = re.compile(
    r"^(?P<main>[^“”\"]{20,}?),\s(?:which|who)\s(?P<clause>[a-z][^,;“”\"]{8,120}\.)$"
)
_LAST_NOUN_PHRASE = re.compile(
    r"(?:\b(?:the|a|an)\s[a-z][\w’'\- ]{2,40}|\b[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,3})$"
)


def split_clauses(sentence: str) -> list[str]:
    """A sentence of two main clauses as two sentences (the speaker said again for the second; a subject's
    "which" clause said of the subject); the sentence alone when it is not one."""
    trailing = _TRAILING_WHICH.match(sentence)
    if trailing:
        thing = _LAST_NOUN_PHRASE.search(trailing.group("main"))
        if thing and not re.match(r"(?:is|are|was|were)\s(?:a|an|the)\b", trailing.group("clause")):
            named = thing.group()
            return [trailing.group("main") + ".", f"{named[0].upper()}{named[1:]} {trailing.group('clause')}"]
    which = _SUBJECT_WHICH.match(sentence)
    if which and not re.match(r"(?:is|are|was|were|has|have)\s(?:a|an|the)\b", which.group("clause")):
        subject = which.group("subject")
        return [f"{subject} {which.group('clause')}.", f"{subject} {which.group('rest')}"]
    said = _SAID_BUT.match(sentence)
    if said:
        who = said.group("who")
        return [
            f"{who} {said.group('said')} {said.group('first')}.",
            f"{who} {said.group('verb')} {said.group('second')}",
        ]
    joined = _AND_CLAUSE.match(sentence)
    if joined and re.search(
        r"\b(?:is|are|was|were|has|have|had|will|can|could|may|might|[a-z]{3,}ed)\b", joined.group("second")
    ):
        second = joined.group("second")
        return [joined.group("first") + ".", second[0].upper() + second[1:]]
    return [sentence]


def in_own_words(sentence: str) -> str:
    """All of the above at once: the candidate that shares fewest runs of words with the source."""
    return active_voice(reordered(number_style(same_meaning_words(speaker_said(sentence)))))
