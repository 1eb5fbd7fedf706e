"""What the claim-by-claim check says of a whole sentence, for the rule tests."""

from __future__ import annotations

from qapress.generate.grounding import UNSUPPORTED, SourceIndex, check_text


def worst(text: str, index: SourceIndex, part: str = "answer") -> str:
    """The worst verdict among ``text``'s claims: unsupported if any claim is, else the first claim's."""
    verdicts = [c.verdict for c in check_text(text, part, index)]
    return UNSUPPORTED if UNSUPPORTED in verdicts else verdicts[0]
