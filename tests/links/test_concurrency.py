"""The rules hold under concurrent HTTP submissions, on SQLite and PostgreSQL.

A small Starlette app on uvicorn exposes a POST endpoint over ``submit_link`` (the site's form will call the
same function); 20 httpx requests are sent at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qapress.links.errors import LinkRuleError
from qapress.links.rules import LinkRules, check_request_size
from qapress.links.submit import Accepted, submit_link

from .conftest import link_rows
from .servers import serve_asgi


def submission_app(engine: Engine, rules: LinkRules) -> Starlette:
    async def submit(request: Request) -> Response:
        length = request.headers.get("content-length")
        try:
            check_request_size(int(length) if length and length.isdigit() else None, rules)
        except LinkRuleError as error:
            return JSONResponse({"code": error.code, "message": error.message}, status_code=413)
        form = await request.form()
        ip = request.headers.get("x-test-client") or (request.client.host if request.client else None)
        result = await run_in_threadpool(
            submit_link,
            engine,
            int(str(form["article_id"])),
            str(form.get("url", "")),
            form.get("consent") == "on",
            ip,
            str(form.get("website", "")),
            rules=rules,
            salt="test-salt",
        )
        if isinstance(result, Accepted):
            return JSONResponse({"id": result.id, "status": result.status}, status_code=201)
        return JSONResponse({"code": result.code, "message": result.message}, status_code=422)

    return Starlette(routes=[Route("/links", submit, methods=["POST"])])


def post_concurrently(
    base_url: str, forms: list[tuple[dict[str, str], dict[str, str]]]
) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(forms))
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            return list(
                await asyncio.gather(
                    *(client.post("/links", data=data, headers=headers) for data, headers in forms)
                )
            )

    return asyncio.run(run())


def test_twenty_submissions_to_one_page_yield_five(engine: Engine, article: int) -> None:
    forms = [
        (
            {"article_id": str(article), "url": f"https://example.com/{n}", "consent": "on"},
            {"x-test-client": f"203.0.113.{n}"},
        )
        for n in range(20)
    ]
    with serve_asgi(submission_app(engine, LinkRules())) as base_url:
        responses = post_concurrently(base_url, forms)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 5 + [422] * 15
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"link-page-full"}
    assert len(link_rows(engine)) == 5


def test_twenty_submissions_of_one_url_yield_one(engine: Engine, article: int) -> None:
    spellings = ["https://example.com/a", "HTTPS://EXAMPLE.COM/a#x", "https://example.com:443/a?utm_source=n"]
    forms = [
        (
            {"article_id": str(article), "url": spellings[n % 3], "consent": "on"},
            {"x-test-client": f"203.0.113.{n}"},
        )
        for n in range(20)
    ]
    with serve_asgi(submission_app(engine, LinkRules(max_per_page=50))) as base_url:
        responses = post_concurrently(base_url, forms)
    assert sorted(response.status_code for response in responses) == [201] + [422] * 19
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"link-duplicate"}
    assert len(link_rows(engine)) == 1


def test_rate_limit_holds_across_pages(engine: Engine, new_article: Callable[[], int]) -> None:
    articles = [new_article() for _ in range(20)]
    forms = [
        (
            {"article_id": str(articles[n]), "url": "https://example.com/", "consent": "on"},
            {"x-test-client": "198.51.100.9"},
        )
        for n in range(20)
    ]
    with serve_asgi(submission_app(engine, LinkRules(rate_limit_per_hour=10))) as base_url:
        responses = post_concurrently(base_url, forms)
    assert sorted(response.status_code for response in responses) == [201] * 10 + [422] * 10
    assert {r.json()["code"] for r in responses if r.status_code == 422} == {"link-rate-limited"}
    assert len(link_rows(engine)) == 10


def test_site_wide_duplicates_hold_across_pages(engine: Engine, new_article: Callable[[], int]) -> None:
    articles = [new_article() for _ in range(20)]
    forms = [
        (
            {"article_id": str(articles[n]), "url": "https://example.com/same", "consent": "on"},
            {"x-test-client": f"203.0.113.{n}"},
        )
        for n in range(20)
    ]
    with serve_asgi(submission_app(engine, LinkRules(duplicates_site_wide=True))) as base_url:
        responses = post_concurrently(base_url, forms)
    assert sorted(response.status_code for response in responses) == [201] + [422] * 19
    assert len(link_rows(engine)) == 1


def test_an_oversized_form_is_refused_before_it_is_read(engine: Engine, article: int) -> None:
    padding = "x" * 20_000
    forms = [
        ({"article_id": str(article), "url": "https://example.com/", "consent": "on", "pad": padding}, {})
    ]
    with serve_asgi(submission_app(engine, LinkRules())) as base_url:
        (response,) = post_concurrently(base_url, forms)
    assert response.status_code == 413 and response.json()["code"] == "link-request-too-large"
    assert link_rows(engine) == []
