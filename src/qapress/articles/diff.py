"""Comparing two revisions, pure: a unified diff of their fields as text, and a word diff for highlighting.

A revision is rendered as labelled lines (title, lead, each body paragraph, each FAQ item, ...), so a diff
says which part changed; ``difflib`` does the comparing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from qapress.articles.fields import ArticleFields

_TOKENS = re.compile(r"\s+|[^\s]+")


def revision_lines(fields: ArticleFields) -> list[str]:
    """The fields as the lines a diff compares: one per labelled value, paragraph and FAQ part."""
    lines = [f"title: {fields.title}", f"slug: {fields.slug}", f"date: {fields.date or ''}", "lead:"]
    lines += [f"  {line}" for line in fields.lead.splitlines()]
    lines.append("body:")
    for paragraph in fields.text.split("\n\n"):
        if paragraph.strip():
            lines += [f"  {line}" for line in paragraph.splitlines()]
            lines.append("")
    for number, item in enumerate(fields.faq, start=1):
        lines.append(f"Q{number}: {item.question}")
        lines += [f"A{number}: {line}" for line in item.answer.splitlines()]
    lines.append("outro:")
    lines += [f"  {line}" for line in fields.outro.splitlines()]
    lines += [f"image_url: {fields.image_url or ''}", f"image_credit: {fields.image_credit or ''}"]
    return lines


def unified_diff(old: ArticleFields, new: ArticleFields, old_label: str, new_label: str) -> str:
    """The unified diff (three lines of context) from ``old`` to ``new``; empty when they are equal."""
    diff = difflib.unified_diff(
        revision_lines(old), revision_lines(new), fromfile=old_label, tofile=new_label, lineterm=""
    )
    return "\n".join(diff)


@dataclass(frozen=True)
class WordChange:
    """A run of text in a word diff: kept (``equal``), only in the old text, or only in the new."""

    kind: Literal["equal", "removed", "added"]
    text: str


def word_diff(old: str, new: str) -> list[WordChange]:
    """The changes from ``old`` to ``new`` word by word (whitespace kept), for a page to mark up."""
    old_tokens = _TOKENS.findall(old)
    new_tokens = _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    changes: list[WordChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.append(WordChange("equal", "".join(old_tokens[i1:i2])))
            continue
        if i2 > i1:
            changes.append(WordChange("removed", "".join(old_tokens[i1:i2])))
        if j2 > j1:
            changes.append(WordChange("added", "".join(new_tokens[j1:j2])))
    return changes
