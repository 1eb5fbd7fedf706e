"""The ASGI application that ``qapress serve`` runs."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app() -> Starlette:
    """Build the application from the environment's settings."""
    return Starlette(routes=[Route("/healthz", healthz)])
