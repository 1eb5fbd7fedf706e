"""A real ``qapress serve`` in a subprocess on 127.0.0.1 (an ephemeral port), over a store of the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette
from tests.generate.servers import serve

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def qapress_serve(database_url: str, data_dir: Path, **settings: str) -> Iterator[str]:
    """``qapress serve`` over ``database_url`` with ``QAPRESS_*`` settings (``trusted_documents_only="1"``)
    until the block ends; yields its base URL once ``/healthz`` answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
    env.update(
        QAPRESS_DATABASE_URL=database_url,
        QAPRESS_DATA_DIR=str(data_dir),
        QAPRESS_LINKS_WORKER_IN_SERVE="0",
        **{f"QAPRESS_{name.upper()}": value for name, value in settings.items()},
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "qapress serve did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def live_client(app: Starlette) -> Iterator[httpx.Client]:
    """An httpx client of ``app`` served by uvicorn in a thread (``tests.generate.servers.serve``)."""
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client
