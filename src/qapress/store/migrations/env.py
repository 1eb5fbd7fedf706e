"""Alembic environment: runs against the engine qapress hands over, never a URL from an ini file."""

from __future__ import annotations

from alembic import context

from qapress.store.schema import metadata

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
