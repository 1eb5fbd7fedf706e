"""The search page over a real server, on SQLite (FTS5) and PostgreSQL (tsvector): ranking, snippets,
phrases, prefixes, paging, hostile queries, and only the site's published articles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from qapress.engine.sqlite_functions import websearch_to_fts5
from qapress.site.search import MAX_QUERY_CHARS, marked_snippet
from qapress.store.schema import domain, qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite

#: Words that appear in no demo article.
IN_TITLE = "Quokka marmalade wins the county fair"
IN_TEXT = (
    "A county fair report. Judges praised a jar of quokka marmalade <script>alert(1)</script> at length."
)
APART = "Marmalade was sold next to a pen with a quokka in it."


@pytest.fixture(scope="module")
def articles(live: LiveSite) -> Iterator[dict[str, int]]:
    with live.engine.begin() as connection:
        screen = connection.execute(
            sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
        ).scalar_one()
        news = connection.execute(
            sa.select(domain.c.id).where(domain.c.host == "news.localhost")
        ).scalar_one()

        def add(title: str, text: str, site: int = screen, status: str = "published") -> int:
            row = {"domain": site, "title": title, "slug": "s", "text": text, "lead": "", "status": status}
            return int(connection.execute(sa.insert(qa_ai).values(**row).returning(qa_ai.c.id)).scalar_one())

        ids = {
            "title": add(IN_TITLE, "Nothing else to say about it."),
            "text": add("A day out", IN_TEXT),
            "apart": add("Market day", APART),
            "other_site": add("Quokka marmalade abroad", "Quokka marmalade, elsewhere.", site=news),
            "draft": add("Quokka marmalade draft", "Quokka marmalade, not yet.", status="draft"),
        }
        ids["paging"] = add("Zebrafinch one", "zebrafinch")
        for n in range(11):
            add(f"Zebrafinch {n}", "zebrafinch notes")
    yield ids
    with live.engine.begin() as connection:
        connection.execute(sa.delete(qa_ai).where(qa_ai.c.id >= ids["title"]))


def hits(live: LiveSite, query: str, **params: str) -> tuple[int, list[str], HTMLParser]:
    response = live.request("GET", "/search", params={"q": query, **params})
    tree = HTMLParser(response.text)
    return response.status_code, [a.text() for a in tree.css(".search-results h2 a")], tree


def test_title_matches_rank_first_and_only_published_articles_of_the_site(
    live: LiveSite, articles: dict[str, int]
) -> None:
    status, titles, _ = hits(live, "quokka marmalade")
    assert status == 200
    assert titles[0] == IN_TITLE  # the title weighs most
    assert sorted(titles[1:]) == ["A day out", "Market day"]


def test_snippets_mark_the_words_and_escape_the_text(live: LiveSite, articles: dict[str, int]) -> None:
    _, _, tree = hits(live, "judges")
    snippet = tree.css_first(".search-results .snippet")
    assert [m.text() for m in snippet.css("mark")] == ["Judges"]
    # SQLite keeps the tag as escaped text; PostgreSQL's ts_headline drops tags: never markup either way.
    assert tree.css("script") == [] and "alert(1)" in snippet.text()


def test_a_phrase_needs_its_words_together(live: LiveSite, articles: dict[str, int]) -> None:
    assert sorted(hits(live, '"quokka marmalade"')[1]) == ["A day out", IN_TITLE]


def test_a_prefix_matches_longer_words(live: LiveSite, articles: dict[str, int]) -> None:
    assert hits(live, "marmal*")[1][:1] == [IN_TITLE]
    assert hits(live, "marmal")[1] == []  # without the star only the whole (stemmed) word


def test_exclusion_and_alternatives(live: LiveSite, articles: dict[str, int]) -> None:
    assert sorted(hits(live, "quokka -judges")[1]) == ["Market day", IN_TITLE]
    assert set(hits(live, "judges or pen")[1]) == {"A day out", "Market day"}


def test_prefixes_read_alike_on_both_databases(live: LiveSite, articles: dict[str, int]) -> None:
    # An excluded prefix excludes, a prefix takes part in "or", exclusions alone match nothing.
    assert sorted(hits(live, "quokka -judg*")[1]) == ["Market day", IN_TITLE]
    assert set(hits(live, "judg* or pen")[1]) == {"A day out", "Market day"}
    assert set(hits(live, "pen or judg*")[1]) == {"A day out", "Market day"}
    assert hits(live, "-judg*")[1] == [] and hits(live, "-quokka")[1] == []
    assert sorted(hits(live, '"quokka marmalade" -judg* or pen')[1]) == ["Market day", IN_TITLE]


def test_stop_words_are_no_terms_on_both_databases(live: LiveSite, articles: dict[str, int]) -> None:
    # PostgreSQL's english configuration leaves "the", "with", "a" out of a query; SQLite reads it the same.
    everything = sorted(hits(live, "quokka")[1])
    assert sorted(hits(live, "the quokka")[1]) == everything
    assert sorted(hits(live, "quokka with the*")[1]) == everything
    assert sorted(hits(live, '"the quokka marmalade"')[1]) == ["A day out", IN_TITLE]
    assert sorted(hits(live, "quokka -the")[1]) == everything
    assert hits(live, "the")[1] == [] and hits(live, '"with a"')[1] == []


@pytest.mark.parametrize(
    "hostile",
    [
        "title:quokka",
        "NEAR(quokka marmalade)",
        "^quokka",
        '"unclosed quokka',
        "quokka AND",
        "*",
        '""',
        "'; DROP TABLE qa_ai; --",
        "a:* & !b | (c",
        "quokka)) OR ((",
        "\\\\ \x00 quokka",
    ],
)
def test_hostile_queries_are_just_words(live: LiveSite, articles: dict[str, int], hostile: str) -> None:
    status, _titles, tree = hits(live, hostile)
    assert status == 200
    assert tree.css_first("h1").text().startswith("Search")


def test_paging_with_rel_links(live: LiveSite, articles: dict[str, int]) -> None:
    status, first, tree = hits(live, "zebrafinch")
    assert status == 200 and len(first) == 10
    assert tree.css_first('link[rel="next"]').attributes["href"].endswith("/search?q=zebrafinch&page=2")
    status, second, tree = hits(live, "zebrafinch", page="2")
    assert status == 200 and len(second) == 2 and not set(first) & set(second)
    assert tree.css_first('link[rel="prev"]') is not None and tree.css_first('link[rel="next"]') is None
    assert hits(live, "zebrafinch", page="3")[0] == 404
    assert live.request("GET", "/search", params={"q": "x", "page": "0"}).status_code == 404


def test_empty_and_over_long_queries_get_a_clear_page(live: LiveSite, articles: dict[str, int]) -> None:
    status, titles, tree = hits(live, "   ")
    assert status == 200 and titles == [] and "Type one or more words" in tree.body.text()
    status, titles, tree = hits(live, "quokka " * 40)
    assert status == 400 and titles == []
    assert f"at most {MAX_QUERY_CHARS} characters" in tree.css_first('[role="alert"]').text()
    assert tree.css_first("#search-q").attributes["value"].startswith("quokka quokka")


def test_an_edit_is_found_at_once(live: LiveSite, articles: dict[str, int]) -> None:
    assert hits(live, "wombatberry")[1] == []
    with live.engine.begin() as connection:
        connection.execute(
            sa.update(qa_ai).where(qa_ai.c.id == articles["apart"]).values(title="Wombatberry day")
        )
    assert hits(live, "wombatberry")[1] == ["Wombatberry day"]
    assert hits(live, "market")[1] == []
    with live.engine.begin() as connection:
        connection.execute(sa.update(qa_ai).where(qa_ai.c.id == articles["apart"]).values(title="Market day"))


def test_the_page_is_one_graphql_query(live: LiveSite, articles: dict[str, int]) -> None:
    with live.counting() as statements:
        assert hits(live, "quokka", page="1")[0] == 200
    assert sum("search" in s.lower() or "match" in s.lower() for s in statements) == 1


def graphql_rows(live: LiveSite, query: str, variables: dict[str, object]) -> list[dict[str, object]]:
    response = live.request("POST", "/v1/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert "errors" not in body, body
    return list(body["data"]["hits"])


SITE_PAGE = """query($q: String!, $site: Int!, $limit: Int!, $offset: Int!) {
  hits: site_search_articles(args: {query: $q, domain: $site, limit: $limit, offset: $offset},
                             order_by: [{rank: asc}, {id: desc}], limit: $limit) { id snippet }
}"""


#: The page without the outer limit: only the native query's own cut bounds it.
SITE_PAGE_UNCUT = SITE_PAGE.replace(", limit: $limit)", ")")


def screen_site(live: LiveSite) -> int:
    with live.engine.connect() as connection:
        return int(
            connection.execute(sa.select(domain.c.id).where(domain.c.host == "screen.localhost")).scalar_one()
        )


def test_pages_cut_in_the_database_follow_the_ranking_of_every_match(
    live: LiveSite, articles: dict[str, int]
) -> None:
    site = {"site": screen_site(live)}
    every = graphql_rows(
        live,
        """query($q: String!, $site: Int!) { hits: search_articles(args: {query: $q},
             where: {domain: {_eq: $site}}, order_by: [{rank: asc}, {id: desc}]) { id } }""",
        {"q": "zebrafinch", **site},
    )
    assert len(every) == 12
    paged = [
        row
        for offset in range(0, 12, 5)
        for row in graphql_rows(live, SITE_PAGE, {"q": "zebrafinch", "limit": 5, "offset": offset, **site})
    ]
    assert [row["id"] for row in paged] == [row["id"] for row in every]
    assert all(row["snippet"] for row in paged)


def test_a_site_page_is_at_most_a_hundred_rows_whatever_the_limit(
    live: LiveSite, articles: dict[str, int]
) -> None:
    screen = screen_site(live)
    with live.engine.begin() as connection:
        connection.execute(
            sa.insert(qa_ai),
            [
                {"domain": screen, "title": f"Yakcheese {n}", "slug": "y", "text": "yakcheese", "lead": ""}
                for n in range(105)
            ],
        )
    try:
        asked = {"q": "yakcheese", "site": screen, "offset": 0}
        assert len(graphql_rows(live, SITE_PAGE_UNCUT, {**asked, "limit": 1000})) == 100
        assert graphql_rows(live, SITE_PAGE_UNCUT, {**asked, "limit": -1}) == []  # SQLite: -1 is no limit
    finally:
        with live.engine.begin() as connection:
            connection.execute(sa.delete(qa_ai).where(qa_ai.c.title.like("Yakcheese %")))


def test_websearch_to_fts5_quotes_every_word() -> None:
    assert (
        websearch_to_fts5('title:x NEAR(a "b c") d* -e or f')
        == '("title" AND "x" AND "NEAR" AND "b c" AND "d" * NOT "e") OR ("f")'  # "a" is a stop word
    )
    assert websearch_to_fts5("  ") == '""'


def test_websearch_to_fts5_trims_a_phrases_stop_words_at_its_ends_only() -> None:
    assert websearch_to_fts5('"the fall of the house"') == '("fall of the house")'
    assert websearch_to_fts5('"to be or"') == '""'


def test_marked_snippet_escapes_before_marking() -> None:
    assert str(marked_snippet("<b>\x02Heat\x03</b> \x02open")) == "&lt;b&gt;<mark>Heat</mark>&lt;/b&gt; open"
