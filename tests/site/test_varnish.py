"""Varnish (Debian's, with the xkey vmod of varnish-modules) in front of a real ``qapress serve --workers 2``.

The VCL is the one the package ships (``site/varnish/qapress.vcl``) with its backend pointed at the test
server. Purges reach Varnish through a TCP forwarder the tests can stop: "the proxy is down" for the purge
worker while Varnish keeps its cache, so a purge that was not delivered shows as a stale page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import sqlalchemy as sa
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from tests import waiting
from tests.conftest import missing
from tests.site.test_workers import free_port

from qapress.store import open_engine
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import grounding_report, purge_queue, qa_ai


class Forwarder:
    """A TCP forwarder on 127.0.0.1 that can be stopped (connections refused) and started again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, frees the port
            self._listener.close()
            self._listener = None
        for end in self._open:
            # shutdown first: a bare close leaves a connection another thread is reading from open (a
            # kept-alive purge connection would still reach Varnish through it).
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                end.close()
        self._open.clear()


@dataclass
class Stack:
    varnish_port: int
    app_port: int
    url: str
    forwarder: Forwarder
    #: How the purge worker purges Varnish (QAPRESS_PURGE_VARNISH_METHOD), and with which shipped VCL.
    method: str = "xkey"
    app: App | None = None

    def get(self, path: str, host: str = "screen.localhost", **headers: str) -> httpx.Response:
        return httpx.get(
            f"http://127.0.0.1:{self.varnish_port}{path}", headers={"Host": host, **headers}, timeout=30
        )

    def backend_healthy(self) -> bool:
        """Whether Varnish's probe counts qapress as up (a sick backend gets no fetch: 503)."""
        return self.get("/healthz").status_code == 200

    def page(self, article_id: int, host: str = "screen.localhost") -> str:
        """The canonical path of an article (its /a/<id> answers a 301 there)."""
        first = self.get(f"/a/{article_id}", host)
        assert first.status_code == 301, first.status_code
        return httpx.URL(first.headers["location"]).raw_path.decode()


class App:
    """``qapress serve --workers 2`` on a fixed port, which a test may stop and start again."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, port: int) -> None:
        self.command, self.env, self.cwd, self.port = command, env, cwd, port
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> subprocess.Popen[str]:
        # Its log to a file: a pipe nobody reads fills up, and the server then blocks writing to it.
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stderr=log, text=True, cwd=self.cwd)
        return self.process

    @property
    def log(self) -> Path:
        return Path(self.env["QAPRESS_DATA_DIR"]) / "serve.log"

    def wait_ready(self) -> None:
        assert self.process is not None
        wait_until_up(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def wait_until_up(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"exited with {process.returncode}"
        assert time.monotonic() < deadline, "did not start"
        time.sleep(0.2)


def is_hit(response: httpx.Response) -> bool:
    """Varnish's X-Varnish names the request and, on a hit, the request that stored the object."""
    return len(response.headers["x-varnish"].split()) == 2


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """``tests.waiting.wait_for`` at the pace of a proxy and its backend."""
    waiting.wait_for(condition, seconds, interval=0.1)


def queued(url: str) -> list[tuple[int, int]]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.select(purge_queue.c.id, purge_queue.c.attempts)).all()
            return [(int(row.id), int(row.attempts)) for row in rows]
    finally:
        engine.dispose()


def articles_of(url: str, site_id: int) -> list[int]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.select(qa_ai.c.id).where(qa_ai.c.domain == site_id, qa_ai.c.status == "published")
            return [int(row.id) for row in connection.execute(query.order_by(qa_ai.c.id))]
    finally:
        engine.dispose()


def retitle(url: str, article_id: int, title: str) -> None:
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(qa_ai.update().where(qa_ai.c.id == article_id).values(title=title))
    finally:
        engine.dispose()


#: The admin secret of the servers under test: GraphQL edits are made with it.
ADMIN_SECRET = "varnish-tests"
#: The shipped VCL's proxy lifetime of a tagged answer; a test may shorten it to see answers expire.
TAGGED_TTL = "set beresp.ttl = 1h;"


def start_varnish(
    workdir: Path,
    listen: int,
    backend: int,
    storage: str = "64m",
    threads: int = 5,
    vcl_name: str = "qapress.vcl",
    ttl: str | None = None,
) -> subprocess.Popen[str]:
    """``varnishd`` in the foreground with a shipped VCL, its backend port set (the bench uses it too), and
    with ``ttl`` the lifetime of tagged answers."""
    vcl = resources.files("qapress.site").joinpath(f"varnish/{vcl_name}").read_text("utf-8")
    assert '.port = "8000";' in vcl and TAGGED_TTL in vcl
    vcl = vcl.replace('.port = "8000";', f'.port = "{backend}";')
    if ttl is not None:
        vcl = vcl.replace(TAGGED_TTL, f"set beresp.ttl = {ttl};")
    path = workdir / vcl_name
    path.write_text(vcl, encoding="utf-8")
    command = ["varnishd", "-F", "-n", str(workdir / "varnish"), "-a", f"127.0.0.1:{listen}"]
    command += ["-f", str(path), "-s", f"malloc,{storage}", "-j", "none", "-p", f"thread_pool_min={threads}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@contextlib.contextmanager
def run_stack(
    demo_url: str,
    workdir: Path,
    *,
    worker: bool = False,
    method: str = "xkey",
    ttl: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Varnish in front of ``qapress serve --workers 2``; the purge queue delivered by the server, or with
    ``worker`` by a ``qapress worker`` process of its own (the server's purge worker off). ``method``:
    ``xkey`` runs qapress.vcl, ``ban`` qapress-ban.vcl (no xkey vmod), purged the same way."""
    if shutil.which("varnishd") is None:
        missing("varnishd is not installed (apt-get install varnish varnish-modules; .ci/run does)")
    from tests.site.live import demo_store

    demo_store(demo_url).dispose()
    app_port, varnish_port = free_port(), free_port()
    forwarder = Forwarder(varnish_port)
    forwarder.start()
    environment = {
        **os.environ,
        "QAPRESS_DATABASE_URL": demo_url,
        "QAPRESS_DATA_DIR": str(workdir / "data"),
        "QAPRESS_LINKS_WORKER_IN_SERVE": "0",
        "QAPRESS_PUBLIC_BASE_URL": "http://{host}",
        "QAPRESS_PURGE_VARNISH_URLS": f'["http://127.0.0.1:{forwarder.port}"]',
        "QAPRESS_PURGE_VARNISH_METHOD": method,
        "QAPRESS_PURGE_POLL_SECONDS": "0.2",
        "QAPRESS_PURGE_RETRY_MAX_SECONDS": "1",
        "QAPRESS_PURGE_TIMEOUT_SECONDS": "2",
        "QAPRESS_PURGE_WORKER_IN_SERVE": "0" if worker else "1",
        "QAPRESS_ADMIN_SECRET": ADMIN_SECRET,
        **(env or {}),
    }
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "qapress", "serve", "--workers", "2", "--port", str(app_port)]
    app = App(command, environment, root, app_port)
    processes = [app.start()]
    if worker:
        worker_command = [sys.executable, "-m", "qapress", "worker"]
        processes.append(
            subprocess.Popen(worker_command, env=environment, stderr=subprocess.DEVNULL, text=True, cwd=root)
        )
    vcl_name = "qapress-ban.vcl" if method == "ban" else "qapress.vcl"
    varnish = start_varnish(workdir, varnish_port, app_port, vcl_name=vcl_name, ttl=ttl)
    processes.append(varnish)
    try:
        app.wait_ready()
        wait_until_up(varnish_port, varnish)
        stack = Stack(varnish_port, app_port, demo_url, forwarder, method, app)
        wait_for(stack.backend_healthy)  # the probe saw qapress start
        wait_for(lambda: not queued(demo_url))  # the demo load's own purges
        yield stack
    finally:
        forwarder.stop()
        app.stop()
        for process in processes[1:]:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module", params=["xkey", "ban"])
def stack(
    demo_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    """The stack purged by xkey (qapress.vcl), then by BAN (qapress-ban.vcl, no xkey vmod): every test
    below holds for both."""
    with run_stack(demo_url, tmp_path_factory.mktemp("varnish"), method=request.param) as running:
        yield running


def title_of(response: httpx.Response) -> str:
    return HTMLParser(response.text).css_first("h1").text()


def shown_ids(response: httpx.Response) -> set[int]:
    return {int(tag[1:]) for tag in response.headers["surrogate-key"].split() if re.fullmatch(r"a\d+", tag)}


def test_a_page_is_cached_with_its_tags(stack: Stack) -> None:
    path = stack.page(SEED_ARTICLE_ID)
    first, second = stack.get(path), stack.get(path)
    assert first.status_code == second.status_code == 200
    assert is_hit(second) and "age" in second.headers
    tags = second.headers["surrogate-key"].split()
    assert {f"a{SEED_ARTICLE_ID}", f"l{SEED_ARTICLE_ID}", "s7", "n7", "all"} <= set(tags)
    assert second.headers["cache-tag"] == ",".join(tags)
    assert "xkey" not in second.headers
    control = second.headers["cache-control"]
    assert "stale-while-revalidate=" in control and "stale-if-error=" in control


def test_an_edit_purges_exactly_the_pages_showing_it(stack: Stack) -> None:
    seed_path = stack.page(SEED_ARTICLE_ID)
    seed = stack.get(seed_path)
    related = max(shown_ids(seed) - {SEED_ARTICLE_ID})  # an article the seed page links to
    related_path = stack.page(related)
    # A page of another site that shows neither article.
    unrelated_path = None
    for candidate in articles_of(stack.url, site_id=1):
        path = stack.page(candidate, "news.localhost")
        page = stack.get(path, "news.localhost")
        if page.status_code == 200 and not {related, SEED_ARTICLE_ID} & shown_ids(page):
            unrelated_path = path
            break
    assert unrelated_path is not None
    for path, host in ((seed_path, "screen.localhost"), (related_path, "screen.localhost")):
        stack.get(path, host)
        assert is_hit(stack.get(path, host))
    stack.get(unrelated_path, "news.localhost")
    assert is_hit(stack.get(unrelated_path, "news.localhost"))

    retitle(stack.url, related, f"Retitled behind Varnish ({stack.method})")
    wait_for(lambda: not queued(stack.url))

    fresh = stack.get(related_path)
    assert not is_hit(fresh) and title_of(fresh) == f"Retitled behind Varnish ({stack.method})"
    seed_after = stack.get(seed_path)
    assert not is_hit(seed_after) and f"Retitled behind Varnish ({stack.method})" in seed_after.text
    assert is_hit(stack.get(unrelated_path, "news.localhost"))  # nothing it shows changed
    assert is_hit(stack.get(related_path))  # and the fresh page is cached again


def test_a_purge_waits_for_a_proxy_that_is_down(stack: Stack) -> None:
    seed_path = stack.page(SEED_ARTICLE_ID)
    stack.get(seed_path)
    assert is_hit(stack.get(seed_path))
    stack.forwarder.stop()
    try:
        retitle(stack.url, SEED_ARTICLE_ID, f"Heat 2, edited while Varnish was away ({stack.method})")
        wait_for(lambda: any(attempts >= 1 for _, attempts in queued(stack.url)))
        stale = stack.get(seed_path)
        assert is_hit(stale) and title_of(stale) != f"Heat 2, edited while Varnish was away ({stack.method})"
    finally:
        stack.forwarder.start()
    wait_for(lambda: not queued(stack.url))
    back = stack.get(seed_path)
    assert not is_hit(back) and title_of(back) == f"Heat 2, edited while Varnish was away ({stack.method})"


def retitle_unseen(url: str, article_id: int, title: str) -> None:
    """Change a title behind the triggers' back (as raw SQL with triggers off would): no tag is logged."""
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("ALTER TABLE qa_ai DISABLE TRIGGER cache_tags_qa_ai_update")
                connection.execute(qa_ai.update().where(qa_ai.c.id == article_id).values(title=title))
                connection.exec_driver_sql("ALTER TABLE qa_ai ENABLE TRIGGER cache_tags_qa_ai_update")
            else:
                trigger = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'cache_tags_qa_ai_update'"
                ).scalar_one()
                connection.exec_driver_sql("DROP TRIGGER cache_tags_qa_ai_update")
                connection.execute(qa_ai.update().where(qa_ai.c.id == article_id).values(title=title))
                connection.exec_driver_sql(trigger)
    finally:
        engine.dispose()


def qapress_purge(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QAPRESS_DATABASE_URL": url}
    command = [sys.executable, "-m", "qapress", "purge", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def direct(stack: Stack, path: str, host: str = "screen.localhost") -> httpx.Response:
    """Straight to ``qapress serve``: its own page cache, not Varnish's."""
    return httpx.get(f"http://127.0.0.1:{stack.app_port}{path}", headers={"Host": host}, timeout=30)


def test_qapress_purge_article_drops_its_pages_everywhere(stack: Stack) -> None:
    seed_path = stack.page(SEED_ARTICLE_ID)
    related = max(shown_ids(stack.get(seed_path)) - {SEED_ARTICLE_ID})
    related_path = stack.page(related)
    other = next(
        a for a in articles_of(stack.url, site_id=1)
        if stack.get(p := stack.page(a, "news.localhost"), "news.localhost").status_code == 200
        and not {related, SEED_ARTICLE_ID} & shown_ids(stack.get(p, "news.localhost"))
    )  # fmt: skip
    other_path = stack.page(other, "news.localhost")
    for path in (seed_path, related_path):
        for _ in range(10):  # into the page cache of each worker the connections reach
            direct(stack, path)
        stack.get(path)
        assert is_hit(stack.get(path))
    stack.get(other_path, "news.localhost")
    assert is_hit(stack.get(other_path, "news.localhost"))

    retitle_unseen(stack.url, related, f"Changed where no trigger saw it ({stack.method})")
    assert (
        title_of(stack.get(related_path)) != f"Changed where no trigger saw it ({stack.method})"
    )  # Varnish: stale
    # Which worker answers is the kernel's choice: some answer comes from a page cache holding the old page.
    assert any(
        title_of(direct(stack, related_path)) != f"Changed where no trigger saw it ({stack.method})"
        for _ in range(10)
    )

    done = qapress_purge(stack.url, "--article", str(related))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"a{related}", f"l{related}"]
    wait_for(lambda: not queued(stack.url))
    fresh = stack.get(related_path)
    assert not is_hit(fresh) and title_of(fresh) == f"Changed where no trigger saw it ({stack.method})"
    seed_after = stack.get(seed_path)
    assert not is_hit(seed_after) and f"Changed where no trigger saw it ({stack.method})" in seed_after.text
    assert is_hit(stack.get(other_path, "news.localhost"))
    # Every worker's own cache dropped it too (the requests reach both of them).
    assert all(
        title_of(direct(stack, related_path)) == f"Changed where no trigger saw it ({stack.method})"
        for _ in range(10)
    )


def test_qapress_purge_site_drops_that_site_only(stack: Stack) -> None:
    screen_path = stack.page(SEED_ARTICLE_ID)
    news_path = stack.page(articles_of(stack.url, site_id=1)[0], "news.localhost")
    for path, host in (
        (screen_path, "screen.localhost"),
        ("/", "screen.localhost"),
        (news_path, "news.localhost"),
    ):
        stack.get(path, host)
        assert is_hit(stack.get(path, host))
    done = qapress_purge(stack.url, "--site", "screen.localhost")
    assert done.returncode == 0, done.stderr
    wait_for(lambda: not queued(stack.url))
    assert not is_hit(stack.get(screen_path)) and not is_hit(stack.get("/"))
    assert is_hit(stack.get(news_path, "news.localhost"))


def test_qapress_purge_all_and_its_errors(stack: Stack) -> None:
    news_path = stack.page(articles_of(stack.url, site_id=1)[0], "news.localhost")
    stack.get(news_path, "news.localhost")
    assert is_hit(stack.get(news_path, "news.localhost"))
    for args, message in (
        ((), "name what to purge"),
        (("--site", "nowhere.localhost"), "there is no site"),
        (("a1", "<script>"), "is not a cache tag"),
    ):
        failed = qapress_purge(stack.url, *args)
        assert failed.returncode != 0 and message in failed.stderr
        assert len(failed.stderr.strip().splitlines()) == 1
    assert not queued(stack.url)  # a refused purge queued nothing, not even its valid tags
    done = qapress_purge(stack.url, "--all")
    assert done.returncode == 0 and done.stdout.split() == ["all"]
    wait_for(lambda: not queued(stack.url))
    assert not is_hit(stack.get(news_path, "news.localhost"))


def ban(stack: Stack, tags: str, source: str = "127.0.0.1") -> httpx.Response:
    """A ``BAN /`` straight to Varnish (not through the forwarder), from the address ``source``."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=10) as client:
        return client.request("BAN", f"http://127.0.0.1:{stack.varnish_port}/", headers={"x-ban-tags": tags})


def test_a_ban_takes_whole_tags_only_from_the_purgers(stack: Stack) -> None:
    """Both shipped VCLs take BAN; a tag bans the objects carrying it as a whole word, and only hosts in
    the purgers ACL may ban."""
    seed_path = stack.page(SEED_ARTICLE_ID)
    stack.get(seed_path)
    assert is_hit(stack.get(seed_path))
    tag = f"a{SEED_ARTICLE_ID}"
    assert ban(stack, tag, source="127.0.0.2").status_code == 403
    for refused in (f"{tag}|a.*", ".*", "", f"{tag} <b>"):
        assert ban(stack, refused).status_code == 400, refused
    assert (
        ban(stack, f"{tag[:-1]} {tag}0 {tag[1:]}").status_code == 200
    )  # its prefix, a longer tag, no letter
    assert is_hit(stack.get(seed_path))
    assert ban(stack, f"rwide  {tag}").status_code == 200
    assert not is_hit(stack.get(seed_path))
    assert is_hit(stack.get(seed_path))


def test_a_page_is_served_stale_while_qapress_is_down(demo_url: str, tmp_path: Path) -> None:
    """Varnish keeps an expired page for its stale-if-error and serves it while qapress does not answer; a
    page it never had is a plain 503 page; once qapress is back an edit shows."""
    window = 10
    env = {"QAPRESS_PAGE_STALE_WHILE_REVALIDATE": "1", "QAPRESS_PAGE_STALE_IF_ERROR": str(window)}
    with run_stack(demo_url, tmp_path, ttl="2s", env=env) as stack:
        assert stack.app is not None
        seed_path = stack.page(SEED_ARTICLE_ID)
        never_path = stack.page(articles_of(stack.url, site_id=7)[0])
        assert never_path != seed_path
        cached = stack.get(seed_path)
        stored = time.monotonic()
        assert cached.status_code == 200 and f"stale-if-error={window}" in cached.headers["cache-control"]
        stack.app.stop()
        # Past its TTL (2 s) and its stale-while-revalidate (1 s), within its stale-if-error.
        time.sleep(max(0.0, stored + 5 - time.monotonic()))
        stale = stack.get(seed_path)
        assert stale.status_code == 200 and title_of(stale) == title_of(cached)
        assert int(stale.headers["age"]) >= 4
        never = stack.get(never_path)
        assert never.status_code == 503
        assert (
            "Service unavailable" in never.text and "Guru" not in never.text and "Varnish" not in never.text
        )
        assert never.headers["cache-control"] == "no-store"
        graphql = httpx.post(
            f"http://127.0.0.1:{stack.varnish_port}/v1/graphql",
            json={"query": "{ domain { id } }"},
            headers={"Host": "screen.localhost"},
            timeout=30,
        )
        assert graphql.status_code == 503  # a GraphQL client gets a GraphQL answer, in Hasura's error shape
        assert graphql.json()["errors"][0]["extensions"]["code"] == "unexpected"
        # Past TTL + stale-if-error the page is gone too.
        time.sleep(max(0.0, stored + 2 + window + 1 - time.monotonic()))
        assert stack.get(seed_path).status_code == 503

        stack.app.start()
        stack.app.wait_ready()
        wait_for(stack.backend_healthy)
        retitle(stack.url, SEED_ARTICLE_ID, "Heat 2, edited once qapress was back")
        wait_for(lambda: not queued(stack.url))
        wait_for(lambda: title_of(stack.get(seed_path)) == "Heat 2, edited once qapress was back")
        assert title_of(stack.get(never_path)) != "Heat 2, edited once qapress was back"


ARTICLE_QUERY = "query Article($id: Int!) { qa_ai_by_pk(id: $id) { id title image_credit } }"
SITE_QUERY = (
    "query Site($site: Int!) "
    "{ qa_ai(where: {domain: {_eq: $site}}, order_by: {id: asc}, limit: 3) { id title image_credit } }"
)
EDIT = (
    "mutation ($id: Int!, $credit: String!) "
    "{ update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {image_credit: $credit}) { id } }"
)


def graphql_get(stack: Stack, query: str, variables: dict[str, int], **headers: str) -> httpx.Response:
    params = urlencode({"query": query, "variables": json.dumps(variables)})
    return stack.get(f"/v1/graphql?{params}", Accept="application/json", **headers)


def graphql_direct(stack: Stack, query: str, variables: dict[str, int]) -> object:
    """The answer qapress gives now, not through Varnish."""
    params = {"query": query, "variables": json.dumps(variables)}
    url = f"http://127.0.0.1:{stack.app_port}/v1/graphql"
    return httpx.get(url, params=params, headers={"Accept": "application/json"}, timeout=30).json()


def graphql_edit(stack: Stack, article_id: int, credit: str) -> None:
    """An admin's edit through GraphQL, by POST through Varnish (which passes it to qapress): a new image
    credit (the same text, so its grounding check passes again and the article stays published)."""
    answer = httpx.post(
        f"http://127.0.0.1:{stack.varnish_port}/v1/graphql",
        json={"query": EDIT, "variables": {"id": article_id, "credit": credit}},
        headers={"Host": "screen.localhost", "X-Hasura-Admin-Secret": ADMIN_SECRET},
        timeout=30,
    )
    assert answer.json() == {"data": {"update_qa_ai_by_pk": {"id": article_id}}}, answer.text


def grounded_article(url: str, site_id: int) -> int:
    """A published article of the site whose grounding check passes: an edit through GraphQL checks it
    again, and one without a passing report (the seed article) goes back to draft."""
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            query = (
                sa.select(qa_ai.c.id)
                .join(grounding_report, grounding_report.c.article_id == qa_ai.c.id)
                .where(qa_ai.c.domain == site_id, qa_ai.c.status == "published", grounding_report.c.passed)
                .order_by(qa_ai.c.id)
            )
            return int(connection.execute(query).scalars().first() or 0)
    finally:
        engine.dispose()


def credit_of(response: httpx.Response) -> object:
    return response.json()["data"]["qa_ai_by_pk"]["image_credit"]


def test_an_anonymous_graphql_get_is_cached_and_purged_by_its_tags(stack: Stack) -> None:
    article_id, other_id = grounded_article(stack.url, site_id=7), grounded_article(stack.url, site_id=1)
    assert article_id and other_id
    seed, other, site = {"id": article_id}, {"id": other_id}, {"site": 1}
    first = graphql_get(stack, ARTICLE_QUERY, seed)
    again = graphql_get(stack, ARTICLE_QUERY, seed)
    assert first.status_code == again.status_code == 200
    assert not is_hit(first) and is_hit(again) and again.json() == first.json()
    assert first.json()["data"]["qa_ai_by_pk"]["id"] == article_id
    assert again.headers["surrogate-key"] == f"a{article_id} all"
    assert again.headers["cache-tag"] == f"a{article_id},all"
    assert "x-qapress-tags" not in again.headers and "xkey" not in again.headers
    for query, variables in ((ARTICLE_QUERY, other), (SITE_QUERY, site)):
        graphql_get(stack, query, variables)
        assert is_hit(graphql_get(stack, query, variables))
    listed_tags = set(graphql_get(stack, SITE_QUERY, site).headers["surrogate-key"].split())
    assert {"u1", "s1", f"a{other_id}", "all"} <= listed_tags

    credit = f"Edited through GraphQL ({stack.method})"
    graphql_edit(stack, article_id, credit)
    wait_for(lambda: not queued(stack.url))
    fresh = graphql_get(stack, ARTICLE_QUERY, seed)
    assert not is_hit(fresh) and credit_of(fresh) == credit
    assert fresh.json() == graphql_direct(stack, ARTICLE_QUERY, seed)
    assert is_hit(graphql_get(stack, ARTICLE_QUERY, seed))
    assert is_hit(graphql_get(stack, ARTICLE_QUERY, other))  # neither shows the edited article
    assert is_hit(graphql_get(stack, SITE_QUERY, site))

    graphql_edit(stack, other_id, credit)
    wait_for(lambda: not queued(stack.url))
    assert is_hit(graphql_get(stack, ARTICLE_QUERY, seed))  # an unrelated edit leaves it cached
    changed = graphql_get(stack, ARTICLE_QUERY, other)
    assert not is_hit(changed) and credit_of(changed) == credit
    listed = graphql_get(stack, SITE_QUERY, site)
    assert not is_hit(listed) and listed.json() == graphql_direct(stack, SITE_QUERY, site)


def test_graphql_is_never_cached_for_a_post_or_a_caller_who_says_who_they_are(stack: Stack) -> None:
    seed = {"id": SEED_ARTICLE_ID}
    graphql_get(stack, ARTICLE_QUERY, seed)
    assert is_hit(graphql_get(stack, ARTICLE_QUERY, seed))
    for headers in (
        {"X-Hasura-Admin-Secret": ADMIN_SECRET},
        {"X-Hasura-Role": "anonymous"},
        {"Authorization": "Bearer someone"},
        {"Cookie": "qapress_session=someone"},
    ):
        answers = [graphql_get(stack, ARTICLE_QUERY, seed, **headers) for _ in range(2)]
        assert not any(is_hit(a) for a in answers), headers
        assert all(a.status_code == 200 for a in answers), headers
    admin = graphql_get(stack, ARTICLE_QUERY, seed, **{"X-Hasura-Admin-Secret": ADMIN_SECRET})
    assert admin.headers["cache-control"] == "private, no-store" and "surrogate-key" not in admin.headers
    posted = [
        httpx.post(
            f"http://127.0.0.1:{stack.varnish_port}/v1/graphql",
            json={"query": ARTICLE_QUERY, "variables": seed},
            headers={"Host": "screen.localhost"},
            timeout=30,
        )
        for _ in range(2)
    ]
    assert all(p.status_code == 200 and not is_hit(p) for p in posted)
    assert all("data" in p.json() for p in posted)
