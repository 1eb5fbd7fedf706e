"""The errors of ``qapress.links``: one hierarchy.

``LinkRuleError``s are refusals of a reader's submission: each has a GraphQL error ``code`` and a
reader-facing ``message`` (shown next to the form). ``FetchError``s say why a submitted page could not be
checked; their message is what a moderator reads as the link's ``reason``.
"""

from __future__ import annotations


class LinksError(Exception):
    """Base of every error raised by ``qapress.links``."""


class ModerationError(LinksError):
    """A moderation command cannot be carried out; the message says why."""


class LinkNotFound(ModerationError):
    """A moderation command named a link id that does not exist."""


class LinkRuleError(LinksError):
    """A submission broke one of the page's rules; nothing was stored."""

    code = "link-rule"
    default_message = "This link cannot be added."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConsentRequired(LinkRuleError):
    code = "link-consent-required"
    default_message = (
        "Please tick the box to confirm you have the right to share this link "
        "and that the linked page links back to this article."
    )


class InvalidURL(LinkRuleError):
    code = "link-url-invalid"
    default_message = "Enter the full address of a web page, starting with http:// or https://."


class URLTooLong(LinkRuleError):
    code = "link-url-too-long"
    default_message = "That address is too long."


class URLHasCredentials(LinkRuleError):
    code = "link-url-credentials"
    default_message = "Remove the user name and password from the address."


class HostNotPublic(LinkRuleError):
    code = "link-url-host"
    default_message = "The address must be on a public website (a domain such as example.com)."


class AddressNotAllowed(LinkRuleError):
    code = "link-url-address"
    default_message = "That address points to a private or reserved network; we only check public web pages."


class PortNotAllowed(LinkRuleError):
    code = "link-url-port"
    default_message = "Only addresses on the usual web ports (80 and 443) can be checked."


class DuplicateLink(LinkRuleError):
    code = "link-duplicate"
    default_message = "This link has already been submitted for this page."


class PageFull(LinkRuleError):
    code = "link-page-full"
    default_message = "This page already has the most links it takes."


class RateLimited(LinkRuleError):
    code = "link-rate-limited"
    default_message = "You have submitted many links in the last hour; please try again later."


class HoneypotFilled(LinkRuleError):
    code = "link-honeypot"
    default_message = "Your submission looks automated; leave the hidden field empty and try again."


class RequestTooLarge(LinkRuleError):
    code = "link-request-too-large"
    default_message = "The form you sent is too large."


class ArticleNotFound(LinkRuleError):
    code = "link-article-not-found"
    default_message = "This article does not exist or is not published, so it takes no links."


class HostBlocked(LinkRuleError):
    """A moderator blocked the link's host or its whole registered domain (``qapress links block``)."""

    code = "link-host-blocked"
    default_message = "Links to this website are not accepted."


class FetchError(LinksError):
    """A submitted page could not be checked. ``transient`` errors are worth another try later."""

    transient = False


class BlockedAddress(FetchError):
    """The page's host is, or resolves to, an address the fetch policy forbids."""


class BlockedURL(FetchError):
    """The URL (or a redirect's target) is not one the fetcher may follow: scheme, port, credentials."""


class TooManyRedirects(FetchError):
    pass


class PageTooLarge(FetchError):
    pass


class UnacceptedContentType(FetchError):
    """The page's Content-Type is not one the policy accepts (``FetchPolicy.accept_types``)."""

    def __init__(self, message: str, content_type: str = "") -> None:
        super().__init__(message)
        self.content_type = content_type


#: The link checker's name for it: its policy accepts HTML only.
NotHTML = UnacceptedContentType


class HTTPStatusError(FetchError):
    """The page answered with an error status; 5xx and 429 are transient."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
        self.transient = status >= 500 or status == 429


class FetchTimeout(FetchError):
    transient = True


class NetworkError(FetchError):
    transient = True
