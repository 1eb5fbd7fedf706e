"""Who is asking: the session cookie, the form tokens and the same-origin rule for every POST.

The session cookie is HttpOnly, SameSite=Lax, Secure when the public base URL is https, path ``/`` (the
GraphQL endpoint reads it too). The sign-in form, shown before there is a session, is bound to a short-lived
cookie of its own; every other form carries the session's token (an HMAC of the session id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from qapress.accounts.sessions import ActiveSession, SessionPolicy, active_session
from qapress.accounts.signin import ThrottleLimits
from qapress.settings import Settings
from qapress.store.urls import site_base_url

SESSION_COOKIE = "qapress_session"
SIGNIN_COOKIE = "qapress_signin"
PREFIX = "/newsroom"


class Gate:
    """The newsroom's security policy, read once from the settings."""

    def __init__(self, settings: Settings, engine: Engine, key: str) -> None:
        self.settings = settings
        self.engine = engine
        self.key = key.encode()
        self.secure = (
            (settings.public_base_url or f"{settings.public_scheme}://").lower().startswith("https:")
        )
        self.policy = SessionPolicy(
            lifetime=dt.timedelta(hours=settings.newsroom_session_hours),
            idle=dt.timedelta(minutes=settings.newsroom_idle_minutes),
        )
        self.limits = ThrottleLimits(
            per_account=settings.newsroom_signin_failures_per_account,
            per_client=settings.newsroom_signin_failures_per_client,
            window=dt.timedelta(seconds=settings.newsroom_signin_window_seconds),
        )

    # --- sessions ---------------------------------------------------------------------------------

    def session(self, request: Request) -> ActiveSession | None:
        """The live session the request's cookie names (runs a query: call it off the event loop)."""
        token = request.cookies.get(SESSION_COOKIE)
        return active_session(self.engine, token, self.policy) if token else None

    def set_session_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.policy.lifetime.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")

    # --- form tokens ------------------------------------------------------------------------------

    def signin_nonce(self, request: Request) -> tuple[str, bool]:
        """The sign-in form's cookie value, and whether it is new (then the response must set it)."""
        current = request.cookies.get(SIGNIN_COOKIE, "")
        if 20 <= len(current) <= 100:
            return current, False
        return secrets.token_urlsafe(24), True

    def set_signin_cookie(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            SIGNIN_COOKIE, nonce, max_age=3600, path=PREFIX, secure=self.secure, httponly=True, samesite="lax"
        )

    def signin_token(self, nonce: str) -> str:
        return hmac.new(self.key, f"signin:{nonce}".encode(), hashlib.sha256).hexdigest()

    def signin_token_valid(self, request: Request, given: str) -> bool:
        nonce = request.cookies.get(SIGNIN_COOKIE, "")
        return bool(nonce) and hmac.compare_digest(self.signin_token(nonce), given)

    def csrf_token(self, session: ActiveSession) -> str:
        return session.csrf_token(self.key)

    # --- origins ----------------------------------------------------------------------------------

    def own_origins(self, request: Request) -> set[str]:
        host = request.headers.get("host", "")
        bare = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        return {
            f"{request.url.scheme}://{host}".lower(),
            site_base_url(bare, self.settings.public_scheme, self.settings.public_base_url).lower(),
        }

    def same_origin(self, request: Request) -> bool:
        """A state-changing request must say it comes from this site: Origin, else Referer, must match."""
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            referer = request.headers.get("referer")
            if not referer:
                return False
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        return origin.lower() in self.own_origins(request)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
