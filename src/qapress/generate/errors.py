"""The errors of the generate package: one hierarchy, each message names the input and what to do."""

from __future__ import annotations

from qapress.articles import errors as article_errors


class GenerateError(Exception):
    """Base of every error the article pipeline raises; its message is meant for the editor."""


class IngestError(GenerateError):
    """A source could not be read, fetched or parsed."""


class FetchError(IngestError):
    """A URL could not be fetched under the fetch policy (scheme, address, size, type, timeout, status)."""


class SourceNotFound(GenerateError):
    """No source has the given id."""


class DomainNotFound(GenerateError):
    """No domain has the given id or host."""


class BackendError(GenerateError):
    """A backend could not produce a draft (after its retries)."""


class ArticleNotFound(GenerateError, article_errors.ArticleNotFound):
    """No article has the given id (one error for the pipeline and the article lifecycle)."""
