"""Verbs of the article pipeline: ``ingest``, ``generate`` and ``review`` (publishing: ``cli/articles.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.generate.backend import BACKEND_NAMES, make_backend
from qapress.generate.draft import SourceDocument
from qapress.generate.errors import GenerateError
from qapress.generate.fetch import fetch_page, ingest_policy
from qapress.generate.pipeline import GenerateResult, generate_all_new, generate_article
from qapress.generate.repository import read_article, resolve_domain, store_source, unused_source_ids
from qapress.generate.sources import parse_html, parse_json_lines, parse_plain_text
from qapress.settings import get_settings


def read_sources(target: str) -> list[SourceDocument]:
    """The sources named on the command line: a URL (fetched), or an HTML, JSON Lines or text file."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target):
        page = fetch_page(target, ingest_policy(get_settings()))
        if page.is_html:
            return [parse_html(page.text, url=page.url, what=target)]
        return [replace(parse_plain_text(page.text, what=target), url=page.url)]
    path = Path(target)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{target}: no such file (give a file or an http(s) URL)")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {target}: {getattr(exc, 'strerror', None) or exc}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return parse_json_lines(text, what=target)
    if suffix in (".html", ".htm", ".xhtml"):
        return [parse_html(text, what=target)]
    return [parse_plain_text(text, what=target)]


def ingest(
    target: Annotated[
        str, typer.Argument(help="An http(s) URL, or a file: .html, .jsonl (one source a line) or text.")
    ],
    publisher: Annotated[
        str | None, typer.Option(help="Publisher to record when the source does not say.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Author to record when the source does not say.")] = None,
    date: Annotated[
        str | None, typer.Option(help="Date (YYYY-MM-DD) to record when the source does not say.")
    ] = None,
) -> None:
    """Store news sources (title, publisher, author, date, URL, clean text, image credit) for `generate`."""
    day: dt.date | None = None
    if date:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            fail(f"--date must be YYYY-MM-DD, not {date!r}")
    try:
        documents = read_sources(target)
    except GenerateError as exc:
        fail(str(exc))
    engine = open_store()
    for document in documents:
        filled = replace(
            document,
            publisher=document.publisher or publisher,
            author=document.author or author,
            date=document.date or day,
        )
        stored = store_source(engine, filled)
        verb = "stored" if stored.created else "already stored:"
        typer.echo(f"{verb} source {stored.id}: {stored.title}")


def generate(
    source_id: Annotated[int | None, typer.Argument(help="The source to write from (see `ingest`).")] = None,
    domain: Annotated[
        str, typer.Option("--domain", "-d", help="Domain id or host the article belongs to.")
    ] = "",
    backend: Annotated[str, typer.Option(help=f"One of: {', '.join(BACKEND_NAMES)}.")] = "extractive",
    all_new: Annotated[
        bool, typer.Option("--all-new", help="Every source no article was written from yet.")
    ] = False,
    again: Annotated[
        bool, typer.Option(help="Write another draft from a source that already has one.")
    ] = False,
) -> None:
    """Write draft articles from sources; each draft gets a grounding check, stored with it."""
    if (source_id is None) == (not all_new):
        fail("give either a SOURCE_ID or --all-new (sources come from `qapress ingest`)")
    if not domain:
        fail("--domain is required (a domain id or host)")
    engine = open_store()
    try:
        writer = make_backend(backend, get_settings())
        domain_id = resolve_domain(engine, domain)
        if source_id is not None:
            result = generate_article(engine, source_id, domain_id, writer, only_if_unused=not again)
            if result.skipped:
                fail(f"source {source_id} {result.skipped}; use --again to write another draft")
            report_result(result)
            return
    except GenerateError as exc:
        fail(str(exc))
    pending = unused_source_ids(engine)
    if not pending:
        stderr.print("no new sources: every source already has an article", markup=False)
        return
    with Progress(
        TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr
    ) as progress:
        task = progress.add_task("generate", total=len(pending))
        results = generate_all_new(
            engine, pending, domain_id, writer, progress=lambda _result: progress.advance(task)
        )
    for result in results:
        report_result(result)
    made = sum(1 for result in results if result.article_id)
    failed = [result for result in results if result.error]
    stderr.print(f"made {made} drafts from {len(results)} new sources, {len(failed)} failed", markup=False)
    if failed:
        raise typer.Exit(1)


def report_result(result: GenerateResult) -> None:
    if result.error:
        stderr.print(f"source {result.source_id}: failed: {result.error}", markup=False)
    elif result.skipped:
        stderr.print(f"source {result.source_id}: skipped, {result.skipped}", markup=False)
    elif result.report is not None:
        revised = " (second draft, written after the check's reasons)" if result.revised else ""
        typer.echo(
            f"draft {result.article_id} from source {result.source_id}: {result.report.summary()}{revised}"
        )


def review(article_id: Annotated[int, typer.Argument(help="The article to show.")]) -> None:
    """Print an article as stored, with its grounding report: what was kept, what was dropped and why."""
    engine = open_store()
    try:
        with engine.connect() as connection:
            article = read_article(connection, article_id)
    except GenerateError as exc:
        fail(str(exc))
    draft = article.draft
    lines = [
        f"article {article.id} ({article.status}), "
        + (f"source {article.source_id}" if article.source_id is not None else "no source on record"),
        "",
        draft.title,
        "",
        draft.lead,
        "",
        *[f"{paragraph}\n" for paragraph in draft.body],
    ]
    for number, item in enumerate(draft.faq, start=1):
        lines += [f"Q{number}. {item.question}", f"    {item.answer}", ""]
    lines += [draft.outro, ""]
    report = article.report
    if report is None:
        lines.append("grounding: no report (not made by `qapress generate`; it cannot be published)")
    else:
        lines.append(f"grounding ({report.checked_at}): {report.summary()}")
        for answer in report.answers:
            if not answer.kept:
                lines.append(f"  dropped {answer.question!r}: {'; '.join(answer.reasons)}")
        lines += [f"  problem: {problem}" for problem in report.problems]
        claims = report.all_claims()
        if claims:
            lines += ["", "claims (verdict, part, claim — reason | source):"]
        for claim in claims:
            reason = f" — {'; '.join(claim.reasons)}" if claim.reasons else ""
            source = f" | {claim.source_span[:160]}" if claim.source_span else ""
            lines.append(f"  [{claim.verdict}] {claim.part}: {claim.text}{reason}{source}")
    typer.echo("\n".join(lines))
