"""Whether anything committed to a SQLite database in WAL mode, for the price of a memory read.

Every commit in WAL mode rewrites the *wal-index header* before it returns: two copies of a 48-byte struct at
the start of the database's ``-shm`` file, which every connection maps (https://www.sqlite.org/walformat.html,
"The WAL-Index Header"; the writer copies its header to the second copy, then the first). The header holds
the last commit frame (``mxFrame``), the salts that change when the log restarts, and a checksum of the lot,
so two reads that return the same 96 bytes have no commit between them. ``PRAGMA data_version`` learns the
same thing by opening a read transaction (shared-memory locks, a few microseconds); this reads the bytes.

A differing read says only "maybe": the caller then asks ``PRAGMA data_version`` as before. The map is opened
only while one of the caller's own connections has the ``-shm`` open: SQLite truncates the file only when no
connection anywhere has it open, so the mapped bytes cannot vanish under a read.
"""

from __future__ import annotations

import mmap
import os
import struct

#: Both copies of the header.
HEADER_BYTES = 96
#: ``iVersion``, the header's first field, in every SQLite since 3.7.0 (native byte order).
WALINDEX_VERSION = 3007000


class WalIndexHeader:
    """The mapped header of one database's wal-index; ``read`` returns its current bytes."""

    def __init__(self, mapped: mmap.mmap) -> None:
        self._map = mapped

    def read(self) -> bytes:
        return self._map[:HEADER_BYTES]

    def close(self) -> None:
        self._map.close()


def open_wal_index(database: str) -> WalIndexHeader | None:
    """The header of ``database``'s wal-index, or None when there is none to read (not in WAL mode, a VFS
    without a ``-shm`` file, a header of another version): the caller keeps asking the database then."""
    try:
        # SQLite names the -shm after the database file with symbolic links resolved: so must this.
        descriptor = os.open(os.path.realpath(database) + "-shm", os.O_RDONLY)
    except OSError:
        return None
    try:
        if os.fstat(descriptor).st_size < HEADER_BYTES:
            return None
        mapped = mmap.mmap(descriptor, HEADER_BYTES, mmap.MAP_SHARED, mmap.PROT_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(descriptor)  # the map keeps its own reference to the file
    (version,) = struct.unpack_from("=I", mapped, 0)
    if version != WALINDEX_VERSION:
        mapped.close()
        return None
    return WalIndexHeader(mapped)
