"""One ``Purger`` per kind of cache: each turns a batch of cache tags into that cache's purge request(s).

The endpoints are an operator's settings, not user input: a plain ``httpx.Client`` (no SSRF checks), with
the base URLs configurable so that tests (and private gateways) can stand in for the public APIs.

- Varnish: ``PURGE /`` with ``xkey-purge: tag tag ...`` (``site/varnish/qapress.vcl`` hands it to the
  ``xkey`` vmod of varnish-modules, which Debian packages), or, for a Varnish without that vmod, ``BAN /``
  with ``x-ban-tags: tag tag ...`` (``qapress-ban.vcl`` bans the objects carrying one of them), to every
  configured instance.
- Fastly: ``POST /service/{id}/purge`` with ``{"surrogate_keys": [...]}`` (at most 256 keys a request).
- Cloudflare: ``POST /zones/{zone}/purge_cache`` with ``{"tags": [...]}`` (at most 30 tags a request).
- Webhook: ``POST`` of ``{"tags": [...]}``; any 2xx is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import httpx

from qapress.settings import Settings


class PurgeError(Exception):
    """A purge request that failed: which cache, and what happened."""

    def __init__(self, target: str, detail: str) -> None:
        super().__init__(f"{target}: {detail}")
        self.target = target
        self.detail = detail


class Purger(Protocol):
    @property
    def name(self) -> str:
        """Where purges go, for messages and logs."""

    @property
    def max_tags(self) -> int:
        """The most tags one request may carry."""

    def send(self, client: httpx.Client, tags: Sequence[str]) -> None:
        """Purge ``tags`` (at most ``max_tags``); raise :class:`PurgeError` unless the cache took them."""


def _post(client: httpx.Client, target: str, method: str, url: str, **kwargs: object) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise PurgeError(target, f"{exc.__class__.__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise PurgeError(target, f"answered {response.status_code}: {response.text[:200]}")
    return response


#: How a Varnish is purged: the xkey vmod's purge by key, or a ban of the objects carrying a tag.
VarnishMethod = Literal["xkey", "ban"]


@dataclass(frozen=True)
class VarnishPurger:
    base_url: str
    method: VarnishMethod = "xkey"
    max_tags: int = 100

    @property
    def name(self) -> str:
        return f"varnish {self.base_url}" + (" (ban)" if self.method == "ban" else "")

    def send(self, client: httpx.Client, tags: Sequence[str]) -> None:
        url = self.base_url.rstrip("/") + "/"
        if self.method == "ban":
            _post(client, self.name, "BAN", url, headers={"x-ban-tags": " ".join(tags)})
        else:
            _post(client, self.name, "PURGE", url, headers={"xkey-purge": " ".join(tags)})


@dataclass(frozen=True)
class FastlyPurger:
    service_id: str
    api_token: str
    base_url: str = "https://api.fastly.com"
    max_tags: int = 256

    @property
    def name(self) -> str:
        return f"fastly service {self.service_id}"

    def send(self, client: httpx.Client, tags: Sequence[str]) -> None:
        url = f"{self.base_url.rstrip('/')}/service/{self.service_id}/purge"
        headers = {"Fastly-Key": self.api_token, "Accept": "application/json"}
        _post(client, self.name, "POST", url, headers=headers, json={"surrogate_keys": list(tags)})


@dataclass(frozen=True)
class CloudflarePurger:
    zone_id: str
    api_token: str
    base_url: str = "https://api.cloudflare.com/client/v4"
    max_tags: int = 30

    @property
    def name(self) -> str:
        return f"cloudflare zone {self.zone_id}"

    def send(self, client: httpx.Client, tags: Sequence[str]) -> None:
        url = f"{self.base_url.rstrip('/')}/zones/{self.zone_id}/purge_cache"
        headers = {"Authorization": f"Bearer {self.api_token}"}
        response = _post(client, self.name, "POST", url, headers=headers, json={"tags": list(tags)})
        try:
            success = response.json().get("success") is True
        except ValueError:
            success = False
        if not success:
            raise PurgeError(self.name, f"did not report success: {response.text[:200]}")


@dataclass(frozen=True)
class WebhookPurger:
    url: str
    max_tags: int = 1000

    @property
    def name(self) -> str:
        return f"webhook {self.url}"

    def send(self, client: httpx.Client, tags: Sequence[str]) -> None:
        _post(client, self.name, "POST", self.url, json={"tags": list(tags)})


def purgers_from_settings(settings: Settings) -> list[Purger]:
    """Every purger the settings configure (none: the queue is drained without sending anything)."""
    purgers: list[Purger] = [
        VarnishPurger(url, settings.purge_varnish_method) for url in settings.purge_varnish_urls
    ]
    if settings.purge_fastly_service_id and settings.purge_fastly_api_token:
        purgers.append(
            FastlyPurger(
                settings.purge_fastly_service_id,
                settings.purge_fastly_api_token.get_secret_value(),
                settings.purge_fastly_base_url,
            )
        )
    if settings.purge_cloudflare_zone_id and settings.purge_cloudflare_api_token:
        purgers.append(
            CloudflarePurger(
                settings.purge_cloudflare_zone_id,
                settings.purge_cloudflare_api_token.get_secret_value(),
                settings.purge_cloudflare_base_url,
            )
        )
    if settings.purge_webhook_url:
        purgers.append(WebhookPurger(settings.purge_webhook_url))
    return purgers
