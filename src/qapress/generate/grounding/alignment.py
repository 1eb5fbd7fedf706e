"""Aligning a claim with the source sentence that tells the same act, slot by slot.

The claim's predicate is matched with a source predicate of the same verb (or a synonym); then each of
the claim's participants with the source's participant that shares its words. A participant found in
the same role is aligned, with the source words that support it. Two participants found in each
other's roles ("the charity stole from Pell" where Pell stole from the charity), a name the claim gives
a role that the source gives someone else in that role, or a name the claim makes the patient where the
source makes it the agent, is a conflict: the claim says who did what to whom the other way round.
A claim whose predicate finds no source predicate is not aligned: the verdict leaves it to the editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapress.generate.grounding import frames, lexicon, polarity
from qapress.generate.grounding.source_index import SourceSentence

#: Roles that hold a participant of the act itself; "with" and the like do not.
_PARTIES = {frames.AGENT, frames.PATIENT, "from", "to", "by", "against", "ahead of", "behind", "over"}
#: Verbs that say nothing about who acts ("be", "have") or read the same both ways round.
_LIGHT = {
    "be",
    "have",
    "do",
    "get",
    "make",
    "take",
    "go",
    "come",
    "give",
    "put",
    "set",
    "say",
    "mean",
    "help",
    "seem",
    "become",
    "remain",
    "stay",
    "want",
    "need",
    "try",
    "expect",
    "use",
}


@dataclass(frozen=True)
class SlotMatch:
    """A participant of the claim and the source words that fill the same role."""

    role: str
    claimed: str
    source: str


@dataclass(frozen=True)
class Alignment:
    """The source sentence whose predicate is the claim's, the aligned slots, and any conflict."""

    sentence: int
    verb: str
    slots: tuple[SlotMatch, ...]
    conflict: str | None = None
    #: Whether every participant of the claim's act found its words in one of the source's.
    complete: bool = False

    def described(self) -> list[str]:
        """The slots as the editor reads them: ``role: claim words = source words``."""
        return [f"{m.role}: {m.claimed} = {m.source}" for m in self.slots]


def _same_verb(claim: frames.Frame, source: frames.Frame) -> bool:
    mine = claim.verb - _LIGHT
    return bool(mine) and bool(lexicon.with_synonyms(set(mine)) & source.verb)


def _names(slot: frames.Slot, proper: set[str]) -> frozenset[str]:
    return slot.lemmas & proper


def _capitalised(text: str) -> bool:
    """Whether a phrase holds a name (a capitalised word past its first)."""
    return any(word[:1].isupper() for word in text.split()[1:]) or (
        bool(text) and text[0].isupper() and not lexicon.is_dictionary_word(text.split()[0])
    )


def _overlap(a: frames.Slot, b: frames.Slot) -> frozenset[str]:
    return frozenset(lexicon.with_synonyms(set(a.lemmas)) & b.lemmas)


def _conflict(
    claim: frames.Frame,
    source: frames.Frame,
    proper: set[str],
    source_lemmas: set[str],
    agent_read: bool = True,
) -> str | None:
    if claim.verb & polarity.SYMMETRIC or source.verb & polarity.SYMMETRIC:
        return None  # "A married B" is "B married A"
    parties = [s for s in claim.slots if s.role in _PARTIES]
    theirs = [s for s in source.slots if s.role in _PARTIES]
    same = {(c.role, t.role) for c in parties for t in theirs if c.role == t.role and _overlap(c, t)}
    aligned_roles = {role for role, _ in same}

    def named_elsewhere(c: frames.Slot, t: frames.Slot) -> bool:
        """The claim's name in this slot is the source's in another role, not in this one ("to pay
        Lanyard's legal costs" where Lanyard pays her legal costs)."""
        names = _names(c, proper) & t.lemmas
        same_role = source.slot(c.role)
        return bool(names) and not (same_role is not None and names & same_role.lemmas)

    crossed = [
        (c, t)
        for c in parties
        for t in theirs
        if c.role != t.role and _overlap(c, t) and (c.role not in aligned_roles or named_elsewhere(c, t))
    ]
    for c, t in crossed:
        for d, u in crossed:
            if c is not d and d.role == t.role and u.role == c.role and not _overlap(c, d):
                return (
                    f"reversed relation: the source has {t.text!r} as the {t.role} and {u.text!r} as the"
                    f" {u.role} of “{source.word}”"
                )
    for c, t in crossed:
        names = _names(c, proper) & t.lemmas
        if c.role == frames.PATIENT and t.role == frames.AGENT and names:
            mine = claim.slot(frames.AGENT)
            if mine is not None and mine.lemmas and not _overlap(mine, t):
                return (
                    f"reversed relation: the source has {t.text!r} as the one who does “{source.word}”,"
                    f" not {mine.text!r}"
                )
    for c in parties:
        if c.role in aligned_roles:
            continue
        if c.role == frames.AGENT and not (agent_read and aligned_roles - {frames.AGENT}):
            continue  # a subject is read less surely: another slot must tie the two acts first
        mine_names = _names(c, proper)
        their = source.slot(c.role)
        if (
            not mine_names
            or their is None
            or (their.subject and c.role != frames.AGENT)
            or mine_names & source_lemmas
        ):
            continue
        if _capitalised(their.text) and not _overlap(c, their):
            return f"the source has {their.text!r}, not {c.text!r}, as the {c.role} of “{source.word}”"
    return None


def align(
    claim_text: str, sentences: list[SourceSentence], proper: set[str]
) -> tuple[Alignment | None, bool]:
    """The best alignment of the claim with one of ``sentences`` (the claim's best candidates), and
    whether the claim has a predicate that could be aligned at all."""
    claimed = [f for f in frames.frames(claim_text) if f.verb - _LIGHT and f.slots]
    if not claimed:
        return None, False
    best: tuple[int, int, Alignment] | None = None
    for rank, sentence in enumerate(sentences):
        for theirs in frames.frames(sentence.text, sentence.previous_person):
            for mine in claimed:
                if not _same_verb(mine, theirs):
                    continue
                matches = tuple(
                    SlotMatch(c.role, c.text, t.text)
                    for c in mine.slots
                    for t in theirs.slots
                    if c.role == t.role and _overlap(c, t)
                )
                touched = sum(1 for c in mine.slots if any(_overlap(c, t) for t in theirs.slots))
                pronoun = re.match(r"\W*(?:he|she|they|it|we|i)\b", sentence.text, re.IGNORECASE)
                conflict = _conflict(mine, theirs, proper, sentence.lemmas, pronoun is None)
                found = Alignment(sentence.index, theirs.word, matches, conflict, touched == len(mine.slots))
                score = (touched, -rank)
                if best is None or score > (best[0], best[1]):
                    best = (score[0], score[1], found)
    return (best[2] if best else None), True


def predicate_said(claim_text: str, sentences: list[SourceSentence]) -> bool:
    """Whether the source sentences say the claim's acts at all (their verbs or synonyms), even where
    no frame of theirs could be read."""
    claimed = [f for f in frames.frames(claim_text) if f.verb - _LIGHT]
    said = set().union(*(s.lemmas for s in sentences)) if sentences else set()
    stems = {lemma[:5] for lemma in said if len(lemma) >= 6}
    return all(
        lexicon.with_synonyms(set(f.verb - _LIGHT)) & said
        or any(len(v) >= 6 and v[:5] in stems for v in f.verb)  # "decide": "decision"
        for f in claimed
    )


def proper_lemmas(text: str) -> set[str]:
    """The lemmas of the capitalised words of a text that are not its first word: its names."""
    found = polarity.tokens(text)
    return {lemma for t in found[1:] if t.word[0].isupper() for lemma in t.lemmas} | {
        w.lower()
        for t in found[:1]
        if t.word[0].isupper() and not lexicon.is_dictionary_word(t.word)
        for w in [t.word]
    }


_PARTICLES = {"up": "up", "down": "down"}


def _ways(text: str) -> list[tuple[int, str]]:
    """(position, "up"/"down") of each change a text tells, less those it negates or compares."""
    table = lexicon.directions()
    negated = polarity.negated_lemmas(text)
    found: list[tuple[int, str]] = []
    for token in polarity.tokens(text):
        if re.match(r"(?:\s+[\w'’\-]+){0,3}?\s+than\b", text[token.end :]):
            continue  # "higher than" compares two things; it tells no change
        lemmas = token.lemmas | {token.word.lower()}
        way = next((table[lemma] for lemma in sorted(lemmas) if lemma in table), None)
        if way and not lemmas & negated:
            found.append((token.start, way))
    return found


def direction_conflict(claim_text: str, sentences: list[SourceSentence], needed: set[str]) -> str | None:
    """A change the claim tells one way round where a source sentence that says the claim's words
    (``needed``, at least 60% of them) tells the same thing's change only the other way round: the
    claim's subject must stand shortly before the source's direction word, in the source's order."""
    claimed = _ways(claim_text)
    if len({way for _, way in claimed}) != 1:
        return None
    way = claimed[0][1]
    subjects = [s for f in frames.frames(claim_text) for s in f.slots if s.subject and s.lemmas]
    if not subjects:
        return None
    subject = subjects[0].lemmas
    table = lexicon.directions()
    words = {w for w in needed if not (lexicon.lemmas(w) | {w}) & set(table)}
    for sentence in sentences:
        if len(words & sentence.lemmas) < max(2, 0.6 * len(words)) or len(subject & sentence.lemmas) < max(
            1, len(subject) - 1
        ):
            continue
        theirs = _ways(sentence.text)
        if len({w for _, w in theirs}) != 1:
            continue
        first = min(
            (t.start for t in polarity.tokens(sentence.text) if t.lemmas & subject),
            default=len(sentence.text),
        )
        if theirs[0][1] != way and first < theirs[0][0] <= first + 80:
            return (
                f"direction: the claim says {way} where the source says {theirs[0][1]}:"
                f" “{sentence.text[:100]}”"
            )
    return None


def hedged_act(claim_text: str, sentences: list[SourceSentence]) -> str | None:
    """An act the claim states outright that a source sentence tells only under a hedge ("will appeal"
    where the source "was considering an appeal", "will cut" where the school "may have to reduce"):
    in one clause of the source a hedge stands within a few words before the act (its verb, a
    synonym, or the same word as a noun), and the clause names one of the act's participants."""
    if polarity.hedges(claim_text):
        return None
    # Only an act the claim states as certain to come ("will appeal") is read: a past act and a
    # possible future one are different events.
    claimed = [
        f
        for f in frames.frames(claim_text)
        if f.verb - _LIGHT
        and f.slots
        and re.search(
            rf"\b(?:will|shall|is\s+to|are\s+to|(?:is|are)\s+going\s+to)\s+(?:\w+\s+)?{re.escape(f.word)}\b",
            claim_text,
            re.IGNORECASE,
        )
    ]
    for sentence in sentences:
        for clause in polarity.clauses(sentence.text):
            for cue in lexicon.phrase_pattern("hedges.txt").finditer(clause):
                if polarity.is_month(clause, cue.start(), cue.end()) or polarity.cue_kept(
                    cue.group(), claim_text
                ):
                    continue
                reach = polarity.tokens(clause[cue.end() :])[:5]
                governed = {lemma for t in reach for lemma in t.lemmas}
                named = polarity.content_lemmas(clause)
                for frame in claimed:
                    acts = lexicon.with_synonyms(set(frame.verb - _LIGHT))
                    if acts & governed and any(slot.lemmas & named for slot in frame.slots):
                        return (
                            f"hedge dropped: the source says “{cue.group().lower()}” of it"
                            f" (“{clause.strip()[:100]}”)"
                        )
    return None
