"""The readers' link form as the page renders it: its signed token and the input it keeps on a refusal.

Its texts and field names come from ``qapress.links.form``, so the form and the rules say the same things.

The token is signed with the app's secret (itsdangerous) and bound to the article, so a form posted from
another page or site, or a forged one, is refused; ``check_origin`` also refuses posts whose ``Origin``
names another site. Rendered pages are shared by every reader, so the token is per page, not per reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from qapress.links.form import CONSENT_TEXT, RULES_TEXT

__all__ = [
    "ACCEPTED_NOTICE",
    "CONSENT_TEXT",
    "REFUSAL_STATUS",
    "FormState",
    "FormTokens",
    "LinkForm",
    "origin_allowed",
    "rules_text",
]


def rules_text(max_per_page: int = 5) -> str:
    """The rules under the form, as the seed shows them, with the configured number of links."""
    return RULES_TEXT.format(max_per_page=max_per_page)


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


@dataclass(frozen=True)
class FormState:
    """What a POST leaves in the form: the reader's input and a refusal, or a thank-you notice."""

    url: str = ""
    consent: bool = False
    error: str | None = None
    notice: str | None = None

    def refused(self, message: str) -> FormState:
        return FormState(self.url, self.consent, error=message)


ACCEPTED_NOTICE = (
    "Thank you. Your link will appear here once we have found the link back to this article on its page."
)

#: HTTP statuses of refusals the reader can act on differently (``LinkRuleError.code`` -> status).
REFUSAL_STATUS = {
    "link-duplicate": 409,
    "link-page-full": 409,
    "link-rate-limited": 429,
    "link-request-too-large": 413,
    "link-article-not-found": 404,
}


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
