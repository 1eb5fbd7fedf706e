"""The aligned verdict: predicate frames read by word order, claims aligned with the source slot by
slot, and what a conflict or a failed alignment makes of a claim. Examples of their own, not the
evaluation set's."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import SUPPORTED, UNSUPPORTED, UNVERIFIED, Claim, SourceIndex, check_claim
from qapress.generate.grounding.frames import AGENT, PATIENT, Frame, frames

SOURCE = SourceDocument(
    title="Ridgeway Athletic sign striker as club sale goes through",
    text="\n".join(
        [
            "Ridgeway Athletic signed the striker Tomas Brezina from Valemont Rovers on Tuesday.",
            "The club was bought by the Hallworth Group in March.",
            "The finance director, Priya Nand, approved the deal and thanked the supporters' trust.",
            "Brezina scored 14 goals last season, finishing two places ahead of Owen Marsh in the scoring chart.",
            "The club's stadium, which opened in 1994, holds 21,300 fans.",
            "Season ticket sales rose from 8,200 to 9,700 this summer.",
            "The club owes the council £2.1m for the new stand.",
            "Brezina married the sprinter Ines Calder in 2021.",
            "The academy trained 40 players this year, and 26 of the 40 players came from the town.",
            "The new stand was shortened from 30 rows to 24 rows after objections.",
            "Fans said the manager rarely criticised his players in public.",
            "A tribunal ordered Valemont Rovers to pay the legal costs of Ridgeway Athletic.",
            "The club is considering a move to a larger ground, and the council could sell it the land.",
        ]
    ),
    publisher="The Ridgeway Echo",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def judged(text: str, index: SourceIndex) -> tuple[str, list[str], list[str]]:
    check = check_claim(Claim(text, "answer"), index)
    return check.verdict, check.reasons, check.slots


def only(text: str, verb: str, previous_person: str | None = None) -> Frame:
    return next(f for f in frames(text, previous_person) if f.word == verb)


def roles_of(frame: Frame) -> dict[str, set[str]]:
    return {slot.role: set(slot.lemmas) for slot in frame.slots}


# -- frames -----------------------------------------------------------------------------------------
def test_subject_is_the_agent_and_object_the_patient() -> None:
    frame = only("The mayor opened the new library.", "opened")
    assert roles_of(frame) == {AGENT: {"mayor"}, PATIENT: {"library"}}


def test_passive_turns_the_by_phrase_into_the_agent() -> None:
    frame = only("The library was opened by the mayor.", "opened")
    assert frame.passive
    assert roles_of(frame) == {PATIENT: {"library"}, AGENT: {"mayor"}}


def test_prepositions_keep_their_roles() -> None:
    frame = only("The museum borrowed two paintings from the gallery for the summer.", "borrowed")
    assert roles_of(frame)["from"] == {"gallery"}
    assert roles_of(frame)["for"] == {"summer"}


def test_by_before_a_figure_measures_and_names_no_agent() -> None:
    frame = only("The bridge was shortened by 40 metres.", "shortened")
    assert AGENT not in roles_of(frame)


def test_a_chain_of_verbs_shares_its_subject() -> None:
    frame = only("The board agreed to pay the builders a bonus.", "pay")
    assert roles_of(frame)[AGENT] == {"board"}
    assert roles_of(frame)[PATIENT] >= {"builder"}


def test_a_coordinated_verb_keeps_the_subject_of_the_first() -> None:
    frame = only("The chairman, Ali Venn, praised the staff and urged the players to stay.", "urged")
    assert roles_of(frame)[AGENT] >= {"chairman", "venn"}


def test_an_object_before_to_is_the_subject_of_the_infinitive() -> None:
    frame = only("The judge ordered the landlord to repay the tenants.", "repay")
    assert roles_of(frame)[AGENT] == {"landlord"}


def test_a_relative_pronoun_refers_to_the_phrase_before_it() -> None:
    frame = only("Maya Ortiz, who founded the choir, conducted the concert.", "founded")
    assert roles_of(frame)[AGENT] == {"maya", "ortiz"}


def test_a_that_clause_has_its_own_subject() -> None:
    frame = only("The report found that tenants owe landlords £3m.", "owe")
    assert roles_of(frame)[AGENT] == {"tenant"}


def test_he_or_she_is_the_person_named_before() -> None:
    frame = only("She thanked the volunteers.", "thanked", previous_person="Ruth Abara")
    assert roles_of(frame)[AGENT] == {"ruth", "abara"}


def test_a_reduced_participle_with_by_is_passive() -> None:
    frame = only("The charity, set up in 2001 by two nurses, runs six shops.", "set")
    assert roles_of(frame).get(AGENT) == {"nurse"}


# -- conflicts: who did what to whom ----------------------------------------------------------------
@pytest.mark.parametrize(
    "claim",
    [
        "Valemont Rovers signed Tomas Brezina from Ridgeway Athletic.",  # from and agent crossed
        "The club bought the Hallworth Group in March.",  # the passive's agent made the patient
        "The council owes the club £2.1m for the new stand.",  # agent and patient crossed
        "Owen Marsh finished two places ahead of Brezina.",  # "ahead of" crossed with the agent
        "Ridgeway Athletic signed Owen Marsh from Valemont Rovers.",  # another name in the source's role
        "A tribunal ordered Ridgeway Athletic to pay Valemont Rovers' legal costs.",  # payer and payee crossed
    ],
)
def test_participants_in_each_others_roles_are_unsupported(claim: str, index: SourceIndex) -> None:
    found, reasons, _ = judged(claim, index)
    assert found == UNSUPPORTED, reasons


def test_a_symmetric_act_reads_both_ways(index: SourceIndex) -> None:
    found, reasons, _ = judged("Ines Calder married Brezina in 2021.", index)
    assert found == SUPPORTED, reasons


@pytest.mark.parametrize(
    "claim",
    [
        "The Hallworth Group bought the club in March.",  # active for the source's passive
        "Tomas Brezina was signed by Ridgeway Athletic from Valemont Rovers.",  # passive for active
        "Brezina finished two places ahead of Owen Marsh.",
        "A tribunal ordered Valemont Rovers to pay Ridgeway Athletic's legal costs.",
    ],
)
def test_the_same_roles_in_another_voice_are_supported(claim: str, index: SourceIndex) -> None:
    found, reasons, slots = judged(claim, index)
    assert found == SUPPORTED, reasons
    assert slots, "a supported claim shows the slots it was aligned on"


# -- direction ---------------------------------------------------------------------------------------
def test_a_change_told_the_other_way_round_is_unsupported(index: SourceIndex) -> None:
    found, reasons, _ = judged("Season ticket sales fell this summer.", index)
    assert found == UNSUPPORTED
    assert reasons[0].startswith("direction")


def test_the_same_change_in_other_words_is_supported(index: SourceIndex) -> None:
    found, reasons, _ = judged("Season ticket sales went up this summer.", index)
    assert found == SUPPORTED, reasons


# -- differences of stated amounts -----------------------------------------------------------------
def test_a_difference_of_two_stated_amounts_of_one_thing(index: SourceIndex) -> None:
    found, reasons, _ = judged("Season ticket sales rose by 1,500 this summer.", index)
    assert found == SUPPORTED, reasons


def test_a_difference_no_two_amounts_make_is_unsupported(index: SourceIndex) -> None:
    found, _, _ = judged("Season ticket sales rose by 1,800 this summer.", index)
    assert found == UNSUPPORTED


def test_the_rest_of_a_stated_part_is_the_part_negated(index: SourceIndex) -> None:
    found, reasons, _ = judged("14 of the 40 players did not come from the town.", index)
    assert found == SUPPORTED, reasons


def test_a_rest_no_stated_part_leaves_is_unsupported(index: SourceIndex) -> None:
    found, _, _ = judged("19 of the 40 players did not come from the town.", index)
    assert found == UNSUPPORTED


def test_by_a_figure_in_words_is_a_measure_not_an_agent(index: SourceIndex) -> None:
    found, reasons, _ = judged("The new stand was shortened by six rows after objections.", index)
    assert found == SUPPORTED, reasons


# -- the frequency scale -------------------------------------------------------------------------
def test_often_where_the_source_says_rarely_is_unsupported(index: SourceIndex) -> None:
    found, _, _ = judged("Fans said the manager often criticised his players in public.", index)
    assert found == UNSUPPORTED


def test_seldom_where_the_source_says_rarely_is_supported(index: SourceIndex) -> None:
    found, reasons, _ = judged("Fans said the manager seldom criticised his players in public.", index)
    assert found == SUPPORTED, reasons


# -- an act the source hedges, told as certain ----------------------------------------------------
@pytest.mark.parametrize(
    "claim",
    ["The club will move to a larger ground.", "The council will sell the club the land."],
)
def test_a_hedged_act_told_as_certain_is_unsupported(claim: str, index: SourceIndex) -> None:
    found, reasons, _ = judged(claim, index)
    assert found == UNSUPPORTED
    assert reasons[0].startswith("hedge dropped")


def test_a_hedged_act_kept_hedged_is_supported(index: SourceIndex) -> None:
    found, reasons, _ = judged("The council could sell the club the land.", index)
    assert found == SUPPORTED, reasons


# -- unaligned acts go to the editor ---------------------------------------------------------------
def test_an_act_no_source_sentence_tells_is_unverified(index: SourceIndex) -> None:
    found, reasons, _ = judged("Priya Nand praised the supporters' trust.", index)
    assert found in (UNVERIFIED, UNSUPPORTED), reasons
    assert found != SUPPORTED


# -- premises of questions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "statement"),
    [
        ("Why was the library closed?", "the library was closed"),
        ("How much have fares gone up?", "fares have gone up"),
        ("Why did the council cut the budget?", "the council cut the budget"),
    ],
)
def test_a_question_takes_its_clause_for_granted_in_its_voice(question: str, statement: str) -> None:
    assert Claim(question, "question", True).statement == statement


def question(text: str, index: SourceIndex) -> tuple[str, list[str]]:
    check = check_claim(Claim(text, "question", True), index)
    return check.verdict, check.reasons


def test_a_premise_told_of_other_participants_is_unsupported(index: SourceIndex) -> None:
    found, reasons = question("Why did Valemont Rovers sign Owen Marsh?", index)
    assert found == UNSUPPORTED, reasons


def test_a_premise_the_source_tells_is_supported(index: SourceIndex) -> None:
    found, reasons = question("Why did Ridgeway Athletic sign Tomas Brezina?", index)
    assert found == SUPPORTED, reasons


def test_a_passive_premise_keeps_its_agent(index: SourceIndex) -> None:
    assert question("Why was the club bought by the Hallworth Group?", index)[0] == SUPPORTED
    assert question("Why was the Hallworth Group bought by the club?", index)[0] == UNSUPPORTED


def test_a_list_that_spells_out_the_object_gives_each_item_its_own_frame() -> None:
    text = (
        "The club sold two players, the winger Kofi Adjei to Brentmoor for £9 million and the goalkeeper"
        " Luke Pardew to Castleford Town."
    )
    items = [roles_of(f) for f in frames(text) if f.word == "sold"]
    assert {"kofi", "adjei"} <= items[1][PATIENT] and "brentmoor" in items[1]["to"]
    assert {"luke", "pardew"} <= items[2][PATIENT] and "castleford" in items[2]["to"]
    assert all(AGENT in item and "club" in item[AGENT] for item in items)


def test_a_clause_after_the_comma_is_no_list_of_the_object() -> None:
    assert [f.word for f in frames("The firm sold the plant, which it built in 1990.")] == ["sold", "built"]


def test_an_item_of_the_list_given_to_the_wrong_party_is_a_reversed_relation() -> None:
    index = SourceIndex(
        SourceDocument(
            title="Harbourside sell two players",
            text="Harbourside sold two players, the winger Kofi Adjei to Brentmoor for £9 million and the"
            " goalkeeper Luke Pardew to Castleford Town for an undisclosed fee.",
            publisher="The Harbour Echo",
        )
    )
    assert (
        check_claim(Claim("Brentmoor sold the winger Kofi Adjei to Harbourside.", "answer"), index).verdict
        == UNSUPPORTED
    )
    assert (
        check_claim(
            Claim("Harbourside sold the goalkeeper Luke Pardew to Castleford Town.", "answer"), index
        ).verdict
        == SUPPORTED
    )
