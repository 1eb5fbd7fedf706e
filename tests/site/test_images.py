"""Generated images: an article's sharing card at a stable URL with an ETag, and the touch icons and manifest
of each site, drawn with Pillow from the site's colour and initial."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import sqlalchemy as sa
from PIL import Image

from qapress.site.favicon import site_colour
from qapress.site.images import CARD_SIZE, card_png, touch_icon_png
from qapress.store.demo import SEED_ARTICLE_ID
from qapress.store.schema import qa_ai

if TYPE_CHECKING:
    from tests.site.live import LiveSite


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_a_card_is_the_title_on_the_sites_colour() -> None:
    body = card_png("A title " * 40, "Screen Q&A", "screen.localhost", "February 25, 2026")
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG" and image.size == CARD_SIZE
    rgb = image.convert("RGB")
    assert rgb.getpixel((5, 5)) == _rgb(site_colour("screen.localhost"))
    assert (255, 255, 255) in {rgb.getpixel((x, 300)) for x in range(72, 700)}  # text drawn in white
    assert body == card_png("A title " * 40, "Screen Q&A", "screen.localhost", "February 25, 2026")
    assert len(body) < 40_000  # the home page's lead image: small enough for a fast first paint


def test_touch_icons_are_square_pngs_of_the_sites_colour() -> None:
    for size in (180, 192, 512):
        image = Image.open(io.BytesIO(touch_icon_png("Screen Q&A", "screen.localhost", size)))
        assert image.size == (size, size)
        assert image.convert("RGB").getpixel((1, 1)) == _rgb(site_colour("screen.localhost"))


def test_the_card_route_answers_with_an_etag_and_304(live: LiveSite) -> None:
    first = live.get(f"/card/{SEED_ARTICLE_ID}.png")
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(first.content)).size == CARD_SIZE
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = live.get(f"/card/{SEED_ARTICLE_ID}.png", **{"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    # Another site does not draw this site's article; an unknown id is a 404.
    assert live.get(f"/card/{SEED_ARTICLE_ID}.png", host="news.localhost").status_code == 404
    assert live.get("/card/99999999.png").status_code == 404


def test_a_new_title_is_a_new_etag_and_drafts_have_no_card(live: LiveSite) -> None:
    before = live.get(f"/card/{SEED_ARTICLE_ID}.png").headers["etag"]
    with live.engine.begin() as connection:
        title = connection.execute(sa.select(qa_ai.c.title).where(qa_ai.c.id == SEED_ARTICLE_ID)).scalar_one()
        connection.execute(
            qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title + " (updated)")
        )
    try:
        assert live.get(f"/card/{SEED_ARTICLE_ID}.png").headers["etag"] != before
        with live.engine.begin() as connection:
            connection.execute(qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(status="draft"))
        assert live.get(f"/card/{SEED_ARTICLE_ID}.png").status_code == 404
    finally:
        with live.engine.begin() as connection:
            connection.execute(
                qa_ai.update().where(qa_ai.c.id == SEED_ARTICLE_ID).values(title=title, status="published")
            )
    assert live.get(f"/card/{SEED_ARTICLE_ID}.png").headers["etag"] == before


def test_touch_icons_and_the_manifest_per_site(live: LiveSite) -> None:
    apple = live.get("/apple-touch-icon.png")
    assert apple.status_code == 200 and Image.open(io.BytesIO(apple.content)).size == (180, 180)
    news = live.get("/apple-touch-icon.png", host="news.localhost")
    assert news.content != apple.content
    assert live.get("/icon-512.png").status_code == 200 and live.get("/icon-77.png").status_code == 404
    manifest = live.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == "Screen Q&A" and body["theme_color"] == site_colour("screen.localhost")
    assert [icon["sizes"] for icon in body["icons"]] == ["192x192", "512x512"]
    for icon in body["icons"]:
        assert live.get(icon["src"].split(str(live.port), 1)[1]).status_code == 200
    page = live.get("/").text
    assert f'rel="apple-touch-icon" href="{live.url("/apple-touch-icon.png")}"' in page
    assert f'rel="manifest" href="{live.url("/manifest.webmanifest")}"' in page
