"""The grounding check every draft passes through, whatever wrote it.

Rules, in order of how a draft fails them:

- an answer whose names, numbers, amounts of money or month/day names are not in the source is dropped;
- an answer that quotes words the source does not contain is dropped;
- an answer that copies more than ``MAX_COPY_WORDS`` consecutive words of the source outside an
  attributed quotation is dropped;
- the title, lead, body and outro may not name anything the source does not, nor copy more than
  ``MAX_COPY_WORDS`` consecutive words outside an attributed quotation: such a draft fails as a whole;
- fewer than ``MIN_ANSWERS`` answers left: the draft fails.

Pure: a draft and its source in, the kept draft and a ``GroundingReport`` out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from qapress.generate import patterns as p
from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.text import normalize, split_sentences, words

MAX_COPY_WORDS = 12
MIN_ANSWERS = 3
MAX_ANSWERS = 6
QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
ATTRIBUTION = re.compile(
    r"\b(?:according to|said|says|told|reports?|reported|wrote|writes|notes|noted|explained|added|"
    r"announced|based on|in the words of|quoted)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerCheck:
    question: str
    kept: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroundingReport:
    """What the check found; stored with the draft (``qa_ai.grounding``) and required by ``publish``."""

    passed: bool
    answers: list[AnswerCheck]
    problems: list[str]
    checked_at: str
    max_copy_words: int = MAX_COPY_WORDS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroundingReport:
        return cls(
            passed=bool(data.get("passed")),
            answers=[AnswerCheck(**item) for item in data.get("answers", [])],
            problems=list(data.get("problems", [])),
            checked_at=str(data.get("checked_at", "")),
            max_copy_words=int(data.get("max_copy_words", MAX_COPY_WORDS)),
        )

    def first_problem(self) -> str | None:
        """The first reason anything was dropped or failed, for a one-line message."""
        for problem in self.problems:
            return problem
        for answer in self.answers:
            if answer.reasons:
                return f"answer to {answer.question!r}: {answer.reasons[0]}"
        return None

    def summary(self) -> str:
        """One line: why the draft failed, or how many answers it kept."""
        kept = sum(1 for answer in self.answers if answer.kept)
        if self.passed:
            return f"grounded: {kept} of {len(self.answers)} answers kept"
        reasons = self.problems or [r for a in self.answers for r in a.reasons]
        return "not grounded: " + (reasons[0] if reasons else "no answers")


def _money_value(text: str) -> tuple[str, float]:
    lowered = text.lower()
    currency = next((code for key, code in p.CURRENCIES.items() if key in lowered), "?")
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    value = float(number.group().replace(",", "")) if number else 0.0
    scale = re.search(r"\d\s?(thousand|million|billion|trillion|bn|mn|m|k)\b", lowered)
    if scale:
        value *= p.SCALES[scale.group(1)]
    return currency, round(value, 2)


def _number_value(text: str) -> str:
    return text.replace(",", "").rstrip("0").rstrip(".") if "." in text else text.replace(",", "")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text).replace("’", "'")).strip()


class SourceIndex:
    """The source's facts in the forms answers are compared against."""

    def __init__(self, source: SourceDocument) -> None:
        text = source.grounding_text()
        self.text = _squash(text)
        self.lower = self.text.lower()
        self.numbers = {_number_value(m.group()) for m in p.NUMBER.finditer(text)}
        self.numbers |= {m.group(1) for m in p.ORDINAL.finditer(text)}
        self.money = {_money_value(m.group()) for m in p.MONEY.finditer(text)}
        self.words = words(text)
        self.joined = " " + " ".join(self.words) + " "
        self.ngrams = {
            tuple(self.words[i : i + MAX_COPY_WORDS + 1]) for i in range(len(self.words) - MAX_COPY_WORDS)
        }

    def has_name(self, name: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(_squash(name))}(?!\w)", self.text) is not None

    def has_words(self, text: str) -> bool:
        sequence = " ".join(words(text))
        return not sequence or f" {sequence} " in self.joined


def names_in(text: str) -> list[str]:
    """The proper names a text claims: capitalized sequences, less sentence-initial ordinary words."""
    found: list[str] = []
    for sentence in split_sentences(_squash(text)):
        for match in p.NAME.finditer(sentence):
            tokens = match.group().split()
            before = sentence[: match.start()]
            at_start = not before.strip() or bool(re.search(r"[.!?:;“\"‘'(—–-]\s*$", before))
            while tokens and (tokens[0].lower() in p.COMMON_WORDS or tokens[0] in ("&", "of", "for")):
                tokens.pop(0)
                at_start = False
            while tokens and tokens[-1] in (
                "&",
                "of",
                "for",
                "de",
                "da",
                "van",
                "von",
                "la",
                "le",
                "du",
                "al",
            ):
                tokens.pop()
            if not tokens or (at_start and len(tokens) == 1):
                continue
            name = re.sub(r"'s?$", "", " ".join(tokens))
            if re.fullmatch(r"[A-Z]\.?|\d+", name):
                continue
            found.append(name)
    return found


def unsupported_facts(text: str, index: SourceIndex) -> list[str]:
    """Each name, number, amount or date word of ``text`` that the source does not contain."""
    missing: list[str] = []
    money_spans: list[tuple[int, int]] = []
    for match in p.MONEY.finditer(text):
        money_spans.append(match.span())
        if _money_value(match.group()) not in index.money:
            missing.append(f"amount {match.group().strip()!r}")
    for match in p.NUMBER.finditer(text):
        # An amount's digits are checked by its value above ($170M is $170 million).
        if any(start <= match.start() < end for start, end in money_spans):
            continue
        if _number_value(match.group()) not in index.numbers:
            missing.append(f"number {match.group()!r}")
    for match in p.ORDINAL.finditer(text):
        if match.group(1) not in index.numbers:
            missing.append(f"number {match.group()!r}")
    for regex in (p.MONTH_NAME, p.WEEKDAY_NAME):
        for match in regex.finditer(text):
            if match.group().lower() not in index.lower:
                missing.append(f"date {match.group()!r}")
    for name in names_in(text):
        if not index.has_name(name):
            missing.append(f"name {name!r}")
    return list(dict.fromkeys(missing))


def split_quotations(text: str) -> tuple[list[str], list[str]]:
    """(quoted spans, the text outside them) of an answer or paragraph."""
    quoted = [a or b for a, b in QUOTED.findall(text)]
    outside = QUOTED.split(text)
    # re.split with two groups interleaves them; keep only the outside pieces.
    pieces = [outside[i] for i in range(0, len(outside), 3)]
    return quoted, pieces


def copied_runs(text: str, index: SourceIndex) -> list[str]:
    """Runs of more than ``MAX_COPY_WORDS`` consecutive words that ``text`` shares with the source."""
    tokens = words(text)
    runs: list[str] = []
    i = 0
    size = MAX_COPY_WORDS + 1
    while i + size <= len(tokens):
        if tuple(tokens[i : i + size]) in index.ngrams:
            end = i + size
            while end < len(tokens) and tuple(tokens[end - size + 1 : end + 1]) in index.ngrams:
                end += 1
            runs.append(" ".join(tokens[i:end]))
            i = end
        else:
            i += 1
    return runs


def copy_problems(text: str, index: SourceIndex) -> list[str]:
    """Long copies outside quotations; a quotation only counts as such when the text attributes it."""
    _, outside = split_quotations(text)
    attributed = bool(ATTRIBUTION.search(" ".join(outside)))
    pieces = outside if attributed else [text]
    problems: list[str] = []
    for piece in pieces:
        for run in copied_runs(piece, index):
            problems.append(f"copies {len(run.split())} consecutive words of the source: “{run}”")
    return problems


def check_answer(answer: str, index: SourceIndex) -> list[str]:
    """Why this answer cannot stay (empty: it is grounded)."""
    reasons = [f"{fact} is not in the source" for fact in unsupported_facts(answer, index)]
    quoted, _ = split_quotations(answer)
    for span in quoted:
        for piece in re.split(r"…|\.\.\.", span):
            if not index.has_words(piece):
                reasons.append(f"quotes words that are not in the source: “{piece.strip()[:80]}”")
                break
    reasons.extend(copy_problems(answer, index))
    if not answer.strip():
        reasons.append("the answer is empty")
    return reasons


def check_draft(
    draft: Draft, source: SourceDocument, *, now: dt.datetime | None = None
) -> tuple[Draft, GroundingReport]:
    """The draft with its ungrounded answers dropped, and the report of the check."""
    index = SourceIndex(source)
    checks: list[AnswerCheck] = []
    kept: list[FaqItem] = []
    for item in draft.faq:
        reasons = check_answer(item.answer, index)
        if not reasons and len(kept) >= MAX_ANSWERS:
            reasons = [f"more than {MAX_ANSWERS} answers"]
        checks.append(AnswerCheck(item.question, not reasons, reasons))
        if not reasons:
            kept.append(item)
    problems: list[str] = []
    for name, value in (
        ("title", draft.title),
        ("lead", draft.lead),
        ("body", draft.text),
        ("outro", draft.outro),
    ):
        problems.extend(f"{name}: {fact} is not in the source" for fact in unsupported_facts(value, index))
        problems.extend(f"{name}: {problem}" for problem in copy_problems(value, index))
    if not draft.title.strip():
        problems.append("title: empty")
    if len(kept) < MIN_ANSWERS:
        problems.append(f"only {len(kept)} grounded answers; at least {MIN_ANSWERS} are needed")
    moment = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    report = GroundingReport(passed=not problems, answers=checks, problems=problems, checked_at=moment)
    return replace(draft, faq=tuple(kept)), report
