"""The AMI connection (panoramisk), with its login state visible to the health endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk import Manager

log = logging.getLogger(__name__)


class AmiLink:
    """One AMI session. It asks Asterisk for the events it has handlers for and no others
    (``Filter`` actions at each login): a burst of calls is a dozen call-class events per call
    (Newchannel, Newstate, DialBegin, ...) that pbx would otherwise parse only to drop."""

    def __init__(self, host: str, port: int, user: str, secret: str, reconnect_s: float = 1.0) -> None:
        self.logged_in = False
        # Sessions so far: state read from Asterisk in one session (queue counts) is read again
        # in the next, whatever events the gap between them lost.
        self.logins = 0
        self.last_error: str | None = None
        self.filtered = False
        self._wanted: list[str] = []
        self._filtering: asyncio.Task | None = None  # held: the loop keeps only weak references
        self._manager = Manager(
            host=host, port=port, username=user, secret=secret,
            reconnect_timeout=reconnect_s, ping_delay=10, ping_interval=10,
            on_login=self._on_login, on_disconnect=self._on_disconnect,
        )  # fmt: skip

    def _on_login(self, manager: Manager) -> None:
        self.logged_in, self.last_error = True, None
        self.logins += 1
        log.info("AMI logged in")
        # Filters belong to the session: set again after every reconnect.
        self.filtered = False
        self._filtering = asyncio.ensure_future(self._ask_for_wanted_events())

    async def _ask_for_wanted_events(self) -> None:
        if not self._wanted or "*" in self._wanted:
            return
        try:
            for name in self._wanted:
                # Asterisk 20.7+'s name match (a hash lookup, not a regex over every event).
                response = await self._manager.send_action({
                    "Action": "Filter", "Operation": "Add", "MatchCriteria": f"action(include),name({name})",
                    "Filter": "",
                })  # fmt: skip
                if not getattr(response, "success", False):
                    log.warning("AMI refused the event filter for %s (%s); receiving every event", name,
                                dict(response) if response is not None else "no response")  # fmt: skip
                    if name != self._wanted[0]:
                        # Some names are filtered in already: let every event through again
                        # (include filters add up) rather than miss the rest.
                        await self._manager.send_action({"Action": "Filter", "Operation": "Add", "Filter": ".*"})
                    return
            self.filtered = True
        except Exception:  # a connection lost meanwhile: the next login sets them again
            log.exception("AMI event filters not set")

    def _on_disconnect(self, manager: Manager, exc: Exception | None) -> None:
        self.logged_in = False
        self.last_error = f"disconnected: {exc}" if exc else "disconnected"

    def on_event(self, pattern: str, callback: Callable[[Manager, Any], Any]) -> None:
        """``pattern``: an event name, or ``*`` for every event (then nothing is filtered)."""
        self._manager.register_event(pattern, callback)
        if pattern not in self._wanted:
            self._wanted.append(pattern)

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

    async def action(self, fields: dict[str, str], timeout: float = 5.0) -> list[dict[str, str]]:
        """Send an AMI action: its response, then (a list action such as QueueStatus) the events
        that answer it. AmiError if refused. Those events reach us whatever the session's filters."""
        if not self.logged_in:
            raise AmiError(f"{fields.get('Action')}: AMI is not logged in ({self.last_error or 'connecting'})")
        reply = await asyncio.wait_for(self._manager.send_action(dict(fields)), timeout)
        messages = [dict(m) for m in (reply if isinstance(reply, list) else [reply]) if m is not None]
        if not messages or messages[0].get("Response") != "Success":
            raise AmiError(f"{fields.get('Action')}: {messages[0] if messages else 'no response'}")
        return messages

    def close(self) -> None:
        self._manager.close()


class AmiError(Exception):
    pass


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
