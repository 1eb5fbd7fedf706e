"""A source sentence retold shorter, in the draft's own order: the sentence compression behind prose answers.

A news sentence carries its fact in its main clause; the rest is colour (", which opened in 1998,"), an
appositive (", the Dutch start-up,"), an aside in brackets, or a tail clause. ``retellings`` gives
candidate rewrites that drop those parts and move a time phrase to the front, so the draft tells the fact
without running the source's words on. A part is dropped only when it holds no negation or hedge (leaving
one out would change what the source says), and nothing is added but word order and punctuation. Pure:
strings in, strings out; the caller keeps only what the grounding check supports.
"""

from __future__ import annotations

import re

from qapress.generate.grounding.numbers import SMALL_CARDINALS
from qapress.generate.patterns import HEDGES
from qapress.generate.rewording import in_own_words, split_clauses

#: Words that change what a clause means when left out.
_KEEPS_MEANING = re.compile(r"\b(?:not|no|never|nor|without|n[’']t|only|except)\b|" + HEDGES.pattern, re.I)
_QUOTE_MARK = re.compile(r"[“”\"]")
#: ", which ...," / ", who ...," / ", where ...,": a non-restrictive clause inside the sentence.
_RELATIVE = re.compile(r",\s(?:which|who|whose|where)\s[^,;“”\"]{3,120}?,\s")
#: ", the Dutch hardware start-up," / ", a former teacher,": an appositive noun phrase.
_APPOSITIVE = re.compile(r",\s(?:the|a|an|its|his|her|their)\s(?:(?!\band\b|\bor\b)[^,;“”\"]){2,90}?,\s")
_BRACKETS = re.compile(r"\s\([^()]{1,80}\)")
#: ", including the main route between Ashford and Milbrook,": examples of what the sentence names.
_INCLUDING = re.compile(r",\sincluding\s[^,;“”\"]{3,90}?,\s")
#: A clause that can go at a sentence's end: after ", which", ", while", ", as", " after" and the like.
_TAIL = re.compile(
    r"(?:,\s(?:which|while|as|with|after|before|meaning|making|bringing|taking|adding|leaving|though|"
    r"although|and|but|in what|including)\b|,\s(?!during\b|morning\b|evening\b)[a-z]{3,}ing\s|\s(?:after|despite|amid|following)\s(?=[a-z]\S*\s(?:\S+\s){2}))"
)
_TIME = (
    r"(?:on|last|this|next|by|in|from|until|since)\s(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)(?:\s(?:night|morning|afternoon|evening))?(?:,?\s(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s\d{1,2})?|(?:January|February|March|April|June|July|August|September|"
    r"October|November|December)(?:\s\d{1,2})?(?:,?\s(?:19|20)\d{2})?|(?:19|20)\d{2}|week|month|year|"
    r"night|morning|evening)(?!\s(?:night|morning|afternoon|evening)\b)"
)
#: A time phrase just before the sentence's full stop, or before a comma ending the main clause.
_TRAILING_TIME = re.compile(rf"\s({_TIME})(?=[.,]\s*$|\.$)")
_MID_TIME = re.compile(rf",?\s({_TIME})(?=\s[a-z])")
#: "X said on Monday that ...", "..., X said." — the speaker of a reported statement.
_SAID_TAIL = re.compile(
    r",\s(?P<who>(?:the\s)?[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,3}(?:\s[a-z]+\s(?:board|council|agency|office))?)"
    r"\s(?P<verb>said|says|has said|has warned|warned|announced|has announced|confirmed|has confirmed)"
    r"(?P<when>\son\s[A-Z][a-z]+day)?\.$"
)


def _drop(sentence: str, match: re.Match[str], replacement: str) -> str | None:
    """The sentence without the matched part, unless that part carries a negation, a hedge or a quote."""
    part = match.group()
    if _KEEPS_MEANING.search(part) or _QUOTE_MARK.search(part):
        return None
    return sentence[: match.start()] + replacement + sentence[match.end() :]


def _after_name(text: str, match: re.Match[str]) -> bool:
    """Whether an appositive follows a name ("Corvale, the Dutch start-up,"), not a list's first item."""
    before = text[: match.start()].split()
    return bool(before) and (before[-1][:1].isupper() or before[-1][:1].isdigit())


def _without_asides(sentence: str) -> str:
    """Relative clauses, appositives and bracketed asides left out (each only when it holds no meaning word)."""
    text = sentence
    for pattern in (_BRACKETS, _RELATIVE, _APPOSITIVE, _INCLUDING):
        while True:
            match = next(
                (
                    m
                    for m in pattern.finditer(text)
                    if _drop(text, m, "") is not None and (pattern is not _APPOSITIVE or _after_name(text, m))
                ),
                None,
            )
            if match is None:
                break
            # "..., the second feature from X, organisers announced": the comma before the speaker stays
            before_speaker = re.match(
                r"(?:the\s)?[\w’'\-]+(?:\s[\w’'\-]+)?\s(?:said|says|announced|added|confirmed|warned)\b",
                text[match.end() :],
            )
            joint = ", " if before_speaker else " "
            dropped = _drop(text, match, joint if pattern is not _BRACKETS else "")
            assert dropped is not None
            text = dropped
    return re.sub(r"\s{2,}", " ", text)


def _without_tail(sentence: str, shortest: int = 7) -> str:
    """The sentence cut at its first tail clause that leaves a main clause of ``shortest`` words or more."""
    body = sentence.rstrip(".")
    for match in _TAIL.finditer(body):
        head, tail = body[: match.start()].rstrip(" ,;"), body[match.start() :]
        if len(head.split()) < shortest or _KEEPS_MEANING.search(tail) or _QUOTE_MARK.search(tail):
            continue
        if _QUOTE_MARK.search(head) and head.count("“") != head.count("”"):
            continue
        return head + "."
    return sentence


_TWO_SENTENCES = re.compile(r"[.!?]\s+[A-Z]")


def _time_first(sentence: str, proper: frozenset[str] = frozenset()) -> str:
    """“On Saturday, Kestrel City reached the final.”: a time phrase moved to the front."""
    if re.match(r"^(?:On|Last|This|Next|By|In|From|Until|Since)\s", sentence) or _TWO_SENTENCES.search(
        sentence
    ):
        return sentence  # in two sentences a moved date could leave the one it belongs to
    if len(re.findall(_TIME, sentence)) != 1 or re.search(r"\b(?:since|until|from|by)\s", sentence):
        return sentence  # with two dates, or a span, a moved date could attach to the wrong event
    match = _TRAILING_TIME.search(sentence) or _MID_TIME.search(sentence)
    if not match or not re.match(r"(?:on|last|this|next)\s", match.group(1)):
        return sentence
    if re.search(r",\s", sentence[: match.start()]):
        return sentence  # after a comma the date may belong to the aside ("a premium to Friday's price")
    phrase = match.group(1)
    rest = (sentence[: match.start()] + sentence[match.end() :]).strip()
    if not rest or _QUOTE_MARK.search(rest[:1]):
        return sentence
    first = rest[0].lower() + rest[1:] if _lower_opening(rest, proper) else rest
    return f"{phrase[0].upper()}{phrase[1:]}, {first}"


_ORDINARY_OPENINGS = frozenset(
    [
        "The",
        "A",
        "An",
        "Its",
        "His",
        "Her",
        "Their",
        "It",
        "They",
        "More",
        "Some",
        "Several",
        "Many",
        "Most",
        "All",
        "Work",
        "Tickets",
        "Shares",
    ]
)


def _lower_opening(text: str, proper: frozenset[str] = frozenset()) -> bool:
    """Whether the first word is an ordinary word (The, Tickets), which loses its capital mid-sentence; a
    word that names something (Harbor, Lumen: one of ``proper``) keeps it."""
    first = re.sub(r"[^\w’'\-]", "", text.split()[0])
    if first in _ORDINARY_OPENINGS:
        return True
    return bool(proper) and first.isalpha() and first[1:].islower() and first not in proper and first != "I"


#: A finite verb: a retelling without one is a fragment ("Since the change, the share of patients leaving.").
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|shall|did|does|do|"
    r"said|says|told|[a-z]{2,}ed|won|beat|lost|made|took|gave|rose|fell|hit|cut|put|set|left|met|ran|saw|"
    r"knew|found|held|stood|began|came|went|got|paid|sold|bought|spent|shot|led|kept|drew|broke|chose|grew|"
    r"struck|stars|plays|follows|expects|plans|faces|opens|shows|finds|suggests|goes|go|comes|sank|won)\b"
)


def _speaker_first(sentence: str, proper: frozenset[str] = frozenset()) -> str:
    """“Police said the road will reopen.”: a trailing “..., X said.” moved before what was said."""
    match = _SAID_TAIL.search(sentence)
    if not match or _QUOTE_MARK.search(sentence) or _TWO_SENTENCES.search(sentence):
        return sentence
    said = sentence[: match.start()]
    if not said:
        return sentence
    said = said[0].lower() + said[1:] if _lower_opening(said, proper) else said
    who = match.group("who")
    who = who[0].upper() + who[1:]
    when = (
        f"{match.group('when').strip()[0].upper()}{match.group('when').strip()[1:]}, "
        if match.group("when")
        else ""
    )
    verb = match.group("verb")
    return (
        f"{when}{who} {verb} {said}."
        if not when
        else f"{when}{who[0].lower() + who[1:] if who.startswith('The ') else who} {verb} {said}."
    )


#: "has been jailed" -> "was jailed": the same fact in the simple past.
_PERFECT_PASSIVE = re.compile(r"\b(has|have) been (?=[a-z]+(?:ed|en|ld|wn|nt|ut|ot)\b)")
#: "at the University of Tromsø in Norway and": a country or town after a named body, left out.
_PLACE_AFTER_NAME = re.compile(
    r"(\b[A-Z][\w’'\-]*)\sin\s(?!(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    r"[A-Z][a-z]+(?=\s(?:and|tested|found|said)\b|,\s)"
)


_CONTRACTIONS = {
    "do not": "don’t",
    "does not": "doesn’t",
    "did not": "didn’t",
    "is not": "isn’t",
    "are not": "aren’t",
    "was not": "wasn’t",
    "were not": "weren’t",
    "has not": "hasn’t",
    "have not": "haven’t",
    "had not": "hadn’t",
    "will not": "won’t",
    "would not": "wouldn’t",
    "cannot": "can’t",
    "could not": "couldn’t",
}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _scaled_amounts(text: str) -> str:
    """£4.2 million -> £4.2m, $1.2 billion -> $1.2bn: the house style for an amount with its scale."""
    return re.sub(
        r"([£$€]\d+(?:\.\d+)?) (million|billion)\b",
        lambda m: m.group(1) + ("m" if m.group(2) == "million" else "bn"),
        text,
    )


def _house_style(text: str) -> str:
    """The same facts in the draft's house style: contractions (the negation kept), amounts with a scale
    letter (£4.2m), dates day first (12 October), no sentence-opening "However,"/"But"/"also"."""
    for long, short in _CONTRACTIONS.items():
        text = re.sub(rf"\b{long}\b", short, text)
        text = re.sub(rf"\b{long.capitalize()}\b", short.capitalize(), text)
    text = _scaled_amounts(text)
    text = re.sub(r"^(?:However|But|And),?\s+", "", text)
    text = re.sub(r"\s(?:also)\b", "", text)
    return text[:1].upper() + text[1:]


#: "have added" -> "added", "has won" -> "won": the simple past, where the participle is the past form too
_PRESENT_PERFECT = re.compile(
    r"\b(has|have)\s(?!been\b|had\b)((?:[a-z]{2,}ed)|won|sold|made|said|found|held|lost|left|paid|built|told|"
    r"kept|met|sent|spent|bought|brought|raised|cut|set|put|hit)\b"
)


def _reworded(text: str, roles: dict[str, str]) -> str:
    """Word-level changes that keep the fact: a role put in apposition after the name ("Lead author Dr Hanne
    Vik said" -> "Hanne Vik, the lead author, said"), the simple past for a perfect passive, "said that" ->
    "said", percentages written with the sign."""
    for name, role in roles.items():
        before = re.compile(
            rf"(?-i:(?:^[A-Z][\w’'\-]*\s)?)\b{re.escape(role)}\s(?:(?:Dr|Prof|Professor|Mr|Mrs|Ms)\.?\s)?"
            rf"{re.escape(name)}(?=\s(?:said|says|told|added|warned|[a-z]{{2,}}ed)\b)",
            re.IGNORECASE,
        )
        match = before.search(text)
        preceding = text[: match.start()].split()[-1:] if match else []
        if preceding and preceding[0][:1].isupper():
            continue  # "Met Office chief meteorologist Paul Hendry": the body's name stays with the role
        if match and match.group().split()[0].lower() not in ("the", "a", "an"):
            text = text[: match.start()] + f"{name}, the {role.lower()}," + text[match.end() :]
    text = _PLACE_AFTER_NAME.sub(r"\1", text)
    # "the final of the Anglian Cup" -> "the Anglian Cup final"
    text = re.sub(
        r"\bthe ([a-z]+) of the ((?:[A-Z][\w’'\-]+\s?){1,4})(?<!\s)",
        lambda m: f"the {m.group(2)} {m.group(1)}",
        text,
    )
    # "at the Grangeford walk-in clinic" -> "at Grangeford's walk-in clinic"
    text = re.sub(
        r"\b(at|in|on) the ([A-Z][a-z]{3,}) ((?!of\b)(?:[a-z\-]+\s)?[a-z]+)\b(?!’s|'s|\sof\b)",
        lambda m: f"{m.group(1)} {m.group(2)}’s {m.group(3)}",
        text,
        count=1,
    )
    text = _house_style(text)
    text = _PRESENT_PERFECT.sub(lambda m: m.group(2), text)
    text = _PERFECT_PASSIVE.sub(lambda m: "was " if m.group(1) == "has" else "were ", text)
    text = re.sub(r"\b(said|says|announced|added|warn|warns|warned) that\b", r"\1", text)
    text = re.sub(r"(\d)\s(?:per cent|percent)\b", r"\1%", text)
    return text


_SMALL_NUMBERS = {word: str(value) for word, value in SMALL_CARDINALS.items()}
_COUNTED = re.compile(
    r"\b(" + "|".join(_SMALL_NUMBERS) + r")\s(?=(?:years|months|weeks|days|hours|minutes|goals|points|seats|"
    r"people|men|women|children|times|stores|sites|strains|votes|councillors|games|matches)\b)"
)


def in_digits(text: str) -> str:
    """“jailed for 3 years and 4 months”: small counts in digits (the check compares numbers by value)."""
    return _COUNTED.sub(lambda m: _SMALL_NUMBERS[m.group(1)] + " ", text)


#: "at Hallam Bridge", "at the Fenwick Stadium": where in a town something happened, a detail to leave out
#: (never a town's own, "at Carrow’s concert hall", which would leave "held concert hall")
_SITE = re.compile(
    r"\s(?:at|near)\s(?:the\s)?[A-Z][\w\-]+(?:\s[A-Z][\w\-]+){0,3}+(?!\s(?:[A-Z]|of\b))(?=[\s,.])"
)


def _without_sites(text: str) -> str:
    """The sentence without the sites it names inside a town (the town and the region stay)."""
    return _SITE.sub("", text)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r",\s*\.", ".", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    if text and not text.endswith((".", "!", "?", "”", '"')):
        text += "."
    return text[0].upper() + text[1:] if text else text


def retellings(
    sentence: str, roles: dict[str, str] | None = None, proper: frozenset[str] = frozenset()
) -> list[str]:
    """Candidate rewrites of one source sentence, shortest first; each keeps the main clause's words.

    Never the sentence itself: a caller that finds none the check supports says less instead."""
    base = sentence.strip()
    if not base or base.startswith(("“", '"')):
        return []
    shapes: list[str] = []
    worded: list[str] = []
    for plain in dict.fromkeys((base, _without_asides(base))):
        reworded = _reworded(plain, roles or {})
        digits = in_digits(reworded)
        worded += [plain, reworded, digits, in_digits(_without_sites(reworded)), in_own_words(digits)]
    clauses = split_clauses(base)
    if len(clauses) > 1:
        # each main clause told as its own sentence, alone or both in turn
        told = [
            _time_first(in_own_words(in_digits(_reworded(_without_asides(c), roles or {}))), proper)
            for c in clauses
        ]
        worded += [*told, " ".join(_tidy(c) for c in told)]
    for one in dict.fromkeys(worded):
        for text in dict.fromkeys((one, _without_tail(one))):
            for shaped in (
                text,
                _time_first(text, proper),
                _speaker_first(text, proper),
                _speaker_first(_time_first(text, proper), proper),
                _time_first(_scaled_amounts(in_own_words(text)), proper),
            ):
                shapes.append(_tidy(shaped))
    unique = [
        s
        for s in dict.fromkeys(shapes)
        if s and s != _tidy(base) and len(s.split()) >= 5 and _FINITE.search(s)
    ]
    return sorted(unique, key=lambda s: len(s.split()))


#: Where a main clause may end: a comma or dash, or before a conjunction or a preposition that opens a phrase
#: of detail ("… reached the final for the first time", "… were closed by fallen trees").
_CLAUSE_END = re.compile(
    r",\s|;\s|\s[—–]\s|\s(?=(?:after|as|despite|amid|while|because|when|but|and|for|with|into|at|in|over|"
    r"from|by|on|since|before|following|including|which|who|where)\s)"
)
#: A word a clause cannot end on: an article, a preposition, a comparison or a scale left hanging
#: ("It will have 14 gates, up", "the ban on flights between 11 p.m.", "for the first time" without "in 26
#: years").
HANGING = frozenset(
    [
        "a",
        "an",
        "the",
        "its",
        "his",
        "her",
        "their",
        "our",
        "my",
        "this",
        "that",
        "these",
        "those",
        "of",
        "to",
        "from",
        "by",
        "up",
        "down",
        "more",
        "less",
        "than",
        "about",
        "nearly",
        "almost",
        "around",
        "some",
        "between",
        "and",
        "or",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "will",
        "would",
        "can",
        "could",
        "time",
        "on",
        "in",
        "at",
        "for",
        "with",
        "into",
        "onto",
        "over",
    ]
)
#: The words a phrase of detail opens with after its preposition: a determiner, a name, a figure, a time.
_PHRASE_OBJECT = re.compile(
    r"(?:the|a|an|its|his|her|their|this|that|these|those|every|each|some|about|around|nearly|almost|more|"
    r"up|over|[A-Z£$€]|\d|(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
)
#: "said", "told": what a speaker said is cut nowhere (a cut could leave "X said the queues.").
_SPEECH = re.compile(r"\b(?:said|says|told|added|warned|warns|announced|claimed|argued)\b")


def clause_cuts(sentence: str, shortest: int = 4) -> list[str]:
    """The sentence's first clause on its own, cut where a clause or a phrase of detail ends, longest first:
    "On Saturday, Kestrel City reached the Anglian Cup final for the first time in 26 years." gives "On
    Saturday, Kestrel City reached the Anglian Cup final." A cut that would leave out a negation, a hedge or a
    quotation is never made, nor one inside a figure or a span ("between 11 p.m. and 6 a.m."), nor one in
    reported speech; what is kept is the source's facts in the sentence's own order, only fewer of them."""
    text = sentence.strip().rstrip(".")
    if not text or _QUOTE_MARK.search(text) or _SPEECH.search(text):
        return []
    cuts: list[str] = []
    for match in _CLAUSE_END.finditer(text):
        head, tail = text[: match.start()].rstrip(" ,;"), text[match.start() :]
        last = head.split()[-1].lower() if head.split() else ""
        if len(head.split()) < shortest or last in HANGING or _KEEPS_MEANING.search(tail):
            continue
        if re.search(r"\d\S*$", head) and re.match(r"\s(?:and|to|or)\s\S*\d", tail):
            continue  # "from 8 to 14", "3 hours and 10 minutes": the figure goes whole or not at all
        if re.search(r"\b(?:between|from)\s(?:(?!\band\b|\bto\b)\S)+(?:\s(?!and\b|to\b)\S+){0,3}$", head):
            continue  # "between 11 p.m." without its "and 6 a.m.": the span cut short
        if not _FINITE.search(head) or head.count("(") != head.count(")"):
            continue
        if not match.group().startswith(",") and re.search(r",\s[a-z]+(?:ing|ed)\b[^,]*$", head):
            continue  # "…, clearing the way", "…, priced": a participle's clause cut short
        preposition = re.match(r"\s(?:for|with|into|at|in|over|from|by|on)\s(\S+)", tail)
        if preposition and not re.match(_PHRASE_OBJECT, preposition.group(1)):
            continue  # "will be released on vinyl", "go on sale": a bare noun after it is part of what is said
        if re.match(r"(?:When|If|Although|Though|Because|While|As|After|Before|Since|Unless|Until)\b", head):
            continue  # "When it was combined": a subordinate clause without its main one
        main = re.split(r",\s(?:who|which|whose|where|when)\b", head)[0]
        if not _FINITE.search(re.sub(r"^[^,]{1,40},\s", "", main)):
            continue  # "Marlow, who had not lost at home": the verb is the relative clause's
        *before, last_part = head.split(", ")
        if before and re.match(r"[a-z]+(?:ed|en|ing)\b", last_part) and not _FINITE.search(", ".join(before)):
            continue  # "The start-up, founded in 2019": a participle's phrase, no verb of the sentence's own
        if len(re.sub(r"^[^,]{1,40},\s", "", head).split()) < shortest + 1:
            continue  # "On Monday, tickets go": a short head may have lost its verb's other words
        cuts.append(_tidy(head))
    return sorted(dict.fromkeys(cuts), key=lambda cut: -len(cut.split()))
