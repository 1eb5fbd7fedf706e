"""Verbs for trusted GraphQL documents: ``qapress documents add|list|remove``.

A trusted document is registered ahead of time by its exact text; with ``QAPRESS_TRUSTED_DOCUMENTS_ONLY``
the bound roles run nothing else. Clients may send the text or only its SHA-256 (Apollo's
``extensions.persistedQuery``); ``list`` prints the hashes to send.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from graphql import parse
from graphql.error import GraphQLSyntaxError

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.engine.documents import DocumentStore

app = typer.Typer(
    name="documents",
    help="Trusted GraphQL documents (and the automatic persisted queries clients registered).",
    no_args_is_help=True,
    add_completion=False,
)


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    try:
        parse(text)
    except GraphQLSyntaxError as exc:
        fail(
            f"{path} is not a GraphQL document: {exc.message} (line {exc.locations[0].line})"
            if exc.locations
            else f"{path} is not a GraphQL document: {exc.message}"
        )
    return text


@app.command()
def add(
    files: Annotated[
        list[Path], typer.Argument(help="GraphQL files, one document each, registered by their exact text.")
    ],
) -> None:
    """Register documents as trusted; prints each one's SHA-256 (what a client sends as sha256Hash)."""
    texts = [(_read(path), path.name) for path in files]
    hashes = DocumentStore(open_store()).add_trusted(texts)
    for path, sha in zip(files, hashes, strict=True):
        typer.echo(f"{sha}  {path}")
    stderr.print(f"{len(hashes)} trusted documents registered", markup=False)


@app.command("list")
def list_(
    persisted: Annotated[
        bool,
        typer.Option("--persisted", help="Also list the automatic persisted queries clients registered."),
    ] = False,
) -> None:
    """List documents: hash, kind (trusted or persisted), source, first line."""
    documents = DocumentStore(open_store()).documents(trusted_only=not persisted)
    for document in documents:
        kind = "trusted" if document.trusted else "persisted"
        first = " ".join(document.query.split())[:60]
        typer.echo(f"{document.sha256}  {kind:9}  {document.source or '-'}  {first}")
    stderr.print(f"{len(documents)} documents", markup=False)


@app.command()
def remove(
    sha256: Annotated[str, typer.Argument(help="The document's SHA-256, as `documents list` prints it.")],
) -> None:
    """Forget a document (trusted or persisted); servers stop accepting it within seconds."""
    if not DocumentStore(open_store()).remove(sha256.strip().lower()):
        fail(f"no document with hash {sha256}; `qapress documents list --persisted` shows them")
    typer.echo(f"removed {sha256}")
