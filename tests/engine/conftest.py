"""Engine fixtures: the demo network loaded into the parametrized store, and engines over it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.store import open_engine
from qapress.store.demo import load_demo

from .engine_rows import load_rows


@pytest.fixture
def demo(engine: Engine, demo_source_text: str) -> Engine:
    """The store with the demo network (seed article 6646098 on domain 7), from the packaged seed source."""
    load_demo(engine, demo_source_text)
    return engine


@pytest.fixture
def gql(demo: Engine) -> Iterator[GraphQLEngine]:
    engine = GraphQLEngine(demo, qapress_metadata())
    yield engine
    engine.close()


@pytest.fixture
def seed(shared_dir: Path) -> tuple[str, dict[str, Any]]:
    seeds = shared_dir / "seeds"
    query = (seeds / "page-query.graphql").read_text(encoding="utf-8")
    variables = json.loads((seeds / "page-variables.json").read_text(encoding="utf-8"))
    return query, variables


@pytest.fixture
def small(engine: Engine) -> Iterator[GraphQLEngine]:
    """An engine over the small known data set of ``rows.py``."""
    load_rows(engine)
    gql = GraphQLEngine(engine, qapress_metadata())
    yield gql
    gql.close()


@pytest.fixture
def pg_rows(postgres_store_url: str) -> Iterator[Engine]:
    """The small data set on PostgreSQL only, for features that exist there alone (SQL functions)."""
    engine = open_engine(postgres_store_url)
    with engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE domain, source, qa_ai, link RESTART IDENTITY CASCADE"))
    load_rows(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new empty database (no qapress tables), for tests that bring their own Hasura-style schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'blank.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("qapress_blank")
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_blank(postgres_server: Any) -> Iterator[Engine]:
    """A brand-new empty PostgreSQL database, for features that exist on PostgreSQL alone."""
    engine = open_engine(postgres_server.create_database("qapress_blank"))
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_blank(tmp_path: Path) -> Iterator[Engine]:
    """A brand-new empty SQLite file, to check how a PostgreSQL-only feature is refused there."""
    engine = open_engine(f"sqlite:///{tmp_path / 'blank.db'}")
    yield engine
    engine.dispose()
