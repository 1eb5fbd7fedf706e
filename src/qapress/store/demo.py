"""The demo network: the seed's two articles as real rows, the newest articles of every site written by
qapress's own pipeline from the news sources shipped with the demo, and an older archive of filler so that
every related block is full.

The Q&A page of the seed is article 6646098 on domain 7, so that ``page-query.graphql`` with
``page-variables.json`` answers as it is. Loading is idempotent: a store that has the seed article is reused,
so the pipeline runs once, when the demo is first loaded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.articles import slugify
from qapress.store.backend import advance_sequences
from qapress.store.schema import domain, qa_ai, source

if TYPE_CHECKING:
    from qapress.generate.draft import SourceDocument
    from qapress.generate.pipeline import GenerateResult

SEED_ARTICLE_ID = 6646098
SEED_DOMAIN_ID = 7
SOURCE_ARTICLE_ID = 6646097
FIRST_FILLER_ID = 6646000
FILLER_COUNT = 160
#: The demo's news sources (fictional, written for it): one JSON object a line, with the ``site`` it is for.
SOURCES_FILE = "demo_data/sources.jsonl"


@dataclass(frozen=True)
class DemoDomain:
    id: int
    host: str
    name: str
    description: str
    topic: str
    subjects: tuple[str, ...]


DOMAINS = (
    DemoDomain(
        1,
        "news.localhost",
        "Newsroom",
        "The news stories our explainers start from.",
        "news",
        ("the city budget", "the new rail line", "the water board", "the school calendar"),
    ),
    DemoDomain(
        2,
        "sport.localhost",
        "Sport Q&A",
        "Questions and answers about the games people follow.",
        "sport",
        ("the league final", "the transfer window", "the marathon season", "the new stadium"),
    ),
    DemoDomain(
        3,
        "science.localhost",
        "Science Q&A",
        "Discoveries explained, one question at a time.",
        "science",
        ("the comet flyby", "the new battery chemistry", "the deep-sea survey", "the fusion test"),
    ),
    DemoDomain(
        4,
        "money.localhost",
        "Money Q&A",
        "Business and personal finance, answered.",
        "business",
        ("the interest rate decision", "the chip maker merger", "the pension reform", "the retail slump"),
    ),
    DemoDomain(
        5,
        "tech.localhost",
        "Tech Q&A",
        "What new technology means for you.",
        "technology",
        ("the phone launch", "the browser update", "the data privacy rules", "the satellite internet plan"),
    ),
    DemoDomain(
        6,
        "travel.localhost",
        "Travel Q&A",
        "Trips, routes and rules, explained.",
        "travel",
        ("the night train revival", "the airport expansion", "the visa changes", "the coastal trail"),
    ),
    DemoDomain(
        7,
        "screen.localhost",
        "Screen Q&A",
        "Films and series: what is coming and why it matters.",
        "film",
        ("the festival lineup", "the streaming sequel", "the studio slate", "the animated remake"),
    ),
    DemoDomain(
        8,
        "music.localhost",
        "Music Q&A",
        "Albums, tours and the people behind them.",
        "music",
        ("the reunion tour", "the surprise album", "the festival headliners", "the vinyl pressing boom"),
    ),
)

TITLE_SHAPES = (
    "{Subject}: what we know so far and what happens next for {audience}",
    "Everything {audience} should know about {subject} before the next update",
    "{Subject} explained: the dates, the people and the open questions",
    "Why {subject} matters to {audience}, and what could still change",
)
AUDIENCES = ("readers", "fans", "families", "newcomers", "regulars")

SEED_TITLE = (
    "Heat 2: Michael Mann’s long-awaited Heat follow-up eyes a big-screen return, "
    "with DiCaprio potentially on board"
)
SEED_TEXT = (
    "Heat 2, a project that would pick up after the iconic film Heat while also venturing into the characters’ "
    "earlier years, has been inching toward reality for years. Director Michael Mann has been Perkins on the idea "
    "for ages, especially after he co-authored a tie-in novel with Meg Gardiner in 2022 that threads the original "
    "story with new explorations of its players’ pasts.\n\n"
    "The director has repeatedly floated the notion of returning to the Heat universe, with momentum growing after "
    "the book’s publication. In 2023 he said Heat 2 would be his next movie, and in 2024 he indicated a 2025 "
    "release, though that timeline never came to fruition. Nevertheless, sources still say the project isn’t dead, "
    "and recent reporting suggests it could still move forward."
)
SEED_FAQ = [
    {
        "question": "Is there a Heat 2 release date?",
        "answer": "Not yet. At the Busan International Film Festival Michael Mann said: “I look forward to "
        "possibly shooting it in 2026,” with budgeting, scheduling and casting in progress.",
    },
    {
        "question": "Is Leonardo DiCaprio joining the Heat 2 cast?",
        "answer": "He is rumored to be in discussions for a key role. Adam Driver has been eyed to play a younger "
        "McCauley, with Austin Butler and Ana de Armas named as potential co-stars.",
    },
    {
        "question": "What Heat 2 is about",
        "answer": "It adapts Mann’s novel that expands the story of Neil McCauley and Vincent Hanna, reaching "
        "into the characters’ earlier years as well as after the events of Heat. The budget was reported scaled "
        "back from $200 million to $170 million.",
    },
]
SEED_OUTRO = (
    "If you’re following Heat 2 updates, keep an eye on official announcements regarding cast, financing, and a "
    "concrete production timeline. In the meantime, you can revisit classic action cinema lists and upcoming-year "
    "calendars for more to look forward to."
)
SOURCE_TITLE = "‘Heat 2’ Inches Closer to Reality with 2026 Target Date"


def load_demo(engine: Engine, source_text: str | None = None) -> bool:
    """Fill an empty store with the demo network; return False when it was already there."""
    with engine.begin() as connection:
        if connection.execute(sa.select(qa_ai.c.id).where(qa_ai.c.id == SEED_ARTICLE_ID)).first():
            return False
        existing = set(connection.execute(sa.select(domain.c.id)).scalars())
        missing_domains = [
            {"id": d.id, "host": d.host, "name": d.name, "description": d.description, "language": "en"}
            for d in DOMAINS
            if d.id not in existing
        ]
        if missing_domains:
            connection.execute(domain.insert(), missing_domains)
        source_id = None
        if source_text:
            source_id = connection.execute(
                source.insert().returning(source.c.id),
                {
                    "title": SOURCE_TITLE,
                    "publisher": None,
                    "text": source_text,
                    "image_credit": "Source: IMDb",
                    "content_hash": hashlib.sha256(source_text.encode()).hexdigest(),
                },
            ).scalar_one()
        connection.execute(qa_ai.insert(), filler_articles())
        connection.execute(qa_ai.insert(), seed_articles(source_text, source_id))
    with engine.begin() as connection:
        advance_sequences(connection, [qa_ai, domain])
    generate_demo_articles(engine)
    return True


def demo_sources() -> list[tuple[str, SourceDocument]]:
    """The shipped sources as (site host, document), in the file's order."""
    from qapress.generate.sources import parse_json_lines

    text = resources.files("qapress.store").joinpath(SOURCES_FILE).read_text("utf-8")
    hosts = [str(json.loads(line)["site"]) for line in text.splitlines() if line.strip()]
    return list(zip(hosts, parse_json_lines(text, what=SOURCES_FILE), strict=True))


def generate_demo_articles(engine: Engine) -> list[GenerateResult]:
    """Every shipped source through the generation pipeline (extractive backend, grounding check), published
    when its check passes; a source that already has an article is skipped, so a rerun adds nothing."""
    from qapress.articles.errors import TransitionRefused
    from qapress.generate.extractive import ExtractiveBackend
    from qapress.generate.pipeline import generate_article, publish_article
    from qapress.generate.repository import store_source

    site_ids = {d.host: d.id for d in DOMAINS}
    backend = ExtractiveBackend()
    results = []
    for host, document in demo_sources():
        stored = store_source(engine, document)
        result = generate_article(
            engine, stored.id, site_ids[host], backend, day=document.date, only_if_unused=True
        )
        if result.article_id is not None and result.report is not None and result.report.passed:
            # A refusal keeps it a draft for the newsroom, with its report saying why.
            with contextlib.suppress(TransitionRefused):
                publish_article(engine, result.article_id)
        results.append(result)
    return results


def seed_articles(source_text: str | None, source_id: int | None) -> list[dict[str, Any]]:
    rows = [
        {
            "id": SEED_ARTICLE_ID,
            "domain": SEED_DOMAIN_ID,
            "title": SEED_TITLE,
            "slug": slugify(SEED_TITLE),
            "text": SEED_TEXT,
            "lead": SEED_TEXT.split("\n\n")[0],
            "faq": SEED_FAQ,
            "outro": SEED_OUTRO,
            "date": dt.date(2026, 2, 25),
            "image_url": None,
            "image_credit": "gettyimages",
            "src_id": None,
            "source_id": source_id,
            "status": "published",
        }
    ]
    if source_text:
        rows.append(
            {
                "id": SOURCE_ARTICLE_ID,
                "domain": 1,
                "title": SOURCE_TITLE,
                "slug": slugify(SOURCE_TITLE),
                "text": source_text,
                "lead": source_text.split("\n")[0],
                "faq": None,
                "outro": "",
                "date": None,
                "image_url": None,
                "image_credit": "Source: IMDb",
                "src_id": None,
                "source_id": source_id,
                "status": "published",
            }
        )
    return rows


def filler_articles() -> list[dict[str, Any]]:
    """Deterministic articles over every domain; the three oldest are drafts waiting for review."""
    rows = []
    ids = [
        i
        for i in range(FIRST_FILLER_ID, FIRST_FILLER_ID + FILLER_COUNT + 2)
        if i not in (SEED_ARTICLE_ID, SOURCE_ARTICLE_ID)
    ][:FILLER_COUNT]
    for n, article_id in enumerate(ids):
        site = DOMAINS[n % len(DOMAINS)]
        subject = site.subjects[(n // len(DOMAINS)) % len(site.subjects)]
        audience = AUDIENCES[n % len(AUDIENCES)]
        shape = TITLE_SHAPES[(n // (len(DOMAINS) * len(site.subjects))) % len(TITLE_SHAPES)]
        title = shape.format(Subject=subject[0].upper() + subject[1:], subject=subject, audience=audience)
        title = f"{title} (part {n // 32 + 1})" if n >= 32 else title
        day = dt.date(2026, 1, 1) + dt.timedelta(days=n // 2)
        rows.append(
            {
                "id": article_id,
                "domain": site.id,
                "title": title,
                "slug": slugify(title),
                "text": filler_body(site, subject),
                "lead": f"A short guide to {subject}, for {audience} of {site.name}.",
                "faq": filler_faq(subject),
                "outro": f"We will update this page as {subject} develops.",
                "date": day,
                "image_url": None,
                "image_credit": "qapress demo",
                "src_id": None,
                "source_id": None,
                "status": "draft" if n < 3 else "published",
            }
        )
    return rows


def filler_body(site: DemoDomain, subject: str) -> str:
    return "\n\n".join(
        [
            f"This is demo text for {site.name}, a {site.topic} site of the qapress demo network. It stands in "
            f"for a Q&A explainer about {subject}, written from a news source and checked against it.",
            f"A real article would say when {subject} happens, who is involved and what it costs, each fact "
            "taken from its source. Here the words only fill the page, so that layout, related links and feeds "
            "can be seen with realistic lengths.",
            "Readers can suggest related links below; each one is checked for a link back to this page before "
            "it goes live.",
        ]
    )


def filler_faq(subject: str) -> list[dict[str, str]]:
    return [
        {"question": f"When does {subject} happen?", "answer": "The demo does not say: it is filler text."},
        {"question": f"Who is behind {subject}?", "answer": "Nobody real: this article is demo data."},
        {"question": f"What does {subject} change?", "answer": "Only how full this demo page looks."},
    ]
