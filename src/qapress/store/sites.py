"""The network's sites (table ``domain``): add, list, edit and remove them, each change in the audit log.

A site is removed only while it has no articles: its articles point to it. ``withdraw_all`` withdraws them
first; the site then stays listed (its host keeps answering, so the withdrawn pages can say they are gone)
until its articles are deleted, and ``remove_site`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from qapress.accounts import audit
from qapress.store.database import StoreError
from qapress.store.hosts import normalize_site_host
from qapress.store.schema import domain, link, qa_ai

MAX_NAME_LENGTH = 200
MAX_LANGUAGE_LENGTH = 20


class SiteError(StoreError):
    """A site that cannot be added, changed or removed as asked; the message says why."""


@dataclass(frozen=True)
class SiteCounts:
    drafts: int = 0
    published: int = 0
    withdrawn: int = 0
    pending_links: int = 0


@dataclass(frozen=True)
class Site:
    id: int
    host: str
    name: str
    tagline: str
    language: str
    counts: SiteCounts = SiteCounts()


@dataclass(frozen=True)
class SiteFields:
    """What a person gives for a site; ``checked`` normalizes it or raises ``SiteError``."""

    host: str
    name: str
    language: str = "en"
    tagline: str = ""

    def checked(self) -> SiteFields:
        name = self.name.strip()
        if not name:
            raise SiteError("a site needs a name (--name)")
        if len(name) > MAX_NAME_LENGTH:
            raise SiteError(f"a site's name has at most {MAX_NAME_LENGTH} characters")
        language = self.language.strip()
        if (
            not language
            or len(language) > MAX_LANGUAGE_LENGTH
            or not all(part.isascii() and part.isalnum() for part in language.split("-"))
        ):
            raise SiteError(f"language {self.language!r}: give a language tag such as en or pt-BR")
        if any(ord(char) < 0x20 for char in name + self.tagline if char not in "\n\t"):
            raise SiteError("the name and tagline may not hold control characters")
        return SiteFields(normalize_site_host(self.host), name, language, self.tagline.strip())


def _count_columns() -> list[sa.ColumnElement[int]]:
    def status_count(status: str) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((qa_ai.c.status == status, 1), else_=0)), 0)

    return [status_count("draft"), status_count("published"), status_count("withdrawn")]


def site_counts(connection: sa.Connection, site_ids: list[int] | None = None) -> dict[int, SiteCounts]:
    """Drafts, published and withdrawn articles, and pending links, per site (all sites when None)."""
    articles = sa.select(qa_ai.c.domain, *_count_columns()).group_by(qa_ai.c.domain)
    pending = (
        sa.select(qa_ai.c.domain, sa.func.count())
        .select_from(link.join(qa_ai, link.c.article_id == qa_ai.c.id))
        .where(link.c.status == "pending")
        .group_by(qa_ai.c.domain)
    )
    if site_ids is not None:
        articles = articles.where(qa_ai.c.domain.in_(site_ids))
        pending = pending.where(qa_ai.c.domain.in_(site_ids))
    pending_by_site = {row[0]: int(row[1]) for row in connection.execute(pending)}
    counts = {
        row[0]: SiteCounts(int(row[1]), int(row[2]), int(row[3]), pending_by_site.pop(row[0], 0))
        for row in connection.execute(articles)
    }
    for site_id, n in pending_by_site.items():
        counts[site_id] = SiteCounts(pending_links=n)
    return counts


def list_sites(engine: Engine, site_ids: list[int] | None = None) -> list[Site]:
    """The sites in id order with their counts (only ``site_ids`` when given)."""
    query = sa.select(domain).order_by(domain.c.id)
    if site_ids is not None:
        query = query.where(domain.c.id.in_(site_ids))
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
        counts = site_counts(connection, site_ids)
    return [
        Site(
            r["id"], r["host"], r["name"], r["description"], r["language"], counts.get(r["id"], SiteCounts())
        )
        for r in rows
    ]


def find_site(connection: sa.Connection, host: str) -> Site:
    normalized = normalize_site_host(host)
    row = connection.execute(sa.select(domain).where(domain.c.host == normalized)).mappings().first()
    if row is None:
        raise SiteError(f"there is no site {normalized!r} (see `qapress sites list`)")
    return Site(row["id"], row["host"], row["name"], row["description"], row["language"])


def add_site(
    engine: Engine, fields: SiteFields, actor: str = audit.CLI_ACTOR, client: str | None = None
) -> Site:
    checked = fields.checked()
    try:
        with engine.begin() as connection:
            site_id = connection.execute(
                domain.insert()
                .values(
                    host=checked.host,
                    name=checked.name,
                    description=checked.tagline,
                    language=checked.language,
                )
                .returning(domain.c.id)
            ).scalar_one()
            audit.record(connection, actor, "site.add", checked.host, _detail(checked), client)
    except IntegrityError:
        raise SiteError(f"a site with the host {checked.host!r} exists already") from None
    return Site(int(site_id), checked.host, checked.name, checked.tagline, checked.language)


def edit_site(
    engine: Engine,
    host: str,
    *,
    new_host: str | None = None,
    name: str | None = None,
    language: str | None = None,
    tagline: str | None = None,
    actor: str = audit.CLI_ACTOR,
    client: str | None = None,
) -> Site:
    """Change what is given; the rest stays."""
    try:
        with engine.begin() as connection:
            current = find_site(connection, host)
            checked = SiteFields(
                new_host if new_host is not None else current.host,
                name if name is not None else current.name,
                language if language is not None else current.language,
                tagline if tagline is not None else current.tagline,
            ).checked()
            connection.execute(
                domain.update()
                .where(domain.c.id == current.id)
                .values(
                    host=checked.host,
                    name=checked.name,
                    description=checked.tagline,
                    language=checked.language,
                )
            )
            audit.record(connection, actor, "site.edit", current.host, _detail(checked), client)
    except IntegrityError:
        raise SiteError(f"a site with the host {new_host!r} exists already") from None
    return Site(current.id, checked.host, checked.name, checked.tagline, checked.language)


@dataclass(frozen=True)
class Removal:
    host: str
    removed: bool
    withdrawn: int


def remove_site(
    engine: Engine, host: str, *, withdraw_all: bool = False, actor: str = audit.CLI_ACTOR
) -> Removal:
    """Delete a site without articles; with ``withdraw_all``, withdraw its articles instead of refusing."""
    with engine.begin() as connection:
        site = find_site(connection, host)
        total = int(
            connection.execute(
                sa.select(sa.func.count()).select_from(qa_ai).where(qa_ai.c.domain == site.id)
            ).scalar_one()
        )
        if total == 0:
            connection.execute(domain.delete().where(domain.c.id == site.id))
            audit.record(connection, actor, "site.remove", site.host)
            return Removal(site.host, True, 0)
        if not withdraw_all:
            raise SiteError(
                f"site {site.host!r} has {total} articles; withdraw them with --withdraw-all "
                "(their pages then answer 410 Gone) or delete them first"
            )
        withdrawn = connection.execute(
            qa_ai.update()
            .where(qa_ai.c.domain == site.id, qa_ai.c.status != "withdrawn")
            .values(status="withdrawn", updated_at=audit.utc_now())
        ).rowcount
        audit.record(connection, actor, "site.withdraw-all", site.host, {"withdrawn": withdrawn})
    return Removal(site.host, False, int(withdrawn))


def _detail(fields: SiteFields) -> dict[str, str]:
    return {"host": fields.host, "name": fields.name, "language": fields.language, "tagline": fields.tagline}
