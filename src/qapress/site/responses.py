"""HTTP done once for every page: ETag and Last-Modified with 304 answers, gzip, caching and security headers."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formatdate, parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qapress.http_protocol import PREPARED_RESPONSE, takes_prepared
from qapress.site.cache_tags import cache_tag, surrogate_key
from qapress.site.page_cache import Answer, PreparedResponses, RawHeaders, RenderedPage

#: Bodies smaller than this are sent as they are: gzip would not pay for itself.
GZIP_MIN_BYTES = 512


def content_security_policy(origin: str) -> str:
    """No script at all, styles and forms only from the site itself, never framed.

    ``manifest-src`` lets a browser read the site's web app manifest; ``connect-src`` lets a crawler's tools
    (Lighthouse reads robots.txt from the page) fetch from the site itself: with no script allowed, nothing
    of the page's own can use it.
    """
    return (
        "default-src 'none'; "
        f"style-src 'self' {origin}; "
        "img-src 'self' https: data:; "
        f"manifest-src 'self' {origin}; "
        f"connect-src 'self' {origin}; "
        f"form-action 'self' {origin}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` prefixes are ignored, ``*`` matches anything."""
    bare = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def not_modified(headers: Headers, page: RenderedPage) -> bool:
    """Whether a GET may be answered 304: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, page.etag)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return int(page.last_modified) <= since
    return False


#: The headers that can carry a page's tags, each with its format.
TAG_FORMATS = {"Surrogate-Key": surrogate_key, "Cache-Tag": cache_tag}


def cache_tag_headers(page: RenderedPage, names: Iterable[str] = TAG_FORMATS) -> dict[str, str]:
    """What the page shows, for the proxy or CDN in front: ``Surrogate-Key`` (Varnish xkey via the shipped
    VCL, Fastly) and ``Cache-Tag`` (Cloudflare), or those of ``names`` (``QAPRESS_PAGE_TAG_HEADERS``: each
    costs the server a few microseconds a hit); purges name the same tags (``qapress.site.purge``)."""
    if not page.tags:
        return {}
    return {name: TAG_FORMATS[name](page.tags) for name in names}


def _page_headers(
    page: RenderedPage, origin: str, cache_control: str, tags: dict[str, str]
) -> dict[str, str]:
    """A rendered page's own headers, in the order both ways of sending it write them."""
    headers = {
        "ETag": page.etag,
        "Last-Modified": formatdate(page.last_modified, usegmt=True),
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        "Content-Security-Policy": content_security_policy(origin),
    }
    if page.link_header is not None:
        headers["Link"] = page.link_header
    headers.update(tags)
    return headers


def page_response(
    headers: Headers,
    page: RenderedPage,
    *,
    origin: str,
    cache_control: str,
    method: str = "GET",
    tag_headers: Iterable[str] = TAG_FORMATS,
) -> Response:
    """The response for a rendered page: 304 when the client has it, gzip when it takes it."""
    tags = cache_tag_headers(page, tag_headers) if cache_control.startswith("public") else {}
    response_headers = _page_headers(page, origin, cache_control, tags)
    if page.location is not None:
        return Response(
            status_code=page.status,
            headers={"Location": page.location, "Cache-Control": cache_control, **tags},
        )
    if page.status == 200 and method in ("GET", "HEAD") and not_modified(headers, page):
        return Response(status_code=304, headers=response_headers)
    body = page.body
    if len(body) >= GZIP_MIN_BYTES and "gzip" in headers.get("accept-encoding", "").lower():
        body = page.gzipped()
        response_headers["Content-Encoding"] = "gzip"
    return Response(body, status_code=page.status, media_type=page.media_type, headers=response_headers)


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


#: Paths whose responses keep their own Content-Security-Policy (the engine's GraphiQL page needs scripts).
CSP_EXEMPT = ("/v1/", "/v1alpha1/")

#: The CSP of responses that set none themselves.
DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def add_security_headers(headers: MutableHeaders, exempt: bool) -> None:
    """The security headers a response does not set itself (and the default CSP unless ``exempt``)."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if not exempt:
        headers.setdefault("content-security-policy", DEFAULT_CSP)


def _raw(headers: dict[str, str]) -> RawHeaders:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def _security_tail(headers: dict[str, str], exempt: bool) -> RawHeaders:
    """What ``add_security_headers`` appends to ``headers``."""
    names = {name.lower() for name in headers}
    tail = {name: value for name, value in SECURITY_HEADERS.items() if name not in names}
    if not exempt and "content-security-policy" not in names:
        tail["content-security-policy"] = DEFAULT_CSP
    return _raw(tail)


def prepare_responses(
    page: RenderedPage,
    *,
    origin: str,
    cache_control: str,
    path: str,
    tag_headers: Iterable[str] = TAG_FORMATS,
) -> PreparedResponses:
    """The page's answers to a GET, with the very headers ``page_response`` and the security middleware give
    them (in their order), written as ASGI headers and bodies without building Starlette responses, so that
    a cache hit costs no header work and a miss little. The identity answer is built now; the gzip and 304
    answers when a request first needs them (``PreparedResponses``)."""
    exempt = path.startswith(CSP_EXEMPT)
    tags = cache_tag_headers(page, tag_headers) if cache_control.startswith("public") else {}
    if page.location is not None:
        moved = {"Location": page.location, "Cache-Control": cache_control, **tags}
        length = [] if page.status < 200 or page.status in (204, 304) else [(b"content-length", b"0")]
        redirect: Answer = (page.status, [*_raw(moved), *length, *_security_tail(moved, exempt)], b"")
        return PreparedResponses(page.status, redirect, lambda _variant: redirect)
    common = _page_headers(page, origin, cache_control, tags)
    security = _security_tail(common, exempt)
    media_type = page.media_type
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    content_type = (b"content-type", media_type.encode("latin-1"))
    sized = not (page.status < 200 or page.status in (204, 304))

    def with_body(headers: dict[str, str], body: bytes) -> Answer:
        length = [(b"content-length", str(len(body)).encode("latin-1"))] if sized else []
        return page.status, [*_raw(headers), *length, content_type, *security], body

    identity = with_body(common, page.body)

    def build(variant: str) -> Answer:
        if variant == "304":
            return (304, [*_raw(common), *security], b"") if page.status == 200 else identity
        if len(page.body) < GZIP_MIN_BYTES:
            return identity
        return with_body({**common, "Content-Encoding": "gzip"}, page.gzipped())

    return PreparedResponses(page.status, identity, build)


def prepared_answer(
    page: RenderedPage, prepared: PreparedResponses, if_none_match: str | None, accept_encoding: str | None
) -> Answer:
    """Which of a page's prepared answers a GET or HEAD gets (``page_response``'s choice, without
    If-Modified-Since: the caller leaves that to ``page_response``)."""
    if (
        if_none_match is not None
        and page.status == 200
        and page.location is None
        and etag_matches(if_none_match, page.etag)
    ):
        return prepared.not_modified
    if accept_encoding is not None and len(page.body) >= GZIP_MIN_BYTES and "gzip" in accept_encoding.lower():
        return prepared.gzipped
    return prepared.identity


class PreparedResponse(Response):
    """A prepared answer sent as it is: its headers already carry the security headers and the length."""

    def __init__(self, answer: Answer) -> None:
        self.status_code, headers, self.body = answer
        # A copy: a middleware may add to the list (the read-your-writes cookie), never to the cached one.
        self.raw_headers = list(headers)
        self.background = None


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, and a strict CSP to those that set none themselves.

    ``csp_exempt`` paths (the engine's GraphiQL page needs its scripts) keep whatever they send.
    """

    def __init__(self, app: ASGIApp, csp_exempt: tuple[str, ...] = CSP_EXEMPT) -> None:
        self.app = app
        self.csp_exempt = csp_exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = str(scope.get("path", "")).startswith(self.csp_exempt)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), exempt)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class GZipPrefixMiddleware:
    """Starlette's gzip for the paths under ``prefixes`` (the engine's JSON); the site's pages and assets are
    compressed once when rendered (``page_response``), so gzip-on-the-fly would only repeat the work."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], minimum_size: int = GZIP_MIN_BYTES) -> None:
        self.app = app
        self.prefixes = prefixes
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.prefixes):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def send_prepared(scope: Scope, send: Send, prepared: PreparedResponses, answer: Answer) -> None:
    """Send one of ``prepared``'s answers: in one message where the server takes it (``http_protocol``),
    else as ASGI's two."""
    status, headers, body = answer
    if takes_prepared(scope):
        head = prepared.head_block(headers)
        if head is not None:
            await send({"type": PREPARED_RESPONSE, "status": status, "head": head, "body": body})
            return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
