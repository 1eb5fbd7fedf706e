"""The serving half of ``python -m bench scale``: Varnish in front of ``qapress serve --workers 2``, with edits.

Phases, on one server and one Varnish:

- **purges**: a Python client fetches a Zipf sample of pages through Varnish (so Varnish holds exactly
  those), then the editor retitles articles those pages show, one at a time. For each edit: the objects
  Varnish says the purge removed (its ``Purged N objects`` answer, read from ``varnishlog``) against the
  pages of the sample whose HTML shows the article (its own page, or a page linking ``/a/{id}/``); then
  those pages must be misses with the new title, and the sample's other pages still hits.
- **through Varnish** and **direct**: wrk with a Lua script drawing the same Zipf mix (80% article pages by
  popularity rank, 10% home pages, 10% list pages ``/?page=N``, over the 200 hosts) while the editor
  retitles one Zipf-drawn article a second; Varnish's hit ratio from ``varnishstat``.
"""

from __future__ import annotations

import contextlib
import math
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.site.test_varnish import start_varnish

from bench import scale_data
from bench.pages import Server, free_port, parse_wrk
from bench.scale_bench import qapress_env

ADMIN_SECRET = "scale-bench-admin"
#: Popularity rank -> article id: a multiplier coprime to any network size the bench makes (a prime).
SHUFFLE = 2_654_435_761
LIST_PAGES = 50
#: Articles per list page (the default ``QAPRESS_HOME_PAGE_SIZE``).
PAGE_SIZE = 20


def list_pages(articles: int, sites: int) -> int:
    """The list pages drawn from: up to 50, as many as a site has."""
    return max(1, min(LIST_PAGES, articles // sites // PAGE_SIZE))


LINKED = re.compile(r'href="[^"]*/a/(\d+)/')


def zipf_rank(rng: random.Random, n: int) -> int:
    """A rank in 1..n with P(rank) ~ 1/rank (the continuous approximation: rank = n ** u)."""
    return min(n, max(1, int(math.exp(rng.random() * math.log(n)))))


def ranked_article(rank: int, articles: int) -> int:
    return (rank * SHUFFLE) % articles + 1


def draw(rng: random.Random, articles: int, sites: int) -> tuple[str, str]:
    """(host, path) of one request of the mix."""
    kind = rng.random()
    if kind < 0.8:
        article_id = ranked_article(zipf_rank(rng, articles), articles)
        return scale_data.host(scale_data.site_of(article_id, sites)), scale_data.article_path(article_id)
    site = scale_data.host(zipf_rank(rng, sites))
    if kind < 0.9:
        return site, "/"
    return site, f"/?page={1 + zipf_rank(rng, list_pages(articles, sites) - 1 or 1)}"


def wrk_script(articles: int, sites: int, folder: Path) -> Path:
    """The same mix in Lua for wrk (titles and slugs as ``scale_data`` makes them)."""
    words = ", ".join(f'"{w}"' for w in scale_data.title_words())
    verbs = ", ".join(f'"{v}"' for v in scale_data.VERBS)
    script = f"""
local N, S, SHUFFLE, PAGES = {articles}, {sites}, {SHUFFLE}, {max(1, list_pages(articles, sites) - 1)}
local W = {{{words}}}
local V = {{{verbs}}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919 + os.time()) end
local function rank(n) local r = math.floor(math.exp(math.random() * math.log(n))); if r < 1 then r = 1 end; if r > n then r = n end; return r end
local function host(site) return string.format("site-%03d.localhost", site) end
request = function()
  local kind = math.random()
  if kind < 0.8 then
    local id = (rank(N) * SHUFFLE) % N + 1
    local nw = #W
    local slug = W[id % nw + 1] .. "-" .. W[math.floor(id / nw) % nw + 1] .. "-" .. V[id % #V + 1]
      .. "-" .. W[(id * 7 + 3) % nw + 1] .. "-" .. W[math.floor((id * 13 + 5) / nw) % nw + 1]
    return wrk.format("GET", "/a/" .. id .. "/" .. slug, {{Host = host((id - 1) % S + 1)}})
  end
  local site = host(rank(S))
  if kind < 0.9 then return wrk.format("GET", "/", {{Host = site}}) end
  return wrk.format("GET", "/?page=" .. (1 + rank(PAGES)), {{Host = site}})
end
"""
    path = folder / "zipf.lua"
    path.write_text(script, "utf-8")
    return path


def varnish_counters(workdir: Path) -> dict[str, int]:
    out = subprocess.run(
        ["varnishstat", "-n", str(workdir / "varnish"), "-1", "-f", "MAIN.*"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    counters = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            counters[parts[0].removeprefix("MAIN.")] = int(parts[1])
    return counters


class PurgeLog:
    """``varnishlog`` of the PURGE requests: the tags each carried and how many objects it removed."""

    def __init__(self, workdir: Path) -> None:
        self.file = workdir / "purges.log"
        self._out = self.file.open("w")
        command = [
            "varnishlog",
            "-n",
            str(workdir / "varnish"),
            "-g",
            "request",
            "-q",
            'ReqMethod eq "PURGE"',
        ]
        command += ["-i", "ReqHeader,RespReason"]
        self.process = subprocess.Popen(
            command, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def purges(self) -> list[tuple[set[str], int]]:
        self._out.flush()
        found: list[tuple[set[str], int]] = []
        tags: set[str] = set()
        for line in self.file.read_text("utf-8", errors="replace").splitlines():
            if "<< Request" in line:
                tags = set()
            elif "ReqHeader" in line and "xkey-purge:" in line:
                tags = set(line.split("xkey-purge:", 1)[1].split())
            elif "RespReason" in line and (match := re.search(r"Purged (\d+) objects", line)):
                found.append((tags, int(match.group(1))))
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._out.close()


@dataclass
class Editor:
    """Retitles articles through the GraphQL API as the admin (what the newsroom's tools send)."""

    url: str
    edits: int = 0
    failures: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def edit(self, client: httpx.Client, article_id: int) -> str:
        self.edits += 1
        # Unique: an UPDATE to the same title changes nothing, and its triggers rightly log no tag.
        title = f"{scale_data.title(article_id)} (edit {self.edits}, {time.time():.3f})"
        query = "mutation ($id: Int!, $t: String!) { update_qa_ai_by_pk(pk_columns: {id: $id}, _set: {title: $t}) { id } }"
        start = time.perf_counter()
        response = client.post(
            self.url,
            json={"query": query, "variables": {"id": article_id, "t": title}},
            headers={"X-Hasura-Admin-Secret": ADMIN_SECRET},
        )
        self.latencies_ms.append((time.perf_counter() - start) * 1000)
        body = response.json()
        if response.status_code != 200 or "errors" in body or not body["data"]["update_qa_ai_by_pk"]:
            self.failures += 1
            raise RuntimeError(f"edit of {article_id} failed: {response.status_code} {response.text[:300]}")
        return title

    def every_second(self, pick: Callable[[], int]) -> threading.Thread:
        def run() -> None:
            with httpx.Client(timeout=30) as client:
                while not self._stop.wait(1.0):
                    with contextlib.suppress(RuntimeError, httpx.HTTPError):  # counted in failures
                        self.edit(client, pick())

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def stop(self, thread: threading.Thread) -> None:
        self._stop.set()
        thread.join(30)
        self._stop.clear()


@dataclass
class Fetched:
    status: int
    hit: bool
    shows: set[int]
    body: str
    keys: frozenset[str]


def fetch(client: httpx.Client, base: str, host: str, path: str) -> Fetched:
    response = client.get(base + path, headers={"Host": host})
    shows = {int(found) for found in LINKED.findall(response.text)}
    own = re.match(r"/a/(\d+)/", path)
    if own:
        shows.add(int(own.group(1)))
    hit = len(response.headers.get("x-varnish", "").split()) == 2
    keys = frozenset(response.headers.get("surrogate-key", "").split())
    return Fetched(response.status_code, hit, shows, response.text, keys)


def purge_phase(
    base: str, editor: Editor, log: PurgeLog, articles: int, sites: int, sample: int, edits: int
) -> dict[str, object]:
    rng = random.Random(15)
    requests = sorted({draw(rng, articles, sites) for _ in range(sample)})
    with ThreadPoolExecutor(4) as pool, httpx.Client(timeout=60) as client:
        pages = dict(zip(requests, pool.map(lambda r: fetch(client, base, *r), requests), strict=True))
    # A page that timed out under the machine's load (503) is left out of the sample, and counted.
    failed = sorted({page.status for page in pages.values() if page.status != 200})
    dropped = sum(1 for page in pages.values() if page.status != 200)
    pages = {r: page for r, page in pages.items() if page.status == 200}
    if len(pages) < sample // 2:
        raise RuntimeError(f"only {len(pages)} sample pages answered 200 (others: {failed})")
    showing: dict[int, list[tuple[str, str]]] = {}
    for request, page in pages.items():
        for article_id in page.shows:
            showing.setdefault(article_id, []).append(request)
    # Edit articles the sample shows, the most shown first (the home pages' leads), then article pages.
    candidates = sorted(showing, key=lambda a: (-len(showing[a]), a))
    chosen = candidates[: edits // 2] + rng.sample(candidates[edits // 2 :], edits - edits // 2)
    rows = []
    with httpx.Client(timeout=60) as client:
        for article_id in chosen:
            before = len(log.purges())
            title = editor.edit(client, article_id)
            deadline = time.monotonic() + 30
            tag = f"a{article_id}"
            while True:
                purges = [p for p in log.purges()[before:] if tag in p[0]]
                if purges or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            purged = sum(count for _, count in purges)
            sent = set().union(*(tags for tags, _ in purges)) if purges else set()
            tagged = [r for r, page in pages.items() if page.keys & sent]
            expected = showing[article_id]
            extra = sorted(set(tagged) - set(expected))
            fresh = [fetch(client, base, *request) for request in expected]
            stale = sum(1 for page in fresh if page.hit or title not in page.body)
            others = [r for r in pages if r not in expected and article_id not in pages[r].shows]
            kept_sample = rng.sample(others, min(20, len(others)))
            lost = sum(1 for r in kept_sample if not fetch(client, base, *r).hit)
            # the re-fetched pages are cached again: the sample stays what Varnish holds
            rows.append(
                {"article": article_id, "shown_on": len(expected), "purged": purged, "stale_after": stale,
                 "tagged": len(tagged), "purge_tags": sorted(sent), "extra": [" ".join(r) for r in extra[:3]],
                 "others_checked": len(kept_sample), "others_purged": lost, "purge_seen": bool(purges)}
            )  # fmt: skip
    return {"sample_pages": len(pages), "edits": rows, "not_200": dropped, "not_200_statuses": failed}


def wrk_phase(
    url: str, lua: Path, seconds: int, connections: int, editor: Editor, pick: Callable[[], int]
) -> dict[str, float]:
    thread = editor.every_second(pick)
    try:
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "20s"]
        command += ["--latency", "-s", str(lua), url]
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 120
        ).stdout
    finally:
        editor.stop(thread)
    rps, p50, p99, failures = parse_wrk(output)
    requests = re.search(r"(\d+) requests in", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "failures": failures,
            "requests": float(requests.group(1)) if requests else float("nan")}  # fmt: skip


def serve_bench(
    database: Path,
    articles: int,
    sites: int,
    seconds: int,
    connections: int,
    sample: int = 600,
    edits: int = 20,
) -> dict[str, object]:
    for tool in ("varnishd", "varnishstat", "varnishlog", "wrk"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed (apt-get install varnish varnish-modules wrk)")
    # The import's own trigger rows are purges of pages no cache holds yet: the bench starts from none.
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM purge_queue")
    workdir = Path(tempfile.mkdtemp(prefix="varnish-", dir=database.parent))
    app_port, varnish_port = free_port(), free_port()
    env = qapress_env(
        f"sqlite:///{database}",
        QAPRESS_DATA_DIR=str(workdir / "data"),
        QAPRESS_ADMIN_SECRET=ADMIN_SECRET,
        QAPRESS_LINKS_WORKER_IN_SERVE="0",
        QAPRESS_PUBLIC_BASE_URL="http://{host}",
        QAPRESS_RATE_LIMIT_ANONYMOUS="1000000000",
        QAPRESS_PURGE_VARNISH_URLS=f'["http://127.0.0.1:{varnish_port}"]',
        QAPRESS_PURGE_POLL_SECONDS="0.2",
    )
    command = [
        sys.executable,
        "-m",
        "qapress",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(app_port),
        "--workers",
        "2",
    ]
    server = Server(command, env, app_port)
    varnish = start_varnish(workdir, varnish_port, app_port, storage="512m", threads=20)
    log: PurgeLog | None = None
    result: dict[str, object] = {"connections": connections, "seconds": seconds}
    try:
        server.wait_ready(120)
        Server.wait_ready(_Probe(varnish_port, varnish), 60)  # type: ignore[arg-type]
        log = PurgeLog(workdir)
        time.sleep(1)
        direct, cached = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{varnish_port}"
        editor = Editor(direct + "/v1/graphql")
        print("[scale] purges: sample pages through Varnish, then edits", flush=True)
        result["purges"] = purge_phase(cached, editor, log, articles, sites, sample=sample, edits=edits)
        rng = random.Random(16)

        def pick() -> int:
            return ranked_article(zipf_rank(rng, articles), articles)

        lua = wrk_script(articles, sites, workdir)
        print(f"[scale] warming Varnish: wrk for {seconds} s, one edit a second", flush=True)
        result["warmup"] = wrk_phase(cached, lua, seconds, connections, editor, pick)
        before, purges_before, edits_before = varnish_counters(workdir), len(log.purges()), editor.edits
        print(f"[scale] wrk through Varnish, {seconds} s, one edit a second", flush=True)
        result["varnish"] = wrk_phase(cached, lua, seconds, connections, editor, pick)
        time.sleep(2)  # the last edit's purge
        after = varnish_counters(workdir)
        hits, misses = after["cache_hit"] - before["cache_hit"], after["cache_miss"] - before["cache_miss"]
        load_purges = log.purges()[purges_before:]
        result["hit_ratio"] = hits / max(1, hits + misses)
        result["load_edits"] = editor.edits - edits_before
        result["load_purged"] = sum(count for _, count in load_purges)
        result["load_purge_requests"] = len(load_purges)
        result["varnish_objects"] = after.get("n_object", 0)
        print(f"[scale] wrk direct to qapress, {seconds} s, one edit a second", flush=True)
        result["direct"] = wrk_phase(direct, lua, seconds, connections, editor, pick)
        result["edit_p50_ms"] = statistics.median(editor.latencies_ms)
        result["edit_failures"] = editor.failures
        result["server_peak_rss_mb"] = server.peak_rss_mb()
    finally:
        if log is not None:
            log.stop()
        server.stop()
        varnish.terminate()
        varnish.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return result


class _Probe:
    """Enough of ``Server`` for ``wait_ready`` on Varnish."""

    def __init__(self, port: int, process: subprocess.Popen[str]) -> None:
        self.port = port
        self.process = process
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - read only if Varnish died


def render_serve(serve: dict[str, object]) -> list[str]:
    purge_rows: list[dict[str, int]] = serve["purges"]["edits"]  # type: ignore[index]
    exact = sum(1 for r in purge_rows if r["purged"] == r["shown_on"])
    shown = statistics.mean(r["shown_on"] for r in purge_rows)
    purged = statistics.mean(r["purged"] for r in purge_rows)
    stale = sum(r["stale_after"] for r in purge_rows)
    others = sum(r["others_purged"] for r in purge_rows)
    checked = sum(r["others_checked"] for r in purge_rows)
    v, d = serve["varnish"], serve["direct"]  # type: ignore[index]
    edits = int(serve["load_edits"])  # type: ignore[call-overload]
    tagged = statistics.mean(r["tagged"] for r in purge_rows)
    extras = sorted({e for r in purge_rows for e in r["extra"]})[:6]  # type: ignore[attr-defined]
    w = serve["warmup"]  # type: ignore[index]
    lines = [
        f"Serving: `qapress serve --workers 2` on SQLite, Debian's Varnish (xkey, the shipped VCL) in front, the"
        f" purge worker pointed at it; wrk -t2 -c{serve['connections']} for {serve['seconds']} s per target"
        " with a Zipf mix (80% article pages by popularity rank, 10% home pages, 10% list pages, over the"
        " 200 hosts) while an editor retitles one Zipf-drawn article a second through GraphQL.",
        "",
        "| target | requests/s | p50 | p99 | non-2xx or errors |",
        "|---|---:|---:|---:|---:|",
        f"| through Varnish, warming (first {serve['seconds']} s) | {w['rps']:,.0f} | {w['p50_ms']:.1f} ms | {w['p99_ms']:.1f} ms | {w['failures']:.0f} |",  # type: ignore[index]
        f"| through Varnish | {v['rps']:,.0f} | {v['p50_ms']:.1f} ms | {v['p99_ms']:.1f} ms | {v['failures']:.0f} |",  # type: ignore[index]
        f"| direct to qapress | {d['rps']:,.0f} | {d['p50_ms']:.1f} ms | {d['p99_ms']:.1f} ms | {d['failures']:.0f} |",  # type: ignore[index]
        "",
        f"Through Varnish: hit ratio {float(serve['hit_ratio']):.1%} (varnishstat cache_hit / (hit + miss), from"  # type: ignore[arg-type]
        f" the run after the warming one), {edits} edits, {serve['load_purge_requests']} purge"
        f" requests removing {serve['load_purged']} objects"
        f" ({int(serve['load_purged']) / max(1, edits):.1f} per edit) out of {serve['varnish_objects']:,} cached;"  # type: ignore[call-overload]
        f" edit p50 {float(serve['edit_p50_ms']):.0f} ms, {serve['edit_failures']} failed edits;"  # type: ignore[arg-type]
        f" server peak RSS (2 workers and their parent) {float(serve['server_peak_rss_mb']):.0f} MB.",  # type: ignore[arg-type]
        "",
        f"Purges per edit, checked against the pages' HTML: {serve['purges']['sample_pages']} Zipf-drawn pages"  # type: ignore[index]
        f" fetched through Varnish ({serve['purges']['not_200']} more answered"  # type: ignore[index]
        f" {serve['purges']['not_200_statuses']} and were left out), then {len(purge_rows)} edits of articles they show: on average"
        f" {purged:.1f} objects purged for {shown:.1f} sample pages showing the article (exactly equal in"
        f" {exact} of {len(purge_rows)} edits) and {tagged:.1f} sample pages whose Surrogate-Key holds one of"
        f" the purged tags; {stale} showing pages still old after the purge;"
        f" {others} of {checked} sampled non-showing pages lost from the cache."
        + (f" Purged without showing the article: {', '.join(extras)}." if extras else ""),
    ]
    return lines
