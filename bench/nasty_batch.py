"""``python -m bench.nasty_batch``: the audit's worst anonymous request against a real ``qapress demo``.

A batch of copies of a five-level nested query (domain -> articles -> site -> articles -> site -> articles
with their text), sent as the anonymous role while ``/healthz`` is probed every 50 ms. Prints the server's
peak RSS (``VmHWM``), the batch's time, status and answer size, and the slowest ``/healthz``.

python -m bench.nasty_batch --backend sqlite --copies 100
python -m bench.nasty_batch --backend postgresql --copies 50
python -m bench.nasty_batch --worst-allowed        # the largest batch the anonymous budget lets through
python -m bench.nasty_batch --env QAPRESS_MAX_COST_ANONYMOUS=1000000000000000   # only the byte caps left
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("QAPRESS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

NESTED = "{ domain { id articles { id title site { id articles { id site { id articles { id title text } } } } } } }"
#: Every column an anonymous reader may read, the row limit's 100 articles per copy.
WIDE = "query Q($o: Int!) { qa_ai(offset: $o) { id domain title slug text lead faq outro date image_url } }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_demo(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "qapress", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the demo server did not start")
        time.sleep(0.2)


def run(backend: str, copies: int, worst_allowed: bool, extra_env: dict[str, str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
    env["QAPRESS_LINKS_WORKER_IN_SERVE"] = "0"
    env.update(extra_env)
    admin = None
    name = ""
    with tempfile.TemporaryDirectory() as data_dir:
        env["QAPRESS_DATA_DIR"] = data_dir
        if backend == "postgresql":
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            name = f"qapress_nasty_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            env["QAPRESS_DATABASE_URL"] = admin.url.set(database=name).render_as_string(hide_password=False)
        port = free_port()
        process = start_demo(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            baseline = peak_rss_mb(process.pid)
            done = threading.Event()
            slowest = [0.0]

            def probe() -> None:
                with httpx.Client(timeout=60) as client:
                    while not done.is_set():
                        start = time.perf_counter()
                        client.get(f"{base}/healthz")
                        slowest[0] = max(slowest[0], time.perf_counter() - start)
                        time.sleep(0.05)

            prober = threading.Thread(target=probe, daemon=True)
            prober.start()
            if worst_allowed:
                body: list[dict[str, Any]] = [
                    {"query": WIDE, "variables": {"o": i % 60}} for i in range(copies)
                ]
            else:
                body = [{"query": NESTED} for _ in range(copies)]
            start = time.perf_counter()
            response = httpx.post(f"{base}/v1/graphql", json=body, timeout=600)
            elapsed = time.perf_counter() - start
            done.set()
            prober.join()
            head = response.content[:300].decode(errors="replace")
            return {
                "backend": backend,
                "copies": copies,
                "request_bytes": len(httpx.Request("POST", base, json=body).content),
                "status": response.status_code,
                "answer_bytes": len(response.content),
                "seconds": round(elapsed, 2),
                "baseline_rss_mb": round(baseline, 1),
                "peak_rss_mb": round(peak_rss_mb(process.pid), 1),
                "slowest_healthz_ms": round(slowest[0] * 1000, 1),
                "answer_starts": head,
            }
        finally:
            process.terminate()
            process.wait(timeout=30)
            if admin is not None:
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nasty_batch", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument(
        "--worst-allowed", action="store_true", help="send the widest query the budget allows"
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env)
    for key, value in run(args.backend, args.copies, args.worst_allowed, extra).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
