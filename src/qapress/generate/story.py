"""The facts a reader of one kind of story asks about first, typed, each with the sentence that states it.

Sport: the result (winner, loser, score, day, ground) and the next fixture. Politics and local news: the
decision and the vote. Business: the results as labelled figures ("pre-tax profit", down 22% to £184
million). Pure regular expressions over the source's sentences; a fact is only read where the source
states it in one sentence, so that a sentence rebuilt from it stays grounded in that sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapress.generate import patterns as p
from qapress.generate.facts import Facts
from qapress.generate.text import Sentence

_TEAM = r"(?:[A-Z][\w’'\-]*(?:\s+(?:of\s+)?[A-Z][\w’'\-]*){0,3})"
SCORE = r"\d{1,2}\s?[-–]\s?\d{1,2}"
#: "beating Marlow Athletic 2-0", "beat Castleford Town 3-1", "defeated X 2-1".
_BEAT = re.compile(
    rf"\b(?:beat|beats|beating|defeated|defeating|thrashed|edged(?: past)?|overcame|saw off)\s+"
    rf"(?:holders\s+|champions\s+|rivals\s+)?(?P<loser>{_TEAM})\s+(?P<score>{SCORE})"
)
_WINNER_BEAT = re.compile(rf"(?P<winner>{_TEAM})\s+(?:beat|defeated|thrashed|edged)\s+")
_GROUND = re.compile(
    r"\bat\s+(?:the\s+)?(?P<ground>(?:[A-Z][\w’'\-]*\s+){0,3}(?:Stadium|Park|Ground|Arena|Field|Road|Lane|"
    r"Bowl|Dome|Oval))\b"
)
_FACE = re.compile(
    rf"\b(?P<team>{_TEAM})?\s*will\s+(?:now\s+)?(?:face|play|meet|take on)\s+(?:holders\s+|champions\s+)?"
    rf"(?P<opponent>{_TEAM})"
)
_WEEKDAY = re.compile(rf"\b(?:{p.WEEKDAYS})\b")
_VOTE = re.compile(r"\b(?P<yes>\d{1,4})\s+(?:votes\s+)?to\s+(?P<no>\d{1,4})\b")
_DECIDE = re.compile(
    r"\b(?P<verb>approved?|approving|passed|pass|rejected?|rejecting|backed|back|adopted?|scrapped?|"
    r"blocked?|voted\s+(?:to|for|against))\s+(?P<what>(?:the|a|an|new|plans?|its)\b[^,.;]{3,80}?)"
    rf"(?=\s+(?:by|on\s+(?:(?:the\s+)?\d|(?:{p.WEEKDAYS})\b|(?:{p.MONTHS})\b)|at|late|after|despite|in\s+a|with|following)\b|[,.;]|$)"
)
_PAST = {
    "approve": "approved",
    "approving": "approved",
    "pass": "passed",
    "reject": "rejected",
    "rejecting": "rejected",
    "back": "backed",
    "adopt": "adopted",
    "scrap": "scrapped",
    "block": "blocked",
}
_BODY = re.compile(
    r"^(?P<body>(?:[A-Z][\w’'\-]*\s+)*(?i:councillors|council|lawmakers|MPs|members|parliament|"
    r"senators|ministers|the government|voters|residents|the board|committee|assembly|"
    r"[A-Z][\w’'\-]*\s+(?:Council|Assembly|Parliament|Senate|Committee|Board)))\b",
)
#: "pre-tax profit fell 22% to £184 million", "Revenue for the year to March rose 6% to £2.9 billion".
_FIGURE = re.compile(
    r"(?P<label>(?:(?:annual|pre-tax|operating|net|full-year|half-year|quarterly|underlying|core|"
    r"first-quarter|second-quarter|third-quarter|fourth-quarter)\s+){0,2}"
    r"(?:profits?|revenues?|sales|turnover|earnings|losses|loss|income|margin|dividend|volumes|shares|"
    r"orders|deliveries|subscribers|users))\b(?:\s+(?!rose|fell)[\w’'\-]+){0,5}?\s+"
    r"(?P<verb>rose|fell|grew|increased|decreased|dropped|jumped|slumped|climbed|declined|slipped|"
    r"surged|gained|rose|was\s+(?:up|down))\s+(?:by\s+)?(?P<change>\d+(?:\.\d+)?\s?(?:%|percent|per cent))"
    r"(?:\s+to\s+(?P<value>(?:[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|bn|m))?|\d[\d,.]*\s+pence)))?",
    re.IGNORECASE,
)
_UP = {"rose", "grew", "increased", "jumped", "climbed", "surged", "gained", "was up"}


@dataclass(frozen=True)
class Result:
    """A match result as one sentence states it."""

    winner: str
    loser: str
    score: str
    day: str | None
    ground: str | None
    sentence: int

    def sentence_text(self) -> str:
        """“Kestrel City beat Marlow Athletic 2-0 on Saturday at the Fenwick Stadium.”"""
        text = f"{self.winner} beat {self.loser} {self.score}"
        if self.day:
            text += f" on {self.day}"
        if self.ground:
            text += f" at {self.ground}"
        return text + "."


@dataclass(frozen=True)
class Fixture:
    """What comes next for a side: whom it faces, and where, as one sentence states it."""

    team: str
    opponent: str
    ground: str | None
    sentence: int


@dataclass(frozen=True)
class Decision:
    """A vote and what it decided."""

    body: str
    verb: str
    what: str
    votes: tuple[str, str] | None
    day: str | None
    sentence: int

    def sentence_text(self) -> str:
        text = f"{self.body} {self.verb} {self.what}"
        if self.votes:
            text += f" by {self.votes[0]} votes to {self.votes[1]}"
        if self.day:
            text += f" on {self.day}"
        return text[0].upper() + text[1:] + "."


@dataclass(frozen=True)
class Figure:
    """One labelled figure of a company's results: label, direction, change and the value it reached."""

    label: str
    up: bool
    change: str
    value: str | None
    sentence: int

    def phrase(self) -> str:
        """“pre-tax profit down 22% to £184 million”."""
        direction = "up" if self.up else "down"
        tail = f" to {self.value}" if self.value else ""
        return f"{self.label} {direction} {self.change}{tail}"


def results(facts: Facts) -> list[Result]:
    """Every result the source states, the main one first (the one naming the story's subject)."""
    found: list[Result] = []
    for sentence in facts.sentences:
        match = _BEAT.search(sentence.text)
        if not match:
            continue
        winner = _winner(sentence, match.start(), facts)
        if not winner or winner == match.group("loser"):
            continue
        found.append(
            Result(
                winner,
                match.group("loser"),
                re.sub(r"\s", "", match.group("score")).replace("–", "-"),
                _day(sentence),
                _ground(sentence),
                sentence.index,
            )
        )
    found.sort(key=lambda r: (facts.subject not in (r.winner, r.loser), r.sentence))
    return found


def _winner(sentence: Sentence, before: int, facts: Facts) -> str | None:
    head = sentence.text[:before]
    direct = _WINNER_BEAT.search(sentence.text)
    if direct and direct.end() <= before + 12:
        return direct.group("winner")
    people = {person.name for person in facts.people}
    for mention in facts.names:
        if mention.sentence == sentence.index and mention.text in head and mention.text not in people:
            return mention.text
    return None


def _day(sentence: Sentence) -> str | None:
    day = _WEEKDAY.search(sentence.text)
    return day.group() if day else None


def _ground(sentence: Sentence) -> str | None:
    ground = _GROUND.search(sentence.text)
    if not ground:
        return None
    before = sentence.text[: ground.start("ground")]
    return ("the " if before.endswith("the ") else "") + ground.group("ground")


def fixtures(facts: Facts, team: str) -> list[Fixture]:
    """Who a side faces next, from "will face ..." sentences."""
    found: list[Fixture] = []
    for sentence in facts.sentences:
        match = _FACE.search(sentence.text)
        if not match or match.group("opponent") == team:
            continue
        found.append(Fixture(team, match.group("opponent"), _ground(sentence), sentence.index))
    return found


def decisions(facts: Facts) -> list[Decision]:
    """Votes and what they decided; a decision stated with its vote count comes first."""
    found: list[Decision] = []
    for sentence in facts.sentences:
        decided = _DECIDE.search(sentence.text)
        if not decided:
            continue
        body = _BODY.search(sentence.text)
        if not body:
            continue
        vote = _VOTE.search(sentence.text)
        verb = decided.group("verb").split()[-1] if decided.group("verb").startswith("voted") else None
        past = "voted " + verb if verb else _PAST.get(decided.group("verb").lower(), decided.group("verb"))
        found.append(
            Decision(
                body.group("body"),
                past,
                decided.group("what").strip(),
                (vote.group("yes"), vote.group("no")) if vote else None,
                _day(sentence),
                sentence.index,
            )
        )
    found.sort(key=lambda d: (d.votes is None, d.sentence))
    return found


def figures(facts: Facts) -> list[Figure]:
    """The labelled results figures, in the order the source gives them; one per label."""
    found: list[Figure] = []
    for sentence in facts.sentences:
        for match in _FIGURE.finditer(sentence.text):
            label = match.group("label").lower()
            if any(figure.label == label for figure in found):
                continue
            change = re.sub(r"\s?(?:percent|per cent)", "%", match.group("change"))
            found.append(
                Figure(
                    label, match.group("verb").lower() in _UP, change, match.group("value"), sentence.index
                )
            )
    return found
