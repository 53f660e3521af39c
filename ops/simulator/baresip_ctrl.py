"""baresip's ``ctrl_tcp`` interface: netstring-framed JSON commands, their answers, and the UA's events.

Framing (``NetstringReader``) is kept apart from the connection, as in panoramisk: each command
carries a token and waits for the answer with that token; events are kept in arrival order so a
test can ask "has the phone registered yet" whether the event came before or after it asked.
ctrl_tcp accepts one connection at a time and sends events only while one is open.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class PhoneError(RuntimeError):
    """The phone refused a command, reported a failure, or did not do what was waited for in time."""


@dataclass(frozen=True)
class PhoneEvent:
    """One UA event of baresip (``type`` as baresip names it: REGISTER_OK, CALL_ESTABLISHED, ...)."""

    type: str
    param: str = ""
    # Call events only: the SIP Call-ID of the call, its direction and the other side's URI.
    call_id: str = ""
    direction: str = ""
    peer_uri: str = ""

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> PhoneEvent:
        return cls(
            type=str(message.get("type", "")),
            param=str(message.get("param", "")),
            call_id=str(message.get("id", "")),
            direction=str(message.get("direction", "")),
            peer_uri=str(message.get("peeruri", "")),
        )


class NetstringReader:
    """Splits a byte stream into netstrings (``<length>:<payload>,``); keeps a partial one for later."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        payloads = []
        while (colon := self._buffer.find(b":")) != -1:
            length_text = self._buffer[:colon]
            if not length_text.isdigit():
                raise PhoneError(f"ctrl_tcp sent a malformed netstring: {self._buffer[:40]!r}")
            end = colon + 1 + int(length_text)
            if len(self._buffer) < end + 1:
                break  # the rest has not arrived yet
            if self._buffer[end : end + 1] != b",":
                raise PhoneError(f"ctrl_tcp netstring not closed by ',': {self._buffer[: end + 1][-40:]!r}")
            payloads.append(self._buffer[colon + 1 : end])
            self._buffer = self._buffer[end + 1 :]
        return payloads


def netstring(payload: bytes) -> bytes:
    return str(len(payload)).encode() + b":" + payload + b","


class CtrlConnection:
    """One open ctrl_tcp connection, read by a thread of its own until ``close()``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._changed = threading.Condition()
        self._events: list[PhoneEvent] = []
        self._answers: dict[str, dict[str, Any]] = {}
        self._tokens = itertools.count(1)
        self._closed_because = ""
        self._reader = threading.Thread(target=self._read, name="baresip-ctrl", daemon=True)
        self._reader.start()

    @classmethod
    def connect(cls, port: int, timeout: float, alive: Callable[[], bool]) -> CtrlConnection:
        """Connect once baresip listens (it opens the port while it starts); fail if it exits."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return cls(socket.create_connection(("127.0.0.1", port), timeout=1.0))
            except OSError as exc:
                if not alive():
                    raise PhoneError("baresip exited before its control port opened") from exc
                if time.monotonic() > deadline:
                    raise PhoneError(f"baresip's control port {port} not open after {timeout:.0f} s") from exc
            time.sleep(0.05)  # baresip gives no other sign that the port is open

    def command(self, command: str, params: str = "", timeout: float = 5.0) -> str:
        """Run a baresip command (``uanew``, ``accept``, ``hangup``, ...); its text output."""
        token = str(next(self._tokens))
        message = {"command": command, "token": token} | ({"params": params} if params else {})
        self._sock.sendall(netstring(json.dumps(message).encode()))
        with self._changed:
            if not self._changed.wait_for(lambda: token in self._answers or self._closed_because, timeout):
                raise PhoneError(f"baresip did not answer {command!r} in {timeout:.0f} s")
            answer = self._answers.pop(token, None)
        if answer is None:
            raise PhoneError(f"the control connection closed during {command!r}: {self._closed_because}")
        if not answer.get("ok"):
            raise PhoneError(f"baresip refused {command!r}: {answer.get('data', '')}")
        return str(answer.get("data", ""))

    def events(self) -> list[PhoneEvent]:
        with self._changed:
            return list(self._events)

    def wait_event(self, match: Callable[[PhoneEvent], bool], timeout: float, what: str) -> PhoneEvent:
        """The first event so far (or to come within ``timeout``) that ``match`` accepts."""

        def found() -> PhoneEvent | None:
            return next((event for event in self._events if match(event)), None)

        with self._changed:
            self._changed.wait_for(lambda: found() is not None or bool(self._closed_because), timeout)
            event = found()
            if event is None:
                why = f" (control connection closed: {self._closed_because})" if self._closed_because else ""
                seen = ", ".join(f"{e.type} {e.param}".strip() for e in self._events[-8:]) or "none"
                raise PhoneError(f"the phone did not report {what} in {timeout:.0f} s{why}; events: {seen}")
            return event

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._reader.join(timeout=2)

    def _read(self) -> None:
        framing = NetstringReader()
        self._sock.settimeout(None)
        reason = "closed by baresip"
        try:
            while data := self._sock.recv(65536):
                for payload in framing.feed(data):
                    self._dispatch(json.loads(payload))
        except (OSError, ValueError, PhoneError) as exc:
            reason = str(exc) or type(exc).__name__
        with self._changed:
            self._closed_because = reason
            self._changed.notify_all()

    def _dispatch(self, message: dict[str, Any]) -> None:
        with self._changed:
            if message.get("event"):
                self._events.append(PhoneEvent.from_message(message))
            elif message.get("response") and "token" in message:
                self._answers[str(message["token"])] = message
            self._changed.notify_all()
