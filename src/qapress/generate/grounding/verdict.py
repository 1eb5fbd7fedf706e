"""The verdict on one claim: supported (with the source span that says it), unsupported (with the
reason), or unverified (the check cannot tell; the editor decides).

A fact (a number, a date, a name) supports a claim only where the source says it about the same thing: the
source sentence holding it must share the claim's words around it. Polarity, hedges, direction, roles,
who-did-what-to-whom and quotations are compared with the source sentence that says most of the claim.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from qapress.generate import patterns as p
from qapress.generate.grounding import (
    ages,
    alignment,
    attribution,
    comparison,
    date_spans,
    frames,
    lexicon,
    numbers,
    polarity,
    quotes,
    scales,
    stated_amounts,
    transfers,
)
from qapress.generate.grounding.claims import Claim, asks_yes_no
from qapress.generate.grounding.entities import PERSON, RANKS, Entity, demonyms_in, entities, same_name
from qapress.generate.grounding.source_index import NameRecord, SourceIndex, SourceSentence

SUPPORTED, UNSUPPORTED, UNVERIFIED = "supported", "unsupported", "unverified"
#: Share of a claim's content words the source must say near each other for it to count as said.
MIN_COVERAGE = 0.5
_MONTH = re.compile(rf"\b(?:{p.MONTHS.replace(chr(92) + '.', '')})\b(?:\s+(\d{{1,2}})\b)?")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+(?:{p.MONTHS.replace(chr(92) + '.', '')})\b")
_WEEKDAY = re.compile(rf"\b(?:{p.WEEKDAYS})\b")
_DAY_OF_MONTH = re.compile(
    rf"(?:{p.MONTHS.replace(chr(92) + '.', '')})\s+\d{{1,2}}\b(?!,?\d)|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{p.MONTHS.replace(chr(92) + '.', '')})\b"
)
_PRESUPPOSING = re.compile(
    r"^(?:why|how\s+(?:did|does|do|was|were|is|are|has|have|had|will))\b", re.IGNORECASE
)
#: "Who is buying Hartwell's?", "How many passengers were injured?", "Which officials did the inquiry
#: name?": a question about who did an act, or how many did, takes it for granted that someone did. Only
#: a question with an act of its own (a verb that is not "be", "have", "do") is read so: "Who is
#: involved?", "Which warnings are in force?" ask who or which there are.
_ACT_QUESTION = re.compile(
    r"^(?:who|how\s+many\s+\w+)\s+(?:\w+\s+)?(?:did|does|do|was|were|is|are|has|have|had|will)\b"
    r"|^which\s+(?:\w+\s+){1,2}(?:did|does|do|has|have|had|will)\b",
    re.IGNORECASE,
)
_SEASON = re.compile(rf"\b(?:{p.SEASONS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class ClaimCheck:
    """One claim, its verdict, why, and the source sentences that support it (or came closest)."""

    text: str
    part: str
    verdict: str
    reasons: list[str] = field(default_factory=list)
    source_span: str = ""
    #: The slots aligned with the source (``role: claim words = source words``) when supported.
    slots: list[str] = field(default_factory=list)


def _plain(text: str) -> str:
    """Text compared as words: lower case, quotes and punctuation at the ends gone, spaces collapsed."""
    text = re.sub(r"[“”\"‘’']", "", text.lower())
    return " ".join(text.split()).strip(" .,;:!?")


def _near(text: str, start: int, end: int, reach: int = 60) -> set[str]:
    window = text[max(0, start - reach) : start] + " " + text[end : end + reach]
    return polarity.content_lemmas(re.sub(r"\d[\d,.]*", " ", window))


def _beside(text: str, start: int, end: int, reach: int = 3) -> set[str]:
    """The content lemmas of the few words on each side of a number, within its clause."""
    before = (polarity.clauses(" " + text[:start] + " ") or [""])[-1]
    after = (polarity.clauses(" " + text[end:] + " ") or [""])[0]
    left = polarity.tokens(before)[-reach:]
    right = polarity.tokens(after)[:reach]
    return {lemma for t in left + right if t.content or t.word.lower() in _SLOT_WORDS for lemma in t.lemmas}


#: Stopwords that still tell one figure of a sentence from another ("a further 3%", "next year").
_SLOT_WORDS = {"further", "next", "last", "more", "new", "other", "another", "extra", "still", "now"}


def _shares(context: set[str], sentence: SourceSentence, index: SourceIndex, after: int = 1) -> bool:
    """Whether the source says a fact where it says the claim's words around it. Words the source never
    uses cannot tell (the coverage step judges them); words it uses elsewhere only must be near the fact."""
    context = lexicon.with_synonyms(context) & index.all_lemmas
    if not context:
        return True
    lemmas = set().union(*(s.lemmas for s in index.around(sentence.index, after)))
    return bool(context & lemmas)


def _shown(quantity: numbers.Quantity, original: str = "") -> str:
    """A number as the editor reads it in a reason: as the draft wrote it, and amounts by value too."""
    if quantity.kind == "money":
        sign = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(quantity.currency or "", "")
        value = f"{sign}{quantity.value:,.2f}".removesuffix(".00")
        lead = (
            re.escape(sign) + r"\s?\d[\d,.]*(?:\s?(?:thousand|million|billion|trillion|bn|mn|m|k)\b)?"
            if sign
            else ""
        )
        written = re.search(lead, original, re.IGNORECASE) if lead else None
        if written and written.group() != value:
            return f"amount '{written.group()}' ({value})"
        return f"amount '{value}'"
    return f"number {quantity.text!r}"


class _Check:
    def __init__(self, claim: Claim, index: SourceIndex) -> None:
        self.claim = claim
        self.index = index
        self.text = claim.statement
        self.normalized = numbers.normalize_numbers(self.text)
        self.reasons: list[str] = []
        self.undecided: list[str] = []
        self.consistent_opposites: set[str] = set()
        self.spans: list[int] = []
        self.meta = (
            attribution.sums_up_source(claim.text, index.credits)
            or attribution.quotes_source(claim.text, index.credits)
            or bool(lexicon.phrase_pattern("meta_phrases.txt").search(claim.text))
        )
        self.entities = entities(self.text, frozenset(index.names))
        #: "Rao said the traders ...": what Rao says is looked for where the source quotes Rao.
        said = re.match(
            r"^(?:[\w'’\-]+\s+){0,5}?(?P<who>[A-Z][\w'’\-]*)\s+(?:said|says|told|added|warned|insisted)\b",
            self.text,
        )
        self.speaker = said.group("who") if said else None
        self.pairs = polarity.lemma_pairs(self.text)
        self.alignment: alignment.Alignment | None = None
        #: Whether the claim tells an act (a verb with a participant) that alignment can read.
        self.has_predicate = False
        self.candidates: list[SourceSentence] = []
        #: Whether the source makes the claim's comparison the same way round (in its own words).
        self.comparison_agrees = False
        self.matched: list[tuple[numbers.Quantity, numbers.Quantity, int]] = []
        #: How many of the claim's figures are the source's figures worked out (a difference, a sum).
        self.differences = 0
        #: Whether a worked-out figure is a total less a stated part ("280 of the 420 will not").
        self.complements = False
        #: Whether a figure is the gap between two names' amounts the source states (who has more is
        #: then checked by the amounts, not by the order of the names).
        self.gap_stated = False
        entity_words = {lemma for e in self.entities for w in e.name.split() for lemma in lexicon.lemmas(w)}
        role_words = {
            lemma for e in self.entities for r in e.roles for w in r.split() for lemma in lexicon.lemmas(w)
        }
        # The words of a number ("56 percentage points") and of the arithmetic a claim does on the
        # source's figures ("more than", "in total") are checked by the number check, not looked up.
        # A unit's abbreviation right after its number ("11.4 km", "1.2 GW") is the number's, checked with it.
        units = "|".join(sorted((u for u in numbers.MEASURES if len(u) <= 3), key=len, reverse=True))
        figures = re.sub(
            rf"(?<=\d)\s?(?:{units})\b", lambda m: " " * len(m.group()), self.normalized, flags=re.IGNORECASE
        )
        for quantity in numbers.quantities(self.normalized):
            figures = (
                figures[: quantity.start] + " " * (quantity.end - quantity.start) + figures[quantity.end :]
            )
        figures = re.sub(r"(?<=\s)(?:percentage\s+points?|per\s*cent|percent|points?)\b", " ", figures)

        if numbers.quantities(self.normalized):
            figures = lexicon.phrase_pattern("difference_cues.txt").sub(" ", figures)
        # A word with several lemmas ("accepted": accepted, accept) is said when one of them is.
        self.content = (
            {
                lemma
                for token in polarity.tokens(figures)
                if token.content
                for lemma in (token.lemmas & index.all_lemmas or {min(sorted(token.lemmas), key=len)})
            }
            - entity_words
            - role_words
        )
        self.entity_words = entity_words
        self.content -= {lemma for d in demonyms_in(self.text) for lemma in lexicon.lemmas(d)}
        self.content -= {w.lower() for w in _WEEKDAY.findall(self.text)} | {
            m.group(0).split()[0].lower() for m in _MONTH.finditer(self.text)
        }

    # -- facts -------------------------------------------------------------------------------------
    def _ranked(self, exclude: set[str], words: set[str] | None = None) -> dict[int, int]:
        """Sentence -> how many of the claim's words (less ``exclude``) it and the sentence before say."""
        words = lexicon.with_synonyms(
            (self.content | self.entity_words if words is None else words) - exclude
        )
        scores: dict[int, int] = {}
        for s in self.index.sentences:
            lemmas = set(s.lemmas)
            if s.index:
                lemmas |= self.index.sentences[s.index - 1].lemmas
            scores[s.index] = len(words & lemmas)
        return scores

    def _where_said(
        self, candidates: list[int], exclude: set[str], words: set[str] | None = None
    ) -> int | None:
        """The candidate sentence that says the claim's other words (or ``words``, those around a fact)
        about as well as any sentence does."""
        scores = self._ranked(exclude, words)
        best = max(scores.values(), default=0)
        fitting = (
            [i for i in candidates if scores[i] >= max(1, min(0.6 * best, best - 1))] if best else candidates
        )
        return max(fitting, key=lambda i: scores[i]) if fitting else None

    def _counts_the_same(
        self, claimed: numbers.Quantity, found: numbers.Quantity, sentence: SourceSentence
    ) -> bool:
        """Whether a source number counts what the claim's number counts ("23 goals" is not "Quinlan, 23")."""
        if not claimed.unit or self.meta or {claimed.kind, found.kind} == {"ordinal", "duration"}:
            return True  # (the 78th minute is the clock's "78 min": equal only as minutes)
        unit = lexicon.with_synonyms(set(lexicon.lemmas(claimed.unit)))
        if found.unit and unit & lexicon.lemmas(found.unit):
            return True
        if found.unit in ("times", "time") and unit & _beside(sentence.normalized, found.start, found.end):
            return True  # "four rewrites" counts what "rewritten ... four times" counts
        mine, theirs = claimed.measure, found.measure
        if mine and theirs and mine[1] == theirs[1]:
            return True  # "1,100 grams" counts what "1.1 kilograms" counts
        if found.unit and lexicon.lemmas(found.unit) & {
            lemma for word in claimed.near for lemma in lexicon.lemmas(word)
        }:
            return True  # the noun the source's number counts heads the claim's phrase ("2nd night go")
        if any(unit & lexicon.lemmas(word) for word in found.near if word != "<end>"):
            return True
        if found.unit is None and "<end>" in found.near:
            # "Ampicillin alone stopped only four." counts what the sentence before it counts.
            return bool(unit & set().union(*(s.lemmas for s in self.index.around(sentence.index, 0))))
        return False

    def _around(self, start: int, end: int) -> set[str]:
        """The claim's words around a fact, names included: what the fact is said about."""
        words = _near(self.normalized, start, end, 50)
        names = [e for e in self.entities if abs(e.start - start) <= 60]
        return words | {lemma for e in names for w in e.name.split() for lemma in lexicon.lemmas(w)}

    def _same_thing(
        self, quantity: numbers.Quantity, counted: list[tuple[numbers.Quantity, SourceSentence]]
    ) -> int | None:
        """Where a claim draws on two sentences ("29 of the 37 strains"), a number counting the very noun
        the source's number counts, or a year said with one of the claim's words, is the source's."""
        for found, sentence in counted:
            if quantity.unit and found.unit and lexicon.lemmas(quantity.unit) & lexicon.lemmas(found.unit):
                return sentence.index
            if quantity.kind == "year" and self._around(quantity.start, quantity.end) & sentence.lemmas:
                return sentence.index
        return None

    def quantities(self) -> None:
        claimed = numbers.quantities(self.normalized)
        every = [(q, s) for s in self.index.sentences for q in s.quantities]
        inside = [(e.start, e.end) for e in entities(self.normalized)]
        for quantity in claimed:
            if any(a <= quantity.start < b for a, b in inside) or (
                quantity.kind != "year"
                and not re.fullmatch(r"\d{4}", quantity.text)
                and _DAY_OF_MONTH.search(self.normalized[max(0, quantity.start - 12) : quantity.end + 12])
            ):
                # A number inside a name ("Heat 2") or a day of a month (checked as a date); the year of
                # a date ("3 August 1941") is checked as a year.
                continue
            if _partitive_one(self.normalized, quantity):
                continue
            equal = [(q, s) for q, s in every if q.same_as(quantity)]
            unit = set(lexicon.lemmas(quantity.unit)) if quantity.unit else set()
            counted = [(q, s) for q, s in equal if self._counts_the_same(quantity, q, s)]
            if self.meta and equal:
                continue
            where = self._where_said(
                [s.index for _, s in counted], unit, self._around(quantity.start, quantity.end)
            )
            if where is None:
                where = self._same_thing(quantity, counted)
            if where is not None:
                found = next(q for q, s in counted if s.index == where)
                other = self._other_slot(quantity, found, self.index.sentences[where])
                if other is not None:
                    self.reasons.append(
                        f"{_shown(quantity, self.text)} is in the source, but for something else, not for"
                        f" this (the source says {other.text} there): “{self.index.sentences[where].text[:120]}”"
                    )
                    continue
                self.spans.append(where)
                self.matched.append((quantity, found, where))
                continue
            if self._age(quantity):
                continue
            gap = self._stated_gap(quantity)
            if gap is not None:
                if gap:
                    self.differences += 1
                continue
            if self._time_span(quantity) or self._dated_span(quantity):
                self.differences += 1
                continue
            if self._difference(quantity):
                self.differences += 1
                continue
            if equal:
                q, s = (counted or equal)[0]
                what = f"“{q.unit}”" if q.unit and not counted else "something else"
                self.reasons.append(
                    f"{_shown(quantity, self.text)} is in the source, but for {what}, not for this: “{s.text[:120]}”"
                )
                continue
            self.reasons.append(f"{_shown(quantity, self.text)} is not in the source")

    def _stated_gap(self, quantity: numbers.Quantity) -> bool | None:
        """Whether the figure is the gap between two names' amounts that the source states apart
        (True), the gap told the other way round (False, with the reason), or neither (None)."""
        gap = stated_amounts.claimed_gap(
            self.normalized, quantity, entities(self.normalized, frozenset(self.index.names))
        )
        if gap is None:
            return None
        found = stated_amounts.stated(
            gap,
            [(s.index, s.normalized, s.lemmas, s.quantities) for s in self.index.sentences],
        )
        if found is None:
            return None
        self.spans.extend(found.sentences)
        if found.agrees:
            self.gap_stated = True
            return True
        self.reasons.append(
            f"reversed comparison: the source gives {gap.smaller} {found.larger.text} and {gap.larger}"
            f" {found.smaller.text}, the other way round: “{self.index.sentences[found.sentences[0]].text[:100]}”"
        )
        return False

    def _time_span(self, quantity: numbers.Quantity) -> bool:
        """Whether a length of time is the span between two clock times the source gives where it says
        the claim ("between 6am and 8pm" runs 14 hours; "set out at 9am ... called at 5.40pm" is eight
        hours and 40 minutes later), overnight spans included ("from 10pm to 6am")."""
        if quantity.kind == "count" and quantity.unit in ("hour", "hours"):
            minutes = quantity.value * 60  # "8.5 hours" (whole hours are a duration already)
        elif quantity.kind == "duration":
            minutes = quantity.value
        else:
            return False
        for sentence_index in self._best(3):
            near = self.index.around(sentence_index)
            times = [(q, s.index) for s in near for q in s.quantities if q.kind == "time"]
            for n, (first, where) in enumerate(times):
                for second, _ in times[n + 1 :]:
                    gap = abs(second.value - first.value)
                    if minutes in (gap, 24 * 60 - gap):
                        self.spans.append(where)
                        return True
        return False

    def _dated_span(self, quantity: numbers.Quantity) -> bool:
        """Whether a count of days, weeks or months is the span between two dates the source gives, or
        the days a dated range covers, where the claim tells a span ("ten days after", "ran for ten
        days")."""
        if quantity.kind != "count" or not quantity.unit:
            return False
        unit = next((u for u in ("day", "week", "month") if u in lexicon.lemmas(quantity.unit)), None)
        if unit is None or not _SPAN_CUE.search(self.normalized):
            return False
        # Both dates must be of the claim's events: of the sentences that say most of it. (The years
        # a date leaves out are read from the whole text before it.)
        told = sorted({s.index for i in self._best(4) for s in self.index.around(i)})
        for n, first in enumerate(told):
            for second in told[n:]:
                pair = {first, second}
                # the years before each sentence, then the two sentences: their dates and spans
                years = " ".join(
                    sorted(
                        set(_YEARS.findall(" ".join(s.text for s in self.index.sentences[: min(pair) + 1])))
                    )
                )
                text = years + " " + " ".join(self.index.sentences[i].text for i in sorted(pair))
                if quantity.value in date_spans.spans(text, unit):
                    self.spans.extend(sorted(pair))
                    return True
        return False

    def _age(self, quantity: numbers.Quantity) -> bool:
        """Whether the figure is someone's age (or the gap between two people's ages) that the source
        gives by the apposition after their names ("Pell, 58,")."""
        told = ages.claimed(self.normalized, quantity.start)
        if told is None:
            return False
        stated = [(age, s.index) for s in self.index.sentences for age in ages.stated(s.normalized)]
        where = ages.supported(told, stated)
        if where is None:
            return False
        self.spans.append(where)
        self.differences += told.other is not None
        # "years old" and "older than his daughter" are the age's own words, told by the figure itself.
        said = {"year", "old", "older", "young", "younger"}
        if told.other is not None and not told.other[:1].isupper():
            said |= polarity.content_lemmas(told.other)
        self.content -= said
        return True

    def swapped_figures(self) -> None:
        """Two figures of one source sentence told each in the other's place ("41 flood warnings and 23
        alerts" where the source has 23 warnings and 41 alerts, "four trackers instead of three"): the
        words that tell each of the claim's figures from the other stand beside the other in the source."""
        if self.meta or self.reasons:
            return
        for n, (a, found_a, where) in enumerate(self.matched):
            for b, found_b, other_where in self.matched[n + 1 :]:
                if other_where != where or a.kind != b.kind or a.same_as(b) or found_a is found_b:
                    continue
                text = self.index.sentences[where].normalized
                mine_a = _beside(self.normalized, a.start, a.end)
                mine_b = _beside(self.normalized, b.start, b.end)
                theirs_a = _beside(text, found_a.start, found_a.end)
                theirs_b = _beside(text, found_b.start, found_b.end)
                only_a, only_b = mine_a - mine_b, mine_b - mine_a
                if (
                    only_a & theirs_b
                    and only_b & theirs_a
                    and not only_a & theirs_a
                    and not only_b & theirs_b
                ):
                    self.reasons.append(
                        f"reversed figures: the source has {found_a.text} and {found_b.text} the other way"
                        f" round: “{self.index.sentences[where].text[:100]}”"
                    )
                    return

    def _other_slot(
        self, quantity: numbers.Quantity, found: numbers.Quantity, sentence: SourceSentence
    ) -> numbers.Quantity | None:
        """Another figure of the same sentence that stands where the claim's figure stands ("a further
        4% next January" where the source has "a further 3% next January, up from the 4% first
        proposed"): the claim's words right around its number are that figure's, none of its own."""
        if self.meta:
            return None
        mine = _beside(self.normalized, quantity.start, quantity.end)
        if len(mine) < 2:
            return None
        theirs = len(mine & _beside(sentence.normalized, found.start, found.end))
        if theirs:
            return None
        for other in sentence.quantities:
            same_slot = other.kind == found.kind and other.value != found.value and other.unit == found.unit
            if same_slot and len(mine & _beside(sentence.normalized, other.start, other.end)) >= 2:
                return other
        return None

    def _difference(self, quantity: numbers.Quantity) -> bool:
        """Whether the source states ``quantity`` as the difference or sum of two of its figures: near the
        claim for counts (small numbers meet by chance), anywhere for amounts and shares."""
        if quantity.kind not in ("count", "money", "percent", "times", "duration", "fraction"):
            return False
        cued = lexicon.phrase_pattern("difference_cues.txt").search(self.text) or re.search(
            r"\bof\s+the\s+[$€£¥]?\d|\bby\s+(?:about\s+|around\s+|some\s+)?[$€£¥]?\d|\bin all\b(?!\s+(?:the|of|its|their|these|those|[a-z]+s)\b)"
            # a span of years between two dates the source gives ("for 45 years", "11 years before")
            r"|\bfor\s+(?:about\s+|nearly\s+|almost\s+|more\s+than\s+)?\d+\s+years\b"
            r"|\b\d+\s+years\s+(?:before|after|later|earlier)\b"
            # a part of a whole ("5 of the album's songs", "8 of its 37 strains"): the rest of a stated part
            r"|\b\d[\d,.]*\s+of\s+(?:the|its|their|his|her)\b",
            self.normalized,
            re.IGNORECASE,
        )
        if not cued:
            return quantity.value >= 10 and self._stated_pair(quantity, strict=True)
        if quantity.kind == "count" and quantity.unit in ("year", "years"):
            return self._years_between(quantity)
        if quantity.kind in ("money", "percent", "fraction"):
            pool = [q for s in self.index.sentences for q in s.quantities]
            if numbers.differences(pool, quantity):
                return True
        for sentence_index in self._best(3):
            near = [q for s in self.index.around(sentence_index) for q in s.quantities]
            if numbers.differences(near, quantity):
                self.spans.append(sentence_index)
                return True
        if self._own_noun_difference(quantity):
            return True
        return self._stated_pair(quantity)

    def _own_noun_difference(self, quantity: numbers.Quantity) -> bool:
        """Whether two counts of the claim's own noun, wherever the source gives them, differ or sum
        to the claim's figure ("236 fewer pupils than it was built for" from "built for 450 pupils"
        and, sentences away, "its 214 pupils"): the noun ties both to what the claim counts. A length
        or a weight counts so in any of its units; spans of time only in the claim's own unit (a
        story holds many spans)."""
        mine = quantity.measure
        if quantity.kind != "count" or not quantity.unit or (mine and mine[1] == "minute"):
            return False
        unit = lexicon.with_synonyms(set(lexicon.lemmas(quantity.unit)))

        def counts_it(found: numbers.Quantity) -> bool:
            if found.kind != "count" or not found.unit:
                return False
            theirs = found.measure
            if mine and theirs and mine[1] == theirs[1]:
                return True
            return bool(unit & lexicon.lemmas(found.unit))

        pool = [(q, s.index) for s in self.index.sentences for q in s.quantities if counts_it(q)]
        pair = numbers.differences([q for q, _ in pool], quantity)
        if pair is None:
            return False
        self.spans.extend(i for q, i in pool if q in pair)
        return True

    def _stated_pair(self, quantity: numbers.Quantity, strict: bool = False) -> bool:
        """A figure the source states as two amounts of one thing in one sentence ("1,412 pupils, up
        from 1,150"), or as a total the claim gives less a part the source gives ("of the 420 homes,
        140 ..." makes 280 the rest): the two amounts must count the same thing as the claim's figure,
        and the sentence must say what the claim's figure counts. ``strict`` (no word of the claim
        says it works a figure out): both amounts in the sentence, each counting the claim's noun."""
        if strict and not quantity.unit:
            return False
        unit = lexicon.with_synonyms(set(lexicon.lemmas(quantity.unit))) if quantity.unit else set()
        around = self._around(quantity.start, quantity.end) - {"<end>"}
        totals = [found for _, found, _ in self.matched]
        for sentence in self.index.sentences:
            told = unit & sentence.lemmas if unit else around & sentence.lemmas
            if not told:
                continue
            pool = [
                q
                for q in sentence.quantities + totals
                if q.kind == quantity.kind
                and (not unit or not q.unit or unit & lexicon.lemmas(q.unit) or q in totals)
            ]
            pair = numbers.differences(pool, quantity)
            if pair is None or all(q in totals for q in pair):
                continue
            if strict and (
                any(q in totals for q in pair)
                or not all(q.unit and unit & lexicon.lemmas(q.unit) for q in pair)
            ):
                continue
            self.spans.append(sentence.index)
            self.complements = any(q in totals for q in pair)
            return True
        return False

    def _events_apart(self, quantity: numbers.Quantity) -> bool | None:
        """Whether the source dates the claim's two events ("A 13 years before B") that many years apart,
        wherever it dates each: True, False (with the reason) when it dates them the other way round,
        None when it does not date both."""
        dated = []
        for sentence in self.index.sentences:
            for found in sentence.quantities:
                if found.kind != "year":
                    continue
                before = (polarity.clauses(" " + sentence.normalized[: found.start] + " ") or [""])[-1]
                after = (polarity.clauses(" " + sentence.normalized[found.end :] + " ") or [""])[0]
                words = {
                    lemma for t in polarity.tokens(before + " " + after) if t.content for lemma in t.lemmas
                }
                dated.append(stated_amounts.Dated(found.value, sentence.index, frozenset(words)))

        def lemmas(text: str) -> set[str]:
            return lexicon.with_synonyms(
                {lemma for t in polarity.tokens(text) if t.content for lemma in t.lemmas} - {"year"}
            )

        read = stated_amounts.years_apart(self.normalized, quantity, dated, lemmas)
        if read is None:
            return None
        agrees, first, second = read
        self.spans.extend((first.sentence, second.sentence))
        if not agrees:
            self.reasons.append(
                f"reversed order of events: the source dates them {int(first.year)} and {int(second.year)},"
                f" the other way round: “{self.index.sentences[second.sentence].text[:100]}”"
            )
        return True

    def _years_between(self, quantity: numbers.Quantity) -> bool:
        """Whether the source dates two events of the claim that many years apart ("married in 1970; he
        died in 2015": married for 45 years). Each year must sit in a clause that says one of the claim's
        words, and not the same clause: two years the sentences merely hold prove nothing."""
        apart = self._events_apart(quantity)
        if apart is not None:
            return apart
        words = lexicon.with_synonyms(self.content | self.entity_words)
        dated: list[tuple[float, int, str, bool]] = []
        for sentence_index in self._best(3):
            for sentence in self.index.around(sentence_index):
                for found in sentence.quantities:
                    if found.kind != "year":
                        continue
                    before = (polarity.clauses(" " + sentence.normalized[: found.start] + " ") or [""])[-1]
                    after = (polarity.clauses(" " + sentence.normalized[found.end :] + " ") or [""])[0]
                    clause = before + " " + after
                    lemmas = {lemma for t in polarity.tokens(clause) for lemma in t.lemmas}
                    dated.append((found.value, sentence.index, clause.strip(), bool(words & lemmas)))
        for value, where, clause, told in dated:
            for other, other_where, other_clause, other_told in dated:
                # Two dates of one sentence are one story ("married in 1970; he died in 2015"); dates of
                # two sentences must both be of the claim's events.
                tied = told and (other_told or other_where == where)
                if tied and clause != other_clause and abs(value - other) == quantity.value:
                    self.spans.append(where)
                    return True
        return False

    def dates(self) -> None:
        for regex, label in ((_MONTH, "date"), (_WEEKDAY, "date"), (_SEASON, "date")):
            for match in regex.finditer(self.text):
                word = match.group(0)
                if (
                    regex is _MONTH
                    and word.startswith("May")
                    and not match.group(1)
                    and not re.search(
                        r"\b(?:in|on|of|since|until|by|from|early|late|mid|last|next)\s+$",
                        self.text[: match.start()],
                    )
                ):
                    continue  # "May" is the month only where a date would stand
                if (
                    regex is _SEASON
                    and word.lower() == "fall"
                    and not re.search(
                        r"\b(?:in|of|since|until|by|from|early|late|mid|last|next|this|the)\s+$",
                        self.text[: match.start()],
                        re.IGNORECASE,
                    )
                ):
                    continue  # "fall" is the season only where a date would stand, else the verb
                day = match.group(1) if regex is _MONTH else None
                if regex is _MONTH and not day:
                    # "on 14 March", "the 3rd of May": the day written before the month
                    before = re.search(
                        r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?$", self.text[: match.start()]
                    )
                    day = before.group(1) if before else None
                month = word.split()[0]
                if day and not match.group(1) and regex is _MONTH:
                    word = f"{day} {month}"
                found = []
                for s in self.index.sentences:
                    if not re.search(
                        rf"\b{re.escape(month)}\b", s.text, re.IGNORECASE if regex is _SEASON else 0
                    ):
                        continue
                    if day and not re.search(
                        rf"\b{month}\s+{day}\b|\b{day}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}\b", s.text
                    ):
                        continue
                    found.append(s)
                following = {i + 1 for s in found for i in [s.index] if i + 1 < len(self.index.sentences)}
                near = self._around(match.start(), match.end())
                where = (
                    None
                    if self.meta
                    else self._where_said(sorted({s.index for s in found} | following), {month.lower()}, near)
                )
                if where is None and not self.meta:
                    # A figure said right beside the date in both ("3% in January", "a further 3% next
                    # January") ties the date to the same thing.
                    beside = numbers.quantities(
                        numbers.normalize_numbers(self.text[max(0, match.start() - 25) : match.end() + 10])
                    )
                    where = next(
                        (
                            s.index
                            for s in found
                            if any(q.same_as(theirs) for q in beside for theirs in s.quantities)
                        ),
                        None,
                    )
                if found and (self.meta or where is not None):
                    self.spans.append(where if where is not None else found[0].index)
                elif found:
                    self.reasons.append(
                        f"{label} {word!r} is in the source, but not for this: “{found[0].text[:120]}”"
                    )
                else:
                    self.reasons.append(f"{label} {word!r} is not in the source")

    def names(self) -> None:
        for entity in self.entities:
            if _nationality(entity.name):
                continue  # "Icelandic", "Nigerian-born": a nationality word, checked as one below
            records = self.index.records_for(entity.name)
            if not records and re.search(
                rf"(?<![\w-]){re.escape(entity.name.lower())}(?![\w-])", self.index.text
            ):
                continue  # an ordinary word the draft capitalizes ("Pre-tax profit fell")
            if not records:
                if re.search(rf"(?<![\w-]){re.escape(entity.name.lower())}(?![\w-])", self.index.lower) and (
                    lexicon.is_dictionary_word(entity.name.split()[0]) or len(entity.name.split()) > 1
                ):
                    continue  # a title-case ordinary phrase the source writes in lower case
                if any(entity.name in places for places in lexicon.demonyms().values()) and any(
                    entity.name in lexicon.demonyms().get(d, ()) for d in self.index.demonyms
                ):
                    continue
                self.reasons.append(f"name {entity.name!r} is not in the source")
                continue
            self._name_for_this(entity, records)
            self._kind(entity, records)
            self._roles(entity, records)
        self._birthplace()
        for word in demonyms_in(self.text):
            places = lexicon.demonyms()[word]
            if word in self.index.demonyms or any(
                re.search(rf"\b{re.escape(pl)}\b", self.index.text) for pl in places
            ):
                continue
            if not any(word in e.name and not _nationality(e.name) for e in self.entities):
                self.reasons.append(
                    f"nationality {word!r}: the source names neither it nor {sorted(places)[0]}"
                )

    def _birthplace(self) -> None:
        """Where the claim says someone was born ("born in Italy", "Italian-born") against the "-born"
        word the source gives them in the sentences that name them ("an Argentine-born engineer")."""
        told = _BORN_IN.search(self.text)
        if told:
            place = told.group(1)
            claimed = {d for d, places in lexicon.demonyms().items() if place in places}
        else:
            compound = _BORN_WORD.search(self.text)
            if compound is None or compound.group(1) not in lexicon.demonyms():
                return
            claimed = {compound.group(1)}
        if not claimed:
            return
        for entity in self.entities:
            if _nationality(entity.name) or (told and entity.name == told.group(1)):
                continue
            sentences = {i for _, record in self.index.records_for(entity.name) for i in record.sentences}
            given: set[str] = set()
            surname = re.escape(entity.name.split()[-1])
            for i in sentences:
                text = self.index.sentences[i].text
                for named in re.finditer(rf"\b{surname}\b", text):
                    # the "-born" word next to the name ("Tongan-born wing Sione Fakatava", "Gallo, an
                    # Italian-born engineer"), or "who was born in Nigeria" after it
                    near = (
                        text[max(0, named.start() - 45) : named.start()]
                        + " "
                        + text[named.end() : named.end() + 50]
                    )
                    given |= {
                        m.group(1) for m in _BORN_WORD.finditer(near) if m.group(1) in lexicon.demonyms()
                    }
                    where = _BORN_IN.search(text[named.end() : named.end() + 60])
                    if where:
                        given |= {d for d, places in lexicon.demonyms().items() if where.group(1) in places}
            if given and not given & claimed:
                self.reasons.append(
                    f"the source calls {entity.name!r} {'/'.join(sorted(given))}-born, not born where the claim says"
                )
                return

    def _name_for_this(self, entity: Entity, records: list[tuple[str, NameRecord]]) -> None:
        if self.meta or any(
            same_name(entity.name, s) or same_name(s, entity.name) for s in self.index.subjects
        ):
            return
        if len(self.entities) >= 3 and re.search(r",[^,]*\band\b", self.text):
            return  # a list of names ("A, B, C and D have been linked") sums up several sentences
        own = {lemma for word in entity.name.split() for lemma in lexicon.lemmas(word)}
        sentences = sorted({i for _, record in records for i in record.sentences})
        if not (self.content - own):
            return
        # What a person says next ("He estimated ...", a quotation) goes on about them for two sentences.
        reach = sorted({j for i in sentences for j in range(i, min(i + 3, len(self.index.sentences)))})
        where = self._where_said(reach, own, self.content)
        if where is not None:
            self.spans.append(where)
        elif sentences:
            self.reasons.append(
                f"name {entity.name!r} is in the source, but not for this: “{self.index.sentences[sentences[0]].text[:120]}”"
            )

    def _kind(self, entity: Entity, records: list[tuple[str, NameRecord]]) -> None:
        kinds = set().union(*(record.kinds for _, record in records))
        if entity.kind and entity.typed_by_context and kinds and entity.kind not in kinds:
            self.reasons.append(
                f"{entity.name!r} is a {'/'.join(sorted(kinds))} in the source, not a {entity.kind}"
            )

    def _roles(self, entity: Entity, records: list[tuple[str, NameRecord]]) -> None:
        known = set().union(*(record.roles for _, record in records))
        sentences = {i for _, record in records for i in record.sentences}
        for role in entity.roles:
            role_lemmas = {lemma for w in role.split() for lemma in lexicon.lemmas(w)}
            if any(
                role_lemmas <= {lemma for w in k.split() for lemma in lexicon.lemmas(w)}
                and not (set(k.split()) & RANKS) - set(role.split())
                for k in known
            ):
                continue  # the source's post, less no rank ("deputy editor" is not "editor")
            if any(
                re.search(rf"\b{re.escape(role)}\b", self.index.sentences[i].text, re.IGNORECASE)
                and not known
                for i in sentences
            ):
                continue
            if _agent_noun_told(role, [self.index.sentences[i] for i in sentences]):
                continue
            said = f"; the source calls them {', '.join(sorted(known))}" if known else ""
            self.reasons.append(f"the source does not call {entity.name!r} {role!r}{said}")

    # -- the sentence that says it ------------------------------------------------------------------
    def _best(self, count: int = 1) -> list[int]:
        scored = []
        content = lexicon.with_synonyms(self.content)
        for s in self.index.sentences:
            overlap = len(content & s.lemmas)
            names = sum(
                1
                for e in self.entities
                if any(same_name(e.name, k.name) or same_name(k.name, e.name) for k in s.entities)
                or (
                    self.speaker is not None
                    and same_name(self.speaker, e.name)
                    and any(q.speaker and same_name(e.name, q.speaker) for q in s.quotations)
                )
            )
            together = len(self.pairs & s.pairs) if overlap and len(self.content) >= 3 else 0
            scored.append((overlap + 1.5 * names + 0.5 * together, -s.index))
        ranked = sorted(scored, reverse=True)
        return [-i for score, i in ranked[:count] if score > 0]

    def window(self) -> tuple[list[SourceSentence], float]:
        best = self._best(1)
        if not best:
            return [], 0.0
        first = best[0]
        candidates = [[first]]
        if first + 1 < len(self.index.sentences):
            candidates.append([first, first + 1])
        if first > 0:
            candidates.append([first - 1, first])
        # What a speaker says goes on in the quotations after the sentence that names them.
        following = [
            i
            for i in range(first + 1, min(first + 3, len(self.index.sentences)))
            if re.match(r"\s*[\"“‘']", self.index.sentences[i].text)
        ]
        if len(following) == 2:
            candidates.append([first, *following])
        chosen: list[SourceSentence] = []
        coverage = 0.0
        for group in candidates:
            sentences = [self.index.sentences[i] for i in group]
            lemmas = set().union(*(s.lemmas for s in sentences))
            # "lost to" says what "beat" says, told from the other side (the relation check reads the order)
            lemmas |= {
                word
                for word in self.content
                if any(polarity.converse(word, o) for o in lexicon.antonyms().get(word, ()) if o in lemmas)
            }
            share = len(self.content & lemmas) / len(self.content) if self.content else 1.0
            if share > coverage + 0.15 or not chosen:
                chosen, coverage = sentences, share
        return chosen, coverage

    def relations(self, window: list[SourceSentence], coverage: float) -> None:
        if not window or coverage < 0.34 or self.meta:
            return
        # The source's own words (a sentence, or its headline with a heading's tail such as ": what we know"):
        # no relation of theirs can be reversed.
        said, headline = _plain(self.text), _plain(self.index.document.title)
        if len(said.split()) >= 4 and any(said in _plain(s.text) for s in window):
            return
        if len(headline.split()) >= 4 and headline in said:
            return
        source = " ".join(s.text for s in window)
        claim = self.text
        shared = self.content & set().union(*(s.lemmas for s in window))
        said_quotes = quotes.quotations(claim, [], None)
        if said_quotes and not self.reasons and all(len(quotes.pieces(q.text)) == 1 for q in said_quotes):
            # A quotation the quote check found word for word is the speaker's, negations and all; what
            # else the speaker said around it ("I do not want to tear it down") is not the claim's.
            for quotation in said_quotes:
                claim = claim.replace(quotation.text, " ")
            shared &= polarity.content_lemmas(claim)
        claim_negated = polarity.negated_lemmas(claim) & shared
        source_negated = polarity.negated_lemmas(source) & shared
        antonyms = lexicon.antonyms()
        claim_lemmas = polarity.content_lemmas(claim) | {
            lemma for t in polarity.tokens(claim) for lemma in t.lemmas
        }
        source_lemmas = {lemma for t in polarity.tokens(source) for lemma in t.lemmas}
        if not self.claim.yes_no:
            for lemma in sorted(claim_negated ^ source_negated):
                other = source if lemma in claim_negated else claim
                if lemma in claim_negated and (self.complements or self.differences):
                    continue  # "8 of the 37 failed" is what "29 of the 37 passed" leaves
                if any(
                    lemma in polarity.content_lemmas(clause) and polarity.is_negative(clause)
                    for clause in polarity.clauses(other)
                ):
                    continue  # both sides are negative, about different words ("no date has been set")
                if lemma in claim_negated and antonyms.get(lemma, frozenset()) & source_lemmas:
                    continue
                if lemma in source_negated and antonyms.get(lemma, frozenset()) & claim_lemmas:
                    continue
                where = "the claim" if lemma in claim_negated else "the source"
                self.reasons.append(f"polarity: {where} negates “{lemma}” and the other does not")
                break
            if not self.reasons:
                self._denied(claim, window)
            sides = polarity.stances(source)
            for verb, side in sorted(polarity.stances(claim) - sides):
                other = "for" if side == "against" else "against"
                if (verb, other) in sides:
                    self.reasons.append(f"polarity: the claim has it {side}, the source {other}")
                    break
            swapped = None if self.gap_stated else self._swapped(window)
            opposites = polarity.antonym_conflicts(claim, source)
            # With a converse verb ("lost to" for "beat", "sold to" for "bought from") a turned-round
            # order is the same fact; an opposite that is no converse ("refused" for "approved") is a
            # contradiction whichever way round the participants stand.
            turned_by_converse = swapped and any(polarity.converse(a, b) for a, b in opposites)
            if not swapped or (opposites and not turned_by_converse):
                for mine, theirs in opposites:
                    if mine not in self.consistent_opposites:
                        self.reasons.append(f"the claim says “{mine}” where the source says “{theirs}”")
                        break
                self.direction(claim, source)
            elif swapped and not opposites:
                self.reasons.append(f"reversed relation: the source has {swapped}")
            self._called_off(window)
            self._not_until(window)
            self._again(window)
            for before, after in polarity.from_to(numbers.normalize_numbers(claim)):
                for b2, a2 in polarity.from_to(numbers.normalize_numbers(source)):
                    if before == a2 and after == b2:
                        self.reasons.append(f"reversed change: the source goes from {b2} to {a2}")
            if not any(r.startswith("reversed change") for r in self.reasons):
                # The same read by the figures, whatever stands between them ("from 2.4 in 2000 to 1.6
                # now", "to 18%, down from 31%", "from 1 hour 52 minutes to 1 hour 41").
                told = numbers.changes(numbers.normalize_numbers(source))
                for first, last in numbers.changes(numbers.normalize_numbers(claim)):
                    turned = [(a, b) for a, b in told if first.same_as(b) and last.same_as(a)]
                    kept = any(first.same_as(a) and last.same_as(b) for a, b in told)
                    if turned and not kept:
                        a, b = turned[0]
                        self.reasons.append(f"reversed change: the source goes from {a.text} to {b.text}")
                        break
        self.hedge(window)

    def _again(self, window: list[SourceSentence]) -> None:
        """ "Shelved again", "lost money again": "again" says it happened before, so the source must tell a
        repeat ("again", "once more", "for a second time", "another") where it tells the act."""
        text = self.text
        for quotation in quotes.quotations(text, [], None):
            text = text.replace(quotation.text, " ")
        if not re.search(r"\bagain\b", text, re.IGNORECASE) or self.reasons:
            return
        if _RESTORED.search(text):
            return  # "be working again", "open again": a state restored, no act told twice
        told = window + [s for i in self._best(3) for s in self.index.around(i)]
        # The repeat must be of the claim's act: the words just before its "again" ("closed again")
        # stand around the source's cue ("flooded again in June" repeats no closure).
        again = re.search(r"\bagain\b", text, re.IGNORECASE)
        act = lexicon.with_synonyms(
            polarity.content_lemmas(" ".join(text[: again.start()].split()[-4:])) if again else set()
        )

        def repeats(sentence: SourceSentence) -> bool:
            for cue in _REPEAT.finditer(sentence.text):
                around = sentence.text[: cue.start()].split()[-5:] + sentence.text[cue.end() :].split()[:5]
                if not act or act & polarity.content_lemmas(" ".join(around)):
                    return True
            return False

        if not any(repeats(s) for s in told):
            self.reasons.append(
                "the claim says it happened again; the source does not tell it happening before"
            )

    def _not_until(self, window: list[SourceSentence]) -> None:
        """ "Not until 2028" says it happens in 2028 or after: a claim that it happens before then, or by
        then, says the opposite."""
        mine = re.search(
            r"\b(?:before|by|ahead\s+of)\s+(?P<when>[A-Z][a-z]+(?:\s+\d{4})?|\d{4})\b", self.claim.text
        )
        if mine is None or polarity.is_negative(self.claim.text):
            return
        for sentence in window:
            theirs = re.search(
                rf"\b(?:not|n[’']t|never)\b[^.;]*?\buntil\s+(?:at\s+least\s+)?{re.escape(mine.group('when'))}\b",
                sentence.text,
            )
            if theirs:
                self.reasons.append(
                    f"the source says not until {mine.group('when')}, the claim {mine.group().split()[0]} it:"
                    f" “{sentence.text[:100]}”"
                )
                return

    def _denied(self, claim: str, window: list[SourceSentence]) -> None:
        """A positive claim whose things (its words but its verbs) a source clause tells under a
        negation with another verb ("was named in the squad" where he "was not included in the squad"):
        the source denies the act of them, in its own words."""
        if (
            polarity.is_negative(claim)
            or self.claim.question
            or self.differences
            or quotes.quotations(self.claim.text, [], None)
        ):
            return  # a quotation is checked word for word by the quote check
        verbs = {lemma for f in frames.frames(claim) for lemma in f.verb}
        things = self.content - verbs
        if len(things) < 2:
            return
        for sentence in window:
            for clause in polarity.clauses(sentence.text):
                cue = lexicon.phrase_pattern("negations.txt").search(clause)
                if cue is None:
                    continue
                # What the negation governs stands after it ("not included in the squad"): the claim's
                # things must be there, not before it ("run by volunteers and receives no funding").
                told = polarity.content_lemmas(clause)
                governed = polarity.content_lemmas(clause[cue.end() :])
                if (
                    len(things & governed) >= max(2, 0.67 * len(things))
                    and not lexicon.with_synonyms(verbs) & told
                ):
                    self.reasons.append(f"polarity: the source says it was not so: “{clause.strip()[:100]}”")
                    return

    def aligned(self, window: list[SourceSentence]) -> None:
        """The claim's predicate and participants aligned with the source's, slot by slot: a
        participant in the other's role is a conflict."""
        ranked = [self.index.sentences[i] for i in self._best(3)]
        candidates = window + [s for s in ranked if s not in window]
        self.candidates = candidates
        found, self.has_predicate = alignment.align(self.text, candidates, set(self.entity_words))
        self.alignment = found
        if found is not None and found.conflict and not self.reasons and not self.claim.yes_no:
            self.reasons.append(found.conflict)
        if not self.reasons and not self.claim.question and not quotes.quotations(self.claim.text, [], None):
            hedged = alignment.hedged_act(self.text, candidates[:2])
            if hedged:
                self.reasons.append(hedged)
        if not self.reasons and not self.differences:
            turned = alignment.direction_conflict(self.text, candidates, self.content | self.entity_words)
            if turned:
                self.reasons.append(turned)

    def measured(self) -> bool:
        """Whether the claim's act is told by the source's figure ("lasted 48 hours" where the source
        has "a 48-hour strike"): a figure aligned with the source stands right after the verb."""
        verbs = [
            m
            for f in frames.frames(self.normalized)
            for m in re.finditer(rf"\b{re.escape(f.word)}\b", self.normalized)
        ]
        return any(
            0 <= quantity.start - verb.end() <= 24
            and not polarity.tokens(self.normalized[verb.end() : quantity.start])[2:]
            for quantity, _, _ in self.matched
            for verb in verbs
        )

    def compared(self, window: list[SourceSentence]) -> None:
        """A comparison must be the source's, the same way round ("A is lighter than B" is not "A is
        heavier than B"); one the source does not make is left to the editor unless its figure is the
        source's stated difference."""
        mine = comparison.comparisons(self.text, self.entities)
        if not mine or self.gap_stated:
            self.comparison_agrees |= self.gap_stated
            return
        pool = window + [
            s
            for s in self.index.sentences
            if s not in window
            and sum(any(same_name(e.name, k.name) for k in s.entities) for e in self.entities) >= 2
        ]
        verdicts = [
            comparison.agrees(claimed, theirs)
            for claimed in mine
            for s in pool
            for theirs in comparison.comparisons(s.text, s.entities)
        ]
        self.comparison_agrees = True in verdicts
        if False in verdicts and True not in verdicts:
            self.reasons.append(
                f"reversed comparison: the source has it the other way round ({mine[0].left} against"
                f" {mine[0].right})"
            )
        elif not any(v is not None for v in verdicts) and not self.differences:
            self.undecided.append(f"the source does not compare {mine[0].left} with {mine[0].right}")

    def scaled(self, window: list[SourceSentence]) -> None:
        """A scale word told the other way round ("fewer" for "more", "at least" for "up to", "down
        slightly" for "up slightly"), read clause by clause where the source tells the same thing; an
        amount given the other way ("A pays B" where the source has B pay A, or A receive from B)."""
        if self.reasons or self.meta or self.claim.yes_no:
            return
        sentences = [s.text for s in self.index.sentences]
        turned = scales.reversed_scale(self.text, sentences) or transfers.turned_round(self.text, sentences)
        if turned:
            self.reasons.append(turned)

    def _called_off(self, window: list[SourceSentence]) -> None:
        """An event the source says is called off, told as going ahead (or the other way round)."""
        heading = re.search(r"\b(?:what|where|when|who|how|why)\b", self.claim.text, re.IGNORECASE)
        if self.claim.yes_no or (self.claim.part == "title" and heading):
            return  # a question or a heading asks about the event; it does not tell it as going ahead
        claimed = comparison.called_off(self.claim.text)
        said = [cue for s in window for cue in comparison.called_off(s.text)]
        if claimed and not said:
            self.reasons.append(f"the claim says “{claimed[0]}”; the source does not say it was")
            return
        counterfactual = re.search(
            r"\b(?:would|could|might)\s+have\b|\b(?:was|were|had\s+been)\s+(?:due|set|planned|meant)\b"
            r"|\b(?:off|ended|over)\b",
            self.claim.text,
            re.IGNORECASE,
        )
        if not said or claimed or counterfactual or polarity.is_negative(self.claim.text):
            return
        for s in window:
            cue = lexicon.phrase_pattern("cancellations.txt").search(s.text)
            if cue is None or polarity.is_negative(s.text[: cue.start()][-30:]):
                continue
            # What is called off is named before the cue ("A 48-hour strike ..., has been called off").
            event = polarity.content_lemmas(numbers.normalize_numbers(s.text[: cue.start()]))
            if len(self.content & event) >= 2:
                self.reasons.append(f"the source says it was {cue.group().lower()}: “{s.text[:100]}”")
                return

    def direction(self, claim: str, source: str) -> None:
        """A change told the other way round: by the verb before each shared number ("fell 22%" is not
        "rose 22%"), else by the clause as a whole."""
        claimed = numbers.normalize_numbers(claim)
        for mine, theirs, where in self.matched:
            sentence = self.index.sentences[where]
            a = polarity.direction_before(claimed, mine.start)
            b = polarity.direction_before(sentence.normalized, theirs.start)
            if a and b and a != b:
                self.reasons.append(
                    f"direction: the claim says {a} where the source says {b}: “{sentence.text[:100]}”"
                )
                return
            if a and a == b:
                return  # the source tells the same change of the same figure
        mine_ways, their_ways = polarity.directions(claim), polarity.directions(source)
        if mine_ways and their_ways and not mine_ways & their_ways:
            ways = f"{'/'.join(sorted(mine_ways))}, the source {'/'.join(sorted(their_ways))}"
            self.reasons.append(f"direction: the claim says {ways}")
        elif mine_ways and not their_ways:
            self.undecided.append(
                f"the claim says it went {'/'.join(sorted(mine_ways))}; the source does not say it changed"
            )

    def _swapped(self, window: list[SourceSentence]) -> str | None:
        """Who does what to whom told the other way round ("the nurses hired the board"); with a verb
        and its opposite ("lost to" for "beat"), a turned-round order is the same fact."""
        claim_lemmas = polarity.content_lemmas(self.text)
        antonyms = lexicon.antonyms()
        # A headline says most claims in few words but its grammar is not read: the best full sentences
        # are read too.
        ranked = [self.index.sentences[i] for i in self._best(3)]
        for sentence in window + [s for s in ranked if s not in window]:
            if not re.search(r"[.!?\"”’']\s*$", sentence.text):
                continue  # a headline's grammar ("nurses hired, board says") is not read
            shared = {v for v in claim_lemmas & sentence.lemmas if not _symmetric(v)}
            pairs = [(v, v) for v in sorted(shared)]
            pairs += [
                (v, o)
                for v in sorted(claim_lemmas)
                for o in sorted(antonyms.get(v, ()))
                if o in sentence.lemmas
            ]
            for mine_verb, their_verb in pairs:
                mine = polarity.roles(self.text, {mine_verb})
                theirs = polarity.roles(sentence.text, {their_verb})
                if not mine or not theirs or not (mine.agent or mine.patient):
                    continue
                if (
                    not theirs.agent
                    and sentence.previous_person
                    and re.match(r"(?:he|she)\b", sentence.text, re.I)
                ):
                    # "She reported it to police": she is the person named just before.
                    person = {lemma for w in sentence.previous_person.split() for lemma in lexicon.lemmas(w)}
                    theirs = polarity.Roles(theirs.verb, frozenset(person), theirs.patient)
                turned = polarity.reversed_roles(mine, theirs)
                if mine_verb == their_verb and turned:
                    return f"“{sentence.text[:100]}”"
                if mine_verb == their_verb and sentence in window and not self.differences:
                    # (a figure worked out from the source's is told of the other party: "B weighs 34
                    # tonnes" from "A weighs 30 tonnes, 4 tonnes lighter than B")
                    self._other_agent(mine, theirs, sentence)
                if mine_verb != their_verb and turned:
                    self.consistent_opposites.add(mine_verb)
        return self._swapped_names(window)

    def _other_agent(self, mine: polarity.Roles, theirs: polarity.Roles, sentence: SourceSentence) -> None:
        """The source names someone else as the one who did it ("Mensah opened the scoring" where the
        source has Quinlan open it)."""
        claimed = [
            e
            for e in self.entities
            if {lemma for w in e.name.split() for lemma in lexicon.lemmas(w)} <= mine.agent
        ]
        named = [
            e
            for e in sentence.entities
            if {lemma for w in e.name.split() for lemma in lexicon.lemmas(w)} <= theirs.agent
        ]
        # The object of a preposition is no one's subject ("a visit to northern Ghana", "in Brennan"):
        # it names no other doer, though the claim may still name it.
        # Nor is a nationality word ("Dutch-owned firm", "Tongan-born wing") anyone.
        actors = [
            e
            for e in named
            if not _GOVERNED.search(sentence.text[max(0, e.start - 30) : e.start])
            and not _nationality(e.name)
        ]
        if not actors and sentence.previous_person:
            person = {lemma for w in sentence.previous_person.split() for lemma in lexicon.lemmas(w)}
            if person <= theirs.agent:
                actors = [Entity(sentence.previous_person, 0, 0, PERSON, ())]
        if (
            claimed
            and actors
            and not any(
                same_name(c.name, a.name) or same_name(a.name, c.name)
                for c in claimed
                for a in named + actors
            )
        ):
            self.reasons.append(
                f"name {claimed[0].name!r} is in the source, but the one who does “{mine.verb}” there is"
                f" {actors[-1].name!r}: “{sentence.text[:100]}”"
            )

    def _swapped_names(self, window: list[SourceSentence]) -> str | None:
        source = " ".join(s.text for s in window)
        verbs = polarity.shared_verbs(self.text, source) | {
            o for lemma in polarity.content_lemmas(self.text) for o in lexicon.antonyms().get(lemma, ())
        }
        verbs = {v for v in verbs if not _symmetric(v)}  # "A married B" is "B married A"
        source_entities = entities(source)
        for i, a in enumerate(self.entities):
            for b in self.entities[i + 1 :]:
                sa = next(
                    (e for e in source_entities if same_name(a.name, e.name) or same_name(e.name, a.name)),
                    None,
                )
                sb = next(
                    (e for e in source_entities if same_name(b.name, e.name) or same_name(e.name, b.name)),
                    None,
                )
                if not sa or not sb or sa == sb:
                    continue
                mine = polarity.agent_first(self.text, (a.start, a.end), (b.start, b.end), verbs)
                theirs = polarity.agent_first(source, (sa.start, sa.end), (sb.start, sb.end), verbs)
                if mine is not None and theirs is not None and mine != theirs:
                    return f"{sb.name if theirs is False else sa.name} as the one who acts"
        return None

    def hedge(self, window: list[SourceSentence]) -> None:
        if (
            self.claim.question
            or polarity.hedges(self.claim.text)
            or quotes.quotations(self.claim.text, [], None)
        ):
            return  # a quotation keeps its own hedges; the quote check reads them
        inside = [(e.start, e.end) for e in entities(self.normalized)]
        claim_facts = {
            q.value
            for q in numbers.quantities(self.normalized)
            if not any(a <= q.start < b for a, b in inside)
        }

        # The clause of the window that says most of the claim decides: if it is hedged, so must the claim be.
        # Any clause of the sentence that says most of the claim counts when it says two of its words.
        def score(clause: str) -> int:
            overlap = self.content & polarity.content_lemmas(clause)
            facts = {q.value for q in numbers.quantities(numbers.normalize_numbers(clause))} & claim_facts
            return len(overlap) + 2 * len(facts)

        best = max(window, key=lambda s: sum(score(c) for c in polarity.clauses(s.text)))
        words = self.content | self.entity_words
        for clause in polarity.clauses(best.text):
            for cue in lexicon.phrase_pattern("hedges.txt").finditer(clause):
                if polarity.is_month(clause, cue.start(), cue.end()):
                    continue
                # A hedge governs what follows it in its clause, and the few words just before it
                # ("up to 90mm possible").
                # What a subordinate clause after it tells ("could only change once the 38 trains were
                # in service", "proposed after the floods of 2020, when the river rose 3.4m") is told as
                # fact, outside the hedge.
                after = _SUBORDINATE.split(clause[cue.end() :], maxsplit=1)[0]
                elliptical = cue.group().lower() in _MODALS and _ELLIPTICAL.match(clause, cue.end())
                if _NOT_A_HEDGE.search(clause[: cue.start()]) or elliptical:
                    # "later than planned", "as expected": the hedge word names a standard, not a
                    # doubt; "gave what they could." leaves the modal's verb unsaid.
                    continue
                # The words just before it are the hedge's own within its conjunct; across the start of
                # a conjunct or a relative clause only when the claim tells the hedged act too: "removed
                # 99% of bacteria and could be made for $4" hedges the making, not the removing, and "a
                # bold bet that could pay off" the paying off, but "a book that probably will not last"
                # hedges the book's not lasting.
                before = " ".join(clause[: cue.start()].split()[-3:])
                told_after = (
                    words & polarity.content_lemmas(after) - polarity.content_lemmas(before)
                    or {q.value for q in numbers.quantities(numbers.normalize_numbers(after))} & claim_facts
                )
                if not told_after:
                    before = _CONJUNCT_START.split(before)[-1]
                scope = before + " " + after
                overlap = words & polarity.content_lemmas(scope)
                facts = {q.value for q in numbers.quantities(numbers.normalize_numbers(scope))} & claim_facts
                # The hedge must reach what the claim says, not only whom it names.
                if polarity.cue_kept(cue.group(), self.claim.text):
                    continue  # "have not checked that yet" keeps "not yet"
                if (overlap - self.entity_words or facts) and len(overlap) + 2 * len(facts) >= 2:
                    self.reasons.append(
                        f"hedge dropped: the source says “{cue.group().lower()}” (“{clause.strip()[:100]}”)"
                    )
                    return

    def quotations(self) -> None:
        claim_people = [e for e in self.entities if e.kind in (PERSON, None)]
        for quotation in quotes.quotations(self.claim.text, claim_people, None):
            parts = quotes.pieces(quotation.text)
            homes: list[set[int]] = []
            for piece in parts:
                sequence = quotes.words(piece)
                where = {s.index for s in self.index.sentences if f" {sequence} " in s.words}
                if not where and f" {sequence} " in self.index.all_words:
                    first = quotes.words(piece).split()[:6]
                    where = {s.index for s in self.index.sentences if f" {' '.join(first)} " in s.words} or {
                        0
                    }
                if not where:
                    self.reasons.append(
                        f"quote altered: quotes words that are not in the source: “{piece.strip()[:80]}”"
                    )
                    return
                homes.append(where)
            common = set.intersection(*homes) if homes else set()
            if len(parts) > 1 and not common and not self.meta:
                self.reasons.append("quote spliced: its pieces come from different sentences of the source")
                return
            for piece, where in zip(parts, homes, strict=True):
                sentence = self.index.sentences[min(common or where)]
                self.spans.append(sentence.index)
                self._trimmed(piece, sentence, quotation)
                if not self.meta:
                    self._speaker(piece, sentence, quotation)
            if len(parts) > 1 and common:
                sentence = self.index.sentences[min(common)]
                said = sentence.words
                opening, closing = quotes.words(parts[0]), quotes.words(parts[-1])
                gap = (
                    said[said.find(opening) + len(opening) : said.find(closing)]
                    if opening in said and closing in said
                    else ""
                )
                if _crosses_sentence(sentence.text, parts[0], parts[-1]):
                    self.reasons.append(
                        "quote spliced: the ellipsis joins two sentences of the source's quotation"
                    )
                    return
                cues = lexicon.phrase_pattern("negations.txt").findall(gap) + polarity.hedges(gap)
                if cues or "n't" in gap:
                    self.reasons.append(f"quote trimmed: the ellipsis drops “{(cues or ['not'])[0]}”")

    def _trimmed(self, piece: str, sentence: SourceSentence, quotation: quotes.Quotation) -> None:
        sequence = quotes.words(piece)
        position = sentence.words.find(f" {sequence} ")
        before_words = sentence.words[:position].split()[-4:]
        clause_before = " ".join(before_words)
        cues = lexicon.phrase_pattern("negations.txt").findall(clause_before) + polarity.hedges(clause_before)
        cues += [w for w in before_words if w.endswith("n't")]
        outside = self.claim.text.replace(quotation.text, " ")
        kept = lexicon.phrase_pattern("negations.txt").findall(outside) + polarity.hedges(outside)
        located = (
            re.search(_words_pattern(piece), sentence.text.replace("’", "'"), re.IGNORECASE)
            if sequence
            else None
        )
        if (
            cues
            and not kept
            and not re.search(
                r"[,.;:][\"”’']?\s*[\"“‘']?$",
                sentence.text[: located.start()] if located else "",
            )
        ):
            self.reasons.append(f"quote trimmed: the source's words before it are “{clause_before}”")
            return
        # "They did." where the source has "They did not": the negation right after the quoted words,
        # with no stop between, is cut off the end.
        after = sentence.text.replace("’", "'")[located.end() :] if located else ""
        cut = re.match(r"\s*(not|never|n't|no longer|yet)\b", after, re.IGNORECASE)
        if cut and not re.search(rf"\b{cut.group(1)}\b", quotation.text, re.IGNORECASE):
            self.reasons.append(f"quote trimmed: the source goes on “{cut.group(1)}” right after it")

    def _speaker(self, piece: str, sentence: SourceSentence, quotation: quotes.Quotation) -> None:
        if not quotation.speaker:
            return
        sequence = quotes.words(piece)
        source_quotes = [q for q in sentence.quotations if sequence in quotes.words(q.text)]
        if not source_quotes:
            self.reasons.append(
                f"quote: the source does not quote {quotation.speaker} saying “{piece.strip()[:60]}”"
            )
            return
        speakers = {q.speaker for q in source_quotes if q.speaker}
        if speakers and not any(
            same_name(quotation.speaker, s) or same_name(s, quotation.speaker) for s in speakers
        ):
            self.reasons.append(
                f"quote given to {quotation.speaker!r}; the source's speaker is {sorted(speakers)[0]!r}"
            )


def _premise_aligned(check: _Check, coverage: float) -> bool:
    """Whether what a premise takes for granted is aligned with the source: its act with all its
    participants, or its act said (by verb or synonym) where nearly all its words are."""
    if check.alignment is not None and check.alignment.complete:
        return True
    said = alignment.predicate_said(check.text, check.candidates[:2])
    return said and coverage >= 0.67


def _partitive_one(normalized: str, quantity: numbers.Quantity) -> bool:
    """Whether a "1" is the pronoun of "one of the players", "one of two firms" (it picks a member of a
    group, true of any member), of "no one", or of a negated "would not buy one": it counts nothing the
    source must state."""
    if quantity.kind != "count" or quantity.value != 1 or quantity.unit is not None:
        return False
    if re.match(r"\s+of\b", normalized[quantity.end :]):
        return True
    # "no one was arrested" is nobody; "had not paid a ransom and would not pay one" stands for the noun
    # before it under a negation: neither counts one of anything.
    before = normalized[: quantity.start]
    if re.search(r"\b(?:no|every|any|some)\s*$", before, re.IGNORECASE):
        return True
    ends_clause = re.match(r"\s*(?:[,;:.!?)”\"]|$|and\b|or\b|but\b)", normalized[quantity.end :])
    clause = (polarity.clauses(" " + before + " ") or [""])[-1]
    return bool(ends_clause and polarity.is_negative(clause))


def _agent_noun_told(role: str, sentences: list[SourceSentence]) -> bool:
    """Whether a role is the doer of an act the source tells of the person ("writer" where she "wrote every
    episode", "winner" where he "won"): an agent noun (-er, -or) says no more than its verb."""
    word = role.lower()
    if " " in word or not word.endswith(("er", "or")) or len(word) < 5:
        return False
    stems = {word[:-1], word[:-2]} | ({word[:-3]} if word[-3] == word[-4] else set())
    told = set().union(*(s.lemmas for s in sentences)) if sentences else set()
    return bool(stems & told)


def _symmetric(lemma: str) -> bool:
    """A relation that reads the same both ways round ("married": marry), in any of its forms."""
    return bool(({lemma} | lexicon.lemmas(lemma)) & polarity.SYMMETRIC)


#: "Be working again", "is open again", "got back again": "again" that restores a state.
_RESTORED = re.compile(
    r"\b(?:be|is|are|was|were|been|being|get|gets|got|come|came)\s+(?:fully\s+)?(?:[a-z]+ing|open|back|home"
    r"|available|online|well|fit|free|safe|operational|up)\s+again\b",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"\b(?:again|once more|another|anew|(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+(?:time|year|season))\b",
    re.IGNORECASE,
)
#: Words that open a subordinate clause, which a hedge in the clause before it does not reach.
_SUBORDINATE = re.compile(
    r"\b(?:once|when|whenever|after|because|since|until|unless|before|where|which|whose|although|though)\b",
    re.IGNORECASE,
)
#: A hedge word after "than" or "as" names the standard a fact is measured by ("three years later than
#: planned", "as expected"), not a doubt about it.
_NOT_A_HEDGE = re.compile(
    r"\b(?:than|as)\s+(?:had\s+been\s+|was\s+|were\s+|first\s+|originally\s+)?$", re.IGNORECASE
)
#: A modal with no verb after it ("what they could", "if it may."): its act is the one said before it.
_MODALS = {"could", "may", "might", "should"}
_ELLIPTICAL = re.compile(r"\s*(?:[,.;:!?”\"’)]|to\b|$)", re.IGNORECASE)
#: Where a new conjunct or relative clause starts within a clause.
_CONJUNCT_START = re.compile(r"\b(?:and|or|that|which|who|whom|then)\b", re.IGNORECASE)
#: A preposition (and at most one modifier) right before a name: the name is its object.
_GOVERNED = re.compile(
    r"\b(?:in|into|to|at|from|on|of|for|with|near|across|over|under|by|via|towards?)\s+(?:the\s+)?(?:[a-z]+\s+)?$"
)
_YEARS = re.compile(r"\b(?:19|20)\d{2}\b")
#: Words that tell a span of time between two events or across a range of dates.
_SPAN_CUE = re.compile(
    r"\b(?:after|before|later|earlier|for|since|within|between|until|lasted|ran|took|in\s+all)\b",
    re.IGNORECASE,
)
_BORN_IN = re.compile(r"\bborn\s+in\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_BORN_WORD = re.compile(r"\b([A-Z][a-z]+)-born\b")


def _nationality(name: str) -> bool:
    """Whether a capitalised word is a nationality word ("Icelandic", "Nigerian-born"), not a name."""
    return re.sub(r"-(?:born|based|raised|made|owned)$", "", name) in lexicon.demonyms()


def _words_pattern(piece: str) -> str:
    return r"[^\w]+".join(re.escape(w) for w in quotes.words(piece).split())


def _crosses_sentence(text: str, opening: str, closing: str) -> bool:
    """Whether what an ellipsis leaves out of a source quotation holds a sentence end: the two pieces are
    then two sentences of the speaker made into one (an ellipsis may cut words, not join sentences)."""
    if not quotes.words(opening) or not quotes.words(closing):
        return False
    first = re.search(_words_pattern(opening), text.replace("’", "'"), re.IGNORECASE)
    if first is None:
        return False
    last = re.compile(_words_pattern(closing), re.IGNORECASE).search(text.replace("’", "'"), first.end())
    if last is None:
        return False
    gap = text[first.end() : last.start()]
    return (
        re.search(r"[.!?][\"”’']?\s+[\"“‘']?[A-Z]", gap) is not None
        or re.search(r"[.!?][\"”’']?\s*$", gap) is not None
    )


def check_claim(claim: Claim, index: SourceIndex) -> ClaimCheck:
    """The verdict on one claim against the source."""
    if claim.question and not claim.yes_no and asks_yes_no(claim.text):
        # A question asked yes or no asserts neither answer, however the caller marked it.
        claim = dataclasses.replace(claim, yes_no=True)
    cited = None if claim.question else attribution.cited_content(claim.text, index.credits)
    if cited:
        inner = check_claim(Claim(cited, claim.part, claim.question, claim.yes_no), index)
        return ClaimCheck(claim.text, claim.part, inner.verdict, inner.reasons, inner.source_span)
    check = _Check(claim, index)
    check.quantities()
    check.swapped_figures()
    check.dates()
    check.names()
    check.quotations()
    window, coverage = check.window()
    check.relations(window, coverage)
    check.scaled(window)
    if not check.meta:
        check.aligned(window)
        check.compared(window)
    if check.spans and check.content:
        # The sentences where the claim's facts were found say the claim too.
        said = set().union(*(index.sentences[i].lemmas for i in check.spans), *(s.lemmas for s in window))
        coverage = max(coverage, len(lexicon.with_synonyms(check.content) & said) / len(check.content))
    span_indices = sorted(set(check.spans) | {s.index for s in window})[:3]
    span = " ".join(index.sentences[i].text for i in span_indices)
    reasons = list(dict.fromkeys(check.reasons))
    aligned = check.alignment.described() if check.alignment else []
    if reasons:
        return ClaimCheck(claim.text, claim.part, UNSUPPORTED, reasons, span)
    if check.undecided:
        return ClaimCheck(claim.text, claim.part, UNVERIFIED, check.undecided, span)
    heading = re.search(r"\b(?:what|where|when|who|how|why)\b", claim.text, re.IGNORECASE)
    if claim.part == "title" and heading and not claim.question:
        # "Heat 2: what we know about the release date": a heading names topics, it claims nothing more
        # than its names, numbers and dates (checked above).
        return ClaimCheck(claim.text, claim.part, SUPPORTED, [], span, aligned)
    if claim.yes_no:
        # "Is the strike still going ahead?" asserts nothing but its names, numbers and dates.
        return ClaimCheck(claim.text, claim.part, SUPPORTED, [], span, aligned)
    premise = (
        (claim.part == "title" and not heading)
        or bool(claim.question and _PRESUPPOSING.match(claim.text.strip()))
        or bool(claim.question and check.has_predicate and _ACT_QUESTION.match(claim.text.strip()))
    )
    if premise and not check.meta and check.has_predicate and not _premise_aligned(check, coverage):
        # What a title or a "why" question takes for granted must be an act the source tells of the
        # same participants, not words it uses about something else.
        return ClaimCheck(
            claim.text,
            claim.part,
            UNVERIFIED if coverage >= 0.67 else UNSUPPORTED,
            [
                ("" if coverage >= 0.67 else "false premise: ")
                + f"no source sentence tells this act of these participants (“{check.text[:80]}”)"
            ],
            span,
        )
    spanned = set().union(*(index.sentences[i].lemmas for i in check.spans), *(s.lemmas for s in window))
    if (
        check.meta
        or not check.content
        or (
            len(check.content) <= 1
            and (
                claim.question
                or check.comparison_agrees
                or (check.spans and lexicon.with_synonyms(check.content) & spanned)
            )
        )
    ):
        return ClaimCheck(claim.text, claim.part, SUPPORTED, [], span, aligned)
    if premise and not check.meta:
        # A title, or a question that takes something for granted ("Why did ..."), states it to every
        # reader: a word of it the source never uses is a false premise, not a detail to look up.
        never = sorted(w for w in check.content if not lexicon.with_synonyms({w}) & index.all_lemmas)
        if never:
            return ClaimCheck(
                claim.text,
                claim.part,
                UNSUPPORTED,
                [f"false premise: the source never says “{'”, “'.join(never[:4])}”"],
                span,
            )
    if coverage < MIN_COVERAGE and not (check.spans and coverage >= 0.34):
        missing = sorted(
            check.content - set().union(*(s.lemmas for s in window)) if window else check.content
        )
        return ClaimCheck(
            claim.text,
            claim.part,
            UNSUPPORTED if premise else UNVERIFIED,
            [
                ("false premise: " if premise else "")
                + f"the source does not clearly say this (not found near each other: {', '.join(missing[:6])})"
            ],
            span,
        )
    resting = window + check.candidates + [index.sentences[i] for i in check.spans]
    if (
        check.has_predicate
        and not claim.question
        and check.alignment is None
        and not check.differences
        and not alignment.predicate_said(check.text, resting)
        and not check.measured()
    ):
        # Precision first: the claim tells an act that no source sentence it rests on tells.
        return ClaimCheck(
            claim.text,
            claim.part,
            UNVERIFIED,
            ["the source's sentences do not tell this act (its predicate could not be aligned)"],
            span,
        )
    return ClaimCheck(claim.text, claim.part, SUPPORTED, [], span, aligned)
