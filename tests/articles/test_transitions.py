"""Which publishing action applies to which status."""

from __future__ import annotations

import pytest

from qapress.articles.errors import TransitionRefused
from qapress.articles.transitions import Action, next_status


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("draft", "publish", "published"),
        ("scheduled", "publish", "published"),
        ("draft", "schedule", "scheduled"),
        ("scheduled", "schedule", "scheduled"),
        ("published", "unpublish", "draft"),
        ("scheduled", "unpublish", "draft"),
        ("withdrawn", "unpublish", "draft"),
        ("published", "withdraw", "withdrawn"),
        ("draft", "withdraw", "withdrawn"),
        ("scheduled", "withdraw", "withdrawn"),
    ],
)
def test_allowed(status: str, action: Action, after: str) -> None:
    assert next_status(5, status, action) == after


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("published", "publish", "article 5 is already published"),
        ("draft", "unpublish", "article 5 is already a draft"),
        ("withdrawn", "withdraw", "article 5 is already withdrawn"),
        ("withdrawn", "publish", "`qapress unpublish 5` makes it a draft again first"),
        ("withdrawn", "schedule", "`qapress unpublish 5` makes it a draft again first"),
        ("published", "schedule", "unpublish it first to schedule it"),
    ],
)
def test_refused(status: str, action: Action, message: str) -> None:
    with pytest.raises(TransitionRefused, match=message.replace("`", ".")):
        next_status(5, status, action)
