"""The rules of the check added for issue 11's weak kinds, one test per error kind and per false alarm,
on a source of their own (not the evaluation set in bench/grounding_eval)."""

from __future__ import annotations

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.grounding import (
    SUPPORTED,
    UNSUPPORTED,
    UNVERIFIED,
    Claim,
    SourceIndex,
    check_claim,
    check_text,
)
from qapress.generate.grounding.attribution import cited_content, sums_up_source
from qapress.generate.grounding.numbers import normalize_numbers, quantities

SOURCE = SourceDocument(
    title="Harlow tram drivers' strike called off as Fenns add second Harlow show",
    text="\n".join(
        [
            "A 48-hour strike by tram drivers in Harlow, which had been due to begin on Friday, has been"
            " called off after drivers voted to accept a new pay offer.",
            "The offer gives drivers a 5% rise now and a further 2% next April, up from the 3% first offered"
            " in May.",
            "Harlow's new Vega tram weighs 30 tonnes, about 4 tonnes lighter than the older Orion.",
            "The band was formed in 2015 by singer Mara Quill and drummer Ed Fenn. It has released two"
            " albums. Its label is based in Leeds.",
            "Quill said the band had not expected the demand.",
            "Tickets for their first show sold out in ten minutes. The Fenns will play Harlow Arena on May 5.",
            "Independent testers have not yet checked the venue's new sound system.",
            "The city council hired the engineers in April.",
        ]
    ),
    publisher="The Harlow Post",
)


@pytest.fixture(scope="module")
def index() -> SourceIndex:
    return SourceIndex(SOURCE)


def verdict(text: str, index: SourceIndex, part: str = "answer") -> tuple[str, list[str]]:
    if part == "question":
        check = check_claim(Claim(text, "question", True), index)
        return check.verdict, check.reasons
    checks = check_text(text, part, index)
    worst = next((c for c in checks if c.verdict == UNSUPPORTED), None) or next(
        (c for c in checks if c.verdict == UNVERIFIED), checks[0]
    )
    return worst.verdict, worst.reasons


ERRORS = [
    # A claim citing the source is checked for what it says the source says (the loophole of issue 11).
    ("cited_number", "According to the report, the strike would have lasted 72 hours.", "72"),
    ("cited_number", "The article says drivers get a 7% rise now.", "7%"),
    ("cited_trailing", "Drivers get a 9% rise now, the Harlow Post reported.", "9%"),
    # A number the source has, but for another figure of the same sentence.
    ("number_slot", "Drivers get a further three percent next April.", "for something else"),
    # A comparison told the other way round, with its names swapped or its way turned.
    ("reversed_comparison", "The Orion is lighter than the Vega.", "reversed comparison"),
    ("reversed_comparison", "The Vega is about 4 tonnes heavier than the Orion.", "reversed comparison"),
    # An event the source says is called off, told as going ahead, and the other way round.
    ("called_off", "Harlow tram drivers to strike for 48 hours from Friday", "called off"),
    ("called_off", "Why was the first Fenns show cancelled?", "cancel"),
    # Who did what to whom, where the best sentence for the claim is a headline.
    ("reversed_relation", "The engineers hired the city council in April.", "reversed relation"),
]


@pytest.mark.parametrize(
    ("kind", "claim", "reason"), ERRORS, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(ERRORS)]
)
def test_each_planted_error_is_unsupported(kind: str, claim: str, reason: str, index: SourceIndex) -> None:
    part = "question" if claim.endswith("?") else "title" if not claim.endswith(".") else "answer"
    found, reasons = verdict(claim, index, part)
    assert found == UNSUPPORTED, (kind, reasons)
    assert any(reason in r for r in reasons), reasons


TRUE = [
    ("cited_true", "According to the report, the strike would have lasted 48 hours."),
    ("cited_true", "Drivers get a 5% rise now, the Harlow Post reported."),
    # Measures at another scale, and hours written with a hyphen.
    ("number_form", "The Vega weighs 30,000 kilograms."),
    ("number_form", "The strike would have lasted forty-eight hours."),
    # A difference or sum of stated measures, in another unit.
    ("stated_difference", "The older Orion weighs about 34 tonnes, 4 tonnes more than the Vega."),
    ("stated_difference", "The Orion is 34,000 kilograms, 4 tonnes more than the Vega."),
    # A comparison the source makes, told the other way round with its way turned.
    ("reordered_comparison", "The Orion is heavier than the Vega."),
    # A role prefix and the person's surname later in the source.
    ("role_prefix", "Singer Mara Quill said the band had not expected the demand."),
    # A hedge of two words kept with words between them.
    ("hedge_kept", "Independent testers have not checked the new sound system yet."),
    # A noun a stopword list holds ("show") still tells what a number counts.
    ("number_form", "The first Fenns show sold out in ten minutes."),
    # A cue word that is a verb here does not make a place a work.
    ("paraphrase", "When do the Fenns play Harlow Arena?"),
    # A heading names topics.
    ("heading", "Harlow tram strike: what we know about the pay offer"),
]


@pytest.mark.parametrize(("kind", "claim"), TRUE, ids=[f"{k}-{i}" for i, (k, _) in enumerate(TRUE)])
def test_each_true_claim_is_supported(kind: str, claim: str, index: SourceIndex) -> None:
    part = "question" if claim.endswith("?") else "title" if not claim.endswith(".") else "answer"
    found, reasons = verdict(claim, index, part)
    assert found == SUPPORTED, (kind, reasons)


def test_a_comparison_the_source_does_not_make_is_left_to_the_editor(index: SourceIndex) -> None:
    found, reasons = verdict("The Vega is faster than the Orion.", index)
    assert found == UNVERIFIED, reasons


def test_attribution_is_cut_off_and_summaries_are_told_apart() -> None:
    assert cited_content("According to the report, the council met.") == "The council met."
    assert cited_content("The council met, the Post says.", ["the Post"]) == "The council met."
    assert cited_content("This article says that prices rose.") == "Prices rose."
    assert cited_content("The source report follows the film.") is None
    assert sums_up_source("The report names Ann Lee and Tom Okafor.")
    assert not sums_up_source("The report was written by a watchdog.")


def test_measures_compare_across_scales() -> None:
    kilograms = quantities(normalize_numbers("It weighs 1.1 kilograms."))[0]
    grams = quantities(normalize_numbers("It weighs 1,100 grams."))[0]
    assert grams.same_as(kilograms)
    hours = quantities(normalize_numbers("a 48-hour strike"))[0]
    days = quantities(normalize_numbers("a strike of two days"))[0]
    assert hours.same_as(days)


PEOPLE = SourceDocument(
    title="Pellow charity treasurer jailed",
    text="\n".join(
        [
            "The fraud was found in 2021 when a new trustee, Nina Sorel, saw that a supplier did not exist.",
            "Tamsin Brook, an analyst at the research firm Quillby, said the case was rare.",
            "The charity's chair, Owen Harte, said he was relieved.",
            "Prosecuting for the council, barrister Ruth Vale said the losses were large.",
            "Kemp told the court she had rewritten the accounts four times.",
            "The council will pay £2.5 million of the £3.2 million cost.",
            "Members voted by 78% to 22% in favour. The deal gives staff a 6% rise now and a further 3% next"
            " January.",
            "Wind gusts of up to 80mph are possible. The hall employs 240 people.",
            "The building has not yet been tested for damp. Inspectors tested the roof in May.",
        ]
    ),
)


@pytest.fixture(scope="module")
def people() -> SourceIndex:
    return SourceIndex(PEOPLE)


PEOPLE_ERRORS = [
    # A role the source gives in an appositive before the name, or owned by a name.
    ("role_title", "Nina Sorel, the charity's treasurer, saw that a supplier did not exist.", "treasurer"),
    ("role_title", "Tamsin Brook, Quillby's head of sales, said the case was rare.", "head of sales"),
    # A name the source has only as part of a longer word is not in the source.
    ("wrong_entity", "The charity's chair, Owen Hart, said he was relieved.", "Owen Hart"),
    # The opposite side of a court case.
    ("role_title", "Ruth Vale, defending the council, said the losses were large.", "defend"),
    # What a polarity governs is read in the source sentence that says the claim's phrase.
    ("polarity", "The building has already been tested for damp.", "polarity"),
]


@pytest.mark.parametrize(
    ("kind", "claim", "reason"), PEOPLE_ERRORS, ids=[f"{k}-{i}" for i, (k, *_) in enumerate(PEOPLE_ERRORS)]
)
def test_people_errors_are_unsupported(kind: str, claim: str, reason: str, people: SourceIndex) -> None:
    found, reasons = verdict(claim, people)
    assert found == UNSUPPORTED, (kind, reasons)
    assert any(reason.lower() in r.lower() for r in reasons), reasons


PEOPLE_TRUE = [
    # Repetitions counted by the verb ("rewritten ... four times" is "four rewrites").
    ("number_form", "Kemp told the court the accounts went through four rewrites."),
    # A part of a stated total is their difference.
    ("stated_difference", "The rest, about £0.7 million of the £3.2 million cost, comes from elsewhere."),
    # "the no vote" names a side; it negates nothing.
    ("stated_difference", "The yes vote beat the no vote by 56 percentage points."),
    # A date tied to its thing by the figure beside it.
    ("number_form", "Staff will get 9% in all, 6% now and 3% in January."),
    # A unit written inside a token ("80mph").
    ("number_form", "Gusts could reach eighty mph."),
    # A synonym of what a number counts.
    ("paraphrase", "The hall has 240 staff."),
    # A yes/no question asserts nothing but its facts.
    ("paraphrase", "Is the hall still open?"),
]


@pytest.mark.parametrize(
    ("kind", "claim"), PEOPLE_TRUE, ids=[f"{k}-{i}" for i, (k, _) in enumerate(PEOPLE_TRUE)]
)
def test_people_true_claims_are_supported(kind: str, claim: str, people: SourceIndex) -> None:
    found, reasons = verdict(claim, people, "question" if claim.endswith("?") else "answer")
    assert found == SUPPORTED, (kind, reasons)


@pytest.mark.parametrize(
    "source_text, claim",
    [
        (
            "Comet Varga will pass closest to Earth on May 19, astronomers said.",
            "Comet Varga will pass Earth on May 19.",
        ),
        (
            "May 19 is when Comet Varga passes closest to Earth.",
            "Comet Varga passes closest to Earth on May 19.",
        ),
    ],
)
def test_may_the_month_is_no_hedge(source_text: str, claim: str) -> None:
    index = SourceIndex(SourceDocument(title="Comet Varga", text=source_text))
    result, reasons = verdict(claim, index)
    assert result == SUPPORTED, reasons


def test_may_the_hedge_is_still_one() -> None:
    index = SourceIndex(
        SourceDocument(title="Comet Varga", text="Comet Varga may pass closest to Earth on May 19.")
    )
    result, reasons = verdict("Comet Varga will pass closest to Earth on May 19.", index)
    assert result == UNSUPPORTED and any("hedge dropped" in r for r in reasons), reasons


def test_the_sources_own_headline_is_no_reversed_relation() -> None:
    source = SourceDocument(
        title='Director Ana Reyes\'s "North Light" to close Calder Film Festival',
        text='The Calder Film Festival will close on October 12 with the premiere of "North Light".',
    )
    index = SourceIndex(source)
    result, reasons = verdict(
        'Director Ana Reyes\'s "North Light" to close Calder Film Festival: what we know', index, "title"
    )
    assert result != UNSUPPORTED, reasons
    result, reasons = verdict('The Calder Film Festival will close "North Light".', index)
    assert result != SUPPORTED, reasons  # the same words in another order are still checked
