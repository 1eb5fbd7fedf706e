"""A prepared answer written in one call (``http_protocol``) puts on the wire what uvicorn's own protocol does.

Two servers run the same app over the same store, one with ``PreparedProtocol`` (what ``qapress serve``
runs) and one with uvicorn's plain httptools protocol; the raw bytes of their answers are compared, with what
differs between two renderings (the date, the render time, the form token and what hashes it) and the
servers' ports masked.
"""

from __future__ import annotations

import gzip
import re
import socket
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from tests.site.live import LiveSite, demo_store, serve_site
from tests.site.test_fast_path import seed_path

from qapress.http_protocol import PREPARED_RESPONSE, PreparedProtocol, head_block, protocol_class
from qapress.store.demo import SEED_ARTICLE_ID

#: Per rendering or per second: masked before comparing.
VARYING = [
    re.compile(rb"(?m)^(date|etag|last-modified): [^\r]*\r\n"),
    re.compile(rb'name="csrf" value="[^"]*"'),
]


@pytest.fixture(scope="module")
def servers(demo_url: str) -> Iterator[tuple[LiveSite, LiveSite]]:
    engine = demo_store(demo_url)
    with serve_site(engine) as prepared, serve_site(engine, http="httptools") as plain:
        yield prepared, plain
    engine.dispose()


def exchange(port: int, *requests: bytes) -> bytes:
    """Send ``requests`` on one connection and read until the server has answered them all (or closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"".join(requests))
        received = b""
        while received.count(b"HTTP/1.") < len(requests) or not _complete(received):
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def _complete(received: bytes) -> bool:
    """Whether the last answer in ``received`` has all the body its ``content-length`` announces."""
    head, separator, body = received.rpartition(b"HTTP/1.")[2].partition(b"\r\n\r\n")
    if not separator:
        return False
    length = re.search(rb"(?mi)^content-length: (\d+)", head)
    if length is None or b" 304 " in head.split(b"\r\n", 1)[0] or b"HEAD" in head:
        return True
    return len(body) >= int(length[1])


def masked(raw: bytes, port: int, method: str) -> bytes:
    """The answers in ``raw``, each head with its masked body (gunzipped: the token changes the bytes)."""
    answers = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        length = re.search(rb"(?mi)^content-length: (\d+)", head)
        size = 0 if length is None or method == "HEAD" or b" 304 " in head[:16] else int(length[1])
        body, raw = rest[:size], rest[size:]
        if re.search(rb"(?mi)^content-encoding: gzip", head):
            body = gzip.decompress(body)
            head = re.sub(rb"(?mi)^content-length: \d+\r\n", b"", head)  # the gzip of another token
        answer = head + b"\r\n\r\n" + body
        for pattern in VARYING:
            answer = pattern.sub(b"", answer)
        answers.append(answer.replace(b":%d" % port, b":PORT"))  # each server's origin has its port
    return b"".join(answers)


def request(path: str, port: int, *lines: str, method: str = "GET", version: str = "1.1") -> bytes:
    head = [f"{method} {path} HTTP/{version}", f"Host: screen.localhost:{port}", *lines]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def both(servers: tuple[LiveSite, LiveSite], *build: tuple[str, tuple[str, ...], str, str]) -> list[bytes]:
    """Each server's masked answers to the requests ``build`` describes (path, lines, method, version),
    once to fill its cache and once more to be answered from it."""
    answers = []
    for live in servers:
        requests = [
            request(path, live.port, *lines, method=method, version=version)
            for path, lines, method, version in build
        ]
        exchange(live.port, *requests)
        answers.append(masked(exchange(live.port, *requests), live.port, build[0][2]))
    return answers


@pytest.mark.parametrize(
    ("lines", "method"),
    [
        ((), "GET"),
        (("Accept-Encoding: gzip",), "GET"),
        (("Accept-Encoding: gzip",), "HEAD"),
        (("Connection: close",), "GET"),
    ],
)
def test_a_cached_page_is_the_same_bytes_as_uvicorns(
    servers: tuple[LiveSite, LiveSite], lines: tuple[str, ...], method: str
) -> None:
    path = seed_path(servers[0])
    prepared, plain = both(servers, (path, lines, method, "1.1"))
    assert prepared.startswith(b"HTTP/1.1 200 OK\r\n")
    assert prepared == plain


def test_keep_alive_answers_and_a_304_in_a_row_match(servers: tuple[LiveSite, LiveSite]) -> None:
    path = seed_path(servers[0])
    etag = servers[0].get(path).headers["etag"]
    sequence = (
        (path, (), "GET", "1.1"),
        ("/", ("Accept-Encoding: gzip",), "GET", "1.1"),
        (path, (), "GET", "1.1"),
    )
    prepared, plain = both(servers, *sequence)
    assert prepared.count(b"HTTP/1.1 200 OK") == 3
    assert prepared == plain
    with socket.create_connection(("127.0.0.1", servers[0].port), timeout=10) as connection:
        connection.sendall(request(path, servers[0].port, f"If-None-Match: {etag}"))
        assert connection.recv(65536).startswith(b"HTTP/1.1 304 Not Modified\r\n")


def test_http_1_0_is_answered_and_closed_as_uvicorn_does(servers: tuple[LiveSite, LiveSite]) -> None:
    prepared, plain = both(servers, ("/", (), "GET", "1.0"))
    assert b"\r\nconnection: close\r\n" in prepared
    assert prepared == plain


def test_the_live_server_takes_the_one_write_path(servers: tuple[LiveSite, LiveSite]) -> None:
    """Not vacuous: ``qapress serve``'s protocol is the prepared one, and a hit there took it."""
    assert protocol_class() is PreparedProtocol
    prepared, plain = servers
    for live in servers:
        path = seed_path(live)
        live.get(path)
        live.get(path)
    assert prepared.starts[-1] == PREPARED_RESPONSE, (prepared.starts, prepared.responses)
    assert plain.starts[-1] == "http.response.start"


def test_header_lines_are_checked_once_as_uvicorn_checks_them() -> None:
    assert (
        head_block([(b"ETag", b'"1"'), (b"vary", b"Accept-Encoding")])
        == b'etag: "1"\r\nvary: Accept-Encoding\r\n'
    )
    assert head_block([(b"x-bad", b"one\r\nset-cookie: two")]) is None  # uvicorn refuses it: so do we
    assert head_block([(b"bad name", b"x")]) is None
    assert head_block([(b"connection", b"close")]) is None  # uvicorn's own state: its own path
    assert PREPARED_RESPONSE == "qapress.prepared_response"


def graphql_post(port: int, body: bytes, *lines: str) -> bytes:
    head = [
        "POST /v1/graphql HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *lines,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "lines", [(), ("Accept: application/graphql-response+json",), ("Connection: close",)]
)
def test_a_graphql_plan_hit_is_the_same_bytes_as_uvicorns(
    servers: tuple[LiveSite, LiveSite], lines: tuple[str, ...]
) -> None:
    body = b'{"query":"query Q($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id title } }","variables":{"id":%d}}'
    body %= SEED_ARTICLE_ID
    answers = []
    for live in servers:
        exchange(live.port, graphql_post(live.port, body, *lines))  # plans the query
        exchange(live.port, graphql_post(live.port, body, *lines))  # captures the headers of its kind
        before = len(live.starts)
        answers.append(masked(exchange(live.port, graphql_post(live.port, body, *lines)), live.port, "POST"))
        answers.append(live.starts[before:])
    prepared, prepared_starts, plain, plain_starts = answers
    assert prepared.startswith(b"HTTP/1.1 200 OK\r\n") and b'"qa_ai"' in prepared
    assert b"%d" % SEED_ARTICLE_ID in prepared
    assert prepared == plain
    assert (prepared_starts, plain_starts) == ([PREPARED_RESPONSE], ["http.response.start"])


def test_a_graphql_error_answer_keeps_its_status(servers: tuple[LiveSite, LiveSite]) -> None:
    body = b'{"query":"{ nothing_here }"}'
    answers = []
    for live in servers:
        request = graphql_post(live.port, body, "Accept: application/graphql-response+json")
        exchange(live.port, request)
        answers.append(masked(exchange(live.port, request), live.port, "POST"))
    assert answers[0].startswith(b"HTTP/1.1 400 ")
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "lines", [(), ("Accept: application/graphql-response+json",), ("Connection: close",)]
)
def test_a_graphql_get_plan_hit_is_the_same_bytes_as_uvicorns(
    servers: tuple[LiveSite, LiveSite], lines: tuple[str, ...]
) -> None:
    """A GET's plan hit, memoized and sent in one write with its caching headers (ETag, cache tags)."""
    query = "query Q($id: Int!) { qa_ai(where: {id: {_eq: $id}}) { id title } }"
    path = "/v1/graphql?" + urlencode({"query": query, "variables": f'{{"id": {SEED_ARTICLE_ID}}}'})
    answers, tags = [], []
    for live in servers:
        for _ in range(3):  # plans the query, memoizes the query string and captures its kind's headers
            exchange(live.port, request(path, live.port, *lines))
        before = len(live.starts)
        raw = exchange(live.port, request(path, live.port, *lines))
        tags.append(re.findall(rb"(?m)^etag: [^\r]*\r\n", raw))
        answers.append(masked(raw, live.port, "GET"))
        answers.append(live.starts[before:])
    prepared, prepared_starts, plain, plain_starts = answers
    assert prepared.startswith(b"HTTP/1.1 200 OK\r\n") and b"%d" % SEED_ARTICLE_ID in prepared
    assert b"cache-control: public, max-age=" in prepared and b"surrogate-key: " in prepared
    assert prepared == plain
    assert len(tags[0]) == 1 and tags[0] == tags[1]  # masked above: the same answer, the same validator
    assert (prepared_starts, plain_starts) == ([PREPARED_RESPONSE], ["http.response.start"])
