"""The templates: a Jinja2 environment with autoescape on for HTML and XML, and the page queries beside them.

Rendering is a pure function of its context; the routes build the context from a GraphQL response.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

from qapress.site.assets import StaticAssets
from qapress.site.favicon import site_colour
from qapress.site.linkify import linkify
from qapress.site.views import long_date

#: The pages' queries (``templates/<name>.graphql``), registered as trusted documents when the site starts.
PAGE_QUERIES = tuple(
    sorted(
        entry.name.removesuffix(".graphql")
        for entry in resources.files("qapress.site").joinpath("templates").iterdir()
        if entry.name.endswith(".graphql")
    )
)


@cache
def page_query(name: str) -> str:
    """The GraphQL query of a page, from ``templates/<name>.graphql``."""
    return resources.files("qapress.site").joinpath("templates", f"{name}.graphql").read_text("utf-8")


@jinja2.pass_context
def _asset_url(context: jinja2.runtime.Context, name: str) -> str:
    renderer: Renderer = context["renderer"]
    return str(context["urls"].path(renderer.assets.path(name)))


class Renderer:
    """Renders the site's templates; ``asset('site.css')`` in a template gives the asset's absolute URL."""

    def __init__(self, assets: StaticAssets) -> None:
        self.assets = assets
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("qapress.site", "templates"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml"), default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # The templates ship inside the package and never change under a running process: no stat of
            # each template file on every render. Compiled templates stay in Jinja2's in-memory cache (no
            # bytecode cache on disk: nothing is written beside the package).
            auto_reload=False,
        )
        self.env.filters["long_date"] = long_date
        self.env.filters["linkify"] = linkify
        self.env.filters["site_colour"] = site_colour
        self.env.globals["asset"] = _asset_url

    def render(self, template: str, **context: Any) -> str:
        context.setdefault("debug", None)
        context.setdefault("canonical", None)
        return self.env.get_template(template).render(renderer=self, **context)
