"""An app of the tests served by uvicorn in a thread (``qapress serve`` as a process: ``tests.served``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from tests.generate.servers import serve

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def live_client(app: Starlette) -> Iterator[httpx.Client]:
    """An httpx client of ``app`` served by uvicorn in a thread (``tests.generate.servers.serve``)."""
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client
