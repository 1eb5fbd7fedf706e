"""Rendered pages kept per process, by host and path, dropped by the cache tags of the changes they show.

Each page carries its tags (``cache_tags``); the change watch (``invalidation.py``) hands the cache the tags
every committed change touched and ``invalidate`` drops exactly the pages carrying them. Entries also expire
after ``max_lifetime`` seconds, which bounds the age of the form token a cached page carries.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import deflate

from qapress.http_protocol import head_block
from qapress.site.cache_tags import ALL

#: An ASGI header list: (lower-case name, value) pairs as bytes.
RawHeaders = list[tuple[bytes, bytes]]


#: libdeflate's compression level for pages (1-12; 6 is zlib's default trade-off, and smaller than zlib's 6).
GZIP_LEVEL = 6

#: One prepared answer: ASGI status, headers and body.
Answer = tuple[int, RawHeaders, bytes]


class PreparedResponses:
    """A cached page's answers as ASGI status, headers and body, built with the slow path's own code.

    ``identity`` is built with the page; the gzip variant and the 304 are built by ``build`` the first time a
    request needs them and kept, so a page nobody asks compressed is never compressed and no variant is
    built twice. ``PageCacheFastPath`` and the slow path send them as they are.
    """

    __slots__ = ("_build", "_gzipped", "_heads", "_not_modified", "identity", "status")

    def __init__(self, status: int, identity: Answer, build: Callable[[str], Answer]) -> None:
        self.status = status
        self.identity = identity
        self._build = build
        self._gzipped: Answer | None = None
        self._not_modified: Answer | None = None
        #: Each answer's header block (``http_protocol.head_block``), by the id of its header list: the lists
        #: are this object's own, kept as long as it is.
        self._heads: dict[int, bytes | None] = {}

    @property
    def gzipped(self) -> Answer:
        """The answer to a client accepting gzip (the identity one for a body too small to compress)."""
        answer = self._gzipped
        if answer is None:
            answer = self._gzipped = self._build("gzip")
        return answer

    @property
    def not_modified(self) -> Answer:
        """The 304 answer to a matching If-None-Match."""
        answer = self._not_modified
        if answer is None:
            answer = self._not_modified = self._build("304")
        return answer

    def head_block(self, headers: RawHeaders) -> bytes | None:
        """The header lines of one of these answers' ``headers``, made once (None: sent the ordinary way)."""
        key = id(headers)
        try:
            return self._heads[key]
        except KeyError:
            block = self._heads[key] = head_block(headers)
            return block


@dataclass
class RenderedPage:
    """A response body with what conditional requests and caches need; ``location`` makes it a 301."""

    status: int
    body: bytes
    media_type: str
    last_modified: float
    #: What the page shows (``cache_tags``): an edit touching one of them drops it.
    tags: frozenset[str] = frozenset()
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
        # SHA-256 (96 bits of it): with the CPU's SHA instructions half of BLAKE2b's time for a page.
        if not self.etag:
            self.etag = 'W/"' + hashlib.sha256(self.body).hexdigest()[:24] + '"'

    def gzipped(self) -> bytes:
        """The body gzip-compressed, computed once: libdeflate at level 6 compresses a 17 KB page in about
        a third of zlib's time, a few percent smaller (the first gzip request of a miss waits for it)."""
        if self._gzipped is None:
            self._gzipped = bytes(deflate.gzip_compress(self.body, GZIP_LEVEL))  # a bytearray
        return self._gzipped


class PageCache:
    """A bounded LRU of rendered pages indexed by their cache tags; ``invalidate`` drops the pages of a tag.

    ``generation`` moves with every invalidation: a page built while one ran (its data may predate the change)
    is stored only if none of the tags invalidated since the build began is among its own (``put``'s ``since``).
    """

    #: Invalidations remembered for ``put``'s check; a build older than that is not stored.
    RECENT = 1024

    def __init__(self, max_entries: int, max_lifetime: float = 3600.0) -> None:
        self.max_entries = max_entries
        self.max_lifetime = max_lifetime
        self._pages: OrderedDict[tuple[str, str], RenderedPage] = OrderedDict()
        self._by_tag: dict[str, set[tuple[str, str]]] = {}
        self._recent: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=self.RECENT)
        self._lock = threading.Lock()  # pages are looked up and stored from the threadpool
        self.generation = 0
        #: When (``time.monotonic()``) the cache last heard of a change, or was made: a page built from a
        #: read replica must come from one that has replayed every commit made before it.
        self.changed_at = time.monotonic()
        self.hits = 0
        self.misses = 0
        self.invalidated = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, host: str, path: str) -> RenderedPage | None:
        """The page stored for ``(host, path)`` unless it is too old."""
        key = (host, path)
        with self._lock:
            page = self._pages.get(key)
            if page is None or time.monotonic() - page.created > self.max_lifetime:
                if page is not None:
                    self._remove(key)
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, host: str, path: str, page: RenderedPage, since: int | None = None) -> bool:
        """Store ``page``; with ``since`` (the ``generation`` when its build began), only if no invalidation
        since then named one of its tags. Returns whether it was stored."""
        if self.max_entries <= 0:
            return False
        key = (host, path)
        with self._lock:
            if since is not None and since != self.generation and self._invalidated_since(since, page.tags):
                return False
            if key in self._pages:
                self._remove(key)
            self._pages[key] = page
            for tag in page.tags:
                self._by_tag.setdefault(tag, set()).add(key)
            while len(self._pages) > self.max_entries:
                self._remove(next(iter(self._pages)))
            return True

    def changed_since(self, since: int, tags: frozenset[str]) -> bool:
        """Whether an invalidation since generation ``since`` named one of ``tags`` (or every page): a page
        built from data read after ``since`` may then show something older than what committed."""
        with self._lock:
            return since != self.generation and self._invalidated_since(since, tags)

    def _invalidated_since(self, since: int, tags: frozenset[str]) -> bool:
        if not self._recent or self._recent[0][0] > since + 1:
            return True  # older than what is remembered: assume the worst
        for generation, invalidated in self._recent:
            if generation > since and (invalidated is None or not invalidated.isdisjoint(tags)):
                return True
        return False

    def _remove(self, key: tuple[str, str]) -> None:
        page = self._pages.pop(key)
        for tag in page.tags:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]

    def invalidate(self, tags: Iterable[str]) -> int:
        """Drop every page carrying one of ``tags`` (``all``: every page); returns how many went."""
        wanted = frozenset(tags)
        with self._lock:
            self.generation += 1
            self.changed_at = time.monotonic()
            if ALL in wanted:
                self._recent.append((self.generation, None))
                dropped = len(self._pages)
                self._pages.clear()
                self._by_tag.clear()
            else:
                self._recent.append((self.generation, wanted))
                keys = set().union(*(self._by_tag.get(tag, ()) for tag in wanted))
                for key in keys:
                    self._remove(key)
                dropped = len(keys)
            self.invalidated += dropped
            return dropped

    def clear(self) -> None:
        """Drop every page (and refuse builds begun before)."""
        self.invalidate((ALL,))
