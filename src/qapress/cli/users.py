"""Verbs for the newsroom's accounts: ``qapress users add|list|disable|enable|reset-password``, ``qapress audit``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from qapress.accounts import audit as audit_log
from qapress.accounts.passwords import generate_password, password_problem
from qapress.accounts.users import add_account, check_new_account, list_accounts, reset_password, set_disabled
from qapress.cli.context import open_store
from qapress.cli.errors import fail, stderr

app = typer.Typer(
    name="users",
    help="The newsroom's accounts: add one, list them, disable, enable or reset a password.",
    no_args_is_help=True,
    add_completion=False,
)

Email = Annotated[str, typer.Argument(help="The account's email address (any case).")]
Generate = Annotated[
    bool,
    typer.Option("--generate-password", help="Generate a password and print it once, instead of asking."),
]


def _password(generate: bool) -> str:
    """A generated password (printed once on stdout), or one typed twice at a hidden prompt."""
    if generate:
        password = generate_password()
        typer.echo(password)
        stderr.print("the password above is shown only this once", markup=False)
        return password
    typed: str = typer.prompt("Password", hide_input=True)
    password = typed
    problem = password_problem(password)
    if problem:
        fail(problem)
    if typer.prompt("Repeat the password", hide_input=True) != password:
        fail("the two passwords differ; nothing was changed")
    return password


@app.command()
def add(
    email: Email,
    role: Annotated[str, typer.Option("--role", help="owner (every site), editor or moderator.")],
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="A site an editor or moderator acts on; repeat for more."),
    ] = None,
    generate: Generate = False,
) -> None:
    """Add an account; the password is typed twice at a prompt, or generated and printed once."""
    engine = open_store()
    check_new_account(engine, email, role, site or [])
    password = _password(generate)
    account = add_account(engine, email, role, password, site or [])
    where = "every site" if account.is_owner else ", ".join(account.site_hosts)
    stderr.print(f"account {account.id} added: {account.email}, {account.role} of {where}", markup=False)


@app.command("list")
def list_() -> None:
    """List accounts: id, email, role, state, sites."""
    accounts = list_accounts(open_store())
    for account in accounts:
        state = "disabled" if account.disabled else "active"
        sites = "*" if account.is_owner else ",".join(account.site_hosts)
        typer.echo(f"{account.id}\t{account.email}\t{account.role}\t{state}\t{sites}")
    stderr.print(f"{len(accounts)} accounts", markup=False)


@app.command()
def disable(email: Email) -> None:
    """Disable an account: it cannot sign in, and its open sessions end at once."""
    ended = set_disabled(open_store(), email, True)
    stderr.print(f"{email} disabled; {ended} sessions ended", markup=False)


@app.command()
def enable(email: Email) -> None:
    """Let a disabled account sign in again."""
    set_disabled(open_store(), email, False)
    stderr.print(f"{email} enabled", markup=False)


@app.command("reset-password")
def reset_password_(email: Email, generate: Generate = False) -> None:
    """Set a new password (prompted twice, or generated); the account's open sessions end at once."""
    engine = open_store()
    password = _password(generate)
    ended = reset_password(engine, email, password)
    stderr.print(f"password of {email} reset; {ended} sessions ended", markup=False)


def audit(
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many entries, newest first.")
    ] = 50,
) -> None:
    """Show the audit log, newest first: when, actor, action, subject, client address, details."""
    entries = audit_log.recent(open_store(), limit)
    for entry in entries:
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""
        typer.echo(
            f"{entry.at.isoformat(timespec='seconds')}\t{entry.actor}\t{entry.action}\t{entry.subject}\t"
            f"{entry.client or ''}\t{detail}"
        )
    stderr.print(f"{len(entries)} entries", markup=False)
