"""The newsroom's templates and the headers of every newsroom response: private, never stored, strict CSP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from starlette.responses import HTMLResponse, RedirectResponse, Response

from qapress.site.assets import StaticAssets
from qapress.site.responses import content_security_policy

#: Every newsroom answer: personal, so neither the browser nor any shared cache may keep it.
CACHE_CONTROL = "private, no-store"


def age(value: Any, now: dt.datetime | None = None) -> str:
    """How long ago a timestamp was, in the largest whole unit (``3 h``, ``2 d``)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    seconds = max(0, int(((now or dt.datetime.now(dt.UTC)) - value).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return "just now"


class NewsroomRenderer:
    def __init__(self, assets: StaticAssets) -> None:
        self.assets = assets
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("qapress.newsroom", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["asset"] = assets.path
        self.env.filters["age"] = age

    def page(self, template: str, origin: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("errors", [])
        context.setdefault("notice", None)
        context.setdefault("account", None)
        context.setdefault("csrf", "")
        context.setdefault("conflict", None)
        body = self.env.get_template(template).render(**context)
        return HTMLResponse(body, status_code=status, headers=private_headers(origin))


def private_headers(origin: str) -> dict[str, str]:
    return {"Cache-Control": CACHE_CONTROL, "Content-Security-Policy": content_security_policy(origin)}


def redirect(location: str) -> Response:
    """A 303 after a POST (or to the sign-in page), as private as any newsroom page."""
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": CACHE_CONTROL})
