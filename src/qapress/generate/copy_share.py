"""How much of a draft is the source's own words: the measure behind "copied words at most 25%".

A draft word counts as copied when it sits inside a run of at least ``MIN_RUN`` consecutive words that also
appears, in that order, in the source (quotations included: a quote is the source's words too). The share is
copied words over all the draft's words. The grounding check's ``copying`` module forbids long copies outside
attributed quotes; this measure is the editor's figure for the whole draft.
"""

from __future__ import annotations

from qapress.generate.draft import Draft, SourceDocument
from qapress.generate.text import words

MIN_RUN = 6
MAX_SHARE = 0.25


def draft_words(draft: Draft) -> list[list[str]]:
    """The word runs of a draft as a reader sees them: title, lead, body, each question and answer, outro.

    Parts are kept apart so that a run never spans the end of one part and the start of the next."""
    parts = [draft.title, draft.lead, *draft.body]
    for item in draft.faq:
        parts += [item.question, item.answer]
    parts.append(draft.outro)
    return [words(part) for part in parts if part.strip()]


def source_runs(source: SourceDocument | str) -> set[tuple[str, ...]]:
    """Every run of ``MIN_RUN`` consecutive words of the source (headline and text)."""
    text = source if isinstance(source, str) else f"{source.title}\n{source.text}"
    runs: set[tuple[str, ...]] = set()
    for line in text.split("\n"):
        tokens = words(line)
        runs.update(tuple(tokens[i : i + MIN_RUN]) for i in range(len(tokens) - MIN_RUN + 1))
    return runs


def copied_flags(tokens: list[str], runs: set[tuple[str, ...]]) -> list[bool]:
    """For each word, whether it lies inside a run of ``MIN_RUN`` or more words the source also has."""
    flags = [False] * len(tokens)
    for i in range(len(tokens) - MIN_RUN + 1):
        if tuple(tokens[i : i + MIN_RUN]) in runs:
            for j in range(i, i + MIN_RUN):
                flags[j] = True
    return flags


def text_share(text: str, source: SourceDocument | str) -> float:
    """The copied share of one piece of text."""
    tokens = words(text)
    flags = copied_flags(tokens, source_runs(source))
    return sum(flags) / len(tokens) if tokens else 0.0


def copied_share(draft: Draft, source: SourceDocument) -> float:
    """Copied words over all words of the draft (0.0 for an empty draft)."""
    runs = source_runs(source)
    total = copied = 0
    for tokens in draft_words(draft):
        total += len(tokens)
        copied += sum(copied_flags(tokens, runs))
    return copied / total if total else 0.0
