"""Time for the lifecycle: always aware UTC, and a clock the caller (or a test) can replace.

SQLite keeps a timestamp's wall-clock time without its offset, so every time written or compared is first
turned into UTC here; naive values read back are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def stored_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp read from the store as aware UTC (or ``None``)."""
    return None if value is None else as_utc(value)
