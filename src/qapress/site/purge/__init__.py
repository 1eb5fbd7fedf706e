"""Purging the proxies and CDNs in front of qapress by cache tag, from a queue kept in the database.

``adapters`` holds one ``Purger`` per kind of cache (Varnish with the shipped VCL, Fastly, Cloudflare, a
generic webhook) behind one interface; ``queue`` claims the tags the triggers queued (migration 0012),
hands them to every configured purger and deletes them only once all took them; a failure waits with
exponential backoff, so a proxy that is down gets its purges when it is back.
"""

from qapress.site.purge.adapters import (
    CloudflarePurger,
    FastlyPurger,
    PurgeError,
    Purger,
    VarnishPurger,
    WebhookPurger,
    purgers_from_settings,
)
from qapress.site.purge.queue import PurgeQueue, PurgeResult, PurgeWorker

__all__ = [
    "CloudflarePurger",
    "FastlyPurger",
    "PurgeError",
    "PurgeQueue",
    "PurgeResult",
    "PurgeWorker",
    "Purger",
    "VarnishPurger",
    "WebhookPurger",
    "purgers_from_settings",
]
