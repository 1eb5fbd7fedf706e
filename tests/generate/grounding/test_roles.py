"""Roles (a true `role_prefix` claim must pass, a planted `role_title` error must not): a role that is the
doer of an act the source tells of the person ("writer" where she "wrote", "runner" where he "ran") says
no more than the verb; a role the source gives nobody, or another post, is still unsupported. A source of
its own."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex

SOURCE = SourceDocument(
    title="Harbour play wins award",
    text="\n".join(
        [
            "The producer Idris Mensah said the play would tour next spring after its award on Friday.",
            "Nora Valli, who wrote the play in six weeks, said she was thrilled.",
            "Tom Baird ran the box office for the whole of the first season.",
        ]
    ),
    publisher="The Harbour Times",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


@pytest.mark.parametrize(
    "claim",
    [
        "Writer Nora Valli said she was thrilled.",
        "Producer Idris Mensah said the play would tour next spring.",
    ],
)
def test_a_role_the_source_tells_by_its_verb_or_name_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Director Nora Valli said she was thrilled.",
        "Writer Idris Mensah said the play would tour next spring.",
    ],
)
def test_a_role_the_source_gives_someone_else_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
