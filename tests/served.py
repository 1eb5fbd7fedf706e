"""``qapress serve`` as a real process for the tests that need what only the command does (several workers,
its own pool, its own settings from the environment): started on a free port, waited for, stopped.

    with qapress_serve(url, tmp_path, workers=2, QAPRESS_DB_POOL_SIZE="20") as server:
        httpx.get(server.url("/healthz"))
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.postgres_cluster import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServedProcess:
    """A running ``qapress serve``; its stderr goes to a file (a pipe nobody reads would fill and stall it)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def host(self) -> str:
        """The Host header of the demo's first site on this server."""
        return f"screen.localhost:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")


@contextmanager
def qapress_serve(
    database_url: str,
    folder: Path,
    *,
    workers: int = 1,
    domain: str | None = None,
    clean_env: bool = False,
    timeout: float = 90.0,
    **environment: str,
) -> Iterator[ServedProcess]:
    """Run ``qapress serve`` over ``database_url`` (data folder and log under ``folder``) until the block ends.

    ``environment`` adds ``QAPRESS_*`` settings; ``clean_env`` drops the caller's own ``QAPRESS_*`` first. The
    link worker is off unless ``QAPRESS_LINKS_WORKER_IN_SERVE`` says otherwise."""
    env = {k: v for k, v in os.environ.items() if not (clean_env and k.startswith("QAPRESS_"))}
    env.update(
        QAPRESS_DATABASE_URL=database_url,
        QAPRESS_DATA_DIR=str(folder / "data"),
        QAPRESS_LINKS_WORKER_IN_SERVE="0",
    )
    env.update(environment)
    port = free_port()
    command = [sys.executable, "-m", "qapress", "serve", "--port", str(port), "--workers", str(workers)]
    if domain is not None:
        command += ["--domain", domain]
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stderr=sink, stdout=sink, cwd=ROOT)
    served = ServedProcess(process, port, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(served.url("/healthz"), timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, served.log_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start: " + served.log_text()[-3000:]
            time.sleep(0.2)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
