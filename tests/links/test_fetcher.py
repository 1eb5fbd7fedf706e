"""PageFetcher against real HTTP servers on loopback: limits, redirects and every SSRF route refused."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

import pytest
import trustme

from qapress.links import errors
from qapress.links.addresses import AddressPolicy, IPAddress
from qapress.links.fetcher import HTML_TYPES, FetchPolicy, PageFetcher
from qapress.links.transport import PinnedBackend, PinnedTransport

from .servers import PageServer, html_page, large_page, redirect, send, slow_page

CANONICAL = "https://screen.example/a/42/heat-2"
OPEN = FetchPolicy(addresses=AddressPolicy.build(allow_networks=["127.0.0.1/32"]))
CLOSED = FetchPolicy()


@pytest.fixture
def server() -> Iterator[PageServer]:
    with PageServer() as server:
        server.routes["/with"] = html_page("With", f'<a href="{CANONICAL}">Heat 2</a>')
        server.routes["/without"] = html_page("Without", "<p>nothing</p>")
        server.routes["/json"] = lambda h: send(h, '{"a": 1}', content_type="application/json")
        server.routes["/no-type"] = lambda h: send(h, "<html></html>", content_type="")
        server.routes["/headers"] = lambda h: send(
            h, f"{h.headers['User-Agent']}\n{h.headers['Accept']}", content_type="text/plain; charset=utf-8"
        )
        server.routes["/gone"] = lambda h: send(h, "gone", status=410)
        server.routes["/busy"] = lambda h: send(h, "busy", status=503)
        server.routes["/big"] = large_page(5 * 1024 * 1024, declare_length=True)
        server.routes["/big-chunked"] = large_page(5 * 1024 * 1024, declare_length=False)
        server.routes["/slow"] = slow_page(delay=0.3, parts=20)
        for hop in range(1, 8):
            server.routes[f"/hop/{hop}"] = redirect(f"/hop/{hop - 1}" if hop > 1 else "/with")
        server.routes["/to-metadata"] = redirect("http://169.254.169.254/latest/meta-data/")
        server.routes["/to-ftp"] = redirect("ftp://example.com/file")
        server.routes["/to-credentials"] = redirect("http://user:pw@example.com/")
        yield server


def test_fetches_an_html_page(server: PageServer) -> None:
    page = PageFetcher(OPEN).fetch(server.url("/with"))
    assert page.status == 200 and page.content_type == "text/html" and CANONICAL in page.text
    assert page.url == server.url("/with") and page.redirects == ()


def test_follows_up_to_five_redirects_checking_each(server: PageServer) -> None:
    page = PageFetcher(OPEN).fetch(server.url("/hop/5"))
    assert page.url == server.url("/with") and len(page.redirects) == 5
    with pytest.raises(errors.TooManyRedirects, match="more than 5"):
        PageFetcher(OPEN).fetch(server.url("/hop/6"))


@pytest.mark.parametrize(
    ("path", "error", "text"),
    [
        ("/json", errors.NotHTML, "application/json"),
        ("/no-type", errors.NotHTML, "none"),
        ("/gone", errors.HTTPStatusError, "410"),
        ("/big", errors.PageTooLarge, "larger than 2.0 MB"),
        ("/big-chunked", errors.PageTooLarge, "larger than 2.0 MB"),
        ("/to-metadata", errors.BlockedAddress, "169.254.169.254 is a link-local address"),
        ("/to-ftp", errors.BlockedURL, "ftp://"),
        ("/to-credentials", errors.BlockedURL, "user name and password"),
    ],
)
def test_refusals_say_why(server: PageServer, path: str, error: type[errors.FetchError], text: str) -> None:
    with pytest.raises(error, match=text.replace(".", r"\.")) as refused:
        PageFetcher(OPEN).fetch(server.url(path))
    assert not refused.value.transient


def test_a_policy_may_accept_more_types_under_its_own_user_agent(server: PageServer) -> None:
    with pytest.raises(errors.NotHTML, match=r"is not an HTML page \(Content-Type: text/plain\)"):
        PageFetcher(OPEN).fetch(server.url("/headers"))
    ingest = replace(OPEN, accept_types=(*HTML_TYPES, "text/plain"), user_agent="qapress-test/1")
    page = PageFetcher(ingest).fetch(server.url("/headers"))
    assert page.content_type == "text/plain" and not page.is_html
    assert page.text.splitlines() == [
        "qapress-test/1",
        "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
    ]
    with pytest.raises(errors.UnacceptedContentType, match=r"accepted type \(text/html, .*text/plain\)"):
        PageFetcher(ingest).fetch(server.url("/json"))


def test_server_errors_are_transient(server: PageServer) -> None:
    with pytest.raises(errors.HTTPStatusError) as refused:
        PageFetcher(OPEN).fetch(server.url("/busy"))
    assert refused.value.transient and refused.value.status == 503


def test_slow_page_stops_at_the_total_timeout(server: PageServer) -> None:
    policy = FetchPolicy(addresses=OPEN.addresses, total_timeout=1.0)
    with pytest.raises(errors.FetchTimeout, match="longer than 1 s") as refused:
        PageFetcher(policy).fetch(server.url("/slow"))
    assert refused.value.transient


def test_connection_refused_is_a_transient_network_error() -> None:
    with PageServer() as server:
        url = server.url("/with")
    with pytest.raises(errors.NetworkError) as refused:
        PageFetcher(OPEN).fetch(url)
    assert refused.value.transient


def test_redirect_to_loopback_refused_without_the_allow_list() -> None:
    # The page lives on 127.0.0.2 (allow-listed); it redirects to 127.0.0.1, which is not.
    policy = FetchPolicy(addresses=AddressPolicy.build(allow_networks=["127.0.0.2/32"]))
    with PageServer("127.0.0.1") as target, PageServer("127.0.0.2") as page:
        target.routes["/with"] = html_page("With", f'<a href="{CANONICAL}">x</a>')
        page.routes["/go"] = redirect(target.url("/with"))
        page.routes["/go-by-name"] = redirect(f"http://localhost:{target.port}/with")
        for path in ("/go", "/go-by-name"):
            with pytest.raises(errors.BlockedAddress, match=r"127\.0\.0\.1 is a loopback address"):
                PageFetcher(policy).fetch(page.url(path))
        assert target.requests == []
        assert [path for path, _host in page.requests] == ["/go", "/go-by-name"]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
        "localhost",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
    ],
)
def test_every_spelling_of_loopback_is_refused_before_connecting(host: str) -> None:
    with PageServer() as server:
        server.routes["/with"] = html_page("With", "x")
        with pytest.raises(errors.BlockedAddress, match="refused to connect"):
            PageFetcher(CLOSED).fetch(f"http://{host}:{server.port}/with")
        assert server.requests == []


def test_the_checked_address_is_the_one_connected_to(server: PageServer) -> None:
    """A resolver that would answer differently the second time (DNS rebinding) is asked only once."""
    answers: list[list[IPAddress]] = [[ipaddress.ip_address("127.0.0.1")], [ipaddress.ip_address("10.0.0.1")]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[IPAddress]:
        calls.append(host)
        return answers[min(len(calls) - 1, 1)]

    page = PageFetcher(OPEN, resolver=rebinding).fetch(f"http://rebind.example:{server.port}/with")
    assert CANONICAL in page.text
    assert calls == ["rebind.example"]
    assert server.requests == [("/with", f"rebind.example:{server.port}")]


def test_a_name_with_any_private_answer_is_refused(server: PageServer) -> None:
    def mixed(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.1")]

    with pytest.raises(errors.BlockedAddress, match=r"resolves to 10\.0\.0\.1"):
        PageFetcher(CLOSED, resolver=mixed).fetch("http://mixed.example/")


def test_only_web_ports_for_public_addresses() -> None:
    def public(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.215.14")]

    with pytest.raises(errors.BlockedAddress, match="port 8080"):
        PageFetcher(CLOSED, resolver=public).fetch("http://example.com:8080/")


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "0177.0.0.1", "localhost", "::ffff:127.0.0.1", "::1"]
)
def test_the_transport_checks_resolved_addresses_too(host: str) -> None:
    """Below the URL checks, the network backend refuses by itself whatever the host resolves to."""
    from qapress.links.transport import PinnedBackend

    with pytest.raises(errors.BlockedAddress, match="not public"):
        PinnedBackend(AddressPolicy()).checked_addresses(host, 80)


def test_falls_back_to_the_next_checked_address(server: PageServer) -> None:
    """Nothing listens on 127.0.0.2 at this port: the second checked answer, 127.0.0.1, is used."""
    policy = FetchPolicy(addresses=AddressPolicy.build(allow_networks=["127.0.0.0/8"]))

    def two_answers(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.2"), ipaddress.ip_address("127.0.0.1")]

    page = PageFetcher(policy, resolver=two_answers).fetch(f"http://two.example:{server.port}/with")
    assert CANONICAL in page.text
    assert server.requests == [("/with", f"two.example:{server.port}")]


def test_a_slow_dns_answer_is_bounded_by_the_connect_timeout() -> None:
    def slow(host: str, port: int) -> list[IPAddress]:
        time.sleep(2)
        return [ipaddress.ip_address("127.0.0.1")]

    # Had the lookup not been cut short, it would answer 127.0.0.1, where nothing listens on port 80.
    policy = FetchPolicy(addresses=OPEN.addresses, connect_timeout=0.3)
    with pytest.raises(errors.FetchTimeout, match=r"resolving slow\.example took longer than 0\.3 s"):
        PageFetcher(policy, resolver=slow).fetch("http://slow.example/")


def test_https_keeps_the_host_name_for_sni_the_certificate_and_the_host_header() -> None:
    """Connected to the checked IP, yet TLS and HTTP still speak to the URL's host name."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("site.example").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    def to_loopback(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    fetcher = PageFetcher(OPEN, resolver=to_loopback, verify=client_context)
    with PageServer(tls=server_context) as server:
        server.routes["/with"] = html_page("With", f'<a href="{CANONICAL}">x</a>')
        page = fetcher.fetch(f"https://site.example:{server.port}/with")
        assert CANONICAL in page.text
        assert server.server_names == ["site.example"]
        assert server.requests == [("/with", f"site.example:{server.port}")]
        with pytest.raises(errors.NetworkError, match="certificate"):
            fetcher.fetch(f"https://other.example:{server.port}/with")
        assert len(server.requests) == 1


def test_fetches_share_one_verifying_context_that_still_refuses_an_unknown_ca() -> None:
    """The CA bundle is loaded once per process, not per fetch, and that shared context keeps verifying."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("site.example").configure_cert(server_context)

    def to_loopback(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    first, second = (PinnedTransport(PinnedBackend(OPEN.addresses, to_loopback)) for _ in range(2))
    assert first._pool._ssl_context is second._pool._ssl_context
    shared = first._pool._ssl_context
    assert shared is not None
    assert shared.verify_mode == ssl.CERT_REQUIRED and shared.check_hostname
    with PageServer(tls=server_context) as server:
        server.routes["/with"] = html_page("With", "<p>x</p>")
        for _ in range(2):  # the second fetch uses the cached context
            with pytest.raises(errors.NetworkError, match="certificate"):
                PageFetcher(OPEN, resolver=to_loopback).fetch(f"https://site.example:{server.port}/with")
        assert server.requests == []


@pytest.mark.parametrize("answer", ["192.0.0.192", "fec0::1", "64:ff9b::a9fe:a9fe"])
def test_the_transport_refuses_what_old_pythons_called_global(answer: str) -> None:
    """The audit's Python 3.11.7 case: a name resolving to 192.0.0.192 made the worker connect."""

    def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(answer)]

    with pytest.raises(errors.BlockedAddress, match="not public"):
        PinnedBackend(AddressPolicy(), resolver).checked_addresses("metadata.example", 80)


def conditional_page(handler: BaseHTTPRequestHandler) -> None:
    """ETag "v1" and a Last-Modified date; 304 when the request carries either validator."""
    validators = {"ETag": '"v1"', "Last-Modified": "Fri, 02 May 2025 08:00:00 GMT"}
    if handler.headers.get("If-None-Match") == '"v1"' or handler.headers.get("If-Modified-Since"):
        handler.send_response(304)
        for name, value in validators.items():
            handler.send_header(name, value)
        handler.end_headers()
        return
    send(handler, "<p>items</p>", headers=validators)


def test_a_conditional_fetch_returns_the_validators_and_honours_304(server: PageServer) -> None:
    server.routes["/conditional"] = conditional_page
    first = PageFetcher(OPEN).fetch(server.url("/conditional"))
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Fri, 02 May 2025 08:00:00 GMT")
    assert not first.not_modified
    again = PageFetcher(OPEN).fetch(server.url("/conditional"), etag=first.etag)
    assert again.not_modified and again.body == b"" and again.etag == '"v1"'
    by_date = PageFetcher(OPEN).fetch(server.url("/conditional"), last_modified=first.last_modified)
    assert by_date.not_modified and by_date.last_modified == first.last_modified


def test_a_304_to_an_unconditional_fetch_is_still_an_error(server: PageServer) -> None:
    server.routes["/not-modified"] = lambda h: send(h, "", status=304)
    with pytest.raises(errors.HTTPStatusError, match="HTTP 304, not a page"):
        PageFetcher(OPEN).fetch(server.url("/not-modified"))
