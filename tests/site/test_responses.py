import gzip
from email.utils import formatdate

import pytest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message

from qapress.site.page_cache import Answer, RenderedPage
from qapress.site.responses import (
    add_security_headers,
    content_security_policy,
    etag_matches,
    page_response,
    prepare_responses,
)

PAGE = RenderedPage(
    200, b"<p>" + b"x" * 2000 + b"</p>", "text/html; charset=utf-8", 1_700_000_000.0, frozenset({"all", "a1"})
)


def respond(**headers: str):  # type: ignore[no-untyped-def]
    return page_response(
        Headers(headers), PAGE, origin="https://screen.localhost", cache_control="public, max-age=60"
    )


def test_a_matching_etag_gets_304_without_a_body() -> None:
    response = respond(**{"if-none-match": PAGE.etag})
    assert response.status_code == 304 and response.body == b""
    assert response.headers["etag"] == PAGE.etag


def test_etags_compare_weakly_and_in_lists() -> None:
    assert etag_matches(f'"other", {PAGE.etag.removeprefix("W/")}', PAGE.etag)
    assert etag_matches("*", PAGE.etag)
    assert not etag_matches('"other"', PAGE.etag)


def test_if_modified_since_is_used_only_without_if_none_match() -> None:
    assert respond(**{"if-modified-since": formatdate(1_700_000_000, usegmt=True)}).status_code == 304
    assert respond(**{"if-modified-since": formatdate(1_600_000_000, usegmt=True)}).status_code == 200
    both = {"if-modified-since": formatdate(1_700_000_000, usegmt=True), "if-none-match": '"stale"'}
    assert respond(**both).status_code == 200
    assert respond(**{"if-modified-since": "not a date"}).status_code == 200


def test_gzip_only_for_clients_that_accept_it() -> None:
    zipped = respond(**{"accept-encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == PAGE.body
    assert "content-encoding" not in respond().headers
    assert respond().headers["vary"] == "Accept-Encoding"


def test_csp_allows_no_script_and_no_framing() -> None:
    csp = content_security_policy("https://screen.localhost")
    assert "script-src" not in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def slow_path_answer(
    page: RenderedPage, path: str, cache_control: str, tag_headers: tuple[str, ...], **headers: str
) -> Answer:
    """What the slow path sends for ``page``: ``page_response`` under the security-headers middleware."""
    response = page_response(
        Headers(headers),
        page,
        origin="https://screen.localhost",
        cache_control=cache_control,
        tag_headers=tag_headers,
    )
    message: Message = {"type": "http.response.start", "headers": list(response.raw_headers)}
    add_security_headers(MutableHeaders(scope=message), path.startswith("/v1/"))
    return response.status_code, message["headers"], bytes(response.body)


@pytest.mark.parametrize(
    "page",
    [
        PAGE,
        RenderedPage(
            404, b"<p>" + b"gone " * 200 + b"</p>", "text/html; charset=utf-8", 1.7e9, frozenset({"all"})
        ),
        RenderedPage(200, b"<p>short</p>", "text/html; charset=utf-8", 1.7e9, frozenset({"all", "s1"})),
        RenderedPage(
            200, b"<urlset>" + b" " * 900 + b"</urlset>", "application/xml", 1.7e9, frozenset({"n1"})
        ),
        RenderedPage(200, b"x" * 600, "text/plain", 1.7e9, frozenset()),
        RenderedPage(
            200,
            b"<p>" + b"y" * 900 + b"</p>",
            "text/html; charset=utf-8",
            1.7e9,
            frozenset({"a2"}),
            link_header='</webmention>; rel="webmention"',
        ),
        RenderedPage(
            301, b"", "text/html; charset=utf-8", 1.7e9, frozenset({"a3"}), location="https://s/a/3/x"
        ),
    ],
)
@pytest.mark.parametrize("cache_control", ["public, max-age=60", "no-store"])
@pytest.mark.parametrize("path", ["/a/1/x", "/v1/graphql"])
@pytest.mark.parametrize("tag_headers", [("Surrogate-Key", "Cache-Tag"), ("Cache-Tag",), ()])
def test_prepared_answers_are_what_the_slow_path_sends(
    page: RenderedPage, cache_control: str, path: str, tag_headers: tuple[str, ...]
) -> None:
    prepared = prepare_responses(
        page,
        origin="https://screen.localhost",
        cache_control=cache_control,
        path=path,
        tag_headers=tag_headers,
    )
    assert prepared.identity == slow_path_answer(page, path, cache_control, tag_headers)
    assert prepared.gzipped == slow_path_answer(
        page, path, cache_control, tag_headers, **{"accept-encoding": "gzip"}
    )
    assert prepared.not_modified == slow_path_answer(
        page, path, cache_control, tag_headers, **{"if-none-match": page.etag}
    )


@pytest.mark.parametrize(
    ("tag_headers", "sent"),
    [
        (("Surrogate-Key", "Cache-Tag"), {b"surrogate-key": b"a1 all", b"cache-tag": b"a1,all"}),
        (("Surrogate-Key",), {b"surrogate-key": b"a1 all"}),
        ((), {}),
    ],
)
def test_a_page_names_its_tags_in_the_headers_asked_for(
    tag_headers: tuple[str, ...], sent: dict[bytes, bytes]
) -> None:
    prepared = prepare_responses(
        PAGE,
        origin="https://s.localhost",
        cache_control="public, max-age=1",
        path="/",
        tag_headers=tag_headers,
    )
    for _status, headers, _body in (prepared.identity, prepared.gzipped, prepared.not_modified):
        named = {name: value for name, value in headers if name in (b"surrogate-key", b"cache-tag")}
        assert named == sent
