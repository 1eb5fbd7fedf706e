"""The ``qapress`` command line: registers the verbs a command line needs and turns every error into one plain
line.

``main`` runs the verbs with click's standalone mode off, so that usage errors, Ctrl+C and anything a verb
raises come back here and leave as one ``qapress: error: ...`` line (``QAPRESS_DEBUG=1`` adds the traceback).
"""

from __future__ import annotations

import functools
import importlib
import sys
import traceback
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

import typer

from qapress.cli.errors import INTERRUPTED, debug_requested, error_line, explain
from qapress.cli.help import add_examples, example, plain_parameter_types

plain_parameter_types()


@dataclass(frozen=True)
class Verb:
    """One verb of ``qapress``: the module (of ``qapress.cli``) and attribute that implement it, and whether it
    is a command or a group of them (a Typer). Modules load only when their verb is registered."""

    name: str
    module: str
    attribute: str
    group: bool = False
    examples: tuple[str, ...] = ()


VERBS = (
    Verb("init", "data", "init", examples=("qapress init", "QAPRESS_DATA_DIR=/srv/qapress qapress init")),
    Verb("import", "data", "import_", examples=("qapress import articles.jsonl --on-error skip",)),
    Verb("export", "data", "export", examples=("qapress export -o articles.jsonl", "qapress export --all -o network.jsonl")),
    Verb("backup", "data", "backup", examples=("qapress backup /backups/qapress-2026-12-01.db",)),
    Verb("restore", "data", "restore", examples=("qapress restore /backups/qapress-2026-12-01.db --force",)),
    Verb("serve", "serve", "serve", examples=("qapress serve --host 0.0.0.0 --port 8000 --workers 2",)),
    Verb("demo", "serve", "demo", examples=("qapress demo --port 8080",)),
    Verb("links", "links", "app", group=True),
    Verb("feeds", "feeds", "app", group=True),
    Verb("sites", "sites", "app", group=True),
    Verb("users", "users", "app", group=True),
    Verb("audit", "users", "audit"),
    Verb("metadata", "metadata", "app", group=True),
    Verb("documents", "documents", "app", group=True),
    Verb("related", "related", "app", group=True),
    Verb("worker", "links", "worker", examples=("qapress worker --once",)),
    Verb("purge", "purge", "purge", examples=("qapress purge --article 6646098", "qapress purge --site news.example.com", "qapress purge a6646098 n7", "qapress purge --all")),
    Verb("ingest", "generate", "ingest", examples=("qapress ingest https://example.org/news/story", "qapress ingest sources.jsonl")),
    Verb("generate", "generate", "generate", examples=("qapress generate 12 --domain 7", "qapress generate --all-new --domain 7")),
    Verb("review", "generate", "review", examples=("qapress review 6646098",)),
    Verb("publish", "articles", "publish"),
    Verb("unpublish", "articles", "unpublish"),
    Verb("withdraw", "articles", "withdraw"),
    Verb("revisions", "articles", "revisions"),
    Verb("revert", "articles", "revert"),
    Verb("config", "config", "config", examples=("qapress config", "QAPRESS_DATABASE_URL=postgresql://db/qapress qapress config")),
)  # fmt: skip


#: Examples for the verbs registered without one of their own (``--help`` shows every verb's).
EXAMPLES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("publish",): ("qapress publish 6646098", "qapress publish 6646098 --at 2026-12-24T08:00:00+01:00"),
    ("unpublish",): ("qapress unpublish 6646098",),
    ("withdraw",): ("qapress withdraw 6646098",),
    ("revisions",): ("qapress revisions 6646098", "qapress revisions 6646098 --diff 2 3"),
    ("revert",): ("qapress revert 6646098 3",),
    ("audit",): ("qapress audit --limit 50",),
    ("related",): ("qapress related rebuild", "qapress related rebuild --site news.example.com"),
    ("related", "rebuild"): (
        "qapress related rebuild",
        "qapress related rebuild --site news.example.com --queue-only",
    ),
    ("feeds",): ("qapress feeds add https://news.example.org/rss.xml --site news.example.com",),
    ("feeds", "add"): ("qapress feeds add https://news.example.org/rss.xml --site news.example.com",),
    ("feeds", "list"): ("qapress feeds list",),
    ("feeds", "remove"): ("qapress feeds remove 3", "qapress feeds remove https://news.example.org/rss.xml"),
    ("sites",): ("qapress sites add news.example.com --name 'The News' --lang en",),
    ("sites", "add"): (
        "qapress sites add news.example.com --name 'The News' --lang en --tagline 'Daily news'",
    ),
    ("sites", "list"): ("qapress sites list",),
    ("sites", "edit"): ("qapress sites edit news.example.com --tagline 'News you can use'",),
    ("sites", "remove"): (
        "qapress sites remove old.example.com",
        "qapress sites remove old.example.com --withdraw-all",
    ),
    ("users",): ("qapress users add me@example.com --role owner",),
    ("users", "add"): (
        "qapress users add me@example.com --role owner",
        "qapress users add ed@example.com --role editor --site news.example.com --generate-password",
    ),
    ("users", "list"): ("qapress users list",),
    ("users", "disable"): ("qapress users disable ed@example.com",),
    ("users", "enable"): ("qapress users enable ed@example.com",),
    ("users", "reset-password"): ("qapress users reset-password ed@example.com --generate-password",),
    ("documents",): ("qapress documents add queries/*.graphql",),
    ("documents", "add"): ("qapress documents add queries/article.graphql queries/home.graphql",),
    ("documents", "list"): ("qapress documents list", "qapress documents list --persisted"),
    ("documents", "remove"): (
        "qapress documents remove ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38",
    ),
    ("metadata",): ("qapress metadata apply ./hasura/metadata",),
    ("metadata", "apply"): ("qapress metadata apply ./hasura/metadata",),
    ("metadata", "export"): ("qapress metadata export ./exported",),
    ("metadata", "diff"): ("qapress metadata diff ./hasura/metadata",),
    ("links", "approve"): ("qapress links approve 42 43",),
    ("links", "recheck"): ("qapress links recheck 42", "qapress links recheck 42 43 --later"),
    ("links", "block"): ("qapress links block spam.example", "qapress links block spam.example --domain"),
    ("links", "unblock"): ("qapress links unblock spam.example",),
    ("links", "blocked"): ("qapress links blocked",),
}


def package_version() -> str:
    try:
        return version("qapress")
    except PackageNotFoundError:
        return "unknown (not installed)"


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"qapress {package_version()}")
        raise typer.Exit()


def root(
    _version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Run a network of Q&A article sites from one database."""


def build_app(verbs: tuple[Verb, ...] = VERBS) -> typer.Typer:
    """The typer application with ``verbs`` registered (each verb's module imported now, not before)."""
    app = typer.Typer(
        name="qapress",
        help="Run a network of Q&A article sites from one database.",
        epilog=example("qapress demo", "qapress init && qapress import articles.jsonl && qapress serve"),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(root)
    for verb in verbs:
        implementation = getattr(importlib.import_module(f"qapress.cli.{verb.module}"), verb.attribute)
        if verb.group:
            app.add_typer(implementation, name=verb.name)
        else:
            epilog = example(*verb.examples) if verb.examples else None
            app.command(verb.name, epilog=epilog)(implementation)
    add_examples(
        app, {path: lines for path, lines in EXAMPLES.items() if any(v.name == path[0] for v in verbs)}
    )
    return app


def verbs_for(args: list[str]) -> tuple[Verb, ...]:
    """The verbs a command line needs: only its own when it names one (``qapress import`` never imports the
    GraphQL engine, the generator or the web server, which keeps its memory and start-up small), else all (for
    the root's --help and click's "No such command")."""
    named = next((arg for arg in args if not arg.startswith("-")), None)
    own = tuple(verb for verb in VERBS if verb.name == named)
    return own or VERBS


@functools.cache
def full_app() -> typer.Typer:
    """Every verb registered: ``qapress.cli.app``, for tests and embedding."""
    return build_app(VERBS)


def usage_error(exc: Any) -> str:
    """click's usage error as one line, with the verb's --help to read."""
    context = getattr(exc, "ctx", None)
    command = context.command_path if context is not None else "qapress"
    return f"{exc.format_message()} (see `{command} --help`)"


def run(args: list[str] | None = None) -> int:
    """Run the command line and return its exit status; every failure is one line on stderr."""
    try:
        args = sys.argv[1:] if args is None else args
        result = build_app(verbs_for(args))(args=args, prog_name="qapress", standalone_mode=False)
    except typer.Exit as exc:  # raised by verbs' fail() when standalone mode is off in some typer versions
        return int(exc.exit_code or 0)
    except typer.Abort as exc:
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt | EOFError)
        error_line("interrupted" if interrupted else "aborted")
        return INTERRUPTED if interrupted else 1
    except KeyboardInterrupt:
        error_line("interrupted")
        return INTERRUPTED
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `qapress` alone: the help, as click shows it
            exc.show()  # type: ignore[attr-defined]
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # click's usage errors
            error_line(usage_error(exc) if hasattr(exc, "ctx") else exc.format_message())
            return int(exc.exit_code)
        if debug_requested():
            traceback.print_exc()
        error_line(explain(exc))
        return 1
    status = result if isinstance(result, int) else 0
    if status == INTERRUPTED:  # typer turns Ctrl+C into exit status 130, silently
        error_line("interrupted")
    return status


def main() -> None:
    """Entry point of the ``qapress`` console script."""
    sys.exit(run())
