"""The store: schema, migrations and connections, on SQLite (embedded default) and PostgreSQL."""

from qapress.store.database import (
    StoreError,
    begin_write,
    check_connection,
    migrate,
    open_engine,
    open_settings_engine,
    revision_is_known,
)

__all__ = [
    "StoreError",
    "begin_write",
    "check_connection",
    "migrate",
    "open_engine",
    "open_settings_engine",
    "revision_is_known",
]
