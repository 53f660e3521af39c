"""``GET /health``: what pbx is connected to, for ``stack status`` and monitoring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web


def health_app(report: Callable[[], dict[str, Any]]) -> web.Application:
    async def health(request: web.Request) -> web.Response:
        body = report()
        return web.json_response(body, status=200 if body["ok"] else 503)

    app = web.Application()
    app.router.add_get("/health", health)
    return app
