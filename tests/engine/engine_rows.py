"""A small, fully known data set for compile tests: three sites, six articles, five links."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.store.schema import domain, link, qa_ai

DOMAINS = [
    {"id": 1, "host": "a.localhost", "name": "Alpha", "language": "en"},
    {"id": 2, "host": "b.localhost", "name": "Beta", "language": "de"},
    {"id": 3, "host": "c.localhost", "name": "Gamma", "language": "en"},
]
ARTICLES = [
    {
        "id": 1,
        "domain": 1,
        "title": "Apple pie",
        "date": dt.date(2024, 1, 5),
        "status": "published",
        "faq": [{"question": "Why?", "answer": "Because."}],
        "src_id": None,
    },
    {
        "id": 2,
        "domain": 1,
        "title": "banana bread",
        "date": None,
        "status": "published",
        "faq": None,
        "src_id": 1,
    },
    {
        "id": 3,
        "domain": 2,
        "title": "Cherry_tart 100%",
        "date": dt.date(2023, 6, 1),
        "status": "draft",
        "faq": {"a": 1},
        "src_id": 1,
    },
    {
        "id": 4,
        "domain": 2,
        "title": "Date loaf",
        "date": dt.date(2024, 3, 9),
        "status": "published",
        "faq": None,
        "src_id": None,
    },
    {
        "id": 5,
        "domain": 3,
        "title": "Elder flower",
        "date": dt.date(2022, 12, 31),
        "status": "withdrawn",
        "faq": None,
        "src_id": 4,
    },
    {
        "id": 6,
        "domain": 1,
        "title": "apple crumble",
        "date": dt.date(2024, 1, 5),
        "status": "published",
        "faq": None,
        "src_id": None,
    },
]
LINKS = [
    {
        "id": 1,
        "article_id": 1,
        "url": "https://x.example/1",
        "url_key": "x.example/1",
        "consent": True,
        "status": "live",
        "ip_hash": "h1",
        "attempts": 0,
    },
    {
        "id": 2,
        "article_id": 1,
        "url": "https://y.example/2",
        "url_key": "y.example/2",
        "consent": True,
        "status": "pending",
        "ip_hash": "h2",
        "attempts": 2,
    },
    {
        "id": 3,
        "article_id": 4,
        "url": "https://z.example/3",
        "url_key": "z.example/3",
        "consent": False,
        "status": "live",
        "ip_hash": None,
        "attempts": 1,
    },
    {
        "id": 4,
        "article_id": 3,
        "url": "https://w.example/4",
        "url_key": "w.example/4",
        "consent": True,
        "status": "live",
        "ip_hash": "h4",
        "attempts": 5,
    },
    {
        "id": 5,
        "article_id": 1,
        "url": "https://v.example/5",
        "url_key": "v.example/5",
        "consent": True,
        "status": "live",
        "ip_hash": "h5",
        "attempts": 3,
    },
]


def load_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.insert(domain), DOMAINS)
        connection.execute(sa.insert(qa_ai), ARTICLES)
        connection.execute(sa.insert(link), LINKS)
        if engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
            for table in ("domain", "qa_ai", "link"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
