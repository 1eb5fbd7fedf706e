"""Plain text with its web addresses made links: the outro's credit links the original report.

Stored text is never markup. ``linkify`` escapes every character of it and wraps only ``http(s)://``
addresses in ``<a>`` (``rel="nofollow noopener"``: an address written by a source or a model earns no
ranking and no opener); any other scheme stays text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than an address.
TRAILING = ".,;:!?"


def linkify(text: str) -> Markup:
    """``text`` escaped, with each web address in it a link."""
    link = Markup('<a href="{0}" rel="nofollow noopener">{0}</a>')  # format() escapes the address
    parts: list[Markup] = []
    last = 0
    for match in WEB_ADDRESS.finditer(text):
        address = match.group().rstrip(TRAILING)
        parts += [escape(text[last : match.start()]), link.format(address)]
        last = match.start() + len(address)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
