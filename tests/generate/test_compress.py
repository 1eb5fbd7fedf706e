"""Source sentences retold shorter (``compress.retellings``, ``compress.clause_cuts``): reported speech loses
its "that", a sentence keeps its main clause and never loses what changes its meaning."""

from __future__ import annotations

import pytest

from qapress.generate.compress import clause_cuts, retellings


def test_a_warning_is_retold_without_that() -> None:
    found = retellings("The engineers warn that the old dam is weak.")
    assert "The engineers warn the old dam is weak." in found


def test_a_detail_phrase_is_cut_after_the_main_clause() -> None:
    found = clause_cuts(
        "On Saturday, Kestrel City reached the Anglian Cup final for the first time in 26 years."
    )
    assert "On Saturday, Kestrel City reached the Anglian Cup final." in found
    # "for the first time" without "in 26 years" says something else
    assert not any(cut.endswith("first time.") for cut in found)


@pytest.mark.parametrize(
    ("sentence", "never"),
    [
        # a negation, a hedge or a span is never cut off
        ("The council approved the plan for the harbour, but not the new car park.", "harbour."),
        ("The new terminal will open in 2030, although the date could still change.", "2030."),
        ("The airport will keep its night ban on flights between 11 p.m. and 6 a.m.", "11 p.m."),
        # nor is a figure said in parts, or a word left hanging
        ("The tunnel will have 14 exits, up from 8, and a station underneath it.", "up."),
        # a participle or a subordinate clause is no sentence on its own
        ("On Wednesday, tickets go on sale at 10am, priced at £38.50 each.", "priced."),
        ("The start-up, founded in 2019 by two engineers, raised €85 million from investors.", "2019."),
        ("When it was combined with ampicillin, the drug stopped 29 strains in the laboratory.", "combined."),
        # a cut never leaves the verb without its other words
        ("On Monday, tickets go on sale at the box office of the theatre.", "tickets go."),
    ],
)
def test_a_cut_never_changes_what_the_sentence_says(sentence: str, never: str) -> None:
    assert not any(cut.endswith(never) for cut in clause_cuts(sentence))


def test_reported_speech_is_never_cut() -> None:
    assert (
        clause_cuts("Airport director Jorunn Lie said the queues at security were too long in summer.") == []
    )


def test_a_town_s_own_site_is_kept_with_its_town() -> None:
    """ "held at Carrow’s concert hall" never loses "at Carrow’s" (which would leave "held concert hall")."""
    found = retellings("The ceremony was held at Carrow’s concert hall on Friday and broadcast live.")
    assert not any("held concert hall" in text for text in found)


@pytest.mark.parametrize(
    ("sentence", "never"),
    [
        ("The album will be released on vinyl in March.", "released."),
        ("The new terminal will be turned into offices for the airline.", "turned."),
    ],
)
def test_a_bare_noun_after_a_preposition_stays_with_its_verb(sentence: str, never: str) -> None:
    """ "released on vinyl" cut to "released" says the album is not out yet; "on vinyl" is what is new."""
    assert not any(cut.endswith(never) for cut in clause_cuts(sentence))
