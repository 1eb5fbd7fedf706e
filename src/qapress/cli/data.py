"""Verbs that fill and read the store: ``init``, ``import``, ``export``, ``backup``, ``restore``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.store.articles import ImportLineError, export_articles, import_articles
from qapress.store.backup import backup_sqlite, restore_sqlite
from qapress.store.dump import DumpError, dump_network, is_dump_header, restore_network
from qapress.store.sites import find_site


def init() -> None:
    """Create the database (if missing) and bring its schema up to date."""
    engine = open_store(create=True)
    stderr.print(f"database ready: {engine.url.render_as_string()}", markup=False)


def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="Articles as JSON Lines, one object per line, or a dump of `export --all`; - for stdin."
        ),
    ],
    on_error: Annotated[
        str, typer.Option("--on-error", help="skip: report bad lines and go on; abort: stop at the first.")
    ] = "abort",
    site: Annotated[
        str | None,
        typer.Option("--site", help="Import every article into this site (by host); lines may omit domain."),
    ] = None,
) -> None:
    """Import articles from a JSON Lines file, a transaction per batch (nothing imported is lost on an error).

    The file is read as a stream, so its size does not matter. A dump written by `qapress export --all`
    restores the whole network into an empty store.
    """
    if on_error not in ("skip", "abort"):
        fail(f"--on-error must be skip or abort, not {on_error!r}")
    mode: Literal["skip", "abort"] = "skip" if on_error == "skip" else "abort"
    stream = _open_input(file)
    lines = _decoded_lines(stream, file)
    first = next(lines, None)
    engine = open_store()
    size = file.stat().st_size if str(file) != "-" and file.is_file() else None
    site_id = None
    if site is not None:
        with engine.connect() as connection:
            site_id = find_site(connection, site).id
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr
    ) as progress:
        task = progress.add_task("import", total=size)

        def advance(_rows: int) -> None:
            if size is not None:
                progress.update(task, completed=stream.tell())

        everything = _chain(first, lines)
        if first is not None and is_dump_header(first):
            try:
                restored = restore_network(engine, everything, progress=advance)
            except DumpError as exc:
                progress.stop()
                fail(f"{file}: {exc}")
            progress.stop()
            summary = ", ".join(f"{count} {table}" for table, count in restored.rows.items()) or "no rows"
            stderr.print(f"restored {restored.total} rows: {summary}", markup=False)
            return
        try:
            report = import_articles(engine, everything, on_error=mode, progress=advance, site_id=site_id)
        except ImportLineError as exc:
            progress.stop()
            before = f"before it: {exc.report.summary()}" if exc.report else "nothing was imported"
            fail(f"{file}: {exc} ({before}; use --on-error skip to pass bad lines)")
    for error in report.skipped:
        stderr.print(f"skipped {file}: {error}", markup=False)
    stderr.print(report.summary(), markup=False)
    if report.skipped and report.imported == 0:
        raise typer.Exit(1)


def _open_input(file: Path) -> IO[bytes]:
    if str(file) == "-":
        return sys.stdin.buffer
    try:
        return file.open("rb")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")


def _decoded_lines(stream: IO[bytes], file: Path) -> Iterator[str]:
    """The stream's lines one at a time (constant memory), each decoded as UTF-8."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            fail(f"cannot read {file}: line {number} is not UTF-8 text")


def _chain(first: str | None, rest: Iterator[str]) -> Iterator[str]:
    if first is not None:
        yield first
    yield from rest


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="The whole network (sites, sources, articles, readers' links, grounding reports, users "
            "without their secrets) as a dump that `qapress import` restores into an empty store.",
        ),
    ] = False,
) -> None:
    """Export every article as JSON Lines (the format `qapress import` reads), or with --all the whole network."""
    engine = open_store()
    try:
        stream = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    count = 0
    try:
        for line in dump_network(engine) if everything else export_articles(engine):
            stream.write(line + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    if everything:
        stderr.print(f"exported the network: {count - 1} rows", markup=False)
    else:
        stderr.print(f"exported {count} articles", markup=False)


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy (replaced if it exists).")],
) -> None:
    """Copy the SQLite store to FILE while it serves (SQLite's online backup API).

    On PostgreSQL use pg_dump instead (see the README). Example: qapress backup /backups/qapress-$(date +%F).db
    """
    engine = open_store(create=False)
    size = backup_sqlite(engine, file)
    stderr.print(f"backed up to {file} ({size:,} bytes)", markup=False)


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `qapress backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that already has articles.")
    ] = False,
) -> None:
    """Replace the SQLite store's content by a backup's (safe while the server runs; pages see it at once)."""
    engine = open_store()
    if not force:
        with engine.connect() as connection:
            articles = connection.exec_driver_sql("SELECT count(*) FROM qa_ai").scalar() or 0
        if articles:
            fail(f"the store has {articles} articles: add --force to replace them with {file}")
    restore_sqlite(engine, file)
    migrated = open_store()  # a backup made by an older qapress is brought up to date
    migrated.dispose()
    stderr.print(f"restored {file}", markup=False)
