"""``python -m bench grounding``: how many planted errors the grounding check catches and how many true
claims it drops, per kind, over the evaluation set in ``bench/grounding_eval``: each split its
``split.txt`` names (dev, heldout, fresh, unseen, ...) apart, in the order they first appear there.

A claim counts as caught when the check calls it unsupported, as flagged when it calls it unverified (the
editor is told, nothing passes silently), and as missed when it calls it supported. A true claim counts as
dropped when the check calls it unsupported and as unverified when it leaves it to the editor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qapress.generate.grounding import (
    UNSUPPORTED,
    UNVERIFIED,
    Claim,
    SourceIndex,
    check_claim,
    check_text,
)
from qapress.generate.sources import parse_plain_text

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(__file__).resolve().parent / "grounding_eval"


@dataclass
class Tally:
    total: int = 0
    unsupported: int = 0
    unverified: int = 0
    examples: list[str] = field(default_factory=list)

    def share(self, count: int) -> str:
        return f"{100 * count / self.total:5.1f}%" if self.total else "    -"


def verdict_of(text: str, part: str, index: SourceIndex) -> tuple[str, str]:
    """The verdict on a whole claim text (its worst sentence) and the first reason."""
    if part == "question":
        checks = [check_claim(Claim(text, "question", True, False), index)]
    else:
        checks = check_text(text, part, index)
    for wanted in (UNSUPPORTED, UNVERIFIED):
        for check in checks:
            if check.verdict == wanted:
                return wanted, check.reasons[0] if check.reasons else ""
    return "supported", ""


def split_rows() -> list[tuple[str, str]]:
    """(article name, split) for each line of ``split.txt``, in its order."""
    rows: list[tuple[str, str]] = []
    for line in (EVAL / "split.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, which = line.split()
        rows.append((name, which))
    return rows


def splits() -> list[str]:
    """The splits ``split.txt`` names, in the order they first appear (a new split needs no code)."""
    return list(dict.fromkeys(which for _, which in split_rows()))


def run(split: str) -> dict[tuple[str, str], Tally]:
    """(label, kind) -> tally over the articles of one split."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for name, which in split_rows():
        if which != split:
            continue
        source = parse_plain_text((EVAL / "articles" / f"{name}.txt").read_text("utf-8"))
        index = SourceIndex(source)
        for row in (EVAL / "claims" / f"{name}.tsv").read_text("utf-8").splitlines():
            if not row.strip() or row.startswith("#"):
                continue
            label, kind, part, text = row.split("\t")
            verdict, reason = verdict_of(text, part, index)
            for key in ((label, kind), (label, "ALL")):
                tally = tallies[key]
                tally.total += 1
                tally.unsupported += verdict == UNSUPPORTED
                tally.unverified += verdict == UNVERIFIED
                wrong = (label == "error" and verdict != UNSUPPORTED) or (
                    label == "true" and verdict != "supported"
                )
                if wrong and kind != "ALL" and key[1] != "ALL":
                    tally.examples.append(
                        f"[{name}] {verdict}: {text}" + (f"  <- {reason}" if reason else "")
                    )
    return tallies


def table(split: str, tallies: dict[tuple[str, str], Tally]) -> list[str]:
    lines = [
        f"### {split}",
        "",
        "| planted error kind | n | caught (unsupported) | flagged (unverified) | missed |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for (label, kind), tally in sorted(tallies.items(), key=lambda item: (item[0][1] == "ALL", item[0][1])):
        if label == "error":
            missed = tally.total - tally.unsupported - tally.unverified
            lines.append(
                f"| {kind} | {tally.total} | {tally.share(tally.unsupported)} | {tally.share(tally.unverified)}"
                f" | {tally.share(missed)} |"
            )
    lines += [
        "",
        "| true claim kind | n | dropped (unsupported) | left to the editor (unverified) | passed |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for (label, kind), tally in sorted(tallies.items(), key=lambda item: (item[0][1] == "ALL", item[0][1])):
        if label == "true":
            passed = tally.total - tally.unsupported - tally.unverified
            lines.append(
                f"| {kind} | {tally.total} | {tally.share(tally.unsupported)} | {tally.share(tally.unverified)}"
                f" | {tally.share(passed)} |"
            )
    return lines


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench grounding", description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument(
        "--misses", action="store_true", help="list every missed error and dropped true claim"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    known = splits()
    parser.add_argument(
        "--split",
        choices=[*known, "all"],
        default="all",
        metavar="NAME|all",
        help=f"which articles: one split of split.txt ({', '.join(known)}) or all",
    )
    args = parser.parse_args(argv)
    moment = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"## Grounding check ({moment})",
        "",
        f"Machine: {machine()}. Evaluation set: `bench/grounding_eval` (see its README);"
        " a planted error is caught when the check calls it unsupported, flagged when unverified.",
        "",
    ]
    for split in known:
        if args.split not in ("all", split):
            continue
        tallies = run(split)
        if not tallies:
            continue
        lines += [*table(split, tallies), ""]
        if args.misses:
            for (label, kind), tally in sorted(tallies.items()):
                for example in tally.examples:
                    print(f"{split} {label} {kind}: {example}")
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        with args.output.open("a", encoding="utf-8") as handle:
            handle.write(report + "\n")
        print(f"[bench] appended to {args.output}")
    return 0
