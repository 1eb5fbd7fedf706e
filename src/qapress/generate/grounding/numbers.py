"""Numbers in every form a news text writes them, reduced to a value, a kind and what they count.

"$170 million", "$170M", "170 million dollars" and "one hundred seventy million dollars" are one amount;
"third" is an ordinal, "a third" a fraction, "33%" a percentage a fraction can be compared with. Number
words go through text2num (``alpha2digit``); ordinals, fractions and scale words it leaves alone are
handled here, with the words in ``data/numbers.txt``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass

import lemminflect
from text_to_num import alpha2digit

from qapress.generate import patterns
from qapress.generate.grounding import lexicon

SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "jpy": "JPY",
    "yuan": "CNY",
    "franc": "CHF",
    "francs": "CHF",
    "chf": "CHF",
}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_FRACTION_WORD = re.compile(
    r"\b(a|an|one|two|three|four|five|\d+)[\s-]"
    r"(half|halves|third|thirds|quarter|quarters|fifth|fifths|sixth|sixths|eighth|eighths|tenth|tenths)\b"
    # "a fifth year in a row", "a third term": an ordinal word before its noun is a rank, not a share.
    r"(?!\s+(?!(?:of|in|on|at|by|to|for|from|with|and|or|but|than|since|after|before|this|that|the|a|an|"
    r"last|next|year's|last\s+year|compared|was|were|is|are|has|had|have|will|would|could)\b)[a-z]{3,})",
    re.IGNORECASE,
)
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_DENOMINATORS |= {"fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8}
_DENOMINATORS |= {"tenth": 10, "tenths": 10}
#: The cardinals from two to twelve, as words (the drafts write them as digits before what they count).
SMALL_CARDINALS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
    if value >= 2
}
#: Cardinal words joined to a noun by a hyphen ("a three-place penalty"), which text2num leaves alone.
#: "one-" stays a word ("one-off", "one-sided").
_HYPHENED_CARDINALS = {**SMALL_CARDINALS, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40}
_HYPHENED_CARDINALS |= {"fifty": 50, "hundred": 100}
_HYPHENED = re.compile(
    rf"\b({'|'.join(_HYPHENED_CARDINALS)})-(?=[a-z])"
    r"(?!(?:one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth|sixth|seventh"
    r"|eighth|ninth)\b)",  # "forty-one", "thirty-fourth" are one number, read by text2num
    re.IGNORECASE,
)
#: "a decade", "two decades", "half a century": spans of years written as words.
_YEARS_SPAN = re.compile(
    r"(?<![\w.])(half\s+)?(a|one|\d+(?:\.\d+)?)\s+(decades?|century|centuries)\b", re.IGNORECASE
)
_SPAN_YEARS = {"decade": 10, "decades": 10, "century": 100, "centuries": 100}
#: "10.9m tonnes", "4.2m customers", "1.2bn people": a short scale with no currency sign. "m" is a million
#: only before a plural noun ("the 100m final", "a 400m sprint" are metres).
_BARE_SHORT_SCALED = re.compile(
    rf"(?<![\w.$€£¥])({_NUM})(?:(bn|tn)\b|(m|mn)\b(?=\s+(?:[a-z]+\s+)?[a-z]{{2,}}s\b))", re.IGNORECASE
)
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SCALED = re.compile(rf"({_NUM})\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_SHORT_SCALED = re.compile(rf"([$€£¥])\s?({_NUM})\s?(k|m|mn|mln|bn|b|tn)\b", re.IGNORECASE)
_MONEY = re.compile(
    rf"(?:(?P<code1>US|A|C|HK|NZ)?(?P<sign>[$€£¥])\s?(?P<n1>{_NUM}))"
    rf"|(?:\b(?P<code2>USD|EUR|GBP|CHF|JPY)\s?(?P<n2>{_NUM}))"
    rf"|(?:(?<![\w.])(?P<n3>{_NUM})\s(?P<word>dollars?|euros?|pounds?|sterling|yen|yuan|francs?)\b)",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"(?<![\w.])({_NUM})\s?(?:%|percent\b|per cent\b|percentage points?\b|points?\b)")
_TIME = re.compile(
    r"(?<![\w.:])(\d{1,2})(?:[:.](\d{2}))?\s?(a\.m\.|p\.m\.|am\b|pm\b)|(?<![\w.:])(\d{1,2}):(\d{2})(?![\d])",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"(?<![\w.])(\d+)[\s-]*hours?(?:\s+(?:and\s+)?(\d+)\s*minutes?)?\b|(?<![\w.])(\d+)[\s-]*(?:minutes?|mins?\b(?!\s*\d))\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"(?<![\w.])(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(rf"(?<![\w.])({_NUM})(?![\w])")
_NAME_RUN = re.compile(
    r"\b(?!(?:One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Twenty|Thirty|Forty|Fifty|Hundred)\b)"
    r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+"
)
_MODIFIERS = {
    "new",
    "more",
    "fewer",
    "less",
    "other",
    "extra",
    "additional",
    "further",
    "own",
    "same",
    "such",
    "few",
}
#: Stopwords that are still nouns a number can count ("two shows", "three reports").
_COUNTABLE = {"show", "shows", "report", "reports", "story", "stories", "question", "questions", "answer"}
_COUNTABLE |= {"answers", "update", "updates", "detail", "details", "thing", "things", "number", "numbers"}
#: Units of one measure written at different scales ("1.1 kilograms" is "1,100 grams"): unit -> (base, factor).
MEASURES = {
    "kilogram": ("gram", 1000.0),
    "kilograms": ("gram", 1000.0),
    "kg": ("gram", 1000.0),
    "gram": ("gram", 1.0),
    "grams": ("gram", 1.0),
    "g": ("gram", 1.0),
    "tonne": ("gram", 1e6),
    "tonnes": ("gram", 1e6),
    "kilometre": ("metre", 1000.0),
    "kilometres": ("metre", 1000.0),
    "kilometer": ("metre", 1000.0),
    "kilometers": ("metre", 1000.0),
    "km": ("metre", 1000.0),
    "metre": ("metre", 1.0),
    "metres": ("metre", 1.0),
    "meter": ("metre", 1.0),
    "meters": ("metre", 1.0),
    "centimetre": ("metre", 0.01),
    "centimetres": ("metre", 0.01),
    "cm": ("metre", 0.01),
    "millimetre": ("metre", 0.001),
    "millimetres": ("metre", 0.001),
    "mm": ("metre", 0.001),
    "gigawatt": ("watt", 1e9),
    "gigawatts": ("watt", 1e9),
    "gw": ("watt", 1e9),
    "megawatt": ("watt", 1e6),
    "megawatts": ("watt", 1e6),
    "mw": ("watt", 1e6),
    "kilowatt": ("watt", 1e3),
    "kilowatts": ("watt", 1e3),
    "kw": ("watt", 1e3),
    "day": ("minute", 1440.0),
    "days": ("minute", 1440.0),
    "week": ("minute", 10080.0),
    "weeks": ("minute", 10080.0),
    # Spans of time share one base, so that "six years" is "72 months" and a gap in months can be taken
    # from a span in years; a month is a twelfth of a (365.25-day) year, so "12 months" is "a year".
    "second": ("minute", 1 / 60),
    "seconds": ("minute", 1 / 60),
    "sec": ("minute", 1 / 60),
    "secs": ("minute", 1 / 60),
    "month": ("minute", 525960.0 / 12),
    "months": ("minute", 525960.0 / 12),
    "year": ("minute", 525960.0),
    "years": ("minute", 525960.0),
}
_WORD = re.compile(r"(?<![\w])[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Quantity:
    """One number of a text: its value, its kind, the currency of an amount, and what it counts."""

    value: float
    kind: str  # money, percent, fraction, time, year, ordinal, count, times
    text: str
    start: int
    end: int
    currency: str | None = None
    unit: str | None = None
    #: The words right around the number ("crowd of 18,400 saw"): what it counts, where no noun follows.
    near: tuple[str, ...] = ()

    @property
    def measure(self) -> tuple[float, str] | None:
        """The value in the base unit of its measure (grams, metres, minutes), None when it has none."""
        if self.kind == "duration":
            return self.value, "minute"
        if self.kind == "count" and self.unit in MEASURES:
            base, factor = MEASURES[self.unit]
            return self.value * factor, base
        return None

    def same_as(self, other: Quantity) -> bool:
        """Equal values of comparable kinds (a fraction equals the percentage it is, a weight in
        kilograms the same weight in grams)."""
        mine, theirs = self.measure, other.measure
        if mine and theirs and mine[1] == theirs[1] and (self.unit != other.unit or mine[1] == "minute"):
            return abs(mine[0] - theirs[0]) <= 1e-6 * max(1.0, abs(mine[0]))
        if {self.kind, other.kind} == {"fraction", "percent"}:
            fraction = self.value if self.kind == "fraction" else other.value
            percent = other.value if self.kind == "fraction" else self.value
            return abs(fraction * 100 - percent) <= 1.0
        kinds = {self.kind, other.kind}
        if kinds == {"ordinal", "duration"}:
            # "in the 78th minute" is the match clock's "78 min": the minute a thing happened in.
            rank, clock = (self, other) if self.kind == "ordinal" else (other, self)
            return (
                rank.unit in ("minute", "min")
                and re.fullmatch(r"\d+\s?mins?", clock.text, re.IGNORECASE) is not None
                and self.value == other.value
            )
        if self.kind != other.kind and kinds - {"count", "times"} and not kinds <= {"count", "year"}:
            return False
        if self.kind == "money" and self.currency and other.currency and self.currency != other.currency:
            return False
        return abs(self.value - other.value) <= 1e-6 * max(1.0, abs(self.value))


def _digits(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.6f}".rstrip("0").rstrip(".")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _years(half: str | None, count: str, span: str) -> str:
    value = (1 if count.lower() in ("a", "one") else _number(count)) * _SPAN_YEARS[span.lower()]
    return f"{_digits(value / 2 if half else value)} years"


_PARTS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_SCALE_DIGITS = r"(1000|1000000|1000000000|1000000000000)\b"
#: "4 and a quarter years", "19 and a half 1000" (text2num reads the scale word alone).
_AND_A_PART = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?)\s+and\s+(?:(?:a|an|one)\s+(half|quarter|third)\b|(0\.5|0\.25)frac)"
    rf"(?:\s+{_SCALE_DIGITS})?",
    re.IGNORECASE,
)
#: "a year and a half", "an hour and a half": one and a half of the unit.
_UNIT_AND_A_HALF = re.compile(
    r"\b(?:(?:a|an|one)\s+)?(year|month|week|day|hour)\s+and\s+(?:a\s+half\b|0\.5frac)"
)
#: "4 years and 3 months": one span, in years.
_YEARS_AND_MONTHS = re.compile(r"(?<![\w.])(\d+)\s+years?\s+and\s+(\d{1,2})\s+months?\b")
#: "11.2 1000000 pounds": "eleven point two million" as text2num leaves it.
_DECIMAL_SCALE = re.compile(rf"(?<![\w.])(\d+\.\d+)\s+{_SCALE_DIGITS}")
#: "2 pounds 20": pounds and pence said the way they are spoken.
_SPOKEN_MONEY = re.compile(
    r"(?<![\w.])(\d+)\s+(pounds|dollars|euros)\s+(\d{1,2})(?=\s*[.,;!?)]|\s+(?:a|an|each|per|for|and|or)\b|$)"
)


_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: "forty-six-year": a compound number before a hyphened noun ("a forty-six-year history").
_COMPOUND_BEFORE_HYPHEN = re.compile(rf"\b({'|'.join(_TENS)})-({'|'.join(_UNITS)})(?=-[a-z])", re.IGNORECASE)
_TEENS = ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
#: "sixteen sixty-two", "nineteen ninety-six": a year said as two numbers (the century, then the year).
_SPOKEN_YEAR = re.compile(
    rf"\b({'|'.join(_TEENS)})\s+({'|'.join(_TENS)})(?:-({'|'.join(_UNITS)}))?\b", re.IGNORECASE
)
#: "6½", "½": fractions written as one character.
_GLYPHS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
#: "4 hours, 41 minutes and 12 seconds", "4h 41min 12sec", "1min 43sec": one span.
_HOURS_MINUTES = re.compile(
    r"(?<![\w.])(\d+)\s?(?:hours?|hrs?|h)\b,?\s+(?:and\s+)?(\d{1,2})\s?(?:minutes?|mins?)\b"
    r"(?:,?\s+(?:and\s+)?(\d{1,2})\s?(?:seconds?|secs?)\b)?",
    re.IGNORECASE,
)
_RACE_TIME = re.compile(r"(?<![\w.:])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:])")
_MINUTES_SECONDS = re.compile(
    r"(?<![\w.])(\d+)\s?(?:minutes?|mins?)\b,?\s+(?:and\s+)?(\d{1,2})\s?(?:seconds?|secs?)\b", re.IGNORECASE
)


def _spoken_words(text: str) -> str:
    """Numbers in words that text2num reads wrongly, as digits first: "forty-six-year" -> "46-year",
    "sixteen sixty-two" -> "1662", "6½" -> "6.5"."""
    text = _COMPOUND_BEFORE_HYPHEN.sub(
        lambda m: str(10 * (_TENS.index(m.group(1).lower()) + 2) + _UNITS.index(m.group(2).lower()) + 1), text
    )

    def year(match: re.Match[str]) -> str:
        century = _TEENS.index(match.group(1).lower()) + 13
        rest = 10 * (_TENS.index(match.group(2).lower()) + 2)
        rest += _UNITS.index(match.group(3).lower()) + 1 if match.group(3) else 0
        return str(century * 100 + rest)

    text = _SPOKEN_YEAR.sub(year, text)
    glyphs = "".join(_GLYPHS)
    text = re.sub(rf"(\d+)\s?([{glyphs}])", lambda m: _digits(int(m.group(1)) + _GLYPHS[m.group(2)]), text)
    return re.sub(rf"(?<!\w)([{glyphs}])", lambda m: f"{_digits(_GLYPHS[m.group(1)])}frac", text)


def _durations(text: str) -> str:
    """A span told in hours, minutes and seconds as one number: of seconds when it has seconds (so that
    "1min 49sec" and "21 seconds" can be subtracted), else of minutes."""

    def hours(match: re.Match[str]) -> str:
        minutes = 60 * int(match.group(1)) + int(match.group(2))
        if match.group(3):
            return f"{60 * minutes + int(match.group(3))} seconds"
        return f"{minutes} minutes"

    # A race time with seconds ("2:06:22") is a span, not the clock: hours, minutes and seconds.
    text = _RACE_TIME.sub(
        lambda m: f"{3600 * int(m.group(1)) + 60 * int(m.group(2)) + int(m.group(3))} seconds", text
    )
    text = _HOURS_MINUTES.sub(hours, text)
    return _MINUTES_SECONDS.sub(lambda m: f"{60 * int(m.group(1)) + int(m.group(2))} seconds", text)


def _spoken_parts(text: str) -> str:
    """Numbers said in parts, folded into one value: "4 and a quarter years" -> "4.25 years", "a year
    and a half" -> "1.5 years", "11.2 1000000" -> "11200000", "2 pounds 20" -> "£2.20"."""

    def and_a_part(match: re.Match[str]) -> str:
        part = _PARTS[match.group(2).lower()] if match.group(2) else float(match.group(3))
        value = float(match.group(1)) + part
        return _digits(round(value * (float(match.group(4)) if match.group(4) else 1.0), 6))

    text = _UNIT_AND_A_HALF.sub(lambda m: f"1.5 {m.group(1)}s", text)
    text = _YEARS_AND_MONTHS.sub(
        lambda m: f"{_digits(round(int(m.group(1)) + int(m.group(2)) / 12, 6))} years", text
    )
    text = _AND_A_PART.sub(and_a_part, text)
    text = _DECIMAL_SCALE.sub(lambda m: _digits(round(float(m.group(1)) * float(m.group(2)), 6)), text)
    sign = {"pounds": "£", "dollars": "$", "euros": "€"}
    return _SPOKEN_MONEY.sub(lambda m: f"{sign[m.group(2)]}{m.group(1)}.{int(m.group(3)):02d}", text)


def normalize_numbers(text: str) -> str:
    """The text with number words as digits and scale words folded in: "$1.2 million" -> "$1200000"."""
    text = text.replace("’", "'").replace("\u2013", "-").replace("\u2014", " — ")

    def fraction(match: re.Match[str]) -> str:
        count = match.group(1).lower()
        top = _SMALL.get(count) or int(count) if not count.isdigit() else int(count)
        return f"{_digits(top / _DENOMINATORS[match.group(2).lower()])}frac"

    text = _spoken_words(text)
    text = _FRACTION_WORD.sub(fraction, text)
    text = re.sub(
        r"\b(\d+(?:\.\d+)?)frac of (?:a|an|one) (thousand|million|billion)\b",
        lambda m: _digits(float(m.group(1)) * SCALE_WORDS[m.group(2).lower()]),
        text,
    )
    text = re.sub(
        r"\bhalf (?:a|an) (thousand|million|billion)\b",
        lambda m: _digits(0.5 * SCALE_WORDS[m.group(1).lower()]),
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\b(hundred|thousand)\s+and\s+", r"\1 ", text, flags=re.IGNORECASE)
    # Pence are hundredths of a pound: "30p", "412 pence".
    text = re.sub(
        r"(?<![\w.£$€])(\d+(?:\.\d+)?)\s?(?:p|pence)\b(?!\.\w)",
        lambda m: f"£{_digits(round(float(m.group(1)) / 100, 6))}",
        text,
    )
    text = _SHORT_SCALED.sub(
        lambda m: f"{m.group(1)}{_digits(_number(m.group(2)) * SHORT_SCALES[m.group(3).lower()])}", text
    )
    text = _BARE_SHORT_SCALED.sub(
        lambda m: _digits(_number(m.group(1)) * SHORT_SCALES[(m.group(2) or m.group(3)).lower()]), text
    )
    text = _HYPHENED.sub(lambda m: f"{_HYPHENED_CARDINALS[m.group(1).lower()]}-", text)
    text = _SCALED.sub(lambda m: _digits(_number(m.group(1)) * SCALE_WORDS[m.group(2).lower()]), text)
    # Names keep their number words ("Portwell First", "Formula One"): only the rest goes to text2num.
    names = _NAME_RUN.findall(text)
    masked = _NAME_RUN.sub(lambda m: f"\x00{names.index(m.group())}\x00", text)
    with contextlib.suppress(ValueError, OverflowError):  # a text text2num cannot read keeps its words
        masked = alpha2digit(masked, "en", threshold=0)
    text = re.sub(r"\x00(\d+)\x00", lambda m: names[int(m.group(1))], masked)
    text = _durations(_spoken_parts(text))
    text = _YEARS_SPAN.sub(
        lambda m: _years(m.group(1), m.group(2), m.group(3)),
        text,
    )
    text = _SCALED.sub(lambda m: _digits(_number(m.group(1)) * SCALE_WORDS[m.group(2).lower()]), text)
    # "1 in 4" is a fraction; "80mph", "13C" are a number and a unit.
    text = re.sub(
        r"(?<![\w.])(\d+) in (\d+)(?!\w|\.\d)",
        lambda m: (
            f"{_digits(int(m.group(1)) / int(m.group(2)))}frac"
            if 0 < int(m.group(1)) < int(m.group(2)) <= 100 and int(m.group(1)) <= 20
            else m.group()
        ),
        text,
    )
    return re.sub(
        r"(?<![\w.])(\d+(?:\.\d+)?)(?!(?:st|nd|rd|th|s|am|pm|frac)\b)([A-Za-z]{1,3})\b", r"\1 \2", text
    )


def _unit_after(text: str, end: int) -> str | None:
    """The noun right after a number: what it counts, the head of a short compound ("18,400 fans",
    "12 extra nurses" -> nurses, "14 flood alerts" -> alerts, "37 of the strains" -> strains); None when
    a verb or another clause follows ("Quinlan, 23, has ...")."""
    following = text[end : end + 60]
    hyphened = re.match(r"-([A-Za-z]+)", following)
    if hyphened:
        return hyphened.group(1).lower()  # "a 14-month repair" counts months
    if re.match(r"\s*[,;:.!?)—–]", following):
        return None
    skip = set(SCALE_WORDS) | set(CURRENCY_WORDS) | {"frac", "per", "cent", "percent"}
    phrase = re.split(r"[,;:.!?()—–]|\d", following)[0]
    found = [m.group().lower().strip("'-") for m in _WORD.finditer(phrase)][:5]
    found = [word for word in found if word not in skip]
    if found and found[0] in MEASURES:
        return found[0]  # "11.4 km long": a unit right after the number is what it measures
    if found[:1] == ["of"]:
        # "6 of the hospice's beds": a possessive before the noun is its determiner, not what is counted.
        rest = [w for w in found[1:] if w not in ("the", "them", "its", "their") and not w.endswith("'s")]
        return rest[0] if rest and rest[0] not in lexicon.stopwords() else None
    compound: list[str] = []
    for word in found:
        if word in _MODIFIERS and not compound:
            continue  # "42 new books", "3 more goals": the noun comes next
        if word in lexicon.stopwords() and word not in _COUNTABLE:
            break
        forms = lemminflect.getAllLemmas(word)
        if word.endswith(("ing", "ed")) or (
            forms and "VERB" in forms and "NOUN" not in forms and "ADJ" not in forms
        ):
            break
        if forms and "ADV" in forms and "NOUN" not in forms:
            break  # "two weeks ago"
        compound.append(word)
        if len(compound) == 3 or (word.endswith("s") and "NOUN" in forms):
            break  # a plural noun ends the phrase ("18 tonnes stay banned")
    return compound[-1] if compound else None


def _unit_before_of(text: str, start: int) -> str | None:
    """The noun before "of" a number ("a crowd of 18,400" -> crowd)."""
    match = re.search(
        r"([A-Za-z]+)\s+of\s+(?:about\s+|around\s+|nearly\s+|some\s+)?$", text[max(0, start - 40) : start]
    )
    return match.group(1).lower() if match else None


#: The emergency numbers a news story writes (UK 999 and 111, US 911, EU 112, police 101).
_EMERGENCY = {"999", "911", "112", "111", "101"}
_DIALLED_BEFORE = re.compile(
    r"\b(?:call(?:s|ed|ing)?|dial(?:s|l?ed|l?ing)?|r[ia]ng|ringing|phon(?:e|es|ed|ing))\s+$", re.I
)
_DIALLED_AFTER = re.compile(r"\s+(?:calls?|callers?|operators?|services?|line)\b", re.I)


_MONTH_NAMES = patterns.MONTHS.replace("\\.", "")
#: What stands before a year ("in 1861", "since 1894", "founded 1802", "March 1850", "1440 to 1380 BC").
_BEFORE_YEAR = re.compile(
    rf"\b(?:in|since|from|until|till|by|before|after|around|circa|c\.|year|founded|built|born|died"
    rf"|established|between|{_MONTH_NAMES})\s+(?:about\s+|around\s+|early\s+|late\s+|the\s+year\s+)?$",
    re.IGNORECASE,
)
_AFTER_YEAR = re.compile(r"\s*(?:BC|BCE|AD|CE)\b|-\d{2}\b")


def _older_year(text: str, match: re.Match[str]) -> bool:
    """Whether a four-digit number from 1000 to 1899 is a year ("founded in 1861", "1440 BC"): only after
    a word that dates ("in", "since", a month) or before an era, and never before what it counts
    ("in 1500 homes")."""
    if not re.fullmatch(r"1[0-8]\d{2}", match.group(1)):
        return False
    if _AFTER_YEAR.match(text, match.end()):
        return True
    if not _BEFORE_YEAR.search(text[max(0, match.start() - 30) : match.start()]):
        return False
    return _unit_after(text, match.end()) is None


def _emergency_number(text: str, match: re.Match[str]) -> bool:
    """Whether a number is a telephone number dialled ("called 999", "a 999 call"), not a figure."""
    if match.group(1) not in _EMERGENCY:
        return False
    return bool(
        _DIALLED_BEFORE.search(text[max(0, match.start() - 12) : match.start()])
        or _DIALLED_AFTER.match(text, match.end())
    )


def quantities(normalized: str) -> list[Quantity]:
    """Every number of an already normalized text, each once, the most specific reading first."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    def add(quantity: Quantity) -> None:
        found.append(quantity)
        taken.append((quantity.start, quantity.end))

    for match in _MONEY.finditer(normalized):
        number = match.group("n1") or match.group("n2") or match.group("n3")
        sign = match.group("sign")
        word = (match.group("code2") or match.group("word") or "").lower()
        currency = CURRENCY_SIGNS.get(sign or "") or CURRENCY_WORDS.get(word)
        if sign == "$" and match.group("code1") in ("A", "C", "HK", "NZ"):
            currency = match.group("code1") + "D"
        unit = _unit_after(normalized, match.end()) or _unit_before_of(normalized, match.start())
        add(Quantity(_number(number), "money", match.group(), *match.span(), currency=currency, unit=unit))
    for match in _DURATION.finditer(normalized):
        minutes = (
            _number(match.group(1)) * 60 + _number(match.group(2) or "0")
            if match.group(1)
            else _number(match.group(3))
        )
        add(Quantity(minutes, "duration", match.group(), *match.span()))
    for match in _PERCENT.finditer(normalized):
        if free(*match.span()):
            add(Quantity(_number(match.group(1)), "percent", match.group(), *match.span()))
    for match in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)frac\b", normalized):
        if free(*match.span()):
            add(Quantity(float(match.group(1)), "fraction", match.group(), *match.span()))
    for match in _TIME.finditer(normalized):
        if not free(*match.span()):
            continue
        if match.group(1):
            hour, minute = int(match.group(1)) % 12, int(match.group(2) or 0)
            hour += 12 if match.group(3).lower().startswith("p") else 0
        else:
            hour, minute = int(match.group(4)), int(match.group(5))
        add(Quantity(hour * 60 + minute, "time", match.group(), *match.span()))
    for match in _ORDINAL.finditer(normalized):
        if free(*match.span()):
            unit = _unit_after(normalized, match.end())
            add(Quantity(float(match.group(1)), "ordinal", match.group(), *match.span(), unit=unit))
    words = lexicon.number_words()
    for match in _WORD.finditer(normalized):
        word = match.group().lower()
        head = word.split("-")[0]
        if word not in words and head in words and words[head][1] == "ordinal":
            # "the second-largest supplier", "a third-floor flat": the rank before the hyphen.
            value, kind = words[head]
            span = (match.start(), match.start() + len(head))
            if free(*span):
                add(Quantity(value, kind, match.group()[: len(head)], *span, unit=word.split("-", 1)[1]))
            continue
        if word in words and free(*match.span()):
            value, kind = words[word]
            if (
                kind == "fraction"
                and not re.search(r"\b(?:a|one|by)\s+$", normalized[: match.start()])
                and word.startswith("half")
                and not re.match(r"half\s+(?:of|the|a|an)\b", normalized[match.start() :], re.IGNORECASE)
            ):
                continue  # "the second half" is a part of a match, not a fraction
            unit = _unit_after(normalized, match.end()) if kind in ("ordinal", "count") else None
            add(Quantity(value, kind, match.group(), *match.span(), unit=unit))
    for match in _NUMBER.finditer(normalized):
        if not free(*match.span()) or _emergency_number(normalized, match):
            continue
        value = _number(match.group(1))
        is_year = re.fullmatch(r"(?:19|20)\d{2}", match.group(1)) is not None or _older_year(
            normalized, match
        )
        unit = (
            None
            if is_year
            else _unit_after(normalized, match.end()) or _unit_before_of(normalized, match.start())
        )
        add(Quantity(value, "year" if is_year else "count", match.group(), *match.span(), unit=unit))
    return _elided_units(
        normalized, sorted((_with_near(normalized, q) for q in found), key=lambda q: q.start)
    )


#: Comparative words that stand after a number in place of the noun it counts when the noun is left out
#: ("6.1 fewer days, against 3.8 fewer").
_COMPARATIVE_UNITS = {"more", "fewer", "less", "extra", "further"}


def _elided_units(text: str, found: list[Quantity]) -> list[Quantity]:
    """A count whose noun is left unsaid after a comparative takes it from the parallel figure before it
    that says it ("6.1 fewer migraine days, against 3.8 fewer" counts days too)."""

    def comparative(quantity: Quantity) -> str | None:
        after = re.match(r"\s+([a-z]+)\b", text[quantity.end :])
        return after.group(1) if after and after.group(1) in _COMPARATIVE_UNITS else None

    result = list(found)
    for n, quantity in enumerate(result):
        cue = comparative(quantity)
        if quantity.kind != "count" or cue is None or quantity.unit not in (None, cue):
            continue
        earlier = [
            q
            for q in result[:n]
            if q.kind == "count" and q.unit and q.unit not in _COMPARATIVE_UNITS and comparative(q) == cue
        ]
        if earlier:
            result[n] = dataclasses.replace(quantity, unit=earlier[-1].unit)
    return result


def _with_near(text: str, quantity: Quantity) -> Quantity:
    # What follows a number is what it counts; what comes before belongs to the phrase before it
    # ("14 flood alerts and three flood warnings": three counts warnings, not alerts).
    after = re.findall(
        r"[A-Za-z][\w'’\-]*", re.split(r"[,;:.!?()—–]", text[quantity.end : quantity.end + 40])[0]
    )[:4]
    if quantity.unit is None:  # "voted 31 to 17": with no noun after it, the words before tell
        after = (
            re.findall(r"[A-Za-z][\w'’\-]*", text[max(0, quantity.start - 30) : quantity.start])[-2:] + after
        )
    near = tuple(word.lower() for word in after if word.lower() not in lexicon.stopwords())
    bare = re.match(r"\s*[.!?]", text[quantity.end :]) is not None or quantity.end >= len(text.rstrip())
    return Quantity(
        quantity.value,
        quantity.kind,
        quantity.text,
        quantity.start,
        quantity.end,
        quantity.currency,
        quantity.unit,
        near + (("<end>",) if bare else ()),
    )


def _as_percent(quantity: Quantity) -> Quantity:
    if quantity.kind != "fraction":
        return quantity
    return Quantity(quantity.value * 100, "percent", quantity.text, quantity.start, quantity.end)


_SPANS = {"year", "years", "month", "months", "week", "weeks", "day", "days"}


def _as_kind(quantity: Quantity, kind: str) -> Quantity:
    return Quantity(quantity.value, kind, quantity.text, quantity.start, quantity.end, unit=quantity.unit)


def differences(values: list[Quantity], target: Quantity) -> tuple[Quantity, Quantity] | None:
    """Two quantities of the source whose difference, sum or percentage change is ``target``: a figure
    the source states without writing it ("from 3 hours 10 minutes to 1 hour 45" fell by 85 minutes)."""
    values = [_as_percent(value) for value in values]
    target = _as_percent(target)
    for left in values:
        for right in values:
            measures = (target.measure, left.measure, right.measure)
            if left is not right and all(measures) and len({m[1] for m in measures if m}) == 1:
                goal, a, b = (m[0] for m in measures if m)
                if any(abs(v - goal) <= 1e-6 * max(1.0, goal) for v in (abs(a - b), a + b)):
                    return left, right
            if left.kind == right.kind == "time" and target.kind in ("count", "duration"):
                gap = abs(right.value - left.value)
                if left is not right and (gap == target.value * (60 if target.kind == "count" else 1)):
                    return left, right
            if {left.kind, right.kind} == {"count", "percent"} and target.kind == "percent":
                bare = left if left.kind == "count" else right
                if bare.unit is None:  # "to 18 points, down from 31": the bare 31 is points too
                    left, right = _as_kind(left, "percent"), _as_kind(right, "percent")
            if left is right or left.kind != right.kind or left.kind in ("ordinal", "time"):
                continue
            if left.kind == "money" and left.currency != right.currency:
                continue
            if (
                target.kind == "count"
                and target.unit in _SPANS
                and not (left.unit in _SPANS and right.unit in _SPANS)
            ):
                continue  # "12 years before" is worked out from dates or other spans, not from any two counts
            if target.kind == left.kind or (target.kind == "count" and left.kind in ("count", "percent")):
                for value in (abs(left.value - right.value), left.value + right.value):
                    if abs(value - target.value) <= 1e-6 * max(1.0, value) or (
                        target.kind == "percent" and abs(value - target.value) <= 0.05
                    ):
                        return left, right
            if target.kind == "percent" and left.value:
                change = abs(right.value - left.value) / left.value * 100
                if abs(change - target.value) <= 0.5:
                    return left, right
            if (
                target.kind == "times"
                and right.value
                and abs(left.value / right.value - target.value) <= 0.05
            ):
                return left, right
    return None


_FROM = re.compile(r"\bfrom\s+(?:about\s+|around\s+|some\s+|nearly\s+|almost\s+)?$", re.IGNORECASE)
_TO = re.compile(
    r"^\s*(?:[\w'’]+\s+){0,3}?to\s+(?:about\s+|around\s+|some\s+|nearly\s+|almost\s+)?$", re.IGNORECASE
)
_TO_FROM = re.compile(
    r"^\s*(?:[\w'’]+\s+){0,2}?(?:[\w'’]+)?\s*,?\s*(?:(?:up|down)\s+)?from\s+(?:about\s+|around\s+)?$",
    re.IGNORECASE,
)


def changes(normalized: str) -> list[tuple[Quantity, Quantity]]:
    """The (before, after) figures of each change a text tells by its figures: "from 2.4 in 2000 to 1.6
    now", "from 1 hour 52 minutes to 1 hour 41", and "to 18, down from 31". A year between them ("in
    2000") dates the first figure and is no end of the change."""
    found = [q for q in quantities(normalized) if q.kind != "year"]
    result: list[tuple[Quantity, Quantity]] = []
    for n, first in enumerate(found):
        if n + 1 >= len(found):
            break
        second = found[n + 1]
        between = normalized[first.end : second.start]
        if _FROM.search(normalized[max(0, first.start - 30) : first.start]) and _TO.match(between):
            result.append((first, second))
        elif re.search(r"\bto\s+$", normalized[max(0, first.start - 10) : first.start]) and _TO_FROM.match(
            between
        ):
            result.append((second, first))
    return result
