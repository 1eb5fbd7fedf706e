"""The "Related articles" bench: its labelled set is what BENCHMARKS.md says, and the block beats the
seed's "newest" rule on it (SQLite; the bench itself also runs PostgreSQL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.related_bench import HERE, load_labels, newest_baseline, run_sqlite


def test_the_labelled_set_has_at_least_50_articles_with_symmetric_labels() -> None:
    labels = load_labels()
    articles = [json.loads(line) for line in (HERE / "articles.jsonl").read_text("utf-8").splitlines()]
    assert len(articles) >= 50 and set(labels) == {a["id"] for a in articles}
    assert all(a in labels[b] for a, related in labels.items() for b in related)


def test_the_related_block_beats_the_newest_rule() -> None:
    labels = load_labels()
    measured, baseline = run_sqlite(labels), newest_baseline(labels)
    assert measured.articles == len(labels)
    assert measured.at_3 > baseline.at_3 * 3
