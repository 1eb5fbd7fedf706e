"""A draft cut into claims: every sentence of the title, lead, body, questions and answers.

Sentences come from pysbd (abbreviations, initials and quotes handled); a question becomes the statement it
takes for granted ("Why did the council reject the plan?" claims the council rejected it).
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

import lemminflect
import pysbd

from qapress.generate.text import normalize

_WH = re.compile(
    r"^(?:why|when|where|how(?:\s+(?:much|many|long|often|far|big))?|what|which|who|whom|whose)\b\s*"
    r"(?:(?:did|does|do|is|are|was|were|has|have|had|will|would|could|can|should)\s+)?",
    re.IGNORECASE,
)
_YES_NO = re.compile(
    r"^(?:is|are|was|were|did|does|do|has|have|had|will|would|could|can|should)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Claim:
    """One sentence of a draft, with the part of the draft it comes from."""

    text: str
    part: str  # title, lead, body, outro, question, answer
    question: bool = False
    yes_no: bool = False

    @property
    def statement(self) -> str:
        """What the claim asserts: a question's presupposition, else the sentence itself."""
        if not self.question:
            return self.text
        text = self.text.strip()
        rest = _WH.sub("", text).rstrip("?").strip()
        auxiliary = _WH.match(text)
        helper = (auxiliary.group(0).split()[-1].lower() if auxiliary else "") if rest != text else ""
        if helper in _KEPT:
            # "Why was the school closed?" takes for granted that the school *was* closed: the
            # auxiliary goes back before the participle, the voice stays passive.
            words = rest.split()
            at = next((i for i, w in enumerate(words) if i and _participle(w)), None)
            if at is not None:
                return " ".join([*words[:at], helper, *words[at:]])
        return rest


_KEPT = {"is", "are", "was", "were", "has", "have", "had"}


def _participle(word: str) -> bool:
    """Whether a word is a past participle ("closed", "bought", "gone")."""
    lower = word.lower().strip(",.;:")
    forms = lemminflect.getAllLemmas(lower)
    if "VERB" not in forms or lower.endswith("ing"):
        return False
    return lower in lemminflect.getInflection(forms["VERB"][0], tag="VBN")


_LOCAL = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """One segmenter per thread: pysbd keeps state while it segments (shared, threads break it)."""
    segmenter: pysbd.Segmenter | None = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        segmenter = _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


def sentences_of(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph."""
    result: list[str] = []
    for paragraph in normalize(text).split("\n"):
        if paragraph.strip():
            result += _paragraph_sentences(paragraph)
    return result


@functools.lru_cache(maxsize=8192)
def _paragraph_sentences(paragraph: str) -> tuple[str, ...]:
    """pysbd is slow (its rules are regular expressions built per call) and a source's paragraphs are segmented
    again for every check of every draft made from it: each paragraph once per process."""
    return tuple(piece.strip() for piece in _segmenter().segment(paragraph) if piece.strip())


def asks_yes_no(question: str) -> bool:
    """Whether a question asks yes or no ("Has the council paid?"): it takes nothing for granted."""
    return bool(_YES_NO.match(question.strip()))


def claims_of(text: str, part: str) -> list[Claim]:
    """Every sentence of one part of a draft as a claim."""
    found: list[Claim] = []
    for sentence in sentences_of(text):
        question = sentence.rstrip().endswith("?") or part == "question"
        yes_no = question and asks_yes_no(sentence)
        found.append(Claim(sentence, part, question and sentence.rstrip().endswith("?"), yes_no))
    return found
