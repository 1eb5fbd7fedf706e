"""The errors of ``qapress.site``: one hierarchy, each mapped to a page at the HTTP edge."""

from __future__ import annotations


class SiteError(Exception):
    """Base of every error raised by ``qapress.site``."""


class UnknownHost(SiteError):
    """The request's Host names no site and no default is configured (answered with 404)."""


class PageQueryFailed(SiteError):
    """The engine answered a page's query with errors; the message carries the first one, ``code`` its
    Hasura code (answered with 500, or 503 with ``Retry-After`` when the database is down or busy)."""

    def __init__(self, message: str, code: str = "unexpected") -> None:
        super().__init__(message)
        self.code = code
