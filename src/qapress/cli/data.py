"""Verbs that fill and read the store: ``init``, ``import``, ``export``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.store.articles import ImportLineError, export_articles, import_articles


def init() -> None:
    """Create the database (if missing) and bring its schema up to date."""
    engine = open_store(create=True)
    stderr.print(f"database ready: {engine.url.render_as_string()}", markup=False)


def import_(
    file: Annotated[Path, typer.Argument(help="Articles as JSON Lines, one object per line; - for stdin.")],
    on_error: Annotated[
        str, typer.Option("--on-error", help="skip: report bad lines and go on; abort: stop at the first.")
    ] = "abort",
) -> None:
    """Import articles from a JSON Lines file, a transaction per batch (nothing imported is lost on an error)."""
    if on_error not in ("skip", "abort"):
        fail(f"--on-error must be skip or abort, not {on_error!r}")
    mode: Literal["skip", "abort"] = "skip" if on_error == "skip" else "abort"
    if str(file) == "-":
        lines = sys.stdin.readlines()
    else:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}")
    engine = open_store()
    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr
    ) as progress:
        task = progress.add_task("import", total=sum(1 for line in lines if line.strip()))
        try:
            report = import_articles(
                engine, lines, on_error=mode, progress=lambda n: progress.advance(task, n)
            )
        except ImportLineError as exc:
            progress.stop()
            fail(f"{file}: {exc} (lines before it were imported; use --on-error skip to pass bad lines)")
    for error in report.skipped:
        stderr.print(f"skipped {file}: {error}", markup=False)
    stderr.print(f"imported {report.imported} articles, skipped {len(report.skipped)}", markup=False)
    if report.skipped and report.imported == 0:
        raise typer.Exit(1)


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export every article as JSON Lines (the format `qapress import` reads)."""
    engine = open_store()
    try:
        stream = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    count = 0
    try:
        for line in export_articles(engine):
            stream.write(line + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    stderr.print(f"exported {count} articles", markup=False)
