"""The store's SQLite/PostgreSQL differences, asked as questions of one module, on both databases."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store import backend
from qapress.store.database import begin_write, open_engine
from qapress.store.schema import domain


def test_an_embedded_store_is_a_file_and_a_server_is_not(engine: Engine) -> None:
    path = backend.sqlite_file(engine)
    if backend.is_sqlite(engine):
        assert path is not None and path.is_file()
        assert backend.default_change_watch(engine) == "data_version"
        assert backend.reads_are_quick(engine) and not backend.has_replicas(engine)
    else:
        assert path is None
        assert backend.default_change_watch(engine) == "notify"
        assert backend.has_replicas(engine) and not backend.reads_are_quick(engine)


def test_an_in_memory_sqlite_store_has_no_file_and_asks_on_every_request() -> None:
    memory = open_engine("sqlite://")
    try:
        assert backend.sqlite_file(memory) is None
        assert backend.default_change_watch(memory) == "query"
    finally:
        memory.dispose()


def test_urls_are_told_apart_before_an_engine_exists() -> None:
    assert backend.sqlite_file(sa.engine.make_url("sqlite:////srv/qapress.db")) is not None
    assert backend.sqlite_file(sa.engine.make_url("postgresql://h/db")) is None
    assert backend.backend_name(sa.engine.make_url("mysql://h/db")) == "mysql"


def test_rows_written_with_explicit_ids_leave_room_for_the_next_default_id(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(domain.insert().values(id=41, host="explicit.example", name="Explicit"))
        backend.advance_sequences(connection, [domain])
    with engine.begin() as connection:
        new_id = connection.execute(
            domain.insert().values(host="next.example", name="Next").returning(domain.c.id)
        ).scalar_one()
    assert new_id == 42


def test_writers_sharing_a_key_run_one_after_the_other(engine: Engine) -> None:
    """The second writer's lock waits until the first commits, on either database."""
    order: list[str] = []
    first_holds = threading.Event()

    def first() -> None:
        with begin_write(engine) as connection:
            backend.lock_writers(connection, 7)
            first_holds.set()
            time.sleep(0.3)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds.wait(5)
    with begin_write(engine) as connection:
        backend.lock_writers(connection, 7)
        order.append("second holds")
    thread.join()
    assert order == ["first commits", "second holds"]


def test_no_module_outside_the_engine_and_the_migrations_compares_database_names() -> None:
    """The store's differences are this module's questions; the engine's are its Dialect's; migrations
    are frozen history and keep their own branches."""
    import re
    from pathlib import Path

    import qapress

    root = Path(qapress.__file__).parent
    compares = re.compile(r"""dialect\.name\s*(==|!=)|(==|!=)\s*["'](postgresql|sqlite)["']""")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.parts[len(root.parts)] != "engine"
        and "migrations" not in path.parts
        and path.name != "backend.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if compares.search(line)
    ]
    assert found == []
