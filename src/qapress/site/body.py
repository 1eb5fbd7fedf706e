"""An article's text as blocks: paragraphs and headings, from the plain text stored in ``qa_ai.text``.

The stored format is plain text: blocks separated by blank lines; a block that starts with ``## `` or
``### `` is a heading (as the generator writes them). Nothing in the text is markup: every block is
escaped when rendered, so a ``<script>`` in an article is shown as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_BLANK_LINES = re.compile(r"\n\s*\n")
_HEADING = re.compile(r"^(#{2,3})\s+(.+)$", re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One block of an article body: ``kind`` is ``"p"``, ``"h2"`` or ``"h3"``."""

    kind: Literal["p", "h2", "h3"]
    text: str


def parse_body(text: str) -> list[Block]:
    """Split a body into blocks; lines inside a paragraph are joined by spaces."""
    blocks: list[Block] = []
    for raw in _BLANK_LINES.split(text.replace("\r\n", "\n").strip()):
        chunk = " ".join(line.strip() for line in raw.splitlines() if line.strip())
        if not chunk:
            continue
        heading = _HEADING.match(chunk)
        if heading:
            blocks.append(Block("h2" if len(heading.group(1)) == 2 else "h3", heading.group(2).strip()))
        else:
            blocks.append(Block("p", chunk))
    return blocks
