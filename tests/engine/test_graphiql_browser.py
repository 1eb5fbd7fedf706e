"""GraphiQL, served from the package under a strict CSP, loads in a real Chromium and runs a query."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from qapress.engine import GraphQLEngine, qapress_metadata
from qapress.engine.http import graphql_routes
from qapress.store import migrate, open_engine

from .engine_rows import load_rows
from .test_http import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def graphiql_server(tmp_path: Path) -> Iterator[httpx.Client]:
    """The page does not depend on the database: one SQLite store is enough."""
    engine = open_engine(f"sqlite:///{tmp_path / 'graphiql.db'}")
    migrate(engine)
    load_rows(engine)
    gql = GraphQLEngine(engine, qapress_metadata())
    try:
        with LiveServer(Starlette(routes=graphql_routes(gql))) as client:
            yield client
    finally:
        gql.close()
        engine.dispose()


def test_graphiql_runs_a_query_without_csp_violations(graphiql_server: httpx.Client) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and no chromium on PATH")
        pytest.skip("no chromium on PATH")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on(
                "console",
                lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
            )
            page.goto(f"{graphiql_server.base_url}/v1/graphql")
            page.wait_for_selector(".graphiql-container", timeout=20_000)
            editor = page.locator(".graphiql-query-editor .CodeMirror").first
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.type("{ domain_by_pk(id: 2) { name ")
            page.locator(".graphiql-execute-button").click()
            page.wait_for_selector(".result-window >> text=Beta", timeout=20_000)
        finally:
            browser.close()
    assert problems == []
