"""A client that sends its body too slowly gets 408 and the connection closed; the server goes on serving."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import orjson
import pytest

if TYPE_CHECKING:
    from tests.site.live import LiveSite


@pytest.fixture
def slow_bodies_refused(database_url: str) -> Iterator[LiveSite]:
    from tests.site.live import demo_store, serve_site

    engine = demo_store(database_url)
    with serve_site(engine, body_timeout_seconds=1.0) as site:
        yield site
    engine.dispose()


def send_part_of_a_body(port: int, path: str, content_type: str) -> tuple[bytes, float]:
    """POST with Content-Length 1000 but only 10 bytes of body; the answer and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: screen.localhost:{port}\r\nContent-Type: {content_type}\r\n"
            "Content-Length: 1000\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"query":"')
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer, time.monotonic() - started


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/graphql", "application/json"), ("/webmention", "application/x-www-form-urlencoded")],
)
def test_a_stalled_body_is_answered_408_and_closed(
    slow_bodies_refused: LiveSite, path: str, content_type: str
) -> None:
    answer, took = send_part_of_a_body(slow_bodies_refused.port, path, content_type)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"too slowly" in answer
    assert took < 10  # the bound is 1 s per part; the server closed the connection itself
    # The server goes on answering others.
    assert slow_bodies_refused.get("/").status_code == 200
    quick = slow_bodies_refused.request("POST", "/v1/graphql", json={"query": "{ domain(limit: 1) { id } }"})
    assert quick.status_code == 200 and "errors" not in quick.json()


@pytest.mark.parametrize("parts", [1, 2])
def test_a_body_late_within_the_bound_is_answered(slow_bodies_refused: LiveSite, parts: int) -> None:
    """The fast path reads a body that is not there yet under the timer, and answers it when it comes:
    after the headers, in ``parts`` pieces each 0.3 s late (the bound is 1 s per part). Twice: the plan is
    cached for the second."""
    port = slow_bodies_refused.port
    body = b'{"query":"{ domain(limit: 1) { id } }"}'
    cut = len(body) // parts
    pieces = [body[i * cut : (i + 1) * cut if i < parts - 1 else len(body)] for i in range(parts)]
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            head = (
                f"POST /v1/graphql HTTP/1.1\r\nHost: screen.localhost:{port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(head.encode())
            for piece in pieces:
                time.sleep(0.3)
                sock.sendall(piece)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert [list(row) for row in orjson.loads(answer.partition(b"\r\n\r\n")[2])["data"]["domain"]] == [
            ["id"]
        ]
