"""The AMI connection (panoramisk), with its login state visible to the health endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk import Manager

log = logging.getLogger(__name__)


class AmiLink:
    def __init__(self, host: str, port: int, user: str, secret: str, reconnect_s: float = 1.0) -> None:
        self.logged_in = False
        self.last_error: str | None = None
        self._manager = Manager(
            host=host, port=port, username=user, secret=secret,
            reconnect_timeout=reconnect_s, ping_delay=10, ping_interval=10,
            on_login=self._on_login, on_disconnect=self._on_disconnect,
        )  # fmt: skip

    def _on_login(self, manager: Manager) -> None:
        self.logged_in, self.last_error = True, None
        log.info("AMI logged in")

    def _on_disconnect(self, manager: Manager, exc: Exception | None) -> None:
        self.logged_in = False
        self.last_error = f"disconnected: {exc}" if exc else "disconnected"

    def on_event(self, pattern: str, callback: Callable[[Manager, Any], Any]) -> None:
        self._manager.register_event(pattern, callback)

    async def start(self) -> None:
        self._manager.loop = asyncio.get_running_loop()
        try:
            await self._manager.connect()
        except OSError as exc:
            # panoramisk retries by itself; we only record why it is down for now.
            self.last_error = f"{type(exc).__name__}: {exc}"

    async def ping(self, timeout: float = 3.0) -> bool:
        if not self.logged_in:
            return False
        response = await asyncio.wait_for(self._manager.send_action({"Action": "Ping"}), timeout)
        return bool(getattr(response, "success", False))

    def close(self) -> None:
        self._manager.close()


def channel_variables(event: Any) -> dict[str, str]:
    """The ``channelvars`` Asterisk copies into an event (manager.conf), as a dict.

    panoramisk gives one ``NAME=value`` string, or a list of them when the key repeats.
    """
    raw = event.get("ChanVariable")
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        if sep:
            out[name] = value
    return out
