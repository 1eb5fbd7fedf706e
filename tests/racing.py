"""Workers racing for the same work: threads, each with its own connection pool, released at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.engine import Engine

from qapress.store import open_engine

T = TypeVar("T")


def race(url: str, workers: int, work: Callable[[Engine], Iterable[T]]) -> list[T]:
    """Everything ``workers`` threads' ``work`` returned, each thread on an engine of its own for ``url`` and
    all started by one barrier; a failure in any thread fails the caller."""
    engines = [open_engine(url) for _ in range(workers)]
    barrier = threading.Barrier(workers)
    done: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(own: Engine) -> None:
        barrier.wait()
        try:
            results = list(work(own))
        except BaseException as exc:
            with lock:
                errors.append(exc)
            return
        with lock:
            done.extend(results)

    threads = [threading.Thread(target=run, args=(own,)) for own in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for own in engines:
            own.dispose()
    if errors:
        raise errors[0]
    return done
