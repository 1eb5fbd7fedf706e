"""Signing in: the password check, throttled per account and per client address, and its audit entries.

Failures are counted from the audit log (``auth.sign-in-failed`` rows), so every worker process sees the
same counts. An unknown email and a wrong password get the same answer and cost the same work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from qapress.accounts import audit
from qapress.accounts.passwords import verify_password
from qapress.accounts.sessions import SessionPolicy, open_session
from qapress.accounts.users import Account, account_by_email, email_key

FAILED = "auth.sign-in-failed"
WRONG_CREDENTIALS = "The email address or the password is not right."
DISABLED = "This account is disabled; ask an owner of the newsroom to enable it."


@dataclass(frozen=True)
class ThrottleLimits:
    """At most ``per_account`` failed sign-ins for one email, and ``per_client`` from one address, per window."""

    per_account: int = 5
    per_client: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    def message(self) -> str:
        minutes = max(1, round(self.window.total_seconds() / 60))
        return f"Too many failed sign-ins. For your safety, signing in is paused; try again in {minutes} minutes."


@dataclass(frozen=True)
class SignedIn:
    account: Account
    token: str


@dataclass(frozen=True)
class SignInRefused:
    message: str
    throttled: bool = False


def sign_in(
    engine: Engine,
    email: str,
    password: str,
    client: str | None,
    *,
    limits: ThrottleLimits,
    policy: SessionPolicy,
    now: dt.datetime | None = None,
) -> SignedIn | SignInRefused:
    """A new session when the email and password are right and no throttle applies."""
    now = now or audit.utc_now()
    key = email_key(email)[:320]
    since = now - limits.window
    with engine.begin() as connection:
        by_account = audit.count_since(connection, FAILED, since, subject=key)
        by_client = audit.count_since(connection, FAILED, since, client=client) if client else 0
        if by_account >= limits.per_account or by_client >= limits.per_client:
            audit.record(connection, key, "auth.sign-in-throttled", key, None, client, now)
            return SignInRefused(limits.message(), throttled=True)
        found = account_by_email(connection, key)
        valid = verify_password(found[1] if found else None, password)
        if found is None or not valid:
            audit.record(connection, key, FAILED, key, {"known": found is not None}, client, now)
            return SignInRefused(WRONG_CREDENTIALS)
        account = found[0]
        if account.disabled:
            audit.record(connection, key, FAILED, key, {"disabled": True}, client, now)
            return SignInRefused(DISABLED)
        token = open_session(connection, account.id, policy, now)
        audit.record(connection, key, "auth.sign-in", key, None, client, now)
    return SignedIn(account, token)
