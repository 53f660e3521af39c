"""A scripted ARI for unit tests: records every request and answers from a small state."""

from __future__ import annotations

from typing import Any

from pbx.ari.client import AriError


class FakeAri:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.app_channels: list[str] = []
        self.app_bridges: list[str] = []
        self.fail: dict[tuple[str, str], AriError] = {}

    def _record(self, method: str, path: str, params: dict[str, Any]) -> None:
        self.requests.append((method, path, params))
        for (m, prefix), error in self.fail.items():
            if m == method and path.startswith(prefix):
                raise error

    async def get(self, path: str, **params: Any) -> Any:
        self._record("GET", path, params)
        if path.startswith("applications/"):
            return {"channel_ids": self.app_channels, "bridge_ids": self.app_bridges}
        if path.startswith("channels/"):
            channel_id = path.split("/")[1]
            if channel_id not in self.channels:
                raise AriError("GET", path, 404, "Channel not found")
            return self.channels[channel_id]
        return {}

    async def post(self, path: str, body: Any = None, **params: Any) -> Any:
        self._record("POST", path, {**params, **({"body": body} if body else {})})
        return {}

    async def put(self, path: str, body: Any = None, **params: Any) -> Any:
        self._record("PUT", path, {**params, **({"body": body} if body else {})})
        return {}

    async def delete(self, path: str, **params: Any) -> Any:
        self._record("DELETE", path, params)
        return None

    def paths(self, method: str) -> list[str]:
        return [path for m, path, _ in self.requests if m == method]
