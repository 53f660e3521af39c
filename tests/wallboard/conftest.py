"""Helpers for the wallboard tests: Channels' WebsocketCommunicator, a supervisor's session, settings."""

from __future__ import annotations

import uuid

import pytest
from channels.testing import WebsocketCommunicator


def session_cookie(client, user) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


def websocket(application, session: str | None = None, origin: str = "http://127.0.0.1"):
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, "/ws/wallboard/", headers=headers)


@pytest.fixture
def wallboard_names() -> dict[str, str]:
    """Keys of our own, so tests sharing one Redis never see each other's boards."""
    prefix = f"test-wallboard-{uuid.uuid4().hex[:8]}"
    return {"stream": f"{prefix}:events", "live": f"{prefix}:live", "prefix": prefix, "group": prefix.replace(":", "-")}
