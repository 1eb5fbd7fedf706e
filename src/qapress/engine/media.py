"""The media types of GraphQL over HTTP: what a request's body is, and which response type a client accepts.

``application/graphql-response+json`` (the GraphQL-over-HTTP spec) is chosen only when the client's Accept
header prefers it; everyone else (no Accept, ``*/*``, ``application/json``) gets ``application/json`` with
Hasura's status codes. Headers repeat from request to request, so each verdict is remembered in a bounded
dict: the hot path pays one lookup.
"""

from __future__ import annotations

JSON = "application/json; charset=utf-8"
GRAPHQL_RESPONSE = "application/graphql-response+json; charset=utf-8"

_GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json"
_REMEMBERED = 512
#: Keyed by the header as it came (raw bytes from the ASGI scope, or text): no decoding on a hit.
_accept_verdicts: dict[str | bytes, bool] = {}
_html_verdicts: dict[str | bytes, bool] = {}
_body_verdicts: dict[str | bytes, bool] = {}


def _text(header: str | bytes) -> str:
    return header.decode("latin-1") if isinstance(header, bytes) else header


def _ranges(accept: str) -> dict[str, float]:
    """The media ranges of an Accept header with their quality (``q``), parameters other than q ignored."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        pieces = part.split(";")
        media = pieces[0].strip().lower()
        if not media:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        ranges[media] = max(quality, ranges.get(media, 0.0))
    return ranges


def _remember(verdicts: dict[str | bytes, bool], header: str | bytes, verdict: bool) -> bool:
    if len(verdicts) >= _REMEMBERED:
        verdicts.clear()
    verdicts[header] = verdict
    return verdict


def prefers_graphql_response(accept: str | bytes | None) -> bool:
    """Whether to answer ``application/graphql-response+json``: the client names it with a quality at least
    that of ``application/json`` (ties go to the spec's own type)."""
    if accept is None:
        return False
    verdict = _accept_verdicts.get(accept)
    if verdict is not None:
        return verdict
    ranges = _ranges(_text(accept))
    ours = ranges.get(_GRAPHQL_RESPONSE_TYPE, 0.0)
    return _remember(_accept_verdicts, accept, ours > 0 and ours >= ranges.get("application/json", 0.0))


def wants_html(accept: str | bytes | None) -> bool:
    """Whether a GET comes from a browser that asks for a page (GraphiQL) rather than for JSON."""
    if accept is None:
        return False
    verdict = _html_verdicts.get(accept)
    if verdict is not None:
        return verdict
    ranges = _ranges(_text(accept))
    html = ranges.get("text/html", 0.0)
    json = max(ranges.get("application/json", 0.0), ranges.get(_GRAPHQL_RESPONSE_TYPE, 0.0))
    return _remember(_html_verdicts, accept, html > 0 and html >= json)


def is_json_body(content_type: str | bytes | None) -> bool:
    """Whether a POST body is declared JSON (``application/json``, any parameters; a charset other than
    UTF-8 is refused, since the body is read as UTF-8)."""
    if content_type is None:
        return False
    verdict = _body_verdicts.get(content_type)
    if verdict is not None:
        return verdict
    pieces = _text(content_type).split(";")
    media = pieces[0].strip().lower()
    charset_ok = True
    for parameter in pieces[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset_ok = value.strip().strip('"').lower() in ("utf-8", "utf8")
    return _remember(_body_verdicts, content_type, media == "application/json" and charset_ok)
