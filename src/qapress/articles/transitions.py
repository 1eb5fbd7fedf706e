"""Which publishing action applies to which status, pure.

    draft ──publish──▶ published ──withdraw──▶ withdrawn (the page answers 410)
      │  ▲                 │                       │
      │  └───unpublish─────┴───────────────────────┘
      └─schedule─▶ scheduled ──(due: the worker)──▶ published

A scheduled article can be published now, rescheduled, unpublished (back to draft) or withdrawn; a
withdrawn one comes back only as a draft, so that publishing it again is a deliberate second step.
"""

from __future__ import annotations

from typing import Literal

from qapress.articles.errors import TransitionRefused

Action = Literal["publish", "schedule", "unpublish", "withdraw"]

#: action -> (the statuses it applies to, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft", "scheduled"}), "published"),
    "schedule": (frozenset({"draft", "scheduled"}), "scheduled"),
    "unpublish": (frozenset({"published", "scheduled", "withdrawn"}), "draft"),
    "withdraw": (frozenset({"draft", "scheduled", "published"}), "withdrawn"),
}


def next_status(article_id: int, status: str, action: Action) -> str:
    """The status ``action`` moves an article in ``status`` to; ``TransitionRefused`` says why not."""
    sources, target = TRANSITIONS[action]
    if status in sources:
        return target
    if status == target:
        already = {"draft": "a draft"}.get(status, status)
        raise TransitionRefused(f"article {article_id} is already {already}")
    if status == "withdrawn":
        raise TransitionRefused(
            f"article {article_id} is withdrawn; `qapress unpublish {article_id}` makes it a draft again first"
        )
    if status == "published" and action == "schedule":
        raise TransitionRefused(
            f"article {article_id} is already published; unpublish it first to schedule it"
        )
    raise TransitionRefused(f"article {article_id} is {status}: it cannot be {action}ed")  # pragma: no cover
