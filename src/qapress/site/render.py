"""The templates: a Jinja2 environment with autoescape on for HTML and XML, and the page queries beside them.

Rendering is a pure function of its context; the routes build the context from a GraphQL response.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from qapress.site.assets import StaticAssets
from qapress.site.domains import Domain
from qapress.site.favicon import site_colour
from qapress.site.linkify import linkify
from qapress.site.urls import SiteURLs
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


@dataclass(frozen=True)
class SiteChrome:
    """What every page of a site shows around its content (``templates/chrome.html``), already escaped."""

    head_links: Markup
    feed_links: Markup
    masthead: Markup
    footer: Markup


def _escaped(output: Any) -> Markup:
    """A macro's output, which autoescape made ``Markup`` (its values escaped)."""
    if not isinstance(output, Markup):
        raise TypeError(f"a chrome macro gave {type(output).__name__}, not escaped markup")
    return output


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

    def chrome(self, site: Domain, urls: SiteURLs) -> SiteChrome:
        """The site's chrome, rendered once per site and directory: a third of a page's template time was
        these same links, names and URLs, escaped again on every render (the directory is replaced, and
        the chrome with it, when the sites change)."""
        key = (site, urls.scheme, urls.base_url)  # the site's facts themselves: a renamed site is another key
        chrome: SiteChrome | None = urls.directory.chrome.get(key)
        if chrome is None:
            macros = self.env.get_template("chrome.html").make_module(
                {"site": site, "urls": urls, "renderer": self}
            )
            # Each field of SiteChrome is the macro of that name.
            parts = (_escaped(getattr(macros, part.name)()) for part in fields(SiteChrome))
            chrome = urls.directory.chrome[key] = SiteChrome(*parts)
        return chrome

    def render(self, template: str, **context: Any) -> str:
        context.setdefault("debug", None)
        context.setdefault("canonical", None)
        site, urls = context.get("site"), context.get("urls")
        if isinstance(site, Domain) and isinstance(urls, SiteURLs):
            context["chrome"] = self.chrome(site, urls)
        return self.env.get_template(template).render(renderer=self, **context)
