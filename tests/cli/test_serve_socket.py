"""``serve``'s listening socket: connections accepted from it, in a worker process too, send without Nagle delay.

asyncio turns on ``TCP_NODELAY`` for an accepted connection only when the listening socket's ``proto`` is
``IPPROTO_TCP``; without it every small response waits on the client's delayed ACK (~40 ms).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from pathlib import Path

import pytest
from tests.cli.socket_worker import accept_one, worker

from qapress.cli.serve import listening_socket


def connect(sock: socket.socket) -> None:
    with socket.create_connection(sock.getsockname()[:2], timeout=10):
        pass


def test_the_listening_socket_is_tcp() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.type == socket.SOCK_STREAM


def test_accepted_connections_have_nodelay_in_this_process() -> None:
    with listening_socket("127.0.0.1", 0) as sock:

        async def accept_while_connecting() -> int:
            accepting = asyncio.ensure_future(accept_one(sock))
            await asyncio.sleep(0)
            await asyncio.to_thread(connect, sock)
            return await accepting

        assert asyncio.run(accept_while_connecting()) == 1


def test_accepted_connections_have_nodelay_in_a_spawned_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's supervisor spawns workers and pickles the socket to them: the proto must survive that."""
    # The spawned child imports the worker as ``tests.cli.socket_worker`` from the parent's sys.path, which
    # pytest's importlib mode leaves without the checkout (``tests`` is only in this process's sys.modules).
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    with listening_socket("127.0.0.1", 0) as sock:
        process = context.Process(target=worker, args=(sock, sending))
        process.start()
        try:
            sock.listen()  # the child's listen() on the shared socket may come later; connections wait
            connect(sock)
            deadline = time.monotonic() + 30
            while not receiving.poll(0.1):
                assert process.is_alive(), f"the worker exited with {process.exitcode}"
                assert time.monotonic() < deadline, "the worker did not accept the connection"
            assert receiving.recv() == 1
        finally:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
