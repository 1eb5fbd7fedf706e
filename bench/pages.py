"""Pages under a bounded load: ``qapress serve`` and the fixed-bytes floor under wrk on 127.0.0.1.

Each server runs in its own process group on an ephemeral port and is stopped by that group's id. wrk runs
with a fixed number of connections for a fixed time, with ``--latency`` for p50/p99. Peak RSS is the sum of
``VmHWM`` over the server's processes (the supervisor and its workers), read just before it is stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson

from bench.data import Network
from bench.seed import seed_query, seed_variables

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LoadResult:
    """One wrk run: requests per second and latency percentiles in milliseconds, or why there is none."""

    target: str
    workers: int
    rps: float = float("nan")
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    peak_rss_mb: float = float("nan")
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.note


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A server process group started for one measurement, stopped by its own group id."""

    def __init__(self, command: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; closed in stop()
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read().decode(errors='replace')[-800:]}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server on port {self.port} not ready after {timeout:.0f} s")

    def peak_rss_mb(self) -> float:
        total_kb = 0
        for pid in process_tree(self.process.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total_kb += int(line.split()[1])
            except OSError:
                continue
        return total_kb / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, from ``/proc``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def _env(extra: dict[str, str], src: Path | None = None) -> dict[str, str]:
    """The environment of a server process: this checkout's ``src`` (or ``src``) first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(src or ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    env.update(extra)
    return env


def qapress_server(network: Network, workers: int, src: Path | None = None) -> Server:
    """``qapress serve`` over ``network``; ``src``: another checkout's ``src`` folder (a before/after run)."""
    port = free_port()
    command = [sys.executable, "-m", "qapress", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    # wrk sends everything from one address: the anonymous rate limit (600 a minute) would answer 429s.
    # Its data folder (the reader IP-hash salt, metrics files) in a temporary one, never the checkout.
    data_dir = tempfile.mkdtemp(prefix="qapress-bench-serve-")
    env = _env(
        {
            "QAPRESS_DATABASE_URL": network.url,
            "QAPRESS_RATE_LIMIT_ANONYMOUS": "1000000000",
            "QAPRESS_DATA_DIR": data_dir,
            # No background work in the measured process: an imported network queues every article's
            # related list, which the in-serve worker would compute (~0.1 s each) while requests are timed.
            "QAPRESS_LINKS_WORKER_IN_SERVE": "0",
            "QAPRESS_PURGE_WORKER_IN_SERVE": "0",
        },
        src,
    )
    return Server(command, env, port)


def fixed_bytes_server(body_file: Path, content_type: str, workers: int) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.fixed_bytes:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    command += ["--no-server-header"]
    env = _env({"BENCH_FIXED_BYTES_FILE": str(body_file), "BENCH_FIXED_CONTENT_TYPE": content_type})
    return Server(command, env, port)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx responses) from ``wrk --latency`` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failures = int(bad.group(1)) if bad else 0
    if errors:
        failures += sum(int(g) for g in errors.groups())
    return (float(rps.group(1)) if rps else float("nan"), latency("50"), latency("99"), failures)


def run_wrk(
    url: str, *, seconds: int, connections: int, headers: dict[str, str], lua: Path | None = None
) -> str:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if lua is not None:
        command += ["-s", str(lua)]
    command.append(url)
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout


def graphql_lua(body: bytes, directory: Path) -> Path:
    path = directory / "post.lua"
    lua_body = body.decode().replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    path.write_text(
        f'wrk.method = "POST"\nwrk.body = "{lua_body}"\nwrk.headers["Content-Type"] = "application/json"\n'
    )
    return path


@dataclass(frozen=True)
class PageTarget:
    """The seed's article page on a network: the article (the seed's own id when the network has it)."""

    article_id: int
    host: str
    domain: int

    @property
    def path(self) -> str:
        return f"/a/{self.article_id}"


def measure(
    server: Server,
    name: str,
    workers: int,
    url_path: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str],
    lua: Path | None = None,
) -> LoadResult:
    result = LoadResult(name, workers)
    url = f"http://127.0.0.1:{server.port}{url_path}"
    output = run_wrk(url, seconds=seconds, connections=connections, headers=headers, lua=lua)
    result.rps, result.p50_ms, result.p99_ms, failures = parse_wrk(output)
    result.peak_rss_mb = server.peak_rss_mb()
    if failures:
        result.note = f"{failures} failed or non-2xx responses"
    return result


def unavailable(status: int) -> str:
    """Why a target was not loaded: a route that does not exist yet, or an error of qapress (counted)."""
    return f"not yet: HTTP {status}" if status == 404 else f"error: HTTP {status}"


def fetch_page(base: str, path: str, headers: dict[str, str]) -> tuple[str, httpx.Response]:
    """The page at ``path``, following the site's redirects (to the canonical slug URL) on this server."""
    response = httpx.get(base + path, headers=headers, timeout=30)
    for _ in range(3):
        if response.status_code not in (301, 302, 307, 308):
            break
        location = urlsplit(response.headers["location"])
        path = location.path + (f"?{location.query}" if location.query else "")
        response = httpx.get(base + path, headers=headers, timeout=30)
    return path, response


def page_benchmarks(
    network: Network, target: PageTarget, *, workers_list: list[int], seconds: int, connections: int
) -> list[LoadResult]:
    """Article page, GraphQL endpoint and the fixed-bytes floor, for each worker count."""
    if shutil.which("wrk") is None:
        return [LoadResult("pages", 0, note="wrk is not installed (apt-get install wrk)")]
    results: list[LoadResult] = []
    variables = {**seed_variables(), "id": target.article_id, "domain": target.domain}
    graphql_body = orjson.dumps({"query": seed_query(), "variables": variables})
    headers = {"Host": target.host}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        lua = graphql_lua(graphql_body, directory)
        for workers in workers_list:
            server = qapress_server(network, workers)
            page_bytes: bytes | None = None
            try:
                server.wait_ready()
                base = f"http://127.0.0.1:{server.port}"
                page_path, page = fetch_page(base, target.path, headers)
                if page.status_code == 200:
                    page_bytes = page.content
                    results.append(
                        measure(
                            server,
                            "article page",
                            workers,
                            page_path,
                            seconds=seconds,
                            connections=connections,
                            headers=headers,
                        )
                    )
                else:
                    results.append(LoadResult("article page", workers, note=unavailable(page.status_code)))
                answer = httpx.post(
                    base + "/v1/graphql",
                    content=graphql_body,
                    timeout=10,
                    headers={"Content-Type": "application/json"},
                )
                if answer.status_code == 200 and b'"data"' in answer.content:
                    results.append(
                        measure(
                            server,
                            "GraphQL endpoint (seed query)",
                            workers,
                            "/v1/graphql",
                            seconds=seconds,
                            connections=connections,
                            headers={},
                            lua=lua,
                        )
                    )
                else:
                    results.append(
                        LoadResult(
                            "GraphQL endpoint (seed query)",
                            workers,
                            note=unavailable(answer.status_code),
                        )
                    )
            finally:
                server.stop()
            if page_bytes is None:
                results.append(
                    LoadResult("server floor: fixed bytes", workers, note="not yet: no page to copy")
                )
                continue
            body_file = directory / "page.html"
            body_file.write_bytes(page_bytes)
            floor = fixed_bytes_server(body_file, "text/html; charset=utf-8", workers)
            try:
                floor.wait_ready()
                results.append(
                    measure(
                        floor,
                        "server floor: fixed bytes",
                        workers,
                        target.path,
                        seconds=seconds,
                        connections=connections,
                        headers=headers,
                    )
                )
            finally:
                floor.stop()
    return results
