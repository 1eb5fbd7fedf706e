"""``qapress demo`` as a newcomer sees it: it listens before it prints, lists every site with the chosen
port, says how to stop, logs each request, and makes no DNS lookup or connection beyond this machine."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from qapress.links.checker import count_due_links
from qapress.store.demo import DOMAINS, SEED_ARTICLE_ID, load_demo

#: Loaded first by the demo's Python (``sitecustomize`` on PYTHONPATH): records every name looked up and
#: every address connected to that is not this machine, without changing what happens.
NETWORK_RECORDER = """
import ipaddress, os, socket

_LOG = os.environ["QAPRESS_TEST_NETWORK_LOG"]
_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _note(what):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(what + "\\n")


def _local_name(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in (None, "", "localhost") or str(host).endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def getaddrinfo(host, *args, **kwargs):
    if not _local_name(host):
        _note(f"lookup {host}")
    return _getaddrinfo(host, *args, **kwargs)


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        if not _local_name(address[0]):
            _note(f"connect {address[0]}")


def connect(self, address):
    _check(self, address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(self, address)
    return _connect_ex(self, address)


socket.getaddrinfo = getaddrinfo
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_until(stream: object, marker: str, timeout: float = 90) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"no {marker!r} in the demo's output:\n" + "\n".join(lines))


def test_the_demo_explains_itself_logs_requests_and_stays_local(tmp_path: Path) -> None:
    recorder = tmp_path / "recorder"
    recorder.mkdir()
    (recorder / "sitecustomize.py").write_text(NETWORK_RECORDER, encoding="utf-8")
    network_log = tmp_path / "network.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
    env.update(
        QAPRESS_DATA_DIR=str(tmp_path / "data"),
        QAPRESS_TEST_NETWORK_LOG=str(network_log),
        PYTHONPATH=os.pathsep.join([str(recorder), *filter(None, [os.environ.get("PYTHONPATH")])]),
        # Due at once, if the demo ran its worker: the test would see the lookups.
        QAPRESS_LINKS_WORKER_POLL_SECONDS="0.2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "demo", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    try:
        banner = read_until(process.stderr, "Ctrl+C to stop")
        # Printed only once listening: a connection made right now is accepted.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        text = "\n".join(banner)
        for domain in DOMAINS:
            assert f"{domain.name}" in text
            assert f"http://{domain.host}:{port}/" in text
        assert f"http://screen.localhost:{port}/a/{SEED_ARTICLE_ID}" in text
        assert "backlink checks: off" in text
        seed = httpx.get(
            f"http://127.0.0.1:{port}/a/{SEED_ARTICLE_ID}", headers={"Host": "screen.localhost"}, timeout=60
        )
        assert seed.status_code in (200, 301)
        home = httpx.get(f"http://127.0.0.1:{port}/", headers={"Host": "music.localhost"}, timeout=60)
        assert home.status_code == 200
        logged = read_until(process.stderr, f"music.localhost/ {home.status_code}", timeout=30)
        assert any(f"screen.localhost/a/{SEED_ARTICLE_ID} {seed.status_code}" in line for line in logged)
        time.sleep(1.0)  # time for a worker, had it been running, to make its rounds
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    recorded = network_log.read_text(encoding="utf-8") if network_log.exists() else ""
    assert recorded == "", f"the demo reached beyond this machine:\n{recorded}"


def test_the_recorder_sees_a_lookup(tmp_path: Path) -> None:
    """The recorder itself works: a lookup of a public name is written down (without sending it)."""
    recorder = tmp_path / "recorder"
    recorder.mkdir()
    (recorder / "sitecustomize.py").write_text(NETWORK_RECORDER, encoding="utf-8")
    network_log = tmp_path / "network.log"
    env = {**os.environ, "PYTHONPATH": str(recorder), "QAPRESS_TEST_NETWORK_LOG": str(network_log)}
    code = (
        "import socket\n"
        "try:\n    socket.getaddrinfo('192.0.2.1', 80, flags=socket.AI_NUMERICHOST)\nexcept OSError: pass\n"
        # The connect check, called as connect() calls it, but without connecting anywhere.
        "import sitecustomize\n"
        "sitecustomize._check(socket.socket(), ('192.0.2.1', 9))\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert network_log.read_text(encoding="utf-8").split() == ["lookup", "192.0.2.1", "connect", "192.0.2.1"]


def test_no_demo_link_is_due_for_a_check(engine: Engine, demo_source_text: str) -> None:
    """The demo's data gives the backlink worker nothing to fetch, now or within a day."""
    load_demo(engine, demo_source_text)
    assert count_due_links(engine) == 0
    assert count_due_links(engine, dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == 0
