"""The errors of ``qapress.articles``: one hierarchy; each message names the article and says what to do."""

from __future__ import annotations


class ArticleError(Exception):
    """Base of every error the article lifecycle raises; its message is meant for the editor."""


class ArticleNotFound(ArticleError):
    """No article has the given id."""


class RevisionNotFound(ArticleError):
    """The article has no revision with the given version."""


class InvalidFields(ArticleError):
    """An edit's values are not valid; ``field`` names the first bad one, so a form can mark it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class VersionConflict(ArticleError):
    """Someone saved the article since the editor loaded it; nothing was written.

    ``current_version`` is what is stored now: reload it (keeping the typed text) and save again.
    """

    def __init__(self, article_id: int, expected_version: int, current_version: int) -> None:
        super().__init__(
            f"article {article_id} was saved by someone else (version {current_version}, "
            f"not {expected_version}); reload it and apply your changes again"
        )
        self.article_id = article_id
        self.expected_version = expected_version
        self.current_version = current_version


class TransitionRefused(ArticleError):
    """A publishing action does not apply to the article's status (publish a withdrawn one, ...)."""


class PublishRefused(TransitionRefused):
    """The article cannot be published (or stay published after an edit): its grounding check fails."""
