"""Pages as pure functions: view model in, HTML out. The app calls these; tests call them with plain data."""

from __future__ import annotations

from typing import Any

from qapress.site import jsonld
from qapress.site.domains import Domain
from qapress.site.forms import LinkForm
from qapress.site.render import Renderer
from qapress.site.urls import SiteURLs
from qapress.site.views import ArticlePage


def article_html(
    renderer: Renderer,
    site: Domain,
    urls: SiteURLs,
    page: ArticlePage,
    form: LinkForm,
    debug: dict[str, str] | None = None,
) -> str:
    """The article page: body, FAQ, related blocks, readers' links, the form, JSON-LD and sharing meta."""
    faq = jsonld.faq_page(page)
    structured: dict[str, Any] = {
        "article": jsonld.script_json(jsonld.news_article(page, site, urls.home())),
        "faq": jsonld.script_json(faq) if faq else None,
    }
    return renderer.render(
        "article.html",
        site=site,
        urls=urls,
        page=page,
        canonical=page.article.url,
        jsonld=structured,
        form=form,
        debug=debug,
    )
