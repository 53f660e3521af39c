"""Pre-alert on a real Asterisk: an agent reserved for a call at risk is paused as ``reserved``,
takes the call first when it escalates (their phone told to answer by itself), and a hold that
times out, or that a dead pbx left behind, is undone.

Two simulated agents (sipp) in one queue; the queue would ring agent2 first (linear order), so
agent1 answering proves the reservation, not the queue, chose them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import aiohttp
import pytest

from ops.simulator.scripted_bot import QuietConversation
from ops.simulator.sip_agent import SippAgent
from ops.simulator.sipp import SippProcess
from ops.stack.asterisk import AsteriskInstance
from ops.stack.processes import free_port
from pbx.ami import AmiLink
from pbx.ami_listener import AmiQueueListener
from pbx.api import (
    AgentConnected,
    AgentPhone,
    AgentReserved,
    CallAtRisk,
    CallEnded,
    Event,
    OriginateCall,
    QueueMember,
    QueueSpec,
    ReservationEnded,
    ReserveAgent,
    Telephony,
    md5_cred,
)
from pbx.ari.client import HttpAriRest
from pbx.calls.engine import CallEngine
from pbx.calls.protocols import CallIO
from pbx.media.codec import SLIN16
from tests.conftest import throwaway_asterisk
from tests.realstack.harness import ari_app, wait_for_event

pytestmark = pytest.mark.realstack


class TracingAgent(SippAgent):
    """A simulated agent that also keeps the SIP messages it received (the INVITE's Call-Info)."""

    def __init__(self, name: str, port: int, work_dir: Path) -> None:
        self.name, self.port, self.work_dir = name, port, work_dir
        self.sip_log = work_dir / f"{name}-sip.log"
        scenario = Path(str(resources.files("ops.simulator").joinpath("agent_uas.xml")))
        SippProcess.__init__(self, name, scenario, port, work_dir,
                             options=("-m", "100", "-trace_msg", "-message_file", str(self.sip_log)))  # fmt: skip

    def invites(self) -> list[str]:
        text = self.sip_log.read_text(errors="replace") if self.sip_log.exists() else ""
        return [m for m in re.split(r"-{10,}", text) if "INVITE sip:" in m]


@pytest.fixture(scope="module")
def site(asterisk_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AsteriskInstance, dict]]:
    base = tmp_path_factory.mktemp("prealert")
    agents = {name: TracingAgent(name, free_port(udp=True), base / name) for name in ("agent1", "agent2")}
    telephony = Telephony(
        agents=tuple(AgentPhone(name=n, md5_cred=md5_cred(n, "secret-" + n), static_contact=a.contact)
                     for n, a in agents.items()),
        queues=(QueueSpec(name="support", strategy="linear", max_wait_s=20,
                          members=(QueueMember(agent="agent2"), QueueMember(agent="agent1"))),),
        failsafe_queue="support",
    )  # fmt: skip
    for agent in agents.values():
        agent.start()
    try:
        with throwaway_asterisk(asterisk_root, base, telephony) as asterisk:
            yield asterisk, agents
    finally:
        for agent in agents.values():
            agent.stop()


class AtRiskThenEscalates(QuietConversation):
    """Says the call is at risk at once; escalates to support when the test says so."""

    def __init__(self) -> None:
        self.io: CallIO | None = None
        self.escalate = asyncio.Event()

    async def start(self, io: CallIO) -> None:
        self.io = io
        await io.publish(CallAtRisk(call_id=io.call_id, score=0.5, reason="anger", queue="support"))
        await self.escalate.wait()
        await io.escalate("support", "anger", 0.8, "Angry about a late order.")


def member_line(asterisk: AsteriskInstance, agent: str) -> str:
    return next(line for line in asterisk.cli("queue show support").splitlines() if f"(PJSIP/{agent})" in line)


async def until(check, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(check):
            await asyncio.sleep(0.1)


def run_with_engine(asterisk: AsteriskInstance, conversation: QuietConversation, body) -> list[Event]:
    """``body(engine, rest, ami, events)`` with the engine on ARI and AMI, as pbx runs it."""
    s = asterisk.settings
    events: list[Event] = []

    async def publish(event: Event) -> None:
        events.append(event)

    async def go() -> None:
        ami = AmiLink("127.0.0.1", s.ami_port, s.ami_user, s.ami_secret)
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, asterisk.ari_url, s.ari_user, s.ari_password)
            engine = CallEngine(rest, publish, s.ari_app, lambda call: conversation, SLIN16, ami=ami.action)
            listener = asyncio.create_task(AmiQueueListener(ami).run([engine.on_ami_event]))
            await ami.start()
            try:
                await until(lambda: ami.logged_in, 10)
                async with ari_app(session, asterisk, s.ari_app, engine.on_event):
                    await body(engine, rest, events)
            finally:
                listener.cancel()
                ami.close()

    asyncio.run(go())
    return events


def test_the_reserved_agent_takes_the_escalated_call_first_and_answers_by_itself(site) -> None:
    asterisk, agents = site
    conversation = AtRiskThenEscalates()

    async def body(engine: CallEngine, rest: HttpAriRest, events: list[Event]) -> None:
        command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted", escalation_queue="support",
                                variables={"__CC_SIM_HOLD": "60"})  # fmt: skip
        await engine.originate(command)
        await until(lambda: command.call_id in engine.calls and engine.calls[command.call_id].at_risk, 15)
        await engine.handle_command(ReserveAgent(call_id=command.call_id, agent="agent1", queue="support",
                                                 auto_answer=True))  # fmt: skip
        await wait_for_event(events, lambda e: isinstance(e, AgentReserved), 5)
        assert "paused:reserved" in member_line(asterisk, "agent1"), member_line(asterisk, "agent1")
        assert "paused" not in member_line(asterisk, "agent2")

        conversation.escalate.set()
        connected = await wait_for_event(events, lambda e: isinstance(e, AgentConnected), 20)
        assert connected.agent == "agent1" and connected.call_id == command.call_id
        ended = await wait_for_event(events, lambda e: isinstance(e, ReservationEnded), 5)
        assert ended.why == "escalated"
        await until(lambda: "paused" not in member_line(asterisk, "agent1"), 5)  # on the call, no longer held
        await rest.delete(f"channels/{command.call_id}")
        done = await wait_for_event(events, lambda e: isinstance(e, CallEnded), 10)
        assert done.outcome == "escalated"

    run_with_engine(asterisk, conversation, body)
    agent1, agent2 = agents["agent1"], agents["agent2"]
    assert [reason for reason, _ in agent1.answered()] == ["anger"] and agent2.answered() == []
    [invite] = agent1.invites()
    assert re.search(r"^Call-Info: <sip:[^>]+>;answer-after=0", invite, re.M), invite
    assert "X-CC-Queue: support" in invite


def test_a_hold_times_out_and_one_left_by_a_dead_pbx_is_undone(site) -> None:
    asterisk, _ = site
    conversation = AtRiskThenEscalates()  # never told to escalate

    async def body(engine: CallEngine, rest: HttpAriRest, events: list[Event]) -> None:
        command = OriginateCall(endpoint="Local/customer@cc-sim", flow="scripted", escalation_queue="support",
                                variables={"__CC_SIM_HOLD": "60"})  # fmt: skip
        await engine.originate(command)
        await until(lambda: command.call_id in engine.calls and engine.calls[command.call_id].at_risk, 15)
        await engine.handle_command(ReserveAgent(call_id=command.call_id, agent="agent1", queue="support", hold_s=5))
        await until(lambda: "paused:reserved" in member_line(asterisk, "agent1"), 5)
        ended = await wait_for_event(events, lambda e: isinstance(e, ReservationEnded), 10)
        assert ended.why == "timeout"
        await until(lambda: "paused" not in member_line(asterisk, "agent1"), 5)

        # A pbx that died holding agent2: its pause outlives it, until the next pbx starts.
        asterisk.cli("queue pause member PJSIP/agent2 queue support reason reserved")
        assert "paused:reserved" in member_line(asterisk, "agent2")
        assert await engine.reservations.release_stale() == ["agent2"]
        await until(lambda: "paused" not in member_line(asterisk, "agent2"), 5)
        await rest.delete(f"channels/{command.call_id}")
        await wait_for_event(events, lambda e: isinstance(e, CallEnded), 10)

    run_with_engine(asterisk, conversation, body)
