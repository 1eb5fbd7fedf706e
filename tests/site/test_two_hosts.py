"""Two app hosts in network namespaces (``ip netns``, one veth pair each) over one PostgreSQL reached across
the veths: one host is killed under load and loses nothing but its in-flight requests.

Each host is a real ``qapress serve`` in its own namespace; the database is a cluster of the test's own
listening on the veths' root-side addresses. Clients in the root namespace read pages and GraphQL and write
readers' links on both hosts at once; host A is SIGKILLed halfway. Afterwards: host B answered everything,
host A failed only from the kill on and only as a dead host does (no connection, nothing half-answered), and
every write either host acknowledged is in the database. An edit shows on the next request to either host
though both cached the page. Then ``qapress worker`` on both hosts at once:
each due link checked, each scheduled article published and each due feed polled exactly once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests.conftest import missing
from tests.feeds.servers import NewsSite, serve
from tests.links.conftest import add_article, open_rules
from tests.links.servers import PageServer, send
from tests.postgres_cluster import PostgresCluster, postgres_bin_dir
from tests.site.live import demo_store

from qapress.articles.publishing import schedule_article
from qapress.feeds.repository import add_feed
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.pipeline import generate_article
from qapress.generate.repository import store_source
from qapress.generate.sources import parse_plain_text
from qapress.links.addresses import AddressPolicy
from qapress.links.submit import Accepted, submit_link
from qapress.store import begin_write
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import domain, link, qa_ai

INSERT = "mutation($o: link_insert_input!) { insert_link_one(object: $o) { id } }"
PORT = 8000
ARTICLES = 6
LINKS = 16
_USES = itertools.count()
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
    # A name of its own per use: a deleted namespace is torn down by the kernel later, its veth with it.
    tag = f"{os.getpid() % 10000}{next(_USES)}"
    made: list[tuple[str, str, str]] = []
    veths: list[str] = []
    try:
        for n, letter in enumerate("ab", start=1):
            namespace, outside, inside = f"qp{tag}{letter}", f"qv{tag}{letter}", f"qn{tag}{letter}"
            try:
                ip("netns", "add", namespace)
            except subprocess.CalledProcessError as exc:
                pytest.skip(f"ip netns add is not permitted here: {exc.stderr.decode().strip()}")
            made.append((namespace, f"10.{SUBNET}.{n}.1", f"10.{SUBNET}.{n}.2"))
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            veths.append(outside)
            ip("link", "set", inside, "netns", namespace)
            ip("addr", "add", f"10.{SUBNET}.{n}.1/24", "dev", outside)
            ip("link", "set", outside, "up")
            ip("-n", namespace, "addr", "add", f"10.{SUBNET}.{n}.2/24", "dev", inside)
            ip("-n", namespace, "link", "set", inside, "up")
            ip("-n", namespace, "link", "set", "lo", "up")
            # Every root-side address (the other veth's too) is reached through this host's own veth.
            ip("-n", namespace, "route", "add", "default", "via", f"10.{SUBNET}.{n}.1")
        yield made
    finally:
        for outside in veths:  # now, with its addresses, and its peer with it: not when the namespace goes
            subprocess.run(["ip", "link", "del", outside], capture_output=True, timeout=30)
        for namespace, _, _ in made:
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=30)


@contextmanager
def cluster_on_veths(namespaces: list[tuple[str, str, str]]) -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster of the test's own listening on 127.0.0.1 and the veths' root-side addresses,
    trusting the namespaces' subnet."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        missing("initdb is not installed (PostgreSQL's server binaries)")
    assert bin_dir is not None
    listen = ",".join(["127.0.0.1", *(outside for _, outside, _ in namespaces)])
    cluster = PostgresCluster(bin_dir, listen=listen)
    try:
        cluster.trust_network(f"10.{SUBNET}.0.0/16")
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def host_env(url: str, outside: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """A host's environment: the database reached across its veth (``outside``), a data folder of its own."""
    database_url = sa.engine.make_url(url).set(host=outside).render_as_string(hide_password=False)
    return {
        **os.environ,
        "QAPRESS_DATABASE_URL": database_url,
        "QAPRESS_DATA_DIR": str(data_dir),
        "QAPRESS_SECRET_KEY": "two-hosts",
        "QAPRESS_IP_HASH_SALT": "two-hosts",
        **settings,
    }


@contextmanager
def app_hosts(namespaces: list[tuple[str, str, str]], url: str, tmp_path: Path) -> Iterator[list[Host]]:
    """``qapress serve`` in each namespace over the database at ``url``, up and warmed; killed at the end."""
    hosts = [Host(name, ns, inside) for name, (ns, _, inside) in zip("AB", namespaces, strict=True)]
    try:
        for host, (_, outside, _) in zip(hosts, namespaces, strict=True):
            env = host_env(
                url,
                outside,
                tmp_path / host.name,
                QAPRESS_LINKS_MAX_PER_PAGE="100000",
                QAPRESS_LINKS_RATE_LIMIT_PER_HOUR="100000",
                # The load comes from one client address: the API rate limit is not what this measures.
                QAPRESS_RATE_LIMIT_ANONYMOUS="1000000",
                QAPRESS_LINKS_WORKER_IN_SERVE="false",
            )
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
        yield hosts
    finally:
        for host in hosts:
            if host.process is not None and host.process.poll() is None:
                os.killpg(host.process.pid, signal.SIGKILL)
                host.process.wait(timeout=10)


def test_a_host_killed_under_load_loses_only_its_in_flight_requests(
    namespaces: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    with cluster_on_veths(namespaces) as cluster:
        url = cluster.create_database("qapress_hosts")
        engine = demo_store(url)
        with app_hosts(namespaces, url, tmp_path) as hosts:
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
            f"two hosts: A {a.ok} ok before the kill, {len(a.failures)} failed after it "
            f"({sorted(kinds)}); B {b.ok} ok, 0 failed; "
            f"{len(a.acknowledged) + len(b.acknowledged)} acknowledged writes all stored"
        )
        with engine.connect() as connection:
            stored = set(connection.execute(sa.select(link.c.id)).scalars())
        acknowledged = a.acknowledged + b.acknowledged
        assert acknowledged and set(acknowledged) <= stored
        engine.dispose()


#: How long a host may take to hear of a commit by ``LISTEN`` across its veth (delivery takes milliseconds).
NOTIFY_BOUND = 2.0


def shown_title(url: str, headers: dict[str, str]) -> str:
    page = httpx.get(url, headers=headers, timeout=30)
    return HTMLParser(page.text).css_first("h1").text()


def test_an_edit_shows_on_either_host_once_its_notification_arrives(
    namespaces: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    """Both hosts cache the seed's page; each edit, committed from the root namespace, shows on either host
    as soon as its notification arrives (each learns of it by LISTEN across its veth, and drops only that
    page): within ``NOTIFY_BOUND``, never the cached page for good."""
    with cluster_on_veths(namespaces) as cluster:
        url = cluster.create_database("qapress_edits")
        engine = demo_store(url)
        try:
            with app_hosts(namespaces, url, tmp_path) as hosts:
                headers = {"Host": f"screen.localhost:{PORT}"}
                first = httpx.get(f"{base(hosts[0])}/a/{SEED_ARTICLE_ID}", headers=headers, timeout=30)
                assert first.status_code == 301
                path = httpx.URL(first.headers["location"]).raw_path.decode()
                for host in hosts:
                    for _ in range(2):  # the second from the host's page cache
                        assert httpx.get(base(host) + path, headers=headers, timeout=30).status_code == 200
                stale = []
                for n in range(10):
                    title = f"Heat 2, edit {n} seen on both hosts"
                    with engine.begin() as connection:
                        connection.execute(
                            qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title)
                        )
                    for host in hosts:
                        # The host hears of the commit by its LISTEN thread: a request racing the
                        # notification may still get the cached page, for as long as delivery takes.
                        deadline = time.monotonic() + NOTIFY_BOUND
                        while (shown := shown_title(base(host) + path, headers)) != title:
                            if time.monotonic() > deadline:
                                stale.append((n, host.name, shown))
                                break
                            time.sleep(0.01)
                assert stale == []
        finally:
            engine.dispose()


def test_workers_on_both_hosts_check_each_link_publish_each_article_and_poll_each_feed_once(
    namespaces: list[tuple[str, str, str]], tmp_path: Path, shared_dir: Path
) -> None:
    """``qapress worker --once`` in each namespace at once, over the database across the veths: every due link
    is fetched and reported checked by exactly one host, every scheduled article published and every due feed
    polled by exactly one."""
    news = NewsSite()
    root_side = namespaces[0][1]  # host A's veth address in the root namespace, reached by both hosts
    with (
        cluster_on_veths(namespaces) as cluster,
        PageServer(host=root_side) as pages,
        serve(news.app(), host=root_side) as news_url,
    ):
        news.base = news_url
        news_port = httpx.URL(news_url).port
        url = cluster.create_database("qapress_workers")
        engine = demo_store(url)
        try:
            with engine.connect() as connection:
                site_id = connection.execute(
                    sa.select(domain.c.id).where(domain.c.host == "screen.localhost")
                ).scalar_one()
            text = (shared_dir / "seeds" / "source-article.txt").read_text(encoding="utf-8")
            source_id = store_source(engine, parse_plain_text(text)).id
            now = dt.datetime.now(dt.UTC)
            due = now + dt.timedelta(hours=1)
            scheduled = []
            for number in range(ARTICLES):
                made = generate_article(engine, source_id, site_id, ExtractiveBackend(), day=now.date())
                assert made.article_id is not None and made.report is not None and made.report.passed
                with begin_write(engine) as connection:
                    schedule_article(
                        connection, made.article_id, due - dt.timedelta(seconds=number), 1, now=now
                    )
                scheduled.append(made.article_id)
            feed_paths = ["/rss.xml", "/atom.xml", "/feed.json"]
            feeds = [add_feed(engine, news_url + path, site_id).id for path in feed_paths]
            links = []
            for number in range(LINKS):
                article = add_article(engine, site_id, slug="heat-2")
                path = f"/review-{number}"

                def page(handler: BaseHTTPRequestHandler, article: int = article) -> None:
                    time.sleep(0.05)  # slow enough that the two hosts' workers overlap
                    backlink = f"{pages.base_url}/a/{article}/heat-2"
                    send(handler, f'<!doctype html><title>Review</title><a href="{backlink}">Heat 2</a>')

                pages.routes[path] = page
                rules = open_rules(policy=AddressPolicy.build(allow_networks=[f"{root_side}/32"]))
                accepted = submit_link(engine, article, pages.url(path), True, None, rules=rules)
                assert isinstance(accepted, Accepted), accepted
                links.append(accepted.id)

            processes = []
            for name, (namespace, outside, _) in zip("AB", namespaces, strict=True):
                env = host_env(
                    url,
                    outside,
                    tmp_path / name,
                    QAPRESS_PUBLIC_BASE_URL=pages.base_url,
                    QAPRESS_FETCH_ALLOW_NETWORKS=json.dumps([f"{root_side}/32"]),
                    QAPRESS_FETCH_ALLOWED_PORTS=json.dumps([pages.port, news_port]),
                )
                command = [
                    "ip",
                    "netns",
                    "exec",
                    namespace,
                    sys.executable,
                    "-m",
                    "qapress",
                    "worker",
                    "--once",
                ]
                command += ["--now", (due + dt.timedelta(minutes=1)).isoformat()]
                processes.append(
                    subprocess.Popen(
                        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    )
                )
            outputs = [process.communicate(timeout=300) for process in processes]
            assert [process.returncode for process in processes] == [0, 0], outputs
            published = [
                [
                    int(line.split("\t")[0].removeprefix("article "))
                    for line in stdout.splitlines()
                    if line.startswith("article ") and "-> published" in line
                ]
                for stdout, _ in outputs
            ]
            checked = [
                [int(line.split("\t")[0]) for line in stdout.splitlines() if line.split("\t")[0].isdigit()]
                for stdout, _ in outputs
            ]
            polled = [
                [
                    int(line.split("\t")[0].removeprefix("feed "))
                    for line in stdout.splitlines()
                    if line.startswith("feed ")
                ]
                for stdout, _ in outputs
            ]
            assert Counter(n for host in published for n in host) == Counter(scheduled), outputs
            assert Counter(n for host in polled for n in host) == Counter(feeds), outputs
            assert [news.hits(path) for path in feed_paths] == [1, 1, 1]
            assert Counter(n for host in checked for n in host) == Counter(links), outputs
            assert Counter(path for path, _ in pages.requests) == Counter(
                f"/review-{n}" for n in range(LINKS)
            )
            print(
                f"worker hosts: published {[len(h) for h in published]}, checked {[len(h) for h in checked]}, "
                f"polled {[len(h) for h in polled]}"
            )
            # Both hosts took part: the race was real.
            assert all(published[h] or checked[h] or polled[h] for h in range(2)), (
                published,
                checked,
                polled,
            )
            with engine.connect() as connection:
                statuses = connection.execute(sa.select(link.c.status).where(link.c.id.in_(links))).scalars()
                assert set(statuses) == {"live"}
                states = connection.execute(
                    sa.select(qa_ai.c.status).where(qa_ai.c.id.in_(scheduled))
                ).scalars()
                assert set(states) == {"published"}
        finally:
            engine.dispose()


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
