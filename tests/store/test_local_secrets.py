"""Secrets generated once per installation: every process and every restart gets the same one."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from qapress.settings import Settings
from qapress.site.app import create_app
from qapress.store import migrate, open_engine
from qapress.store.local_secrets import persisted_secret


def test_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "key"
    first = persisted_secret(path)
    assert len(first) == 64
    assert persisted_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_processes_starting_at_once_agree(tmp_path: Path) -> None:
    path = tmp_path / "key"
    with ProcessPoolExecutor(max_workers=4) as pool:
        values = set(pool.map(persisted_secret, [path] * 8))
    assert len(values) == 1


def test_workers_accept_each_others_form_tokens(tmp_path: Path) -> None:
    """Without QAPRESS_SECRET_KEY two worker processes' apps must share the form key."""
    settings = Settings(data_dir=tmp_path, links_worker_in_serve=False)
    migrate(open_engine(settings.resolved_database_url()))
    first = create_app(settings).state.site.tokens
    second = create_app(settings).state.site.tokens
    assert second.valid(first.issue(6646098), 6646098)
    assert not second.valid(first.issue(6646098), 6646097)
