"""ARI REST calls."""

from __future__ import annotations

import base64
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
import yarl


def basic_auth_header(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class AriError(Exception):
    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"ARI {method} {path} -> {status}: {message}")
        self.status = status
        self.message = message


class AriRest(Protocol):
    async def get(self, path: str, **params: Any) -> Any: ...
    async def post(self, path: str, body: Any = None, **params: Any) -> Any: ...
    async def put(self, path: str, body: Any = None, **params: Any) -> Any: ...
    async def delete(self, path: str, **params: Any) -> Any: ...


def _query(params: dict[str, Any]) -> dict[str, str]:
    # ARI takes booleans as "true"/"false" and ignores absent parameters.
    out = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


class HttpAriRest:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, user: str, password: str,
                 timeout_s: float = 5.0) -> None:  # fmt: skip
        self._session = session
        self._base = base_url.rstrip("/")
        self._headers = basic_auth_header(user, password)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def _call(self, method: str, path: str, body: Any, params: dict[str, Any]) -> Any:
        # Channel ids of Local channels end in ";1"/";2": quoted, or the ';' would end the path.
        url = f"{self._base}/{quote(path.lstrip('/'), safe='/')}"
        async with self._session.request(
            method, yarl.URL(url, encoded=True), params=_query(params), json=body,
            headers=self._headers, timeout=self._timeout,
        ) as response:  # fmt: skip
            text = await response.text()
            if response.status >= 400:
                message = text
                if response.content_type == "application/json":
                    message = (await response.json()).get("message", text)
                raise AriError(method, path, response.status, message)
            if not text:
                return None
            return await response.json(content_type=None)

    async def get(self, path: str, **params: Any) -> Any:
        return await self._call("GET", path, None, params)

    async def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return await self._call("POST", path, body, params)

    async def put(self, path: str, body: Any = None, **params: Any) -> Any:
        return await self._call("PUT", path, body, params)

    async def delete(self, path: str, **params: Any) -> Any:
        return await self._call("DELETE", path, None, params)
