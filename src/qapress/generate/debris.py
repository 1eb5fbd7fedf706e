"""Page debris in extracted news text: lines and phrases that belong to the web page, not the story.

Extractors leave behind sign-up prompts, "in the video above", share buttons, "Read more" links and
datelines ("LONDON (Reuters) -"). A draft must not repeat them, and a fact must not be read out of them.
"""

from __future__ import annotations

import re

#: Whole lines or sentences that are page furniture.
DEBRIS_SENTENCE = re.compile(
    r"^(?:sign up|subscribe|register|log in|follow us|share this|read more|related:|advertisement|"
    r"click here|download our app|get our|join our|listen to|watch:|more on this story|"
    r"this article (?:was|has been) (?:updated|amended|corrected)|all rights reserved|copyright)\b"
    r"|\b(?:sign up (?:for|to) (?:our|the) \w*\s*newsletters?|in the (?:video|player|clip|gallery) "
    r"(?:above|below)|watch the (?:video|clip)|(?:click|tap) (?:here|the link)|cookie settings|"
    r"enable javascript)\b",
    re.IGNORECASE,
)
#: "LONDON (Reuters) - ", "PARIS, March 3 (AFP) — ", "WASHINGTON — ": a dateline before the first sentence.
DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'\-]{2,40})(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2})?\s*(?:\([A-Za-z .]{2,30}\))?\s*[-—–]+\s+"
)
#: Phrases inside a sentence that point at the page: "(pictured)", "(see video above)".
DEBRIS_PHRASE = re.compile(
    r"\s*\((?:pictured|above|below|left|right|see (?:video|photo|picture|above|below)[^)]*)\)"
    r"|,?\s+(?:as seen|as shown|pictured) in the (?:video|photo|image|picture) (?:above|below)",
    re.IGNORECASE,
)


def is_debris(sentence: str) -> bool:
    """Whether a sentence is page furniture rather than part of the story."""
    return bool(DEBRIS_SENTENCE.search(sentence.strip()) or DEBRIS_PHRASE.search(sentence))


def clean_sentence(sentence: str) -> str:
    """The sentence without a leading dateline (what is left is still the source's text, word for word)."""
    return DATELINE.sub("", sentence).strip()
