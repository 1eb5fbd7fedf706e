"""The check of a whole draft: every claim judged, ungrounded answers dropped, and the report stored
with the draft (``grounding_report``) that ``publish`` requires.

- an answer with an unsupported claim, or a long copy outside an attributed quotation, is dropped;
- an unsupported claim in the title, the lead, the body, the outro or a question fails the draft;
- unverified claims stay, listed for the editor (``qapress review``) and counted in the summary;
- fewer than ``MIN_ANSWERS`` answers left: the draft fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from qapress.generate.draft import Draft, FaqItem, SourceDocument
from qapress.generate.grounding.claims import Claim, claims_of
from qapress.generate.grounding.copying import MAX_COPY_WORDS, copy_problems
from qapress.generate.grounding.source_index import SourceIndex
from qapress.generate.grounding.verdict import UNSUPPORTED, UNVERIFIED, ClaimCheck, check_claim

MIN_ANSWERS = 3
MAX_ANSWERS = 6


@dataclass(frozen=True)
class AnswerCheck:
    question: str
    kept: bool
    reasons: list[str] = field(default_factory=list)
    claims: list[ClaimCheck] = field(default_factory=list)


@dataclass(frozen=True)
class GroundingReport:
    """What the check found, claim by claim; stored with the draft and required by ``publish``."""

    passed: bool
    answers: list[AnswerCheck]
    problems: list[str]
    checked_at: str
    max_copy_words: int = MAX_COPY_WORDS
    claims: list[ClaimCheck] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GroundingReport:
        """Reads reports of every version: those stored before claims were kept have none."""

        def claims(items: Any) -> list[ClaimCheck]:
            return [ClaimCheck(**item) for item in items or []]

        return cls(
            passed=bool(data.get("passed")),
            answers=[
                AnswerCheck(
                    question=item["question"],
                    kept=bool(item["kept"]),
                    reasons=list(item.get("reasons", [])),
                    claims=claims(item.get("claims")),
                )
                for item in data.get("answers", [])
            ],
            problems=list(data.get("problems", [])),
            checked_at=str(data.get("checked_at", "")),
            max_copy_words=int(data.get("max_copy_words", MAX_COPY_WORDS)),
            claims=claims(data.get("claims")),
        )

    def all_claims(self) -> list[ClaimCheck]:
        return [*self.claims, *(claim for answer in self.answers for claim in answer.claims)]

    def unverified(self) -> list[ClaimCheck]:
        """Claims the check could not decide: the editor's to read against the source."""
        return [claim for claim in self.all_claims() if claim.verdict == UNVERIFIED]

    def first_problem(self) -> str | None:
        """The first reason anything was dropped or failed, for a one-line message."""
        for problem in self.problems:
            return problem
        for answer in self.answers:
            if answer.reasons:
                return f"answer to {answer.question!r}: {answer.reasons[0]}"
        return None

    def summary(self) -> str:
        """One line: why the draft failed, or how many answers it kept and how many claims are unverified."""
        kept = sum(1 for answer in self.answers if answer.kept)
        if self.passed:
            unverified = len(self.unverified())
            tail = f"; {unverified} claims unverified (see review)" if unverified else ""
            return f"grounded: {kept} of {len(self.answers)} answers kept{tail}"
        reasons = self.problems or [r for a in self.answers for r in a.reasons]
        return "not grounded: " + (reasons[0] if reasons else "no answers")


def check_text(text: str, part: str, index: SourceIndex) -> list[ClaimCheck]:
    """Every claim of one part of a draft, judged."""
    return [check_claim(claim, index) for claim in claims_of(text, part)]


def check_answer(answer: str, index: SourceIndex) -> list[str]:
    """Why this answer cannot stay (empty: it is grounded)."""
    return _answer_reasons(check_text(answer, "answer", index), answer, index)


def _answer_reasons(checks: list[ClaimCheck], answer: str, index: SourceIndex) -> list[str]:
    reasons = [reason for check in checks if check.verdict == UNSUPPORTED for reason in check.reasons]
    reasons += copy_problems(answer, index.ngrams)
    if not answer.strip():
        reasons.append("the answer is empty")
    return list(dict.fromkeys(reasons))


def check_draft(
    draft: Draft, source: SourceDocument, *, now: dt.datetime | None = None
) -> tuple[Draft, GroundingReport]:
    """The draft with its ungrounded answers dropped, and the report of the check."""
    index = SourceIndex(source)
    problems: list[str] = []
    part_claims: list[ClaimCheck] = []
    for name, value in (
        ("title", draft.title),
        ("lead", draft.lead),
        ("body", draft.text),
        ("outro", draft.outro),
    ):
        checks = check_text(value, name, index)
        part_claims += checks
        problems += [f"{name}: {r}" for c in checks if c.verdict == UNSUPPORTED for r in c.reasons]
        problems += [f"{name}: {problem}" for problem in copy_problems(value, index.ngrams)]
    answers: list[AnswerCheck] = []
    kept: list[FaqItem] = []
    for item in draft.faq:
        question = [check_claim(Claim(item.question, "question", True, _yes_no(item.question)), index)]
        part_claims += question
        problems += [
            f"question {item.question!r}: {r}"
            for c in question
            if c.verdict == UNSUPPORTED
            for r in c.reasons
        ]
        checks = check_text(item.answer, "answer", index)
        reasons = _answer_reasons(checks, item.answer, index)
        if not reasons and len(kept) >= MAX_ANSWERS:
            reasons = [f"more than {MAX_ANSWERS} answers"]
        answers.append(AnswerCheck(item.question, not reasons, reasons, checks))
        if not reasons:
            kept.append(item)
    if not draft.title.strip():
        problems.append("title: empty")
    if len(kept) < MIN_ANSWERS:
        problems.append(f"only {len(kept)} grounded answers; at least {MIN_ANSWERS} are needed")
    moment = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    report = GroundingReport(not problems, answers, problems, moment, MAX_COPY_WORDS, part_claims)
    return replace(draft, faq=tuple(kept)), report


def _yes_no(question: str) -> bool:
    return claims_of(question, "question")[0].yes_no if question.strip() else False
