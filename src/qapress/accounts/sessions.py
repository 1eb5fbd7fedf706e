"""Server-side sessions: the cookie holds a random token, the table holds its SHA-256.

A session ends when it is revoked (sign-out, the account disabled or its password reset), when it has not
been used for ``idle`` or when it reaches ``lifetime``; every request reads it, so an ended session is
refused on the very next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.accounts.audit import utc_now
from qapress.accounts.users import Account, account_by_id
from qapress.store.schema import account_session

#: ``last_seen_at`` is written at most this often, so reading pages does not write on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: dt.timedelta = dt.timedelta(hours=12)
    idle: dt.timedelta = dt.timedelta(hours=2)


@dataclass(frozen=True)
class ActiveSession:
    """A live session and its account; ``digest`` identifies it in the table."""

    digest: str
    account: Account

    def csrf_token(self, key: bytes) -> str:
        """The session's form token: an HMAC of the session id, so it needs no storage and dies with it."""
        return hmac.new(key, f"session:{self.digest}".encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, key: bytes, given: str) -> bool:
        return hmac.compare_digest(self.csrf_token(key), given)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def open_session(
    connection: sa.Connection, account_id: int, policy: SessionPolicy, now: dt.datetime | None = None
) -> str:
    """A new session for the account; returns the token for the cookie (never stored)."""
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    connection.execute(
        account_session.insert().values(
            id=token_digest(token),
            account_id=account_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.lifetime,
        )
    )
    return token


def active_session(
    engine: Engine, token: str, policy: SessionPolicy, now: dt.datetime | None = None
) -> ActiveSession | None:
    """The session a cookie names when it is still live and its account enabled, else None."""
    if not token or len(token) > 200:
        return None
    now = now or utc_now()
    digest = token_digest(token)
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(account_session).where(account_session.c.id == digest))
            .mappings()
            .first()
        )
        if row is None or row["revoked_at"] is not None:
            return None
        last_seen = _aware(row["last_seen_at"])
        if _aware(row["expires_at"]) <= now or last_seen + policy.idle <= now:
            return None
        found = account_by_id(connection, row["account_id"])
        if found is None or found.disabled:
            return None
        if now - last_seen >= TOUCH_EVERY:
            connection.execute(
                account_session.update().where(account_session.c.id == digest).values(last_seen_at=now)
            )
            connection.commit()
    return ActiveSession(digest, found)


def end_session(connection: sa.Connection, digest: str, now: dt.datetime | None = None) -> None:
    connection.execute(
        account_session.update()
        .where(account_session.c.id == digest, account_session.c.revoked_at.is_(None))
        .values(revoked_at=now or utc_now())
    )
