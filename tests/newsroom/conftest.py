"""The newsroom's fixtures: a live server over the test world, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import Engine
from tests.newsroom.world import World, build_world

if TYPE_CHECKING:
    from tests.site.live import LiveSite


@pytest.fixture
def world(engine: Engine, demo_source_text: str) -> World:
    return build_world(engine, demo_source_text)


@pytest.fixture
def newsroom(engine: Engine, world: World) -> Iterator[LiveSite]:
    """The server over the world, with a throttle small enough to reach in a test."""
    from tests.site.live import serve_site

    with serve_site(
        engine, newsroom_signin_failures_per_account=3, newsroom_signin_failures_per_client=6
    ) as live:
        yield live
