"""The ``qapress`` command. Every verb lives in its own module and is registered in ``commands.py``.

``app`` (every verb registered) is built on first use: the console script calls ``main``, which registers only
the verb it runs, so that importing this package stays cheap.
"""

from __future__ import annotations

from typing import Any

from qapress.cli.commands import main, run

__all__ = ["app", "main", "run"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from qapress.cli.commands import full_app

        return full_app()
    raise AttributeError(f"module 'qapress.cli' has no attribute {name!r}")
