"""The questions a kind of story is read for (``key_questions``): a science story asks why it matters, and
the authors' own warning answers it when the story names no deaths or patients."""

from __future__ import annotations

from qapress.generate.draft import SourceDocument
from qapress.generate.facts import extract_facts
from qapress.generate.key_questions import key_questions

STUDY = SourceDocument(
    title="Lake trout numbers bounce back, survey finds",
    text=(
        "Trout in the northern lakes have returned faster than biologists had predicted, according to a study"
        " published on Monday.\n"
        "The research team, led by biologist Ines Marr of the University of Holt, counted fish in 40 lakes"
        " between 2015 and 2025.\n"
        "They found that 60 percent of the lakes had more trout than ten years ago.\n"
        "The authors warn that the recovery is fragile.\n"
    ),
)


def test_a_science_story_asks_why_it_matters_from_the_authors_warning() -> None:
    planned = key_questions(extract_facts(STUDY))
    why = [q for q in planned if q.aspect == "why"]
    assert why and why[0].question == "Why does it matter?"
    assert extract_facts(STUDY).sentences[why[0].evidence[0]].text.startswith("The authors warn")
