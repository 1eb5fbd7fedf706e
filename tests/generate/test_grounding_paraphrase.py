"""General paraphrase knowledge the check needs so that true claims are not dropped, and the slot-by-slot
alignment that stops planted errors: one test per rule, each on a general example of its own (not the
evaluation set in bench/grounding_eval)."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import UNSUPPORTED, UNVERIFIED, SourceIndex, check_text
from qapress.generate.grounding.numbers import normalize_numbers, quantities


def _values(text: str) -> list[tuple[float, str]]:
    return [(q.value, q.kind) for q in quantities(normalize_numbers(text))]


def _verdict(source: str, claim: str, title: str = "A report") -> tuple[str, list[str]]:
    index = SourceIndex(SourceDocument(title=title, text=source, publisher="The Test Gazette"))
    checks = check_text(claim, "answer", index)
    worst = next((c for c in checks if c.verdict == UNSUPPORTED), None) or next(
        (c for c in checks if c.verdict == UNVERIFIED), checks[0]
    )
    return worst.verdict, worst.reasons


# -- number forms ----------------------------------------------------------------------------------------


def test_an_ordinal_word_before_its_noun_is_a_rank_not_a_share() -> None:
    assert _values("The river flooded for a third winter running.") == [(3.0, "ordinal")]
    assert _values("Sales fell by a third last year.") == [(pytest.approx(0.333333), "fraction")]
    assert _values("A fifth of the staff left.") == [(0.2, "fraction")]


def test_tenths_sixths_and_eighths_are_shares() -> None:
    assert quantities(normalize_numbers("about a tenth of the rice"))[0].same_as(
        quantities(normalize_numbers("10% of the rice"))[0]
    )
    assert _values("an eighth of the budget") == [(0.125, "fraction")]


def test_a_short_scale_without_a_currency_before_a_plural_noun_is_millions() -> None:
    assert _values("The port handled 3.5m containers.") == [(3_500_000.0, "count")]
    assert _values("a fleet worth 1.2bn") == [(1_200_000_000.0, "count")]
    # "m" before a singular noun is metres, left as written.
    assert _values("She won the 400m final.")[0][0] == 400.0


def test_a_cardinal_word_joined_by_a_hyphen_is_a_number() -> None:
    assert _values("a four-day week") == [(4.0, "count")]
    assert _values("a one-off payment") == []
    assert _values("He is forty-one.") == [(41.0, "count")]


def test_decades_and_centuries_are_years() -> None:
    assert _values("She coached there for a decade.") == [(10.0, "count")]
    assert _values("two decades ago") == [(20.0, "count")]
    assert _values("half a century") == [(50.0, "count")]


def test_a_hyphened_ordinal_is_a_rank() -> None:
    assert _values("the fourth-largest bank") == [(4.0, "ordinal")]


def test_number_forms_are_supported_and_other_values_are_not() -> None:
    source = "Ferry operator Calloway carries 2.6 million passengers a year. It is the region's fourth-largest operator."
    assert _verdict(source, "Calloway carries 2.6m passengers a year.")[0] == "supported"
    assert _verdict(source, "Calloway is the region's fifth-largest operator.")[0] == UNSUPPORTED


# -- quotations -------------------------------------------------------------------------------------------

_QUOTED = (
    'The mayor, Ruth Oakes, defended the budget. "We did not cut the bus grant. We cut the parking budget to'
    ' pay for it," Oakes said.'
)


def test_an_ellipsis_that_joins_two_sentences_of_a_quotation_is_a_splice() -> None:
    verdict, reasons = _verdict(_QUOTED, "Oakes said: “We did not cut … the parking budget to pay for it.”")
    assert verdict == UNSUPPORTED
    assert "spliced" in reasons[0]


def test_an_ellipsis_inside_one_sentence_of_a_quotation_is_a_cut() -> None:
    source = '"We cut the parking budget to pay for the bus grant, and we would do it again," Oakes said.'
    assert (
        _verdict(source, "Oakes said: “We cut the parking budget … and we would do it again.”")[0]
        == "supported"
    )


# -- roles ------------------------------------------------------------------------------------------------

_ROLES = (
    "The museum's deputy director, Helen Marsh, opened the wing. Councillor Omar Reid, who chairs the"
    " arts panel, praised it. Tom Byrne, who worked there for years as a guide, retired. The Liberal group"
    " leader, Councillor Jo Finch, was absent."
)


def test_a_role_keeps_the_words_that_make_it_another_post() -> None:
    assert _verdict(_ROLES, "The museum's deputy director, Helen Marsh, opened the wing.")[0] == "supported"
    verdict, reasons = _verdict(_ROLES, "The museum's director, Helen Marsh, opened the wing.")
    assert verdict == UNSUPPORTED  # a deputy director is not the director
    verdict, reasons = _verdict(_ROLES, "The museum's managing director, Helen Marsh, opened the wing.")
    assert verdict == UNSUPPORTED and "managing director" in reasons[0]


def test_a_possessive_appositive_role_is_checked() -> None:
    verdict, reasons = _verdict(_ROLES, "The museum's curator, Helen Marsh, opened the wing.")
    assert verdict == UNSUPPORTED and "curator" in reasons[0]


def test_a_role_told_by_a_verb_or_by_as_is_the_same_role() -> None:
    assert _verdict(_ROLES, "Panel chair Omar Reid praised the wing.")[0] == "supported"
    assert _verdict(_ROLES, "Former guide Tom Byrne retired.")[0] == "supported"


def test_an_appositive_role_before_a_title_is_kept() -> None:
    assert _verdict(_ROLES, "Liberal group leader Jo Finch was absent.")[0] == "supported"


# -- nationality words ------------------------------------------------------------------------------------

_ORIGIN = "The coach, Pia Lund, who was born in Estonia, joined the club in 2019. Estonia's share rose to 8%."


def test_a_born_nationality_word_is_the_place_of_birth() -> None:
    assert _verdict(_ORIGIN, "The Estonian-born coach joined the club in 2019.")[0] == "supported"
    verdict, reasons = _verdict(_ORIGIN, "The Latvian-born coach joined the club in 2019.")
    assert verdict == UNSUPPORTED and "Latvian" in reasons[0]


def test_a_nationality_word_at_a_sentence_start_is_not_a_name() -> None:
    assert _verdict(_ORIGIN, "The Estonian coach Pia Lund joined the club in 2019.")[0] == "supported"


# -- stated differences -----------------------------------------------------------------------------------

_HISTORY = (
    "Ruth Ames opened the bakery in Dunmore in 1984. She sold it to her nephew in 2016; he closed it in"
    " 2021. Her team's lead in the league fell to 9 points, down from 14 before the final round."
)


def test_a_span_of_years_between_two_dated_events_is_stated() -> None:
    assert _verdict(_HISTORY, "Ruth Ames ran the bakery for 32 years before she sold it.")[0] == "supported"
    assert _verdict(_HISTORY, "Ruth Ames ran the bakery for 30 years before she sold it.")[0] == UNSUPPORTED


def test_a_bare_figure_beside_points_counts_points() -> None:
    assert _verdict(_HISTORY, "Her team's lead in the league shrank by 5 points.")[0] == "supported"
    assert _verdict(_HISTORY, "Her team's lead in the league shrank by 6 points.")[0] == UNSUPPORTED


def test_a_number_after_a_name_that_counts_something_is_no_part_of_the_name() -> None:
    from qapress.generate.grounding.entities import entities

    assert [e.name for e in entities("She joined the Gazette 11 years later.")] == ["Gazette"]
    assert [e.name for e in entities("Heat 2 opens on Friday.")] == ["Heat 2"]


# -- dates ------------------------------------------------------------------------------------------------

_DATED = "The ferry service will restart on 21 April. The pier was built on 9 June 1898."


def test_a_day_written_before_its_month_is_compared() -> None:
    assert _verdict(_DATED, "The ferry service restarts on 21 April.")[0] == "supported"
    verdict, reasons = _verdict(_DATED, "The ferry service restarts on 1 April.")
    assert verdict == UNSUPPORTED and "1 April" in reasons[0]


def test_the_year_of_a_full_date_is_compared() -> None:
    assert _verdict(_DATED, "The pier was built on 9 June 1898.")[0] == "supported"
    assert _verdict(_DATED, "The pier was built on 9 June 1899.")[0] == UNSUPPORTED


def test_fall_the_verb_is_no_season() -> None:
    source = "Rice exports fell by 12% in the autumn."
    assert _verdict(source, "Rice exports fell by 12%.")[0] == "supported"
    index = SourceIndex(SourceDocument(title="Rice", text=source, publisher="The Test Gazette"))
    from qapress.generate.grounding import Claim, check_claim

    assert (
        check_claim(Claim("How much did rice exports fall?", "question", True), index).verdict != UNSUPPORTED
    )
    assert _verdict(source, "Rice exports fell by 12% in the fall of 2020.")[0] == UNSUPPORTED


def test_a_symmetric_relation_told_the_other_way_round_is_the_same_fact() -> None:
    source = "The novelist Ada Crane married the painter Leo Marsh in 1961."
    assert _verdict(source, "Painter Leo Marsh married Ada Crane in 1961.")[0] == "supported"


def test_the_side_of_a_vote_is_compared() -> None:
    source = "Councillor Ben Ross, who voted against the budget, said it was rushed. The budget passed."
    assert _verdict(source, "Ben Ross voted against the budget.")[0] == "supported"
    verdict, reasons = _verdict(source, "Ben Ross voted for the budget.")
    assert verdict == UNSUPPORTED and "against" in reasons[0]
    assert _verdict(source, "Ben Ross voted in favour of the budget.")[0] == UNSUPPORTED
