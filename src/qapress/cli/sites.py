"""Verbs for the network's sites: ``qapress sites add|list|edit|remove``."""

from __future__ import annotations

from typing import Annotated

import typer

from qapress.cli.context import open_store
from qapress.cli.errors import stderr
from qapress.store.hosts import display_host, normalize_site_host
from qapress.store.sites import SiteFields, add_site, edit_site, list_sites, remove_site

app = typer.Typer(
    name="sites",
    help="The network's sites: add one, list them, change or remove one.",
    no_args_is_help=True,
    add_completion=False,
)

Host = Annotated[str, typer.Argument(help="The site's host name, e.g. news.example.com (IDNA allowed).")]


@app.command()
def add(
    host: Host,
    name: Annotated[str, typer.Option("--name", help="The site's name, shown in its masthead.")],
    lang: Annotated[str, typer.Option("--lang", help="The pages' language tag (en, de, pt-BR ...).")] = "en",
    tagline: Annotated[str, typer.Option("--tagline", help="One line under the name.")] = "",
) -> None:
    """Add a site; its host starts serving at once (no restart)."""
    normalize_site_host(host)  # a mistyped host is named before the store is even opened
    site = add_site(open_store(), SiteFields(host, name, lang, tagline))
    stderr.print(f"site {site.id} added: {site.host} ({site.name})", markup=False)


@app.command("list")
def list_() -> None:
    """List the sites: id, host, language, name, then drafts/published/withdrawn articles and pending links."""
    sites = list_sites(open_store())
    for site in sites:
        c = site.counts
        shown = (
            site.host if display_host(site.host) == site.host else f"{site.host} ({display_host(site.host)})"
        )
        typer.echo(
            f"{site.id}\t{shown}\t{site.language}\t{site.name}\t"
            f"drafts {c.drafts}, published {c.published}, withdrawn {c.withdrawn}, pending links {c.pending_links}"
        )
    stderr.print(f"{len(sites)} sites", markup=False)


@app.command()
def edit(
    host: Host,
    new_host: Annotated[str | None, typer.Option("--host", help="A new host name.")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    lang: Annotated[str | None, typer.Option("--lang")] = None,
    tagline: Annotated[str | None, typer.Option("--tagline")] = None,
) -> None:
    """Change a site's host, name, language or tagline (what is not given stays)."""
    site = edit_site(open_store(), host, new_host=new_host, name=name, language=lang, tagline=tagline)
    stderr.print(f"site {site.id} is now {site.host} ({site.name}, {site.language})", markup=False)


@app.command()
def remove(
    host: Host,
    withdraw_all: Annotated[
        bool, typer.Option("--withdraw-all", help="Withdraw the site's articles instead of refusing.")
    ] = False,
) -> None:
    """Remove a site that has no articles; refuses otherwise, unless --withdraw-all."""
    removal = remove_site(open_store(), host, withdraw_all=withdraw_all)
    if removal.removed:
        stderr.print(f"site {removal.host} removed", markup=False)
    else:
        stderr.print(
            f"withdrew {removal.withdrawn} articles of {removal.host}; the site stays listed while it has "
            "articles, so that their pages answer 410 Gone",
            markup=False,
        )
