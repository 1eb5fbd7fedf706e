"""Blocked hosts: block a host or a whole registered domain, list the blocks, unblock.

Blocks are the network's (``blocked_host`` has no site), so they are for owners and moderators; the rule
(future submissions refused, live links hidden) lives in ``qapress.links.blocking``. Each block and unblock
is audited in its own transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts import audit
from qapress.accounts.sessions import ActiveSession
from qapress.links.blocking import block_host, list_blocks, unblock_host
from qapress.links.errors import LinksError
from qapress.newsroom.auth import PREFIX, client_address
from qapress.newsroom.forms import FieldError
from qapress.newsroom.render import redirect
from qapress.store import begin_write

if TYPE_CHECKING:
    from qapress.newsroom.app import Form, Newsroom

BLOCKERS = ("owner", "moderator")


class BlockPages:
    def __init__(self, newsroom: Newsroom) -> None:
        self.newsroom = newsroom

    def blocks(self, request: Request, session: ActiveSession, fields: Form) -> Response:
        nr = self.newsroom
        if session.account.role not in BLOCKERS:
            return nr.render(
                request,
                "message.html",
                session,
                403,
                heading="Moderators only",
                message="Owners and moderators block and unblock hosts.",
            )
        errors: list[FieldError] = []
        if request.method == "POST":
            errors, done = self._act(request, session, fields)
            if not errors:
                return redirect(f"{PREFIX}/blocks?done={done}")
        with nr.engine.connect() as connection:
            blocks = list_blocks(connection)
        done = request.query_params.get("done", "")
        return nr.render(
            request,
            "blocks.html",
            session,
            400 if errors else 200,
            blocks=blocks,
            errors=errors,
            notice={"block": "Blocked.", "unblock": "Unblocked: its hidden links are checked again."}.get(
                done
            ),
            host=fields.get("host", "") if errors else "",
            domain=fields.get("domain") == "on" if errors else False,
            reason=fields.get("reason", "") if errors else "",
        )

    def _act(self, request: Request, session: ActiveSession, fields: Form) -> tuple[list[FieldError], str]:
        action = fields.get("action", "")
        target = fields.get("host", "").strip()
        domain = fields.get("domain") == "on"
        if action not in ("block", "unblock"):
            return [FieldError("host", "Choose block or unblock")], action
        if not target:
            return [FieldError("host", "Enter the host to block, for example spam.example")], action
        actor = session.account.email.lower()
        try:
            with begin_write(self.newsroom.engine) as connection:
                if action == "block":
                    blocked = block_host(
                        connection,
                        target,
                        domain=domain,
                        reason=fields.get("reason", ""),
                        actor_id=session.account.id,
                    )
                    detail = {
                        "kind": blocked.block.kind,
                        "hidden": len(blocked.hidden),
                        "rejected": len(blocked.rejected),
                    }
                    subject = blocked.block.host
                else:
                    unblocked = unblock_host(connection, target, domain=domain, actor_id=session.account.id)
                    detail = {"kind": unblocked.block.kind, "requeued": len(unblocked.requeued)}
                    subject = unblocked.block.host
                audit.record(connection, actor, f"link.{action}", subject, detail, client_address(request))
        except LinksError as exc:
            message = str(exc)
            return [FieldError("host", message[:1].upper() + message[1:])], action
        return [], action
