"""The typer application: registers each verb and turns every known error into one plain line."""

from __future__ import annotations

import sys

import typer

from qapress.cli import data, generate, links, metadata, serve
from qapress.cli.errors import stderr
from qapress.store import StoreError

app = typer.Typer(
    name="qapress",
    help="Run a network of Q&A article sites from one database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(data.init)
app.command("import")(data.import_)
app.command()(data.export)
app.command()(serve.serve)
app.command()(serve.demo)
app.add_typer(links.app)
app.add_typer(metadata.app)
app.command()(links.worker)
app.command()(generate.ingest)
app.command()(generate.generate)
app.command()(generate.review)
app.command()(generate.publish)


def main() -> None:
    """Entry point of the ``qapress`` console script."""
    try:
        app()
    except StoreError as exc:
        stderr.print(f"qapress: error: {exc}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
