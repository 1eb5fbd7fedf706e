"""Which of an article's words look for its related articles: its salient ones, within a postings budget.

The words are taken as the request-time query took them (bench/related keeps its precision): the title's,
then the body's most used, the earlier first at equal use, at most ``MAX_TERMS``. What bounds the work is
rarity: a word in this article alone finds nothing and is left out, and a word is taken only while the
articles all taken words match stay within ``POSTINGS_BUDGET`` (a word too common for what is left is passed
over for rarer ones). That sum bounds the candidates a list's computation ranks, whatever the size of the
network. Pure: the database layer (``compute``) supplies each word's document count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Words a list's query takes, at most.
MAX_TERMS = 24
#: Postings (articles matched, summed over the words taken) a list's query may rank, at most.
POSTINGS_BUDGET = 5_000


@dataclass(frozen=True)
class Term:
    """One of the article's words as the index knows it.

    ``query`` is what goes into the full-text query (a word on SQLite, a lexeme on PostgreSQL),
    ``documents`` how many articles of the network hold it (this one included), ``count`` how often this
    article uses it, ``in_title`` whether its title does and ``first`` where it is first used (0: the
    title's first word).
    """

    query: str
    documents: int
    count: int
    in_title: bool
    first: int


def choose_terms(
    terms: Iterable[Term], max_terms: int = MAX_TERMS, budget: int = POSTINGS_BUDGET
) -> list[Term]:
    """The title's words, then the most used, shared with at least one other article, at most ``max_terms``,
    passing over any word whose articles would take the total past ``budget`` postings."""
    chosen: list[Term] = []
    spent = 0
    for term in sorted(terms, key=salience):
        if len(chosen) == max_terms:
            break
        if term.documents <= 1 or spent + term.documents > budget:
            continue
        chosen.append(term)
        spent += term.documents
    return chosen


def salience(term: Term) -> tuple[bool, int, int, str]:
    """The title's words first, then by use, then the earlier first."""
    return (not term.in_title, -term.count, term.first, term.query)
