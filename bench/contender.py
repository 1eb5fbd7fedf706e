"""What the harness times: a named callable from the seed's variables to the response's JSON bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Variables = dict[str, Any]


@dataclass
class Contender:
    """One way to answer the seed query. ``role`` groups rows: "engine", "floor" or "peer"."""

    name: str
    role: str
    run: Callable[[Variables], bytes]
    close: Callable[[], None] = lambda: None
    note: str = ""
    #: False for a row kept only to say why it could not run (``skipped``).
    available: bool = True
    #: Turns this contender's parsed response into the seed's shape, for the cross-check against the floor.
    normalize: Callable[[Any], Any] = field(default=lambda data: data)
    #: Turns the floor's parsed response into what this contender can be expected to answer.
    reference: Callable[[Any], Any] = field(default=lambda data: data)


def skipped(name: str, role: str, reason: str) -> Contender:
    """A row that could not run here; the table prints the reason instead of figures."""

    def unavailable(_variables: Variables) -> bytes:
        raise RuntimeError(reason)

    return Contender(name, role, unavailable, note=reason, available=False)
