"""The errors of the feeds package; each message names the feed or item and says what to do."""

from __future__ import annotations


class FeedError(Exception):
    """Base of every error the feeds package raises; its message is meant for the editor."""


class FeedParseError(FeedError):
    """A feed's body is not a well-formed RSS, Atom or JSON Feed document."""


class FeedNotFound(FeedError):
    """No feed has the given id or URL."""


class FeedExists(FeedError):
    """A feed with this URL is already registered."""
