"""Computing one list on either database: the same list whether or not the words' stems are already known."""

from __future__ import annotations

import pytest

from qapress.related.compute import RelatedComputer, SQLiteRelated, read_source
from qapress.store.backend import is_sqlite

from .conftest import Network


def test_a_second_computation_reuses_the_stems_and_gives_the_same_list(network: Network) -> None:
    for name in ("glacier", "calving", "melt", "bakery", "bread", "tram"):
        network.add(name)
    computer = RelatedComputer()
    with network.engine.connect() as connection:
        source = read_source(connection, network.ids["glacier"])
        assert source is not None
        first = computer.compute(connection, source)
        again = computer.compute(connection, source)
    assert set(network.names(first)[:2]) == {"melt", "calving"}  # the other glacier stories first
    assert again == first


def test_sqlite_stems_words_as_its_index_does_and_keeps_them(network: Network) -> None:
    if not is_sqlite(network.engine):
        pytest.skip("PostgreSQL reads lexemes from the article's own vector: it keeps no stems")
    related = SQLiteRelated()
    with network.engine.connect() as connection:
        stems = related.stems(connection, ["glaciers", "calving", "observatory", "___"])
        assert stems == {"glaciers": "glacier", "calving": "calv", "observatory": "observatori"}
        # Known now: the tokenizer is not asked again (its temporary tables are not even made again).
        connection.exec_driver_sql("DROP TABLE temp.related_stems")
        connection.exec_driver_sql("DROP TABLE temp.related_words")
        assert related.stems(connection, ["calving", "___"]) == {"calving": "calv"}
        made = "SELECT count(*) FROM sqlite_temp_master WHERE name = 'related_words'"
        assert connection.exec_driver_sql(made).scalar() == 0
        assert related.stems(connection, ["calves"]) == {"calves": "calv"}  # a new word: asked
        assert connection.exec_driver_sql(made).scalar() == 1
