"""What a source is about: its subject, its kind of story, and the facts it gives, sentence by sentence.

Pure heuristics over the text (no model): capitalized name sequences, regexes for dates, money, percentages
and numbers, word lists for roles, places and organisations, keyword counts for the kind of story.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from qapress.generate import patterns as p
from qapress.generate.debris import clean_sentence, is_debris
from qapress.generate.draft import SourceDocument
from qapress.generate.grounding.lexicon import is_dictionary_word
from qapress.generate.text import Sentence, is_headline, paragraphs, sentences, strip_quotes, words

STORY_KEYWORDS: dict[str, frozenset[str]] = {
    "film": frozenset(
        [
            "film",
            "films",
            "movie",
            "movies",
            "sequel",
            "director",
            "cast",
            "casting",
            "actor",
            "actress",
            "studio",
            "studios",
            "premiere",
            "shooting",
            "screenplay",
            "script",
            "trailer",
            "novel",
            "release",
            "theatrical",
            "box",
            "office",
            "franchise",
            "hollywood",
            "de-aging",
            "filmmaker",
            "co-stars",
            "star",
            "stars",
            "role",
            "series",
            "episode",
            "streaming",
        ]
    ),
    "sport": frozenset(
        [
            "match",
            "game",
            "games",
            "season",
            "league",
            "cup",
            "final",
            "coach",
            "manager",
            "striker",
            "goal",
            "goals",
            "scored",
            "win",
            "won",
            "team",
            "club",
            "tournament",
            "championship",
            "players",
            "player",
            "transfer",
            "stadium",
            "points",
            "race",
            "title",
            "semi-final",
            "quarter-final",
            "defeat",
            "victory",
            "squad",
            "fixture",
            "injury",
        ]
    ),
    "science": frozenset(
        [
            "study",
            "researchers",
            "scientists",
            "journal",
            "published",
            "species",
            "data",
            "experiment",
            "discovery",
            "telescope",
            "cells",
            "patients",
            "trial",
            "evidence",
            "findings",
            "researcher",
            "university",
            "laboratory",
            "observed",
            "samples",
            "climate",
            "planet",
            "astronomers",
            "physics",
            "biology",
        ]
    ),
    "business": frozenset(
        [
            "company",
            "shares",
            "revenue",
            "profit",
            "deal",
            "acquisition",
            "market",
            "investors",
            "quarter",
            "sales",
            "merger",
            "stock",
            "earnings",
            "price",
            "prices",
            "customers",
            "firm",
            "billion",
            "chief",
            "executive",
            "ceo",
            "growth",
            "valuation",
            "takeover",
            "retailer",
        ]
    ),
    "politics": frozenset(
        [
            "government",
            "minister",
            "parliament",
            "election",
            "vote",
            "bill",
            "law",
            "party",
            "president",
            "senate",
            "policy",
            "campaign",
            "coalition",
            "opposition",
            "lawmakers",
            "voters",
            "legislation",
            "congress",
            "referendum",
            "ministers",
            "governor",
            "council",
            "councillors",
            "councillor",
            "councilors",
        ]
    ),
    "technology": frozenset(
        [
            "software",
            "app",
            "apps",
            "device",
            "devices",
            "users",
            "chip",
            "chips",
            "ai",
            "launch",
            "update",
            "platform",
            "smartphone",
            "feature",
            "features",
            "security",
            "computing",
            "data",
            "privacy",
            "online",
            "internet",
            "phone",
            "browser",
            "cloud",
            "model",
            "laptop",
            "laptops",
            "hardware",
            "screen",
            "battery",
            "gigabytes",
            "processor",
            "tablet",
            "gadget",
        ]
    ),
    # Kinds whose words overlap business (fines, fares, prices) or politics (councils): each has its own
    # key questions, so a rail strike is no company's results and a sewage fine no election.
    "crime": frozenset(
        [
            "court",
            "courts",
            "judge",
            "jailed",
            "sentenced",
            "sentence",
            "charged",
            "convicted",
            "guilty",
            "pleaded",
            "trial",
            "prosecutor",
            "prosecution",
            "defendant",
            "police",
            "arrested",
            "fraud",
            "theft",
            "murder",
            "jury",
            "magistrates",
            "barrister",
        ]
    ),
    "weather": frozenset(
        [
            "storm",
            "storms",
            "rain",
            "wind",
            "winds",
            "gusts",
            "forecast",
            "forecasters",
            "warning",
            "warnings",
            "mph",
            "snow",
            "flooding",
            "temperatures",
            "met",
            "office",
            "weather",
        ]
    ),
    "health": frozenset(
        [
            "health",
            "patients",
            "patient",
            "clinic",
            "hospital",
            "hospitals",
            "nurses",
            "doctors",
            "nhs",
            "treatment",
            "waiting",
            "gp",
            "care",
            "vaccine",
            "illness",
            "disease",
        ]
    ),
    "transport": frozenset(
        [
            "rail",
            "train",
            "trains",
            "drivers",
            "passengers",
            "strike",
            "fares",
            "services",
            "bus",
            "buses",
            "station",
            "timetable",
            "railway",
            "route",
            "routes",
            "commuters",
        ]
    ),
    "environment": frozenset(
        [
            "sewage",
            "pollution",
            "river",
            "rivers",
            "environment",
            "agency",
            "environmental",
            "emissions",
            "wildlife",
            "spills",
            "water",
            "climate",
            "habitat",
        ]
    ),
    "culture": frozenset(
        [
            "band",
            "album",
            "tour",
            "tickets",
            "gig",
            "gigs",
            "concert",
            "festival",
            "venue",
            "exhibition",
            "gallery",
            "museum",
            "singer",
            "theatre",
            "sold",
        ]
    ),
}


@dataclass(frozen=True)
class Mention:
    """One fact as written in the source, and the sentence it is in."""

    kind: str
    text: str
    sentence: int


@dataclass
class Person:
    name: str
    role: str | None = None
    mentions: int = 0
    sentences: set[int] = field(default_factory=set)


@dataclass
class Facts:
    """Everything the extractive backend knows about one source."""

    subject: str
    subject_in_text: str
    kind: str
    sentences: list[Sentence]
    dates: list[Mention]
    money: list[Mention]
    percents: list[Mention]
    numbers: list[Mention]
    people: list[Person]
    organizations: list[str]
    places: list[str]
    names: list[Mention]
    quotes: dict[int, str]  # sentence index -> speaker

    def in_sentence(self, kind: str, index: int) -> list[Mention]:
        mentions = {"date": self.dates, "money": self.money, "percent": self.percents, "number": self.numbers}
        return [m for m in mentions[kind] if m.sentence == index]

    def people_in(self, index: int) -> list[Person]:
        return [person for person in self.people if index in person.sentences]


def story_kind(text: str) -> str:
    """The kind of story by keyword counts (film, sport, science, business, politics, technology, crime, weather,
    health, transport, environment, culture; general when no kind has three keywords)."""
    tokens = Counter(words(text))
    joined = " ".join(words(text))
    scores: dict[str, int] = {}
    for kind, keywords in STORY_KEYWORDS.items():
        score = sum(tokens[word] for word in keywords if " " not in word)
        score += sum(joined.count(word) for word in keywords if " " in word)
        scores[kind] = score
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] >= 3 else "general"


def _name_mentions(items: list[Sentence]) -> list[Mention]:
    """Capitalized sequences that are names; sentence-initial common words are stripped off."""
    mid_sentence_tokens: set[str] = set()
    raw: list[tuple[Sentence, re.Match[str]]] = []
    for sentence in items:
        for match in p.NAME.finditer(sentence.text):
            raw.append((sentence, match))
            if match.start() > 0 and not re.search(r"[.!?“\"‘]\s*$", sentence.text[: match.start()]):
                mid_sentence_tokens.add(match.group().split()[0])
            parts = match.group().split()
            if len(parts) >= 2:
                # "Marsh said ..." opens a sentence, but "Elena Marsh" makes Marsh a name.
                mid_sentence_tokens.add(parts[-1])
    result: list[Mention] = []
    for sentence, match in raw:
        tokens = match.group().split()
        at_start = match.start() == 0 or bool(re.search(r"[.!?“\"‘(]\s*$", sentence.text[: match.start()]))
        while tokens and (
            tokens[0].lower() in p.COMMON_WORDS
            or tokens[0].lower() in p.ROLE_WORD_SET
            or re.fullmatch(r"&|and|of|for|\d+", tokens[0])
        ):
            tokens.pop(0)
        while tokens and re.fullmatch(r"&|and|of|for|de|da|van|von|la|le|du|al", tokens[-1]):
            tokens.pop()
        # "Marlow Athletic 2-0", "by 312 to 198": the number is a score or a count, not part of the name.
        if (
            tokens
            and tokens[-1].isdigit()
            and re.match(r"\s?[-–]\s?\d|\s+(?:to|votes)\b|[,.]\d", sentence.text[match.end() :])
        ):
            tokens.pop()
        if not tokens:
            continue
        lone_opening_word = at_start and len(tokens) == 1 and tokens[0] == match.group().split()[0]
        if lone_opening_word and tokens[0] not in mid_sentence_tokens:
            continue
        before_of = " ".join(tokens).split(" of ")[0].split()
        if (
            " of " in " ".join(tokens)
            and len(before_of) >= 2
            and not any(t.lower() in p.ORG_WORDS for t in before_of)
        ):
            tokens = before_of  # "Luis Ortega of Scripps": the person, not the person and the place
        name = re.sub(r"['’]s?$", "", " ".join(tokens))
        if re.fullmatch(r"[A-Z]\.?|\d+", name) or name.lower() in p.COMMON_WORDS:
            continue
        result.append(Mention("name", name, sentence.index))
    return result


def classify_name(name: str) -> str:
    """person, organization, place or other, from word lists and the shape of the name."""
    tokens = [token.rstrip(".").lower() for token in name.split()]
    if name.lower() in p.PLACES or all(token in p.PLACES for token in tokens):
        return "place"
    if any(token in p.ORG_WORDS for token in tokens) or re.fullmatch(r"[A-Z]{3,6}s?", name):
        return "organization"
    capitalized = [token for token in name.split() if token[0].isupper()]
    if any(len(token.rstrip(".")) < 2 for token in capitalized):
        return "other"
    plain = not re.search(r"\d", name) and "&" not in name
    if 2 <= len(capitalized) <= 4 and plain and not any(t.lower() in p.COMMON_WORDS for t in capitalized):
        return "person"
    return "other"


def _role_of(name: str, items: list[Sentence], indices: set[int]) -> str | None:
    for sentence in items:
        if sentence.index not in indices:
            continue
        for match in re.finditer(re.escape(name), sentence.text):
            head = PERSON_TITLE.sub(" ", sentence.text[: match.start()])
            before = p.ROLE_BEFORE.search(head)
            title = PERSON_TITLE.search(sentence.text[: match.start()])
            # "Co-author Professor Luis Ortega": the role before the title; "the group leader, Councillor
            # Janet Moore": the title, which is what the source calls her.
            titled = title is not None and title.group().strip().lower() in p.ROLE_WORD_SET
            if title and titled and (not before or head.rstrip().endswith(",")):
                return title.group().strip().lower()
            if before:
                return before.group(1).lower()
            after = p.ROLE_AFTER.search(sentence.text[match.end() :])
            if after:
                return after.group(1).lower()
    return None


#: Courtesy and office titles written before a name: the name after them is a person's.
PERSON_TITLE = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|Professor|Sir|Dame|Lord|Lady|Judge|Justice|Councillor|Cllr|Rev|Father)\.?\s+$"
)


def _person_cue(name: str, items: list[Sentence], indices: set[int]) -> bool:
    """A title before the name, an age after it ("Gordon Pell, 58,") or "who" after it."""
    surname = name.split()[-1]
    for sentence in items:
        for match in re.finditer(rf"\b(?:{re.escape(name)}|{re.escape(surname)})\b", sentence.text):
            if match.group() == name and PERSON_TITLE.search(sentence.text[: match.start()]):
                return True
            after = sentence.text[match.end() :]
            if re.match(
                r",\s*(?:\d{1,3},|who\b|aged\s+\d)|\s+(?:being\s+\w+\s+to\s+play|to\s+play)\b", after
            ):
                return True
            if match.group() == name and re.search(
                r"\b(?:stars|starring|co-stars?|names\s+like|actors?|actress(?:es)?)\s+$",
                sentence.text[: match.start()],
            ):
                return True
    return False


def quoted_works(text: str) -> set[str]:
    """Titles written in quotes ("The Salt Road", ‘Heat 2’): works, never people or organisations."""
    return {
        strip_quotes(match.group(1))
        for match in re.finditer(r"(?<![\w’'])[“\"‘']([A-Z][^“”\"‘’']{1,60}?)[”\"’'](?![a-z])", text)
        if len(match.group(1).split()) <= 6
    }


def _looks_like_a_person(name: str, items: list[Sentence], indices: set[int], works: set[str]) -> bool:
    """Two to four capitalized words that are no place, organisation or work, and either have a cue (a role,
    a title, an age, "who") or are all words that are only names (not "Little Steps", "Calder Green")."""
    tokens = name.split()
    if not 2 <= len(tokens) <= 4 or any(name in work or work in name for work in works):
        return False
    cued = _role_of(name, items, indices) is not None
    kind = classify_name(name)
    if kind == "place" or (kind == "organization" and not cued) or re.search(r"[\d&]", name):
        return False
    if any(re.fullmatch(r"[A-Z]{2,6}s?", t) for t in tokens):
        return False
    capitalized = [t for t in tokens if t[:1].isupper()]
    if any(len(t.rstrip(".")) < 2 for t in capitalized) or tokens[0].lower() in p.ORG_WORDS:
        return False
    if any(t.lower() in p.COMMON_WORDS for t in capitalized) or tokens[0].lower() in p.ROLE_WORD_SET:
        return False
    if any(
        re.search(
            rf"\b(?:firm|company|group|start-up|fund|agency|brand|label|band|club|charity|service)\s+"
            rf"{re.escape(name)}\b",
            s.text,
        )
        for s in items
    ):
        return False  # "the research firm Lumen Insight"
    ordinary = any(is_dictionary_word(t) for t in capitalized)
    return cued or (_person_cue(name, items, indices) and not is_dictionary_word(tokens[0])) or not ordinary


def _places(names: list[Mention], items: list[Sentence], people: list[Person]) -> list[str]:
    """Known places, and lone names after "in", "near", "between", ... that are nobody and nothing else."""
    found = [mention.text for mention in names if classify_name(mention.text) == "place"]
    person_words = {word for person in people for word in person.name.split()}
    by_index = {sentence.index: sentence.text for sentence in items}
    for mention in names:
        if " " in mention.text or classify_name(mention.text) != "other" or mention.text in person_words:
            continue
        text = by_index.get(mention.sentence, "")
        pattern = rf"\b(?:in|near|across|outside|around|between)\s+{re.escape(mention.text)}\b"
        if re.search(pattern, text) and not re.fullmatch(r"[A-Z]{2,}|\w*\d\w*", mention.text):
            found.append(mention.text)
    # "between Ashford and Milbrook": the second of a pair joined to a place is a place too.
    for mention in names:
        text = by_index.get(mention.sentence, "")
        if mention.text not in found and any(
            re.search(rf"\b{re.escape(place)} and {re.escape(mention.text)}\b", text) for place in set(found)
        ):
            found.append(mention.text)
    return _ranked(found)


_STORY_OF = r"\b(?:story|stories|character|characters|role|roles)\s+of\s+(?:[A-Z][\w’'\-]*\s+|and\s+)*"
_PLAYS = r"\bplay(?:s|ing|ed)?\s+(?:a\s+|the\s+)?(?:younger\s+|older\s+)?"


def _is_character(name: str, items: list[Sentence]) -> bool:
    """ "the story of Neil McCauley and Vincent Hanna", "to play a younger McCauley": a character in a work
    is no person in the news."""
    last = re.escape(name.split()[-1])
    pattern = re.compile(rf"{_STORY_OF}{re.escape(name)}\b|{_PLAYS}{last}\b")
    return any(pattern.search(sentence.text) for sentence in items)


def _people(names: list[Mention], items: list[Sentence], works: set[str]) -> list[Person]:
    people: dict[str, Person] = {}
    sentences_of: dict[str, set[int]] = {}
    for mention in names:
        sentences_of.setdefault(mention.text, set()).add(mention.sentence)
    for mention in names:
        if _looks_like_a_person(mention.text, items, sentences_of[mention.text], works):
            person = people.setdefault(mention.text, Person(mention.text))
            person.mentions += 1
            person.sentences.add(mention.sentence)
    # A lone surname ("Mann") is the person already named in full ("Michael Mann").
    for mention in names:
        if " " in mention.text:
            continue
        for person in people.values():
            if person.name.split()[-1] == mention.text:
                person.mentions += 1
                person.sentences.add(mention.sentence)
                break
    # "De Groot" opening a sentence is "Pieter de Groot" named before, not a second person.
    for name in list(people):
        fuller = next(
            (
                other
                for other in people
                if other != name
                and len(other.split()) > len(name.split())
                and other.lower().endswith(" " + name.lower())
            ),
            None,
        )
        if fuller is not None:
            people[fuller].mentions += people[name].mentions
            people[fuller].sentences |= people[name].sentences
            del people[name]
    for person in people.values():
        person.role = _role_of(person.name, items, person.sentences)
    for name in [name for name in people if _is_character(name, items)]:
        del people[name]
    return sorted(people.values(), key=lambda person: (-person.mentions, min(person.sentences)))


#: "her third feature, The Glass Orchard,", "the series Tidewater": a work named after the word for it.
_WORK_NAMED = re.compile(
    r"\b(?:film|feature|movie|series|drama|documentary|thriller|comedy|album|novel|play)s?,?\s"
    r"(?P<work>(?:The\s|A\s)?[A-Z][\w’'\-]*(?:\s(?:(?:of|and|in)\s)?(?:(?:the|a)\s)?[A-Z][\w’'\-]*){0,4})"
)


def _work_titles(text: str) -> list[str]:
    """The names of works a story introduces by what they are ("the film Lantern"), in order."""
    return list(dict.fromkeys(m.group("work") for m in _WORK_NAMED.finditer(text)))


def _subject(source: SourceDocument, names: list[Mention], kind: str) -> str:
    """The main subject: a quoted title in the headline, else the name the headline and the text share most."""
    title = source.title
    quoted = re.findall(r"(?<![\w’'])[‘“\"']([^’”\"']{2,60})[’”\"'](?![a-z])", title)
    if quoted:
        return strip_quotes(quoted[0])
    if kind == "film":
        # "starts shooting The Glass Orchard in Vell": the work the headline names, not the town
        for work in _work_titles(source.text):
            if re.search(rf"(?<!\w){re.escape(work)}(?!\w)", title):
                return work
    counts = Counter(mention.text for mention in names)
    first_paragraph = {mention.text for mention in names if mention.sentence < 3}
    best: tuple[float, str] | None = None
    for name, count in counts.items():
        score = float(count)
        if name in title:
            score += 4 + len(name.split())
        if name in first_paragraph:
            score += 1
        if classify_name(name) == "person" and kind not in ("general",):
            score -= 1.5
        if best is None or score > best[0]:
            best = (score, name)
    if best and (best[1] in title or not _title_phrase(title)):
        return best[1]
    return _title_phrase(title) or (best[1] if best else " ".join(title.split()[:6]))


#: Words that end the opening noun phrase of a headline ("Coral reefs | recovering faster ...").
_HEADLINE_VERBS = re.compile(
    r"^(?:is|are|was|were|has|have|will|may|might|could|can|would|should|must|to|as|after|in|on|at|for|with|"
    r"amid|over|despite|but|reach\w*|pass\w*|win\w*|add|adds|fined|jailed|called|accept\w*|"
    r"agree\w*|find\w*|found|say\w*|said|unveil\w*|launch\w*|plan\w*|set|get\w*|hit\w*|rise\w*|"
    r"fall\w*|\w+ing|\w+ed|leaves|kills|says|beats|opens|closes|cuts|faces|makes|takes|sees|sets|warns|"
    r"calls|backs|wants|needs|joins|leads|signs|buys|sells|drops|jumps|strikes|ends|starts|begins|returns|"
    r"approves|rejects|bans|blocks|delays|reveals|announces|confirms|denies|urges|vows|seeks|gives|wins|"
    r"hits|loses|shows|moves|raises|lifts|slashes|boosts|targets|eyes|inches|nears|edges|heads)$",
    re.IGNORECASE,
)


def _title_phrase(title: str) -> str:
    """The headline's opening noun phrase, when it has no name the text shares: "Coral reefs"."""
    phrase: list[str] = []
    for word in title.replace(",", " , ").split():
        if word in (",", ":", "—", "-") or _HEADLINE_VERBS.match(word) or len(phrase) >= 4:
            break
        phrase.append(word)
    if not phrase or len(phrase) > 4:
        return ""
    text = " ".join(phrase)
    return text[0].upper() + text[1:] if text else ""


def subject_phrase(subject: str, text: str, *, is_name: bool = True) -> str:
    """The subject as the text says it in a sentence: "the Clean Air Act", "coral reefs", "Heat 2"."""
    if not is_name:
        first, _, rest = subject.partition(" ")
        phrase = (first if first.isupper() else first.lower()) + (f" {rest}" if rest else "")
        if re.search(rf"\b(?:the|a|an) {re.escape(phrase)}\b", text, re.IGNORECASE):
            return f"the {phrase}"
        return phrase
    plain = len(re.findall(rf"(?<!\w){re.escape(subject)}(?!\w)", text))
    with_article = len(re.findall(rf"\bthe {re.escape(subject)}(?!\w)", text, re.IGNORECASE))
    if with_article and with_article * 2 >= plain:
        return f"the {subject}"
    if subject.lower() in text and subject not in text:
        return subject.lower()
    return subject


def _quotes(items: list[Sentence], people: list[Person]) -> dict[int, str]:
    """Sentences holding a direct quote, with who said it (a pronoun is the person named last before it)."""
    found: dict[int, str] = {}
    last_person: str | None = None
    for sentence in items:
        speakers = [person for person in people if sentence.index in person.sentences]
        if re.search(r"[“\"][^”\"]{12,}[”\"]", sentence.text) and p.SPEECH_VERBS.search(sentence.text):
            if speakers:
                found[sentence.index] = speakers[0].name
            elif last_person and re.search(
                r"\b(?:he|she|they)\s+(?:said|told|added|explained|noted)\b", sentence.text
            ):
                found[sentence.index] = last_person
        if speakers:
            last_person = speakers[0].name
    return found


def story_sentences(text: str) -> list[Sentence]:
    """The source's prose sentences without page debris, renumbered; a dateline is cut off the first."""
    kept: list[Sentence] = []
    for sentence in sentences(text):
        cleaned = clean_sentence(sentence.text)
        if cleaned and not is_debris(cleaned):
            kept.append(Sentence(cleaned, sentence.paragraph, len(kept)))
    return kept


def extract_facts(source: SourceDocument) -> Facts:
    """Read one source into ``Facts``."""
    items = story_sentences(source.text)
    kind = story_kind(source.title + "\n" + source.text)
    dates: list[Mention] = []
    money: list[Mention] = []
    percents: list[Mention] = []
    numbers: list[Mention] = []
    for sentence in items:
        taken: list[tuple[int, int]] = []

        def free(span: tuple[int, int], taken: list[tuple[int, int]] = taken) -> bool:
            return all(span[1] <= start or span[0] >= end for start, end in taken)

        for regex, bucket, kind_name in (
            (p.MONEY, money, "money"),
            (p.PERCENT, percents, "percent"),
            (p.DATE, dates, "date"),
            (p.NUMBER, numbers, "number"),
        ):
            for match in regex.finditer(sentence.text):
                if free(match.span()):
                    bucket.append(Mention(kind_name, match.group().strip(), sentence.index))
                    taken.append(match.span())
    names = _name_mentions(items)
    works = quoted_works(source.title + "\n" + source.text)
    people = _people(names, items, works)
    organizations = _ranked(
        mention.text
        for mention in names
        if classify_name(mention.text) == "organization"
        and mention.text.lower() not in p.ORG_WORDS
        and not any(person.name == mention.text for person in people)
        and not any(mention.text in work for work in works)
    )
    places = _places(names, items, people)
    headline_names = [
        Mention("name", m.group(), -1)
        for line in paragraphs(source.text)
        if is_headline(line)
        for m in p.NAME.finditer(line)
    ]
    subject = _subject(source, names + headline_names, kind)
    return Facts(
        subject=subject,
        subject_in_text=subject_phrase(
            subject,
            source.text,
            is_name=any(m.text == subject for m in names + headline_names)
            or (subject in source.title and subject != _title_phrase(source.title)),
        ),
        kind=kind,
        sentences=items,
        dates=dates,
        money=money,
        percents=percents,
        numbers=numbers,
        people=people,
        organizations=organizations,
        places=places,
        names=names,
        quotes=_quotes(items, people),
    )


def _ranked(items: Iterable[str]) -> list[str]:
    counts: Counter[str] = Counter(items)
    return [name for name, _ in counts.most_common()]
