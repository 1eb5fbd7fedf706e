"""Search in the newsroom: the same native query as the sites' ``/search`` (``search_articles``), read as the
account's role, so an owner finds any article of the network in any status and an editor or a moderator
those of their sites. The query's text is read by ``site.search.read_search``, as on the sites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts.sessions import ActiveSession
from qapress.site.search import MAX_QUERY_CHARS, marked_snippet, read_search
from qapress.site.views import parse_date

if TYPE_CHECKING:
    from qapress.newsroom.app import Newsroom

PAGE_SIZE = 20

SEARCH_QUERY = """
query NewsroomSearch($query: String!, $limit: Int!, $offset: Int!) {
  hits: search_articles(args: {query: $query}, order_by: [{rank: asc}, {id: desc}], limit: $limit, offset: $offset) {
    id domain title status date snippet lead
  }
  domain(order_by: {id: asc}) { id name host }
}
"""


class SearchPages:
    """``/newsroom/search?q=``: every article the account may read, best match first, 20 a page."""

    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom

    def search(self, request: Request, session: ActiveSession, _form: dict[str, str]) -> Response:
        nr = self.newsroom
        search = read_search(request.query_params.get("q"), request.query_params.get("page"))
        if search is None:
            return nr.render(
                request,
                "message.html",
                session,
                404,
                heading="No such page",
                message="There is no such page.",
            )
        hits: list[dict[str, Any]] = []
        more = False
        if search.runnable:
            variables = {
                "query": search.query,
                "limit": PAGE_SIZE + 1,
                "offset": (search.page - 1) * PAGE_SIZE,
            }
            data = nr.data.run(session.account, SEARCH_QUERY, variables)
            sites = {site["id"]: site for site in data["domain"]}
            rows = data["hits"]
            more = len(rows) > PAGE_SIZE
            hits = [
                {
                    "id": row["id"],
                    "title": row["title"],
                    "status": row["status"],
                    "date": parse_date(row["date"]),
                    "site": sites.get(row["domain"], {"name": f"site {row['domain']}", "host": ""}),
                    "snippet": marked_snippet(str(row["snippet"] or row["lead"] or "")),
                }
                for row in rows[:PAGE_SIZE]
            ]
        return nr.render(
            request,
            "search.html",
            session,
            400 if search.problem else 200,
            search=search,
            hits=hits,
            more=more,
            max_chars=MAX_QUERY_CHARS,
            network=session.account.is_owner,
        )
