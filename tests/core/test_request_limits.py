"""The ASGI body limit: a body over its route's limit never reaches Django (413 naming the limit)."""

from __future__ import annotations

import json

from contactcenter.core.request_limits import BodyLimit, BodyLimits

MB = 1024 * 1024
LIMITS = BodyLimits(default_bytes=10 * MB, import_bytes=50 * MB)


class App:
    """The wrapped application: reads the whole body, answers 200 with its length."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # as Django does when the client goes away: no response
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


async def call(path: str, chunks: list[bytes], length: int | None) -> tuple[App, list[dict]]:
    app, sent = App(), []
    headers = [(b"content-length", str(length).encode())] if length is not None else []
    scope = {"type": "http", "path": path, "headers": headers}
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> dict:
        return messages.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    await BodyLimit(app, LIMITS)(scope, receive, send)
    return app, sent


def detail(sent: list[dict]) -> str:
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]
    return json.loads(sent[1]["body"])["detail"]


async def test_a_declared_length_over_the_limit_is_refused_without_calling_the_app() -> None:
    app, sent = await call("/api/leads/", [], 11 * MB)
    assert not app.called
    assert detail(sent) == ("the request body is 11534336 bytes; at most 10485760 bytes (10 MB) per request "
                            "(REQUEST_MAX_BYTES)")  # fmt: skip
    app, sent = await call("/admin/campaigns/campaign/7/import/", [], 52 * MB)
    assert not app.called and "(50 MB) per lead import file (LEAD_IMPORT_MAX_BYTES)" in detail(sent)


async def test_an_import_route_takes_its_larger_limit() -> None:
    app, sent = await call("/api/campaigns/3/imports/", [b"x" * MB] * 12, 12 * MB)
    assert app.called and sent[0]["status"] == 200 and sent[1]["body"] == str(12 * MB).encode()


async def test_a_body_without_a_length_is_cut_off_at_the_limit() -> None:
    app, sent = await call("/api/leads/", [b"x" * MB] * 12, None)
    assert app.called and "at most 10485760 bytes" in detail(sent) and len(sent) == 2
    app, sent = await call("/api/leads/", [b"x" * MB] * 3, None)
    assert sent[0]["status"] == 200


async def test_websockets_pass_untouched() -> None:
    seen = []

    async def app(scope, receive, send) -> None:
        seen.append(scope["type"])

    await BodyLimit(app, LIMITS)({"type": "websocket", "path": "/ws/"}, None, None)
    assert seen == ["websocket"]
