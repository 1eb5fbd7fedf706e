"""``qapress`` as a real process on 127.0.0.1 for these tests: start, wait until it answers, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("QAPRESS_", "PROMETHEUS_"))}
    return {**env, "QAPRESS_DATA_DIR": str(data_dir), **extra}


def init_demo_store(env: dict[str, str]) -> None:
    """A data folder with the demo network, made through the real commands' code."""
    code = (
        "from importlib import resources; from qapress.cli.context import open_store; "
        "from qapress.store.demo import load_demo; "
        "load_demo(open_store(create=True), resources.files('qapress.store')"
        ".joinpath('demo_data/heat-2-source.txt').read_text('utf-8'))"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def wait_until_up(process: subprocess.Popen[str], port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except httpx.TransportError:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise AssertionError("the server did not answer in time") from None
            time.sleep(0.2)


@contextmanager
def running(args: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    """``qapress ARGS`` until the block ends (stopped with Ctrl+C, as a user would)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(process, port)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
