"""Generated PNGs of a site: an article's sharing card (og:image) and the touch icons, drawn with Pillow.

Pure functions of their text and the site's identity (``favicon.site_colour`` / ``site_initial``), so the same
input always gives the same bytes and the routes can answer with an ETag of their input. The font is Pillow's
own (``ImageFont.load_default``), so no system font is needed.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from qapress.site.favicon import site_colour, site_initial

#: Open Graph's recommended size for a large card.
CARD_SIZE = (1200, 630)
#: Apple's touch icon, and the web app manifest's two usual sizes.
TOUCH_ICON_SIZES = (180, 192, 512)
_MARGIN = 72
_TITLE_SIZE = 64
_TITLE_LINES = 5


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def _png(image: Image.Image) -> bytes:
    """The image as an optimized PNG of 16 colours: white text antialiased on one colour needs no more,
    and a card weighs a quarter of its full-colour bytes (the home page's lead image is its largest paint)."""
    out = io.BytesIO()
    image.quantize(colors=16).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of at most ``width`` pixels, the last cut with an ellipsis."""
    font = _font(size)
    out: list[str] = []
    current = ""
    words = text.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines:
            current = ""
            rest = " ".join(words[index:])
            last = out[-1]
            while last and draw.textlength(last + " …", font=font) > width:
                last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
            out[-1] = f"{last} …" if rest else last
            break
    if current:
        out.append(current)
    return out


def card_png(title: str, site_name: str, host: str, dated: str = "") -> bytes:
    """A 1200x630 card: the site's name, the article's title in white on the site's colour, its date."""
    image = Image.new("RGB", CARD_SIZE, site_colour(host))
    draw = ImageDraw.Draw(image)
    width = CARD_SIZE[0] - 2 * _MARGIN
    draw.text((_MARGIN, _MARGIN), site_name, font=_font(36), fill="#ffffff")
    draw.line((_MARGIN, _MARGIN + 56, _MARGIN + 120, _MARGIN + 56), fill="#ffffff", width=4)
    y = _MARGIN + 96
    for line in _wrap(draw, title, _TITLE_SIZE, width, _TITLE_LINES):
        draw.text((_MARGIN, y), line, font=_font(_TITLE_SIZE), fill="#ffffff")
        y += int(_TITLE_SIZE * 1.2)
    if dated:
        draw.text((_MARGIN, CARD_SIZE[1] - _MARGIN - 30), dated, font=_font(30), fill="#ffffff")
    return _png(image)


def touch_icon_png(site_name: str, host: str, size: int) -> bytes:
    """A square icon of ``size`` pixels: the site's initial on its colour, full bleed (the OS rounds it)."""
    image = Image.new("RGB", (size, size), site_colour(host))
    draw = ImageDraw.Draw(image)
    font = _font(int(size * 0.6))
    draw.text((size / 2, size / 2), site_initial(site_name), font=font, fill="#ffffff", anchor="mm")
    return _png(image)


def image_etag(*parts: str) -> str:
    """A strong ETag for an image drawn from ``parts`` (the drawing is deterministic for its inputs)."""
    digest = hashlib.blake2b("\x00".join(("images-1", *parts)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'
