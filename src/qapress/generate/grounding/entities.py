"""Names in a text, typed (person, organisation, place, work) and with the roles the text gives them.

Rule-based on purpose: the spaCy models on PyPI are unofficial re-uploads, and the cues that matter for
grounding (a role word before a name, "Council" at its end, a film title in quotes) are few and readable.
A capitalized word at the start of a sentence is a name unless it is also an ordinary English word
(lemminflect's dictionary); role prefixes ("Coach Ana Ruiz") and nationality words are split off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import lemminflect

from qapress.generate import patterns as p
from qapress.generate.grounding import lexicon, numbers

PERSON, ORGANISATION, PLACE, WORK = "person", "organisation", "place", "work"
_WORD = r"(?:(?:Bros|Inc|Jr|Sr|St|Co|Corp|Ltd)\.|[A-Z][\w’'\-]*|[A-Z]\.)"
#: What a number after a name counts when it is no part of the name ("the Courier 11 years before").
_COUNTED = (
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|points?|places?|laps?|goals?|times|per\b|"
    r"percent|seats?|votes?|people|miles?|metres?|km\b)"
)
_NAME = re.compile(
    rf"(?<![\w’'])(?:{_WORD})(?:(?:\s+(?:de|da|del|della|der|van|von|la|le|du|bin|al|of|"
    rf"the|for|&))?\s+(?:{_WORD})|(?<!['’]s)\s+\d{{1,2}}\b(?![,.\-–]?\d)(?!\s+{_COUNTED}))*"
)
_TRAILING = {
    "of",
    "the",
    "for",
    "&",
    "and",
    "de",
    "da",
    "del",
    "della",
    "der",
    "van",
    "von",
    "la",
    "le",
    "du",
}
#: An apposition ends where the role does ("Ann Lee, the mayor, said"), not before a verb ("from
#: Variety, the filmmaker shared").
_APPOSITION_END = r"(?:s)?(?=\s+(?:of|at|for|in|from|with|who|and)\b|\s*[,.;:)—–]|\s*$)"
_DATE_WORD = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_QUOTED_TITLE = re.compile(r"[“\"‘']([A-Z][^“”\"‘’']{1,60}?)[”\"’'](?![a-z])")


@dataclass(frozen=True)
class Entity:
    """One name as written in a text, where it is, its type if a cue says so, and its role words."""

    name: str
    start: int
    end: int
    kind: str | None
    roles: tuple[str, ...]
    #: The type comes from words around the name (a role, "the company"), not from the name's last word.
    typed_by_context: bool = False


#: Words before a role that make it another post.
_RANKS = (
    "deputy|vice|assistant|acting|interim|managing|executive|senior|associate|sporting|technical"
    "|finance|financial|commercial|creative|artistic|founding|joint|co|lead|principal|team"
)


#: "who chairs", "who farms": verbs whose doer holds the role of the same name (lemmatised to the role).
_DOING = (
    "chairs",
    "chaired",
    "farms",
    "farmed",
    "manages",
    "managed",
    "coaches",
    "coached",
    "edits",
    "edited",
    "owns",
    "owned",
    "leads",
    "led",
    "teaches",
    "taught",
    "produces",
    "produced",
    "directs",
    "directed",
    "founded",
    "co-founded",
    "captains",
    "captained",
    "presents",
    "presented",
)
_DOER = {
    "chair": "chair",
    "farm": "farmer",
    "manage": "manager",
    "coach": "coach",
    "edit": "editor",
    "own": "owner",
    "lead": "leader",
    "teach": "teacher",
    "produce": "producer",
    "direct": "director",
    "found": "founder",
    "co-found": "co-founder",
    "captain": "captain",
    "present": "presenter",
}


RANKS = frozenset(_RANKS.split("|"))


def _role_words() -> list[str]:
    return sorted(lexicon.word_set("roles.txt"), key=len, reverse=True)


def _is_common(token: str) -> bool:
    lower = token.lower().strip(".")
    return lower in lexicon.stopwords() or lower in p.COMMON_WORDS or lower in lexicon.word_set("roles.txt")


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[:start]
    if re.search(r"[,.!?]\s*[\"”’']\s*$", before):
        return False  # right after a closing quotation: '"...," Pike said'
    return not before.strip() or bool(re.search(r"(?:[.!?:;“\"‘(—–-]|\n)\s*$", before))


@cache
def _roles_regex() -> str:
    """Any role, with the words that make it another post ("deputy editor" is not "editor")."""
    bare = "|".join(re.escape(role) for role in _role_words())
    return rf"(?:(?:{_RANKS})\s+)*(?:{bare})"


@cache
def _stacked_pattern() -> re.Pattern[str]:
    """ "The group leader, Councillor Ann Lee": an appositive role before a title."""
    roles = _roles_regex()
    return re.compile(rf"\b(?:the|a|an|its|[\w\-]+['’]s)\s+(?:[a-z\-]+\s+){{0,3}}?({roles}),\s+({roles})\s+$")


@cache
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    roles = _roles_regex()
    # "striker Tomas Varga", and an appositive before the name: "a new trustee, Claire Dowd", "the
    # club's chairman, Ian Holt".
    before = re.compile(
        rf"\b({roles})\s+(?:[a-z]+\s+)?$|\b(?:a|an|the|its|new)\s+(?:[a-z]+\s+)??({roles}),\s+$"
        rf"|[\w\-]+['’]s\s+(?:[a-z\-]+\s+)??({roles}),\s+$"
    )
    not_before = re.compile(rf"\b(?:{roles})\s+(?:of|for|at|and|to|with|said|told)\s+$")
    after = re.compile(
        rf"(?:'s)?,?\s+(?:(?:the|a|an|its|his|her|their|who\s+is|who\s+was|is|was|now|as)\s+)+"
        rf"(?:[\w\-’']+\s+){{0,3}}?({roles}){_APPOSITION_END}|,\s+({roles}){_APPOSITION_END}"
        # "Marta Kell, Corvale's head of sales": a role owned by a name
        rf"|,\s+(?:[\w\-]+\s+)?[\w\-]+['’]s\s+(?:[\w\-]+\s+){{0,2}}?({roles}){_APPOSITION_END}"
        # "Ann Lee, who worked there as a nurse", "Ann Lee, who chairs the board": a role told by a verb
        rf"|,\s+who\s+(?:[\w\-’']+\s+){{1,5}}?as\s+(?:a|an|the|its|their)\s+({roles}){_APPOSITION_END}"
        rf"|,\s+who\s+(?:also\s+|now\s+)?({'|'.join(_DOING)})\b"
    )
    return before, not_before, after


@cache
def _post_of_pattern() -> re.Pattern[str]:
    roles = _roles_regex()
    return re.compile(
        rf"(?:^|\b(?:the|a|an|its|their|[\w\-]+['’]s)\s+)(?:[a-z\-]+\s+)??({roles})\s+(?:of|for)\s+"
        rf"(?:the\s+)?(?:[\w\-’']+\s+){{0,2}}?[\w\-’']+,\s+"
        rf"(?:(?:the|a|an)\s+(?:[\w\-]+\s+){{0,2}}?(?:{roles})\s+)?$"
    )


def _roles_around(text: str, start: int, end: int) -> tuple[str, ...]:
    """Role words right before a name ("striker Tomas Varga", "Labour councillor Ann Lee") or after it
    ("Ann Lee, the council leader", "Ann Lee, leader of the council")."""
    before_pattern, not_before, after_pattern = _role_patterns()
    found: list[str] = []
    before = text[max(0, start - 60) : start].lower()
    after = text[end : end + 80].lower()
    match = before_pattern.search(before)
    if match and not not_before.search(before):
        found.append(next(group for group in match.groups() if group))
        stacked = _stacked_pattern().search(before)
        if stacked and stacked.group(1) not in found:
            found.append(stacked.group(1))
    match = after_pattern.match(after)
    if match:
        role = next(group for group in match.groups() if group)
        if role in _DOING:
            role = _doer(role)
        found.append(role)
    # "The council's head of highways, Adrian Castellano", "The chair of the judges, the Scottish novelist
    # Alasdair Crane": a post of something, in apposition before the name (and its description).
    post = _post_of_pattern().search(before)
    if post and post.group(1) not in found:
        found.append(post.group(1))
    # "chaired by the Irish actor Siobhan Kearney": the one a role verb's passive names holds the role.
    passive = _BY_DOER.search(before)
    if passive:
        found.append(_doer(passive.group(1)))
    # "Martin Gallo, an Italian-born engineer who chairs the residents' group": a second role, told by a
    # verb later in the same apposition.
    apposition = re.match(r",[^.;:()—–]*", after)
    doing = _WHO_DOES.search(apposition.group()) if apposition else None
    if doing and _doer(doing.group(1)) not in found:
        found.append(_doer(doing.group(1)))
    return tuple(found)


def _doer(verb: str) -> str:
    """The role of a role verb's doer ("chaired" -> chair, "coaches" -> coach)."""
    return next((_DOER[v] for v in sorted(lexicon.lemmas(verb)) if v in _DOER), verb)


_WHO_DOES = re.compile(rf"\bwho\s+(?:also\s+|now\s+)?({'|'.join(_DOING)})\b")
_BY_DOER = re.compile(
    rf"\b({'|'.join(v for v in _DOING if v.endswith('ed') or v in ('led', 'taught'))})\s+by\s+"
    r"(?:(?:the|a|an|its|their)\s+)?(?:[a-z\-]+\s+){0,3}?$"
)


def _kind(text: str, name: str, start: int, end: int, roles: tuple[str, ...]) -> str | None:
    """The type a cue gives a name here (around it, else its own last word), else None."""
    kind = _context_kind(text, name, start, end, roles)
    if kind:
        return kind
    last = name.split()[-1].lower().strip(".")
    if last in lexicon.word_set("org_words.txt"):
        return ORGANISATION
    # "Institute for Economic Research", "Bank of Estmark": the head of the name stands before its "of".
    head = re.search(r"([A-Za-z]+)\s+(?:of|for)\s", name)
    if head and head.group(1).lower() in lexicon.word_set("org_words.txt"):
        return ORGANISATION
    if last in lexicon.word_set("place_words.txt"):
        return PLACE
    if name in p.PLACES or name.lower() in p.PLACES:
        return PLACE
    if (
        re.search(r"\b(?:in|at|near)\s+$", text[max(0, start - 10) : start].lower())
        and len(name.split()) == 1
    ):
        return PLACE  # a weak cue: good enough for the source's register, never to contradict a claim
    return None


_APPOSITIVE_KIND = re.compile(r"^,\s+(?:the|a|an|its|their)\s+(?:[\w'’\-]+\s+){0,3}?([a-z]+)\b")


def _context_kind(text: str, name: str, start: int, end: int, roles: tuple[str, ...]) -> str | None:
    """The type the words around a name give it: a role or title, a cue word before it, an appositive."""
    before = text[max(0, start - 40) : start].lower()
    after = text[end : end + 40].lower()
    if roles or re.search(r"\b(?:" + "|".join(lexicon.word_set("person_titles.txt")) + r")\.?\s+$", before):
        return PERSON
    if re.match(r"(?:'s)?\s*,?\s*(?:he|she)\b", after):
        return PERSON
    opening, closing = text[max(0, start - 1) : start], text[end : end + 1]
    if opening and closing and opening in '“"‘' and closing in '”"’':
        return WORK
    cue = re.search(r"\b(\w+)\s+(of\s+)?$", before)
    if cue:
        word = cue.group(1)
        if cue.group(2) and word not in {"city", "town", "village", "county", "state", "province", "region"}:
            return None
        if word in lexicon.word_set("work_words.txt") and not _acts(before, cue.start(1), word):
            return WORK
        if word in {"city", "town", "village", "county", "state", "province", "region", "district"}:
            return PLACE
        if word in lexicon.word_set("org_words.txt"):
            return ORGANISATION
    appositive = _APPOSITIVE_KIND.match(after)
    if appositive:
        word = appositive.group(1)
        for words, kind in (
            ("org_words.txt", ORGANISATION),
            ("place_words.txt", PLACE),
            ("work_words.txt", WORK),
        ):
            if word in lexicon.word_set(words):
                return kind
    return None


def _acts(text: str, start: int, word: str) -> bool:
    """Whether a cue word that is also a verb acts as one here ("Lowtide play Glasgow"), not as the noun
    of a work ("the play Glasgow Nights"): a verb has no determiner or possessive before it."""
    if "VERB" not in lemminflect.getAllLemmas(word):
        return False
    before = re.findall(r"[\w'’]+", text[max(0, start - 30) : start].lower())
    return not before or not (
        before[-1] in {"the", "a", "an", "his", "her", "their", "its", "new", "latest", "debut", "this"}
        or before[-1].endswith(("'s", "’s"))
    )


def _number_word(token: str) -> bool:
    """Whether a capitalised word is a number written out ("Thirty", "Seventy-two"): a sentence may open
    with one ("Thirty per cent of the homes"), and it is a figure, never a name."""
    word = token.lower()
    return word.replace("-", "").isalpha() and numbers.normalize_numbers(word).isdigit()


def _leading_figure(token: str, known: frozenset[str]) -> bool:
    """Whether a capitalised first word of a sentence is a figure written out, alone or in a compound
    ("Sixty Moroccan firefighters", "Seventeen-year-old Vinnik"): it counts or describes the name, it is
    no part of it (within a sentence, "Twelve Angry Men" is a title)."""
    if token in known or not token[:1].isupper():
        return False
    head = token.split("-")[0]
    return _number_word(head) and head.lower() not in ("one",)


def _new_name(tokens: list[str], text: str, start: int, known: frozenset[str]) -> bool:
    """Whether a leading "New" is part of the name ("New Zealand", "New York", "the New Forest"): inside a
    sentence a capitalised "New" before a name is the name's; at its start, only a name the source gives
    or a country the nationality list knows is ("New Zealand", not "New chief executive Ann Lee")."""
    if tokens[0] != "New" or len(tokens) < 2 or not tokens[1][:1].isupper():
        return False
    if not _at_sentence_start(text, start):
        return True
    pair = " ".join(tokens[:2])
    return any(pair in name for name in known) or any(
        pair in places for places in lexicon.demonyms().values()
    )


def entities(text: str, known: frozenset[str] = frozenset()) -> list[Entity]:
    """The names of a text with their types and roles; role words and nationality words are not names.
    ``known``: names already known (the source's), kept even where they look like ordinary words."""
    found: list[Entity] = []
    for match in _NAME.finditer(text):
        start, raw = match.start(), match.group()
        tokens = raw.split()
        # Leading ordinary words ("The", "Coach", "Striker", "French") are not part of the name.
        while (
            tokens
            and not _new_name(tokens, text, start, known)
            and (
                _is_common(tokens[0])
                or tokens[0] in lexicon.demonyms()
                or (_at_sentence_start(text, start) and _leading_figure(tokens[0], known))
            )
        ):
            start += (
                len(tokens[0]) + 1 + (len(raw[len(tokens[0]) :]) - len(raw[len(tokens[0]) :].lstrip()) - 1)
            )
            raw = raw[len(tokens[0]) :].lstrip()
            start = match.end() - len(raw)
            tokens = tokens[1:]
        while tokens and (
            tokens[-1].lower() in _TRAILING
            or (tokens[-1].isdigit() and len(tokens) > 1 and _DATE_WORD.fullmatch(tokens[-2]))
        ):
            tokens = tokens[:-1]
        while tokens and (_DATE_WORD.fullmatch(tokens[0]) or tokens[0].isdigit()):
            tokens = tokens[1:]
            raw = raw.split(None, 1)[1] if len(raw.split(None, 1)) > 1 else ""
            start = match.end() - len(raw)
        if not tokens:
            continue
        name = (
            re.sub(r"['’]s$", "", " ".join(tokens)).rstrip(".")
            if not tokens[-1].endswith(("Bros.", "Inc.", "Jr."))
            else " ".join(tokens)
        )
        if len(tokens) == 1 and (
            re.fullmatch(r"[A-Z]\.?|\d+", name)
            or name in p.COMMON_WORDS
            or (_number_word(name) and name not in known)
        ):
            continue
        speaks = re.match(r"\s+(?:said|says|told|added|wrote)\b", text[start + len(name) :]) is not None
        if (
            len(tokens) == 1
            and _at_sentence_start(text, start)
            and lexicon.is_dictionary_word(name)
            and not speaks
            and name not in known
        ):
            continue
        if len(tokens) == 1 and name.lower() in {m.lower() for m in p.MONTHS.replace("\\.", "").split("|")}:
            continue
        if name.lower() in {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}:
            continue
        end = start + len(name)
        roles = _roles_around(text, start, end)
        context_kind = _context_kind(text, name, start, end, roles)
        kind = context_kind or _kind(text, name, start, end, roles)
        found.append(Entity(name, start, end, kind, roles, context_kind is not None))
    for match in _QUOTED_TITLE.finditer(text):
        title = match.group(1).strip().rstrip(",.")
        if len(title.split()) <= 6 and not any(
            e.start <= match.start(1) < e.end and e.name == title for e in found
        ):
            found = [e for e in found if not (match.start(1) <= e.start < match.end(1))]
            found.append(Entity(title, match.start(1), match.start(1) + len(title), WORK, (), True))
    return sorted(found, key=lambda e: e.start)


def demonyms_in(text: str) -> list[str]:
    """Nationality words of a text ("the French striker")."""
    table = lexicon.demonyms()
    return [word for word in table if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text)]


def same_name(claimed: str, known: str) -> bool:
    """A name in a claim refers to a name of the source: equal, or the claim gives a part of it
    ("Mann" for "Michael Mann"), or the source gives a part of it and nothing contradicts."""
    a, b = claimed.lower().split(), known.lower().split()
    if a == b:
        return True
    joined_a, joined_b = " ".join(a), " ".join(b)
    return bool(re.search(rf"(?<!\w){re.escape(joined_a)}(?!\w)", joined_b))
