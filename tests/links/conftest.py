"""Fixtures of the links tests: a site with published articles, and rules open to 127.0.0.1 test servers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.links.addresses import AddressPolicy
from qapress.links.rules import LinkRules
from qapress.store.schema import domain, link, qa_ai

SITE_HOST = "screen.example"
LOOPBACK_POLICY = AddressPolicy.build(allow_networks=["127.0.0.1/32"])


def add_site(engine: Engine, host: str = SITE_HOST, domain_id: int = 1) -> int:
    with engine.begin() as connection:
        connection.execute(domain.insert().values(id=domain_id, host=host, name=host))
    return domain_id


def add_article(engine: Engine, domain_id: int = 1, status: str = "published", slug: str = "heat-2") -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                qa_ai.insert()
                .values(domain=domain_id, title="Heat 2", slug=slug, status=status, date=dt.date(2025, 11, 1))
                .returning(qa_ai.c.id)
            ).scalar_one()
        )


@pytest.fixture
def site(engine: Engine) -> int:
    return add_site(engine)


@pytest.fixture
def article(engine: Engine, site: int) -> int:
    return add_article(engine, site)


@pytest.fixture
def new_article(engine: Engine, site: int) -> Callable[[], int]:
    return lambda: add_article(engine, site)


def link_rows(engine: Engine) -> list[sa.RowMapping]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(link).order_by(link.c.id)).mappings())


def open_rules(**changes: object) -> LinkRules:
    """The default rules, with the fetch policy opened to 127.0.0.1 for local test servers."""
    values: dict[str, object] = {"policy": LOOPBACK_POLICY, **changes}
    return LinkRules(**values)  # type: ignore[arg-type]
