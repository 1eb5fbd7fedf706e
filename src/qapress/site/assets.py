"""Static assets under content-hashed names (``site.3f2a9c1e0b7d.css``), served with a year-long cache.

A changed file gets a new name, so pages never point to a stale stylesheet and the files can be immutable.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Asset:
    name: str
    hashed_name: str
    body: bytes
    gzipped: bytes
    media_type: str


class StaticAssets:
    """The files of ``qapress/site/static``, read once, by logical and by hashed name."""

    def __init__(self, package: str = "qapress.site", folder: str = "static") -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed_name: dict[str, Asset] = {}
        for entry in resources.files(package).joinpath(folder).iterdir():
            if not entry.is_file() or entry.name.startswith("."):
                continue
            body = entry.read_bytes()
            stem, dot, suffix = entry.name.rpartition(".")
            digest = hashlib.sha256(body).hexdigest()[:12]
            hashed = f"{stem}.{digest}.{suffix}" if dot else f"{entry.name}.{digest}"
            media_type = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            if media_type.startswith("text/"):
                media_type += "; charset=utf-8"
            asset = Asset(entry.name, hashed, body, gzip.compress(body, mtime=0), media_type)
            self.by_name[entry.name] = asset
            self.by_hashed_name[hashed] = asset

    def path(self, name: str) -> str:
        """The URL path of an asset by its logical name (``KeyError`` for a file that does not exist)."""
        return f"/static/{self.by_name[name].hashed_name}"
