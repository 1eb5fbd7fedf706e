"""``python -m bench scale``: a network of N articles over 200 sites, through the product, with Varnish in front.

1. The network's JSON Lines are written as a stream (``bench/scale_data.py``), 200 sites are added, and
   ``qapress import`` reads the file; ``qapress export --all`` writes the whole network back. Each is its own
   process: wall time and peak RSS (``wait4``'s ``ru_maxrss``) are that process's alone.
2. ``qapress serve --workers 2`` with Debian's ``varnishd`` (the xkey vmod, the shipped VCL) in front and the
   purge worker pointed at it. A load client sends a Zipf-distributed mix (article pages by popularity rank,
   the 200 home pages, list pages ``/?page=N``) through Varnish while an editor process retitles one
   article a second through the product's GraphQL API (``update_qa_ai_by_pk`` as the admin, as the
   newsroom's tools do). Measured: Varnish's hit ratio (``varnishstat``), the objects each purge removed
   against the pages the load client holds that show the edited article, the same mix straight at qapress,
   requests per second and p50/p99 of both.

The network and its import/export figures are kept in the data folder between runs (``--fresh`` rebuilds
them); delete it when done (``--clean``). Nothing is written inside the repository but BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import scale_data
from bench.machine import Machine, describe_machine
from bench.pages import ROOT

DATA_DIR = Path(tempfile.gettempdir()) / "qapress-scale"
DEFAULT_ARTICLES = 10_000_000


@dataclass
class Step:
    """One CLI process: what it did, its wall time and peak RSS."""

    name: str
    seconds: float
    peak_rss_mb: float
    detail: str


def run_measured(name: str, command: list[str], env: dict[str, str], log: Path) -> Step:
    """Run ``command`` under GNU time: its own peak RSS (``wait4`` in a small parent; the bench's own
    ``ru_maxrss`` would carry over into a child it forks, Linux keeps the high-water mark across exec)."""
    figures = log.with_suffix(".time")
    start = time.monotonic()
    with log.open("wb") as out:
        timed = ["/usr/bin/time", "-f", "%M", "-o", str(figures), *command]
        returncode = subprocess.run(
            timed, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=out
        ).returncode
    seconds = time.monotonic() - start
    tail = log.read_text("utf-8", errors="replace").strip().splitlines()
    detail = tail[-1] if tail else ""
    if returncode != 0:
        raise RuntimeError(f"{name} failed ({returncode}): {detail}")
    peak_kb = int(figures.read_text("utf-8").split()[-1])
    return Step(name, seconds, peak_kb / 1024, detail)


def qapress_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["QAPRESS_DATABASE_URL"] = url
    env.update(extra)
    return env


def add_sites(url: str, sites: int) -> None:
    """A fresh store with the bench's sites (through the store's own ``add_site``)."""
    from qapress.store import migrate, open_engine
    from qapress.store.sites import SiteFields, add_site

    engine = open_engine(url)
    try:
        migrate(engine)
        for site_id in range(1, sites + 1):
            add_site(engine, SiteFields(scale_data.host(site_id), f"Site {site_id}", "en", "Scale bench"))
    finally:
        engine.dispose()


def build_network(
    articles: int,
    sites: int,
    folder: Path,
    *,
    fresh: bool,
    export: bool,
    body: str = "news",
    processes: int = 1,
    jsonl: Path | None = None,
) -> dict[str, object]:
    """The network in ``folder`` (made once) and the figures of its generation, import and export.

    ``jsonl``: a file ``python -m bench.scale_data`` wrote beforehand (kept; its generation is not timed)."""
    folder.mkdir(parents=True, exist_ok=True)
    figures_file = folder / "figures.json"
    database = folder / "network.db"
    if figures_file.exists() and database.exists() and not fresh:
        figures: dict[str, object] = json.loads(figures_file.read_text("utf-8"))
        print(f"[scale] reusing the {articles:,}-article network in {folder}", flush=True)
        return figures
    for stale in folder.iterdir():
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    url = f"sqlite:///{database}"
    source = jsonl or folder / "articles.jsonl"
    generated = -1.0
    if jsonl is None:
        print(f"[scale] writing {articles:,} articles to {source}", flush=True)
        start = time.monotonic()
        scale_data.write(source, articles, sites, body=body, processes=processes)
        generated = time.monotonic() - start
    size = source.stat().st_size
    add_sites(url, sites)
    python = [sys.executable, "-m", "qapress"]
    print(f"[scale] qapress import ({size / 1e9:.2f} GB)", flush=True)
    imported = run_measured(
        "import", [*python, "import", str(source)], qapress_env(url), folder / "import.log"
    )
    print(f"[scale] {imported}", flush=True)
    if jsonl is None:
        source.unlink()  # the disk is needed for the export
    with sqlite3.connect(database) as connection:
        queued = int(connection.execute("SELECT count(*) FROM purge_queue").fetchone()[0])
        logged = int(connection.execute("SELECT count(*) FROM cache_invalidation").fetchone()[0])
    steps = [imported]
    if export:
        dump = folder / "network-dump.jsonl"
        print("[scale] qapress export --all", flush=True)
        exported = run_measured(
            "export --all",
            [*python, "export", "--all", "-o", str(dump)],
            qapress_env(url),
            folder / "export.log",
        )
        exported.detail += f" ({dump.stat().st_size / 1e9:.2f} GB)"
        print(f"[scale] {exported}", flush=True)
        dump.unlink()
        steps.append(exported)
    figures = {
        "articles": articles,
        "sites": sites,
        "jsonl_bytes": size,
        "generate_seconds": generated,
        "body": body,
        "database_bytes": database.stat().st_size,
        "queued_purges": queued,
        "logged_tags": logged,
        "steps": [asdict(step) for step in steps],
    }
    figures_file.write_text(json.dumps(figures, indent=2), "utf-8")
    return figures


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--sites", type=int, default=scale_data.SITES)
    parser.add_argument("--seconds", type=int, default=30, help="load per phase (through Varnish, direct)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sample", type=int, default=600, help="pages fetched before the purge check")
    parser.add_argument("--edits", type=int, default=20, help="edits of the purge check")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--fresh", action="store_true", help="rebuild the network even if one is kept")
    parser.add_argument("--body", choices=sorted(scale_data.BODY_WORDS), default="news", help="body length")
    parser.add_argument("--processes", type=int, default=1, help="processes writing the JSON Lines")
    parser.add_argument(
        "--jsonl", type=Path, help="import this file (bench.scale_data's) instead of writing one"
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-serve", action="store_true", help="import and export only")
    parser.add_argument("--clean", action="store_true", help="delete the kept network afterwards")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # A SIGTERM ends the run through the ``finally`` blocks that stop the server, Varnish and varnishlog.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = args.data_dir / str(args.articles)
    figures = build_network(
        args.articles,
        args.sites,
        folder,
        fresh=args.fresh,
        export=not args.skip_export,
        body=args.body,
        processes=args.processes,
        jsonl=args.jsonl,
    )
    serve: dict[str, object] | None = None
    if not args.skip_serve:
        from bench.scale_serve import serve_bench

        serve = serve_bench(
            folder / "network.db",
            args.articles,
            args.sites,
            args.seconds,
            args.connections,
            sample=args.sample,
            edits=args.edits,
        )
    report = render(describe_machine(), figures, serve)
    print(report)
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as out:
            out.write("\n" + report)
        print(f"[scale] appended to {args.output}")
    if args.clean:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def render(machine: Machine, figures: dict[str, object], serve: dict[str, object] | None) -> str:
    from bench.scale_serve import render_serve

    articles = int(figures["articles"])  # type: ignore[call-overload]
    lines = [
        f"## Scale: {articles:,} articles over {figures['sites']} sites ({time.strftime('%Y-%m-%d')})",
        "",
        *machine.lines(),
        "- **Taken on a machine that may be shared** (2 cores; the load above says how busy):"
        " times are this run's only; compare figures of the same run.",
        "",
        "| step | wall time | peak RSS | what it said |",
        "|---|---:|---:|---|",
    ]
    for step in figures["steps"]:  # type: ignore[attr-defined]
        lines.append(
            f"| `qapress {step['name']}` | {step['seconds']:.0f} s | {step['peak_rss_mb']:.0f} MB |"
            f" {step['detail']} |"
        )
    lines.append("")
    seconds = float(figures["generate_seconds"])  # type: ignore[arg-type]
    written = f"written in {seconds:.0f} s" if seconds >= 0 else "written beforehand"
    lines.append(
        f"JSON Lines {int(figures['jsonl_bytes']) / 1e9:.2f} GB ({figures.get('body', 'news')} bodies,"  # type: ignore[call-overload]
        f" {written}), SQLite file after import"
        f" {int(figures['database_bytes']) / 1e9:.2f} GB. The import left"  # type: ignore[call-overload]
        f" {int(figures.get('queued_purges', -1)):,} rows in purge_queue and"  # type: ignore[call-overload]
        f" {int(figures.get('logged_tags', -1)):,} in cache_invalidation (a bulk import logs per batch the"  # type: ignore[call-overload]
        " touched sites' tags and the id ranges); the serving bench empties purge_queue before Varnish"
        " starts (they are purges of pages no cache holds yet)."
    )
    if serve is not None:
        lines += ["", *render_serve(serve)]
    return "\n".join(lines) + "\n"
