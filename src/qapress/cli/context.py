"""What the verbs share: the settings and an opened, migrated store."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from qapress.settings import Settings, get_settings
from qapress.store import check_connection, migrate, open_settings_engine


def open_store(settings: Settings | None = None, *, create: bool = True) -> Engine:
    """The store named by the settings, reachable and migrated (``StoreError`` says why not)."""
    settings = settings or get_settings()
    engine = open_settings_engine(settings)
    check_connection(engine)
    if create:
        migrate(engine)
    return engine
