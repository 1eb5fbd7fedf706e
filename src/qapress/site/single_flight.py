"""Concurrent misses for one page build it once: the first request builds, the others wait for its result.

A page that drops out of the cache (an edit, its lifetime) is asked for by every reader at once; without this
each of them runs the page's query and renders it, all for the same bytes. ``SingleFlight.run`` lets the
first caller for a key build and hands its result to the callers that arrived meanwhile. A waiter whose
leader failed, or took longer than ``timeout``, builds for itself: waiting never turns into an error. Whether
a shared result is current enough for the waiter is the caller's to decide (``SiteApp.built_response``: no
change to what the page shows since the leader began).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Flight(Generic[V]):
    __slots__ = ("done", "value", "waiters")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: V | None = None
        self.waiters = 0


class SingleFlight(Generic[K, V]):
    """One build at a time per key, in this process; ``run`` returns the value and whether it was shared."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._flights: dict[K, _Flight[V]] = {}
        #: Builds run, and results handed to waiters instead: what the single flight saved.
        self.builds = 0
        self.shared = 0

    def waiting(self, key: K) -> int:
        """How many callers wait for the build of ``key`` now."""
        with self._lock:
            flight = self._flights.get(key)
            return 0 if flight is None else flight.waiters

    def run(self, key: K, build: Callable[[], V]) -> tuple[V, bool]:
        """``build()``'s value, built here or by the caller already building ``key``; and whether it was the
        other caller's. Exceptions of a build reach its own caller only."""
        with self._lock:
            flight = self._flights.get(key)
            leading = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                flight.waiters += 1
        if not leading:
            if flight.done.wait(self.timeout) and flight.value is not None:
                with self._lock:
                    self.shared += 1
                return flight.value, True
            return self._build(build), False  # the leader failed or is stuck: not the waiter's problem
        try:
            value = flight.value = self._build(build)
            return value, False
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def _build(self, build: Callable[[], V]) -> V:
        with self._lock:
            self.builds += 1
        return build()
