"""Predicate frames: the act a clause tells and who stands in each of its slots.

A frame is a verb (its lemmas) with the noun phrases around it put in roles by plain English word
order: the subject is the agent and the object the patient (turned round in the passive, where the
"by" phrase is the agent), and a phrase a preposition opens ("from", "to", "ahead of", ...) keeps that
preposition as its role. Subjects are shared along a chain of verbs ("agreed to pay", "called it cruel
and urged"), an object before "to" is the subject of the infinitive after it ("ordered Lanyard to pay"),
and "he"/"she" stands for the person named just before. No parser is needed for this much, and none is
guessed at beyond it: a clause this cannot read yields no frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lemminflect

from qapress.generate.grounding import lexicon, numbers, polarity

AGENT, PATIENT = "agent", "patient"
#: Prepositions whose phrase names a participant of the act, longest first.
ROLE_PREPOSITIONS = (
    "ahead of",
    "on behalf of",
    "instead of",
    "in favour of",
    "in favor of",
    "from",
    "to",
    "by",
    "for",
    "against",
    "over",
    "into",
    "with",
    "behind",
    "towards",
    "toward",
)
#: Prepositions that open a phrase of place, time or manner: it ends a slot but names no participant.
_OTHER_PREPOSITIONS = {
    "in",
    "on",
    "at",
    "after",
    "before",
    "since",
    "during",
    "until",
    "as",
    "than",
    "about",
    "across",
    "under",
    "between",
    "around",
    "because",
    "despite",
    "through",
    "while",
    "when",
    "which",
    "who",
    "that",
    "where",
}
_BE = {"is", "are", "was", "were", "be", "been", "being", "get", "got", "gets", "getting", "has", "had"}
_PRONOUNS = {"he", "she"}
_SPEECH = {"say", "tell", "add", "warn", "insist", "claim", "announce", "report", "state", "argue"}
_MAX_SLOT_WORDS = 8


@dataclass(frozen=True)
class Slot:
    """One participant of a frame: its role and the content lemmas of its noun phrase."""

    role: str
    lemmas: frozenset[str]
    text: str
    #: Whether the phrase is the clause's subject (read less surely than what follows the verb).
    subject: bool = False


@dataclass(frozen=True)
class Frame:
    """One verb of a clause with its participants."""

    verb: frozenset[str]
    word: str
    passive: bool
    slots: tuple[Slot, ...]

    def slot(self, role: str) -> Slot | None:
        return next((s for s in self.slots if s.role == role), None)


def _nominal(token: polarity.Token) -> bool:
    """Whether a token can head or fill a noun phrase (a name, a noun, a number)."""
    word = token.word
    if word.lower() in lexicon.stopwords():
        return False
    if word[0].isdigit() or word[0].isupper():
        return True
    if not token.content:
        return False
    forms = lemminflect.getAllLemmas(word.lower())
    return not forms or "NOUN" in forms or "PROPN" in forms


def _people(token: polarity.Token) -> bool:
    """Whether a noun names people ("nurses", "residents"): "by two nurses" is an agent, "by two rows" a
    measure."""
    return bool(token.lemmas & (lexicon.word_set("roles.txt") | _PEOPLE))


_PEOPLE = {
    "people",
    "person",
    "member",
    "resident",
    "worker",
    "staff",
    "fan",
    "voter",
    "student",
    "man",
    "woman",
}


def _finite(token: polarity.Token) -> bool:
    """Whether a word is a verb's past or present tense ("fell", "owes")."""
    lower = token.word.lower()
    verbs = lemminflect.getAllLemmas(lower).get("VERB", ())
    return any(
        lower in lemminflect.getInflection(lemma, tag=tag) for lemma in verbs for tag in ("VBD", "VBZ")
    )


def _participle(word: str) -> bool:
    """Whether a word is a verb's past participle, not its base form ("founded", "bought", "cut")."""
    lower = word.lower()
    return not lower.endswith("ing") and lemminflect.getLemma(lower, upos="VERB")[0] != lower


def _not_number(word: str) -> bool:
    return numbers.normalize_numbers(word.lower()) == word.lower()


def _lemmas_of(found: list[polarity.Token]) -> frozenset[str]:
    return frozenset(
        lemma
        for t in found
        if _nominal(t)
        and not t.word[0].isdigit()
        and t.word.lower() not in lexicon.stopwords()
        and _not_number(t.word)
        for lemma in t.lemmas
    )


def _preposition_at(words: list[str], i: int) -> str | None:
    for prep in ROLE_PREPOSITIONS:
        parts = prep.split()
        if words[i : i + len(parts)] == parts:
            return prep
    return None


def _verbs(found: list[polarity.Token], text: str) -> list[int]:
    positions = []
    for i, token in enumerate(found):
        previous = polarity.previous_word(text, found, i)
        following = found[i + 1] if i + 1 < len(found) else None
        if not token.content or token.word[0].isupper():
            continue
        forms = lemminflect.getAllLemmas(token.word.lower())
        bare_verb = "VERB" in forms and "NOUN" not in forms and "ADJ" not in forms
        after_noun = (
            i > 0 and previous != "" and _nominal(found[i - 1]) and not found[i - 1].word[0].isdigit()
        )
        after_name = (
            i > 0
            and previous != ""
            and found[i - 1].word[0].isupper()
            and found[i - 1].word.lower() not in lexicon.stopwords()
            and (i > 1 or not lexicon.is_dictionary_word(found[i - 1].word))
            and "VERB" in forms
            and not (following is not None and _finite(following))
        )  # "Varga drops to second", not "Pre-tax profit fell"
        # ", finishing two places ahead": a participle clause with its object
        clause_participle = (
            token.word.lower().endswith("ing")
            and previous == ""
            and i > 0
            and "VERB" in forms
            and following is not None
            and (_nominal(following) or not _not_number(following.word))
        )
        if not _not_number(token.word):
            continue  # "second", "third": a rank, not an act
        past = after_noun and any(
            token.word.lower() in lemminflect.getInflection(lemma, tag="VBD")
            for lemma in forms.get("VERB", ())
        )  # "profit fell"
        if (
            polarity.is_verb(token, previous, following)
            or (bare_verb and after_noun)
            or after_name
            or clause_participle
            or past
        ):
            positions.append(i)  # "customers owe", "Varga drops": a present tense after its subject
    return positions


def _passive(found: list[polarity.Token], i: int) -> bool:
    word = found[i].word.lower()
    if not _participle(word) and word not in polarity.SAME_PAST:
        return False  # a base or -ing form is never a passive participle
    before = [t.word.lower() for t in found[max(0, i - 3) : i]]
    if not before:
        return False
    if before[-1] in ("has", "had", "have"):
        return False  # "has raised": perfect, active
    return bool(set(before[-2:]) & (_BE - {"has", "had"})) or (
        len(before) >= 2 and before[-2:] == ["been", word]
    )


def frames(text: str, previous_person: str | None = None) -> list[Frame]:
    """The frames of a sentence, one per verb that can be read."""
    found = polarity.tokens(text)
    if not found:
        return []
    words = [t.word.lower() for t in found]
    verb_positions = _verbs(found, text)
    breaks = [
        m.start()
        for m in polarity.CLAUSE_BREAK.finditer(text)
        if not re.fullmatch(r"\d[,.]\d", text[max(0, m.start() - 1) : m.start() + 2])
    ]  # "£186,000" holds no clause break
    described = polarity.described_spans(text, breaks, len(text))
    result: list[Frame] = []
    subjects: dict[int, tuple[list[polarity.Token], int]] = {}

    def clause_start(position: int) -> int:
        return max([b for b in breaks if b < position], default=0)

    def clause_end(position: int) -> int:
        return min([b for b in breaks if b >= position], default=len(text))

    def read_slots(j: int, stop: int) -> list[Slot]:
        """The object, then phrases opened by prepositions, from token ``j`` up to ``stop``."""
        slots: list[Slot] = []
        role, current = PATIENT, list[polarity.Token]()
        while j < len(found) and found[j].start < stop:
            prep = _preposition_at(words, j)
            if (
                prep == "by"
                and j + 1 < len(found)
                and polarity.is_figure(found[j + 1].word)
                and not (j + 2 < len(found) and _people(found[j + 2]))
            ):
                prep = "by a figure"  # "cut by 3 storeys" measures the act; it names no agent
            if prep is not None:
                if current:
                    slots.append(Slot(role, _lemmas_of(current), " ".join(t.word for t in current)))
                role, current = prep, []
                j += 1 if prep == "by a figure" else len(prep.split())
                continue
            if words[j] in _OTHER_PREPOSITIONS:
                if current:
                    slots.append(Slot(role, _lemmas_of(current), " ".join(t.word for t in current)))
                role, current = "", []
            elif role and len(current) < _MAX_SLOT_WORDS:
                current.append(found[j])
            j += 1
        if current:
            slots.append(Slot(role, _lemmas_of(current), " ".join(t.word for t in current)))
        return slots

    for n, i in enumerate(verb_positions):
        verb = found[i]
        if verb.lemmas & _SPEECH:
            continue  # "X said ...": what is said has frames of its own
        start = clause_start(verb.start)
        # The subject: the nouns between the verb before (or the clause start) and this verb.
        previous_verb = next((j for j in reversed(verb_positions[:n]) if found[j].start >= start), None)
        low = found[previous_verb].end if previous_verb is not None else start
        before = [t for t in found[:i] if t.start >= low and _nominal(t)]
        gap = [t.word.lower() for t in found[(previous_verb + 1 if previous_verb is not None else 0) : i]]
        if previous_verb is not None and (not before or (gap and gap[-1] in ("and", "then"))):
            # "agreed to pay", "called it cruel and urged": the subject of the verb before.
            before, _ = subjects.get(previous_verb, ([], 0))
        elif previous_verb is not None and before and gap and gap[-1] != "to":
            before = []  # an object of the verb before, not this verb's subject
        relative = next(
            (
                k
                for k in range(i - 1, max(-1, i - 3), -1)
                if words[k] in ("who", "which", "that") and not any(_nominal(t) for t in found[k + 1 : i])
            ),
            None,
        )
        if (
            relative is not None
            and relative > 0
            and (words[relative] != "that" or _nominal(found[relative - 1]))
        ):
            # "Lena Okafor, who joined the club": the subject is the phrase the relative pronoun follows.
            head_end = found[relative].start
            head_start = max([b for b in breaks if b < head_end - 2], default=0)
            before = [t for t in found[:relative] if t.start >= head_start and _nominal(t)]
            subjects[i] = (before, 0)
        elif not before and previous_verb is None:
            # The subject stands before a describing phrase ("The start-up, founded in 2019 by A, has
            # raised"), or before the comma of an apposition; a "that" clause has its own subject.
            cut = max((k + 1 for k in range(i) if words[k] == "that"), default=0)
            before = [
                t for t in found[cut:i] if _nominal(t) and not any(a <= t.start < b for a, b in described)
            ]
            heads = [t for t in found[:i] if t.word.lower() in _PRONOUNS]
            if not before and heads and previous_person:
                before = polarity.tokens(previous_person)
        if before and relative is None:
            cut = max(
                (k + 1 for k in range(i) if words[k] == "that" and found[k].start >= before[0].start),
                default=0,
            )
            before = [t for t in before if t.start >= (found[cut].start if cut else 0)]
        if (not before and i and words[i - 1] in _PRONOUNS and previous_person) or (
            before and all(t.word.lower() in _PRONOUNS for t in before) and previous_person
        ):
            before = polarity.tokens(previous_person or "")
        subjects[i] = (before, 0)
        # After the verb: the object, then phrases opened by prepositions, to the clause end or next verb.
        end = clause_end(verb.end)
        next_verb = next((j for j in verb_positions[n + 1 :]), None)
        stop = min(end, found[next_verb].start if next_verb is not None else len(text))
        passive = _passive(found, i) or (
            polarity.previous_word(text, found, i) == ""
            and (_participle(verb.word) or verb.word.lower() in polarity.SAME_PAST)
            and "by" in words[i + 1 : i + 5]
        )  # ", founded in 2019 by A": a participle with its agent
        slots = read_slots(i + 1, stop)
        subject = Slot(AGENT, _lemmas_of(before), " ".join(t.word for t in before), True)
        if passive:
            # "was bought by X": X is the agent; what follows a passive verb ("was awarded a prize")
            # is no patient.
            slots = [
                Slot(AGENT if s.role == "by" else s.role, s.lemmas, s.text)
                for s in slots
                if s.role != PATIENT
            ]
            subject = Slot(PATIENT, subject.lemmas, subject.text, True)
        every = [s for s in [subject, *slots] if s.lemmas and s.role]
        result.append(Frame(frozenset(verb.lemmas), verb.word, passive, tuple(every)))
        if not passive and stop == end and any(s.role == PATIENT for s in slots):
            for item in _distributed(text, found, end, verb_positions):
                parts = [s for s in read_slots(item[0], item[1]) if s.lemmas and s.role]
                if any(s.role == PATIENT for s in parts) and any(s.role in ROLE_PREPOSITIONS for s in parts):
                    kept = [s for s in every if s.role not in {p.role for p in parts}]
                    result.append(Frame(frozenset(verb.lemmas), verb.word, False, tuple(kept + parts)))
    return result


def _distributed(
    text: str, found: list[polarity.Token], end: int, verb_positions: list[int]
) -> list[tuple[int, int]]:
    """The items of a list that spells out a verb's object after a comma, each with where it goes
    ("sold two players, Adjei to Brentmoor and Pardew to Castleford"): each item is the object of the
    same act, with participants of its own. (first token, character end) of each item; none when
    what follows the comma has a verb of its own (then it is another clause)."""
    if end >= len(text) or text[end] != ",":
        return []
    close = re.search(r"[.;:!?](?:\s|$)|$", text[end + 1 :])
    limit = end + 1 + (close.start() if close else len(text) - end - 1)
    if any(end < found[v].start < limit for v in verb_positions):
        return []
    items: list[tuple[int, int]] = []
    position = end + 1
    separators = [m for m in re.finditer(r",\s*(?:and\s+)?|\s+and\s+", text) if end < m.start() < limit]
    for piece_end, following in [(m.start(), m.end()) for m in separators] + [(limit, limit)]:
        first = next((k for k, t in enumerate(found) if t.start >= position), None)
        if first is not None and found[first].start < piece_end:
            items.append((first, piece_end))
        position = following
    return items
