import gzip
from email.utils import formatdate

from starlette.datastructures import Headers

from qapress.site.page_cache import RenderedPage
from qapress.site.responses import content_security_policy, etag_matches, page_response

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
