"""A draft's title: the headline's news in the draft's own words, never the headline or a cut of it."""

from __future__ import annotations

import pytest

from qapress.generate.titles import (
    agreeing,
    best_title,
    headline_variants,
    headline_words,
    in_headline,
    near_copy,
    news_overlap,
    reordered_headlines,
)

HEADLINE = "Orre Steel cuts 400 jobs as demand for ship steel falls"


def always(_: str) -> bool:
    return True


def no_copies(_: str) -> int:
    return 0


def test_the_headline_and_its_cuts_are_in_the_headline() -> None:
    assert in_headline(HEADLINE, HEADLINE)
    assert in_headline("Orre Steel cuts 400 jobs", HEADLINE)
    assert in_headline("orre steel cuts 400 jobs", HEADLINE)  # case is no change of words
    assert not in_headline("Demand for ship steel falls: Orre Steel cuts 400 jobs", HEADLINE)


@pytest.mark.parametrize(
    ("title", "near"),
    [
        ("Orre Steel cuts 400 jobs as demand for steel falls", True),  # one word dropped
        ("Orre Steel cuts 400 posts as demand for ship steel falls", True),  # one word swapped
        ("Demand for ship steel falls: Orre Steel cuts 400 jobs", False),  # the parts in another order
        ("Steelmaker in Orre to shed 400 staff", False),
    ],
)
def test_a_near_copy_is_the_headline_reworded_by_a_word_or_two(title: str, near: bool) -> None:
    assert near_copy(title, HEADLINE) is near


def test_a_title_that_leaves_out_who_and_how_many_tells_less_of_the_news() -> None:
    full = news_overlap("Demand for ship steel falls: Orre Steel cuts 400 jobs", HEADLINE)
    vague = news_overlap("Demand for ship steel falls", HEADLINE)
    nameless = news_overlap("Steelmaker cuts jobs as demand falls", HEADLINE)
    assert full == pytest.approx(1.0)
    assert vague < full and nameless < full
    assert news_overlap("Anything at all", "") == 0.0


@pytest.mark.parametrize(
    ("title", "headline", "text", "agreed"),
    [
        # a plural name the source writes with "The": the verb in the plural
        (
            "The Carrow Cyclones wins the national cup",
            "Carrow Cyclones take the cup",
            "The Carrow Cyclones won the national cup on Sunday.",
            "The Carrow Cyclones win the national cup",
        ),
        # the headline says "Rovers sign": the title follows it
        (
            "Marrow Valley Rovers signs striker Paulo Dent",
            "Marrow Valley Rovers sign striker Paulo Dent from Eastgate United",
            "Marrow Valley Rovers have signed striker Paulo Dent.",
            "Marrow Valley Rovers sign striker Paulo Dent",
        ),
        # a firm's name in the singular stays singular
        (
            "Harbor Foods agrees to buy GreenLeaf Grocers",
            "Harbor Foods agrees $1.2 billion takeover of GreenLeaf Grocers",
            "Harbor Foods agreed to buy GreenLeaf Grocers.",
            "Harbor Foods agrees to buy GreenLeaf Grocers",
        ),
        # a common noun subject is left as it is
        (
            "Central bank raises its main interest rate",
            "Central bank raises interest rate to 3.25 percent",
            "The central bank raised its main interest rate.",
            "Central bank raises its main interest rate",
        ),
    ],
)
def test_the_verb_agrees_with_a_plural_name(title: str, headline: str, text: str, agreed: str) -> None:
    assert agreeing(title, headline, text) == agreed


def test_the_best_title_is_never_the_headline_nor_a_cut_of_it() -> None:
    chosen = best_title(
        [HEADLINE, "Orre Steel cuts 400 jobs", "Demand for ship steel falls: Orre Steel cuts 400 jobs"],
        HEADLINE,
        "",
        always,
        no_copies,
    )
    assert chosen == "Demand for ship steel falls: Orre Steel cuts 400 jobs"
    assert best_title([HEADLINE, "Orre Steel cuts 400 jobs"], HEADLINE, "", always, no_copies) == ""


def test_the_best_title_copies_fewest_words_and_is_said_anew_before_a_near_copy() -> None:
    near = "Orre Steel cuts 400 jobs as demand for steel falls"
    copying = "Demand for ship steel falls: Orre Steel cuts 400 jobs"
    anew = "Orre Steel to shed 400 jobs as ship steel demand falls"
    copies = {near: 0, copying: 6, anew: 0}
    assert best_title([near, copying, anew], HEADLINE, "", always, copies.__getitem__) == anew
    # without the one said anew, a title in other words beats a near copy even when it copies a run
    assert best_title([near, copying], HEADLINE, "", always, copies.__getitem__) == copying


def test_the_best_title_tells_the_headline_s_news_and_the_check_supports_it() -> None:
    other_news = "Steel prices are expected to rise next year"
    good = "Demand for ship steel falls: Orre Steel cuts 400 jobs"
    assert best_title([other_news], HEADLINE, "", always, no_copies) == ""
    assert best_title([good], HEADLINE, "", lambda title: title != good, no_copies) == ""
    too_long = "Demand for ship steel falls across the whole region: Orre Steel cuts 400 jobs"
    assert best_title([too_long, "Steel jobs cut"], HEADLINE, "", always, no_copies) == ""


def test_the_cause_goes_first_and_the_outcome_after_a_colon() -> None:
    assert reordered_headlines(HEADLINE, "") == ["Demand for ship steel falls: Orre Steel cuts 400 jobs"]
    assert reordered_headlines("Gull Island coastal trail reopens after storm repairs", "") == [
        "Storm repairs: Gull Island coastal trail reopens"
    ]
    # an ordinary word the source writes in lower case loses its capital after the colon
    assert reordered_headlines(
        "Rail strike called off after drivers accept 6% pay offer", "The rail strike was called off."
    ) == ["Drivers accept 6% pay offer: rail strike called off"]


@pytest.mark.parametrize(
    "headline",
    [
        "Carrow film festival names Hanne Lyst as its new director",  # "as" says what she is
        "Port Alder jazz club The Blue Buoy closes after 45 years",  # a span, no cause
    ],
)
def test_no_cause_is_made_of_a_phrase(headline: str) -> None:
    assert not any(":" in title for title in reordered_headlines(headline, ""))


def test_a_time_ending_the_headline_may_open_the_title() -> None:
    found = reordered_headlines(
        "Port Alder schools will ban phones in classrooms from August", "Schools in Port Alder"
    )
    assert found == ["From August, Port Alder schools will ban phones in classrooms"]


def test_headline_variants_are_reworded_and_cut_where_a_phrase_ends() -> None:
    found = headline_variants("Snow closes the mountain pass between Vell and Orre for four days", str.upper)
    assert "Snow closes mountain pass between Vell and Orre for four days" in found  # article dropped
    assert "Snow closes the mountain pass between Vell and Orre" in found  # cut before "for"
    assert "SNOW CLOSES THE MOUNTAIN PASS BETWEEN VELL AND ORRE FOR FOUR DAYS" in found  # reworded
    assert all(len(title.split()) >= 4 for title in found)


def test_a_title_never_ends_on_a_word_left_hanging() -> None:
    # "for the first time" cut from "for the first time in 26 years" says other news
    hanging = "Kestrel City reaches the cup final for the first time"
    assert best_title([hanging], "Kestrel City reach the cup final", "", always, no_copies) == ""


def test_who_says_it_may_open_the_title() -> None:
    found = reordered_headlines(
        "Coral reefs recovering faster than expected, global survey finds", "the coral cover grew"
    )
    assert found == ["Global survey finds coral reefs recovering faster than expected"]
    # a name keeps its capital after the speaker
    assert reordered_headlines("Comet Varga now visible with binoculars, Hollin Observatory says", "") == [
        "Hollin Observatory says Comet Varga now visible with binoculars"
    ]


@pytest.mark.parametrize(
    ("title", "text", "said"),
    [
        # an amount as a headline writes it
        (
            "Port Alder council approves a 2026 budget of 212 million euros",
            "",
            ["Port Alder council approves a 2026 budget of €212m"],
        ),
        # the place before what is in it, an ordinary word losing its capital
        ("Measles cases in Carrow rise to 19", "have caught measles", ["Carrow measles cases rise to 19"]),
        # never when the place does not end the subject ("in Marrow Valley orchards")
        ("Bees in Marrow Valley orchards are dying", "the bees", []),
    ],
)
def test_a_title_in_a_headline_s_words(title: str, text: str, said: list[str]) -> None:
    assert headline_words(title, text) == said


def test_a_title_says_what_happens_not_only_that_something_will() -> None:
    headline = "Carrow marathon moves its start to 7 a.m. to beat the heat"
    thin = "The Carrow marathon will start"
    told = "Carrow marathon start moved to 7 a.m. because of the heat"
    assert best_title([thin], headline, "", always, no_copies, least_news=0.3) == ""
    assert best_title([thin, told], headline, "", always, no_copies, least_news=0.3) == told
