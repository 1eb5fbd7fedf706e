"""An httpx transport that resolves a host once, checks every address against the policy, and connects there.

The check lives in the network backend, below httpx and httpcore, so it runs for every connection the client
opens, whatever the URL's spelling (``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]``, a name) and for every
redirect. The connection goes to the address that was checked: a second DNS answer cannot swap it (DNS
rebinding). TLS still verifies the certificate against the URL's host name (SNI) and the ``Host`` header is
the URL's, because httpcore passes the origin's name to ``start_tls`` and the request keeps its URL.

No maintained library fitted httpx's transports here (the known SSRF guards wrap ``requests``), so this is
our own, kept small: a ``NetworkBackend`` and a transport that installs it.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from qapress.links.addresses import AddressPolicy, IPAddress
from qapress.links.errors import BlockedAddress

#: ``resolve(host, port)`` -> the addresses ``host`` stands for; ``socket.getaddrinfo`` by default.
Resolver = Callable[[str, int], list[IPAddress]]

#: Lookups run here so that a slow DNS answer is bounded by the connect timeout (a stuck lookup keeps its
#: thread until the resolver gives up, but never the fetch).
_RESOLVERS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="qapress-resolve")


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the system resolver gives for ``host`` (IP literals of any form included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class PinnedBackend(httpcore.SyncBackend):
    """Resolves once, refuses when any answer is forbidden, and connects only to the checked addresses."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self.policy = policy
        self.resolver = resolver
        #: (host, port, address) of each connection opened: what a test or a log can check.
        self.connections: list[tuple[str, int, IPAddress]] = []

    def checked_addresses(self, host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
        """The addresses to try for ``host``, all checked; ``BlockedAddress`` if the policy forbids any."""
        addresses = self._resolve(host, port, timeout)
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            reason = self.policy.address_refusal(address)
            if reason is not None:
                shown = host if host == str(address) else f"{host} resolves to {address}, which"
                raise BlockedAddress(f"refused to connect: {shown} is not public ({reason})")
        for address in addresses:
            port_reason = self.policy.port_refusal(port, address)
            if port_reason is not None:
                raise BlockedAddress(f"refused to connect to {host}: {port_reason}")
        return addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.checked_addresses(host, port, timeout)
        for address in addresses[:-1]:
            try:
                return self._connect(host, port, address, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue  # e.g. an IPv6 answer on a host without IPv6: try the next checked address
        return self._connect(host, port, addresses[-1], timeout, local_address, socket_options)

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        """Resolve within the connect timeout: ``getaddrinfo`` itself has none."""
        future = _RESOLVERS.submit(self.resolver, host, port)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout:g} s") from exc

    def _connect(
        self,
        host: str,
        port: int,
        address: IPAddress,
        timeout: float | None,
        local_address: str | None,
        socket_options: Iterable[Any] | None,
    ) -> httpcore.NetworkStream:
        self.connections.append((host, port, address))
        return super().connect_tcp(str(address), port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddress("refused to connect to a Unix socket")


_shared_contexts: dict[bool, ssl.SSLContext] = {}
_shared_contexts_lock = threading.Lock()


def shared_ssl_context(verify: bool) -> ssl.SSLContext:
    """One context per process for ``verify=True`` (certifi's CAs) and one for ``False``.

    Loading the CA bundle takes milliseconds and was most of a fetch's CPU when each fetch built its own; a
    configured ``SSLContext`` is safe to share between threads.
    """
    with _shared_contexts_lock:
        context = _shared_contexts.get(verify)
        if context is None:
            context = _shared_contexts[verify] = httpx.create_ssl_context(verify=verify, trust_env=False)
        return context


class PinnedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections all go through a ``PinnedBackend``; no proxies."""

    def __init__(self, backend: PinnedBackend, *, verify: ssl.SSLContext | bool = True) -> None:
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else shared_ssl_context(verify)
        super().__init__(verify=ssl_context, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=4,
            max_keepalive_connections=0,
            http1=True,
            http2=False,
            retries=0,
            network_backend=backend,
        )
        self.backend = backend
