"""Facts said as sentences (``prose``) and news said as a headline (``headline_style``), from how English
news copy reads: each figure with its label, each person with a role and the article English gives it, a
sum with what it is, a headline in the present tense without the words headlines drop."""

from __future__ import annotations

import pytest

from qapress.generate.facts import Person
from qapress.generate.headline_style import as_headline
from qapress.generate.prose import labelled_amount, people_sentences, results_sentences
from qapress.generate.story import Figure


def test_results_are_sentences_with_every_figure_labelled() -> None:
    figures = [
        Figure("annual pre-tax profit", False, "22%", "£184 million", 0),
        Figure("revenue", True, "6%", "£2.9 billion", 1),
        Figure("shares", False, "7%", "412 pence", 2),
    ]
    assert results_sentences(figures) == [
        "Annual pre-tax profit was down 22% to £184 million, and revenue was up 6% to £2.9 billion.",
        "Shares were down 7% to 412 pence.",
    ]


@pytest.mark.parametrize(
    ("label", "verb"), [("sales", "were"), ("volumes", "were"), ("operating loss", "was"), ("revenue", "was")]
)
def test_a_results_label_agrees_with_its_verb(label: str, verb: str) -> None:
    assert results_sentences([Figure(label, True, "3%", None, 0)]) == [f"{label.capitalize()} {verb} up 3%."]


def test_people_are_told_with_their_roles_two_a_sentence_and_no_brackets() -> None:
    people = [
        Person("Ingrid Sollberg", "manager"),
        Person("Dara Quinlan", "winger"),
        Person("Gordon Pell", None),
        Person("Nikhil Rao", "chief executive"),
        Person("Marta Kell", "analyst"),
    ]
    assert people_sentences(people) == [
        "Ingrid Sollberg is the manager, and Dara Quinlan is a winger.",
        "Nikhil Rao is the chief executive, and Marta Kell is an analyst.",
    ]


@pytest.mark.parametrize(
    ("sentence", "amount", "said"),
    [
        (
            "The film had a budget of about £6.5 million, twice the last.",
            "£6.5 million",
            "The budget is about £6.5 million.",
        ),
        ("The board hired nurses at a cost of £720,000 a year.", "£720,000", "The cost is £720,000 a year."),
        ("Tickets go on sale on Wednesday, priced at £38.50.", "£38.50", "The price is £38.50."),
        ("Harbor will pay $36 a share, a premium of 22 percent.", "$36", "The price is $36 a share."),
        (
            "The device will cost €2,199 in Europe and $2,399 in the US.",
            "€2,199",
            "The cost is €2,199 in Europe.",
        ),
        (
            "A water company has been fined £4.2 million for spills.",
            "£4.2 million",
            "The fine is £4.2 million.",
        ),
        (
            "The start-up has raised €85 million from investors.",
            "€85 million",
            "The sum raised is €85 million.",
        ),
    ],
)
def test_a_sum_is_said_with_what_it_is(sentence: str, amount: str, said: str) -> None:
    assert labelled_amount(sentence, amount) == said


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("The competition pays £2.5 million to each finalist.", "£2.5 million"),  # a payment, not a price
        ("He joined for a fee reported to be around £900,000.", "£900,000"),
        ("Prices were frozen at £35 for adults and £15 for children.", "£15"),
    ],
)
def test_a_sum_no_rule_can_label_gives_nothing(sentence: str, amount: str) -> None:
    assert labelled_amount(sentence, amount) == ""


@pytest.mark.parametrize(
    ("sentence", "headline"),
    [
        (
            "On Wednesday, Corvale unveiled the Fold 14 in Amsterdam.",
            "Corvale unveils the Fold 14 in Amsterdam",
        ),
        ("Lawmakers passed the Clean Air Act on Tuesday.", "Lawmakers pass the Clean Air Act"),
        (
            "A water company was fined £4.2m for illegally releasing sewage into the River Alder over 3 years.",
            "Water company fined £4.2m for illegally releasing sewage",
        ),
        (
            "Harbor Foods agreed to buy the grocery chain GreenLeaf for $1.2bn, the two firms said on Monday.",
            "Harbor Foods agrees to buy the grocery chain GreenLeaf for $1.2bn",
        ),
        (
            "Scottish band Lowtide added a second night after tickets for their first show sold out in minutes.",
            "Scottish band Lowtide adds a second night",
        ),
        ("On Friday morning, conditions are expected to ease.", "Conditions expected to ease"),
    ],
)
def test_news_is_said_as_a_headline(sentence: str, headline: str) -> None:
    assert as_headline(sentence) == headline


@pytest.mark.parametrize(
    "sentence",
    [
        'Judge Helen Marsh told him he had "betrayed the trust" of the charity.',  # a quotation
        "The manager said her side had been patient.",  # what someone said is no headline's news
        "Over 12,000 households in the valley were without electricity.",  # no verb to put in the present
        "A 48-hour strike by train drivers on the Westvale Rail network in the north was called off.",
    ],
)
def test_no_headline_when_a_sentence_cannot_be_one(sentence: str) -> None:
    # the last: the verb ends past the eleventh word, and a headline cut before its verb says nothing
    assert as_headline(sentence) == ""


@pytest.mark.parametrize(
    ("sentence", "amount", "said"),
    [
        (
            "Harbor Foods has agreed to buy the chain GreenLeaf for $1.2 billion in cash.",
            "$1.2 billion",
            "Harbor Foods will pay $1.2 billion for the chain GreenLeaf.",
        ),
        (
            "Two strikes cost the operator an estimated £9 million in lost fares.",
            "£9 million",
            "The cost is an estimated £9 million.",
        ),
    ],
)
def test_a_deal_s_price_and_a_cost_borne_by_someone_are_labelled(
    sentence: str, amount: str, said: str
) -> None:
    assert labelled_amount(sentence, amount) == said
