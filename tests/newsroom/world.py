"""A small network for the newsroom's tests: two sites, three accounts, a generated draft whose lead names
someone the source does not (the grounding check flags it), a draft on the other site and a pending link."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.accounts.users import add_account
from qapress.generate.draft import SourceDocument
from qapress.generate.extractive import ExtractiveBackend
from qapress.generate.grounding import check_draft
from qapress.generate.repository import insert_draft, store_source
from qapress.store.schema import link, qa_ai
from qapress.store.sites import SiteFields, add_site

PASSWORD = "a long test password"
OWNER, EDITOR, MODERATOR, EDITOR_B = (
    "owner@example.com",
    "ed@example.com",
    "mod@example.com",
    "bea@example.com",
)
FLAGGED_NAME = "Steven Spielberg"


@dataclass(frozen=True)
class World:
    site_a: int
    site_b: int
    draft_a: int  # generated from a source; its lead names FLAGGED_NAME, so its check fails
    draft_b: int
    link_a: int


def build_world(engine: Engine, source_text: str) -> World:
    a = add_site(engine, SiteFields("a.localhost", "Alpha News", "en", "The A side")).id
    b = add_site(engine, SiteFields("b.localhost", "Beta News")).id
    add_account(engine, OWNER, "owner", PASSWORD)
    add_account(engine, EDITOR, "editor", PASSWORD, ["a.localhost"])
    add_account(engine, MODERATOR, "moderator", PASSWORD, ["a.localhost"])
    add_account(engine, EDITOR_B, "editor", PASSWORD, ["b.localhost"])
    document = SourceDocument(title="Heat 2 inches closer", text=source_text, publisher="Variety")
    stored = store_source(engine, document)
    document = dataclasses.replace(document, id=stored.id)
    draft = ExtractiveBackend().draft(document)
    flagged = dataclasses.replace(draft, lead=f"{draft.lead} {FLAGGED_NAME} is said to produce it.")
    kept, report = check_draft(flagged, document)
    assert not report.passed
    import datetime as dt

    draft_a = insert_draft(
        engine,
        document=document,
        domain_id=a,
        draft=kept,
        report=report,
        backend="extractive",
        day=dt.date(2026, 2, 25),
    )
    assert draft_a is not None
    with engine.begin() as connection:
        draft_b = connection.execute(
            qa_ai.insert()
            .values(domain=b, title="Beta's secret draft", text="Body.", status="draft")
            .returning(qa_ai.c.id)
        ).scalar_one()
        published_a = connection.execute(
            qa_ai.insert()
            .values(domain=a, title="Alpha story", slug="alpha-story", text="Body.")
            .returning(qa_ai.c.id)
        ).scalar_one()
        link_a = connection.execute(
            link.insert()
            .values(
                article_id=published_a,
                url="https://fan.example/heat",
                url_key="fan.example/heat",
                title="A fan page",
                consent=True,
            )
            .returning(link.c.id)
        ).scalar_one()
    return World(a, b, draft_a, int(draft_b), int(link_a))


def status_of(engine: Engine, article_id: int) -> str:
    with engine.connect() as connection:
        return str(connection.execute(sa.select(qa_ai.c.status).where(qa_ai.c.id == article_id)).scalar_one())


class Staff:
    """An HTTP client of the newsroom on one host, signing in as a browser would (token, Origin)."""

    def __init__(self, port: int, host: str = "a.localhost") -> None:
        self.origin = f"http://{host}:{port}"
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Host": f"{host}:{port}"}, timeout=30
        )

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def token(html: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        page = self.client.get("/newsroom/sign-in")
        return self.client.post(
            "/newsroom/sign-in",
            data={"csrf": self.token(page.text), "email": email, "password": password, "next": "/newsroom/"},
            headers={"Origin": self.origin},
        )

    def post(
        self, path: str, data: dict[str, str], origin: str | None = None, page: str | None = None
    ) -> httpx.Response:
        html = self.client.get(page or path).text
        return self.client.post(
            path, data={"csrf": self.token(html), **data}, headers={"Origin": origin or self.origin}
        )

    def graphql(
        self, query: str, variables: dict[str, object] | None = None, **headers: str
    ) -> dict[str, object]:
        response = self.client.post(
            "/v1/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Origin": self.origin, **headers},
        )
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body
