"""The grounding check every draft passes through, whatever wrote it: claim by claim against the source.

One concept per module: ``claims`` (cutting a draft into claims), ``numbers`` (numbers in every form),
``entities`` (typed names and roles), ``polarity`` (negation, hedges, direction, who did what to whom),
``quotes`` (quotations and speakers), ``source_index`` (the source as the check reads it), ``frames``
(a verb and its participants in their roles, by word order), ``alignment`` (a claim's act aligned with
the source's slot by slot: conflicts, reversed changes, hedged acts), ``scales`` (which way scale words
point: more/fewer, up to/at least), ``transfers`` (who gives an amount to whom, whatever the verb), ``stated_amounts`` (a gap between two
names' amounts the source states apart), ``date_spans`` (days and months between the source's dates),
``verdict`` (one claim judged),
``copying`` (long verbatim copies), ``report`` (the whole draft and its report).
Word lists live in ``data/``.
"""

from __future__ import annotations

from qapress.generate.grounding.claims import Claim, claims_of
from qapress.generate.grounding.copying import MAX_COPY_WORDS, split_quotations
from qapress.generate.grounding.copying import copied_runs as _copied_runs
from qapress.generate.grounding.entities import entities
from qapress.generate.grounding.report import (
    MAX_ANSWERS,
    MIN_ANSWERS,
    AnswerCheck,
    GroundingReport,
    check_answer,
    check_draft,
    check_text,
)
from qapress.generate.grounding.source_index import SourceIndex
from qapress.generate.grounding.verdict import SUPPORTED, UNSUPPORTED, UNVERIFIED, ClaimCheck, check_claim


def copied_runs(text: str, index: SourceIndex) -> list[str]:
    """Runs of more than ``MAX_COPY_WORDS`` consecutive words that ``text`` shares with the source."""
    return _copied_runs(text, index.ngrams)


def names_in(text: str) -> list[str]:
    """The proper names a text claims (sentence openers that are ordinary words are not names)."""
    return [entity.name for entity in entities(text)]


__all__ = [
    "MAX_ANSWERS",
    "MAX_COPY_WORDS",
    "MIN_ANSWERS",
    "SUPPORTED",
    "UNSUPPORTED",
    "UNVERIFIED",
    "AnswerCheck",
    "Claim",
    "ClaimCheck",
    "GroundingReport",
    "SourceIndex",
    "check_answer",
    "check_claim",
    "check_draft",
    "check_text",
    "claims_of",
    "copied_runs",
    "names_in",
    "split_quotations",
]
