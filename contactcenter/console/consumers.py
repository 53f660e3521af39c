"""``/ws/console/``: pushes the agent's state (set from any tab, the admin, or queue events) to its
consoles, and the pre-alert banner of a call the agent is reserved for (only to that agent's)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from contactcenter.console import prealert
from contactcenter.console.identity import console_agent_of
from contactcenter.console.notifier import agent_group
from contactcenter.console.services import agent_state_event


@database_sync_to_async
def _agent_of(user: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """The session's agent (only their own state is pushed to this socket) and what its console
    shows now (state, pre-alert banner), or None."""
    agent = console_agent_of(user)
    if agent is None:
        return None
    now = [agent_state_event(agent)]
    if (shown := prealert.banner_of(agent)) is not None:
        now.append(shown)
    return agent.name, now


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        agent = await _agent_of(self.scope.get("user"))
        if agent is None:
            await self.close(code=4403)
            return
        name, current = agent
        self.group = agent_group(name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # The full state first: whatever was pushed while this console was away is not replayed.
        for message in current:
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def console_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
