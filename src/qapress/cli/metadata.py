"""``qapress metadata apply|export|diff DIR``: Hasura's metadata directory (version 3) in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr
from qapress.engine import GraphQLEngine, Metadata
from qapress.engine.errors import EngineError
from qapress.engine.metadata_dir import (
    current_metadata,
    metadata_diff,
    read_metadata_dir,
    save_applied,
    write_metadata_dir,
)
from qapress.settings import get_settings

app = typer.Typer(
    name="metadata",
    help="Hasura's metadata directory (as `hasura metadata export` writes it): apply, export, diff.",
    no_args_is_help=True,
    add_completion=False,
)

Directory = Annotated[Path, typer.Argument(help="A Hasura metadata directory (version 3).")]


@app.command()
def apply(directory: Directory) -> None:
    """Check the directory's metadata against the database, then serve it from the next start on."""
    settings = get_settings()
    try:
        wanted = read_metadata_dir(directory)
        metadata = Metadata.from_hasura(wanted)
        engine = GraphQLEngine(open_store(settings), metadata)
    except EngineError as exc:
        fail(str(exc))
    for reason in engine.model.inconsistencies:
        stderr.print(f"qapress: warning: inconsistent metadata: {reason}", markup=False)
    engine.close()
    path = save_applied(wanted, settings.data_dir)
    stderr.print(
        f"metadata applied ({len(metadata.tables)} tables, {len(metadata.functions)} functions): {path}",
        markup=False,
    )


@app.command()
def export(directory: Directory) -> None:
    """Write the metadata the server serves as a Hasura metadata directory."""
    try:
        write_metadata_dir(current_metadata(get_settings().data_dir), directory)
    except (EngineError, OSError) as exc:
        fail(str(exc))
    stderr.print(f"metadata exported to {directory}", markup=False)


@app.command()
def diff(directory: Directory) -> None:
    """Show how the directory's metadata differs from what the server serves (a unified diff)."""
    try:
        text = metadata_diff(current_metadata(get_settings().data_dir), read_metadata_dir(directory))
    except EngineError as exc:
        fail(str(exc))
    typer.echo(text, nl=False)
    if not text:
        stderr.print("no differences", markup=False)
