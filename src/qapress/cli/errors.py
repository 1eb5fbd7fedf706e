"""How the CLI fails: one plain line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class CLIError(Exception):
    """An error the user can act on; its message is the whole output."""


def fail(message: str, code: int = 1) -> NoReturn:
    stderr.print(f"qapress: error: {message}", markup=False)
    raise typer.Exit(code)
