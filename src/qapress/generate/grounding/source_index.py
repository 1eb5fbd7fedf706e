"""The source as the check reads it: sentences with their numbers, names, lemmas and quotations, and a
register of every name with the types and roles the source gives it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import lexicon, numbers, polarity, quotes
from qapress.generate.grounding.claims import sentences_of
from qapress.generate.grounding.copying import source_ngrams
from qapress.generate.grounding.entities import PERSON, Entity, demonyms_in, entities, same_name
from qapress.generate.text import words

_PRONOUN_START = ("he ", "she ", "they ", "his ", "her ", "their ", "it ", "its ")


@dataclass
class SourceSentence:
    """One sentence of the source."""

    index: int
    text: str
    normalized: str
    lemmas: set[str]
    quantities: list[numbers.Quantity]
    entities: list[Entity]
    quotations: list[quotes.Quotation]
    words: str
    #: The person last named before this sentence: whom its "he" or "she" most likely means.
    previous_person: str | None = None
    #: Lemmas of content words next to each other, in order ("tested in animals": test, animal).
    pairs: frozenset[tuple[str, str]] = frozenset()


@dataclass
class NameRecord:
    kinds: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    sentences: set[int] = field(default_factory=set)


def _described(sentence: str, end: int) -> list[tuple[int, int]]:
    """The spans of a sentence before ``end`` that describe a name by a relative clause ("who lives on
    Clifton Crescent")."""
    breaks = [m.start() for m in polarity.CLAUSE_BREAK.finditer(sentence)]
    return [
        (a, b)
        for a, b in polarity.described_spans(sentence, breaks, end)
        if re.match(r"[\s,;:—–()]*(?:who|which|whose|where|that)\b", sentence[a:b], re.IGNORECASE)
    ]


def _speech_subject(sentence: str, found: list[Entity], people: set[str]) -> str | None:
    """Who speaks in a sentence that reports speech ("Retired postman Derek Oyelaran, 68, who lives on
    Clifton Crescent, said he backed the workers"): the first name before its speech verb, a person's
    before any other. The "he" or "she" of the next sentence's "he said" is that speaker, not the last
    name of the sentence (a street, an event)."""
    verb = lexicon.phrase_pattern("speech_verbs.txt").search(sentence)
    if verb is None:
        return None
    # An untyped name speaks when it is a person's already or has a given name and a surname; a single
    # unknown word ("Aslef", "the Courier's editor") is more often the body a speaker works for.
    # A possessive name ("Corrington's MP") is whose a post is, not who holds it; a name that opens the
    # sentence as its subject ("Marsh, speaking outside, said") is the speaker even when seen once.
    # Names inside a quotation are what the speaker talks about ("'Heinrich built it,' she said").
    quoted = [(q.start, q.end) for q in quotes.quotations(sentence, [], None)]
    # So are the names of a clause that describes the speaker ("Gary Whitlow, who runs a cafe opposite
    # Gate 4, said"): the speaker is who the clause is about.
    quoted += _described(sentence, verb.start())
    before = [
        e
        for e in found
        if e.end <= verb.start()
        and not any(a <= e.start < b for a, b in quoted)
        and not re.search(r"['’]s\b", e.name + sentence[e.end : e.end + 2])
        and (
            e.kind == PERSON
            or (
                e.kind is None
                and (
                    len(e.name.split()) > 1
                    or any(same_name(e.name, p) for p in people)
                    or (
                        not sentence[: e.start].strip()
                        and re.match(r"\s*(?:,|said\b|told\b)", sentence[e.end :])
                    )
                )
            )
        )
    ]
    # The name in apposition right before the verb ("The family's solicitor, Priya Venkatesan, said")
    # is its subject, whoever else the subject phrase names.
    subject = [
        e
        for e in before
        if re.fullmatch(r"\s*(?:,\s*\d+\s*)?,?\s*", sentence[e.end : verb.start()])
        and not re.search(r"\b(?:at|of|in|for|on|from|with|by|near|to)\s+(?:the\s+)?$", sentence[: e.start])
    ]
    if subject:
        return subject[-1].name
    typed = [e for e in before if e.kind == PERSON or any(same_name(e.name, p) for p in people)]
    chosen = typed[0] if typed else before[0] if before else None
    return chosen.name if chosen is not None else None


_SUBJECT_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")


def _unquoted(sentence: str, said: list[quotes.Quotation]) -> str:
    """The sentence with its quotations blanked out (their "I" and "she" are the speaker's own)."""
    for quotation in said:
        sentence = (
            sentence[: quotation.start] + " " * (quotation.end - quotation.start) + sentence[quotation.end :]
        )
    return sentence


def _institution(name: str) -> bool:
    """Whether a name of several words holds a word that makes it a body or a place ("Imperial College
    London", "Kings Cross Station"): no "he" or "she" means it."""
    words = {w.lower().strip(".") for w in name.split()}
    return bool(words & (lexicon.word_set("org_words.txt") | lexicon.word_set("place_words.txt")))


class SourceIndex:
    """Everything the claims of a draft are compared against, built once per source."""

    def __init__(self, source: SourceDocument) -> None:
        self.document = source
        text = source.grounding_text()
        self.sentences: list[SourceSentence] = []
        self.names: dict[str, NameRecord] = {}
        previous: str | None = None
        #: Names already read as people (a speaker, a given name and surname): their surnames are too.
        spoken: set[str] = set()
        for index, sentence in enumerate(sentences_of(text)):
            normalized = numbers.normalize_numbers(sentence)
            found = entities(sentence)
            persons = {name for name, record in self.names.items() if PERSON in record.kinds or record.roles}
            # "X said she was honoured. '...,' she said": the sentence's own speaker comes first.
            speaker = _speech_subject(sentence, found, persons | spoken)
            said = quotes.quotations(sentence, found, speaker or previous)
            self.sentences.append(
                SourceSentence(
                    index,
                    sentence,
                    normalized,
                    polarity.content_lemmas(sentence) | polarity.content_lemmas(normalized),
                    numbers.quantities(normalized),
                    found,
                    said,
                    " " + " ".join(words(sentence)) + " ",
                    previous,
                    polarity.lemma_pairs(sentence),
                )
            )
            describing = _described(sentence, len(sentence))
            # A sentence whose subject is "he" or "she" goes on about the person before it: a name told
            # after that pronoun is its object, not whom the next sentence's pronoun means.
            pronoun = _SUBJECT_PRONOUN.search(_unquoted(sentence, said))
            for entity in found:
                record = self.names.setdefault(entity.name, NameRecord())
                if entity.kind:
                    record.kinds.add(entity.kind)
                record.roles |= set(entity.roles)
                record.sentences.add(index)
                # "Kenya's Ruth Chebet" is Ruth Chebet; "Corrington's MP" and "Queen's Gambit" name no one.
                who = re.split(r"['’]s\s+", entity.name)[-1]
                known_person = any(
                    same_name(who, name) and PERSON in record.kinds for name, record in self.names.items()
                ) or any(same_name(who, name) for name in spoken)
                if any(a <= entity.start < b for a, b in describing):
                    continue  # "Ruiz, who attended Juniper, voted": the next "he" is Ruiz
                if previous is not None and pronoun is not None and pronoun.start() < entity.start:
                    continue  # "she married the geologist Anand Prasad": the next "she" is still she
                if any(q.start <= entity.start < q.end for q in said):
                    continue  # a name the speaker says is not whom the next "she" means: the speaker is
                if (
                    (entity.kind == PERSON and who == entity.name)
                    or entity.roles
                    or known_person
                    or (entity.kind is None and len(who.split()) > 1 and not _institution(who))
                ):
                    previous = who
                    spoken.add(who)
            opening = next(
                (
                    e
                    for e in found
                    if e.name in spoken
                    and not sentence[: e.start].strip()
                    and not re.match(r"['’]s\b", sentence[e.end :])
                ),
                None,
            )
            if speaker is None and opening is not None:
                # The subject a sentence opens with is whom its next sentence's "he" or "she" means
                # ("Sokolov offered the draw after Nakamura-Reyes had equalised. '...,' he said").
                speaker = opening.name
            if speaker is not None:
                previous = speaker
                spoken.add(speaker)
        self.text = " ".join(s.text for s in self.sentences)
        self.lower = self.text.lower()
        self.all_words = " " + " ".join(s.words.strip() for s in self.sentences) + " "
        self.demonyms = set(demonyms_in(self.text))
        self.ngrams = source_ngrams(text)
        self.all_lemmas: set[str] = (
            set().union(*(s.lemmas for s in self.sentences)) if self.sentences else set()
        )
        counts = sorted(self.names.items(), key=lambda item: -len(item[1].sentences))
        #: What the story is about: names of its title and its most named name; true of the whole text.
        self.subjects = {e.name for e in entities(source.title)} | {name for name, _ in counts[:1]}
        #: Who published or wrote the source: a draft citing them speaks of the report itself.
        self.credits = [name for name in (source.publisher, source.author) if name]
        self.subjects |= set(self.credits)

    def continued(self, index: int) -> list[SourceSentence]:
        """A sentence and the next one when that goes on about the same subject ("He added ...")."""
        result = [self.sentences[index]]
        if index + 1 < len(self.sentences) and self.sentences[index + 1].text.lower().startswith(
            _PRONOUN_START
        ):
            result.append(self.sentences[index + 1])
        return result

    def around(self, index: int, after: int = 1) -> list[SourceSentence]:
        """A sentence with its neighbours: a fact and what it is about can sit a sentence apart (a name
        and what its bearer says next, two)."""
        return self.sentences[max(0, index - 1) : index + 1 + after]

    def records_for(self, name: str) -> list[tuple[str, NameRecord]]:
        direct = [(known, record) for known, record in self.names.items() if same_name(name, known)]
        # The source also writes a part of the claimed name ("Breck" for "Isla Breck", later on): those
        # sentences speak of the same person unless the source's fuller form of that part is a different
        # name ("Tomas Varga").
        partial = [
            (known, record)
            for known, record in self.names.items()
            if (known, record) not in direct
            and name.lower().endswith(" " + known.lower())  # a surname, not "Station Road" of a longer name
        ]
        partial = [
            (known, record)
            for known, record in partial
            if not any(
                other != known and same_name(known, other) and not same_name(name, other)
                for other in self.names
            )
        ]
        return direct + partial

    def has_words(self, text: str) -> bool:
        sequence = " ".join(words(text))
        return not sequence or f" {sequence} " in self.all_words
