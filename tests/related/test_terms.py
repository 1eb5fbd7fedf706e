"""Choosing a list's words: the title's, then the most used, none only this article has, within the budget."""

from __future__ import annotations

from qapress.related.terms import Term, choose_terms


def term(query: str, documents: int, count: int = 1, in_title: bool = False, first: int = 9) -> Term:
    return Term(query, documents, count, in_title, first)


def test_title_words_come_first_then_the_most_used_then_the_earliest() -> None:
    terms = [
        term("late", 5, 1, first=8),
        term("often", 5, 3),
        term("early", 5, 1, first=2),
        term("head", 9, 1, True, 0),
    ]
    assert [t.query for t in choose_terms(terms, max_terms=3)] == ["head", "often", "early"]


def test_a_word_no_other_article_has_is_left_out() -> None:
    assert [t.query for t in choose_terms([term("alone", 1, 5, True), term("shared", 2)])] == ["shared"]


def test_a_word_too_common_for_the_budget_is_passed_over_for_rarer_ones() -> None:
    terms = [term("common", 900, 4, True), term("rare", 40, 2), term("rarer", 30, 1), term("big", 80, 1)]
    chosen = choose_terms(terms, budget=100)
    assert [t.query for t in chosen] == ["rare", "rarer"]
    assert sum(t.documents for t in chosen) <= 100
