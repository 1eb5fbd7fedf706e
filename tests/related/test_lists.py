"""A related list is computed when an article is published and shown by the page's query; a related article
that stops being published leaves the block at once; an edit computes the list again and drops the right
pages. On SQLite and PostgreSQL."""

from __future__ import annotations

from qapress.articles.editing import load_article, save_article
from qapress.articles.publishing import unpublish_article, withdraw_article
from qapress.related.queue import RelatedWorker
from qapress.store import begin_write

from .conftest import OTHER_SITE, Network


def test_publishing_computes_the_list_and_the_page_shows_it(network: Network) -> None:
    for name in ("glacier", "bakery", "tram", "calving"):
        network.add(name)
    network.add("melt", site=OTHER_SITE)  # like them, but another site's
    stored = network.names(network.stored("calving"))
    assert stored[:1] == ["glacier"] and "tram" not in stored and "melt" not in stored
    assert network.shown("calving") == stored  # the page's block: the stored list, best first
    assert "calving" not in network.queued()  # computed in the publish's transaction


def test_a_first_list_queues_the_articles_in_it_for_the_worker(network: Network) -> None:
    network.add("glacier")
    assert network.stored("glacier") == []  # nothing like it yet: the page shows no block
    assert network.shown("glacier") == []
    network.add("calving")
    assert network.queued() == ["glacier"]  # its list may now hold the newcomer
    done = RelatedWorker(network.engine).run_once()
    assert [network.names([r.article_id]) for r in done] == [["glacier"]]
    assert network.shown("glacier") == ["calving"] and network.queued() == []


def test_a_withdrawn_related_article_leaves_the_block_at_once(network: Network) -> None:
    for name in ("glacier", "melt", "calving"):
        network.add(name)
    assert set(network.shown("calving")) == {"glacier", "melt"}
    seq = network.log_position()
    with begin_write(network.engine) as connection:
        withdraw_article(connection, network.ids["glacier"], None)
    assert network.shown("calving") == ["melt"]  # before any list is computed again
    assert f"a{network.ids['glacier']}" in network.tags_since(seq)  # the tag the calving page carries for it
    assert "calving" in network.queued() and "melt" in network.queued()
    RelatedWorker(network.engine).run_once()
    assert network.names(network.stored("calving")) == ["melt"]
    with begin_write(network.engine) as connection:
        unpublish_article(connection, network.ids["melt"], None)
    assert network.shown("calving") == []


def test_an_edit_computes_the_list_again_and_drops_its_page(network: Network) -> None:
    for name in ("glacier", "bakery", "tram"):
        network.add(name)
    assert network.names(network.stored("tram")) == []
    seq = network.log_position()
    tram = network.ids["tram"]
    with begin_write(network.engine) as connection:
        loaded = load_article(connection, tram)
        fields = {
            "title": "Tram to the sourdough bakery",
            "text": "The tram stops at the bakery's sourdough bread shop.",
        }
        save_article(connection, tram, fields, loaded.version, None)
    assert network.names(network.stored("tram")) == ["bakery"]
    tags = network.tags_since(seq)
    assert {f"m{tram}", f"a{tram}"} <= tags  # its own page (the list) and every page showing its title
    assert f"m{network.ids['bakery']}" not in tags  # the bakery's list did not change: its page stays
    seq = network.log_position()
    with begin_write(network.engine) as connection:
        loaded = load_article(connection, tram)
        save_article(connection, tram, {"outro": "More soon."}, loaded.version, None)
    assert f"m{tram}" not in network.tags_since(seq)  # nothing a list reads changed


def test_a_related_title_edit_drops_the_pages_showing_it(network: Network) -> None:
    for name in ("bakery", "bread"):
        network.add(name)
    bakery, bread = network.ids["bakery"], network.ids["bread"]
    assert network.stored("bread") == [bakery]
    seq = network.log_position()
    with begin_write(network.engine) as connection:
        loaded = load_article(connection, bakery)
        save_article(connection, bakery, {"title": "Bakery wins the sourdough prize"}, loaded.version, None)
    # The bread page carries a<bakery> for its block (site.pages); the edit logs it.
    assert f"a{bakery}" in network.tags_since(seq)
    assert network.stored("bread") == [bakery]
    assert f"m{bread}" not in network.tags_since(seq)
