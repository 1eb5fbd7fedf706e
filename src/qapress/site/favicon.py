"""A site's icon: an SVG square with the site's initial, made from its name (no image files to keep).

The colour and the initial are the site's identity for every generated image (``touch_icons``, ``cards``).
"""

from __future__ import annotations

import hashlib

from markupsafe import escape

#: Background colours dark enough for white text (WCAG AA at this size), picked by the site's host.
_COLOURS = ("#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0f766e", "#be185d", "#374151")


def site_colour(host: str) -> str:
    """The site's colour, stable for its host."""
    return _COLOURS[hashlib.sha256(host.encode()).digest()[0] % len(_COLOURS)]


def site_initial(name: str) -> str:
    """The first letter or digit of the site's name, upper case (``?`` when there is none)."""
    return next((c for c in name if c.isalnum()), "?").upper()


def favicon_svg(name: str, host: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="12" fill="{site_colour(host)}"/>'
        '<text x="32" y="44" font-family="Georgia, serif" font-size="38" font-weight="700" '
        f'text-anchor="middle" fill="#fff">{escape(site_initial(name))}</text></svg>'
    ).encode()
