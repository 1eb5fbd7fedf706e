"""Where the engine spends its time on the seed query: pyinstrument's call tree or py-spy's hottest frames.

python -m bench.profile --articles 1000000 --backend sqlite              # pyinstrument, in-process
python -m bench.profile --articles 1000000 --backend sqlite --py-spy     # py-spy, sampled from outside
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import data
from bench.qapress_engine import engine_available, engine_contenders
from bench.seed import random_variables, seed_query


def engine_loop(articles: int, backend: str, calls: int, role: str) -> None:
    """Run the engine's fast path ``calls`` times over random articles (warm first)."""
    network = data.ensure(articles, backend)
    variables = random_variables(network, 200)
    contender = engine_contenders(network, seed_query(), role)[0]
    for v in variables[:20]:
        contender.run(v)
    for i in range(calls):
        contender.run(variables[i % len(variables)])


def with_pyinstrument(args: argparse.Namespace) -> None:
    from pyinstrument import Profiler

    network = data.ensure(args.articles, args.backend)
    variables = random_variables(network, 200)
    contender = engine_contenders(network, seed_query(), args.role)[0]
    for v in variables[:20]:
        contender.run(v)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for i in range(args.calls):
        contender.run(variables[i % len(variables)])
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, short_mode=False))


def collapsed_stacks(collapsed: str) -> Iterator[tuple[list[str], int]]:
    """(frames from the root, samples) per line of py-spy's collapsed (``--format raw``) output."""
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if stack and count_text.isdigit():
            yield stack.split(";"), int(count_text)


def hottest_frames(collapsed: str, top: int = 25, within: str = "") -> tuple[list[tuple[str, int, int]], int]:
    """(frame, own samples, total samples) from py-spy's collapsed stacks, hottest by own samples first,
    and the number of samples counted; ``within`` keeps only the stacks through a frame containing it."""
    grand = 0
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    for frames, count in collapsed_stacks(collapsed):
        if within and not any(within in frame for frame in frames):
            continue
        grand += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    return [(frame, n, total[frame]) for frame, n in own.most_common(top)], grand


def with_py_spy(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        command = [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--rate",
            "500",
            "--format",
            "raw",
            "--output",
            str(out),
            "--",
        ]
        command += [sys.executable, "-m", "bench.profile", "--inner", "--articles", str(args.articles)]
        command += ["--backend", args.backend, "--calls", str(args.calls), "--role", args.role]
        subprocess.run(command, check=True, capture_output=True)
        # Only the timed loop: start-up (imports, building the schema) is not what a request pays.
        rows, grand = hottest_frames(out.read_text(), within="engine_loop")
    print(f"{grand} samples in the loop; own % and total % of them, top {len(rows)} frames by own samples")
    for frame, n, total in rows:
        print(f"{100 * n / max(grand, 1):6.1f} {100 * total / max(grand, 1):6.1f}  {frame}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--calls", type=int, default=3_000)
    parser.add_argument("--role", default="anonymous")
    parser.add_argument("--py-spy", action="store_true", help="sample with py-spy instead of pyinstrument")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    reason = engine_available()
    if reason is not None:
        print(reason)
        return 1
    if args.inner:
        engine_loop(args.articles, args.backend, args.calls, args.role)
    elif args.py_spy:
        with_py_spy(args)
    else:
        with_pyinstrument(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
