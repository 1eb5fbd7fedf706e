"""Secrets an installation generates once and keeps in its data folder when the environment gives none.

Every worker process (and every restart) must agree on them: a salt that changed would split one reader's
hashes, and a form key that differed between workers would refuse the forms another worker rendered.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def persisted_secret(path: Path) -> str:
    """The secret stored at ``path``, created (mode 0600) on first use; safe when processes start at once."""
    existing = _read(path)
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        # O_EXCL: when two processes start at once, one creates the file and both use its value.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        time.sleep(0.05)
        existing = _read(path)
        if existing:
            return existing
        # An empty file left by a crash: replace it.
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(value + "\n")
    return value


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""
