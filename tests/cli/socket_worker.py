"""A stand-in for a uvicorn worker, importable by a spawned process (tests import it as ``tests.cli``)."""

from __future__ import annotations

import asyncio
import socket
from multiprocessing.connection import Connection


async def accept_one(sock: socket.socket) -> int:
    """Serve ``sock`` until one connection arrives; that connection's ``TCP_NODELAY`` value."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            connection: socket.socket = transport.get_extra_info("socket")
            accepted.set_result(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    async with server:
        return await asyncio.wait_for(accepted, timeout=10)


def worker(sock: socket.socket, report: Connection) -> None:
    """What a uvicorn worker does with the socket it was handed: serve it from its own event loop."""
    report.send(asyncio.run(accept_one(sock)))
