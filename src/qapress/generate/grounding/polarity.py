"""Polarity, modality and direction of a clause: what is negated, whether it is hedged, which way a
quantity moved, and who did what to whom.

Cue words are in ``data/`` (negations, hedges, antonyms, directions). A negation governs the next few
content words of its clause; a hedge governs its clause.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import lemminflect

from qapress.generate.grounding import lexicon

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-]*")
_CLAUSE_BREAK = re.compile(
    r"[,;:—–()]|[.!?][\"”’']?\s|\s(?:but|while|whereas|although|though|however)\s", re.IGNORECASE
)
NEGATION_REACH = 1
_BE = {"is", "are", "was", "were", "be", "been", "being", "get", "got"}
SYMMETRIC = {"meet", "draw", "tie", "marry", "merge", "partner", "face", "play", "join", "talk", "agree"}


@dataclass(frozen=True)
class Token:
    word: str
    start: int
    end: int
    lemmas: frozenset[str]

    @property
    def content(self) -> bool:
        return self.word.lower() not in lexicon.stopwords() and not self.word[0].isdigit()


def tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end(), lexicon.lemmas(m.group())) for m in _TOKEN.finditer(text)]


def content_lemmas(text: str) -> set[str]:
    """Lemmas of the content words (no stopwords, no digits)."""
    return {lemma for token in tokens(text) if token.content for lemma in token.lemmas}


def lemma_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Lemmas of content words that follow each other in a clause: a phrase said in the same order is
    stronger evidence of the same fact than the same words scattered."""
    pairs: set[tuple[str, str]] = set()
    for clause in clauses(text):
        found = [t for t in tokens(clause) if t.content]
        for left, right in itertools.pairwise(found):
            pairs |= {(a, b) for a in left.lemmas for b in right.lemmas}
    return frozenset(pairs)


def clauses(text: str) -> list[str]:
    return [piece for piece in _CLAUSE_BREAK.split(text) if piece and piece.strip()]


#: What turns a negation word into emphasis: "none other than X" is X, "nothing but praise" is praise only,
#: "not only A but B" keeps A.
_EMPHATIC = re.compile(r"\s+(?:other\s+than|but|only)\b", re.IGNORECASE)


def negation_cues(text: str) -> list[re.Match[str]]:
    """The negation cues of a text that negate something: not "the no vote", "a no deal" (a side or an
    outcome: a determiner before "no"), nor the emphatic "none other than", "nothing but", "not only"."""
    return [
        m
        for m in lexicon.phrase_pattern("negations.txt").finditer(text)
        if not re.search(r"\b(?:the|a|an)\s+$", text[: m.start()], re.IGNORECASE)
        and not _EMPHATIC.match(text, m.end())
    ]


def negated_lemmas(text: str) -> set[str]:
    """Content lemmas under a negation ("did not approve" -> approve)."""
    negated: set[str] = set()
    for clause in clauses(text):
        found = tokens(clause)
        cue_ends = [m.end() for m in negation_cues(clause)]
        cue_ends += [t.end for t in found if t.word.lower().endswith(("n't", "n’t"))]
        for end in cue_ends:
            following = [t for t in found if t.start >= end and t.content and not t.word[0].isupper()]
            following = following[:NEGATION_REACH]
            for token in following:
                negated |= token.lemmas
    return negated


def is_negative(text: str) -> bool:
    """Whether a clause holds a negation."""
    return bool(negation_cues(text)) or bool(re.search(r"n[’']t\b", text))


def is_month(text: str, start: int, end: int) -> bool:
    """Whether the capitalised hedge word at ``text[start:end]`` is the month: "May" inside a sentence, or
    "May" at its start with a day or a year after it ("May 19 is ...", "May 2027 ...")."""
    word = text[start:end]
    if word != "May":
        return False
    inside = bool(text[:start].strip()) and not re.search(r"[.!?“\"]\s*$", text[:start])
    return inside or bool(re.match(r"\s+\d", text[end:]))


def hedges(text: str) -> list[str]:
    """The hedge words of a text, lower case ("May" the month is none)."""
    return [
        match.group().lower()
        for match in lexicon.phrase_pattern("hedges.txt").finditer(text)
        if not is_month(text, match.start(), match.end())
    ]


def cue_kept(cue: str, text: str) -> bool:
    """Whether a text keeps a cue of several words, others between them ("not checked yet" keeps
    "not yet") within one clause."""
    parts = cue.lower().split()
    if len(parts) < 2:
        return False
    gap = r"(?:\s+[\w'’\-]+){0,6}?\s+"
    pattern = gap.join(re.escape(part) if part != "not" else r"(?:not|\w+n['’]t)" for part in parts)
    return any(re.search(rf"\b{pattern}\b", clause, re.IGNORECASE) for clause in clauses(text))


def directions(text: str) -> set[str]:
    """ "up" and/or "down" for the changes a text reports, less those it negates."""
    table = lexicon.directions()
    negated = negated_lemmas(text)
    found: set[str] = set()
    for token in tokens(text):
        if re.match(r"(?:\s+[\w'’\-]+){0,3}?\s+than\b", text[token.end :]):
            continue  # "higher than" compares; it tells no change (the comparison check reads it)
        for lemma in token.lemmas | {token.word.lower()}:
            if lemma in table and lemma not in negated:
                found.add(table[lemma])
    return found


def direction_before(text: str, position: int) -> str | None:
    """ "up" or "down" for the direction word nearest before a number, within its clause."""
    table = lexicon.directions()
    clause = _CLAUSE_BREAK.split(text[max(0, position - 60) : position])[-1]
    for token in reversed(tokens(clause)[-4:]):
        for lemma in token.lemmas | {token.word.lower()}:
            if lemma in table:
                return table[lemma]
    return None


#: Opposites that tell one relation from each side ("A beat B" is "B lost to A"): told with the
#: participants turned round, they say the same fact.
CONVERSES = {
    frozenset(pair)
    for pair in (
        ("beat", "lose"),
        ("win", "lose"),
        ("defeat", "lose"),
        ("buy", "sell"),
        ("lead", "trail"),
        ("above", "below"),
        ("more", "fewer"),
        ("more", "less"),
        ("higher", "lower"),
        ("high", "low"),
        ("better", "worse"),
        ("best", "worst"),
        ("gain", "lose"),
        ("victory", "defeat"),
        ("win", "defeat"),
    )
}


def converse(a: str, b: str) -> bool:
    """Whether two opposite lemmas tell one relation from its two sides."""
    return frozenset((a, b)) in CONVERSES


def antonym_conflicts(claim: str, source: str) -> list[tuple[str, str]]:
    """(claim word, source word) where the claim says one and the source its opposite, and not also the
    claim's own word."""
    table = lexicon.antonyms()
    claim_lemmas = {lemma for t in tokens(claim) for lemma in t.lemmas} - negated_lemmas(claim)
    source_tokens = tokens(source)
    source_lemmas = {lemma for t in source_tokens for lemma in t.lemmas}
    source_negated = negated_lemmas(source)
    conflicts: list[tuple[str, str]] = []
    for lemma in sorted(claim_lemmas):
        if lemma in source_lemmas:
            continue
        for opposite in table.get(lemma, ()):
            if opposite in source_lemmas and opposite not in source_negated:
                conflicts.append((lemma, opposite))
    return conflicts


def agent_first(
    text: str, first: tuple[int, int], second: tuple[int, int], verb_lemmas: set[str]
) -> bool | None:
    """Whether the entity at ``first`` does the act of the shared verb to ``second`` (passive voice
    turned round); None when no shared verb lies between them."""
    a, b = sorted([first, second])
    between = [t for t in tokens(text) if a[1] <= t.start < b[0]]
    verb = next((t for t in between if t.lemmas & verb_lemmas), None)
    # Only a plain "A <verb> B" or "A was <verb>ed by B", the verb next to both names, is read.
    if verb is None or len(between) > 6 or between.index(verb) > 3:
        return None
    if _CLAUSE_BREAK.search(text[a[1] : b[0]]):
        return None
    index = between.index(verb)
    before_verb = [t.word.lower() for t in between[max(0, index - 2) : index]]
    after_verb = [t.word.lower() for t in between[index + 1 :]]
    passive = bool(set(before_verb) & _BE) and "by" in after_verb
    earlier_is_agent = not passive
    return earlier_is_agent if first == a else not earlier_is_agent


def shared_verbs(claim: str, source: str) -> set[str]:
    """Content lemmas both texts have that can be acts (not symmetric ones like "meet")."""
    return (content_lemmas(claim) & content_lemmas(source)) - SYMMETRIC


def from_to(text: str) -> list[tuple[str, str]]:
    """ "from X to Y" pairs, as written."""
    return re.findall(r"\bfrom\s+([$€£¥]?[\w.,]+%?)\s+to\s+([$€£¥]?[\w.,]+%?)", text)


@dataclass(frozen=True)
class Roles:
    """Who does the act of a verb in a clause (agent) and to whom (patient), as content lemmas."""

    verb: str
    agent: frozenset[str]
    patient: frozenset[str]


_AUXILIARIES = {
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "must",
    "should",
    "to",
    "did",
    "does",
    "do",
    "has",
    "have",
    "had",
    "not",
    "never",
    "also",
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
}
_NOUN_PHRASE_START = {
    "a",
    "an",
    "the",
    "its",
    "his",
    "her",
    "their",
    "this",
    "these",
    "those",
    "to",
    "of",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "by",
    "into",
    "some",
    "many",
    "all",
    "more",
}
_DETERMINERS = {"a", "an", "the", "its", "his", "her", "their", "this", "these", "those", "it", "them"}
_SAME_PAST = {
    "beat",
    "cut",
    "set",
    "hit",
    "put",
    "let",
    "cost",
    "hurt",
    "quit",
    "shut",
    "spread",
    "cast",
    "bid",
}


def _is_verb(token: Token, previous: str, following: Token | None = None) -> bool:
    """Whether a word acts as a verb here: a past or -ing form, or a base form after an auxiliary; an
    -ed or -ing word right before a noun is an adjective ("exposed coasts")."""
    word = token.word.lower()
    forms = lemminflect.getAllLemmas(word)
    if "VERB" not in forms or previous in ("than", "as"):
        return False  # "longer than expected" names no act
    if word.endswith("ing") and previous == "" and following is not None:
        # At a clause start an -ing word is an act only when an object follows ("beating Marlow",
        # "stealing £186,000"), not in "parking in the centre".
        nxt = following.word
        if not (nxt[0].isupper() or nxt[0].isdigit() or nxt.lower() in _DETERMINERS):
            return False
    if word.endswith(("ed", "ing")):
        # Before a noun, after a determiner, a preposition or nothing, it is an adjective ("to exposed
        # coasts", "the reduced timetable"); after a subject or "and", a verb ("and advised passengers").
        noun_next = following is not None and following.content and following.start - token.end <= 1
        if noun_next and previous in _NOUN_PHRASE_START | {""}:
            following_forms = lemminflect.getAllLemmas(following.word.lower())  # type: ignore[union-attr]
            if "NOUN" in following_forms and "VERB" not in following_forms:
                return False
        return True
    if previous in _AUXILIARIES:
        return True
    if word in _SAME_PAST:
        return previous not in {"a", "an", "the", "its", "his", "her", "their", "this"}
    return word not in forms["VERB"] and "NOUN" not in forms


def _participants(found: list[Token]) -> frozenset[str]:
    result: set[str] = set()
    for token in found:
        if not token.content:
            continue
        forms = lemminflect.getAllLemmas(token.word.lower())
        if token.word[0].isupper() or not forms or "NOUN" in forms or "PROPN" in forms:
            result |= token.lemmas
    return frozenset(result)


def _previous_word(text: str, found: list[Token], i: int) -> str:
    """The word before token ``i`` in its clause ("" at a clause start)."""
    if not i or re.search(r"[,;:.!?()—–]", text[found[i - 1].end : found[i].start]):
        return ""
    return found[i - 1].word.lower()


def roles(text: str, verbs: set[str]) -> Roles | None:
    """The agent and patient of the first of ``verbs`` in ``text``; passive voice ("was hired by")
    turned round; the subject of a participle clause ("…, beating Marlow") is the sentence's subject."""
    found = tokens(text)
    index = next(
        (
            i
            for i, t in enumerate(found)
            if t.lemmas & verbs
            and _is_verb(t, _previous_word(text, found, i), found[i + 1] if i + 1 < len(found) else None)
        ),
        None,
    )
    if index is None:
        return None
    verb = found[index]
    lemma = sorted(verb.lemmas & verbs)[0]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    start = max([b for b in breaks if b < verb.start], default=0)
    end = min([b for b in breaks if b >= verb.end], default=len(text))
    before = _coordinated_subject([t for t in found[:index] if t.start >= start], text, found, index)
    if not [t for t in before if t.content]:
        # "The group leader, Councillor Ann Lee, voted": the subject is all before, less the phrases
        # that describe it ("The start-up, founded in 2019 by Maartens, has raised": not Maartens).
        before = [
            t
            for t in found[:index]
            if not any(a <= t.start < b for a, b in _described(text, breaks, verb.start))
        ]
    after = [t for t in found[index + 1 :] if t.end <= end]
    words = [t.word.lower() for t in found[max(0, index - 2) : index]]
    # "by" before a figure ("cut by three storeys", "by 78% to 22%") measures the act; it names no agent.
    by = next(
        (
            i
            for i, t in enumerate(after)
            if t.word.lower() == "by" and not (i + 1 < len(after) and _figure(after[i + 1].word))
        ),
        None,
    )
    if (set(words) & _BE and verb.word.lower() not in verb.lemmas) or by in (0, 1):
        agent = _participants(after[by + 1 :]) if by is not None else frozenset()
        return Roles(lemma, agent, _participants(before + (after[:by] if by is not None else after)))
    return Roles(lemma, _participants(before), _participants(after))


def _coordinated_subject(before: list[Token], text: str, found: list[Token], index: int) -> list[Token]:
    """The words before a verb that can be its subject. A verb joined by "and" to an earlier one ("who was
    born in Poland and has led the bank") shares that verb's subject, not the last noun before it: what
    stands between the two verbs is the first verb's object or place."""
    j = index - 1
    while j >= 0 and found[j].word.lower() in _AUXILIARIES | _BE and found[j] in before:
        j -= 1
    if j < 0 or found[j] not in before or found[j].word.lower() not in ("and", "or"):
        return before
    for k, token in enumerate(before):
        if token.word.lower() in _BE or (
            token is not found[j]
            and _is_verb(
                token,
                _previous_word(text, found, found.index(token)),
                before[k + 1] if k + 1 < len(before) else None,
            )
        ):
            return before[:k]
    return before


def _figure(word: str) -> bool:
    """Whether a word is a number, in digits or in words ("40", "three", "a" is not)."""
    from qapress.generate.grounding.numbers import normalize_numbers  # numbers reads this module's cues

    return word[0].isdigit() or normalize_numbers(word.lower()) != word.lower()


def _described(text: str, breaks: list[int], end: int) -> list[tuple[int, int]]:
    """Spans of the segments before ``end`` that open with a participle or a relative pronoun."""
    spans: list[tuple[int, int]] = []
    edges = [b for b in breaks if b < end] + [end]
    for start, stop in itertools.pairwise(edges):
        first = re.match(r"[\s,;:—–()]*([A-Za-z]+)", text[start:stop])
        if first and (
            first.group(1).lower() in {"who", "which", "whose", "that", "where"}
            # (a participle is written in lower case: "Aled", "Sterling" open a name, not a clause)
            or (first.group(1).islower() and first.group(1).endswith(("ed", "ing")))
        ):
            spans.append((start, stop))
    return spans


def reversed_roles(claim: Roles, source: Roles) -> bool:
    """Whether someone the claim makes the agent is the source's patient, and the claim's patient the
    source's agent."""
    one = (claim.agent & source.patient) - source.agent
    other = (claim.patient & source.agent) - source.patient
    return bool(one) and bool(other)


_STANCE = re.compile(
    r"\b(vot(?:e|es|ed|ing)|argu(?:e|es|ed|ing)|campaign(?:s|ed|ing)?|spoke|speak(?:s|ing)?)\s+"
    r"(?:\w+\s+)??(for|in\s+favou?r\s+of|in\s+favou?r|against)\b",
    re.IGNORECASE,
)


def stances(text: str) -> set[tuple[str, str]]:
    """(verb, side) of every vote or argument a text reports: "voted against the plan" -> (vote, against).
    "for" and "against" are stopwords to the rest of the check, so the side is read here."""
    found: set[tuple[str, str]] = set()
    for match in _STANCE.finditer(text):
        verb = match.group(1).lower()[:4]  # vote, argu, camp, spok/spea
        side = "against" if match.group(2).lower() == "against" else "for"
        found.add((verb, side))
    return found


#: The public names the frame reader uses.
CLAUSE_BREAK = _CLAUSE_BREAK
is_verb = _is_verb
previous_word = _previous_word
described_spans = _described
SAME_PAST = _SAME_PAST
is_figure = _figure
