"""Facts said as sentences, not lists: the results with their labels, people with their roles, a sum with
what it is.

A list ("The people named include A (manager), B (winger)"; "The figures given are £35 and £15") tells a
reader nothing about its items; a sentence says what each one is ("A is the manager, and B is the winger";
"The budget is about £6.5 million"). Pure: facts in, sentences out; the caller keeps a sentence only when
the grounding check supports it.
"""

from __future__ import annotations

import re

from qapress.generate.facts import Person
from qapress.generate.story import Figure

#: How many people one sentence names: a longer run of names reads as a list.
PEOPLE_PER_SENTENCE = 2
#: "volumes", "shares", "sales": a label that takes "were".
_SINGULAR_S = re.compile(r"(?:ss|us|is)$")


def _plural(label: str) -> bool:
    last = label.split()[-1]
    return last.endswith("s") and not _SINGULAR_S.search(last)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def results_sentences(figures: list[Figure]) -> list[str]:
    """The results as sentences, two figures a sentence, each figure with its label: "Annual pre-tax profit
    was down 22% to £184 million, and revenue was up 6% to £2.9 billion." A share price move is its own
    sentence, after the company's figures."""

    def clause(figure: Figure) -> str:
        verb = "were" if _plural(figure.label) else "was"
        direction = "up" if figure.up else "down"
        tail = f" to {figure.value}" if figure.value else ""
        return f"{figure.label} {verb} {direction} {figure.change}{tail}"

    company = [f for f in figures if f.label not in ("shares", "share")]
    market = [f for f in figures if f.label in ("shares", "share")]
    sentences = []
    for at in range(0, len(company), 2):
        pair = [clause(f) for f in company[at : at + 2]]
        sentences.append(_capitalized(", and ".join(pair)) + ".")
    sentences += [_capitalized(clause(f)) + "." for f in market]
    return sentences


def people_sentences(people: list[Person]) -> list[str]:
    """The people with their roles, two a sentence: "Ingrid Sollberg is the manager, and Dara Quinlan is the
    winger." People without a known role are left to the sentences that say what they did."""
    roles = [person.role.lower() for person in people if person.role]
    said = [
        f"{person.name} is {_role_phrase(person.role, roles.count(person.role.lower()) > 1)}"
        for person in people
        if person.role
    ]
    return [
        ", and ".join(said[at : at + PEOPLE_PER_SENTENCE]) + "."
        for at in range(0, len(said), PEOPLE_PER_SENTENCE)
    ]


#: Roles a team, a court, a firm or a council has one of: "the manager", but "a councillor", "an analyst".
ONE_OF = frozenset(
    [
        "manager",
        "captain",
        "judge",
        "chair",
        "chairman",
        "chairwoman",
        "president",
        "mayor",
        "leader",
        "coach",
        "founder",
        "prosecutor",
        "head",
        "director",
        "principal",
        "owner",
        "editor",
    ]
)


def _role_phrase(role: str, shared: bool = False) -> str:
    """The role with the article English gives it: "the chief executive", "the judge", but "a councillor",
    "a senior nurse". Definite for a role one person holds (a chief, a head, one of ``ONE_OF``) unless
    ``shared``: two people named hold it."""
    role = role.lower()
    parts = role.split()
    if not shared and (parts[-1] in ONE_OF or parts[0] in ("chief", "head", "lead", "managing")):
        return f"the {role}"
    return ("an " if role[:1] in "aeiou" else "a ") + role


_HEDGED = re.compile(r"\b(?:about|around|roughly|nearly|almost|more than|up to|over|some|an estimated)\s$")


def labelled_amount(sentence: str, amount: str) -> str:
    """The amount said with what it is, as its source sentence labels it; empty when the sentence labels it
    in no way these rules read.

    "with a budget of about £6.5 million" -> "The budget is about £6.5 million."; "a cost of £720,000 a
    year" -> "The cost is £720,000 a year."; "priced at £38.50" -> "The price is £38.50."."""
    at = sentence.find(amount)
    if at < 0:
        return ""
    before, after = sentence[:at], sentence[at + len(amount) :]
    hedge = _HEDGED.search(before)
    head = before[: hedge.start()] if hedge else before
    hedged = hedge.group().strip() + " " if hedge else ""
    per = re.match(r"\s(a|an|per|each)\s(year|month|week|day|hour|share)\b", after)
    rate = f" {per.group(1)} {per.group(2)}" if per else ""
    deal = _DEAL.search(head)
    if deal:
        # "Harbor Foods has agreed to buy GreenLeaf for $1.2 billion": who pays what, for what
        return f"{deal.group('buyer')} will pay {hedged}{amount} for {deal.group('target')}."
    noun_of = re.search(r"\b(?:a|an|the)\s((?:[a-z][a-z\-]+\s){0,1}[a-z][a-z\-]+)\sof\s$", head)
    if noun_of:
        return f"The {noun_of.group(1)} is {hedged}{amount}{rate}."
    where = re.match(r"\s(in (?:the )?[A-Z][\w\-]*(?: [A-Z][\w\-]*)*)", after)
    place = f" {where.group(1)}" if where and not rate else ""
    for verbs, noun in _LABELS:
        verb = re.search(rf"\b(?:{verbs})\s$", head)
        if verb:
            if noun == "price" and "pa" in verb.group() and not rate:
                return ""  # "pays £2.5m to each finalist": a payment, not a price
            return f"The {noun} is {hedged}{amount}{rate}{place}."
    return ""


#: "X has agreed to buy Y for": a deal's buyer and what it buys, before the price.
_DEAL = re.compile(
    r"^(?P<buyer>[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,3})\s(?:has\s|have\s)?(?:agreed\sto\s|is\sto\s|will\s)?"
    r"(?:buy|acquire|take\sover)\s(?P<target>[^,;]{3,60}?)\sfor\s$"
)
#: A verb before a sum and the noun that says what the sum is ("fined £4.2m": the fine is £4.2m).
_LABELS = (
    ("priced at|pay|pays|paid|paying|will pay", "price"),
    # "cost the operator an estimated £9 million": who bore the cost does not change what it was
    ("(?:cost|costs|will cost|would cost)(?:\\s(?:the|its|their)\\s[a-z]+)?", "cost"),
    ("fined", "fine"),
    ("save|saves|saving|will save|would save", "saving"),
    ("raised|has raised|raising", "sum raised"),
    ("spent|has spent|had spent|spending", "sum spent"),
)
