"""What an editor checks in a draft, one check per requirement of issue 11's "Drafts worth reading".

Each check reads the draft's text (and the source where it needs it) and says whether the draft meets the
requirement; ``python -m bench drafts`` counts the drafts that do. The checks are written from how news copy
reads, apart from the writer's rules: they look at the words printed, never at how they were made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qapress.generate.debris import DATELINE, DEBRIS_PHRASE, DEBRIS_SENTENCE
from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.facts import Facts
from qapress.generate.text import split_sentences, words

#: Words that are no part of a person's name: titles, roles, ranks, and the words of bodies, forces and shares.
NOT_A_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Chief|Minister|Director|Judge|Councillor|Captain|"
    r"Manager|President|Chair|Chairman|Chairwoman|Coach|Inspector|Detective|Sergeant|Constable|Officer|"
    r"Superintendent|Police|Constabulary|Force|Council|Court|University|Institute|Institution|Agency|"
    r"Service|Office|Ministry|Department|Shares|Stock|Exchange|Group|Ltd|plc|Inc|FC|Festival|Awards?|"
    r"Foundation|Association|Trust|Party|Board|Committee|Parliament|Senate|Government|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|June|July|August|September|"
    r"October|November|December)\b"
)

#: The questions a reader of each kind asks (all of them, in any order); other kinds ask what happened.
KIND_QUESTIONS: dict[str, tuple[re.Pattern[str], ...]] = {
    "sport": (
        re.compile(r"^who won\b", re.I),
        re.compile(r"\bscore\b", re.I),
        re.compile(r"\bnext\b|when is the (?:final|match|race)|who .* face", re.I),
    ),
    "politics": (
        re.compile(r"\bdecided?\b|^what did .+ (?:approve|pass|vote)", re.I),
        re.compile(r"\bvote\b", re.I),
        re.compile(r"\bchange|\bresidents\b|what does it mean for", re.I),
    ),
    "local": (re.compile(r"\bchange|\bresidents\b|what does it mean for|\bdecided\b", re.I),),
    "business": (re.compile(r"\bresults\b|\bfigures\b|deal worth", re.I),),
    "science": (
        re.compile(r"^what did .+ find|^what was found", re.I),
        re.compile(r"^who (?:did|led|carried out) the (?:research|study)", re.I),
        re.compile(r"\bwhy (?:does|do|is) it matter|\bwhy it matters\b", re.I),
    ),
    "film": (
        re.compile(r"\b(?:release|come out|out in|premiere)", re.I),
        re.compile(r"\bcast\b|\bwho (?:stars|is in)\b", re.I),
        re.compile(r"\babout\b|\bstory\b", re.I),
        re.compile(r"\bwhere (?:can I|to) watch|\bwhere .* (?:see|stream)", re.I),
    ),
    "technology": (re.compile(r"^what is new|^what did .+ (?:unveil|launch|announce)", re.I),),
    "crime": (re.compile(r"^who was (?:charged|sentenced|convicted)", re.I),),
    "weather": (re.compile(r"^what is forecast", re.I),),
    "health": (re.compile(r"^what was found or changed", re.I),),
    "transport": (re.compile(r"^what changes\b", re.I),),
    "environment": (re.compile(r"^what happened\b", re.I),),
    "culture": (re.compile(r"^what is happening\b", re.I),),
}
OTHER_QUESTIONS = (re.compile(r"^what (?:is the news|happened|has happened|is happening|was decided)", re.I),)

#: A sentence about the draft itself rather than the news ("This explainer covers ...").
META = re.compile(
    r"\bthis (?:explainer|article|piece|guide) (?:covers|explains|looks at)\b|\bthe answers below\b|"
    r"\bfew details are known\b|\bgives few details\b",
    re.I,
)
_QUOTE = re.compile(r"[“\"]([^”\"]+)[”\"]")
#: A quote attributed to a speaker: "X said: “…”", "“…,” X said", "said X", "According to X: “…”". The
#: verbs and "according to" in any case (a sentence opens with "According"), the speaker's name only with a
#: capital: "according to the source" names no speaker.
_SPEAKER = re.compile(r"\b(?i:said|says|told|added|warned)\b|\b(?i:according to)\s(?!(?i:the source)\b)[A-Z]")
#: Words that label nothing: a figure beside only these is an unlabelled figure in a list.
GLUE = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "from",
        "is",
        "are",
        "was",
        "were",
        "include",
        "includes",
        "including",
        "given",
        "named",
        "figures",
        "figure",
        "amounts",
        "amount",
        "numbers",
        "number",
        "these",
        "those",
        "with",
        "at",
        "in",
        "on",
        "for",
        "million",
        "billion",
        "thousand",
        "bn",
        "m",
        "k",
        "percent",
        "per",
        "cent",
    ]
)
FIGURE = re.compile(
    r"[£$€¥]\s?\d[\d,.]*(?:\s?(?:million|billion|bn|m|k)\b)?|\b\d[\d,.]*\s?(?:%|percent|per cent)"
)
SHORT_QUOTE_WORDS = 25


def _draft_sentences(draft: Draft, answers: bool = True) -> list[str]:
    parts = [draft.lead, *draft.body, *((item.answer for item in draft.faq) if answers else ())]
    return [sentence for part in parts for sentence in split_sentences(part)]


def _outside_quotes(sentence: str) -> str:
    return _QUOTE.sub("“…”", sentence)


def people_typed(draft: Draft, facts: Facts) -> bool:
    """No title, role word, number, body, force or share among the names taken for people, and none of the
    draft's "X (role)" names glued to a number or a title."""
    names = [person.name for person in facts.people]
    return not any(NOT_A_NAME.search(name) or re.search(r"\d", name) for name in names)


def kind_questions(draft: Draft, kind: str) -> bool:
    """Every question a reader of this kind of story asks is there."""
    questions = [item.question for item in draft.faq]
    return all(any(p.search(q) for q in questions) for p in KIND_QUESTIONS.get(kind, OTHER_QUESTIONS))


def title_is_new(draft: Draft, source: SourceDocument) -> bool:
    """The title is no copy of the source's headline, whole or cut short: its words are no run of the
    headline's words."""
    title, headline = [w.lower() for w in words(draft.title)], [w.lower() for w in words(source.title)]
    n = len(title)
    return bool(title) and not any(headline[i : i + n] == title for i in range(len(headline) - n + 1))


def tells_the_news(draft: Draft) -> bool:
    """Lead and body tell the news: no sentence about the draft itself, and a body of two sentences or more."""
    body = [s for part in draft.body for s in split_sentences(part)]
    return len(body) >= 2 and not any(META.search(s) for s in _draft_sentences(draft))


def list_like(sentence: str) -> bool:
    """A sentence that lists instead of telling: items after a colon or between semicolons, names with their
    roles in brackets, or a series after "include"/"are" with nothing said about its items."""
    plain = _outside_quotes(sentence)
    if ";" in plain:
        return True
    colon = re.search(r":\s(?!“)", plain)
    if colon and (len(plain[: colon.start()].split()) <= 5 or re.search(r",|\band\b", plain[colon.end() :])):
        return True  # "The results: a, b and c"; an explaining colon ("…4 years ago: the competition pays") is prose
    if len(re.findall(r"\([a-z][\w\- ]*\)", plain)) >= 2:
        return True
    return bool(
        re.search(
            r"\b(?:include|includes|are|named|given)\s+(?:[A-Z£$€\d](?:[^,.;]|[,.]\d){0,40},\s+)+[^;]{0,40}\band\s+[A-Z£$€\d]",
            plain,
        )
    )


def prose(draft: Draft) -> bool:
    return not any(list_like(s) for s in _draft_sentences(draft))


def quotes_short_and_attributed(draft: Draft) -> bool:
    """At most one quote per answer, of at most ``SHORT_QUOTE_WORDS`` words, its speaker named."""
    for item in draft.faq:
        quotes = _QUOTE.findall(item.answer)
        if len(quotes) > 1:
            return False
        for quote in quotes:
            if len(quote.split()) > SHORT_QUOTE_WORDS:
                return False
            sentence = next(s for s in split_sentences(item.answer) if quote[:20] in s)
            if not _SPEAKER.search(_outside_quotes(sentence)):
                return False
    return True


def no_debris(draft: Draft) -> bool:
    texts = [draft.title, *_draft_sentences(draft), *(item.question for item in draft.faq)]
    return not any(DEBRIS_SENTENCE.search(t) or DEBRIS_PHRASE.search(t) or DATELINE.match(t) for t in texts)


def figures_labelled(draft: Draft) -> bool:
    """Every amount and percentage says what it is: a word other than list glue between it and the figure
    before it in the sentence, or right after it ("revenue of £2.4bn, up 8%" labels both)."""
    for sentence in _draft_sentences(draft):
        plain = _outside_quotes(sentence)
        previous_end = 0
        for match in FIGURE.finditer(plain):
            between = plain[previous_end : match.start()]
            if previous_end and re.fullmatch(r"\s(?:to|from)\s", between):
                previous_end = match.end()
                continue  # "rose 6% to £2.9bn": the value a labelled change reached
            before = [w.lower() for w in re.findall(r"[A-Za-z][\w\-]*", between)]
            after = re.findall(r"[A-Za-z][\w\-]*", plain[match.end() :])[:1]
            labelled = any(w not in GLUE for w in before) or any(
                w.lower() not in GLUE and w.lower() not in ("and", "or") for w in after
            )
            if not labelled:
                return False
            previous_end = match.end()
    return True


@dataclass(frozen=True)
class Requirement:
    name: str
    met: Callable[[Draft, SourceDocument, Facts, str], bool]


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("people typed right", lambda d, s, f, k: people_typed(d, f)),
    Requirement("the kind's questions", lambda d, s, f, k: kind_questions(d, k)),
    Requirement("title says what is new", lambda d, s, f, k: title_is_new(d, s)),
    Requirement("lead and body tell the news", lambda d, s, f, k: tells_the_news(d)),
    Requirement("prose, no lists", lambda d, s, f, k: prose(d)),
    Requirement("figures labelled", lambda d, s, f, k: figures_labelled(d)),
    Requirement("one short attributed quote", lambda d, s, f, k: quotes_short_and_attributed(d)),
    Requirement("no page debris", lambda d, s, f, k: no_debris(d)),
)
