"""``qapress links ...`` and ``qapress worker --once`` on a real store, checking pages on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from qapress.cli import app
from qapress.links.submit import Accepted, submit_link
from qapress.settings import get_settings
from qapress.store.schema import link

from .conftest import add_article, open_rules
from .servers import PageServer, html_page


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


@pytest.fixture
def cli(
    database_url: str, tmp_path: Path, server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("QAPRESS_DATABASE_URL", database_url)
    monkeypatch.setenv("QAPRESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QAPRESS_FETCH_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("QAPRESS_PUBLIC_BASE_URL", server.base_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def submit(engine: Engine, article: int, url: str) -> int:
    result = submit_link(engine, article, url, True, "203.0.113.1", rules=open_rules(), salt="s")
    assert isinstance(result, Accepted)
    return result.id


def status_of(engine: Engine, link_id: int) -> tuple[str, str | None]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(link.c.status, link.c.reason).where(link.c.id == link_id)).one()
    return row.status, row.reason


def test_worker_once_then_list(cli: CliRunner, engine: Engine, article: int, server: PageServer) -> None:
    server.routes["/with"] = html_page(
        "Fan page", f'<a href="{server.base_url}/a/{article}/heat-2">Heat 2</a>'
    )
    server.routes["/without"] = html_page("Other", "nothing")
    good = submit(engine, article, server.url("/with"))
    bad = submit(engine, article, server.url("/without"))

    result = cli.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert f"{good}\tpending -> live" in result.stdout and f"{bad}\tpending -> rejected" in result.stdout
    assert "checked 2 links" in result.stderr

    listed = cli.invoke(app, ["links", "list"])
    assert listed.exit_code == 0
    lines = listed.stdout.strip().splitlines()
    assert lines[0].startswith(f"{bad}\trejected\t{article}\t") and "no link back" in lines[0]
    assert lines[1] == f"{good}\tlive\t{article}\t{server.url('/with')}\tFan page"
    only_live = cli.invoke(app, ["links", "list", "--status", "live"])
    assert only_live.stdout.strip().splitlines() == [lines[1]]


def test_approve_reject_recheck(cli: CliRunner, engine: Engine, article: int, server: PageServer) -> None:
    server.routes["/page"] = html_page("Page", "no backlink yet")
    link_id = submit(engine, article, server.url("/page"))

    assert cli.invoke(app, ["links", "approve", str(link_id)]).exit_code == 0
    assert status_of(engine, link_id) == ("live", None)

    result = cli.invoke(app, ["links", "reject", str(link_id), "--reason", "spam site"])
    assert result.exit_code == 0
    assert status_of(engine, link_id) == ("rejected", "spam site")

    server.routes["/page"] = html_page("Page", f'<a href="/a/{article}/heat-2">back</a>')
    result = cli.invoke(app, ["links", "recheck", str(link_id)])
    assert result.exit_code == 0 and f"{link_id}\trejected -> live" in result.stdout
    assert status_of(engine, link_id) == ("live", None)


def test_errors_are_one_line(cli: CliRunner, engine: Engine, site: int) -> None:
    missing = cli.invoke(app, ["links", "approve", "999"])
    assert missing.exit_code == 1 and "no link with id 999" in missing.stderr
    no_reason = cli.invoke(app, ["links", "reject", "1"])
    assert no_reason.exit_code != 0
    bad_status = cli.invoke(app, ["links", "list", "--status", "gone"])
    assert bad_status.exit_code == 1 and "unknown status 'gone'" in bad_status.stderr


def test_approving_a_rejected_link_respects_the_page(
    cli: CliRunner, engine: Engine, site: int, server: PageServer
) -> None:
    article = add_article(engine, site)
    first = submit(engine, article, server.url("/same"))
    cli.invoke(app, ["links", "reject", str(first), "--reason", "no backlink"])
    submit(engine, article, server.url("/same"))
    refused = cli.invoke(app, ["links", "approve", str(first)])
    assert refused.exit_code == 1 and "already has this URL" in refused.stderr


def test_bulk_approve_reject_and_recheck_later(
    cli: CliRunner, engine: Engine, article: int, server: PageServer
) -> None:
    ids = [submit(engine, article, server.url(f"/p{n}")) for n in range(3)]
    approved = cli.invoke(app, ["links", "approve", *map(str, ids), "999"])
    assert approved.exit_code == 1
    assert approved.stdout.splitlines() == [f"link {i} is live" for i in ids]
    assert approved.stderr.strip() == "qapress: error: no link with id 999"
    rejected = cli.invoke(app, ["links", "reject", str(ids[0]), str(ids[1]), "--reason", "spam"])
    assert rejected.exit_code == 0 and [status_of(engine, i)[0] for i in ids] == [
        "rejected",
        "rejected",
        "live",
    ]
    later = cli.invoke(app, ["links", "recheck", "--later", str(ids[0])])
    assert later.stdout.strip() == f"link {ids[0]} will be checked on the worker's next round"


def test_block_unblock_and_list(cli: CliRunner, engine: Engine, article: int) -> None:
    live = submit(engine, article, "https://blog.spam.co.uk/post")
    assert cli.invoke(app, ["links", "approve", str(live)]).exit_code == 0
    blocked = cli.invoke(app, ["links", "block", "www.spam.co.uk", "--domain", "--reason", "link farm"])
    assert blocked.exit_code == 0, blocked.output
    assert blocked.stdout.strip() == (
        "blocked spam.co.uk and its subdomains; 1 live links hidden, 0 pending links rejected"
    )
    assert status_of(engine, live) == ("hidden", "blocked host: link farm")
    listed = cli.invoke(app, ["links", "blocked"]).stdout.strip().split("\t")
    assert (listed[0], listed[1], listed[3]) == ("spam.co.uk", "domain", "link farm")
    refused = submit_link(
        engine, article, "https://spam.co.uk/x", True, "203.0.113.2", rules=open_rules(), salt="s"
    )
    assert not isinstance(refused, Accepted) and refused.code == "link-host-blocked"
    not_blocked = cli.invoke(app, ["links", "unblock", "spam.co.uk"])
    assert not_blocked.exit_code == 1 and "spam.co.uk is not blocked as a host" in not_blocked.stderr
    unblocked = cli.invoke(app, ["links", "unblock", "spam.co.uk", "--domain"])
    assert (
        unblocked.stdout.strip()
        == "unblocked spam.co.uk and its subdomains; 1 hidden links will be checked again"
    )
    bad = cli.invoke(app, ["links", "block", "localhost"])
    assert bad.exit_code == 1 and "is not a public host name" in bad.stderr
