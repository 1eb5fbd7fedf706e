"""How the CLI fails: one plain line on stderr and a non-zero exit, never a traceback.

Verbs call ``fail`` for what they check themselves; everything else that escapes a verb reaches
``explain``, which turns the errors a user can cause (settings, paths, the database) into a sentence that says
what to do, and anything else into one line that points at ``QAPRESS_DEBUG=1`` for the traceback.
"""

from __future__ import annotations

import errno
import os
import re
from typing import NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

#: Exit status of a run stopped with Ctrl+C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class CLIError(Exception):
    """An error the user can act on; its message is the whole output."""


def error_line(message: str) -> None:
    """The message on one line, whatever it holds (drivers' errors come with newlines and indents)."""
    stderr.print("qapress: error: " + " ".join(message.split()), markup=False)


def fail(message: str, code: int = 1) -> NoReturn:
    error_line(message)
    raise typer.Exit(code)


def debug_requested() -> bool:
    return os.environ.get("QAPRESS_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def explain_settings(exc: ValidationError) -> str:
    """``QAPRESS_PAGE_MAX_AGE='abc'``: the variable, the value and what it must be."""
    problems = []
    for error in exc.errors():
        name = "QAPRESS_" + "_".join(str(part) for part in error["loc"][:1]).upper()
        value = error.get("input")
        shown = f"={value!r}" if isinstance(value, str | int | float) else ""
        problems.append(f"{name}{shown}: {error['msg'].lower()}")
    return "bad setting " + "; ".join(problems) + " (see the README's configuration table)"


def explain_unparsable_setting(exc: SettingsError) -> str:
    """A setting that holds JSON (``QAPRESS_API_LIMITS='{bad'``) but could not be parsed: name it, and say why."""
    found = re.search(r'field "([a-z_]+)"', str(exc))
    name = "QAPRESS_" + found.group(1).upper() if found else "a QAPRESS_ setting"
    cause = " ".join(str(exc.__cause__).split()) if exc.__cause__ is not None else str(exc)
    return f"bad setting {name}: it must be JSON ({cause}) (see the README's configuration table)"


def explain_os_error(exc: OSError) -> str:
    where = exc.filename or "a file"
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: {reason}; choose a path you may write to (or fix its permissions)"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return f"{where}: {reason}; check the path"
    if exc.errno == errno.ENOSPC:
        return f"{where}: {reason}; free some disk space and try again"
    return f"{where}: {reason}"


def explain_database(exc: SQLAlchemyError) -> str:
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    text = " ".join(str(orig if orig is not None else exc).split())
    if "database is locked" in text:
        return (
            "the database is locked by another process (waited 10 s); try again when it is done, "
            "or stop the other qapress process"
        )
    if "readonly database" in text or "read-only" in text:
        return f"the database is read-only ({text}); give qapress write access to it"
    return f"database error: {text[:300]}; check QAPRESS_DATABASE_URL and that the database is up"


def explain(exc: BaseException) -> str:
    """One sentence for any error that escaped a verb."""
    from qapress.store import StoreError

    if isinstance(exc, CLIError | StoreError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return explain_settings(exc)
    if isinstance(exc, SettingsError):
        return explain_unparsable_setting(exc)
    if isinstance(exc, SQLAlchemyError):
        return explain_database(exc)
    if isinstance(exc, OverflowError | ValueError) and "port" in str(exc):
        return f"{exc}; pick a port from 1 to 65535"
    if isinstance(exc, OSError):
        return explain_os_error(exc)
    text = " ".join(str(exc).split())[:300]
    return (
        f"unexpected {type(exc).__name__}: {text or 'no message'} "
        "(a bug in qapress: run again with QAPRESS_DEBUG=1 for the traceback and report it)"
    )
