"""Claims that cite the source itself ("the article says ...", "according to the report, ...").

Citing the source vouches for nothing: what the claim says the source says is checked as any claim is, so
its attribution is cut off first. Only a sentence that sums the source up ("the report names A, B and C")
is about the source rather than the world; its facts need only be somewhere in the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NOUN = r"(?:source\s+report|report|article|story|source|piece|explainer|coverage|write-up)"
_CITED = rf"(?:the|this|that|today's)\s+(?:[\w'’\-]+\s+){{0,3}}?{_NOUN}"
#: Third-person forms only: "the source report" is a noun phrase, not "the source" reporting.
_VERB = (
    r"(?:says|said|states|stated|reports|reported|notes|noted|finds|found|shows|showed|adds|added|"
    r"claims|claimed|explains|explained|writes|wrote|suggests|suggested|concludes|concluded|"
    r"confirms|confirmed|tells|told|describes|described|points\s+out|pointed\s+out)"
)
_SUMMING = (
    r"(?:also\s+)?(?:names?|named|lists?|listed|mentions?|mentioned|gives?|gave|covers?|includes?|cites?|"
    r"quotes?|quoted|links?|follows?|traces?)\b"
)


def _who(credits: Sequence[str]) -> str:
    names = "|".join(re.escape(name) for name in sorted(credits, key=len, reverse=True) if name)
    return rf"(?:{_CITED}|{names})" if names else _CITED


def cited_content(text: str, credits: Sequence[str] = ()) -> str | None:
    """What a claim says the source says, without the attribution; None when it cites nothing."""
    who = _who(credits)
    stripped = text.strip()
    patterns = (
        rf"^according\s+to\s+{who}\s*,\s*(?P<rest>.+)$",
        rf"^{who}\s+(?:also\s+)?{_VERB}\s+(?:that\s+)?(?P<rest>.+)$",
        rf"^(?:as\s+){who}\s+{_VERB}\s*,\s*(?P<rest>.+)$",
        rf"^(?P<rest>.+?)\s*,\s*(?:according\s+to\s+{who}|{who}\s+{_VERB})\s*(?P<end>[.!?]?)$",
        rf"^(?P<rest>.+?)\s*,\s*{_VERB}\s+{who}\s*(?P<end>[.!?]?)$",
    )
    for pattern in patterns:
        match = re.match(pattern, stripped, re.IGNORECASE | re.DOTALL)
        if match and len(match.group("rest").split()) >= 2:
            rest = match.group("rest").strip()
            rest = rest[0].upper() + rest[1:]
            return rest if re.search(r"[.!?]$", rest) else rest + "."
    return None


def sums_up_source(text: str, credits: Sequence[str] = ()) -> bool:
    """Whether a sentence is about the source rather than the world ("the report names ...",
    "Variety follows the film across several dates")."""
    names = "|".join(re.escape(name) for name in credits if name)
    subject = rf"(?:\b{_NOUN}|^(?:{names}))" if names else rf"\b{_NOUN}"
    return re.search(rf"{subject}\s+{_SUMMING}", text.strip(), re.IGNORECASE) is not None


def quotes_source(text: str, credits: Sequence[str] = ()) -> bool:
    """Whether a sentence quotes the source's own text ("According to Variety: “...”"): an excerpt, whose
    pieces must be the source's words but may come from several of its sentences."""
    who = _who(credits)
    return (
        re.match(rf"^(?:according\s+to\s+{who}|{who}\s+{_VERB})\s*:\s*[“\"‘']", text.strip(), re.IGNORECASE)
        is not None
    )
