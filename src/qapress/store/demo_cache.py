"""The demo network as built once: a qapress dump of it, restored into the next empty store.

Building the demo runs every shipped source through the generation pipeline (draft, grounding check,
publish with its re-check): close to a minute on a busy machine. So the network is built once, when the
sources change, and shipped beside them (``demo_data/built.jsonl.gz``, written by
``python -m qapress.store.demo``), under the hash of the sources it was built from; a store is filled from
it when those are the sources shipped now. When they are not (a source edited and the build not yet
written again), the pipeline builds the network, and its dump is kept under the hash of the sources *and*
the pipeline's code (in this process, and in a cache folder when one is given) for the next empty store.
``tests/store/test_demo.py`` checks that the shipped build is what today's pipeline writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from importlib import resources
from pathlib import Path

#: The shipped build, beside the sources.
SHIPPED_BUILD = "demo_data/built.jsonl.gz"
#: Packages whose code decides what the demo's articles are.
PIPELINE_PACKAGES = ("qapress.generate", "qapress.articles", "qapress.store.migrations")
_BUILT: dict[str, str] = {}


def sources_key(*inputs: str) -> str:
    """The hash of ``inputs``, the demo's source texts."""
    digest = hashlib.sha256()
    for text in inputs:
        digest.update(hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()[:32]


def demo_key(*inputs: str) -> str:
    """The hash of ``inputs`` (the demo's source texts) and of the pipeline's code and data files."""
    digest = hashlib.sha256(sources_key(*inputs).encode())
    for package in PIPELINE_PACKAGES:
        root = Path(str(resources.files(package)))
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root)).encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def cached_dump(key: str, folder: Path | None) -> str | None:
    """The dump built for ``key`` in this process or kept in ``folder``; None when there is none."""
    if key in _BUILT:
        return _BUILT[key]
    if folder is not None:
        try:
            text = (folder / f"demo-{key}.jsonl").read_text(encoding="utf-8")
        except OSError:
            return None
        _BUILT[key] = text
        return text
    return None


def keep_dump(key: str, text: str, folder: Path | None) -> None:
    """Remember the dump for ``key``; in ``folder`` too (written whole, then renamed into place)."""
    _BUILT[key] = text
    if folder is None or (folder / f"demo-{key}.jsonl").exists():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("demo-*.jsonl"):
            old.unlink(missing_ok=True)
        partial = folder / f".demo-{key}.{os.getpid()}.part"
        partial.write_text(text, encoding="utf-8")
        partial.replace(folder / f"demo-{key}.jsonl")
    except OSError:
        pass  # a cache that cannot be written only costs the next first load its time


def shipped_build(key: str) -> str | None:
    """The shipped build's dump when it was built from the sources of ``sources_key`` ``key``."""
    try:
        data = resources.files("qapress.store").joinpath(SHIPPED_BUILD).read_bytes()
    except OSError:
        return None
    header, _, dump = gzip.decompress(data).decode("utf-8").partition("\n")
    try:
        built_from = json.loads(header).get("sources")
    except (json.JSONDecodeError, AttributeError):
        return None
    return dump if built_from == key else None


def write_shipped_build(path: Path, key: str, dump: str) -> None:
    """Write the build of the sources of ``key`` to ``path`` (gzip without a timestamp, so an unchanged
    build is unchanged bytes)."""
    header = json.dumps({"format": "qapress-demo-build", "sources": key})
    path.write_bytes(gzip.compress(f"{header}\n{dump}".encode(), mtime=0))
