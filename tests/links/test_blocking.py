"""Blocking a host or a registered domain: the rule (pure), what a block does to the store's links, and
that the form, GraphQL's insert_link_one, the checker and approval all obey it, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.links.blocking import block_host, find_block, list_blocks, unblock_host
from qapress.links.blocklist import BlockedHost, block_target, covering_names, matching_block
from qapress.links.checker import BacklinkChecker, CheckSchedule
from qapress.links.errors import HostBlocked, ModerationError
from qapress.links.fetcher import FetchPolicy, PageFetcher
from qapress.links.graphql import link_insert_hook
from qapress.links.moderation import approve_link
from qapress.links.rules import LinkRules
from qapress.links.submit import Accepted, Refused, submit_link
from qapress.store import begin_write
from qapress.store.schema import link

from .conftest import LOOPBACK_POLICY, open_rules
from .servers import PageServer, html_page

INSERT = """mutation($object: link_insert_input!) { insert_link_one(object: $object) { id status } }"""


@pytest.mark.parametrize(
    ("typed", "domain", "stored"),
    [
        ("Spam.Example.com", False, "spam.example.com"),
        ("https://www.spam.co.uk/offer?x=1", True, "spam.co.uk"),
        ("www.spam.co.uk", False, "www.spam.co.uk"),
        ("someone.blogspot.com", True, "someone.blogspot.com"),
        ("blogspot.com", True, "blogspot.com"),
        ("bücher.de", False, "xn--bcher-kva.de"),
        ("203.0.113.9", False, "203.0.113.9"),
    ],
)
def test_what_a_block_is_stored_as(typed: str, domain: bool, stored: str) -> None:
    assert block_target(typed, domain=domain) == stored


@pytest.mark.parametrize(
    ("typed", "domain", "message"),
    [
        ("co.uk", True, "is not a public host name"),
        ("localhost", False, "is not a public host name"),
        ("", False, "is not a host name or URL"),
        ("203.0.113.9", True, "has no registered domain"),
    ],
)
def test_what_cannot_be_blocked(typed: str, domain: bool, message: str) -> None:
    with pytest.raises(ModerationError, match=message):
        block_target(typed, domain=domain)


def test_a_domain_block_covers_subdomains_and_a_host_block_only_the_host() -> None:
    host_block = BlockedHost(1, "spam.example.com", "host", "", None)
    domain_block = BlockedHost(2, "spam.co.uk", "domain", "", None)
    assert host_block.matches("spam.example.com") and not host_block.matches("www.spam.example.com")
    assert domain_block.matches("spam.co.uk") and domain_block.matches("a.b.spam.co.uk")
    assert not domain_block.matches("notspam.co.uk")
    assert matching_block([domain_block, host_block], "spam.example.com") == host_block
    assert covering_names("a.spam.co.uk") == ["a.spam.co.uk", "spam.co.uk", "co.uk"]


def submit(engine: Engine, article: int, url: str, ip: str = "198.51.100.1") -> Accepted | Refused:
    return submit_link(engine, article, url, True, ip, rules=open_rules(rate_limit_per_hour=0), salt="s")


def status(engine: Engine, link_id: int) -> tuple[str, str | None]:
    with engine.connect() as connection:
        row = connection.execute(sa.select(link.c.status, link.c.reason).where(link.c.id == link_id)).one()
    return row.status, row.reason


def make_live(engine: Engine, link_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(link.update().where(link.c.id == link_id).values(status="live"))


def accepted(result: Accepted | Refused) -> int:
    assert isinstance(result, Accepted), result
    return result.id


def invalidations_of(engine: Engine, tag: str) -> int:
    """How often the cache invalidation log names ``tag`` (migration 0012)."""
    with engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM cache_invalidation WHERE tag = ?"
                if engine.dialect.name == "sqlite"
                else "SELECT count(*) FROM cache_invalidation WHERE tag = %s",
                (tag,),
            ).scalar_one()
        )


def test_blocking_a_domain_hides_its_live_links_and_rejects_its_pending_ones(
    engine: Engine, new_article: Callable[[], int]
) -> None:
    first, second = new_article(), new_article()
    live = accepted(submit(engine, first, "https://blog.spam.co.uk/post"))
    pending = accepted(submit(engine, second, "https://spam.co.uk/other"))
    elsewhere = accepted(submit(engine, first, "https://good.co.uk/post"))
    make_live(engine, live)
    make_live(engine, elsewhere)
    before = invalidations_of(engine, f"l{first}")
    with begin_write(engine) as connection:
        result = block_host(connection, "www.spam.co.uk", domain=True, reason="link farm", actor_id=3)
    assert (result.created, result.hidden, result.rejected, result.actor_id) == (True, (live,), (pending,), 3)
    assert result.block.describe() == "spam.co.uk and its subdomains"
    assert status(engine, live) == ("hidden", "blocked host: link farm")
    assert status(engine, pending) == ("rejected", "blocked host: link farm")
    assert status(engine, elsewhere) == ("live", None)
    assert invalidations_of(engine, f"l{first}") > before  # its page drops the hidden link
    with begin_write(engine) as connection:
        again = block_host(connection, "spam.co.uk", domain=True, actor_id=3)
        assert not again.created and again.hidden == (live,) and again.rejected == ()
        assert [(b.host, b.kind, b.reason) for b in list_blocks(connection)] == [
            ("spam.co.uk", "domain", "link farm")
        ]


def test_the_form_refuses_a_blocked_host_with_a_clear_message(engine: Engine, article: int) -> None:
    with begin_write(engine) as connection:
        block_host(connection, "spam.example.com", actor_id=None)
        block_host(connection, "farm.co.uk", domain=True, actor_id=None)
    refused = submit(engine, article, "https://spam.example.com/x")
    assert isinstance(refused, Refused) and isinstance(refused.error, HostBlocked)
    assert refused.code == "link-host-blocked"
    assert refused.message == "Links to spam.example.com are not accepted."
    deep = submit(engine, article, "https://a.b.farm.co.uk/x")
    assert (
        isinstance(deep, Refused)
        and deep.message == "Links to farm.co.uk and its subdomains are not accepted."
    )
    accepted(submit(engine, article, "https://www.spam.example.com/x"))  # a host block is exact


@pytest.fixture
def gql(engine: Engine) -> Iterator[GraphQLEngine]:
    graphql = GraphQLEngine(engine, qapress_metadata(), insert_hooks={"link": link_insert_hook(LinkRules())})
    yield graphql
    graphql.close()


def test_graphql_insert_link_one_obeys_the_same_block(
    gql: GraphQLEngine, engine: Engine, article: int
) -> None:
    with begin_write(engine) as connection:
        block_host(connection, "spam.co.uk", domain=True, actor_id=None)
    session = {"x-hasura-role": "anonymous", "x-hasura-ip-hash": "c" * 64}
    answer = gql.execute(
        INSERT,
        {"object": {"article_id": article, "url": "https://WWW.Spam.co.uk/", "consent": True}},
        role="anonymous",
        session=session,
    )
    assert answer["errors"][0]["extensions"]["code"] == "link-host-blocked"
    assert answer["errors"][0]["message"] == "Links to spam.co.uk and its subdomains are not accepted."
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(link)).scalar() == 0


def test_the_checker_does_not_fetch_a_blocked_host_and_unblock_hands_links_back(
    engine: Engine, article: int
) -> None:
    with PageServer() as server:
        server.routes["/fan"] = html_page("Fan", f'<a href="{server.base_url}/a/{article}/heat-2">Heat 2</a>')
        link_id = accepted(submit(engine, article, server.url("/fan")))
        make_live(engine, link_id)
        checker = BacklinkChecker(
            engine,
            PageFetcher(FetchPolicy(addresses=LOOPBACK_POLICY)),
            CheckSchedule(),
            public_base_url=server.base_url,
        )
        with begin_write(engine) as connection:
            block_host(connection, "127.0.0.1", reason="test", actor_id=None)
        result = checker.check(link_id)
        assert result is not None and (result.before, result.after) == ("hidden", "hidden")
        assert server.requests == []
        with pytest.raises(ModerationError, match=r"links to 127\.0\.0\.1 are blocked"):
            approve_link(engine, link_id, CheckSchedule().recheck_interval)
        with begin_write(engine) as connection:
            unblocked = unblock_host(connection, "127.0.0.1", actor_id=None)
            assert find_block(connection, "127.0.0.1") is None
        assert unblocked.requeued == (link_id,)
        assert checker.due(dt.datetime.now(dt.UTC)) == [link_id]
        result = checker.check(link_id, claim=True)
        assert result is not None and result.after == "live"
        assert [path for path, _ in server.requests] == ["/fan"]


def test_unblocking_what_is_not_blocked_says_so(engine: Engine) -> None:
    with (
        pytest.raises(ModerationError, match=r"spam\.co\.uk is not blocked as a domain"),
        begin_write(engine) as c,
    ):
        unblock_host(c, "spam.co.uk", domain=True, actor_id=None)
