"""The readers' link form: its text, its signed token and the values it keeps when a submission is refused.

The token is signed with the app's secret (itsdangerous) and bound to the article, so a form posted from
another page or site, or a forged one, is refused; ``check_origin`` also refuses posts whose ``Origin``
names another site. Rendered pages are shared by every reader, so the token is per page, not per reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

#: The consent sentence and the rules, as the seed's page shows them.
CONSENT_TEXT = (
    "By submitting, I confirm I have the right to share this link and I agree to link back to this article "
    "from the submitted page."
)


def rules_text(max_per_page: int = 5) -> str:
    return f"Duplicate URLs are rejected. Up to {max_per_page} links per page."


#: How long a rendered form stays valid; cached pages are re-rendered well before (see ``PageCache``).
TOKEN_MAX_AGE_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class LinkForm:
    """What the form shows: where it posts, its token, the kept input and a message."""

    action: str
    csrf: str
    url: str = ""
    consent: bool = False
    error: str | None = None
    notice: str | None = None
    consent_text: str = CONSENT_TEXT
    rules_text: str = rules_text()


class FormTokens:
    """Signs and checks the form's token: ``article id`` signed with a timestamp."""

    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="qapress.site.link-form")

    def issue(self, article_id: int) -> str:
        return self.serializer.dumps(article_id)

    def valid(self, token: str, article_id: int) -> bool:
        try:
            value = self.serializer.loads(token, max_age=TOKEN_MAX_AGE_SECONDS)
        except (BadSignature, SignatureExpired):
            return False
        return bool(value == article_id)


def origin_allowed(origin: str | None, site_origins: set[str]) -> bool:
    """A post is from the site itself when ``Origin`` is absent (older clients) or one of its origins."""
    return origin is None or origin in site_origins
