"""A site's readers' links: pending, live and rejected, with the linking page's title and the check's reason;
bulk approve, reject and re-check.

Which links an account may touch is what its role may read through GraphQL; the moderation itself goes
through ``qapress.links.moderation`` (the rules of a page's places live there once) and the backlink checker.
Editors read the queue; owners and moderators act on it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession
from qapress.links.checker import BacklinkChecker
from qapress.links.errors import LinksError
from qapress.links.moderation import approve_link, reject_link
from qapress.newsroom.auth import client_address
from qapress.newsroom.forms import FieldError

if TYPE_CHECKING:
    from qapress.newsroom.app import Form, Newsroom

STATUSES = ("pending", "live", "rejected")
MODERATORS = ("owner", "moderator")

LINKS_QUERY = """
query Links($site: Int!, $status: String!) {
  domain_by_pk(id: $site) { id host name }
  link(where: {status: {_eq: $status}, article: {domain: {_eq: $site}}}, order_by: {id: desc}, limit: 200) {
    id url title status reason attempts created_at checked_at
    article { id title }
  }
}
"""

VISIBLE_QUERY = """
query Visible($ids: [Int!]!, $site: Int!) {
  link(where: {id: {_in: $ids}, article: {domain: {_eq: $site}}}) { id }
}
"""


class LinkPages:
    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom

    def queue(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        nr = self.newsroom
        site_id = int(request.path_params["site_id"])
        status = request.query_params.get("status", "pending")
        if status not in STATUSES:
            status = "pending"
        errors: list[FieldError] = []
        notice = None
        if request.method == "POST":
            errors, notice = self._act(request, session, site_id, fields)
        data = nr.data.run(session.account, LINKS_QUERY, {"site": site_id, "status": status})
        if data["domain_by_pk"] is None:
            return nr.render(
                request,
                "message.html",
                session,
                404,
                heading="No such site",
                message="There is no such site here.",
            )
        return nr.render(
            request,
            "links.html",
            session,
            400 if errors else 200,
            site=data["domain_by_pk"],
            links=data["link"],
            current=status,
            statuses=STATUSES,
            errors=errors,
            notice=notice,
            reason=fields.get("reason", ""),
            can_moderate=session.account.role in MODERATORS,
        )

    def _act(
        self, request: Request, session: ActiveSession, site_id: int, fields: Form
    ) -> tuple[list[FieldError], str | None]:
        nr = self.newsroom
        if session.account.role not in MODERATORS:
            return [FieldError("action", f"Your role ({session.account.role}) cannot moderate links.")], None
        action = fields.get("action", "")
        reason = fields.get("reason", "").strip()
        raw_ids = [value for key, value in fields.items() if key.startswith("link-")]
        ids = sorted({int(v) for v in raw_ids if v.isdigit() and int(v) < 2**31})
        if not ids:
            return [FieldError("links", "Choose at least one link")], None
        if action not in ("approve", "reject", "recheck"):
            return [FieldError("action", "Choose approve, reject or re-check")], None
        if action == "reject" and not reason:
            return [FieldError("reason", "Enter the reason for rejecting (other moderators see it)")], None
        visible = {
            row["id"]
            for row in nr.data.run(session.account, VISIBLE_QUERY, {"ids": ids, "site": site_id})["link"]
        }
        settings = nr.settings
        done, problems = [], []
        checker = BacklinkChecker.from_settings(nr.engine, settings) if action == "recheck" else None
        for link_id in ids:
            if link_id not in visible:
                problems.append(f"link {link_id}: not among this site's links")
                continue
            try:
                if action == "approve":
                    approve_link(
                        nr.engine,
                        link_id,
                        dt.timedelta(seconds=settings.links_recheck_seconds),
                        settings.links_max_per_page,
                    )
                elif action == "reject":
                    reject_link(nr.engine, link_id, reason)
                elif checker is not None:
                    checker.check(link_id)
                done.append(link_id)
            except LinksError as exc:
                problems.append(str(exc))
        if done:
            with nr.engine.begin() as connection:
                audit.record(
                    connection,
                    session.account.email.lower(),
                    f"link.{action}",
                    ",".join(str(i) for i in done),
                    {"site": site_id, "reason": reason} if reason else {"site": site_id},
                    client_address(request),
                )
        errors = [FieldError("links", problem[0].upper() + problem[1:]) for problem in problems]
        verb = {"approve": "approved", "reject": "rejected", "recheck": "re-checked"}[action]
        return errors, (f"{len(done)} links {verb}." if done else None)
