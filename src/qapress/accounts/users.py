"""Accounts: who may sign in to the newsroom, with which role, for which sites.

Disabling an account or resetting its password revokes its sessions in the same transaction, so its next
request is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from qapress.accounts import audit
from qapress.accounts.passwords import hash_password, password_problem
from qapress.store.database import StoreError
from qapress.store.hosts import normalize_site_host
from qapress.store.schema import ACCOUNT_ROLES, account, account_session, account_site, domain

OWNER, EDITOR, MODERATOR = ACCOUNT_ROLES


class AccountError(StoreError):
    """An account that cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str
    disabled: bool
    site_ids: tuple[int, ...] = ()
    site_hosts: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER


def email_key(email: str) -> str:
    """The form accounts are looked up by: trimmed and lower case."""
    return email.strip().lower()


def check_email(email: str) -> str:
    email = email.strip()
    local, at, host = email.rpartition("@")
    if not at or not local or "." not in host or any(c.isspace() or ord(c) < 0x20 for c in email):
        raise AccountError(f"{email!r} is not an email address")
    if len(email) > 320:
        raise AccountError("an email address has at most 320 characters")
    return email


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"role {role!r}: give owner, editor or moderator")
    return role


def _site_ids(connection: sa.Connection, hosts: Sequence[str]) -> list[tuple[int, str]]:
    found = []
    for raw in hosts:
        host = normalize_site_host(raw)
        site_id = connection.execute(sa.select(domain.c.id).where(domain.c.host == host)).scalar()
        if site_id is None:
            raise AccountError(f"there is no site {host!r} (see `qapress sites list`)")
        found.append((int(site_id), host))
    return found


def check_new_account(engine: Engine, email: str, role: str, sites: Sequence[str]) -> None:
    """Everything ``add_account`` checks but the password, so a prompt comes only when the rest is right."""
    check_email(email)
    check_role(role)
    if role != OWNER and not sites:
        raise AccountError(f"an {role} acts on given sites: name at least one with --site HOST")
    if role == OWNER and sites:
        raise AccountError("an owner acts on every site; --site is for editors and moderators")
    with engine.connect() as connection:
        _site_ids(connection, sites)
        if account_by_email(connection, email) is not None:
            raise AccountError(f"an account for {email_key(email)!r} exists already")


def add_account(
    engine: Engine,
    email: str,
    role: str,
    password: str,
    sites: Sequence[str] = (),
    actor: str = audit.CLI_ACTOR,
) -> Account:
    check_new_account(engine, email, role, sites)
    email = email.strip()
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    try:
        with engine.begin() as connection:
            site_rows = _site_ids(connection, sites)
            account_id = connection.execute(
                account.insert()
                .values(
                    email=email,
                    email_key=email_key(email),
                    role=role,
                    password_hash=hash_password(password),
                    disabled=False,
                    created_at=audit.utc_now(),
                )
                .returning(account.c.id)
            ).scalar_one()
            if site_rows:
                connection.execute(
                    account_site.insert(), [{"account_id": account_id, "domain_id": s} for s, _ in site_rows]
                )
            audit.record(
                connection,
                actor,
                "user.add",
                email_key(email),
                {"role": role, "sites": [h for _, h in site_rows]},
            )
    except IntegrityError:
        raise AccountError(f"an account for {email_key(email)!r} exists already") from None
    return Account(
        int(account_id), email, role, False, tuple(s for s, _ in site_rows), tuple(h for _, h in site_rows)
    )


def _account(connection: sa.Connection, row: sa.RowMapping) -> Account:
    sites = connection.execute(
        sa.select(domain.c.id, domain.c.host)
        .select_from(account_site.join(domain, account_site.c.domain_id == domain.c.id))
        .where(account_site.c.account_id == row["id"])
        .order_by(domain.c.id)
    ).all()
    return Account(
        row["id"],
        row["email"],
        row["role"],
        bool(row["disabled"]),
        tuple(s[0] for s in sites),
        tuple(s[1] for s in sites),
    )


def account_by_id(connection: sa.Connection, account_id: int) -> Account | None:
    row = connection.execute(sa.select(account).where(account.c.id == account_id)).mappings().first()
    return None if row is None else _account(connection, row)


def account_by_email(connection: sa.Connection, email: str) -> tuple[Account, str] | None:
    """The account and its password hash, by email in any case."""
    row = (
        connection.execute(sa.select(account).where(account.c.email_key == email_key(email)))
        .mappings()
        .first()
    )
    return None if row is None else (_account(connection, row), row["password_hash"])


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(account).order_by(account.c.id)).mappings().all()
        return [_account(connection, row) for row in rows]


def _find(connection: sa.Connection, email: str) -> Account:
    found = account_by_email(connection, email)
    if found is None:
        raise AccountError(f"there is no account {email_key(email)!r} (see `qapress users list`)")
    return found[0]


def revoke_sessions(connection: sa.Connection, account_id: int, now: dt.datetime | None = None) -> int:
    """End every open session of the account; returns how many."""
    return int(
        connection.execute(
            account_session.update()
            .where(account_session.c.account_id == account_id, account_session.c.revoked_at.is_(None))
            .values(revoked_at=now or audit.utc_now())
        ).rowcount
    )


def set_disabled(engine: Engine, email: str, disabled: bool, actor: str = audit.CLI_ACTOR) -> int:
    """Disable (ending its sessions at once) or enable an account; returns the sessions ended."""
    with engine.begin() as connection:
        found = _find(connection, email)
        connection.execute(account.update().where(account.c.id == found.id).values(disabled=disabled))
        ended = revoke_sessions(connection, found.id) if disabled else 0
        audit.record(connection, actor, "user.disable" if disabled else "user.enable", email_key(email))
    return ended


def reset_password(engine: Engine, email: str, password: str, actor: str = audit.CLI_ACTOR) -> int:
    """Set a new password and end the account's sessions; returns the sessions ended."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    with engine.begin() as connection:
        found = _find(connection, email)
        connection.execute(
            account.update().where(account.c.id == found.id).values(password_hash=hash_password(password))
        )
        ended = revoke_sessions(connection, found.id)
        audit.record(connection, actor, "user.reset-password", email_key(email), {"sessions_ended": ended})
    return ended
