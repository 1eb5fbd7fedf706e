"""The link form's fields and texts, so the site's form and the rules speak of the same things.

The site renders the form (POST, CSRF token, no JavaScript needed) and hands the posted fields to
``read_link_form``; the result goes to ``submit_link``. ``HONEYPOT_FIELD`` is an input hidden from people
(off-screen, ``tabindex=-1``, ``autocomplete=off``) that bots fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qapress.links.errors import InvalidURL

#: The seed's sentence, shown beside the required consent checkbox.
CONSENT_TEXT = (
    "By submitting, I confirm I have the right to share this link and I agree to link back to this article "
    "from the submitted page."
)
#: The seed's rules, shown under the form.
RULES_TEXT = "Duplicate URLs are rejected. Up to {max_per_page} links per page."

URL_FIELD = "url"
CONSENT_FIELD = "consent"
HONEYPOT_FIELD = "website"


@dataclass(frozen=True)
class LinkForm:
    """What a reader posted; ``url`` exactly as typed, so the page can show it again on an error."""

    url: str
    consent: bool
    honeypot: str


def read_link_form(fields: Mapping[str, object]) -> LinkForm:
    """The form's fields; a checkbox counts as ticked when present with any value but "" or "off"."""
    url = fields.get(URL_FIELD, "")
    honeypot = fields.get(HONEYPOT_FIELD, "")
    consent = fields.get(CONSENT_FIELD)
    if not isinstance(url, str) or not isinstance(honeypot, str):
        raise InvalidURL()
    ticked = isinstance(consent, str) and consent.strip().lower() not in ("", "off", "false", "0")
    return LinkForm(url=url, consent=ticked, honeypot=honeypot)
