"""The scale bench's network: N articles over 200 sites, written as a JSON Lines stream in constant memory.

Text with the shape of English news at scale: words drawn Zipf-distributed (P ~ 1/rank) from the 144
function words qapress's search leaves out followed by 40,000 made-up content words, so that about half the
words are function words and a content word's share of articles falls with its rank (~10% at the top, ~0.2%
at rank 10,000), as in real corpora; each article repeats its title's four topic words, as a story does.
A 200-word vocabulary would make every search and "more like this" query match the whole network.
Titles are a pure function of the id (the load client builds every canonical path without asking the
database); bodies are 120-280 words (~1.5 KB) from a seeded generator, so two runs write the same file.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

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


def lines(articles: int, sites: int = SITES, seed: int = 15) -> Iterator[str]:
    """The JSON Lines of the network, one article a line, ids 1..articles."""
    rng = random.Random(seed)
    stream = _stream(rng)
    for article_id in range(1, articles + 1):
        subject = topic(article_id)
        count = rng.randint(120, 280)
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
        yield json.dumps(record, separators=(",", ":"))


def write(path: Path, articles: int, sites: int = SITES) -> int:
    """Write the network's JSON Lines to ``path``; returns its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        for line in lines(articles, sites):
            out.write(line + "\n")
    return path.stat().st_size
