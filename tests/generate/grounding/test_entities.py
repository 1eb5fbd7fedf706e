"""Names and the roles the source gives them, in the forms news copy writes them: a role told by a
passive verb ("the jury, chaired by the actor Siobhan Kearney"), a second role told by a verb later in
the apposition ("an engineer who chairs the residents' group"), a post of something before the name
("The council's head of highways, Adrian Castellano"), and names that begin with "New" ("New Zealand")."""

from __future__ import annotations

import pytest
from tests.generate.verdicts import worst

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, SourceIndex
from qapress.generate.grounding.entities import entities


@pytest.mark.parametrize(
    ("text", "name", "roles"),
    [
        ("The jury, chaired by the Irish actor Siobhan Kearney, met.", "Siobhan Kearney", {"actor", "chair"}),
        ("The inquiry, led by Anne Holt, reported.", "Anne Holt", {"leader"}),
        (
            "Martin Gallo, a retired engineer who chairs the residents' group, spoke.",
            "Martin Gallo",
            {"engineer", "chair"},
        ),
        ("The council's head of highways, Adrian Castellano, spoke.", "Adrian Castellano", {"head"}),
        (
            "The chair of the judges, the Scottish novelist Alasdair Crane, spoke.",
            "Alasdair Crane",
            {"chair", "novelist"},
        ),
        ("Ann Lee, who chairs the board, said so.", "Ann Lee", {"chair"}),
        ("The owners of the club, Ann Lee said, were away.", "Ann Lee", set()),
    ],
)
def test_the_roles_a_source_gives_a_name(text: str, name: str, roles: set[str]) -> None:
    found = {e.name: set(e.roles) for e in entities(text)}
    assert found[name] == roles


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("She is from New Zealand.", ["New Zealand"]),
        ("She moved to New York in 2003.", ["New York"]),
        ("New Zealand won the final.", ["New Zealand"]),
        ("New chief executive Ann Lee said so.", ["Ann Lee"]),
    ],
)
def test_a_name_that_begins_with_new(text: str, names: list[str]) -> None:
    assert [e.name for e in entities(text)] == names


SOURCE = SourceDocument(
    title="Harbour film prize",
    text="\n".join(
        [
            "The jury, chaired by the Welsh director Carys Pugh, gave the prize to Low Water.",
            "The festival's head of programming, Tomas Ekberg, said ticket sales were up.",
            "Ruth Ansel, a retired nurse who chairs the friends' association, said the cinema needs a new roof.",
            "The award was presented by Lena Marsh, a New Zealander.",
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
        "Carys Pugh, who chaired the jury, is a Welsh director.",
        "Ruth Ansel, who chairs the friends' association, is a retired nurse.",
        "Tomas Ekberg is the festival's head of programming.",
        "Lena Marsh is from New Zealand.",
    ],
)
def test_a_role_or_place_the_source_gives_passes(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == SUPPORTED


@pytest.mark.parametrize(
    "claim",
    [
        "Tomas Ekberg, who chaired the jury, said ticket sales were up.",
        "Carys Pugh, the festival's head of programming, gave the prize to Low Water.",
        "Lena Marsh is from Australia.",
    ],
)
def test_a_role_or_place_the_source_gives_someone_else_is_unsupported(index: SourceIndex, claim: str) -> None:
    assert worst(claim, index) == UNSUPPORTED
