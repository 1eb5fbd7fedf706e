"""Rendered pages kept per process, by host and path, valid only at the content revision they were built at.

Exact invalidation comes from the revision counter (``revision.py``): every change a page could show moves
it, so an entry is served only while the store is at the revision the page was rendered at. Entries also
expire after ``max_lifetime`` seconds, which bounds the age of the form token a cached page carries.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

#: An ASGI header list: (lower-case name, value) pairs as bytes.
RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class PreparedResponses:
    """A cached page's answers as ASGI status, headers and body, built once with the slow path's own code.

    ``identity`` and ``gzipped`` are 200 (or the page's status); ``not_modified`` answers a matching
    If-None-Match. ``PageCacheFastPath`` sends them as they are.
    """

    status: int
    identity: tuple[RawHeaders, bytes]
    gzipped: tuple[RawHeaders, bytes]
    not_modified: tuple[int, RawHeaders, bytes]


@dataclass
class RenderedPage:
    """A response body with what conditional requests and caches need; ``location`` makes it a 301."""

    status: int
    body: bytes
    media_type: str
    last_modified: float
    revision: int
    created: float = field(default_factory=time.monotonic)
    location: str | None = None
    etag: str = ""
    #: An HTTP ``Link`` header (the article's Webmention endpoint).
    link_header: str | None = None
    _gzipped: bytes | None = None
    #: Set by the site when the page is first answered from or for the cache (``SiteApp.page_response``).
    prepared: PreparedResponses | None = None

    def __post_init__(self) -> None:
        # Weak: the same page is sent gzip-compressed or not, byte-different but the same representation.
        if not self.etag:
            self.etag = 'W/"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'

    def gzipped(self) -> bytes:
        """The body gzip-compressed, computed once."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class PageCache:
    """A bounded LRU of rendered pages; ``get`` answers only for the current revision."""

    def __init__(self, max_entries: int, max_lifetime: float = 3600.0) -> None:
        self.max_entries = max_entries
        self.max_lifetime = max_lifetime
        self._pages: OrderedDict[tuple[str, str], RenderedPage] = OrderedDict()
        self._lock = threading.Lock()  # pages are looked up and stored from the threadpool
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, host: str, path: str, revision: int) -> RenderedPage | None:
        """The page stored for ``(host, path)`` if it was rendered at ``revision`` and is not too old."""
        key = (host, path)
        with self._lock:
            page = self._pages.get(key)
            if (
                page is None
                or page.revision != revision
                or time.monotonic() - page.created > self.max_lifetime
            ):
                if page is not None:
                    del self._pages[key]
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, host: str, path: str, page: RenderedPage) -> None:
        if self.max_entries <= 0:
            return
        key = (host, path)
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
