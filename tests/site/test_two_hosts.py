"""Two app hosts in network namespaces (``ip netns``, one veth pair each) over one PostgreSQL reached across
the veths: one host is killed under load and loses nothing but its in-flight requests.

Each host is a real ``qapress serve`` in its own namespace; the database is a cluster of the test's own
listening on the veths' root-side addresses. Clients in the root namespace read pages and GraphQL and write
readers' links on both hosts at once; host A is SIGKILLed halfway. Afterwards: host B answered everything,
host A failed only from the kill on and only as a dead host does (no connection, nothing half-answered), and
every write either host acknowledged is in the database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from tests.conftest import missing
from tests.postgres_cluster import PostgresCluster, postgres_bin_dir
from tests.site.live import demo_store

from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import link

INSERT = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"
PORT = 8000
SUBNET = 200 + os.getpid() % 50  # 10.SUBNET.{1,2}.0/24: one per test process, apart from other users'


@dataclass
class Host:
    name: str
    namespace: str
    address: str
    process: subprocess.Popen[str] | None = None
    ok: int = 0
    failures: list[tuple[float, str]] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture
def namespaces() -> Iterator[list[tuple[str, str, str]]]:
    """Two namespaces, each linked to the root one by a veth pair: (namespace, root address, host address)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and iproute2's ip")
    tag = f"{os.getpid() % 100000}"
    made: list[tuple[str, str, str]] = []
    try:
        for n, letter in enumerate("ab", start=1):
            namespace, outside, inside = f"qp{tag}{letter}", f"qv{tag}{letter}", f"qn{tag}{letter}"
            try:
                ip("netns", "add", namespace)
            except subprocess.CalledProcessError as exc:
                pytest.skip(f"ip netns add is not permitted here: {exc.stderr.decode().strip()}")
            made.append((namespace, f"10.{SUBNET}.{n}.1", f"10.{SUBNET}.{n}.2"))
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            ip("link", "set", inside, "netns", namespace)
            ip("addr", "add", f"10.{SUBNET}.{n}.1/24", "dev", outside)
            ip("link", "set", outside, "up")
            ip("-n", namespace, "addr", "add", f"10.{SUBNET}.{n}.2/24", "dev", inside)
            ip("-n", namespace, "link", "set", inside, "up")
            ip("-n", namespace, "link", "set", "lo", "up")
        yield made
    finally:
        for namespace, _, _ in made:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)  # its veth too


def test_a_host_killed_under_load_loses_only_its_in_flight_requests(
    namespaces: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing("initdb is not installed (PostgreSQL's server binaries)")
    assert bin_dir is not None
    listen = ",".join(["127.0.0.1", *(outside for _, outside, _ in namespaces)])
    cluster = PostgresCluster(bin_dir, listen=listen)
    hosts = [Host(name, ns, inside) for name, (ns, _, inside) in zip("AB", namespaces, strict=True)]
    try:
        cluster.trust_network(f"10.{SUBNET}.0.0/16")
        cluster.start()
        url = cluster.create_database("qapress_hosts")
        engine = demo_store(url)
        for host, (_, outside, _) in zip(hosts, namespaces, strict=True):
            database_url = sa.engine.make_url(url).set(host=outside).render_as_string(hide_password=False)
            env = {
                **os.environ,
                "QAPRESS_DATABASE_URL": database_url,
                "QAPRESS_DATA_DIR": str(tmp_path / host.name),
                "QAPRESS_SECRET_KEY": "two-hosts",
                "QAPRESS_IP_HASH_SALT": "two-hosts",
                "QAPRESS_LINKS_MAX_PER_PAGE": "100000",
                "QAPRESS_LINKS_RATE_LIMIT_PER_HOUR": "100000",
                # The load comes from one client address: the anonymous API rate limit is not what this measures.
                "QAPRESS_RATE_LIMIT_ANONYMOUS": "1000000",
                "QAPRESS_LINKS_WORKER_IN_SERVE": "false",
            }
            command = ["ip", "netns", "exec", host.namespace, sys.executable, "-m", "qapress", "serve"]
            command += ["--host", host.address, "--port", str(PORT)]
            host.process = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        for host in hosts:
            wait_until_up(host)
        killed_at = run_load(hosts, seconds=6.0, kill_after=3.0)
        a, b = hosts
        assert b.failures == [], b.failures[:3]
        early = [(round(at - killed_at, 3), what) for at, what in a.failures if at < killed_at]
        assert early == [], early[:3]
        assert b.ok > 20 and a.ok > 5, (a.ok, b.ok)
        assert a.failures, "host A was killed: requests after that must fail"
        # As a dead host fails: refused, or cut off mid-answer (in flight); never a wrong or error answer.
        kinds = {what.split(":")[0] for _, what in a.failures}
        assert kinds <= {"ConnectError", "RemoteProtocolError", "ReadError", "WriteError"}, kinds
        print(
            f"two hosts: A {a.ok} ok before the kill, {len(a.failures)} failed after it ({sorted(kinds)}); "
            f"B {b.ok} ok, 0 failed; {len(a.acknowledged) + len(b.acknowledged)} acknowledged writes all stored"
        )
        with engine.connect() as connection:
            stored = set(connection.execute(sa.select(link.c.id)).scalars())
        acknowledged = a.acknowledged + b.acknowledged
        assert acknowledged and set(acknowledged) <= stored
        engine.dispose()
    finally:
        for host in hosts:
            if host.process is not None and host.process.poll() is None:
                os.killpg(host.process.pid, signal.SIGKILL)
                host.process.wait(timeout=10)
        cluster.destroy()


def base(host: Host) -> str:
    return f"http://{host.address}:{PORT}"


def wait_until_up(host: Host) -> None:
    """Ready, and warmed (the pages' and the query's plans compiled) so that the load measures serving."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base(host) + "/readyz", timeout=2).status_code == 200:
                headers = {"Host": f"screen.localhost:{PORT}"}
                httpx.get(base(host) + "/", headers=headers, timeout=30)
                body = {"query": "{ qa_ai(limit: 2) { id title } }"}
                httpx.post(base(host) + "/v1/graphql", json=body, headers=headers, timeout=30)
                return
        except httpx.HTTPError:
            pass
        assert host.process is not None
        if host.process.poll() is not None or time.monotonic() > deadline:
            stderr = host.process.stderr.read() if host.process.stderr else ""
            raise AssertionError(f"host {host.name} did not come up: {stderr[-2000:]}")
        time.sleep(0.2)


def run_load(hosts: list[Host], seconds: float, kill_after: float) -> float:
    """Three clients per host for ``seconds`` (pages, a query, a write in turn); host A is SIGKILLed after
    ``kill_after``. The kill's time."""
    stop = threading.Event()
    lock = threading.Lock()
    started = time.monotonic()

    def client(host: Host, number: int) -> None:
        with httpx.Client(
            base_url=base(host), headers={"Host": f"screen.localhost:{PORT}"}, timeout=10
        ) as http:
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    if n % 3 == 0:
                        url = f"https://fans.example.org/{host.name}-{number}-{n}"
                        variables = {"o": {"article_id": SEED_ARTICLE_ID, "url": url, "consent": True}}
                        answer = http.post(
                            "/v1/graphql", json={"query": INSERT, "variables": variables}
                        ).json()
                        assert "errors" not in answer, answer
                        with lock:
                            host.acknowledged.append(int(answer["data"]["insert_link_one"]["id"]))
                    elif n % 3 == 1:
                        page = http.get("/")
                        assert page.status_code == 200, page.status_code
                    else:
                        body = {"query": "{ qa_ai(limit: 2) { id title } }"}
                        assert len(http.post("/v1/graphql", json=body).json()["data"]["qa_ai"]) == 2
                    with lock:
                        host.ok += 1
                except (httpx.HTTPError, AssertionError, ValueError) as exc:
                    with lock:
                        host.failures.append((time.monotonic(), f"{type(exc).__name__}: {exc}"))
                    time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(h, i)) for h in hosts for i in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(kill_after)
    victim = hosts[0].process
    assert victim is not None
    killed_at = time.monotonic()
    os.killpg(victim.pid, signal.SIGKILL)
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return killed_at
