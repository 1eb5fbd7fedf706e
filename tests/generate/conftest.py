"""Fixtures of the generate tests: the seed source as a ``SourceDocument``."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapress.generate.draft import SourceDocument
from qapress.generate.sources import parse_plain_text


@pytest.fixture
def seed_source(shared_dir: Path) -> SourceDocument:
    """The Heat 2 news article of the seeds, read the way ``qapress ingest`` reads a text file."""
    return parse_plain_text((shared_dir / "seeds" / "source-article.txt").read_text(encoding="utf-8"))
