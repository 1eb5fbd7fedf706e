"""The scale bench's network: N articles over 200 sites, written as a JSON Lines stream in constant memory.

Text with the shape of English news at scale: words drawn Zipf-distributed (P ~ 1/rank) from the 144
function words qapress's search leaves out followed by 40,000 made-up content words, so that about half the
words are function words and a content word's share of articles falls with its rank (~10% at the top, ~0.2%
at rank 10,000), as in real corpora; each article repeats its title's four topic words, as a story does.
A 200-word vocabulary would make every search and "more like this" query match the whole network.
Titles are a pure function of the id (the load client builds every canonical path without asking the
database); bodies are 120-280 words (~1.5 KB; ``short``: 25-60 words) from a generator seeded per chunk of ids, so two
runs write the same file whatever the number of processes (``chunks``).
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

import orjson

from qapress.store.articles import slugify

SITES = 200
CONTENT_WORDS = 40_000
#: Topic words of titles: content words of middling rank (each in ~2% of the articles).
TITLE_RANKS = range(1_000, 3_000)
VERBS = [
    "said",
    "announced",
    "confirmed",
    "warned",
    "expected",
    "agreed",
    "rejected",
    "approved",
    "opened",
    "closed",
    "won",
    "lost",
]


@cache
def function_words() -> list[str]:
    text = resources.files("qapress.engine").joinpath("stopwords-en.txt").read_text("utf-8")
    return [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]


@cache
def content_words() -> list[str]:
    """40,000 distinct made-up words of two to four syllables (lower-case ASCII, at most 12 letters)."""
    rng = random.Random(1015)
    onsets = [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "j",
        "k",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "w",
        "z",
        "br",
        "cr",
        "dr",
        "fr",
        "gr",
        "pr",
        "tr",
        "st",
        "sp",
        "sk",
        "pl",
        "bl",
        "cl",
        "gl",
        "sh",
        "ch",
        "th",
    ]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
    codas = ["", "", "", "n", "r", "s", "l", "t", "m", "nd", "st"]
    skip = set(function_words()) | set(VERBS)
    words: dict[str, None] = {}
    while len(words) < CONTENT_WORDS:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 3)))
        word += rng.choice(codas)
        if 4 <= len(word) <= 12 and word not in skip:
            words[word] = None
    return list(words)


def title_words() -> list[str]:
    return content_words()[TITLE_RANKS.start : TITLE_RANKS.stop]


def title(article_id: int) -> str:
    """The article's title, from its id alone: four topic words and a verb (no word every title has)."""
    words = title_words()
    n = len(words)
    a, b = article_id % n, (article_id // n) % n
    c, d = (article_id * 7 + 3) % n, ((article_id * 13 + 5) // n) % n
    verb = VERBS[article_id % len(VERBS)]
    return f"{words[a].title()} {words[b]} {verb} {words[c]} {words[d]}"


def topic(article_id: int) -> list[str]:
    return [w for i, w in enumerate(title(article_id).lower().split()) if i != 2]


def article_path(article_id: int) -> str:
    """The canonical path (``/a/{id}/{slug}``) the site answers 200 on."""
    return f"/a/{article_id}/{slugify(title(article_id))}"


def site_of(article_id: int, sites: int = SITES) -> int:
    """The site (domain id) an article belongs to: ids dealt round the sites."""
    return (article_id - 1) % sites + 1


def host(site_id: int) -> str:
    return f"site-{site_id:03d}.localhost"


#: Words drawn once and read from a random offset by each article: a Zipf draw per word would take the
#: generator hours at 10 million articles, a slice of the drawn stream keeps the words' distribution.
STREAM_WORDS = 1 << 22


def _stream(rng: random.Random) -> list[str]:
    vocabulary = function_words() + content_words()
    weights = list(itertools.accumulate(1.0 / rank for rank in range(1, len(vocabulary) + 1)))
    return rng.choices(vocabulary, cum_weights=weights, k=STREAM_WORDS)


#: Ids per generated chunk: each chunk has its own seeded generator, so chunks can be made in parallel and
#: the file is the same whatever the number of processes.
CHUNK = 20_000
#: Body lengths in words: news-length (~1.5 KB) by default, or short (~0.4 KB) for a 10M network on one disk.
BODY_WORDS = {"news": (120, 280), "short": (25, 60)}

_worker_stream: list[str] = []


def _init_worker(seed: int) -> None:
    global _worker_stream
    _worker_stream = _stream(random.Random(seed))


def _chunk(job: tuple[int, int, int, int, int, str]) -> bytes:
    """The lines of ids ``first..last`` as one UTF-8 block (what a worker process hands back)."""
    first, last, articles, sites, seed, body = job
    rng = random.Random(seed * 1_000_003 + first // CHUNK)
    low, high = BODY_WORDS[body]
    stream = _worker_stream
    out: list[bytes] = []
    for article_id in range(first, last + 1):
        subject = topic(article_id)
        count = rng.randint(low, high)
        start = rng.randrange(STREAM_WORDS - count)
        words = stream[start : start + count]
        for _ in range(rng.randint(4, 8)):  # the story's subject comes back
            words[rng.randrange(count)] = rng.choice(subject)
        sentences, start = [], 0
        while start < count:
            end = min(count, start + rng.randint(8, 20))
            sentences.append(" ".join(words[start:end]).capitalize() + ".")
            start = end
        day = 1 + article_id * 3653 // max(articles, 1) % 3653  # ten years, older ids first
        year, rest = 2016 + (day - 1) // 366, (day - 1) % 366
        month, mday = 1 + rest // 31 % 12, 1 + rest % 28
        record = {
            "id": article_id,
            "domain": site_of(article_id, sites),
            "title": title(article_id),
            "lead": sentences[0],
            "text": " ".join(sentences[1:]),
            "date": f"{year}-{month:02d}-{mday:02d}",
        }
        out.append(orjson.dumps(record))
    return b"\n".join(out) + b"\n"


def _jobs(articles: int, sites: int, seed: int, body: str) -> Iterator[tuple[int, int, int, int, int, str]]:
    for first in range(1, articles + 1, CHUNK):
        yield first, min(articles, first + CHUNK - 1), articles, sites, seed, body


def chunks(
    articles: int, sites: int = SITES, seed: int = 15, *, body: str = "news", processes: int = 1
) -> Iterator[bytes]:
    """The network's JSON Lines in id order, a block of :data:`CHUNK` lines at a time."""
    if processes <= 1:
        _init_worker(seed)
        yield from map(_chunk, _jobs(articles, sites, seed, body))
        return
    with multiprocessing.get_context("fork").Pool(processes, _init_worker, (seed,)) as pool:
        yield from pool.imap(_chunk, _jobs(articles, sites, seed, body))


def lines(articles: int, sites: int = SITES, seed: int = 15, *, body: str = "news") -> Iterator[str]:
    """The JSON Lines of the network, one article a line, ids 1..articles."""
    for block in chunks(articles, sites, seed, body=body):
        yield from block.decode("utf-8").splitlines()


def write(path: Path, articles: int, sites: int = SITES, *, body: str = "news", processes: int = 1) -> int:
    """Write the network's JSON Lines to ``path``; returns its size in bytes."""
    with path.open("wb") as out:
        for block in chunks(articles, sites, body=body, processes=processes):
            out.write(block)
    return path.stat().st_size


if __name__ == "__main__":
    # python -m bench.scale_data FILE ARTICLES [news|short] [PROCESSES]: the file alone, timed.
    import sys
    import time

    began = time.monotonic()
    arguments = sys.argv[1:]
    written = write(
        Path(arguments[0]),
        int(arguments[1]),
        body=arguments[2] if len(arguments) > 2 else "news",
        processes=int(arguments[3]) if len(arguments) > 3 else 1,
    )
    print(f"{written / 1e9:.2f} GB in {time.monotonic() - began:.0f} s", flush=True)
