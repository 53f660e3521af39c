"""The console's only publisher: pushes to the agent's open consoles over the Channels layer.

Called after commit. A console that is not connected (or a layer that is down) loses nothing
that matters: the page reads the full state again when its websocket (re)connects.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def agent_group(agent_name: str) -> str:
    return f"console.agent.{agent_name}"


def publish(agent_name: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(agent_group(agent_name), {"type": "console.event", "event": event})
    except Exception as exc:  # the layer (Redis) is down: the console catches up on reconnect
        log.warning("console event for %s not pushed: %s", agent_name, exc)
