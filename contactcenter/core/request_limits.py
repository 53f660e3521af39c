"""The largest request body each route takes, enforced before Django reads a byte of it.

Django's ASGI handler reads the whole body (into a spooled temporary file) before any view or
middleware runs, so a 100 MB body would be received and written to disk before a view could
refuse it. This ASGI wrapper answers 413, naming the limit, on the declared Content-Length
alone (a client sending ``Expect: 100-continue``, as curl does for large bodies, never sends
the body at all); a body without a length is counted as it arrives and cut off at the limit.
The response closes the connection, so the rest of the body is not read either.

Lead imports take files up to ``LEAD_IMPORT_MAX_BYTES`` (plus room for the multipart form);
every other route ``REQUEST_MAX_BYTES``. ``imports`` checks the file's size again, for callers
that do not come through here (the test client, a management command).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MB = 1024 * 1024
# The multipart envelope around the file (boundaries, the form's other fields).
FORM_OVERHEAD_BYTES = 1 * MB
# The routes that take a lead file: the API's and the admin's upload.
IMPORT_ROUTES = re.compile(r"^/(?:api/campaigns/[0-9]+/imports/?|admin/campaigns/campaign/[0-9]+/import/)$")


@dataclass(frozen=True)
class BodyLimits:
    default_bytes: int
    import_bytes: int  # the file itself; the form around it gets FORM_OVERHEAD_BYTES more

    @classmethod
    def from_settings(cls) -> BodyLimits:
        from django.conf import settings

        return cls(settings.REQUEST_MAX_BYTES, settings.LEAD_IMPORT_MAX_BYTES)

    def for_path(self, path: str) -> tuple[int, str]:
        """The body limit of ``path`` and words for it."""
        if IMPORT_ROUTES.match(path):
            return self.import_bytes + FORM_OVERHEAD_BYTES, (
                f"at most {self.import_bytes} bytes ({_mb(self.import_bytes)}) per lead import file "
                "(LEAD_IMPORT_MAX_BYTES)")  # fmt: skip
        return self.default_bytes, f"at most {self.default_bytes} bytes ({_mb(self.default_bytes)}) per request " \
                                   "(REQUEST_MAX_BYTES)"  # fmt: skip


def _mb(size: int) -> str:
    return f"{size / MB:g} MB"


class BodyLimit:
    """ASGI middleware: a request body over its route's limit gets 413 and the connection closes."""

    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self._limits = limits

    @property
    def limits(self) -> BodyLimits:
        if self._limits is None:  # settings are read when the first request comes, not at import
            self._limits = BodyLimits.from_settings()
        return self._limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, words = self.limits.for_path(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, f"the request body is {declared} bytes; {words}")
            return
        received = 0
        over = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True  # Django stops reading on a disconnect and answers nothing
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, counted, send)
        if over:
            await _refuse(send, f"the request body is over {limit} bytes; {words}")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
