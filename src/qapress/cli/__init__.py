"""The ``qapress`` command. Every verb lives in its own module and is registered in ``app.py``."""

from qapress.cli.app import app, main

__all__ = ["app", "main"]
