"""Debian's Chromium through Playwright, for the browser tests (the ``browser`` fixture is in conftest)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from tests.conftest import missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """A headless Chromium, or a skip (a failure under CI) saying what is missing."""
    if not shutil.which(CHROMIUM):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def open_page(browser: Browser, url: str, **options: Any) -> tuple[Page, Any]:
    """A new context's page at ``url`` (``options`` go to the context: viewport, bypass_csp ...)."""
    context = browser.new_context(**options)
    page = context.new_page()
    response = page.goto(url)
    return page, response


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (headless), one per test module; skips (fails under CI) without it."""
    with launched_chromium() as chromium:
        yield chromium
