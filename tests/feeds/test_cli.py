"""``qapress feeds add|list|remove`` and the feeds pass of ``qapress worker --once``, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from qapress.cli import app
from qapress.settings import get_settings
from qapress.store.schema import domain, feed, qa_ai

from .servers import NewsSite, serve


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """``qapress`` on the test store, which has one site, local.localhost (id 5), and reaches 127.0.0.1."""
    with engine.begin() as connection:
        connection.execute(domain.insert(), {"id": 5, "host": "local.localhost", "name": "Local"})
    monkeypatch.setenv("QAPRESS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QAPRESS_FETCH_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def news() -> Iterator[NewsSite]:
    site = NewsSite()
    with serve(site.app()) as url:
        site.base = url
        yield site


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("qapress: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_add_list_poll_remove(cli: CliRunner, engine: Engine, news: NewsSite) -> None:
    added = run(cli, "feeds", "add", news.base + "/rss.xml", "--site", "local.localhost")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith(f"added feed 1: {news.base}/rss.xml for local.localhost (drafts queued")
    auto = run(cli, "feeds", "add", news.base + "/feed.json", "--site", "5", "--auto-publish")
    assert "published when the check passes" in auto.stdout
    listed = run(cli, "feeds", "list")
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["1", "local.localhost", news.base + "/rss.xml", "review"]
    assert lines[1].split("\t")[3] == "auto-publish" and "polled never\tnext now" in lines[1]
    assert "2 feeds" in listed.stderr

    worked = run(cli, "worker", "--once")
    assert worked.exit_code == 0, worked.output
    assert f"feed 1\tpolled\t{news.base}/rss.xml\t2 new items" in worked.stdout
    assert "\tdrafted\tarticle " in worked.stdout
    assert "\tduplicate\t" in worked.stdout, "the JSON Feed lists the same two pages"
    assert "polled 2 feeds" in worked.stderr
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(qa_ai)).scalar_one() == 2
    assert "polled 2025" not in run(cli, "feeds", "list").stdout  # polled now, not at a fixed date
    assert "polled never" not in run(cli, "feeds", "list").stdout

    assert run(cli, "feeds", "remove", news.base + "/rss.xml").stdout.startswith("removed feed 1:")
    assert run(cli, "feeds", "remove", "2").exit_code == 0
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(feed)).scalar_one() == 0
        assert connection.execute(sa.select(sa.func.count()).select_from(qa_ai)).scalar_one() == 2


def test_a_failing_feed_shows_its_error_in_the_list(cli: CliRunner, news: NewsSite) -> None:
    news.raw_feeds["bad.xml"] = ("<rss version='2.0'><channel><title>x</title><item>", "application/rss+xml")
    run(cli, "feeds", "add", news.base + "/raw/bad.xml", "--site", "local.localhost")
    worked = run(cli, "worker", "--once")
    assert "\tfailed\t" in worked.stdout and "not well-formed XML" in worked.stdout
    line = run(cli, "feeds", "list").stdout.splitlines()[0]
    assert "\terror (1 in a row): " in line and "not well-formed XML (line 1" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["feeds", "add", "https://news.example/rss"], "--site is required"),
        (["feeds", "add", "https://news.example/rss", "--site", "nowhere.example"], "there is no domain"),
        (["feeds", "add", "ftp://news.example/rss", "--site", "5"], "only http and https"),
        (["feeds", "remove", "99"], "there is no feed '99'"),
        (["feeds", "remove", "https://news.example/none"], "there is no feed"),
    ],
)
def test_mistakes_are_one_line(cli: CliRunner, args: list[str], message: str) -> None:
    assert message in one_line_error(run(cli, *args))


def test_a_feed_is_registered_once(cli: CliRunner) -> None:
    assert run(cli, "feeds", "add", "https://news.example/rss", "--site", "5").exit_code == 0
    error = one_line_error(run(cli, "feeds", "add", "https://news.example/rss", "--site", "5"))
    assert "the feed https://news.example/rss is already registered" in error


@pytest.mark.parametrize("verb", ["add", "list", "remove"])
def test_every_feeds_verb_has_help(verb: str) -> None:
    result = CliRunner().invoke(app, ["feeds", verb, "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout
