"""Signing in, sessions and their end, on both databases: the rules of ``qapress.accounts`` without a server."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.accounts.sessions import SessionPolicy, active_session
from qapress.accounts.signin import (
    DISABLED,
    WRONG_CREDENTIALS,
    SignedIn,
    SignInRefused,
    ThrottleLimits,
    sign_in,
)
from qapress.accounts.users import AccountError, add_account, reset_password, set_disabled
from qapress.store.schema import account_session, audit_log
from qapress.store.sites import SiteFields, add_site

PASSWORD = "correct horse battery"
LIMITS = ThrottleLimits(per_account=3, per_client=5, window=dt.timedelta(minutes=15))
POLICY = SessionPolicy(lifetime=dt.timedelta(hours=12), idle=dt.timedelta(hours=2))
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    add_site(engine, SiteFields("a.localhost", "A"))
    add_account(engine, "Ann@Example.com", "owner", PASSWORD)
    add_account(engine, "bob@example.com", "editor", PASSWORD, ["a.localhost"])
    return engine


def attempt(
    engine: Engine, email: str, password: str, client: str = "10.0.0.1", at: dt.datetime = T0
) -> SignedIn | SignInRefused:
    return sign_in(engine, email, password, client, limits=LIMITS, policy=POLICY, now=at)


def test_right_password_in_any_case_opens_a_session_whose_token_is_not_stored(accounts: Engine) -> None:
    outcome = attempt(accounts, "ANN@example.com", PASSWORD)
    assert isinstance(outcome, SignedIn) and outcome.account.role == "owner"
    with accounts.connect() as connection:
        ids = connection.execute(sa.select(account_session.c.id)).scalars().all()
    assert len(ids) == 1 and outcome.token not in ids[0]
    session = active_session(accounts, outcome.token, POLICY, T0 + dt.timedelta(minutes=5))
    assert session is not None and session.account.email == "Ann@Example.com"


def test_unknown_email_and_wrong_password_get_the_same_answer(accounts: Engine) -> None:
    assert attempt(accounts, "nobody@example.com", PASSWORD) == attempt(accounts, "ann@example.com", "wrong")
    assert attempt(accounts, "nobody@example.com", PASSWORD) == SignInRefused(WRONG_CREDENTIALS)


def test_failures_pause_one_account_then_one_address(accounts: Engine) -> None:
    for _ in range(3):
        attempt(accounts, "ann@example.com", "wrong")
    paused = attempt(accounts, "ann@example.com", PASSWORD)
    assert isinstance(paused, SignInRefused) and paused.throttled and "15 minutes" in paused.message
    # Another account from another address is not affected; the window passing lifts the pause.
    assert isinstance(attempt(accounts, "bob@example.com", PASSWORD, client="10.0.0.2"), SignedIn)
    assert isinstance(
        attempt(accounts, "ann@example.com", PASSWORD, at=T0 + dt.timedelta(minutes=16)), SignedIn
    )
    # One address trying many accounts (unknown ones too) is paused for every account.
    for n in range(5):
        attempt(accounts, f"guess{n}@example.com", "wrong", client="10.0.0.9")
    from_there = attempt(accounts, "bob@example.com", PASSWORD, client="10.0.0.9")
    assert isinstance(from_there, SignInRefused) and from_there.throttled
    with accounts.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action)).scalars().all()
    assert actions.count("auth.sign-in-failed") == 8 and actions.count("auth.sign-in-throttled") == 2


def test_sessions_end_when_idle_when_old_and_when_the_account_is_disabled_or_reset(accounts: Engine) -> None:
    def token() -> str:
        outcome = attempt(accounts, "bob@example.com", PASSWORD)
        assert isinstance(outcome, SignedIn)
        return outcome.token

    idle = token()
    assert active_session(accounts, idle, POLICY, T0 + dt.timedelta(hours=2, seconds=1)) is None
    kept = token()
    for hour in range(1, 12):  # used every hour: alive until its lifetime ends
        assert active_session(accounts, kept, POLICY, T0 + dt.timedelta(hours=hour)) is not None
    assert active_session(accounts, kept, POLICY, T0 + dt.timedelta(hours=12)) is None
    first = token()
    assert set_disabled(accounts, "BOB@example.com", True) >= 1
    assert active_session(accounts, first, POLICY, T0) is None
    assert attempt(accounts, "bob@example.com", PASSWORD) == SignInRefused(DISABLED)
    set_disabled(accounts, "bob@example.com", False)
    second = token()
    reset_password(accounts, "bob@example.com", "another long password")
    assert active_session(accounts, second, POLICY, T0) is None
    assert isinstance(attempt(accounts, "bob@example.com", "another long password"), SignedIn)


def test_account_rules(accounts: Engine) -> None:
    with pytest.raises(AccountError, match="exists already"):
        add_account(accounts, "ANN@example.com", "owner", PASSWORD)
    with pytest.raises(AccountError, match="at least 12"):
        add_account(accounts, "c@example.com", "owner", "short")
    with pytest.raises(AccountError, match="no site"):
        add_account(accounts, "c@example.com", "moderator", PASSWORD, ["missing.localhost"])
    with pytest.raises(AccountError, match="not an email"):
        add_account(accounts, "not-an-address", "owner", PASSWORD)
