"""The title a draft gives its news: what is new, in the draft's own words rather than the source's headline.

A title is chosen from candidates (the headline said in other words, the opening sentences said as
headlines): it must tell the headline's news (most of the headline's content words, its names and figures
first), must not be the headline or a cut of it, must agree in number with a plural subject ("The Tidelines
add", "Rovers sign"), and copies the fewest of the source's words. Pure: the caller passes how the check
supports a title and how many words it copies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import lemminflect

from qapress.generate.compress import HANGING
from qapress.generate.text import words

#: Words that tell no news on their own: a title that shares only these with the headline says other news.
_GLUE = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "into",
        "over",
        "after",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "its",
        "their",
        "his",
        "her",
        "it",
        "this",
        "that",
        "new",
        "more",
        "than",
        "up",
        "down",
        "out",
        "off",
        "about",
        "his",
        "her",
        "who",
        "which",
        "what",
        "when",
        "where",
        "how",
    ]
)
MIN_WORDS = 4
MAX_WORDS = 11


def content_words(text: str) -> set[str]:
    """The words of a text that carry its news, lower-cased (names, nouns, verbs' stems, figures)."""
    return {_stem(w) for w in words(text) if w.lower() not in _GLUE}


def _stem(word: str) -> str:
    """A word reduced so that "wins"/"won"/"win" and "Cyclones"/"Cyclone" match."""
    lower = word.lower()
    lemmas = lemminflect.getAllLemmas(lower)
    for tag in ("VERB", "NOUN"):
        if lemmas.get(tag):
            return str(lemmas[tag][0])
    return lower


def news_overlap(title: str, headline: str) -> float:
    """How much of the headline's news a title tells: the share of its content words the title has, names
    and figures counted twice (a title that leaves out who or how many says other news)."""
    theirs = content_words(headline)
    if not theirs:
        return 0.0
    heavy = {_stem(w) for w in words(headline) if w[:1].isupper() or w[:1].isdigit()}
    mine = content_words(title)
    weight = sum(2 if w in heavy else 1 for w in theirs)
    return sum(2 if w in heavy else 1 for w in theirs & mine) / weight


def in_headline(title: str, headline: str) -> bool:
    """Whether a title is the headline or a cut of it: its words a run of the headline's words."""
    mine, theirs = [w.lower() for w in words(title)], [w.lower() for w in words(headline)]
    return any(theirs[i : i + len(mine)] == mine for i in range(len(theirs) - len(mine) + 1))


def agreeing(title: str, headline: str, text: str) -> str:
    """The title with its verb in the plural after a plural name, as the source writes it: "The Carrow
    Cyclones wins" -> "win" when the source says "The Carrow Cyclones", "Rovers signs" -> "sign" when the
    headline says "Rovers sign"."""
    tokens = title.split()
    for at in range(1, min(len(tokens), 6)):
        verb = tokens[at]
        if not (verb.islower() and verb.endswith("s") and not verb.endswith("ss")):
            continue
        subject = tokens[:at]
        last = subject[-1]
        if not (last[:1].isupper() and last.endswith("s") and not last.endswith(("ss", "us", "is"))):
            return title
        base = [b for b in lemminflect.getAllLemmas(verb).get("VERB", ()) if b != verb]
        if not base:
            return title
        plural = re.search(
            rf"\bThe\s{re.escape(' '.join(s for s in subject if s != 'The'))}\b", text
        ) or re.search(rf"\b{re.escape(last)}\s{re.escape(base[0])}\b", headline)
        if plural:
            tokens[at] = base[0]
            return " ".join(tokens)
        return title
    return title


def near_copy(title: str, headline: str, changes: int = 2) -> bool:
    """Whether a title is the headline reworded by a word or two: all but ``changes`` of its words are the
    headline's, in the headline's order (a cut with an article dropped, one word swapped)."""
    mine, theirs = [w.lower() for w in words(title)], [w.lower() for w in words(headline)]
    # the longest common subsequence of the two word lists
    row = [0] * (len(theirs) + 1)
    for word in mine:
        previous = 0
        for j, other in enumerate(theirs, start=1):
            previous, row[j] = row[j], previous + 1 if word == other else max(row[j], row[j - 1])
    return len(mine) - row[-1] <= changes


#: A title ending on a modal and its verb alone tells that something happens, not what.
_THIN_END = re.compile(r"\b(?:will|would|can|could|may|might|to)\s[a-z]+$")


def best_title(
    candidates: Iterable[str],
    headline: str,
    text: str,
    supported: Callable[[str], bool],
    copied: Callable[[str], int],
    *,
    least_news: float = 0.5,
    preferred: Iterable[str] = (),
) -> str:
    """The candidate that tells most of the headline's news in the fewest copied words, "" when none does:
    of ``MIN_WORDS`` to ``MAX_WORDS`` words, no cut of the headline, telling at least ``least_news`` of its
    news (``news_overlap``), and supported by the check (``supported``, called last: it is the dear one).
    One that is no near copy of the headline (``near_copy``) goes before one that is, whatever it copies;
    of those alike in both, a ``preferred`` one (the kind's key fact: the score, the vote) goes first."""
    first = {agreeing(title.strip().rstrip(".").strip(), headline, text) for title in preferred}
    shaped = []
    for candidate in dict.fromkeys(candidates):
        title = agreeing(candidate.strip().rstrip(".").strip(), headline, text)
        if not MIN_WORDS <= len(title.split()) <= MAX_WORDS or in_headline(title, headline):
            continue
        if title.count('"') % 2 or title.count("(") != title.count(")") or title.endswith((",", ":")):
            continue
        if title.split()[-1].lower() in HANGING:
            continue  # "… for the first time" without its "in 26 years": a cut that changes the news
        if _THIN_END.search(title):
            continue  # "The Carrow marathon will start": the verb without what it does, no news
        overlap = news_overlap(title, headline)
        if overlap >= least_news:
            # in the draft's own words first: no copied run, then not the headline reworded by a word or two
            shaped.append(
                (
                    near_copy(title, headline),
                    copied(title) > 0,
                    title not in first,
                    copied(title),
                    -round(overlap, 1),
                    -len(title.split()),
                    title,
                )
            )
    for *_, title in sorted(dict.fromkeys(shaped)):
        if supported(title):
            return title
    return ""


#: "the", "a" before an ordinary word inside a headline: headlines drop them ("Snow closes mountain pass").
_INNER_ARTICLE = re.compile(r"(?<=\s)(?:the|a|an)\s(?=[a-z])")
_BOUNDARY = re.compile(r",\s|\s[-–—]\s|:\s|\s(?=(?:after|as|despite|amid|while|but|with|for|over|from)\s)")


def headline_variants(headline: str, reword: Callable[[str], str], source_text: str = "") -> list[str]:
    """A title said as a headline says it: in ``reword``'s words (the draft's same-meaning words and number
    style), its inner articles dropped, in a headline's words (``headline_words``), and each of those cut
    where a clause or a phrase ends (four words at least)."""
    whole = headline.strip().rstrip(".")
    found: list[str] = []
    for text in dict.fromkeys((whole, reword(whole))):
        shapes = [text, _INNER_ARTICLE.sub("", text)]
        shapes += [t for shape in list(shapes) for t in headline_words(shape, source_text)]
        for shaped in dict.fromkeys(shapes):
            found.append(shaped)
            found += [
                shaped[: m.start()].rstrip(" ,:")
                for m in _BOUNDARY.finditer(shaped)
                if len(shaped[: m.start()].split()) >= MIN_WORDS
            ]
    return [f[:1].upper() + f[1:] for f in dict.fromkeys(found) if f]


def headline_style(title: str, reword: Callable[[str], str], source_text: str = "") -> list[str]:
    """A candidate title as it is, in ``reword``'s words, each without its inner articles, and each in a
    headline's words (``headline_words``)."""
    found = [title, reword(title)]
    found += [_INNER_ARTICLE.sub("", t) for t in found]
    found += [t for shape in list(found) for t in headline_words(shape, source_text)]
    return [f[:1].upper() + f[1:] for f in dict.fromkeys(found) if f]


#: "Orre Steel cuts 400 jobs as demand for ship steel falls": an outcome and the cause a headline gives.
_CAUSE = re.compile(r"^(?P<outcome>.{12,}?)\s(?:after|following|as|because)\s(?P<cause>\S.{8,})$")
#: "… from April", "… by 2040", "… on Thursday": a time phrase ending a headline.
_TRAILING_TIME = re.compile(
    r"^(?P<rest>.{12,}?)\s(?P<time>(?:from|by|on|in|until|next)\s(?:[A-Z][a-z]+|(?:19|20)\d\d)(?:\s\d{1,2})?)$"
)
#: A cause opens with its subject: never an ordinal ("after 45 years") nor a possessive or an article's role
#: ("names Hanne Lyst as its new director": "as" there says what she is, no cause).
#: "Coral reefs recovering faster than expected, global survey finds": the news, then who says it.
_SAID_LAST = re.compile(
    r"^(?P<claim>[^,]{12,}),\s(?P<who>[^,]{2,40}?)\s(?P<verb>says|say|finds|find|warns|warn|shows|show|suggests)$"
)
_ORDINAL = re.compile(
    r"(?:first|second|third|last|next|one|two|\d|its|his|her|their|our|my|a|an|the\s[a-z]+\s?$)\b",
    re.IGNORECASE,
)


def _lower_first(text: str, source_text: str) -> str:
    """The text's first word in lower case when the source writes it so mid-sentence (an ordinary word)."""
    first = text.split()[0]
    if first.replace("-", "").isalpha() and re.search(
        rf"(?<![.!?]\s)(?<=\s){re.escape(first.lower())}\b", source_text
    ):
        return first.lower() + text[len(first) :]
    return text


def reordered_headlines(headline: str, source_text: str) -> list[str]:
    """The headline's parts in another order, as a headline can say them: the cause first and the outcome
    after a colon ("Demand for ship steel falls: Orre Steel cuts 400 jobs"), who says it first ("Global
    survey finds coral reefs recovering …"), the time first ("From April, visitors … need an online
    permit")."""
    found: list[str] = []
    whole = headline.strip().rstrip(".")
    cause = _CAUSE.match(whole)
    if (
        cause
        and not re.search(r"[“”\"]", whole)
        and not _ORDINAL.match(cause.group("cause"))
        and "," not in cause.group("cause")  # "extra nurses hired, health board says": an attribution
    ):
        first, second = cause.group("cause"), cause.group("outcome")
        if len(first.split()) >= 2:
            found.append(f"{first[0].upper()}{first[1:]}: {_lower_first(second, source_text)}")
    said = _SAID_LAST.match(whole)
    if said and not re.search(r"[“”\"]", whole):
        who = said.group("who")
        found.append(
            f"{who[0].upper()}{who[1:]} {said.group('verb')} {_lower_first(said.group('claim'), source_text)}"
        )
    timed = _TRAILING_TIME.match(whole)
    if timed and ":" not in whole:
        rest = _lower_first(timed.group("rest"), source_text)
        found.append(f"{timed.group('time')[0].upper()}{timed.group('time')[1:]}, {rest}")
    return found


_CURRENCY = {"euros": "€", "euro": "€", "dollars": "$", "pounds": "£"}
#: "212 million euros" -> "€212m": an amount as a headline writes it (the check reads both as one value).
_AMOUNT = re.compile(r"\b(\d+(?:[.,]\d+)?)\s(million|billion)\s(euros?|dollars|pounds)\b")
#: "Measles cases in Carrow rise …" -> "Carrow measles cases rise …": the place before what is in it.
_IN_PLACE = re.compile(
    r"^(?P<thing>[A-Z][a-z\-]+(?:\s[a-z\-]+){0,2})\sin\s(?P<place>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s(?=[a-z])"
)


def headline_words(title: str, source_text: str) -> list[str]:
    """The title with an amount in a headline's style ("€212m") and the place before what is in it
    ("Carrow measles cases"), each where it applies; none when neither does."""
    found: list[str] = []
    amount = _AMOUNT.sub(
        lambda m: f"{_CURRENCY[m.group(3)]}{m.group(1)}{'m' if m.group(2) == 'million' else 'bn'}", title
    )
    for text in dict.fromkeys((title, amount)):
        placed = _IN_PLACE.match(text)
        after = text[placed.end() :].split()[0] if placed else ""
        if placed and lemminflect.getAllLemmas(after).get("VERB"):  # the place ends the subject
            thing = _lower_first(placed.group("thing"), source_text)
            found.append(f"{placed.group('place')} {thing} {text[placed.end() :]}")
        if text != title:
            found.append(text)
    return found
