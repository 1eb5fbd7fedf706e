"""IP addresses are kept only as salted hashes; the salt comes from the environment or the data folder."""

from __future__ import annotations

import stat
from pathlib import Path

from qapress.links.ip_hash import SALT_FILE_NAME, ip_hash, resolve_salt
from qapress.settings import Settings


def test_hash_depends_on_salt_and_address() -> None:
    one = ip_hash("203.0.113.7", "salt-a")
    assert len(one) == 64 and int(one, 16) >= 0
    assert one == ip_hash(" 203.0.113.7 ", "salt-a")
    assert one != ip_hash("203.0.113.7", "salt-b")
    assert one != ip_hash("203.0.113.8", "salt-a")


def test_ipv6_hashes_by_64_and_mapped_ipv4_as_ipv4() -> None:
    assert ip_hash("2001:db8:1:2::1", "s") == ip_hash("2001:db8:1:2:abcd::1", "s")
    assert ip_hash("2001:db8:1:2::1", "s") != ip_hash("2001:db8:1:3::1", "s")
    assert ip_hash("::ffff:203.0.113.7", "s") == ip_hash("203.0.113.7", "s")


def test_salt_from_environment_wins(tmp_path: Path) -> None:
    assert resolve_salt(Settings(ip_hash_salt="from-env", data_dir=tmp_path)) == "from-env"
    assert not (tmp_path / SALT_FILE_NAME).exists()


def test_salt_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(ip_hash_salt=None, data_dir=tmp_path / "data")
    first = resolve_salt(settings)
    assert len(first) == 64 and resolve_salt(settings) == first
    path = tmp_path / "data" / SALT_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_empty_salt_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / SALT_FILE_NAME).write_text("")
    salt = resolve_salt(Settings(ip_hash_salt=None, data_dir=tmp_path))
    assert len(salt) == 64 and (tmp_path / SALT_FILE_NAME).read_text().strip() == salt
