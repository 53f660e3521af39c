"""Against a real Redis: each supervisor request puts one command on pbx's commands stream that
pbx's own parser reads, naming the logged-in user; a forced pause is in the database and on the
agent's console websocket at once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import redis
from channels.db import database_sync_to_async
from django.test import Client

from contactcenter.people.models import Agent, AgentState
from pbx.api import COMMANDS_STREAM, parse_command
from tests.console.factories import make_world
from tests.console.test_console_push import Console
from tests.supervisors.factories import make_pause_reasons, make_supervisor

pytestmark = pytest.mark.realstack

CALL = str(uuid.uuid4())


class Stream:
    """pbx's commands stream, read from where it was when the test began; the test's entries are
    removed after (the session's Redis is shared)."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        newest = self.client.xrevrange(COMMANDS_STREAM, count=1)
        self.start = newest[0][0].decode() if newest else "0-0"
        self.seen: list[bytes] = []

    def new(self) -> list:
        """The commands added since the last call."""
        entries = self.client.xrange(COMMANDS_STREAM, min=f"({self.start}")
        self.seen += [entry_id for entry_id, _ in entries]
        if entries:
            self.start = entries[-1][0].decode()
        return [parse_command(fields) for _, fields in entries]

    def close(self) -> None:
        if self.seen:
            self.client.xdel(COMMANDS_STREAM, *self.seen)
        self.client.close()


@pytest.fixture
def stream(redis_server, settings) -> Iterator[Stream]:
    settings.REDIS_URL = redis_server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    commands = Stream(redis_server.url)
    yield commands
    commands.close()


def post(client: Client, url: str, body: dict) -> dict:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 202, (url, response.content)
    return response.json()


@pytest.mark.django_db
def test_each_request_lands_on_the_stream_as_the_logged_in_supervisors_command(stream: Stream) -> None:
    world = make_world()
    make_pause_reasons()
    Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
    client = Client()
    client.force_login(make_supervisor("sam"))
    calls = f"/api/supervisor/calls/{CALL}"
    # A name in the body is not who asks: the session's user is.
    answers = [
        post(client, f"{calls}/supervise/", {"mode": "listen", "supervisor": "mallory"}),
        post(client, f"{calls}/supervise/", {"mode": "whisper"}),
        post(client, f"{calls}/takeover/", {"to": "phone", "supervisor_phone": "agent1"}),
        post(client, f"{calls}/takeover/", {"to": "queue"}),
        post(client, f"{calls}/stop/", {}),
        post(client, f"/api/supervisor/agents/{world.agent.name}/pause/", {"reason": "Lunch"}),
        post(client, f"/api/supervisor/agents/{world.agent.name}/log-out/", {}),
    ]
    sent = stream.new()
    assert [c.command_id for c in sent] == [a["command_id"] for a in answers]
    assert [c.type for c in sent] == [a["type"] for a in answers] == [
        "supervise", "supervise", "takeover", "takeover", "stop_supervising", "agent_state",
        "agent_state"]  # fmt: skip
    assert {c.supervisor for c in sent} == {"sam"}
    assert {c.call_id for c in sent[:5]} == {CALL}
    listen, whisper, to_phone, to_queue, _stop, pause, log_out = sent
    assert (listen.mode, listen.supervisor_phone, whisper.mode) == ("listen", "sup-sam", "whisper")
    assert (to_phone.supervisor_phone, to_phone.supervisor_queue) == ("sup-sam", "")
    assert (to_queue.supervisor_phone, to_queue.supervisor_queue) == ("", "supervisors")
    assert (pause.agent, pause.action, pause.reason) == (world.agent.name, "pause_agent", "Lunch")
    assert (log_out.agent, log_out.action) == (world.agent.name, "log_out_agent")
    assert answers[-1]["agent"] == {"name": world.agent.name, "state": "offline", "pause_reason": ""}
    assert Agent.objects.get(pk=world.agent.pk).state == AgentState.OFFLINE


@pytest.mark.django_db(transaction=True)
async def test_a_forced_pause_is_in_the_database_and_on_the_agents_console_at_once(
    stream: Stream, settings
) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    def setup():
        world = make_world()
        make_pause_reasons()
        Agent.objects.filter(pk=world.agent.pk).update(state=AgentState.AVAILABLE)
        client = Client()
        client.force_login(make_supervisor("sam"))
        return world, client

    world, client = await database_sync_to_async(setup)()
    console = Console(world.user)
    assert (await console.connect())[0]
    assert await console.receive_json_from() == {"type": "agent.state", "state": "available", "reason": ""}

    url = f"/api/supervisor/agents/{world.agent.name}/pause/"
    answer = await database_sync_to_async(post)(client, url, {"reason": "Coaching"})
    assert answer["agent"] == {
        "name": world.agent.name,
        "state": "paused",
        "pause_reason": "forced by sam: Coaching",
    }
    agent = await database_sync_to_async(Agent.objects.get)(pk=world.agent.pk)
    assert (agent.state, agent.pause_reason) == ("paused", "forced by sam: Coaching")
    assert await console.receive_json_from() == {"type": "agent.state", "state": "paused",
                                                 "reason": "forced by sam: Coaching"}
    assert await console.receive_json_from() == {
        "type": "agent.forced",
        "state": "paused",
        "by": "sam",
        "reason": "Coaching",
        "pause_reason": "forced by sam: Coaching",
    }
    [command] = await database_sync_to_async(stream.new)()
    assert (command.type, command.agent, command.action, command.reason, command.supervisor) == (
        "agent_state", world.agent.name, "pause_agent", "Coaching", "sam")  # fmt: skip
    await console.disconnect()
