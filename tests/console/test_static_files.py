"""Static files through the ASGI application, as uvicorn runs it: WhiteNoise serves what
``collectstatic`` gathered (the admin's CSS, Swagger UI, the console's scripts, JsSIP)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.core.management import call_command

JSSIP = b"var JsSIP = {};"


async def get(path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """One GET through a new application (WhiteNoise indexes STATIC_ROOT when it is built),
    the way an ASGI server calls it: status, headers and the whole body."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000)}  # fmt: skip
    requests = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client never disconnects; Django cancels this wait
        raise AssertionError("unreachable")

    async def send(message: dict) -> None:
        sent.append(message)

    await asyncio.wait_for(get_asgi_application()(scope, receive, send), timeout=10)
    start = sent[0]
    assert start["type"] == "http.response.start"
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


# WhiteNoise's middleware is synchronous: Django reads a file response in a thread and says so
# (under uvicorn once per process).
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_collected_static_files_answer_through_the_asgi_app(settings, tmp_path: Path) -> None:
    jssip_dir = tmp_path / "cache" / "jssip"
    jssip_dir.mkdir(parents=True)
    (jssip_dir / "jssip.min.js").write_bytes(JSSIP)
    (jssip_dir / ".contactcenter-version").write_text("jssip-test")
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STATICFILES_DIRS = [("jssip", jssip_dir)]

    status, _, _ = await get("/static/admin/css/base.css")
    assert status == 404  # nothing collected yet: only STATIC_ROOT is served

    await sync_to_async(call_command)("collectstatic", "--noinput", verbosity=0)

    status, headers, body = await get("/static/admin/css/base.css")
    assert status == 200 and headers[b"Content-Type"].startswith(b"text/css") and b"#header" in body
    status, headers, body = await get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert status == 200 and headers[b"Content-Type"].startswith(b"text/javascript") and b"SwaggerUIBundle" in body
    status, _, body = await get("/static/console/console.js")
    assert status == 200 and b"ccConsole" in body
    status, _, body = await get("/static/jssip/jssip.min.js")
    assert status == 200 and body == JSSIP
    # The set-up's stamp beside the bundle is not published.
    assert (await get("/static/jssip/.contactcenter-version"))[0] == 404
