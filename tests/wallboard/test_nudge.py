"""A person's change to an agent reaches the board at once: the nudge ends the feeder's blocking
read and it re-reads the agents, without waiting for its periodic database read. And the board
says why an agent is paused."""

from __future__ import annotations

import asyncio
import time

import pytest

from contactcenter.people.models import Agent, AgentState
from contactcenter.wallboard import nudge
from contactcenter.wallboard.board import AgentFact, Board, Section, apply_agents
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.facts import DbFacts, load_agents
from contactcenter.wallboard.feeder import Feeder
from contactcenter.wallboard.sections import render


class Layer:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def group_send(self, group: str, message: dict) -> None:
        self.sent.append(message["message"])


@pytest.mark.realstack
async def test_a_nudge_makes_the_feeder_read_the_agents_now(redis_server, settings, wallboard_names) -> None:
    settings.REDIS_URL = redis_server.url
    settings.WALLBOARD_KEY_PREFIX = wallboard_names["prefix"]
    settings.WALLBOARD_NUDGE = True
    agent = {"state": "available", "reason": ""}
    reads: list[float] = []

    async def load_facts(day_start: float) -> DbFacts:
        reads.append(time.monotonic())
        return DbFacts(agents=(AgentFact("agent1", agent["state"], 1.0, reason=agent["reason"]),), queues=(),
                       campaigns=())  # fmt: skip

    # A database read every minute only: what shows within a second came by the nudge.
    config = FeederConfig(redis_url=redis_server.url, stream=wallboard_names["stream"], key_prefix=wallboard_names["prefix"],
                          live_key=wallboard_names["live"], db_refresh_s=60.0, replay_today=False)  # fmt: skip
    assert config.nudge_key == FeederConfig.from_settings().nudge_key
    layer = Layer()
    feeder = Feeder(config, layer, load_facts=load_facts)
    task = asyncio.create_task(feeder.run())
    try:
        started = time.monotonic()
        while not layer.sent:
            state = f"leading: {feeder.leading}, reconnects: {feeder.reconnects}"
            assert time.monotonic() - started < 20, f"no board after 20 s ({state})"
            await asyncio.sleep(0.02)
        assert layer.sent[0]["sections"]["agents"][0]["state"] == "available"
        await asyncio.sleep(1.2)  # a whole blocking read with nothing on the streams
        assert len(reads) == 1

        agent.update(state="paused", reason="Lunch")
        nudged = time.monotonic()
        await asyncio.to_thread(nudge.nudge, "agent agent1 paused")
        while not any(m["sections"].get("agents", [{}])[0].get("reason") == "Lunch" for m in layer.sent):
            assert time.monotonic() - nudged < 1.0, f"not on the board within 1 s: {layer.sent[-1]}"
            await asyncio.sleep(0.01)
        assert len(reads) == 2 and reads[1] - nudged < 0.5
        row = next(m for m in layer.sent if m["sections"].get("agents"))["sections"]["agents"][0]
        assert row["name"] == "agent1"
        assert layer.sent[-1]["sections"]["agents"][0]["state"] == "paused"
    finally:
        task.cancel()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)


def test_a_nudge_with_redis_down_is_a_log_line_not_an_error(settings, caplog) -> None:
    settings.WALLBOARD_NUDGE = True
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    nudge.nudge("agent agent1 paused")
    assert "wallboard not nudged" in caplog.text


@pytest.mark.django_db
def test_the_board_shows_why_an_agent_is_paused_and_only_then() -> None:
    Agent.objects.create(name="agent1", state=AgentState.PAUSED, pause_reason="Training")
    Agent.objects.create(name="agent2", state=AgentState.AVAILABLE, pause_reason="stale")
    facts = load_agents()
    assert [(f.name, f.state, f.reason) for f in facts] == [("agent1", "paused", "Training"), ("agent2", "available", "")]
    board = Board(day_start=0.0)
    assert Section.AGENTS in apply_agents(board, facts)
    rows = render(board, 10.0, {Section.AGENTS})["agents"]
    assert [(r["name"], r["state"], r["reason"]) for r in rows] == [("agent1", "paused", "Training"),
                                                                    ("agent2", "available", "")]  # fmt: skip
    # A new reason alone is a change the board sends.
    changed = (AgentFact("agent1", "paused", facts[0].since, reason="Lunch"), facts[1])
    assert Section.AGENTS in apply_agents(board, changed)
