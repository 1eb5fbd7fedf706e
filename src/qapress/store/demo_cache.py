"""The demo network as built once: a qapress dump of it, kept by the hash of everything that decides it.

Building the demo runs every shipped source through the generation pipeline (draft, grounding check,
publish with its re-check), which takes seconds per dozen sources. The built network is the same for the
same sources, the same pipeline code and the same schema, so its dump is kept under the hash of those (in
this process, and as a file in a cache folder when one is given) and restored into the next empty store.
Any change to a source, to ``qapress.generate`` or ``qapress.articles``, or a new migration, makes a new
hash: the pipeline then runs again, so a cached demo is never one the current code would not write.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

#: Packages whose code decides what the demo's articles are.
PIPELINE_PACKAGES = ("qapress.generate", "qapress.articles", "qapress.store.migrations")
_BUILT: dict[str, str] = {}


def demo_key(*inputs: str) -> str:
    """The hash of ``inputs`` (the demo's source texts) and of the pipeline's code and data files."""
    digest = hashlib.sha256()
    for text in inputs:
        digest.update(hashlib.sha256(text.encode()).digest())
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
