"""The pages' data: each page's GraphQL query run through the engine, with its timing for the debug panel.

This is the site's only way to the database besides the change watch and the sites' list: the engine
compiles each query to one SQL statement. ``PageQueries`` knows which variables each query takes and what a missing answer means.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from qapress.engine import GraphQLEngine
from qapress.site.errors import PageQueryFailed
from qapress.site.render import page_query
from qapress.site.views import first_row


@dataclass(frozen=True)
class QueryRun:
    """One executed page query: its text, variables, the ``data`` it answered and how long it took."""

    name: str
    query: str
    variables: dict[str, Any]
    data: dict[str, Any]
    ms: float

    def variables_json(self) -> str:
        return json.dumps(self.variables, indent=2)


#: The session pages are read with: no reader's address, since a rendered page is shared by all readers.
PAGE_SESSION = {"x-hasura-ip-hash": "page"}


class PageQueries:
    """Runs the page queries (``templates/*.graphql``) through ``GraphQLEngine``."""

    def __init__(self, gql: GraphQLEngine) -> None:
        self.gql = gql
        # article id -> src_id, learned from answers: the seed's query needs src_id before it runs. A wrong
        # guess is detected from the answer's own src_id and corrected with a second run.
        self._src_ids: dict[int, int] = {}

    def run(self, name: str, variables: dict[str, Any], role: str = "anonymous") -> QueryRun:
        query = page_query(name)
        started = time.perf_counter()
        result = self.gql.execute(query, variables=variables, role=role, session=PAGE_SESSION)
        ms = (time.perf_counter() - started) * 1000
        errors = result.get("errors")
        if errors:
            code = str(errors[0].get("extensions", {}).get("code", "unexpected"))
            raise PageQueryFailed(f"{name}: {errors[0].get('message', errors[0])}", code)
        return QueryRun(name, query, variables, result.get("data") or {}, ms)

    def article(self, article_id: int, domain_id: int) -> QueryRun:
        """The article page's one query (two the first time an article with a ``src_id`` is seen)."""
        src_id = self._src_ids.get(article_id, 0)
        run = self._article_run(article_id, domain_id, src_id)
        row = first_row(run.data.get("self"))
        actual = row.get("src_id") if row else None
        actual = actual if isinstance(actual, int) and actual > 0 else 0
        if row is not None and actual != src_id:
            if len(self._src_ids) > 100_000:
                self._src_ids.clear()
            self._src_ids[article_id] = actual
            run = self._article_run(article_id, domain_id, actual)
        return run

    def _article_run(self, article_id: int, domain_id: int, src_id: int) -> QueryRun:
        variables = {
            "id": article_id,
            "domain": domain_id,
            "srcId": src_id,
            "hasSrc": src_id > 0,
            "hasSelf": True,
        }
        return self.run("article", variables)

    def article_status(self, article_id: int) -> str | None:
        """The status of an article readers cannot see (``withdrawn``, ``draft``), or ``None`` if none exists."""
        row = first_row(self.run("article_status", {"id": article_id}, role="admin").data.get("qa_ai"))
        return str(row["status"]) if row else None

    def home(self, domain_id: int, page_size: int, page_number: int) -> QueryRun:
        variables = {
            "domain": domain_id,
            "limit": page_size + 1,
            "offset": (page_number - 1) * page_size,
            "first": page_number == 1,
        }
        return self.run("home", variables)

    def search(self, query: str, domain_id: int, page_size: int, page_number: int) -> QueryRun:
        variables = {
            "query": query,
            "domain": domain_id,
            "limit": page_size + 1,
            "offset": (page_number - 1) * page_size,
        }
        return self.run("search", variables)

    def feed(self, domain_id: int, limit: int = 20) -> QueryRun:
        return self.run("feed", {"domain": domain_id, "limit": limit})

    def news_sitemap(self, domain_id: int, since: str, limit: int) -> QueryRun:
        return self.run("news_sitemap", {"domain": domain_id, "since": since, "limit": limit}, role="admin")

    def sitemap_index(self, domain_id: int) -> QueryRun:
        return self.run("sitemap_index", {"domain": domain_id}, role="admin")

    def sitemap_page(self, domain_id: int, limit: int, offset: int) -> QueryRun:
        return self.run("sitemap_page", {"domain": domain_id, "limit": limit, "offset": offset}, role="admin")
